// SSE4.1 (SSE2 intrinsics; the vectorised plain loops use SSE4.1) intra prediction kernels:
// intra_pred_body.h compiled for that instruction set by the function attribute (nothing else in
// the build uses it).
#include "intra/intra_kernels.h"

#ifdef VVC_HAVE_X86_INTRA
#include <immintrin.h>

#include "intra/simd_sse2.h"

#define VVC_INTRA_NS intra_sse41
#define VVC_INTRA_TARGET __attribute__((target("sse4.1")))
#define VVC_INTRA_SIMD 128
#include "intra/intra_pred_body.h"

namespace vvc {
IntraKernels intra_kernels_sse41() {
  return intra_sse41::kernels();
}
}  // namespace vvc
#endif
