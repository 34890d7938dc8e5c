// SSE4.1 transform kernels: transform_body.h with 128-bit pmaddwd, compiled for SSE4.1 by the
// function attribute (nothing else in the build uses SSE4.1 instructions).
#include "transform/transform_kernels.h"

#ifdef VVC_HAVE_X86_TX
#include <immintrin.h>

#define VVC_TX_NS tx_sse41
#define VVC_TX_TARGET __attribute__((target("sse4.1")))
#define VVC_TX_SIMD 128
#include "transform/transform_body.h"

namespace vvc {
void fill_transform_sse41(TransformKernels& k) {
  tx_sse41::fill_sizes<2, 1>(k);
}
}  // namespace vvc
#endif
