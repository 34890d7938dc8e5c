// Decoder-side motion vector refinement, DMVR (H.266 8.5.3), and the conditions under which
// DMVR and BDOF apply to a coding unit (8.5.1 dmvrFlag, 8.5.6.1 bdofFlag).
//
// DMVR refines the MV pair of a regular-merge bi-predicted CU per subblock of at most 16x16
// luma samples: both references are predicted with the 2-tap bilinear filter (8.5.3.2.2) at
// 10-bit precision over the block grown by 2 samples on every side, the SAD (every second
// row) of the mirrored displacements (dx, dy) in -2..2 (L0 moves by +d, L1 by -d) picks the
// integer offset (8.5.3.3 / 8.5.3.4), and the parametric error surface (8.5.3.5) adds a
// sub-sample offset in 1/16. The refined MVs are used for the final MC of luma and chroma
// (with reference samples restricted to a window around the unrefined position, see
// dmvr_window) and stored for TMVP of later pictures; the CU's stored motion for spatial
// prediction, HMVP and deblocking keeps the unrefined MVs.
#pragma once
#include <cstddef>
#include <cstdint>

#include "inter/interp.h"
#include "inter/mv.h"

namespace vvc {

constexpr int kDmvrRange = 2;         // integer search range (samples) on each axis
constexpr int kDmvrMaxSub = 16;       // subblock size of DMVR and BDOF
constexpr int kDmvrPadLuma = 3;       // window: 3 samples before ...
constexpr int kDmvrPadLumaAfter = 4;  // ... and 4 after the block (the 8-tap reach)
constexpr int kDmvrBilStride = kDmvrMaxSub + 2 * kDmvrRange;  // 20

// The CU-level part shared by dmvrFlag (8.5.1) and bdofFlag (8.5.6.1): bi-prediction, both
// references short-term and at equal POC distance on opposite sides
// (DiffPicOrderCnt(cur, ref0) == DiffPicOrderCnt(ref1, cur)), cbWidth >= 8, cbHeight >= 8,
// cbWidth * cbHeight >= 128. The callers add the rest: BCW index 0, no weighted prediction,
// no CIIP, no RPR scaling (all always true in our streams); DMVR: regular merge without MMVD;
// BDOF: not affine / subblock merge / SMVD; and the PH disable flags.
bool refinement_cu_allowed(int w, int h, int curPoc, int poc0, int poc1, bool longTerm0,
                           bool longTerm1);

// 8.5.3.2.2: the (w + 4) x (h + 4) bilinear prediction whose top-left sample is the block
// position (x, y) displaced by mv and by (-2, -2) integer samples, at 10-bit precision
// (reference samples clamped into the picture). dst has stride kDmvrBilStride.
void dmvr_bilinear(const RefView& ref, const Mv& mv, int x, int y, int w, int h, int16_t* dst);

// SAD between the L0 prediction displaced by (dx, dy) and the L1 prediction displaced by
// (-dx, -dy), dx, dy in -2..2, over every second row of the w x h block (8.5.3.3).
int dmvr_sad(const int16_t* p0, const int16_t* p1, int dx, int dy, int w, int h);

// 8.5.3.5 parametric motion vector refinement along one axis: the sub-sample offset in 1/16
// (-8..8) from the SADs at -1, 0 (the minimum) and +1.
int dmvr_parametric(int sadMinus, int sadCentre, int sadPlus);

struct DmvrResult {
  Mv delta;          // added to the L0 MV, subtracted from the L1 MV (1/16 samples)
  int min_sad = 0;   // the minimum SAD (the centre one reduced by a quarter when it won)
  bool bdof = true;  // BDOF stays allowed for this subblock (min_sad >= 2 * w * h)
};

// Refinement of one subblock (x, y, w, h <= 16) predicted from ref0 with mv0 and from ref1
// with mv1 (the CU's unrefined MVs).
DmvrResult dmvr_refine(const RefView& ref0, const RefView& ref1, const Mv& mv0, const Mv& mv1,
                       int x, int y, int w, int h);

// Refined MVs of a subblock: mv0 + delta and mv1 - delta, clipped to 18 bits.
inline Mv dmvr_apply(const Mv& mv, const Mv& delta, int sign) {
  return clip_mv(Mv{mv.x + sign * delta.x, mv.y + sign * delta.y});
}

// Reference samples for the MC of a refined subblock are restricted to the window the
// unrefined MV reads (the decoders' "DMVR padding"): for luma, integer positions
// [xSbInt - 3, xSbInt + w + 3] x [ySbInt - 3, ySbInt + h + 3] with (xSbInt, ySbInt) the
// block position plus the integer part of the unrefined MV; for chroma, 1 before and 2
// after. A sample outside takes the nearest window sample (after picture clamping). The
// window is copied into buf (room for kDmvrWindowBuf samples) and returned as a RefView whose
// (0, 0) is the window's top-left sample: predict inside it at (x - winX, y - winY).
constexpr int kDmvrWindowMargin = 8;
constexpr int kDmvrWindowBuf =
    (kDmvrMaxSub + 8 + 2 * kDmvrWindowMargin) * (kDmvrMaxSub + 8 + 2 * kDmvrWindowMargin);
RefView dmvr_window(const RefView& pic, int winX, int winY, int winW, int winH, Pel* buf);

}  // namespace vvc
