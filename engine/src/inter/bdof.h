// Bi-directional optical flow, BDOF (H.266 8.5.6.5), for one luma subblock of at most 16x16.
//
// Input: the two 14-bit predictions predSamplesL0 / L1 (8.5.6.3) of the w x h block with a
// one-sample border around it holding the integer reference samples of 8.5.6.3.3 (shifted to
// 14 bits; bdof_fetch_border fills it). Per sample the horizontal / vertical gradients are
// (p[x+1] >> 6) - (p[x-1] >> 6); per 4x4 block the motion refinement (vx, vy) comes from
// the 6x6 window around it (gradients and predictions outside the block replicate the block's
// edge), and each output sample is
//   Clip((p0 + p1 + 16 + vx * (gx0 - gx1) + vy * (gy0 - gy1)) >> 5)   (10-bit).
#pragma once
#include <cstddef>
#include <cstdint>

#include "common/picture.h"
#include "inter/interp.h"
#include "inter/mv.h"

namespace vvc {

constexpr int kBdofMaxBlock = 16;
constexpr int kBdofStride = kBdofMaxBlock + 2;  // prediction buffers with their border

// Fills the one-sample border of a predSamplesLX block (pred points at sample (0, 0), stride
// `stride`): sample (i, j) for i or j in {-1, w} / {-1, h} is the reference sample at
// (xInt + (xFrac >> 3) + i, yInt + (yFrac >> 3) + j) << 4, where (xInt, yInt) = (x, y) +
// (mv >> 4) and (xFrac, yFrac) = mv & 15, read from ref (clamped into its area).
void bdof_fetch_border(const RefView& ref, const Mv& mv, int x, int y, int w, int h, int16_t* pred,
                       ptrdiff_t stride);

// Motion refinement (vx, vy) of one 4x4 block from its 6x6 window sums (8.5.6.5 eq. for
// sGx2, sGy2, sGxGy, sGxdI, sGydI), each clipped to -15..15.
void bdof_motion(int sGx2, int sGy2, int sGxGy, int sGxdI, int sGydI, int& vx, int& vy);

// BDOF prediction of the w x h block (w, h multiples of 4, at most 16) into dst.
// p0 / p1 point at sample (0, 0) of bordered buffers with stride kBdofStride; they are
// not modified.
void bdof_predict(const int16_t* p0, const int16_t* p1, int w, int h, Pel* dst, ptrdiff_t ds);

}  // namespace vvc
