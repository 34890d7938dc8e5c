#include "prefilter/block_importance.h"

#include <algorithm>
#include <cstdlib>

namespace vvc {

namespace {

constexpr int kThreshold[4] = {75, 60, 30, 15};
constexpr double kCentre = 45.0;

// Rounded mean (half away from zero) and the differences from it.
QpOffsetMap split_mean(std::vector<int> total) {
  QpOffsetMap m;
  const int n = static_cast<int>(total.size());
  int sum = 0;
  for (int v : total) sum += v;
  m.picture = (sum + (sum < 0 ? -(n >> 1) : n >> 1)) / n;
  for (int& v : total) v -= m.picture;
  m.ctu = std::move(total);
  return m;
}

}  // namespace

QpOffsetMap bim_from_motion(const std::vector<FilterNeighbour>& neighbours,
                            const std::vector<MvGrid>& motion, int unit, double strength, int width,
                            int height, int ctuSize) {
  const int ctuCols = (width + ctuSize - 1) / ctuSize, ctuRows = (height + ctuSize - 1) / ctuSize;
  const size_t numCtu = static_cast<size_t>(ctuCols) * ctuRows;
  std::vector<double> sum[2], count[2];
  int distFactor[2] = {3, 3};
  for (int d = 0; d < 2; ++d) {
    sum[d].assign(numCtu, 0.0);
    count[d].assign(numCtu, 0.0);
  }
  for (size_t i = 0; i < neighbours.size() && i < motion.size(); ++i) {
    const int d = std::abs(neighbours[i].poc_offset) - 1;
    if (d < 0 || d > 1) continue;
    --distFactor[d];
    const MvGrid& g = motion[i];
    for (int by = 0; by < g.rows; ++by)
      for (int bx = 0; bx < g.cols; ++bx) {
        const int x = bx * unit, y = by * unit;
        // The part of the block inside the picture, in whole multiples of 8 samples.
        const int w = std::min(unit, width - x) & ~7, h = std::min(unit, height - y) & ~7;
        if (w <= 0 || h <= 0) continue;
        const size_t ctu = static_cast<size_t>(y / ctuSize) * ctuCols + x / ctuSize;
        sum[d][ctu] += static_cast<double>(g.at(bx, by).error);
        count[d][ctu] += static_cast<double>(w * h) / (unit * unit);
      }
  }
  if (distFactor[0] == 3 || distFactor[1] == 3) return split_mean(std::vector<int>(numCtu, 0));
  const double weight = std::min(1.0, strength);
  std::vector<int> total(numCtu, 0);
  for (size_t i = 0; i < numCtu; ++i) {
    if (count[0][i] <= 0 || count[1][i] <= 0) continue;
    const int e1 = static_cast<int>(sum[0][i] / count[0][i] * distFactor[0]);
    const int e2 = static_cast<int>(sum[1][i] / count[1][i] * distFactor[1]);
    int e = std::max(e1, e2) + std::abs(e2 - e1) * 3;
    e = static_cast<int>(e * weight + (1 - weight) * kCentre);
    int o = 0;
    if (e > kThreshold[0])
      o = 2;
    else if (e > kThreshold[1])
      o = 1;
    else if (e < kThreshold[3])
      o = -2;
    else if (e < kThreshold[2])
      o = -1;
    total[i] = o;
  }
  return split_mean(std::move(total));
}

QpOffsetMap bim_from_references(const QpOffsetMap& l0, const QpOffsetMap& l1) {
  if (!l0.valid() || !l1.valid() || l0.ctu.size() != l1.ctu.size()) return {};
  std::vector<int> total(l0.ctu.size());
  for (size_t i = 0; i < total.size(); ++i) {
    const int o0 = l0.total(i), o1 = l1.total(i);
    total[i] = (3 * o0 + 3 * o1 + (o0 + o1 < 0 ? 3 : 4)) >> 3;
  }
  return split_mean(std::move(total));
}

}  // namespace vvc
