// AMVP: luma motion vector predictor list (H.266 8.5.2.8 - 8.5.2.10) without AMVR, affine or
// SMVD: spatial A (A0, A1) and B (B0, B1, B2) candidates whose reference picture is the target
// picture (no spatial scaling in VVC), the temporal candidate when fewer than two, HMVP
// candidates (the first four entries of the table, oldest first, both lists) when still fewer
// than two, then zero MVs. Every predictor is rounded to quarter-sample precision
// (8.5.2.14 with AmvrShift = 2), since the MVD is coded in quarter samples.
#pragma once
#include "inter/merge.h"

namespace vvc {

// Builds mvpListLX for list X and reference index refIdx of the current slice (c.refs); both
// entries are always filled. mvp_lX_flag selects out[flag]; the coded MVD is
// (mv - out[flag]) >> 2 per component (exact, as both are multiples of 4).
void build_amvp_list(const MergeContext& c, int X, int refIdx, Mv out[kNumAmvpCand]);

}  // namespace vvc
