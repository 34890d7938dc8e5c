// AMVP: luma motion vector predictor list (H.266 8.5.2.8 - 8.5.2.10) without affine or SMVD:
// spatial A (A0, A1) and B (B0, B1, B2) candidates whose reference picture is the target
// picture (no spatial scaling in VVC), the temporal candidate when fewer than two, HMVP
// candidates (the first four entries of the table, oldest first, both lists) when still fewer
// than two, then zero MVs. Every predictor is rounded to the precision of the MVD (8.5.2.14
// with AmvrShift: 2 quarter, 4 integer, 6 four samples; Table 16), A and B before they are
// compared.
#pragma once
#include "inter/merge.h"

namespace vvc {

// Builds mvpListLX for list X and reference index refIdx of the current slice (c.refs); both
// entries are always filled. mvp_lX_flag selects out[flag]; the coded MVD is
// (mv - out[flag]) >> amvrShift per component (exact, as both are multiples of 1 << shift).
void build_amvp_list(const MergeContext& c, int X, int refIdx, Mv out[kNumAmvpCand],
                     int amvrShift = kAmvrShiftQuarter);

// The decoder's MV from predictor and coded MVD (8.5.2.8 / 8.5.2.1): u = (mvp + (mvd <<
// AmvrShift) + 2^18) % 2^18, mv = u >= 2^17 ? u - 2^18 : u (18-bit wrap), per component.
inline Mv mv_from_mvd(const Mv& mvp, const Mv& mvd, int amvrShift = kAmvrShiftQuarter) {
  auto wrap = [](int32_t v) {
    const int32_t u = static_cast<int32_t>(static_cast<uint32_t>(v) & ((1u << 18) - 1));
    return u >= (1 << 17) ? u - (1 << 18) : u;
  };
  return {wrap(mvp.x + mvd.x * (1 << amvrShift)), wrap(mvp.y + mvd.y * (1 << amvrShift))};
}

// Encoder side: the MVD (in units of 1 << amvrShift sixteenths) coding mv against predictor
// mvp. mv must be a multiple of 1 << amvrShift inside the 18-bit range; the MVD must fit
// [-2^15, 2^15 - 1] (7.4.12.8), which holds for |mv - mvp| < 2^17 in 1/16 units.
inline Mv mvd_for(const Mv& mv, const Mv& mvp, int amvrShift = kAmvrShiftQuarter) {
  return {(mv.x - mvp.x) >> amvrShift, (mv.y - mvp.y) >> amvrShift};
}

}  // namespace vvc
