// SSE2 (the x86-64 baseline) intra prediction kernels: intra_pred_body.h compiled for that
// instruction set by the function attribute (nothing else in the build uses it).
#include "intra/intra_kernels.h"

#ifdef VVC_HAVE_X86_INTRA
#include <immintrin.h>

#include "intra/simd_sse2.h"

#define VVC_INTRA_NS intra_sse2
#define VVC_INTRA_TARGET
#define VVC_INTRA_SIMD 128
#include "intra/intra_pred_body.h"

namespace vvc {
IntraKernels intra_kernels_sse2() {
  return intra_sse2::kernels();
}
}  // namespace vvc
#endif
