// AVX2 interpolation and weighting kernels (the table in interp_kernels.h picks them on CPUs
// with AVX2). Each function carries the target attribute instead of the file a compiler flag,
// so nothing else in the build may use AVX2 instructions. Same arithmetic as the SSE2 and
// scalar kernels on 16 lanes: bit-identical results.
#include "inter/interp_kernels.h"

#ifdef VVC_HAVE_AVX2_INTERP
#include <immintrin.h>

#define VVC_AVX2 __attribute__((target("avx2")))

namespace vvc {
namespace {

VVC_AVX2 inline __m256i load16(const int16_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// The filter's taps in pairs (f[2k] low, f[2k + 1] high 16 bits), for pmaddwd.
template <int N>
VVC_AVX2 inline void tap_pairs(const int8_t* f, __m256i c[N / 2]) {
  for (int k = 0; k < N / 2; ++k)
    c[k] = _mm256_set1_epi32(
        static_cast<int>(static_cast<uint16_t>(f[2 * k]) |
                         (static_cast<uint32_t>(static_cast<uint16_t>(f[2 * k + 1])) << 16)));
}

// 16 outputs of one pass as filter_pass_sse2 computes 8: pairs of taps through pmaddwd, the
// sums shifted and kept to their low 16 bits. load(q) reads the 16 samples at q (one row, or
// two half rows); unpacklo/hi and packs work within 128-bit halves, so the outputs come back
// in order without a permute.
template <int N, class Load>
VVC_AVX2 inline __m256i filter16(Load load, const int16_t* p, ptrdiff_t step, const __m256i* c,
                                 __m128i sh) {
  __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
  for (int k = 0; k < N / 2; ++k, p += 2 * step) {
    const __m256i a = load(p);
    const __m256i b = load(p + step);
    lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), c[k]));
    hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), c[k]));
  }
  lo = _mm256_srai_epi32(_mm256_slli_epi32(_mm256_sra_epi32(lo, sh), 16), 16);  // wrap to 16 bits
  hi = _mm256_srai_epi32(_mm256_slli_epi32(_mm256_sra_epi32(hi, sh), 16), 16);
  return _mm256_packs_epi32(lo, hi);
}

// w a multiple of 16: one row, 16 outputs per step.
template <int N>
VVC_AVX2 void filter_pass_avx2(const int16_t* src, ptrdiff_t ss, ptrdiff_t step, int16_t* dst,
                               ptrdiff_t ds, int w, int h, const int8_t* f, int shift) {
  __m256i c[N / 2];
  tap_pairs<N>(f, c);
  const __m128i sh = _mm_cvtsi32_si128(shift);
  for (int y = 0; y < h; ++y, src += ss, dst += ds)
    for (int x = 0; x < w; x += 16)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + x),
                          filter16<N>(load16, src + x, step, c, sh));
}

// w == 8: two rows per step, one in each 128-bit half (an odd last row goes to SSE2).
template <int N>
VVC_AVX2 void filter_pass_w8_avx2(const int16_t* src, ptrdiff_t ss, ptrdiff_t step, int16_t* dst,
                                  ptrdiff_t ds, int h, const int8_t* f, int shift) {
  __m256i c[N / 2];
  tap_pairs<N>(f, c);
  const __m128i sh = _mm_cvtsi32_si128(shift);
  auto rows = [ss](const int16_t* p) VVC_AVX2 {
    return _mm256_inserti128_si256(
        _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))),
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + ss)), 1);
  };
  int y = 0;
  for (; y + 2 <= h; y += 2, src += 2 * ss, dst += 2 * ds) {
    const __m256i out = filter16<N>(rows, src, step, c, sh);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm256_castsi256_si128(out));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + ds), _mm256_extracti128_si256(out, 1));
  }
  if (y < h) {
    if (N == 8)
      filter8_sse2(src, ss, step, dst, ds, 8, 1, f, shift);
    else
      filter4_sse2(src, ss, step, dst, ds, 8, 1, f, shift);
  }
}

}  // namespace

VVC_AVX2 void filter8_avx2(const int16_t* src, ptrdiff_t ss, ptrdiff_t step, int16_t* dst,
                           ptrdiff_t ds, int w, int h, const int8_t* f, int shift) {
  if ((w & 15) == 0)
    filter_pass_avx2<8>(src, ss, step, dst, ds, w, h, f, shift);
  else if (w == 8)
    filter_pass_w8_avx2<8>(src, ss, step, dst, ds, h, f, shift);
  else
    filter8_sse2(src, ss, step, dst, ds, w, h, f, shift);
}

VVC_AVX2 void filter4_avx2(const int16_t* src, ptrdiff_t ss, ptrdiff_t step, int16_t* dst,
                           ptrdiff_t ds, int w, int h, const int8_t* f, int shift) {
  if ((w & 15) == 0)
    filter_pass_avx2<4>(src, ss, step, dst, ds, w, h, f, shift);
  else if (w == 8)
    filter_pass_w8_avx2<4>(src, ss, step, dst, ds, h, f, shift);
  else
    filter4_sse2(src, ss, step, dst, ds, w, h, f, shift);
}

// 8.5.6.6.2 with one list: Clip1((src + 8) >> 4). The saturating add changes only sums above
// 32767, which clip to the same 1023.
VVC_AVX2 void weighted_uni_avx2(const int16_t* src, ptrdiff_t srcStride, Pel* dst,
                                ptrdiff_t dstStride, int w, int h) {
  constexpr int shift = 14 - kBitDepth;
  constexpr int offset = 1 << (shift - 1);
  const __m256i off = _mm256_set1_epi16(offset), zero = _mm256_setzero_si256();
  const __m256i maxv = _mm256_set1_epi16((1 << kBitDepth) - 1);
  for (int y = 0; y < h; ++y, src += srcStride, dst += dstStride) {
    int x = 0;
    for (; x + 16 <= w; x += 16) {
      const __m256i v = _mm256_srai_epi16(_mm256_adds_epi16(load16(src + x), off), shift);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + x),
                          _mm256_min_epi16(_mm256_max_epi16(v, zero), maxv));
    }
    for (; x < w; ++x) dst[x] = clip_pel((src[x] + offset) >> shift);
  }
}

// 8.5.6.6.2 with two lists: Clip1((src0 + src1 + 16) >> 5), the sum in 32 bits (pmaddwd of the
// interleaved pair with ones); the saturating pack only changes values that clip the same.
VVC_AVX2 void weighted_bi_avx2(const int16_t* src0, ptrdiff_t stride0, const int16_t* src1,
                               ptrdiff_t stride1, Pel* dst, ptrdiff_t dstStride, int w, int h) {
  constexpr int shift = 15 - kBitDepth;
  constexpr int offset = 1 << (shift - 1);
  const __m256i ones = _mm256_set1_epi16(1), off = _mm256_set1_epi32(offset);
  const __m256i zero = _mm256_setzero_si256(), maxv = _mm256_set1_epi16((1 << kBitDepth) - 1);
  for (int y = 0; y < h; ++y, src0 += stride0, src1 += stride1, dst += dstStride) {
    int x = 0;
    for (; x + 16 <= w; x += 16) {
      const __m256i a = load16(src0 + x), b = load16(src1 + x);
      __m256i lo = _mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), ones);
      __m256i hi = _mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), ones);
      lo = _mm256_srai_epi32(_mm256_add_epi32(lo, off), shift);
      hi = _mm256_srai_epi32(_mm256_add_epi32(hi, off), shift);
      const __m256i v = _mm256_packs_epi32(lo, hi);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + x),
                          _mm256_min_epi16(_mm256_max_epi16(v, zero), maxv));
    }
    for (; x < w; ++x) dst[x] = clip_pel((src0[x] + src1[x] + offset) >> shift);
  }
}

}  // namespace vvc
#endif
