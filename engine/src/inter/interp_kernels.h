// The interpolation and weighted-prediction kernels per instruction-set level (H.266 8.5.6.3
// filter passes, 8.5.6.6.2 default weighting), a table filled once at start-up with the level
// from common/simd_level.h. Every level gives bit-identical results; tests compare them.
#pragma once
#include <cstddef>
#include <cstdint>

#include "common/picture.h"
#include "common/simd_level.h"
#include "intra/simd_sse2.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) && !defined(VVC_NO_SIMD)
#define VVC_HAVE_AVX2_INTERP 1
#endif

namespace vvc {

// One separable filter pass: dst[y][x] = (sum_i f[i] * src[y * ss + x + i * step]) >> shift,
// kept to its low 16 bits (the int16 intermediate store of the reference decoders). `step` is 1
// for a horizontal pass and the row stride for a vertical one; kernels may read up to 4 samples
// past a row's last tap.
using FilterPass = void (*)(const int16_t* src, ptrdiff_t ss, ptrdiff_t step, int16_t* dst,
                            ptrdiff_t ds, int w, int h, const int8_t* f, int shift);
using WeightUni = void (*)(const int16_t* src, ptrdiff_t srcStride, Pel* dst, ptrdiff_t dstStride,
                           int w, int h);
using WeightBi = void (*)(const int16_t* src0, ptrdiff_t stride0, const int16_t* src1,
                          ptrdiff_t stride1, Pel* dst, ptrdiff_t dstStride, int w, int h);

struct InterpKernels {
  FilterPass luma;    // 8 taps
  FilterPass chroma;  // 4 taps
  WeightUni uni;
  WeightBi bi;
};

InterpKernels interp_kernels_for(SimdLevel level);  // capped at what the build has
const InterpKernels& interp_kernels();              // the process's level

#ifdef VVC_HAVE_AVX2_INTERP
void filter8_avx2(const int16_t* src, ptrdiff_t ss, ptrdiff_t step, int16_t* dst, ptrdiff_t ds,
                  int w, int h, const int8_t* f, int shift);
void filter4_avx2(const int16_t* src, ptrdiff_t ss, ptrdiff_t step, int16_t* dst, ptrdiff_t ds,
                  int w, int h, const int8_t* f, int shift);
void weighted_uni_avx2(const int16_t* src, ptrdiff_t srcStride, Pel* dst, ptrdiff_t dstStride,
                       int w, int h);
void weighted_bi_avx2(const int16_t* src0, ptrdiff_t stride0, const int16_t* src1,
                      ptrdiff_t stride1, Pel* dst, ptrdiff_t dstStride, int w, int h);
#endif
#ifdef VVC_HAVE_SSE2
void filter8_sse2(const int16_t* src, ptrdiff_t ss, ptrdiff_t step, int16_t* dst, ptrdiff_t ds,
                  int w, int h, const int8_t* f, int shift);
void filter4_sse2(const int16_t* src, ptrdiff_t ss, ptrdiff_t step, int16_t* dst, ptrdiff_t ds,
                  int w, int h, const int8_t* f, int shift);
#endif

}  // namespace vvc
