// DCT-II transforms (see transform.h): the public functions, the scalar kernels and the table
// that picks a level once (the kernels' code is transform_body.h, the matrices dct2_matrix.h).
// The forward transform is not normative; it mirrors VTM's scaling so that the quantizer's
// qBits formula (quant.h) holds.
#include "transform/transform.h"

#include "transform/dct2_matrix.h"
#include "transform/transform_kernels.h"

#define VVC_TX_NS tx_scalar
#define VVC_TX_TARGET
#define VVC_TX_SIMD 0
#include "transform/transform_body.h"

namespace vvc {

void fill_transform_scalar(TransformKernels& k) {
  tx_scalar::fill_sizes<2, 1>(k);
}

TransformKernels transform_kernels_for(SimdLevel level) {
  TransformKernels k{};
  fill_transform_scalar(k);
#ifdef VVC_HAVE_X86_TX
  if (level >= SimdLevel::Sse2) fill_transform_sse2(k);
  if (level >= SimdLevel::Sse41) fill_transform_sse41(k);
  if (level >= SimdLevel::Avx2) fill_transform_avx2(k);
#endif
  return k;
}

const TransformKernels& transform_kernels() {
  static const TransformKernels k = transform_kernels_for(simd_level());
  return k;
}

int dct2_coef(int log2N, int k, int i) {
  return dct2::kMats.fwd[log2N - 1][k][i];
}

void forward_transform(const int16_t* resid, int residStride, int log2W, int log2H,
                       int32_t* coeff) {
  transform_kernels().fwd[log2W - 2][log2H - 1](resid, residStride, coeff);
}

void inverse_transform(const int32_t* coeff, int log2W, int log2H, int16_t* resid,
                       int residStride) {
  transform_kernels().inv[log2W - 2][log2H - 1](coeff, resid, residStride);
}

}  // namespace vvc
