// Distortion measures: the scalar and SSE2 kernels and the table that picks a level once (the
// AVX2 kernels are in distortion_avx2.cpp). Scalar loops run over whole rows of int32 so gcc
// vectorises them.
#include "rdo/distortion.h"

#include <cstddef>
#include <cstdlib>

#include "common/simd_level.h"
#include "intra/simd_sse2.h"
#include "rdo/distortion_kernels.h"

namespace vvc {
namespace {

// In-place unnormalised Hadamard over the N rows of an N x N tile: row butterflies
// (each combines two whole rows, vectorisable across the N columns).
template <int N>
inline void hadamard_rows(int32_t (&m)[N][N]) {
  for (int half = N / 2; half >= 1; half >>= 1) {
    for (int base = 0; base < N; base += 2 * half) {
      for (int i = base; i < base + half; ++i) {
        for (int j = 0; j < N; ++j) {
          const int32_t s = m[i][j] + m[i + half][j];
          const int32_t d = m[i][j] - m[i + half][j];
          m[i][j] = s;
          m[i + half][j] = d;
        }
      }
    }
  }
}

template <int N>
inline uint32_t hadamard_abs_sum(const Pel* a, int as, const Pel* b, int bs) {
  int32_t m[N][N];
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) m[i][j] = a[i * as + j] - b[i * bs + j];
  hadamard_rows<N>(m);
  int32_t t[N][N];
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) t[j][i] = m[i][j];
  hadamard_rows<N>(t);
  uint32_t sum = 0;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) sum += static_cast<uint32_t>(std::abs(t[i][j]));
  const uint32_t dc = static_cast<uint32_t>(std::abs(t[0][0]));
  return sum - dc + (dc >> 2);
}

}  // namespace

uint64_t sse_scalar(const Pel* a, int as, const Pel* b, int bs, int w, int h) {
  uint64_t total = 0;
  for (int y = 0; y < h; ++y) {
    const Pel* ra = a + y * as;
    const Pel* rb = b + y * bs;
    uint32_t row = 0;  // 10-bit samples, w <= 128: d * d and the row sum fit in 32 bits
    for (int x = 0; x < w; ++x) {
      const int32_t d = ra[x] - rb[x];
      row += static_cast<uint32_t>(d * d);
    }
    total += row;
  }
  return total;
}

#ifdef VVC_HAVE_SSE2
namespace {

// |a - b| of 8 int16 lanes as unsigned 16-bit (max - min never wraps past 65535), added to
// two 32-bit accumulators: exact for any int16 inputs.
inline void sad_accumulate(__m128i a, __m128i b, __m128i& acc) {
  const __m128i d = _mm_sub_epi16(_mm_max_epi16(a, b), _mm_min_epi16(a, b));
  const __m128i zero = _mm_setzero_si128();
  acc = _mm_add_epi32(acc, _mm_add_epi32(_mm_unpacklo_epi16(d, zero), _mm_unpackhi_epi16(d, zero)));
}

inline uint64_t hsum_epi32(__m128i v) {
  v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0x4E));
  v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0xB1));
  return static_cast<uint32_t>(_mm_cvtsi128_si32(v));
}

// w a multiple of 8, w <= 128: over 32 rows each 32-bit lane adds at most 32 * 32 values
// below 2^16, so it cannot overflow; the lanes are summed every 32 rows.
uint64_t sad_w8_sse2(const Pel* a, int as, const Pel* b, int bs, int w, int h) {
  uint64_t total = 0;
  for (int y0 = 0; y0 < h; y0 += 32) {
    __m128i acc = _mm_setzero_si128();
    const int y1 = y0 + 32 < h ? y0 + 32 : h;
    for (int y = y0; y < y1; ++y) {
      const Pel* ra = a + static_cast<ptrdiff_t>(y) * as;
      const Pel* rb = b + static_cast<ptrdiff_t>(y) * bs;
      for (int x = 0; x < w; x += 8)
        sad_accumulate(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ra + x)),
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(rb + x)), acc);
    }
    total += hsum_epi32(acc);
  }
  return total;
}

// w == 4: two rows per step.
uint64_t sad_w4_sse2(const Pel* a, int as, const Pel* b, int bs, int h) {
  __m128i acc = _mm_setzero_si128();
  int y = 0;
  for (; y + 2 <= h; y += 2) {
    const Pel* ra = a + static_cast<ptrdiff_t>(y) * as;
    const Pel* rb = b + static_cast<ptrdiff_t>(y) * bs;
    const __m128i va =
        _mm_unpacklo_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(ra)),
                           _mm_loadl_epi64(reinterpret_cast<const __m128i*>(ra + as)));
    const __m128i vb =
        _mm_unpacklo_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(rb)),
                           _mm_loadl_epi64(reinterpret_cast<const __m128i*>(rb + bs)));
    sad_accumulate(va, vb, acc);
  }
  if (y < h) {
    const Pel* ra = a + static_cast<ptrdiff_t>(y) * as;
    const Pel* rb = b + static_cast<ptrdiff_t>(y) * bs;
    sad_accumulate(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(ra)),
                   _mm_loadl_epi64(reinterpret_cast<const __m128i*>(rb)), acc);
  }
  return hsum_epi32(acc);
}

}  // namespace
#endif

#ifdef VVC_HAVE_SSE2
uint64_t sad_sse2(const Pel* a, int as, const Pel* b, int bs, int w, int h) {
  if ((w & 7) == 0 && w <= 128) return sad_w8_sse2(a, as, b, bs, w, h);
  if (w == 4) return sad_w4_sse2(a, as, b, bs, h);
  return sad_scalar(a, as, b, bs, w, h);
}
#endif

uint64_t sad_scalar(const Pel* a, int as, const Pel* b, int bs, int w, int h) {
  uint64_t total = 0;
  for (int y = 0; y < h; ++y) {
    const Pel* ra = a + y * as;
    const Pel* rb = b + y * bs;
    uint32_t row = 0;
    for (int x = 0; x < w; ++x) row += static_cast<uint32_t>(std::abs(ra[x] - rb[x]));
    total += row;
  }
  return total;
}

#ifdef VVC_HAVE_SSE2
namespace {

inline void bfly16(__m128i& x, __m128i& y) {
  const __m128i s = _mm_add_epi16(x, y);
  y = _mm_sub_epi16(x, y);
  x = s;
}
// 8x8 Hadamard abs sum with the DC quarter weighting, all in int16: with |a - b| <= 1023 the
// first pass stays within 8 * 1023 and the first two stages of the second pass within
// 32 * 1023 < 2^15; the last stage uses |x + y| + |x - y| = 2 * max(|x|, |y|), so it never
// forms the 64 * 1023 sums.
uint32_t hadamard8x8_sse2(const Pel* a, int as, const Pel* b, int bs) {
  __m128i r[8];
  for (int i = 0; i < 8; ++i)
    r[i] = _mm_sub_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i * as)),
                         _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i * bs)));
  bfly16(r[0], r[4]);
  bfly16(r[1], r[5]);
  bfly16(r[2], r[6]);
  bfly16(r[3], r[7]);
  bfly16(r[0], r[2]);
  bfly16(r[1], r[3]);
  bfly16(r[4], r[6]);
  bfly16(r[5], r[7]);
  bfly16(r[0], r[1]);
  bfly16(r[2], r[3]);
  bfly16(r[4], r[5]);
  bfly16(r[6], r[7]);
  // r[0] now holds the column sums; their total is the DC coefficient.
  const __m128i ones = _mm_set1_epi16(1);
  __m128i dcv = _mm_madd_epi16(r[0], ones);
  dcv = _mm_add_epi32(dcv, _mm_shuffle_epi32(dcv, 0x4E));
  dcv = _mm_add_epi32(dcv, _mm_shuffle_epi32(dcv, 0xB1));
  const int32_t dc = _mm_cvtsi128_si32(dcv);

  simd::transpose8x8_epi16(r);
  bfly16(r[0], r[4]);
  bfly16(r[1], r[5]);
  bfly16(r[2], r[6]);
  bfly16(r[3], r[7]);
  bfly16(r[0], r[2]);
  bfly16(r[1], r[3]);
  bfly16(r[4], r[6]);
  bfly16(r[5], r[7]);
  const __m128i zero = _mm_setzero_si128();
  __m128i acc = zero;
  for (int k = 0; k < 8; k += 2) {
    const __m128i x = _mm_max_epi16(r[k], _mm_sub_epi16(zero, r[k]));  // |x|
    const __m128i y = _mm_max_epi16(r[k + 1], _mm_sub_epi16(zero, r[k + 1]));
    acc = _mm_add_epi32(acc, _mm_madd_epi16(_mm_max_epi16(x, y), ones));
  }
  acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, 0x4E));
  acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, 0xB1));
  const uint32_t sum = 2u * static_cast<uint32_t>(_mm_cvtsi128_si32(acc));
  const uint32_t adc = static_cast<uint32_t>(dc < 0 ? -dc : dc);
  return sum - adc + (adc >> 2);
}

// Two horizontally adjacent 4x4 tiles (columns 0-3 and 4-7); with two == false only the
// first (the upper lanes are zero and ignored). out[t] = the tile's abs sum with the DC
// quarter weighting. Same int16 bounds as above (4x4 stays far below them).
void hadamard4x4x2_sse2(const Pel* a, int as, const Pel* b, int bs, bool two, uint32_t out[2]) {
  const __m128i zero = _mm_setzero_si128();
  __m128i r[8];
  for (int i = 0; i < 4; ++i) {
    const Pel* pa = a + i * as;
    const Pel* pb = b + i * bs;
    r[i] = two ? _mm_sub_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(pa)),
                               _mm_loadu_si128(reinterpret_cast<const __m128i*>(pb)))
               : _mm_sub_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(pa)),
                               _mm_loadl_epi64(reinterpret_cast<const __m128i*>(pb)));
    r[4 + i] = zero;
  }
  bfly16(r[0], r[2]);
  bfly16(r[1], r[3]);
  bfly16(r[0], r[1]);
  bfly16(r[2], r[3]);
  const __m128i ones = _mm_set1_epi16(1);
  const __m128i dcv = _mm_madd_epi16(r[0], ones);  // [A, A, B, B] partial column sums
  simd::transpose8x8_epi16(r);                     // r[j]: column j (lanes 0-3), upper lanes zero
  __m128i c[4];
  for (int j = 0; j < 4; ++j) c[j] = _mm_unpacklo_epi64(r[j], r[j + 4]);  // A col j | B col j
  bfly16(c[0], c[2]);
  bfly16(c[1], c[3]);
  const __m128i x0 = _mm_max_epi16(c[0], _mm_sub_epi16(zero, c[0]));
  const __m128i x1 = _mm_max_epi16(c[1], _mm_sub_epi16(zero, c[1]));
  const __m128i x2 = _mm_max_epi16(c[2], _mm_sub_epi16(zero, c[2]));
  const __m128i x3 = _mm_max_epi16(c[3], _mm_sub_epi16(zero, c[3]));
  const __m128i acc = _mm_add_epi32(_mm_madd_epi16(_mm_max_epi16(x0, x1), ones),
                                    _mm_madd_epi16(_mm_max_epi16(x2, x3), ones));
  alignas(16) int32_t sums[4], dcs[4];
  _mm_store_si128(reinterpret_cast<__m128i*>(sums), acc);
  _mm_store_si128(reinterpret_cast<__m128i*>(dcs), dcv);
  for (int t = 0; t < 2; ++t) {
    const int32_t dc = dcs[2 * t] + dcs[2 * t + 1];
    const uint32_t adc = static_cast<uint32_t>(dc < 0 ? -dc : dc);
    out[t] = 2u * static_cast<uint32_t>(sums[2 * t] + sums[2 * t + 1]) - adc + (adc >> 2);
  }
}

}  // namespace
#endif

uint32_t satd_4x4(const Pel* a, int as, const Pel* b, int bs) {
#ifdef VVC_HAVE_SSE2
  uint32_t s[2];
  hadamard4x4x2_sse2(a, as, b, bs, false, s);
  return (s[0] + 1) >> 1;
#else
  return (hadamard_abs_sum<4>(a, as, b, bs) + 1) >> 1;
#endif
}

uint32_t satd_8x8(const Pel* a, int as, const Pel* b, int bs) {
#ifdef VVC_HAVE_SSE2
  return (hadamard8x8_sse2(a, as, b, bs) + 2) >> 2;
#else
  return (hadamard_abs_sum<8>(a, as, b, bs) + 2) >> 2;
#endif
}

uint64_t satd_scalar(const Pel* a, int as, const Pel* b, int bs, int w, int h) {
  uint64_t total = 0;
  if ((w & 7) == 0 && (h & 7) == 0) {
    for (int y = 0; y < h; y += 8)
      for (int x = 0; x < w; x += 8)
        total += (hadamard_abs_sum<8>(a + y * as + x, as, b + y * bs + x, bs) + 2) >> 2;
  } else {
    for (int y = 0; y < h; y += 4)
      for (int x = 0; x < w; x += 4)
        total += (hadamard_abs_sum<4>(a + y * as + x, as, b + y * bs + x, bs) + 1) >> 1;
  }
  return total;
}

#ifdef VVC_HAVE_SSE2
uint64_t satd_sse2(const Pel* a, int as, const Pel* b, int bs, int w, int h) {
  uint64_t total = 0;
  if ((w & 7) == 0 && (h & 7) == 0) {
    for (int y = 0; y < h; y += 8)
      for (int x = 0; x < w; x += 8)
        total += (hadamard8x8_sse2(a + y * as + x, as, b + y * bs + x, bs) + 2) >> 2;
  } else {
    for (int y = 0; y < h; y += 4) {
      int x = 0;
      for (; x + 8 <= w; x += 8) {
        uint32_t s[2];
        hadamard4x4x2_sse2(a + y * as + x, as, b + y * bs + x, bs, true, s);
        total += ((s[0] + 1) >> 1) + ((s[1] + 1) >> 1);
      }
      for (; x < w; x += 4) total += satd_4x4(a + y * as + x, as, b + y * bs + x, bs);
    }
  }
  return total;
}
#endif

DistortionKernels distortion_kernels_for(SimdLevel level) {
  DistortionKernels k{sse_scalar, sad_scalar, satd_scalar};
#ifdef VVC_HAVE_SSE2
  if (level >= SimdLevel::Sse2) k = {sse_scalar, sad_sse2, satd_sse2};
#endif
#ifdef VVC_HAVE_AVX2_KERNELS
  if (level >= SimdLevel::Avx2) k = {sse_avx2, sad_avx2, satd_avx2};
#endif
  return k;
}

const DistortionKernels& distortion_kernels() {
  static const DistortionKernels k = distortion_kernels_for(simd_level());
  return k;
}

uint64_t sse(const Pel* a, int as, const Pel* b, int bs, int w, int h) {
  return distortion_kernels().sse(a, as, b, bs, w, h);
}

uint64_t sad(const Pel* a, int as, const Pel* b, int bs, int w, int h) {
  return distortion_kernels().sad(a, as, b, bs, w, h);
}

uint64_t satd(const Pel* a, int as, const Pel* b, int bs, int w, int h) {
  return distortion_kernels().satd(a, as, b, bs, w, h);
}

}  // namespace vvc
