// AVX2 transform kernels: transform_body.h with 256-bit pmaddwd (128-bit for 4-wide rows),
// compiled for AVX2 by the function attribute (nothing else in the build uses AVX2).
#include "transform/transform_kernels.h"

#ifdef VVC_HAVE_X86_TX
#include <immintrin.h>

#define VVC_TX_NS tx_avx2
#define VVC_TX_TARGET __attribute__((target("avx2")))
#define VVC_TX_SIMD 256
#include "transform/transform_body.h"

namespace vvc {
void fill_transform_avx2(TransformKernels& k) {
  tx_avx2::fill_sizes<2, 1>(k);
}
}  // namespace vvc
#endif
