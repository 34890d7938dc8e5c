#include "inter/motion_field.h"

#include <algorithm>

namespace vvc {

void MotionField::reset(int lumaWidth, int lumaHeight) {
  width4_ = (lumaWidth + 3) / 4;
  height4_ = (lumaHeight + 3) / 4;
  units_.assign(static_cast<size_t>(width4_) * height4_, MotionInfo{});
}

void MotionField::set(int x, int y, int w, int h, const MotionInfo& mi) {
  const int x0 = x >> 2, y0 = y >> 2;
  const int x1 = std::min(width4_, (x + w + 3) >> 2), y1 = std::min(height4_, (y + h + 3) >> 2);
  for (int j = y0; j < y1; ++j) {
    MotionInfo* row = units_.data() + static_cast<size_t>(j) * width4_;
    std::fill(row + x0, row + x1, mi);
  }
}

}  // namespace vvc
