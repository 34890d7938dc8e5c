// residual_coding() of H.266 7.3.11.11 for the regular (non transform-skip) case with sign
// data hiding, LFNST and MTS off, with or without dependent quantization
// (sh_dep_quant_used_flag); a template over the coder (CabacEncoder or BitEstimator) so that
// the same code writes bits and estimates rates.
//
// Covers: last_sig_coeff_{x,y}_{prefix,suffix} (9.3.4.2.4 contexts), sb_coded_flag (9.3.4.2.5),
// sig_coeff_flag (9.3.4.2.6, context set chosen by QState), abs_level_gtx_flag /
// par_level_flag (9.3.4.2.7), the remBinsPass1 budget, abs_remainder / dec_abs_level with the
// Rice parameter of 9.3.3.11 (ZeroPos from QState) and their binarization (9.3.3.11 prefix +
// 9.3.3.6 limited EGk suffix), coeff_sign_flag. With DQ the coded levels are the AbsLevel /
// sign values of the syntax; TransCoeffLevel (2 * AbsLevel - (QState > 1)) is the
// dequantizer's business (quant.h).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "cabac/contexts.h"

namespace vvc {

// Coefficient scan of one (zero-out limited) TB size: 4x4-ish sub-blocks in up-right diagonal
// order (6.5.3), coefficients inside each sub-block in up-right diagonal order.
struct CoeffScan {
  uint8_t log2SbW = 0, log2SbH = 0;      // sub-block size (7.3.11.11)
  uint8_t log2WInSb = 0, log2HInSb = 0;  // TB size in sub-blocks
  const uint8_t* pos = nullptr;    // [scanIdx][2] = {x, y}; scanIdx = subBlock << log2SbSize | n
  const uint8_t* sbPos = nullptr;  // [subBlock][2] = {xS, yS}
};

// log2W, log2H in 0..5 (after the 64 -> 32 zero-out).
const CoeffScan& coeff_scan(int log2W, int log2H);

namespace residual_detail {

// 9.3.3.11, cRiceParam as a function of locSumAbs (H.266 V1 Table 128).
inline constexpr uint8_t kRiceParam[32] = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2,
                                           2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3};

// last_sig_coeff_*_prefix for a coordinate, and the suffix value/length (7.4.11.11 inverted).
inline int last_prefix(int pos) {
  if (pos < 4) return pos;
  const int k = 31 - __builtin_clz(unsigned(pos));
  return 2 * k + ((pos >> (k - 1)) & 1);
}
inline int last_prefix_min(int prefix) {
  return prefix < 4 ? prefix : (1 << ((prefix >> 1) - 1)) * (2 + (prefix & 1));
}

// 9.3.4.2.4: context of bin `binIdx` of last_sig_coeff_{x,y}_prefix for a TB side of 2^log2Size.
inline int last_ctx_offset(int log2Size, int cIdx) {
  constexpr int kOffsetY[6] = {0, 0, 3, 6, 10, 15};
  return cIdx == 0 ? kOffsetY[log2Size - 1] : 20;
}
inline int last_ctx_shift(int log2Size, int cIdx) {
  return cIdx == 0 ? (log2Size + 1) >> 2 : std::clamp((1 << log2Size) >> 3, 0, 2);
}

// Binarization of abs_remainder / dec_abs_level (9.3.3.11): TR prefix with cMax 6 << rice,
// then a limited EGk suffix (9.3.3.6) with k = rice + 1, maxPreExtLen 11, log2TransformRange 15.
template <class Coder>
inline void code_rice_value(Coder& c, unsigned value, int rice) {
  const unsigned prefix = value >> rice;
  if (prefix < 6) {
    const unsigned ones = ((1u << prefix) - 1) << 1;  // prefix ones and the terminating 0
    c.encode_bins_ep((ones << rice) | (value & ((1u << rice) - 1)), int(prefix) + 1 + rice);
    return;
  }
  const unsigned s = value - (6u << rice);
  const int k = rice + 1;
  constexpr int kMaxPreExtLen = 11;
  constexpr int kLog2TransformRange = 15;
  int pre = 0;
  while (pre < kMaxPreExtLen && s >= (((2u << pre) - 1) << k)) ++pre;
  const unsigned rest = s - (((1u << pre) - 1) << k);
  if (pre == kMaxPreExtLen) {
    c.encode_bins_ep((1u << (6 + pre)) - 1, 6 + pre);
    c.encode_bins_ep(rest, kLog2TransformRange);
  } else {
    c.encode_bins_ep(((1u << (6 + pre)) - 1) << 1, 6 + pre + 1);
    c.encode_bins_ep(rest, pre + k);
  }
}

// Number of bins code_rice_value() writes for `value` with Rice parameter `rice`.
inline int rice_code_length(unsigned value, int rice) {
  const unsigned prefix = value >> rice;
  if (prefix < 6) return int(prefix) + 1 + rice;
  const unsigned s = value - (6u << rice);
  const int k = rice + 1;
  int pre = 0;
  while (pre < 11 && s >= (((2u << pre) - 1) << k)) ++pre;
  return 6 + pre + (pre == 11 ? 15 : 1 + pre + k);
}

// Sums over the local template (x+1,y) (x+2,y) (x,y+1) (x,y+2) (x+1,y+1) inside the w x h
// region (9.3.4.2.6/7 locSumAbsPass1, locNumSig; 9.3.3.11 locSumAbs).
struct Template {
  int sumAbs = 0;    // sum of |level|
  int sumPass1 = 0;  // sum of AbsLevelPass1 = min(|level|, 4 + (|level| & 1))
  int numSig = 0;
};

inline Template local_template(const int32_t* levels, int stride, int x, int y, int w, int h) {
  Template t;
  auto add = [&t](int32_t v) {
    const int a = std::abs(v);
    t.sumAbs += a;
    t.sumPass1 += std::min(a, 4 + (a & 1));
    t.numSig += a != 0;
  };
  const int32_t* p = levels + y * stride + x;
  if (x + 1 < w) {
    add(p[1]);
    if (x + 2 < w) add(p[2]);
    if (y + 1 < h) add(p[stride + 1]);
  }
  if (y + 1 < h) {
    add(p[stride]);
    if (y + 2 < h) add(p[2 * stride]);
  }
  return t;
}

inline int sum_abs_only(const int32_t* levels, int stride, int x, int y, int w, int h) {
  const int32_t* p = levels + y * stride + x;
  int s = 0;
  if (x + 1 < w) {
    s += std::abs(p[1]);
    if (x + 2 < w) s += std::abs(p[2]);
    if (y + 1 < h) s += std::abs(p[stride + 1]);
  }
  if (y + 1 < h) {
    s += std::abs(p[stride]);
    if (y + 2 < h) s += std::abs(p[2 * stride]);
  }
  return s;
}

// QStateTransTable of 7.3.11.11: next QState from the current one and the level's parity.
inline constexpr uint8_t kQStateTrans[4][2] = {{0, 2}, {2, 0}, {1, 3}, {3, 1}};
inline int next_qstate(int qState, int absLevel) {
  return kQStateTrans[qState][absLevel & 1];
}

// sig_coeff_flag ctxInc (9.3.4.2.6); qState selects one of three context sets (0 and 1 share).
inline int sig_ctx_inc(int sumPass1, int d, int cIdx, int qState = 0) {
  const int s = std::min((sumPass1 + 1) >> 1, 3);
  const int set = std::max(0, qState - 1);
  if (cIdx == 0) return 12 * set + s + (d < 2 ? 8 : d < 5 ? 4 : 0);
  return 36 + 8 * set + s + (d < 2 ? 4 : 0);
}

// abs_level_gtx_flag[n][0] / par_level_flag ctxInc (9.3.4.2.7), not for the last position.
inline int gtx_ctx_inc(int sumPass1, int numSig, int d, int cIdx) {
  const int o = std::min(sumPass1 - numSig, 4);
  if (cIdx == 0) return 1 + o + (d == 0 ? 15 : d < 3 ? 10 : d < 10 ? 5 : 0);
  return 22 + o + (d == 0 ? 5 : 0);
}

inline int rice_param(int sumAbs, int baseLevel) {
  return kRiceParam[std::clamp(sumAbs - 5 * baseLevel, 0, 31)];
}

// dec_abs_level value for |level| (7.4.11.11: ZeroPos = (QState < 2 ? 1 : 2) << rice).
inline unsigned dec_abs_level_value(int a, int rice, int qState = 0) {
  const int zeroPos = (qState < 2 ? 1 : 2) << rice;
  return unsigned(a == 0 ? zeroPos : a <= zeroPos ? a - 1 : a);
}

}  // namespace residual_detail

// Codes residual_coding() for one TB whose levels are given in raster order (width 1 << log2W,
// height 1 << log2H, levels outside the top-left 32x32 must be 0). At least one level must be
// nonzero (the caller codes the coded-block flag). log2W, log2H in 1..6 (VVC TBs here are
// at least 4 wide/high; any size with log2 >= 1 works). depQuant: sh_dep_quant_used_flag.
template <class Coder>
void code_residual(Coder& coder, ContextSet& ctx, const int32_t* levels, int log2W, int log2H,
                   int cIdx, bool depQuant = false) {
  using namespace residual_detail;
  const int log2ZoW = std::min(log2W, 5), log2ZoH = std::min(log2H, 5);
  const int w = 1 << log2ZoW, h = 1 << log2ZoH;
  const int stride = 1 << log2W;
  const CoeffScan& scan = coeff_scan(log2ZoW, log2ZoH);
  const int log2SbSize = scan.log2SbW + scan.log2SbH;
  const int numSbCoeff = 1 << log2SbSize;
  const int wInSb = 1 << scan.log2WInSb;
  const uint8_t* pos = scan.pos;

  int last = (w * h) - 1;
  while (last >= 0 && levels[pos[2 * last + 1] * stride + pos[2 * last]] == 0) --last;
  if (last < 0) return;
  const int lastX = pos[2 * last], lastY = pos[2 * last + 1];

  // last_sig_coeff_x_prefix, _y_prefix (TR, cMax = (log2ZoTbSize << 1) - 1), then suffixes.
  const int prefX = last_prefix(lastX), prefY = last_prefix(lastY);
  {
    const int offX = kCtxLastSigCoeffXPrefix + last_ctx_offset(log2W, cIdx);
    const int shX = last_ctx_shift(log2W, cIdx);
    const int maxX = (log2ZoW << 1) - 1;
    for (int b = 0; b < prefX; ++b) coder.encode_bin(ctx[offX + (b >> shX)], 1);
    if (prefX < maxX) coder.encode_bin(ctx[offX + (prefX >> shX)], 0);
    const int offY = kCtxLastSigCoeffYPrefix + last_ctx_offset(log2H, cIdx);
    const int shY = last_ctx_shift(log2H, cIdx);
    const int maxY = (log2ZoH << 1) - 1;
    for (int b = 0; b < prefY; ++b) coder.encode_bin(ctx[offY + (b >> shY)], 1);
    if (prefY < maxY) coder.encode_bin(ctx[offY + (prefY >> shY)], 0);
    if (prefX > 3) coder.encode_bins_ep(unsigned(lastX - last_prefix_min(prefX)), (prefX >> 1) - 1);
    if (prefY > 3) coder.encode_bins_ep(unsigned(lastY - last_prefix_min(prefY)), (prefY >> 1) - 1);
  }

  const int lumaGtxLast = cIdx == 0 ? 0 : 21;
  const int sbCtx = kCtxSbCodedFlag + (cIdx == 0 ? 0 : 2);
  uint8_t sbCoded[64] = {};
  int remBins = ((1 << (log2ZoW + log2ZoH)) * 7) >> 2;
  const int lastSb = last >> log2SbSize;
  // QState (7.3.11.11): follows the parity of every level in coding order. A sub-block with
  // sb_coded_flag 0 leaves it unchanged (an even number of zero-parity steps is the identity).
  int qState = 0;

  for (int i = lastSb; i >= 0; --i) {
    const int xS = scan.sbPos[2 * i], yS = scan.sbPos[2 * i + 1];
    const uint8_t* sp = pos + 2 * (i << log2SbSize);
    int absl[16];
    int32_t lv[16];
    bool any = false;
    for (int n = 0; n < numSbCoeff; ++n) {
      lv[n] = levels[sp[2 * n + 1] * stride + sp[2 * n]];
      absl[n] = std::abs(lv[n]);
      any |= absl[n] != 0;
    }
    bool inferDc = false;
    if (i < lastSb && i > 0) {
      const int right = xS + 1 < wInSb ? sbCoded[yS * wInSb + xS + 1] : 0;
      const int below = yS + 1 < (1 << scan.log2HInSb) ? sbCoded[(yS + 1) * wInSb + xS] : 0;
      coder.encode_bin(ctx[sbCtx + (right | below)], any ? 1u : 0u);
      if (!any) continue;
      inferDc = true;
    }
    sbCoded[yS * wInSb + xS] = 1;

    const int firstPosMode0 = i == lastSb ? last - (i << log2SbSize) : numSbCoeff - 1;
    bool gt3[16];
    int n = firstPosMode0;
    for (; n >= 0 && remBins >= 4; --n) {
      const int x = sp[2 * n], y = sp[2 * n + 1];
      const int a = absl[n];
      gt3[n] = false;
      const bool isLast = i == lastSb && n == firstPosMode0;
      Template t;
      if (!isLast) t = local_template(levels, stride, x, y, w, h);
      if (!isLast && (n > 0 || !inferDc)) {
        coder.encode_bin(ctx[kCtxSigCoeffFlag + sig_ctx_inc(t.sumPass1, x + y, cIdx, qState)],
                         a ? 1u : 0u);
        --remBins;
        if (a) inferDc = false;
      }
      if (a) {
        const int inc = isLast ? lumaGtxLast : gtx_ctx_inc(t.sumPass1, t.numSig, x + y, cIdx);
        coder.encode_bin(ctx[kCtxAbsLevelGtxFlag + inc], a > 1 ? 1u : 0u);
        --remBins;
        if (a > 1) {
          coder.encode_bin(ctx[kCtxParLevelFlag + inc], unsigned(a & 1));
          coder.encode_bin(ctx[kCtxAbsLevelGtxFlag + 32 + inc], a > 3 ? 1u : 0u);
          remBins -= 2;
          gt3[n] = a > 3;
        }
      }
      if (depQuant) qState = next_qstate(qState, a);
    }
    const int firstPosMode1 = n;
    for (int m = firstPosMode0; m > firstPosMode1; --m) {
      if (!gt3[m]) continue;
      const int s = sum_abs_only(levels, stride, sp[2 * m], sp[2 * m + 1], w, h);
      code_rice_value(coder, unsigned((absl[m] - 4) >> 1), rice_param(s, 4));
    }
    for (int m = firstPosMode1; m >= 0; --m) {
      const int s = sum_abs_only(levels, stride, sp[2 * m], sp[2 * m + 1], w, h);
      const int rice = rice_param(s, 0);
      code_rice_value(coder, dec_abs_level_value(absl[m], rice, qState), rice);
      if (depQuant) qState = next_qstate(qState, absl[m]);
    }
    unsigned signs = 0;
    int numSigns = 0;
    for (int m = numSbCoeff - 1; m >= 0; --m) {
      if (!absl[m]) continue;
      signs = (signs << 1) | (lv[m] < 0 ? 1u : 0u);
      ++numSigns;
    }
    coder.encode_bins_ep(signs, numSigns);
  }
}

// Context indices of the TU coded flags in our configuration (no BDPCM, no ISP; 9.3.4.2).
inline int ctx_tu_y_coded_flag() {
  return kCtxTuYCodedFlag;
}
inline int ctx_tu_cb_coded_flag() {
  return kCtxTuCbCodedFlag;
}
inline int ctx_tu_cr_coded_flag(bool tuCbCodedFlag) {
  return kCtxTuCrCodedFlag + tuCbCodedFlag;
}

}  // namespace vvc
