// DCT-II forward (encoder side) and inverse (normative, H.266 8.7.4) transforms for the
// sizes 4..64 in each direction (height 2 too: dual-tree chroma TBs). No LFNST, MTS or transform
// skip (all off in our SPS).
//
// Coefficient arrays are raster order with width 1 << log2W (row = vertical frequency).
// In a 64-length dimension only the first 32 coefficients can be nonzero (H.266 zero-out):
// forward_transform writes zeros there and inverse_transform never reads them.
#pragma once
#include <cstdint>

namespace vvc {

// Residual (any int16 range, normally [-1023, 1023] at 10 bits) -> transform coefficients,
// scaled like VTM's forward DCT-II (shift1 = log2W + bitDepth - 9, shift2 = log2H + 6) so
// that quantize()/dequantize() and inverse_transform() give back the residual.
void forward_transform(const int16_t* resid, int residStride, int log2W, int log2H,
                       int32_t* coeff /* raster, w*h */);

// Scaled coefficients d[x][y] (output of dequantize) -> residual samples, bit-exact per
// 8.7.4.1/8.7.4.2 (first vertical, intermediate (e + 64) >> 7 clipped to 16 bits, then
// horizontal, then (x + 512) >> 10 for BitDepth 10). The result is clipped to int16, which
// cannot change the reconstruction Clip1(pred + res) for pred in [0, 1023].
void inverse_transform(const int32_t* coeff, int log2W, int log2H, int16_t* resid, int residStride);

// transMatrix of H.266 8.7.4.5 for nTbS = 1 << log2N: the value multiplying coefficient
// (frequency) k for sample position i, i.e. spec transMatrix[i][k * 64 / nTbS].
int dct2_coef(int log2N, int k, int i);

}  // namespace vvc
