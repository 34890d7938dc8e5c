// AVX2 distortion kernels (the table in distortion_kernels.h picks them on CPUs that have
// AVX2). Each function carries the target attribute instead of the file a compiler flag, so
// nothing else in the build may use AVX2 instructions; the arithmetic is the SSE2 kernels'
// on 16 lanes, so the results are bit-identical to the scalar ones.
#include "rdo/distortion_kernels.h"

#ifdef VVC_HAVE_AVX2_KERNELS
#include <immintrin.h>

#include <cstddef>

#define VVC_AVX2 __attribute__((target("avx2")))

namespace vvc {
namespace {

VVC_AVX2 inline __m256i load16(const Pel* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// Sum of the eight 32-bit lanes.
VVC_AVX2 inline uint64_t hsum8(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return static_cast<uint32_t>(_mm_cvtsi128_si32(s));
}

VVC_AVX2 inline void bfly(__m256i& x, __m256i& y) {
  const __m256i s = _mm256_add_epi16(x, y);
  y = _mm256_sub_epi16(x, y);
  x = s;
}

// The 8x8 int16 transpose of each 128-bit half (unpack works within halves).
VVC_AVX2 inline void transpose_halves(__m256i r[8]) {
  const __m256i a0 = _mm256_unpacklo_epi16(r[0], r[1]);
  const __m256i a1 = _mm256_unpackhi_epi16(r[0], r[1]);
  const __m256i a2 = _mm256_unpacklo_epi16(r[2], r[3]);
  const __m256i a3 = _mm256_unpackhi_epi16(r[2], r[3]);
  const __m256i a4 = _mm256_unpacklo_epi16(r[4], r[5]);
  const __m256i a5 = _mm256_unpackhi_epi16(r[4], r[5]);
  const __m256i a6 = _mm256_unpacklo_epi16(r[6], r[7]);
  const __m256i a7 = _mm256_unpackhi_epi16(r[6], r[7]);
  const __m256i b0 = _mm256_unpacklo_epi32(a0, a2);
  const __m256i b1 = _mm256_unpackhi_epi32(a0, a2);
  const __m256i b2 = _mm256_unpacklo_epi32(a1, a3);
  const __m256i b3 = _mm256_unpackhi_epi32(a1, a3);
  const __m256i b4 = _mm256_unpacklo_epi32(a4, a6);
  const __m256i b5 = _mm256_unpackhi_epi32(a4, a6);
  const __m256i b6 = _mm256_unpacklo_epi32(a5, a7);
  const __m256i b7 = _mm256_unpackhi_epi32(a5, a7);
  r[0] = _mm256_unpacklo_epi64(b0, b4);
  r[1] = _mm256_unpackhi_epi64(b0, b4);
  r[2] = _mm256_unpacklo_epi64(b1, b5);
  r[3] = _mm256_unpackhi_epi64(b1, b5);
  r[4] = _mm256_unpacklo_epi64(b2, b6);
  r[5] = _mm256_unpackhi_epi64(b2, b6);
  r[6] = _mm256_unpacklo_epi64(b3, b7);
  r[7] = _mm256_unpackhi_epi64(b3, b7);
}

VVC_AVX2 inline __m256i load_pair(const Pel* lo, const Pel* hi) {
  return _mm256_inserti128_si256(
      _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(lo))),
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(hi)), 1);
}

// Two 8x8 tiles, one per 128-bit half (row i of the first at a + i * as, of the second at
// a + i * as + a2; the same for b), each as satd_8x8: the same int16 bounds and last-stage
// |x + y| + |x - y| = 2 max(|x|, |y|) as hadamard8x8_sse2.
VVC_AVX2 uint32_t satd_two_8x8(const Pel* a, int as, ptrdiff_t a2, const Pel* b, int bs,
                               ptrdiff_t b2) {
  __m256i r[8];
  for (int i = 0; i < 8; ++i)
    r[i] = _mm256_sub_epi16(load_pair(a + i * as, a + i * as + a2),
                            load_pair(b + i * bs, b + i * bs + b2));
  bfly(r[0], r[4]);
  bfly(r[1], r[5]);
  bfly(r[2], r[6]);
  bfly(r[3], r[7]);
  bfly(r[0], r[2]);
  bfly(r[1], r[3]);
  bfly(r[4], r[6]);
  bfly(r[5], r[7]);
  bfly(r[0], r[1]);
  bfly(r[2], r[3]);
  bfly(r[4], r[5]);
  bfly(r[6], r[7]);
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i dcv = _mm256_madd_epi16(r[0], ones);  // per half: the tile's column sums, paired
  dcv = _mm256_add_epi32(dcv, _mm256_shuffle_epi32(dcv, 0x4E));
  dcv = _mm256_add_epi32(dcv, _mm256_shuffle_epi32(dcv, 0xB1));
  transpose_halves(r);
  bfly(r[0], r[4]);
  bfly(r[1], r[5]);
  bfly(r[2], r[6]);
  bfly(r[3], r[7]);
  bfly(r[0], r[2]);
  bfly(r[1], r[3]);
  bfly(r[4], r[6]);
  bfly(r[5], r[7]);
  __m256i acc = _mm256_setzero_si256();
  for (int k = 0; k < 8; k += 2) {
    const __m256i x = _mm256_abs_epi16(r[k]);
    const __m256i y = _mm256_abs_epi16(r[k + 1]);
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_max_epi16(x, y), ones));
  }
  acc = _mm256_add_epi32(acc, _mm256_shuffle_epi32(acc, 0x4E));
  acc = _mm256_add_epi32(acc, _mm256_shuffle_epi32(acc, 0xB1));
  uint32_t total = 0;
  for (int t = 0; t < 2; ++t) {
    const __m128i s = t ? _mm256_extracti128_si256(acc, 1) : _mm256_castsi256_si128(acc);
    const __m128i d = t ? _mm256_extracti128_si256(dcv, 1) : _mm256_castsi256_si128(dcv);
    const uint32_t sum = 2u * static_cast<uint32_t>(_mm_cvtsi128_si32(s));
    const int32_t dc = _mm_cvtsi128_si32(d);
    const uint32_t adc = static_cast<uint32_t>(dc < 0 ? -dc : dc);
    total += (sum - adc + (adc >> 2) + 2) >> 2;
  }
  return total;
}

}  // namespace

// w a multiple of 16, w <= 128 (else SSE2): as sad_w8_sse2, 16 lanes, lanes summed every 32 rows.
VVC_AVX2 uint64_t sad_avx2(const Pel* a, int as, const Pel* b, int bs, int w, int h) {
  const __m256i zero = _mm256_setzero_si256();
  if (w == 8 && (h & 1) == 0) {  // two rows per step, one in each half
    uint64_t total = 0;
    for (int y0 = 0; y0 < h; y0 += 64) {
      __m256i acc = zero;
      const int y1 = y0 + 64 < h ? y0 + 64 : h;
      for (int y = y0; y < y1; y += 2) {
        const Pel* ra = a + static_cast<ptrdiff_t>(y) * as;
        const Pel* rb = b + static_cast<ptrdiff_t>(y) * bs;
        const __m256i va = load_pair(ra, ra + as), vb = load_pair(rb, rb + bs);
        const __m256i d = _mm256_sub_epi16(_mm256_max_epi16(va, vb), _mm256_min_epi16(va, vb));
        acc = _mm256_add_epi32(
            acc, _mm256_add_epi32(_mm256_unpacklo_epi16(d, zero), _mm256_unpackhi_epi16(d, zero)));
      }
      total += hsum8(acc);
    }
    return total;
  }
  if ((w & 15) != 0 || w > 128) return sad_sse2(a, as, b, bs, w, h);
  uint64_t total = 0;
  for (int y0 = 0; y0 < h; y0 += 32) {
    __m256i acc = zero;
    const int y1 = y0 + 32 < h ? y0 + 32 : h;
    for (int y = y0; y < y1; ++y) {
      const Pel* ra = a + static_cast<ptrdiff_t>(y) * as;
      const Pel* rb = b + static_cast<ptrdiff_t>(y) * bs;
      for (int x = 0; x < w; x += 16) {
        const __m256i va = load16(ra + x), vb = load16(rb + x);
        const __m256i d = _mm256_sub_epi16(_mm256_max_epi16(va, vb), _mm256_min_epi16(va, vb));
        acc = _mm256_add_epi32(
            acc, _mm256_add_epi32(_mm256_unpacklo_epi16(d, zero), _mm256_unpackhi_epi16(d, zero)));
      }
    }
    total += hsum8(acc);
  }
  return total;
}

// w a multiple of 16 (else the scalar loop): 10-bit samples, so a difference fits 16 bits, a
// pair of squares 32 bits, and a row of 128 the 32-bit lanes.
VVC_AVX2 uint64_t sse_avx2(const Pel* a, int as, const Pel* b, int bs, int w, int h) {
  if ((w & 15) != 0 || w > 128) return sse_scalar(a, as, b, bs, w, h);
  uint64_t total = 0;
  for (int y = 0; y < h; ++y) {
    const Pel* ra = a + static_cast<ptrdiff_t>(y) * as;
    const Pel* rb = b + static_cast<ptrdiff_t>(y) * bs;
    __m256i acc = _mm256_setzero_si256();
    for (int x = 0; x < w; x += 16) {
      const __m256i d = _mm256_sub_epi16(load16(ra + x), load16(rb + x));
      acc = _mm256_add_epi32(acc, _mm256_madd_epi16(d, d));
    }
    total += hsum8(acc);
  }
  return total;
}

// 8x8 tiles two at a time: side by side when w is a multiple of 16, else one above the other
// (w == 8, h a multiple of 16); the rest as SSE2.
VVC_AVX2 uint64_t satd_avx2(const Pel* a, int as, const Pel* b, int bs, int w, int h) {
  uint64_t total = 0;
  if ((w & 15) == 0 && (h & 7) == 0) {
    for (int y = 0; y < h; y += 8)
      for (int x = 0; x < w; x += 16)
        total += satd_two_8x8(a + static_cast<ptrdiff_t>(y) * as + x, as, 8,
                              b + static_cast<ptrdiff_t>(y) * bs + x, bs, 8);
    return total;
  }
  if (w == 8 && (h & 15) == 0) {
    for (int y = 0; y < h; y += 16)
      total += satd_two_8x8(a + static_cast<ptrdiff_t>(y) * as, as, static_cast<ptrdiff_t>(8) * as,
                            b + static_cast<ptrdiff_t>(y) * bs, bs, static_cast<ptrdiff_t>(8) * bs);
    return total;
  }
  return satd_sse2(a, as, b, bs, w, h);
}

}  // namespace vvc
#endif
