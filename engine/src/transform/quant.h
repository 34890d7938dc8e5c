// Scalar quantization (encoder side, VTM's non-RDOQ quantizer) and the normative scaling
// process (dequantization, H.266 8.7.3) for flat scaling (no scaling lists), no transform
// skip, with or without dependent quantization (the DQ trellis is transform/dep_quant.h). qp
// arguments are QpY / QpC WITHOUT QpBdOffset (range -12..63); internally qP = qp + kQpBdOffset.
//
// RDOQ (written by CABAC against these constants): for a coefficient c of a TB with log2W,
// log2H and qp, the unclipped level is |c| * quant_scale(...) / 2^quant_qbits(...); the
// reconstruction of level l is dequantize's (l * ls + bdOffset) >> bdShift. VTM's RDOQ error
// scale follows from the same numbers: errScale = 2^(-2 * quant_transform_shift(...)) /
// quant_scale(...)^2 in units of the coefficient domain, i.e. VTM's
//   dErrScale = 2^(SCALE_BITS = 15) * 2^(-2 * transformShift) / (quantScale^2)
// with transformShift = quant_transform_shift(...) (already sqrt(2)-adjusted).
#pragma once
#include <cstdint>

#include "common/picture.h"

namespace vvc {

constexpr int kQpBdOffset = 6 * (kBitDepth - 8);  // 12 for 10-bit
constexpr int kQuantShift = 14;                   // VTM QUANT_SHIFT
constexpr int kMaxLog2TrDynamicRange = 15;        // extended_precision off
constexpr int kCoeffMin = -(1 << 15);             // CoeffMinY/C = -(1 << 15)
constexpr int kCoeffMax = (1 << 15) - 1;          // CoeffMaxY/C and the level clip

// Forward quantizer scales (VTM g_quantScales): row 0 for log2W + log2H even, row 1 for odd
// (row 0 divided by sqrt(2), paired with one less bit of shift).
constexpr int kQuantScales[2][6] = {{26214, 23302, 20560, 18396, 16384, 14564},
                                    {18396, 16384, 14564, 13107, 11651, 10280}};
// H.266 8.7.3 levelScale[rectNonTsFlag][qP % 6] (eq. after 8.7.3 "levelScale").
constexpr int kLevelScale[2][6] = {{40, 45, 51, 57, 64, 72}, {57, 64, 72, 80, 90, 102}};

// Deadzone rounding offsets in 1/512 of the quantization step (VTM: 171 for intra/IRAP,
// 85 for inter).
constexpr int kQuantOffsetIntra = 171;
constexpr int kQuantOffsetInter = 85;

// True when log2W + log2H is odd (rectNonTsFlag / VTM needsSqrt2Scale).
constexpr bool quant_needs_sqrt2(int log2W, int log2H) {
  return ((log2W + log2H) & 1) != 0;
}

// VTM's iTransformShift incl. the sqrt(2) adjustment:
// 15 - bitDepth - ((log2W + log2H) >> 1) - (odd ? 1 : 0).
constexpr int quant_transform_shift(int log2W, int log2H) {
  return kMaxLog2TrDynamicRange - kBitDepth - ((log2W + log2H) >> 1) -
         (quant_needs_sqrt2(log2W, log2H) ? 1 : 0);
}

// Forward scale for qp (no QpBdOffset).
constexpr int quant_scale(int log2W, int log2H, int qp) {
  return kQuantScales[quant_needs_sqrt2(log2W, log2H) ? 1 : 0][(qp + kQpBdOffset) % 6];
}

// qBits = QUANT_SHIFT + qP / 6 + transformShift: level = (|c| * scale + offset) >> qBits.
constexpr int quant_qbits(int log2W, int log2H, int qp) {
  return kQuantShift + (qp + kQpBdOffset) / 6 + quant_transform_shift(log2W, log2H);
}

// Deadzone quantization of coeff (raster, width 1 << log2W) into levels clipped to
// [kCoeffMin, kCoeffMax]: level = sign(c) * ((|c| * scale + (offset << (qBits - 9))) >> qBits).
// Returns the number of nonzero levels.
int quantize(const int32_t* coeff, int log2W, int log2H, int qp, bool intra, int32_t* levels);

// H.266 8.7.3 with m = 16: d = Clip3(CoeffMin, CoeffMax, (level * ls + bdOffset) >> bdShift),
// ls = (16 * levelScale[rect][qP % 6]) << (qP / 6),
// bdShift = BitDepth + rect + ((log2W + log2H) >> 1) - 5, bdOffset = (1 << bdShift) >> 1.
// Only the top-left min(w,32) x min(h,32) region is read; the rest of coeffOut is zero.
//
// depQuant (sh_dep_quant_used_flag = 1): `levels` are the coded levels (AbsLevel with sign);
// QState is followed through the coefficient scan (7.3.11.11, from the last nonzero level,
// starting at 0) and each level becomes TransCoeffLevel = (2 * |l| - (QState > 1)) * sign(l)
// before scaling with qP + 1 and bdShift + 1 (8.7.3): quantizer Q0 for QState 0/1 (even
// multiples of the step), Q1 for QState 2/3 (odd multiples and zero).
void dequantize(const int32_t* levels, int log2W, int log2H, int qp, int32_t* coeffOut,
                bool depQuant = false);

// TransCoeffLevel of coded DQ levels (raster, width 1 << log2W; zero-out region only), in
// place of the levels themselves: the decoder's reconstruction index per coefficient.
void dep_quant_trans_levels(const int32_t* levels, int log2W, int log2H, int32_t* out);

}  // namespace vvc
