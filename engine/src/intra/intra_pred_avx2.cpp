// AVX2 intra prediction kernels: intra_pred_body.h compiled for that instruction set by the
// function attribute (nothing else in the build uses it).
#include "intra/intra_kernels.h"

#ifdef VVC_HAVE_X86_INTRA
#include <immintrin.h>

#include "intra/simd_sse2.h"

#define VVC_INTRA_NS intra_avx2
#define VVC_INTRA_TARGET __attribute__((target("avx2")))
#define VVC_INTRA_SIMD 256
#include "intra/intra_pred_body.h"

namespace vvc {
IntraKernels intra_kernels_avx2() {
  return intra_avx2::kernels();
}
}  // namespace vvc
#endif
