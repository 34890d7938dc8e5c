// Block distortion measures for the RD search.
#pragma once
#include <cstdint>

#include "common/picture.h"

namespace vvc {

// Sum of squared differences of two w x h blocks.
uint64_t sse(const Pel* a, int as, const Pel* b, int bs, int w, int h);

// Sum of absolute differences (through the kernel table, distortion_kernels.h; exact for any
// int16 samples). sad_scalar: the plain reference loop.
uint64_t sad(const Pel* a, int as, const Pel* b, int bs, int w, int h);
uint64_t sad_scalar(const Pel* a, int as, const Pel* b, int bs, int w, int h);

// SAD over every (1 << rowShift)-th row, scaled back by 1 << rowShift (the row-subsampled
// SAD of the integer motion search; rowShift 0 is plain sad). Inline: it only changes the
// strides and the row count of the SSE2 sad().
inline uint64_t sad_rows(const Pel* a, int as, const Pel* b, int bs, int w, int h, int rowShift) {
  return sad(a, as << rowShift, b, bs << rowShift, w, h >> rowShift) << rowShift;
}

// Hadamard SATD as VTM uses for intra mode pre-selection: the block is tiled with 8x8
// transforms when w and h are both multiples of 8, else with 4x4 ones (w, h multiples of 4).
// Per tile (VTM RdCost xCalcHADs8x8 / xCalcHADs4x4 conventions): S = sum |H(i,j)| with the DC
// coefficient counted at a quarter (S - |DC| + (|DC| >> 2)); an 8x8 tile gives (S + 2) >> 2,
// a 4x4 tile (S + 1) >> 1. The tile results are summed. (VTM additionally has 16x8 / 8x4
// rectangular kernels; we tile square ones.) a and b are sample blocks: |a - b| <= 1023
// (10-bit) is required by the 16-bit SIMD path.
uint64_t satd(const Pel* a, int as, const Pel* b, int bs, int w, int h);

// Single tiles, exposed for tests.
uint32_t satd_4x4(const Pel* a, int as, const Pel* b, int bs);
uint32_t satd_8x8(const Pel* a, int as, const Pel* b, int bs);

}  // namespace vvc
