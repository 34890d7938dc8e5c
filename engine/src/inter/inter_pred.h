// Final inter prediction of a coding unit (all three components) from its motion: the MC of
// each used list (8.5.6.3) and the default weighted sample prediction (8.5.6.6.2), bi when
// both lists are used. Owns its 14-bit intermediate buffers (no allocation per call).
#pragma once
#include <cstddef>
#include <cstdint>

#include "common/picture.h"
#include "inter/interp.h"
#include "inter/motion_field.h"
#include "inter/mv.h"

namespace vvc {

// The reference pictures of the current slice as padded copies: pic[l][refIdx].
struct RefPicSet {
  const PaddedPicture* pic[2][kMaxRefPics] = {};
};

class InterPredictor {
 public:
  // Predicts the w x h luma block at (x, y) (and its (w/2) x (h/2) chroma blocks) with motion
  // mi into dstY / dstCb / dstCr (any may be null to skip that component).
  void predict(const MotionInfo& mi, const RefPicSet& refs, int x, int y, int w, int h, Pel* dstY,
               ptrdiff_t strideY, Pel* dstCb, Pel* dstCr, ptrdiff_t strideC);

 private:
  int16_t buf_[2][kMaxMcBlock * kMaxMcBlock];
};

}  // namespace vvc
