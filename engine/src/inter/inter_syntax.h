// CABAC writers of the inter CU syntax (H.266 7.3.10.5 coding_unit, 7.3.10.7 merge_data,
// 7.3.10.10 mvd_coding) for our tool set: no IBC, palette, affine, SMVD, AMVR, BCW, MMVD,
// CIIP, GPM, SbTMVP (so no merge_subblock_flag, regular_merge_flag inferred 1), and
// ph_mvd_l1_zero_flag = 0. Binarizations (9.3.3) and ctxInc (9.3.4.2) per the standard;
// templates over the coder type (CabacEncoder or BitEstimator), like the other writers.
//
// Order inside a CU of a P/B slice (the CU writer owns the surrounding syntax):
//   cu_skip_flag                     code_cu_skip_flag   (not for 4x4: inferred 0)
//   pred_mode_flag   if !skip        code_pred_mode_flag (not for 4x4: intra inferred; and
//                                                          not where mode constraints apply)
//   [intra syntax if intra]
//   prediction: code_inter_prediction() = general_merge_flag (if !skip), then merge_idx or
//     inter_pred_idc / ref_idx / mvd / mvp flags
//   cu_coded_flag    if !merge       code_cu_coded_flag  (merge non-skip CUs: inferred 1;
//                                                          skip: no residual at all)
//   transform_tree   if coded
#pragma once
#include <cstdint>

#include "cabac/binarization.h"
#include "cabac/contexts.h"
#include "inter/mv.h"

namespace vvc {

// 9.3.4.2.2: ctxInc of cu_skip_flag = condL + condA (left / above CU available and skipped).
template <class Coder>
void code_cu_skip_flag(Coder& c, ContextSet& ctx, bool skip, bool leftSkip, bool aboveSkip) {
  c.encode_bin(ctx[kCtxCuSkipFlag + (leftSkip ? 1 : 0) + (aboveSkip ? 1 : 0)], skip ? 1 : 0);
}

// pred_mode_flag (1 = intra); ctxInc 1 when the left or above CU is available and intra.
template <class Coder>
void code_pred_mode_flag(Coder& c, ContextSet& ctx, bool intra, bool leftIntra, bool aboveIntra) {
  c.encode_bin(ctx[kCtxPredModeFlag + ((leftIntra || aboveIntra) ? 1 : 0)], intra ? 1 : 0);
}

template <class Coder>
void code_general_merge_flag(Coder& c, ContextSet& ctx, bool merge) {
  c.encode_bin(ctx[kCtxGeneralMergeFlag], merge ? 1 : 0);
}

// merge_idx: TR, cMax = MaxNumMergeCand - 1; bin 0 context coded, the rest bypass.
template <class Coder>
void code_merge_idx(Coder& c, ContextSet& ctx, int idx, int maxNumMergeCand) {
  const int cMax = maxNumMergeCand - 1;
  if (cMax <= 0) return;
  c.encode_bin(ctx[kCtxMergeIdx], idx > 0 ? 1 : 0);
  for (int i = 1; i < cMax && idx >= i; ++i) c.encode_bins_ep(idx > i ? 1 : 0, 1);
}

// inter_pred_idc (B slices only; interDir 1 = PRED_L0, 2 = PRED_L1, 3 = PRED_BI).
// 9.3.3.7: cbWidth + cbHeight > 12: L0 "00", L1 "01", BI "1"; == 12: L0 "0", L1 "1".
// ctxInc of bin 0: 7 - ((1 + Log2(cbWidth) + Log2(cbHeight)) >> 1); bin 1 (and the only bin
// of 8x4 / 4x8): 5.
inline int inter_pred_idc_ctx(int log2W, int log2H) {
  return 7 - ((1 + log2W + log2H) >> 1);
}

template <class Coder>
void code_inter_pred_idc(Coder& c, ContextSet& ctx, int interDir, int log2W, int log2H) {
  if ((1 << log2W) + (1 << log2H) > 12) {
    c.encode_bin(ctx[kCtxInterPredIdc + inter_pred_idc_ctx(log2W, log2H)], interDir == 3 ? 1 : 0);
    if (interDir == 3) return;
  }
  c.encode_bin(ctx[kCtxInterPredIdc + 5], interDir == 2 ? 1 : 0);
}

// ref_idx_lX: TR, cMax = NumRefIdxActive - 1 (not coded when 0); bins 0, 1 context coded
// (ctxInc 0, 1), the rest bypass.
template <class Coder>
void code_ref_idx(Coder& c, ContextSet& ctx, int refIdx, int numRefActive) {
  const int cMax = numRefActive - 1;
  for (int i = 0; i < cMax; ++i) {
    const unsigned bin = refIdx > i ? 1 : 0;
    if (i < 2)
      c.encode_bin(ctx[kCtxRefIdxLx + i], bin);
    else
      c.encode_bins_ep(bin, 1);
    if (!bin) break;
  }
}

template <class Coder>
void code_mvp_flag(Coder& c, ContextSet& ctx, int flag) {
  c.encode_bin(ctx[kCtxMvpLxFlag], flag ? 1 : 0);
}

// 7.3.10.10 mvd_coding with the MVD in units of the precision (MvdLX before << AmvrShift):
// abs_mvd_greater0_flag[0..1], abs_mvd_greater1_flag[0..1], then per component
// abs_mvd_minus2 (EG1, bypass) and mvd_sign_flag (bypass).
template <class Coder>
void code_mvd(Coder& c, ContextSet& ctx, const Mv& mvd) {
  const int32_t v[2] = {mvd.x, mvd.y};
  const uint32_t a[2] = {static_cast<uint32_t>(v[0] < 0 ? -v[0] : v[0]),
                         static_cast<uint32_t>(v[1] < 0 ? -v[1] : v[1])};
  c.encode_bin(ctx[kCtxAbsMvdGreater0Flag], a[0] > 0);
  c.encode_bin(ctx[kCtxAbsMvdGreater0Flag], a[1] > 0);
  if (a[0]) c.encode_bin(ctx[kCtxAbsMvdGreater1Flag], a[0] > 1);
  if (a[1]) c.encode_bin(ctx[kCtxAbsMvdGreater1Flag], a[1] > 1);
  for (int i = 0; i < 2; ++i)
    if (a[i]) {
      if (a[i] > 1) code_eg_k(c, a[i] - 2, 1);
      c.encode_bins_ep(v[i] < 0 ? 1 : 0, 1);
    }
}

// cu_coded_flag (rqt_root_cbf), AMVP CUs only.
template <class Coder>
void code_cu_coded_flag(Coder& c, ContextSet& ctx, bool coded) {
  c.encode_bin(ctx[kCtxCuCodedFlag], coded ? 1 : 0);
}

// Prediction syntax of one inter CU.
struct InterPuSyntax {
  bool merge = false;  // general_merge_flag (always true for skipped CUs)
  int merge_idx = 0;
  int inter_dir = 1;  // AMVP: 1 L0, 2 L1, 3 bi
  int ref_idx[2] = {0, 0};
  Mv mvd[2];  // AMVP MVDs in units of the precision: (mv - mvp) >> amvr_shift per component
  int mvp_idx[2] = {0, 0};
  int amvr_shift = kAmvrShiftQuarter;  // AmvrShift (Table 16): 2, 4 or 6
};

// amvr_flag and amvr_precision_idx of a translational AMVP CU (7.3.10.5, present when AMVR is
// enabled and some MVD is nonzero): quarter "0"; half "1 0", integer "1 10", four samples
// "1 11" (amvr_precision_idx TR, cMax 2; bins on contexts 0 and 1, Table 132).
template <class Coder>
void code_amvr(Coder& c, ContextSet& ctx, int amvrShift) {
  c.encode_bin(ctx[kCtxAmvrFlag + 0], amvrShift != kAmvrShiftQuarter);
  if (amvrShift == kAmvrShiftQuarter) return;
  c.encode_bin(ctx[kCtxAmvrPrecisionIdx + 0], amvrShift != kAmvrShiftHalf);
  if (amvrShift != kAmvrShiftHalf)
    c.encode_bin(ctx[kCtxAmvrPrecisionIdx + 1], amvrShift == kAmvrShiftFour);
}

// general_merge_flag (unless skip) + merge_data (merge_idx) or the AMVP part of 7.3.10.5.
// isB: B slice (inter_pred_idc present); numRef: NumRefIdxActive[0/1]; amvr:
// sps_amvr_enabled_flag.
template <class Coder>
void code_inter_prediction(Coder& c, ContextSet& ctx, const InterPuSyntax& pu, bool skip, int log2W,
                           int log2H, bool isB, const int numRef[2], bool amvr = false,
                           int maxNumMergeCand = 6) {
  if (!skip) code_general_merge_flag(c, ctx, pu.merge);
  if (skip || pu.merge) {
    code_merge_idx(c, ctx, pu.merge_idx, maxNumMergeCand);
    return;
  }
  if (isB) code_inter_pred_idc(c, ctx, pu.inter_dir, log2W, log2H);
  for (int l = 0; l < 2; ++l) {
    if (!((pu.inter_dir >> l) & 1)) continue;
    if (numRef[l] > 1) code_ref_idx(c, ctx, pu.ref_idx[l], numRef[l]);
    code_mvd(c, ctx, pu.mvd[l]);
    code_mvp_flag(c, ctx, pu.mvp_idx[l]);
  }
  if (amvr) {
    bool anyMvd = false;
    for (int l = 0; l < 2; ++l)
      anyMvd |= ((pu.inter_dir >> l) & 1) && (pu.mvd[l].x != 0 || pu.mvd[l].y != 0);
    if (anyMvd) code_amvr(c, ctx, pu.amvr_shift);
  }
}

}  // namespace vvc
