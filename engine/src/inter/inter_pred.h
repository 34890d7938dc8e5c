// Final inter prediction of a coding unit (all three components) from its motion: the MC of
// each used list (8.5.6.3) and the default weighted sample prediction (8.5.6.6.2), bi when
// both lists are used, with the decoder-side refinements of bi-prediction when the slice
// enables them: DMVR (8.5.3, regular merge CUs only, inter/dmvr.h) and BDOF (8.5.6.5, luma,
// inter/bdof.h), both per subblock of at most 16x16 luma samples (8.5.1). Owns its 14-bit
// intermediate buffers (no allocation per call).
#pragma once
#include <cstddef>
#include <cstdint>

#include "common/picture.h"
#include "inter/bdof.h"
#include "inter/dmvr.h"
#include "inter/interp.h"
#include "inter/motion_field.h"
#include "inter/mv.h"

namespace vvc {

// The reference pictures of the current slice as padded copies: pic[l][refIdx], and what
// the DMVR / BDOF conditions read: the POCs, whether each entry is long-term, and the
// picture-level switches (sps_*_enabled_flag and not ph_*_disabled_flag).
struct RefPicSet {
  const PaddedPicture* pic[2][kMaxRefPics] = {};
  int poc = 0;                          // current picture
  int ref_poc[2][kMaxRefPics] = {};     // POC of pic[l][i]
  bool long_term[2][kMaxRefPics] = {};  // never set by our encoder
  bool dmvr = false;
  bool bdof = false;
};

// Motion of one DMVR subblock after refinement (what TMVP of later pictures reads there).
struct RefinedMotion {
  int x = 0, y = 0, w = 0, h = 0;  // luma samples
  MotionInfo mi;
};

class InterPredictor {
 public:
  // Predicts the w x h luma block at (x, y) (and its (w/2) x (h/2) chroma blocks) with motion
  // mi into dstY / dstCb / dstCr (any may be null to skip that component). regularMerge: the
  // CU is coded in regular merge / skip mode (no MMVD, CIIP, GPM, subblock merge), the only
  // kind DMVR refines.
  void predict(const MotionInfo& mi, const RefPicSet& refs, int x, int y, int w, int h, Pel* dstY,
               ptrdiff_t strideY, Pel* dstCb, Pel* dstCr, ptrdiff_t strideC,
               bool regularMerge = false);

  // The refined subblock motions of the last predict() call (0 when DMVR did not apply).
  int num_refined() const { return num_refined_; }
  const RefinedMotion& refined(int k) const { return refined_[k]; }

  // Per-CU decisions (exposed for tests): DMVR / BDOF apply to this motion and block.
  static bool dmvr_applies(const MotionInfo& mi, const RefPicSet& refs, int w, int h,
                           bool regularMerge);
  static bool bdof_applies(const MotionInfo& mi, const RefPicSet& refs, int w, int h);

 private:
  void predict_refined(const MotionInfo& mi, const RefPicSet& refs, int x, int y, int w, int h,
                       Pel* dstY, ptrdiff_t strideY, Pel* dstCb, Pel* dstCr, ptrdiff_t strideC,
                       bool dmvr, bool bdof);

  int16_t buf_[2][kMaxMcBlock * kMaxMcBlock];
  int16_t bdof_buf_[2][kBdofStride * kBdofStride];
  Pel win_[2][kDmvrWindowBuf];  // DMVR reference windows (one per list)
  static constexpr int kMaxSub = (kMaxMcBlock / 16) * (kMaxMcBlock / 16);
  RefinedMotion refined_[kMaxSub];
  int num_refined_ = 0;
};

}  // namespace vvc
