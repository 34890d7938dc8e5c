// The intra prediction kernels of one instruction set (planar, DC, the angular interpolation
// in the vertical orientation with its PDPC, the transposition back from it); see
// intra_kernels.h. This file has no include guard: a kernel file includes it once with
//   VVC_INTRA_NS      the namespace (inside vvc) the kernels go to,
//   VVC_INTRA_TARGET  the function attribute that enables the instruction set (may be empty),
//   VVC_INTRA_SIMD    0 (plain C++ loops), 128 (SSE2 intrinsics) or 256 (AVX2 intrinsics for
//                     rows of 16 samples or more, SSE2 for shorter ones),
// with <immintrin.h> and intra/simd_sse2.h included before when VVC_INTRA_SIMD > 0. The plain
// loops are left to the compiler's vectoriser under the same attribute. All versions do the
// same integer arithmetic, so they are bit-identical.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "common/picture.h"
#include "intra/intra_kernels.h"
#include "intra/intra_pred.h"
#include "intra/intra_tables.h"

namespace vvc::VVC_INTRA_NS {

// floor(log2(v)) for v >= 1.
VVC_INTRA_TARGET inline int ilog2(int v) {
  return 31 - __builtin_clz(static_cast<unsigned>(v));
}

// PDPC weights 32 >> ((k << 1) >> nScale) for k = 0..n-1, zero from k = 3 << nScale on
// (8.4.5.2.15; the spec's shift reaches 6 there, later shifts are mathematically 0 too).
VVC_INTRA_TARGET inline void pdpc_weights(int nScale, int n, int32_t* wgt) {
  const int lim = std::min(n, 3 << nScale);
  for (int k = 0; k < lim; ++k) wgt[k] = 32 >> ((k << 1) >> nScale);
  for (int k = lim; k < n; ++k) wgt[k] = 0;
}

// Planar (8.4.5.2.11) fused with its PDPC (8.4.5.2.15). top/left use the IntraRefs layout
// (index 0 = corner). predV is updated incrementally per row; PDPC with refL = p[-1][y],
// refT = p[x][-1] and no corner term is a convex combination, so no clipping is needed.
VVC_INTRA_TARGET void pred_planar(const Pel* top, const Pel* left, int w, int h, bool pdpc,
                                  Pel* dst, int stride) {
  const int log2W = ilog2(w);
  const int log2H = ilog2(h);
  const int shift = log2W + log2H + 1;
  const int topRight = top[1 + w];
  const int bottomLeft = left[1 + h];
  const int nScale = (log2W + log2H - 2) >> 2;
  int32_t vAcc[kMaxIntraTbSize], vStep[kMaxIntraTbSize], t[kMaxIntraTbSize];
  int32_t hA[kMaxIntraTbSize], hB[kMaxIntraTbSize], wL[kMaxIntraTbSize];
  for (int x = 0; x < w; ++x) {
    t[x] = top[1 + x];
    vAcc[x] = (h - 1) * t[x] + bottomLeft;  // (h-1-y)*T + (y+1)*BL at y = 0
    vStep[x] = bottomLeft - t[x];
    hA[x] = w - 1 - x;
    hB[x] = (x + 1) * topRight;
  }
  pdpc_weights(pdpc ? nScale : 0, pdpc ? w : 0, wL);
  const int yLim = pdpc ? std::min(h, 3 << nScale) : 0;
  for (int y = 0; y < h; ++y) {
    const int l = left[1 + y];
    Pel* d = dst + y * stride;
    if (y < yLim) {
      const int wT = 32 >> ((y << 1) >> nScale);
      for (int x = 0; x < w; ++x) {
        const int v = ((vAcc[x] << log2W) + ((hA[x] * l + hB[x]) << log2H) + w * h) >> shift;
        d[x] = static_cast<Pel>(v + ((wL[x] * (l - v) + wT * (t[x] - v) + 32) >> 6));
      }
    } else if (pdpc) {
      for (int x = 0; x < w; ++x) {
        const int v = ((vAcc[x] << log2W) + ((hA[x] * l + hB[x]) << log2H) + w * h) >> shift;
        d[x] = static_cast<Pel>(v + ((wL[x] * (l - v) + 32) >> 6));
      }
    } else {
      for (int x = 0; x < w; ++x)
        d[x] = static_cast<Pel>(((vAcc[x] << log2W) + ((hA[x] * l + hB[x]) << log2H) + w * h) >>
                                shift);
    }
    for (int x = 0; x < w; ++x) vAcc[x] += vStep[x];
  }
}

// DC (8.4.5.2.12; non-square blocks average the longer side only) fused with its PDPC.
VVC_INTRA_TARGET void pred_dc(const Pel* top, const Pel* left, int w, int h, bool pdpc, Pel* dst,
                              int stride) {
  int sum = 0;
  int dc;
  if (w == h) {
    for (int i = 0; i < w; ++i) sum += top[1 + i] + left[1 + i];
    dc = (sum + w) >> (ilog2(w) + 1);
  } else if (w > h) {
    for (int i = 0; i < w; ++i) sum += top[1 + i];
    dc = (sum + (w >> 1)) >> ilog2(w);
  } else {
    for (int i = 0; i < h; ++i) sum += left[1 + i];
    dc = (sum + (h >> 1)) >> ilog2(h);
  }
  const int nScale = (ilog2(w) + ilog2(h) - 2) >> 2;
  const int lim = pdpc ? 3 << nScale : 0;  // PDPC weights vanish from here on
  const int xLim = std::min(w, lim);
  int32_t wL[kMaxIntraTbSize];
  int32_t tT[kMaxIntraTbSize];  // wT-independent part: p[x][-1] - dc
  pdpc_weights(nScale, w, wL);
  for (int x = 0; x < w; ++x) tT[x] = top[1 + x] - dc;
  for (int y = 0; y < h; ++y) {
    Pel* d = dst + y * stride;
    if (y < lim) {
      const int wT = 32 >> ((y << 1) >> nScale);
      const int lD = left[1 + y] - dc;
      for (int x = 0; x < w; ++x)
        d[x] = static_cast<Pel>(dc + ((wL[x] * lD + wT * tT[x] + 32) >> 6));
    } else {
      const int lD = left[1 + y] - dc;
      for (int x = 0; x < xLim; ++x) d[x] = static_cast<Pel>(dc + ((wL[x] * lD + 32) >> 6));
      for (int x = xLim; x < w; ++x) d[x] = static_cast<Pel>(dc);
    }
  }
}

// Writes the transpose of src back into the block's own orientation: src holds H rows of W
// samples (the block predicted in the vertical orientation, W = block height, H = block
// width); dst[y][x] = src[x][y].
VVC_INTRA_TARGET void transpose_block(const Pel* src, int W, int H, Pel* dst, int dstStride) {
#if VVC_INTRA_SIMD >= 128
  if ((W & 7) == 0 && (H & 7) == 0) {
    for (int y0 = 0; y0 < W; y0 += 8)
      for (int x0 = 0; x0 < H; x0 += 8) {
        __m128i r[8];
        for (int i = 0; i < 8; ++i)
          r[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + (x0 + i) * W + y0));
        simd::transpose8x8_epi16(r);
        for (int i = 0; i < 8; ++i)
          _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + (y0 + i) * dstStride + x0), r[i]);
      }
    return;
  }
  if ((W & 3) == 0 && (H & 3) == 0) {  // 4x4 tiles
    for (int y0 = 0; y0 < W; y0 += 4)
      for (int x0 = 0; x0 < H; x0 += 4) {
        const Pel* s0 = src + x0 * W + y0;
        const __m128i a =
            _mm_unpacklo_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(s0)),
                               _mm_loadl_epi64(reinterpret_cast<const __m128i*>(s0 + W)));
        const __m128i b =
            _mm_unpacklo_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(s0 + 2 * W)),
                               _mm_loadl_epi64(reinterpret_cast<const __m128i*>(s0 + 3 * W)));
        const __m128i lo = _mm_unpacklo_epi32(a, b);  // dst rows y0, y0 + 1
        const __m128i hi = _mm_unpackhi_epi32(a, b);  // dst rows y0 + 2, y0 + 3
        Pel* d0 = dst + y0 * dstStride + x0;
        _mm_storel_epi64(reinterpret_cast<__m128i*>(d0), lo);
        _mm_storel_epi64(reinterpret_cast<__m128i*>(d0 + dstStride), _mm_unpackhi_epi64(lo, lo));
        _mm_storel_epi64(reinterpret_cast<__m128i*>(d0 + 2 * dstStride), hi);
        _mm_storel_epi64(reinterpret_cast<__m128i*>(d0 + 3 * dstStride),
                         _mm_unpackhi_epi64(hi, hi));
      }
    return;
  }
#endif
  constexpr int B = 8;
  for (int y0 = 0; y0 < W; y0 += B) {
    const int yEnd = std::min(W, y0 + B);
    for (int x0 = 0; x0 < H; x0 += B) {
      const int xEnd = std::min(H, x0 + B);
      for (int y = y0; y < yEnd; ++y) {
        Pel* d = dst + y * dstStride;
        for (int x = x0; x < xEnd; ++x) d[x] = src[x * W + y];
      }
    }
  }
}

// Copies a row of W (a power of two >= 4) samples; fixed sizes inline for small blocks.
VVC_INTRA_TARGET inline void copy_row(Pel* d, const Pel* s, int W) {
  if (W == 4)
    std::memcpy(d, s, 4 * sizeof(Pel));
  else if (W == 8)
    std::memcpy(d, s, 8 * sizeof(Pel));
  else
    std::memcpy(d, s, static_cast<size_t>(W) * sizeof(Pel));
}

// d[x] = Clip1((f0 r[x] + f1 r[x+1] + f2 r[x+2] + f3 r[x+3] + 32) >> 6), x < W (W % 4 == 0).
// The SSE2 path pairs taps for pmaddwd (exact 16x16->32 products; samples are 10-bit).
VVC_INTRA_TARGET inline void filter_4tap(const Pel* r, const int8_t* f, int W, Pel* d) {
  int x = 0;
#if VVC_INTRA_SIMD >= 128
  const __m128i c01 = _mm_set1_epi32((f[0] & 0xFFFF) | (f[1] << 16));
  const __m128i c23 = _mm_set1_epi32((f[2] & 0xFFFF) | (f[3] << 16));
  const __m128i rnd = _mm_set1_epi32(32);
  const __m128i maxv = _mm_set1_epi16(kMaxVal);
  const __m128i zero = _mm_setzero_si128();
#if VVC_INTRA_SIMD >= 256
  if (W >= 16) {  // unpack, madd and pack work within 128-bit halves: outputs stay in order
    const __m256i c01w = _mm256_set1_epi32((f[0] & 0xFFFF) | (f[1] << 16));
    const __m256i c23w = _mm256_set1_epi32((f[2] & 0xFFFF) | (f[3] << 16));
    const __m256i rndw = _mm256_set1_epi32(32);
    const __m256i maxw = _mm256_set1_epi16(kMaxVal);
    for (; x < W; x += 16) {
      const __m256i r0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r + x));
      const __m256i r1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r + x + 1));
      const __m256i r2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r + x + 2));
      const __m256i r3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r + x + 3));
      __m256i lo = _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi16(r0, r1), c01w),
                                    _mm256_madd_epi16(_mm256_unpacklo_epi16(r2, r3), c23w));
      __m256i hi = _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi16(r0, r1), c01w),
                                    _mm256_madd_epi16(_mm256_unpackhi_epi16(r2, r3), c23w));
      lo = _mm256_srai_epi32(_mm256_add_epi32(lo, rndw), 6);
      hi = _mm256_srai_epi32(_mm256_add_epi32(hi, rndw), 6);
      const __m256i v = _mm256_min_epi16(
          _mm256_max_epi16(_mm256_packs_epi32(lo, hi), _mm256_setzero_si256()), maxw);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + x), v);
    }
    return;
  }
#endif
  if (W == 4) {
    const __m128i r0 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(r));
    const __m128i r1 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(r + 1));
    const __m128i r2 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(r + 2));
    const __m128i r3 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(r + 3));
    __m128i v = _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(r0, r1), c01),
                              _mm_madd_epi16(_mm_unpacklo_epi16(r2, r3), c23));
    v = _mm_srai_epi32(_mm_add_epi32(v, rnd), 6);
    v = _mm_min_epi16(_mm_max_epi16(_mm_packs_epi32(v, v), zero), maxv);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(d), v);
    return;
  }
  for (; x + 8 <= W; x += 8) {
    const __m128i r0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r + x));
    const __m128i r1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r + x + 1));
    const __m128i r2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r + x + 2));
    const __m128i r3 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r + x + 3));
    __m128i lo = _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(r0, r1), c01),
                               _mm_madd_epi16(_mm_unpacklo_epi16(r2, r3), c23));
    __m128i hi = _mm_add_epi32(_mm_madd_epi16(_mm_unpackhi_epi16(r0, r1), c01),
                               _mm_madd_epi16(_mm_unpackhi_epi16(r2, r3), c23));
    lo = _mm_srai_epi32(_mm_add_epi32(lo, rnd), 6);
    hi = _mm_srai_epi32(_mm_add_epi32(hi, rnd), 6);
    const __m128i v = _mm_min_epi16(_mm_max_epi16(_mm_packs_epi32(lo, hi), zero), maxv);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + x), v);
  }
#endif
  const int f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3];
  for (; x < W; ++x) {
    const int v = f0 * r[x] + f1 * r[x + 1] + f2 * r[x + 2] + f3 * r[x + 3];
    d[x] = clip_pel((v + 32) >> 6);
  }
}

#if VVC_INTRA_SIMD >= 256
// The taps f[0], f[1] (or f[2], f[3]) as one 32-bit pair for pmaddwd.
VVC_INTRA_TARGET inline int tap_pair(const int8_t* f) {
  return (f[0] & 0xFFFF) | (f[1] << 16);
}

// filter_4tap's arithmetic on the 16 lanes of lo/hi pairs: rows interleaved as the caller
// loaded them; returns the clipped outputs packed in the callers' lane order.
VVC_INTRA_TARGET inline __m256i filter_4tap_lanes(__m256i r0, __m256i r1, __m256i r2, __m256i r3,
                                                  __m256i cLo01, __m256i cLo23, __m256i cHi01,
                                                  __m256i cHi23) {
  const __m256i rnd = _mm256_set1_epi32(32);
  __m256i lo = _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi16(r0, r1), cLo01),
                                _mm256_madd_epi16(_mm256_unpacklo_epi16(r2, r3), cLo23));
  __m256i hi = _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi16(r0, r1), cHi01),
                                _mm256_madd_epi16(_mm256_unpackhi_epi16(r2, r3), cHi23));
  lo = _mm256_srai_epi32(_mm256_add_epi32(lo, rnd), 6);
  hi = _mm256_srai_epi32(_mm256_add_epi32(hi, rnd), 6);
  return _mm256_min_epi16(_mm256_max_epi16(_mm256_packs_epi32(lo, hi), _mm256_setzero_si256()),
                          _mm256_set1_epi16(kMaxVal));
}

// Two rows of 8 (row a with taps fa from ra, row b with fb from rb), one per 128-bit half.
VVC_INTRA_TARGET inline void filter_4tap_w8x2(const Pel* ra, const int8_t* fa, const Pel* rb,
                                              const int8_t* fb, Pel* d, int stride) {
  __m256i r[4];
  for (int i = 0; i < 4; ++i)
    r[i] = _mm256_inserti128_si256(
        _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ra + i))),
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(rb + i)), 1);
  const __m256i c01 = _mm256_setr_epi32(tap_pair(fa), tap_pair(fa), tap_pair(fa), tap_pair(fa),
                                        tap_pair(fb), tap_pair(fb), tap_pair(fb), tap_pair(fb));
  const __m256i c23 =
      _mm256_setr_epi32(tap_pair(fa + 2), tap_pair(fa + 2), tap_pair(fa + 2), tap_pair(fa + 2),
                        tap_pair(fb + 2), tap_pair(fb + 2), tap_pair(fb + 2), tap_pair(fb + 2));
  const __m256i v = filter_4tap_lanes(r[0], r[1], r[2], r[3], c01, c23, c01, c23);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(d), _mm256_castsi256_si128(v));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(d + stride), _mm256_extracti128_si256(v, 1));
}

// Four rows of 4 (rows q = 0..3 from rq[q] with taps fq[q]): rows 0 and 1 in the low half,
// 2 and 3 in the high one; unpacklo takes the first row of each half, unpackhi the second.
VVC_INTRA_TARGET inline void filter_4tap_w4x4(const Pel* const rq[4], const int8_t* const fq[4],
                                              Pel* d, int stride) {
  __m256i r[4];
  for (int i = 0; i < 4; ++i) {
    const __m128i a =
        _mm_unpacklo_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(rq[0] + i)),
                           _mm_loadl_epi64(reinterpret_cast<const __m128i*>(rq[1] + i)));
    const __m128i b =
        _mm_unpacklo_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(rq[2] + i)),
                           _mm_loadl_epi64(reinterpret_cast<const __m128i*>(rq[3] + i)));
    r[i] = _mm256_inserti128_si256(_mm256_castsi128_si256(a), b, 1);
  }
  const int a01 = tap_pair(fq[0]), a23 = tap_pair(fq[0] + 2);
  const int b01 = tap_pair(fq[1]), b23 = tap_pair(fq[1] + 2);
  const int c01 = tap_pair(fq[2]), c23 = tap_pair(fq[2] + 2);
  const int e01 = tap_pair(fq[3]), e23 = tap_pair(fq[3] + 2);
  const __m256i v = filter_4tap_lanes(r[0], r[1], r[2], r[3],
                                      _mm256_setr_epi32(a01, a01, a01, a01, c01, c01, c01, c01),
                                      _mm256_setr_epi32(a23, a23, a23, a23, c23, c23, c23, c23),
                                      _mm256_setr_epi32(b01, b01, b01, b01, e01, e01, e01, e01),
                                      _mm256_setr_epi32(b23, b23, b23, b23, e23, e23, e23, e23));
  const __m128i lo = _mm256_castsi256_si128(v);  // rows 0, 1
  const __m128i hi = _mm256_extracti128_si256(v, 1);
  _mm_storel_epi64(reinterpret_cast<__m128i*>(d), lo);
  _mm_storel_epi64(reinterpret_cast<__m128i*>(d + stride), _mm_unpackhi_epi64(lo, lo));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(d + 2 * stride), hi);
  _mm_storel_epi64(reinterpret_cast<__m128i*>(d + 3 * stride), _mm_unpackhi_epi64(hi, hi));
}
#endif

// Chroma: d[x] = ((32 - iFact) r[x] + iFact r[x+1] + 16) >> 5 (here r points at ref + iIdx + 1).
VVC_INTRA_TARGET inline void filter_2tap(const Pel* r, int iFact, int W, Pel* d) {
  int x = 0;
#if VVC_INTRA_SIMD >= 128
  const __m128i c = _mm_set1_epi32((32 - iFact) | (iFact << 16));
  const __m128i rnd = _mm_set1_epi32(16);
#if VVC_INTRA_SIMD >= 256
  if (W >= 16) {
    const __m256i cw = _mm256_set1_epi32((32 - iFact) | (iFact << 16));
    const __m256i rndw = _mm256_set1_epi32(16);
    for (; x < W; x += 16) {
      const __m256i r0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r + x));
      const __m256i r1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r + x + 1));
      const __m256i lo = _mm256_srai_epi32(
          _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi16(r0, r1), cw), rndw), 5);
      const __m256i hi = _mm256_srai_epi32(
          _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi16(r0, r1), cw), rndw), 5);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + x), _mm256_packs_epi32(lo, hi));
    }
    return;
  }
#endif
  if (W == 4) {
    const __m128i r0 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(r));
    const __m128i r1 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(r + 1));
    const __m128i v =
        _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(r0, r1), c), rnd), 5);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(d), _mm_packs_epi32(v, v));
    return;
  }
  for (; x + 8 <= W; x += 8) {
    const __m128i r0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r + x));
    const __m128i r1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r + x + 1));
    const __m128i lo =
        _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(r0, r1), c), rnd), 5);
    const __m128i hi =
        _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(_mm_unpackhi_epi16(r0, r1), c), rnd), 5);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + x), _mm_packs_epi32(lo, hi));
  }
#endif
  const int a = 32 - iFact;
  for (; x < W; ++x) d[x] = static_cast<Pel>((a * r[x] + iFact * r[x + 1] + 16) >> 5);
}

// Angular prediction (8.4.5.2.13) in the "vertical" orientation: main is the reference line
// the prediction runs along (top for modes >= 34, left for modes < 34 with the block
// transposed), side the other one, both in IntraRefs layout. W x H is the block in this
// orientation (W along main). Writes rows of W samples to dst with the given stride.
VVC_INTRA_TARGET void pred_angular_ver(const Pel* main, const Pel* side, int W, int H, int mode,
                                       bool isLuma, bool smoothFilter, bool pdpc, Pel* dst,
                                       int stride) {
  const int angle = intra_pred_angle(mode);
  const int invAngle = intra_inv_angle_of_mode(mode);
  // ref[k], ref[0] = corner. For angle >= 0 it is main itself: ref[x] for x = 0..refW and
  // ref[refW + 1] = p[refW - 1][-1], which IntraRefs already holds as padding (the further
  // padding is only ever read with a zero filter coefficient). For angle < 0, ref[x] for
  // x = 0..W+1 extended to the left (down to -H) by projecting the side line.
  Pel refBuf[kMaxIntraTbSize + kMaxIntraTbSize + 8];
  const Pel* ref = main;
  if (angle < 0) {
    Pel* ext = refBuf + kMaxIntraTbSize;
    std::memcpy(ext, main, sizeof(Pel) * (W + 2));
    for (int k = -H; k < 0; ++k) ext[k] = side[std::min((k * invAngle + 256) >> 9, H)];
    ref = ext;
  }

  if (angle == 0) {
    // Modes 18 / 50: pred = ref[x + 1]; PDPC adds wL * (p[-1][y] - p[-1][-1]), clipped
    // (refL = p[-1][y] - p[-1][-1] + pred, wT = 0).
    const int nScale = (ilog2(W) + ilog2(H) - 2) >> 2;
    const int xLim = pdpc ? std::min(W, 3 << nScale) : 0;
    int32_t wL[kMaxIntraTbSize];
    pdpc_weights(nScale, xLim, wL);
    for (int y = 0; y < H; ++y) {
      Pel* d = dst + y * stride;
      const int diff = side[1 + y] - side[0];
      for (int x = 0; x < xLim; ++x) d[x] = clip_pel(ref[1 + x] + ((wL[x] * diff + 32) >> 6));
      std::memcpy(d + xLim, ref + 1 + xLim, sizeof(Pel) * (W - xLim));
    }
    return;
  }

  int y = 0;
#if VVC_INTRA_SIMD >= 256
  // Luma rows of 8 or 4 several at a time, each with its own phase; the copy phase of fC,
  // {0, 64, 0, 0}, reproduces the copied samples exactly, so every row can be filtered.
  if (isLuma && (W == 4 || W == 8)) {
    const int rows = W == 8 ? 2 : 4;  // H is a multiple of 4
    for (; y < H; y += rows) {
      const Pel* rq[4];
      const int8_t* fq[4];
      for (int q = 0; q < rows; ++q) {
        const int pos = (y + q + 1) * angle;
        rq[q] = ref + (pos >> 5);
        fq[q] = smoothFilter ? kIntraFilterG[pos & 31] : kIntraFilterC[pos & 31];
      }
      if (W == 8)
        filter_4tap_w8x2(rq[0], fq[0], rq[1], fq[1], dst + y * stride, stride);
      else
        filter_4tap_w4x4(rq, fq, dst + y * stride, stride);
    }
  }
#endif
  for (; y < H; ++y) {
    const int pos = (y + 1) * angle;
    const int iIdx = pos >> 5;
    const int iFact = pos & 31;
    const Pel* r = ref + iIdx;  // r[x + i] = ref[x + iIdx + i]
    Pel* d = dst + y * stride;
    if (isLuma) {
      if (iFact == 0 && !smoothFilter) {  // fC phase 0 is {0, 64, 0, 0}
        copy_row(d, r + 1, W);
      } else {
        const int8_t* f = smoothFilter ? kIntraFilterG[iFact] : kIntraFilterC[iFact];
        filter_4tap(r, f, W, d);
      }
    } else {  // chroma: 2-tap linear interpolation
      if (iFact == 0)
        copy_row(d, r + 1, W);
      else
        filter_2tap(r + 1, iFact, W, d);
    }
  }

  if (pdpc) {
    // Angular PDPC (8.4.5.2.15), modes > 50 in this orientation: refL = p[-1][y + dYInt[x]],
    // dYInt[x] = ((x + 1) * invAngle + 256) >> 9, wL = 32 >> ((x << 1) >> nScale). Column by
    // column the side samples are contiguous. The result is a convex combination: in range.
    const int nScale = std::min(2, ilog2(H) - ilog2(3 * invAngle - 2) + 8);
    const int xLim = std::min(W, 3 << nScale);
    for (int x = 0; x < xLim; ++x) {
      const int wL = 32 >> ((x << 1) >> nScale);
      const Pel* s = side + 1 + (((x + 1) * invAngle + 256) >> 9);
      Pel* d = dst + x;
      for (int y = 0; y < H; ++y) {
        const int v = d[y * stride];
        d[y * stride] = static_cast<Pel>(v + ((wL * (s[y] - v) + 32) >> 6));
      }
    }
  }
}

inline IntraKernels kernels() {
  return {pred_planar, pred_dc, pred_angular_ver, transpose_block};
}

}  // namespace vvc::VVC_INTRA_NS
