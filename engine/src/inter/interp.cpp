#include "inter/interp.h"

#include <algorithm>
#include <cstring>

#include "inter/interp_kernels.h"
#include "intra/simd_sse2.h"

namespace vvc {

// H.266 Table 27: luma interpolation filter coefficients fL[p][0..7], hpelIfIdx = 0.
const int8_t kLumaFilter[16][8] = {
    {0, 0, 0, 64, 0, 0, 0, 0},        {0, 1, -3, 63, 4, -2, 1, 0},
    {-1, 2, -5, 62, 8, -3, 1, 0},     {-1, 3, -8, 60, 13, -4, 1, 0},
    {-1, 4, -10, 58, 17, -5, 1, 0},   {-1, 4, -11, 52, 26, -8, 3, -1},
    {-1, 3, -9, 47, 31, -10, 4, -1},  {-1, 4, -11, 45, 34, -10, 4, -1},
    {-1, 4, -11, 40, 40, -11, 4, -1}, {-1, 4, -10, 34, 45, -11, 4, -1},
    {-1, 4, -10, 31, 47, -9, 3, -1},  {-1, 3, -8, 26, 52, -11, 4, -1},
    {0, 1, -5, 17, 58, -10, 4, -1},   {0, 1, -4, 13, 60, -8, 3, -1},
    {0, 1, -3, 8, 62, -5, 2, -1},     {0, 1, -2, 4, 63, -3, 1, 0},
};

// H.266 Table 33: chroma interpolation filter coefficients fC[p][0..3].
const int8_t kChromaFilter[32][4] = {
    {0, 64, 0, 0},    {-1, 63, 2, 0},   {-2, 62, 4, 0},   {-2, 60, 7, -1},  {-2, 58, 10, -2},
    {-3, 57, 12, -2}, {-4, 56, 14, -2}, {-4, 55, 15, -2}, {-4, 54, 16, -2}, {-5, 53, 18, -2},
    {-6, 52, 20, -2}, {-6, 49, 24, -3}, {-6, 46, 28, -4}, {-5, 44, 29, -4}, {-4, 42, 30, -4},
    {-4, 39, 33, -4}, {-4, 36, 36, -4}, {-4, 33, 39, -4}, {-4, 30, 42, -4}, {-4, 29, 44, -5},
    {-4, 28, 46, -6}, {-3, 24, 49, -6}, {-2, 20, 52, -6}, {-2, 18, 53, -5}, {-2, 16, 54, -4},
    {-2, 15, 55, -4}, {-2, 14, 56, -4}, {-2, 12, 57, -3}, {-2, 10, 58, -2}, {-1, 7, 60, -2},
    {0, 4, 62, -2},   {0, 2, 63, -1},
};

RefView ref_view(const Plane& p) {
  RefView v;
  v.origin = p.data.data();
  v.stride = p.stride;
  v.width = p.width;
  v.height = p.height;
  v.margin = 0;
  return v;
}

void PaddedPicture::build(const Picture& pic, int marginLuma) {
  for (int c = 0; c < 3; ++c) {
    const Plane& src = pic.comp[c];
    const int m = c ? marginLuma / 2 : marginLuma;
    const int stride = src.width + 2 * m;
    const int rows = src.height + 2 * m;
    buf_[c].resize(static_cast<size_t>(stride) * rows);
    Pel* base = buf_[c].data() + static_cast<size_t>(m) * stride + m;
    for (int y = -m; y < src.height + m; ++y) {
      const Pel* s = src.row(std::clamp(y, 0, src.height - 1));
      Pel* d = base + static_cast<ptrdiff_t>(y) * stride;
      std::fill(d - m, d, s[0]);
      std::memcpy(d, s, sizeof(Pel) * src.width);
      std::fill(d + src.width, d + src.width + m, s[src.width - 1]);
    }
    views_[c] = RefView{base, stride, src.width, src.height, m};
  }
}

namespace {

constexpr int kMaxSrc = kMaxMcBlock + 8;
constexpr int kOverRead = 4;  // SIMD kernels read up to 4 samples past a row's last tap

// Intermediate values are stored in 16 bits, as the reference decoders (VTM, FFmpeg) do; the
// SIMD path wraps like their int16 stores instead of saturating.
inline int16_t store16(int v) {
  return static_cast<int16_t>(v);
}

// One filter pass: dst[y][x] = (sum_i f[i] * src[y * sy + x * sx + i * step]) >> shift, where
// `step` is 1 for a horizontal and the row stride for a vertical pass.
template <int N>
void filter_pass_scalar(const int16_t* src, ptrdiff_t ss, ptrdiff_t step, int16_t* dst,
                        ptrdiff_t ds, int w, int h, const int8_t* f, int shift) {
  for (int y = 0; y < h; ++y, src += ss, dst += ds)
    for (int x = 0; x < w; ++x) {
      int sum = 0;
      for (int i = 0; i < N; ++i) sum += f[i] * src[x + i * step];
      dst[x] = store16(sum >> shift);
    }
}

#ifdef VVC_HAVE_SSE2
// SSE2 version for w % 4 == 0: pairs of taps through pmaddwd (samples and coefficients are
// 16-bit, sums 32-bit), 8 (or a last 4) outputs per step.
template <int N>
void filter_pass_sse2(const int16_t* src, ptrdiff_t ss, ptrdiff_t step, int16_t* dst, ptrdiff_t ds,
                      int w, int h, const int8_t* f, int shift) {
  __m128i c[N / 2];
  for (int k = 0; k < N / 2; ++k)
    c[k] = _mm_set1_epi32(
        static_cast<int>(static_cast<uint16_t>(f[2 * k]) |
                         (static_cast<uint32_t>(static_cast<uint16_t>(f[2 * k + 1])) << 16)));
  const __m128i sh = _mm_cvtsi32_si128(shift);
  for (int y = 0; y < h; ++y, src += ss, dst += ds)
    for (int x = 0; x < w; x += 8) {
      __m128i lo = _mm_setzero_si128(), hi = _mm_setzero_si128();
      for (int k = 0; k < N / 2; ++k) {
        const int16_t* p = src + x + 2 * k * step;
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + step));
        lo = _mm_add_epi32(lo, _mm_madd_epi16(_mm_unpacklo_epi16(a, b), c[k]));
        hi = _mm_add_epi32(hi, _mm_madd_epi16(_mm_unpackhi_epi16(a, b), c[k]));
      }
      lo = _mm_sra_epi32(lo, sh);
      hi = _mm_sra_epi32(hi, sh);
      // Keep the low 16 bits of every lane (wrap), then pack without saturation effects.
      lo = _mm_srai_epi32(_mm_slli_epi32(lo, 16), 16);
      hi = _mm_srai_epi32(_mm_slli_epi32(hi, 16), 16);
      const __m128i out = _mm_packs_epi32(lo, hi);
      if (x + 8 <= w)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + x), out);
      else
        _mm_storel_epi64(reinterpret_cast<__m128i*>(dst + x), out);
    }
}
#endif

template <int N>
void filter_pass_plain(const int16_t* src, ptrdiff_t ss, ptrdiff_t step, int16_t* dst, ptrdiff_t ds,
                       int w, int h, const int8_t* f, int shift) {
  filter_pass_scalar<N>(src, ss, step, dst, ds, w, h, f, shift);
}

template <int N>
void filter_pass(const int16_t* src, ptrdiff_t ss, ptrdiff_t step, int16_t* dst, ptrdiff_t ds,
                 int w, int h, const int8_t* f, int shift) {
  const InterpKernels& k = interp_kernels();
  (N == 8 ? k.luma : k.chroma)(src, ss, step, dst, ds, w, h, f, shift);
}

// Interpolates a w x h block whose integer reference position is (xInt, yInt) with an N-tap
// separable filter (phase coefficients fx / fy, null for the integer phase).
template <int N>
void interpolate(const RefView& ref, int xInt, int yInt, const int8_t* fx, const int8_t* fy, int w,
                 int h, int16_t* dst, ptrdiff_t ds) {
  constexpr int off = N / 2 - 1;  // taps at x - off .. x + N - 1 - off
  const int x0 = xInt - off, y0 = yInt - off;
  const int sw = w + N - 1, sh = h + N - 1;
  const Pel* src;
  ptrdiff_t ss;
  alignas(16) Pel local[kMaxSrc * kMaxSrc + 16];
  if (x0 >= -ref.margin && y0 >= -ref.margin && x0 + sw + kOverRead <= ref.width + ref.margin &&
      y0 + sh <= ref.height + ref.margin) {
    src = ref.origin + static_cast<ptrdiff_t>(y0) * ref.stride + x0;
    ss = ref.stride;
  } else {  // reference sample padding: clamp every coordinate into the picture
    for (int j = 0; j < sh; ++j) {
      const Pel* row =
          ref.origin + static_cast<ptrdiff_t>(std::clamp(y0 + j, 0, ref.height - 1)) * ref.stride;
      Pel* d = local + j * kMaxSrc;
      for (int i = 0; i < sw; ++i) d[i] = row[std::clamp(x0 + i, 0, ref.width - 1)];
      for (int i = sw; i < sw + kOverRead; ++i) d[i] = d[sw - 1];
    }
    src = local;
    ss = kMaxSrc;
  }
  // src now points at (xInt - off, yInt - off).
  if (!fx && !fy) {
    const Pel* s = src + off * ss + off;
    for (int y = 0; y < h; ++y, s += ss, dst += ds)
      for (int x = 0; x < w; ++x) dst[x] = static_cast<int16_t>(s[x] << kMcShift3);
    return;
  }
  if (!fy) {
    filter_pass<N>(src + off * ss, ss, 1, dst, ds, w, h, fx, kMcShift1);
    return;
  }
  if (!fx) {
    filter_pass<N>(src + off, ss, ss, dst, ds, w, h, fy, kMcShift1);
    return;
  }
  alignas(16) int16_t tmp[kMaxSrc * kMaxMcBlock + 16];
  filter_pass<N>(src, ss, 1, tmp, kMaxMcBlock, w, sh, fx, kMcShift1);
  filter_pass<N>(tmp, kMaxMcBlock, kMaxMcBlock, dst, ds, w, h, fy, kMcShift2);
}

}  // namespace

void mc_luma(const RefView& ref, const Mv& mv, int x, int y, int w, int h, int16_t* dst,
             ptrdiff_t dstStride) {
  const int xFrac = mv.x & 15, yFrac = mv.y & 15;
  interpolate<8>(ref, x + (mv.x >> 4), y + (mv.y >> 4), xFrac ? kLumaFilter[xFrac] : nullptr,
                 yFrac ? kLumaFilter[yFrac] : nullptr, w, h, dst, dstStride);
}

void mc_chroma(const RefView& ref, const Mv& mv, int xc, int yc, int wc, int hc, int16_t* dst,
               ptrdiff_t dstStride) {
  const int xFrac = mv.x & 31, yFrac = mv.y & 31;
  interpolate<4>(ref, xc + (mv.x >> 5), yc + (mv.y >> 5), xFrac ? kChromaFilter[xFrac] : nullptr,
                 yFrac ? kChromaFilter[yFrac] : nullptr, wc, hc, dst, dstStride);
}

namespace {
void mc_all(const RefView* v, const Mv& mv, int x, int y, int w, int h, int16_t* dstL,
            ptrdiff_t strideL, int16_t* dstCb, int16_t* dstCr, ptrdiff_t strideC) {
  mc_luma(v[0], mv, x, y, w, h, dstL, strideL);
  if (dstCb) mc_chroma(v[1], mv, x / 2, y / 2, w / 2, h / 2, dstCb, strideC);
  if (dstCr) mc_chroma(v[2], mv, x / 2, y / 2, w / 2, h / 2, dstCr, strideC);
}
}  // namespace

void motion_compensate(const Picture& ref, const Mv& mv, int x, int y, int w, int h, int16_t* dstL,
                       ptrdiff_t strideL, int16_t* dstCb, int16_t* dstCr, ptrdiff_t strideC) {
  const RefView v[3] = {ref_view(ref.comp[0]), ref_view(ref.comp[1]), ref_view(ref.comp[2])};
  mc_all(v, mv, x, y, w, h, dstL, strideL, dstCb, dstCr, strideC);
}

void motion_compensate(const PaddedPicture& ref, const Mv& mv, int x, int y, int w, int h,
                       int16_t* dstL, ptrdiff_t strideL, int16_t* dstCb, int16_t* dstCr,
                       ptrdiff_t strideC) {
  const RefView v[3] = {ref.view(0), ref.view(1), ref.view(2)};
  mc_all(v, mv, x, y, w, h, dstL, strideL, dstCb, dstCr, strideC);
}

namespace {

void weighted_uni_scalar(const int16_t* src, ptrdiff_t srcStride, Pel* dst, ptrdiff_t dstStride,
                         int w, int h) {
  constexpr int shift = 14 - kBitDepth;
  constexpr int offset = 1 << (shift - 1);
  for (int y = 0; y < h; ++y, src += srcStride, dst += dstStride)
    for (int x = 0; x < w; ++x) dst[x] = clip_pel((src[x] + offset) >> shift);
}

void weighted_bi_scalar(const int16_t* src0, ptrdiff_t stride0, const int16_t* src1,
                        ptrdiff_t stride1, Pel* dst, ptrdiff_t dstStride, int w, int h) {
  constexpr int shift = 15 - kBitDepth;
  constexpr int offset = 1 << (shift - 1);
  for (int y = 0; y < h; ++y, src0 += stride0, src1 += stride1, dst += dstStride)
    for (int x = 0; x < w; ++x) dst[x] = clip_pel((src0[x] + src1[x] + offset) >> shift);
}

}  // namespace

#ifdef VVC_HAVE_SSE2
void filter8_sse2(const int16_t* src, ptrdiff_t ss, ptrdiff_t step, int16_t* dst, ptrdiff_t ds,
                  int w, int h, const int8_t* f, int shift) {
  if ((w & 3) == 0)
    filter_pass_sse2<8>(src, ss, step, dst, ds, w, h, f, shift);
  else
    filter_pass_scalar<8>(src, ss, step, dst, ds, w, h, f, shift);
}

void filter4_sse2(const int16_t* src, ptrdiff_t ss, ptrdiff_t step, int16_t* dst, ptrdiff_t ds,
                  int w, int h, const int8_t* f, int shift) {
  if ((w & 3) == 0)
    filter_pass_sse2<4>(src, ss, step, dst, ds, w, h, f, shift);
  else
    filter_pass_scalar<4>(src, ss, step, dst, ds, w, h, f, shift);
}
#endif

InterpKernels interp_kernels_for(SimdLevel level) {
  InterpKernels k{filter_pass_plain<8>, filter_pass_plain<4>, weighted_uni_scalar,
                  weighted_bi_scalar};
#ifdef VVC_HAVE_SSE2
  if (level >= SimdLevel::Sse2) {
    k.luma = filter8_sse2;
    k.chroma = filter4_sse2;
  }
#endif
#ifdef VVC_HAVE_AVX2_INTERP
  if (level >= SimdLevel::Avx2)
    k = {filter8_avx2, filter4_avx2, weighted_uni_avx2, weighted_bi_avx2};
#endif
  return k;
}

const InterpKernels& interp_kernels() {
  static const InterpKernels k = interp_kernels_for(simd_level());
  return k;
}

void weighted_uni(const int16_t* src, ptrdiff_t srcStride, Pel* dst, ptrdiff_t dstStride, int w,
                  int h) {
  interp_kernels().uni(src, srcStride, dst, dstStride, w, h);
}

void weighted_bi(const int16_t* src0, ptrdiff_t stride0, const int16_t* src1, ptrdiff_t stride1,
                 Pel* dst, ptrdiff_t dstStride, int w, int h) {
  interp_kernels().bi(src0, stride0, src1, stride1, dst, dstStride, w, h);
}

}  // namespace vvc
