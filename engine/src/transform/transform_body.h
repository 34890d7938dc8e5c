// The 2-D DCT-II kernels of one instruction set, one function per block size; see
// transform_kernels.h. This file has no include guard: a kernel file includes it once with
//   VVC_TX_NS      the namespace (inside vvc) the kernels go to,
//   VVC_TX_TARGET  the function attribute that enables the instruction set (may be empty),
//   VVC_TX_SIMD    0 (plain C++ loops), 128 (SSE pmaddwd) or 256 (AVX2 pmaddwd, 128 for
//                  4-wide rows),
// with <immintrin.h> included before when VVC_TX_SIMD > 0. All versions do the same integer
// arithmetic, so they are bit-identical.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "common/picture.h"
#include "transform/dct2_matrix.h"
#include "transform/transform_kernels.h"

namespace vvc::VVC_TX_NS {

constexpr int kInterMin = -(1 << 15);  // CoeffMinY/C, extended_precision off
constexpr int kInterMax = (1 << 15) - 1;

VVC_TX_TARGET inline int16_t sat16(int v) {
  return static_cast<int16_t>(std::clamp(v, kInterMin, kInterMax));
}

// The one hot kernel of every pass: acc[i] += a0 * p[2i] + a1 * p[2i + 1] for i < N (N a
// multiple of 4), i.e. two rows of a 1-D transform at once on 16-bit data with 32-bit sums
// (pmaddwd: exact 16 x 16 -> 32 products, no intermediate rounding).
template <int N>
VVC_TX_TARGET inline void madd_acc(int32_t* acc, int a0, int a1, const int16_t* p) {
#if VVC_TX_SIMD >= 128
  int i = 0;
#if VVC_TX_SIMD >= 256
  if constexpr (N >= 8) {
    const __m256i ab = _mm256_set1_epi32(
        static_cast<int>(static_cast<uint16_t>(a0) | (static_cast<uint32_t>(a1) << 16)));
    for (; i < N; i += 8) {
      __m256i* dst = reinterpret_cast<__m256i*>(acc + i);
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 2 * i));
      _mm256_storeu_si256(dst, _mm256_add_epi32(_mm256_loadu_si256(dst), _mm256_madd_epi16(v, ab)));
    }
  }
#endif
  const __m128i ab = _mm_set1_epi32(
      static_cast<int>(static_cast<uint16_t>(a0) | (static_cast<uint32_t>(a1) << 16)));
  for (; i < N; i += 4) {
    __m128i* dst = reinterpret_cast<__m128i*>(acc + i);
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 2 * i));
    _mm_storeu_si128(dst, _mm_add_epi32(_mm_loadu_si128(dst), _mm_madd_epi16(v, ab)));
  }
#else
  for (int i = 0; i < N; ++i) acc[i] += a0 * p[2 * i] + a1 * p[2 * i + 1];
#endif
}

// Compile-time sizes make every kernel call a fixed-length loop; only the outer reduction
// loops of the inverse depend on the data (last nonzero row/column, rounded up to a pair).
// All products are int16 x int16 -> int32: the spec clips coefficients and the inverse
// intermediate to 16 bits, and the forward intermediate of a 10-bit residual
// (|r| <= 1023) stays below 2^15 by construction of the scaling.
template <int L2W, int L2H>
VVC_TX_TARGET void forward_impl(const int16_t* resid, ptrdiff_t residStride, int32_t* coeff) {
  constexpr int w = 1 << L2W;
  constexpr int h = 1 << L2H;
  constexpr int keepW = w < 32 ? w : 32;  // 64-point zero-out
  constexpr int keepH = h < 32 ? h : 32;
  // shift1 = log2W + bitDepth + 6 - 15, shift2 = log2H + 6 (VTM's forward scaling).
  constexpr int shift1 = L2W + kBitDepth + 6 - 15;
  constexpr int shift2 = L2H + 6;
  constexpr int add1 = 1 << (shift1 - 1);
  constexpr int add2 = 1 << (shift2 - 1);
  const auto& twp = dct2::kPairs.tr[L2W - 1];  // [x / 2][k][x & 1] = T_W[k][x]
  const auto& th = dct2::kMats.fwd[L2H - 1];   // [k][y]

  // Horizontal pass: t[y][k] = sum_x T_W[k][x] * resid[y][x], k < keepW, stored with rows
  // y interleaved in pairs for the vertical pass: tmp[y / 2][k][y & 1].
  alignas(16) int16_t tmp[h / 2][keepW][2];
  for (int y = 0; y < h; ++y) {
    const int16_t* r = resid + y * residStride;
    alignas(16) int32_t acc[keepW] = {};
    for (int x = 0; x < w; x += 2) madd_acc<keepW>(acc, r[x], r[x + 1], &twp[x / 2][0][0]);
    for (int k = 0; k < keepW; ++k) tmp[y / 2][k][y & 1] = sat16((acc[k] + add1) >> shift1);
  }
  // Vertical pass: coeff[k][x] = sum_y T_H[k][y] * t[y][x].
  for (int k = 0; k < keepH; ++k) {
    alignas(16) int32_t acc[keepW] = {};
    const int16_t* m = th[k];
    for (int y = 0; y < h; y += 2) madd_acc<keepW>(acc, m[y], m[y + 1], &tmp[y / 2][0][0]);
    int32_t* c = coeff + k * w;
    for (int x = 0; x < keepW; ++x) c[x] = (acc[x] + add2) >> shift2;
    for (int x = keepW; x < w; ++x) c[x] = 0;
  }
  for (int i = keepH * w; i < h * w; ++i) coeff[i] = 0;
}

template <int L2W, int L2H>
VVC_TX_TARGET void inverse_impl(const int32_t* coeff, int16_t* resid, ptrdiff_t residStride) {
  constexpr int w = 1 << L2W;
  constexpr int h = 1 << L2H;
  // 8.7.4.1: nonZeroW = Min(nTbW, 32), nonZeroH = Min(nTbH, 32) for DCT-II.
  constexpr int nzW0 = w < 32 ? w : 32;
  constexpr int nzH0 = h < 32 ? h : 32;
  // 16-bit copy of the coefficients (8.7.3 clips them to CoeffMin..CoeffMax), rows
  // interleaved in pairs for the vertical pass: cil[j / 2][x][j & 1].
  alignas(16) int16_t cil[nzH0 / 2][nzW0][2];
  int32_t colAny[nzW0] = {};
  int nzH = 0;
  for (int y = 0; y < nzH0; ++y) {
    const int32_t* c = coeff + y * w;
    int32_t rowAny = 0;
    for (int x = 0; x < nzW0; ++x) {
      cil[y / 2][x][y & 1] = sat16(c[x]);
      colAny[x] |= c[x];
      rowAny |= c[x];
    }
    if (rowAny) nzH = y + 1;
  }
  int nzW = nzW0;
  while (nzW > 0 && !colAny[nzW - 1]) --nzW;
  if (nzW == 0) {
    for (int y = 0; y < h; ++y) std::memset(resid + y * residStride, 0, sizeof(int16_t) * w);
    return;
  }
  const auto& tv = dct2::kMats.tr[L2H - 1];     // [y][j] = T_H[j][y]
  const auto& thp = dct2::kPairs.fwd[L2W - 1];  // [j / 2][x][j & 1] = T_W[j][x]

  // 8.7.4.2 steps 1-2: vertical 1-D transform of each column, then
  // g[x][y] = Clip3(coeffMin, coeffMax, (e[x][y] + 64) >> 7).
  alignas(16) int16_t g[h][nzW0];
  for (int y = 0; y < h; ++y) {
    alignas(16) int32_t acc[nzW0] = {};
    const int16_t* m = tv[y];
    for (int j = 0; j < nzH; j += 2) madd_acc<nzW0>(acc, m[j], m[j + 1], &cil[j / 2][0][0]);
    for (int x = 0; x < nzW0; ++x) g[y][x] = sat16((acc[x] + 64) >> 7);
  }
  // Steps 3-4: horizontal 1-D transform of each row, then 8.7.2:
  // r = (r + (1 << (bdShift - 1))) >> bdShift, bdShift = Max(20 - BitDepth, 0) = 10.
  constexpr int bdShift = 20 - kBitDepth;
  constexpr int bdAdd = 1 << (bdShift - 1);
  for (int y = 0; y < h; ++y) {
    alignas(16) int32_t acc[w] = {};
    for (int j = 0; j < nzW; j += 2) madd_acc<w>(acc, g[y][j], g[y][j + 1], &thp[j / 2][0][0]);
    int16_t* r = resid + y * residStride;
    for (int x = 0; x < w; ++x) r[x] = sat16((acc[x] + bdAdd) >> bdShift);
  }
}

template <int L2W, int L2H>
void fill_sizes(TransformKernels& k) {
  k.fwd[L2W - 2][L2H - 1] = &forward_impl<L2W, L2H>;
  k.inv[L2W - 2][L2H - 1] = &inverse_impl<L2W, L2H>;
  if constexpr (L2H < 6)
    fill_sizes<L2W, L2H + 1>(k);
  else if constexpr (L2W < 6)
    fill_sizes<L2W + 1, 1>(k);
}

}  // namespace vvc::VVC_TX_NS
