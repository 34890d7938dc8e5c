// Tests for block importance mapping (prefilter/block_importance.h): the error-to-offset
// thresholds, the distance weighting, the picture mean and the CTU differences, the strength
// blend towards the centre, the missing-distance rule and the reference merge with its
// rounding, on hand-made motion grids with known answers.
#include <vector>

#include "check.h"
#include "prefilter/block_importance.h"

namespace {

using vvc::FilterNeighbour;
using vvc::MvGrid;
using vvc::QpOffsetMap;

// A grid of unit-size blocks over width x height whose errors are e(ctuX) per CTU column.
MvGrid grid(int unit, int width, int height, int ctu, const std::vector<int>& errPerCtuCol) {
  MvGrid g;
  g.reset(unit, width, height);
  for (int by = 0; by < g.rows; ++by)
    for (int bx = 0; bx < g.cols; ++bx) g.at(bx, by).error = errPerCtuCol[(bx * unit) / ctu];
  return g;
}

void test_thresholds_and_mean() {
  // Four CTU columns, one row; both sides at distances 1 and 2 with equal errors, so
  // e = error (distance factor 1, no difference term). Offsets: 80 -> +2, 65 -> +1, 20 -> -1,
  // 10 -> -2; sum 0, mean 0.
  const int unit = 8, w = 512, h = 128, ctu = 128;
  const std::vector<int> err = {80, 65, 20, 10};
  std::vector<FilterNeighbour> nb = {{nullptr, -1}, {nullptr, 1}, {nullptr, -2}, {nullptr, 2}};
  std::vector<MvGrid> mv(4, grid(unit, w, h, ctu, err));
  const QpOffsetMap m = vvc::bim_from_motion(nb, mv, unit, 1.5, w, h, ctu);
  CHECK(m.valid());
  CHECK_EQ(m.picture, 0);
  CHECK_EQ(m.ctu.size(), 4u);
  CHECK_EQ(m.total(0), 2);
  CHECK_EQ(m.total(1), 1);
  CHECK_EQ(m.total(2), -1);
  CHECK_EQ(m.total(3), -2);
  // A low-error picture: everything -2 goes into the picture offset.
  std::vector<MvGrid> low(4, grid(unit, w, h, ctu, {5, 5, 5, 5}));
  const QpOffsetMap l = vvc::bim_from_motion(nb, low, unit, 1.5, w, h, ctu);
  CHECK_EQ(l.picture, -2);
  for (size_t i = 0; i < l.ctu.size(); ++i) CHECK_EQ(l.ctu[i], 0);
}

void test_distance_terms_and_strength() {
  const int unit = 8, w = 128, h = 128, ctu = 128;
  // One side only: the distance factor is 2 (mean 20 counts 40: offset 0); distance 2 error
  // 30 counts 60: e = max(40, 60) + 3 * 20 = 120 -> +2.
  std::vector<FilterNeighbour> nb = {{nullptr, -1}, {nullptr, -2}};
  std::vector<MvGrid> mv = {grid(unit, w, h, ctu, {20}), grid(unit, w, h, ctu, {30})};
  CHECK_EQ(vvc::bim_from_motion(nb, mv, unit, 1.0, w, h, ctu).total(0), 2);
  // Errors 5 at both distances, one-sided: e = 10 -> -2; strength 0.5 pulls it halfway to
  // 45: 27 -> -1.
  std::vector<MvGrid> lowMv = {grid(unit, w, h, ctu, {5}), grid(unit, w, h, ctu, {5})};
  CHECK_EQ(vvc::bim_from_motion(nb, lowMv, unit, 1.0, w, h, ctu).total(0), -2);
  CHECK_EQ(vvc::bim_from_motion(nb, lowMv, unit, 0.5, w, h, ctu).total(0), -1);
  // No neighbour at distance 2: a map of zeros.
  std::vector<FilterNeighbour> near = {{nullptr, -1}, {nullptr, 1}};
  const QpOffsetMap z = vvc::bim_from_motion(near, lowMv, unit, 1.0, w, h, ctu);
  CHECK(z.valid());
  CHECK_EQ(z.total(0), 0);
}

void test_reference_merge() {
  QpOffsetMap a, b;
  a.picture = -1;
  a.ctu = {-1, 0, 3};  // totals -2, -1, 2
  b.picture = 0;
  b.ctu = {-2, -1, 2};  // totals -2, -1, 2
  const QpOffsetMap m = vvc::bim_from_references(a, b);
  // (3 * o0 + 3 * o1 + (sum < 0 ? 3 : 4)) >> 3: -2,-2 -> -9 >> 3 = -2; -1,-1 -> -3 >> 3 = -1;
  // 2,2 -> 16 >> 3 = 2; mean (-2 - 1 + 2) / 3 rounds to 0.
  CHECK_EQ(m.total(0), -2);
  CHECK_EQ(m.total(1), -1);
  CHECK_EQ(m.total(2), 2);
  CHECK_EQ(m.picture, 0);
  CHECK(!vvc::bim_from_references(a, QpOffsetMap{}).valid());
}

}  // namespace

int main() {
  test_thresholds_and_mean();
  test_distance_terms_and_strength();
  test_reference_merge();
  TEST_MAIN_END();
}
