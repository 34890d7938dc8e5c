// Encoder-side motion estimation for one luma block (VTM/VVenC InterSearch in spirit):
//  1. integer search: the best of the start points (the AMVP predictors, zero, caller extras
//     such as merge candidates) then a TZ-style search around it: expanding diamond (1, 2,
//     4, ... search_range) with early termination, a raster scan (step 5) when the best point
//     is far, and diamond refinement until the best stays put; cost SAD + sqrt(lambda) * bits;
//  2. half- then quarter-sample refinement (8 neighbours each) on the interpolated
//     prediction with cost SATD + sqrt(lambda) * bits;
//  3. bi-prediction refinement: fix one list, search the other against the target
//     2 * org - pred_fixed (small integer window, then sub-sample steps scored on the actual
//     bi prediction), alternate lists.
// MV bits are estimated from the MVD binarization (abs_mvd_greater0/1 flags, sign, EG1
// abs_mvd_minus2) plus the mvp flag; the caller adds ref_idx / inter_pred_idc bits through
// MeRef::ref_bits and gets costs in the same unit (distortion + sqrt_lambda * bits).
// The search never allocates: buffers are members of MotionSearcher.
#pragma once
#include <cstdint>

#include "common/picture.h"
#include "inter/interp.h"
#include "inter/mv.h"

namespace vvc {

struct MeConfig {
  int search_range = 64;    // integer samples around the start point (MeRef may override)
  double sqrt_lambda = 0;   // cost = distortion + sqrt_lambda * bits (RdLambdas::sqrt_lambda)
  int bi_iterations = 2;    // list alternations in the bi refinement (0: no bi search)
  int bi_search_range = 4;  // integer window of the bi refinement around the current MV
  bool subpel = true;       // half/quarter refinement
  // Integer-sample SADs of blocks taller than 8 over every second row, doubled (VTM / VVenC
  // subShift of the fast inter search modes): half the work, nearly the same decisions.
  bool subsample_rows = true;
  // log2 of the row step of the integer-sample SADs of a block of height h (see sad_rows).
  int sad_row_shift(int h) const { return subsample_rows && h > 8 ? 1 : 0; }
};

// The original luma block.
struct MeBlock {
  const Pel* org = nullptr;  // top-left sample of the block in the original picture
  ptrdiff_t stride = 0;
  int x = 0, y = 0, w = 0, h = 0;  // position / size in the picture (luma samples)
};

// VTM's adaptive search range (EncSlice::setSearchRange, ASR 1 in the random-access cfg):
// the range towards a reference pocDistance pictures away, clip(minWindow, range,
// (range * |pocDistance| + gopSize / 2) / gopSize); minWindow is capped at range.
int adaptive_search_range(int range, int minWindow, int gopSize, int pocDistance);

// One candidate reference picture (list, refIdx) of the block.
struct MeRef {
  const PaddedPicture* pic = nullptr;  // MVs stay within its margin (less 8 for the taps)
  Mv mvp[2];  // AMVP list for this (list, refIdx), rounded to the MVD precision
  int amvr_shift = kAmvrShiftQuarter;  // the MVD's precision (AmvrShift), for its bits
  double ref_bits = 0;                 // bits of ref_idx (+ inter_pred_idc) for this choice
  int search_range = 0;                // > 0: this reference's range (adaptive_search_range)
};

struct UniResult {
  bool valid = false;
  int ref_idx = -1;
  Mv mv;  // 1/16 units, multiple of 4 (quarter sample)
  int mvp_idx = 0;
  uint64_t dist = 0;  // SATD of the final prediction (SAD when subpel is off)
  double bits = 0;    // MVD + mvp flag + ref bits
  double cost = 0;    // dist + sqrt_lambda * bits
};

struct BiResult {
  bool valid = false;
  int ref_idx[2] = {-1, -1};
  Mv mv[2];
  int mvp_idx[2] = {0, 0};
  uint64_t dist = 0;
  double bits = 0;
  double cost = 0;
};

struct MeResult {
  UniResult uni[2];  // best per list (over its reference pictures)
  BiResult bi;
};

// Bins of ref_idx_lX = refIdx with numRefActive active entries (TR, cMax numRefActive - 1),
// as a bit estimate for MeRef::ref_bits.
inline double ref_idx_bits(int refIdx, int numRefActive) {
  if (numRefActive <= 1) return 0;
  return refIdx + 1 < numRefActive ? refIdx + 1 : numRefActive - 1;
}

// Bits of one MVD component given in quarter samples (the estimate used by the search).
double mvd_component_bits(int32_t mvdQuarter);
// Bits of the MVD mv - mvp (both 1/16, multiples of 1 << amvrShift) plus nothing else.
double mvd_bits(const Mv& mv, const Mv& mvp, int amvrShift = kAmvrShiftQuarter);

class MotionSearcher {
 public:
  // Searches every reference picture of both lists (refs[l][0..numRefs[l]-1]) for uni
  // prediction, then refines bi prediction from the best uni results of each list when both
  // lists have references and allowBi (false for 8x4 / 4x8 blocks). extra starts (1/16 MVs,
  // e.g. merge candidate MVs of that list; may be null) are tried as integer start points in
  // every reference picture of their list.
  MeResult search(const MeBlock& blk, const MeRef* const refs[2], const int numRefs[2],
                  bool allowBi, const MeConfig& cfg, const Mv* const extraStarts[2] = nullptr,
                  const int numExtra[2] = nullptr);

  // Uni search in one reference picture.
  UniResult search_uni(const MeBlock& blk, const MeRef& ref, const MeConfig& cfg,
                       const Mv* extra = nullptr, int numExtra = 0);

  // Bi refinement from two uni results (refs as used for them).
  BiResult search_bi(const MeBlock& blk, const MeRef& ref0, const UniResult& u0, const MeRef& ref1,
                     const UniResult& u1, const MeConfig& cfg);

 private:
  double mv_bits(const MeRef& ref, const Mv& mv, int& mvpIdx) const;
  // Integer-MV SAD of the block against the reference at (ix, iy), rows subsampled by
  // rowShift (sad_rows).
  uint64_t sad_int(const MeBlock& blk, const RefView& v, int ix, int iy, int rowShift) const;
  uint64_t satd_sub(const MeBlock& blk, const MeRef& ref, const Mv& mv);
  uint64_t satd_bi(const MeBlock& blk, const MeRef& r0, const Mv& m0, const MeRef& r1,
                   const Mv& m1);

  int16_t pred0_[kMaxMcBlock * kMaxMcBlock];
  int16_t pred1_[kMaxMcBlock * kMaxMcBlock];
  Pel block_[kMaxMcBlock * kMaxMcBlock];
  Pel target_[kMaxMcBlock * kMaxMcBlock];
};

}  // namespace vvc
