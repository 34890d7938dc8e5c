// SSE2 transform kernels (the x86-64 baseline): transform_body.h with 128-bit pmaddwd.
#include "transform/transform_kernels.h"

#ifdef VVC_HAVE_X86_TX
#include <emmintrin.h>

#define VVC_TX_NS tx_sse2
#define VVC_TX_TARGET
#define VVC_TX_SIMD 128
#include "transform/transform_body.h"

namespace vvc {
void fill_transform_sse2(TransformKernels& k) {
  tx_sse2::fill_sizes<2, 1>(k);
}
}  // namespace vvc
#endif
