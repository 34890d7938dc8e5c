// Rate-distortion optimised quantization (the process of VTM's QuantRDOQ for the regular
// residual coding of H.266 without dependent quantization / sign hiding): per coefficient the
// candidate levels {0, l - 1, l} (l = rounded level) are compared with rates taken from the
// current context states (sig, gt1, par, gt3 flags and Rice-coded remainders, including the
// remBinsPass1 budget), then whole sub-blocks are tried as all-zero (sb_coded_flag = 0), and
// finally the last significant position is optimised (including the coded-flag cost when
// `cbfCtx` names its context).
//
// Cost model: J = D + lambda * bits, D = SSE in the 10-bit sample domain, estimated in the
// coefficient domain from the forward transform's scaling (quant.h conventions):
//   D(level) = (|c| * scale - level << qBits)^2 * 2^(-2 * transformShiftExact) / scale^2,
//   transformShiftExact = 15 - BitDepth - (log2W + log2H) / 2 (a half integer for odd sums).
#pragma once

#include <cstdint>

#include "cabac/contexts.h"

namespace vvc {

struct RdoqResult {
  int numNonZero = 0;
  double cost = 0;         // estimated J of the chosen levels (incl. the coded flag if cbfCtx >= 0)
  double uncodedCost = 0;  // estimated J of coding nothing (all levels zero)
};

// coeff: transform coefficients (raster, width 1 << log2W, height 1 << log2H) as produced by
// forward_transform; only the top-left 32x32 is quantized (64 zero-out), the rest of `levels`
// is set to 0. qp: QpY or QpC without QpBdOffset. lambda: per component (already divided by
// the chroma distortion weight). ctx: the contexts as they are before this TB (read only).
// cbfCtx: index of the context of the TB's coded flag (tu_y/cb/cr_coded_flag, or
// cu_coded_flag), whose cost then enters the decisions and which lets RDOQ return all-zero
// levels; or -1 when the flag is inferred to be 1: then the result keeps at least one nonzero
// level (unless every coefficient rounds to zero, which the caller must handle).
// Returns the number of nonzero levels.
int rdoq(const int32_t* coeff, int log2W, int log2H, int cIdx, int qp, double lambda,
         const ContextSet& ctx, int cbfCtx, int32_t* levels, RdoqResult* result = nullptr);

// Estimated SSE (10-bit sample domain) of reconstructing `coeff` from `levels` with the
// dequantizer (same model as rdoq's D); for tests and fast RD checks.
double rdoq_distortion(const int32_t* coeff, const int32_t* levels, int log2W, int log2H, int qp);

}  // namespace vvc
