// The distortion kernels per instruction-set level, as a table filled once at start-up (the
// level from common/simd_level.h). sse(), sad() and satd() of distortion.h call through it;
// tests compare every level's kernels with the scalar ones.
#pragma once
#include <cstdint>

#include "common/picture.h"
#include "common/simd_level.h"
#include "intra/simd_sse2.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) && !defined(VVC_NO_SIMD)
#define VVC_HAVE_AVX2_KERNELS 1
#endif

namespace vvc {

using BlockMeasure = uint64_t (*)(const Pel* a, int as, const Pel* b, int bs, int w, int h);

struct DistortionKernels {
  BlockMeasure sse;
  BlockMeasure sad;
  BlockMeasure satd;  // the tiling and per-tile rounding of distortion.h's satd()
};

DistortionKernels distortion_kernels_for(SimdLevel level);  // capped at what the build has
const DistortionKernels& distortion_kernels();              // the process's level

uint64_t sse_scalar(const Pel* a, int as, const Pel* b, int bs, int w, int h);
uint64_t satd_scalar(const Pel* a, int as, const Pel* b, int bs, int w, int h);
#ifdef VVC_HAVE_AVX2_KERNELS
uint64_t sse_avx2(const Pel* a, int as, const Pel* b, int bs, int w, int h);
uint64_t sad_avx2(const Pel* a, int as, const Pel* b, int bs, int w, int h);
uint64_t satd_avx2(const Pel* a, int as, const Pel* b, int bs, int w, int h);
#endif
#ifdef VVC_HAVE_SSE2
uint64_t sad_sse2(const Pel* a, int as, const Pel* b, int bs, int w, int h);
uint64_t satd_sse2(const Pel* a, int as, const Pel* b, int bs, int w, int h);
#endif

}  // namespace vvc
