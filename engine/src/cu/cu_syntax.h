// Coding-tree and coding-unit syntax writers (H.266 7.3.9.4, 7.3.10.5, 7.3.10.10) with their
// context selection (9.3.4.2.2), templates over the coder (CabacEncoder for the bitstream,
// BitEstimator for rate estimation in the RD search). Intra-only, dual tree, our tool set.
#pragma once
#include <cstdint>

#include "cabac/binarization.h"
#include "cabac/contexts.h"
#include "intra/mpm.h"
#include "partition/allowed_splits.h"

namespace vvc {

// What the split-flag contexts need to know about the left (x0 - 1, y0) and above
// (x0, y0 - 1) neighbouring CUs of the same channel type (9.3.4.2.2).
struct SplitNeighbours {
  bool availL = false, availA = false;
  int hL = 0;   // CbHeight of the left CU (luma samples)
  int wA = 0;   // CbWidth of the above CU
  int qtL = 0;  // CqtDepth of the left CU
  int qtA = 0;  // CqtDepth of the above CU
};

// split_cu_flag, split_qt_flag, mtt_split_cu_vertical_flag, mtt_split_cu_binary_flag for the
// chosen mode at node n with the allowed-split mask `allowed`.
template <class Coder>
void code_split_syntax(Coder& c, ContextSet& ctx, const TreeNode& n, SplitMode mode,
                       SplitMask allowed, bool inside, const SplitNeighbours& nb) {
  const SplitSyntax s = split_syntax(mode, allowed, inside);
  const bool qt = has_split(allowed, SplitMode::kQt);
  const bool bth = has_split(allowed, SplitMode::kBtH), btv = has_split(allowed, SplitMode::kBtV);
  const bool tth = has_split(allowed, SplitMode::kTtH), ttv = has_split(allowed, SplitMode::kTtV);
  if (s.split_cu_present) {
    // ctxInc = condL + condA + 3 * ctxSetIdx (Table 133).
    int inc = (nb.availL && nb.hL < n.h) + (nb.availA && nb.wA < n.w);
    const int num = 2 * qt + bth + btv + tth + ttv;
    inc += 3 * ((num > 0 ? num - 1 : 0) >> 1);
    c.encode_bin(ctx[kCtxSplitCuFlag + inc], s.split_cu);
  }
  if (!s.split_cu) return;
  if (s.qt_present) {
    const int inc = (nb.availL && nb.qtL > n.qt_depth) + (nb.availA && nb.qtA > n.qt_depth) +
                    (n.qt_depth >= 2 ? 3 : 0);
    c.encode_bin(ctx[kCtxSplitQtFlag + inc], s.qt);
  }
  if (s.qt) return;
  if (s.vertical_present) {
    const int numV = btv + ttv, numH = bth + tth;
    int inc;
    if (numV > numH) {
      inc = 4;
    } else if (numV < numH) {
      inc = 3;
    } else if (!nb.availL || !nb.availA) {
      inc = 0;
    } else {
      const int dA = n.w / nb.wA, dL = n.h / nb.hL;
      inc = dA == dL ? 0 : (dA < dL ? 1 : 2);
    }
    c.encode_bin(ctx[kCtxMttSplitCuVerticalFlag + inc], s.vertical);
  }
  if (s.binary_present) {
    const int inc = 2 * s.vertical + (n.mtt_depth <= 1 ? 1 : 0);
    c.encode_bin(ctx[kCtxMttSplitCuBinaryFlag + inc], s.binary);
  }
}

// intra_luma_mpm_flag / intra_luma_not_planar_flag / intra_luma_mpm_idx /
// intra_luma_mpm_remainder (no MRL, no ISP: not_planar ctxInc = 1).
template <class Coder>
void code_luma_mode(Coder& c, ContextSet& ctx, const MpmCode& m) {
  c.encode_bin(ctx[kCtxIntraLumaMpmFlag], m.mpm_flag);
  if (m.mpm_flag) {
    c.encode_bin(ctx[kCtxIntraLumaNotPlanarFlag + 1], m.not_planar);
    if (m.not_planar) {
      // TR, cMax 4, bypass: idx ones then a zero unless idx == 4.
      const int idx = m.mpm_idx;
      if (idx < 4)
        c.encode_bins_ep(((1u << idx) - 1) << 1, idx + 1);
      else
        c.encode_bins_ep(0xf, 4);
    }
  } else {
    // TB, cMax 60 (n = 61): k = 5, u = 3; values < 3 take 5 bits, others 6 bits of v + 3.
    const int v = m.remainder;
    if (v < 3)
      c.encode_bins_ep(static_cast<uint32_t>(v), 5);
    else
      c.encode_bins_ep(static_cast<uint32_t>(v + 3), 6);
  }
}

// cclm_mode_flag / cclm_mode_idx / intra_chroma_pred_mode (7.3.11.5, 9.3.3, Table 132).
// icpm 0..4: intra_chroma_pred_mode, 4 (DM) -> "0", 0..3 -> "1" + 2 bypass bits; icpm 5..7
// (kChromaCclmFirst + cclm_mode_idx): cclm_mode_flag 1, then cclm_mode_idx as TR cMax 2 (first
// bin context coded, second bypass). cclmEnabled: CclmEnabled of the CU (cclm_mode_flag
// present; with sps_cclm_enabled_flag 1 it is always 1 outside the dual tree of I slices).
template <class Coder>
void code_chroma_mode(Coder& c, ContextSet& ctx, int icpm, bool cclmEnabled) {
  if (cclmEnabled) {
    const bool cclm = icpm >= kChromaCclmFirst;
    c.encode_bin(ctx[kCtxCclmModeFlag], cclm);
    if (cclm) {
      const int idx = icpm - kChromaCclmFirst;
      c.encode_bin(ctx[kCtxCclmModeIdx], idx > 0);
      if (idx > 0) c.encode_bins_ep(static_cast<uint32_t>(idx - 1), 1);
      return;
    }
  }
  if (icpm == 4) {
    c.encode_bin(ctx[kCtxIntraChromaPredMode], 0);
  } else {
    c.encode_bin(ctx[kCtxIntraChromaPredMode], 1);
    c.encode_bins_ep(static_cast<uint32_t>(icpm), 2);
  }
}

// cu_qp_delta_abs and cu_qp_delta_sign_flag (7.3.10.10 transform_unit, 9.3.3.10): prefix TR
// cMax 5 (bin 0 ctxInc 0, bins 1..4 ctxInc 1), suffix EG0 bypass of abs - 5, sign bypass.
template <class Coder>
void code_cu_qp_delta(Coder& c, ContextSet& ctx, int delta) {
  const uint32_t a = static_cast<uint32_t>(delta < 0 ? -delta : delta);
  const uint32_t prefix = a < 5 ? a : 5;
  for (uint32_t i = 0; i < prefix; ++i) c.encode_bin(ctx[kCtxCuQpDeltaAbs + (i ? 1 : 0)], 1);
  if (prefix < 5)
    c.encode_bin(ctx[kCtxCuQpDeltaAbs + (prefix ? 1 : 0)], 0);
  else
    code_eg_k(c, a - 5, 0);
  if (a) c.encode_bins_ep(delta < 0 ? 1 : 0, 1);
}

}  // namespace vvc
