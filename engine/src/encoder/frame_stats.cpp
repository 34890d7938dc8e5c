#include "encoder/frame_stats.h"

#include <cmath>

namespace vvc {

double plane_psnr(const Plane& a, const Plane& b, int w, int h) {
  uint64_t sse = 0;
  for (int y = 0; y < h; ++y) {
    const Pel* ra = a.row(y);
    const Pel* rb = b.row(y);
    for (int x = 0; x < w; ++x) {
      const int d = ra[x] - rb[x];
      sse += static_cast<uint64_t>(d * d);
    }
  }
  if (sse == 0) return kPsnrIdentical;
  const double peak = static_cast<double>(kMaxVal);
  const double mse = static_cast<double>(sse) / (static_cast<double>(w) * h);
  return 10.0 * std::log10(peak * peak / mse);
}

}  // namespace vvc
