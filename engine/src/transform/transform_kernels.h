// The 2-D DCT-II kernels per instruction-set level (one function per block size, H.266 8.7.4
// for the inverse), as a table filled once at start-up with the level from
// common/simd_level.h. forward_transform() and inverse_transform() of transform.h call through
// it; every level gives bit-identical results and tests compare them.
#pragma once
#include <cstddef>
#include <cstdint>

#include "common/simd_level.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) && !defined(VVC_NO_SIMD)
#define VVC_HAVE_X86_TX 1
#endif

namespace vvc {

using ForwardTx = void (*)(const int16_t* resid, ptrdiff_t residStride, int32_t* coeff);
using InverseTx = void (*)(const int32_t* coeff, int16_t* resid, ptrdiff_t residStride);

struct TransformKernels {
  // [log2W - 2][log2H - 1]: widths 4..64, heights 2..64 (chroma TBs 2 samples high).
  ForwardTx fwd[5][6];
  InverseTx inv[5][6];
};

TransformKernels transform_kernels_for(SimdLevel level);  // capped at what the build has
const TransformKernels& transform_kernels();              // the process's level

// Each fills every size of the table with its instruction set's kernels.
void fill_transform_scalar(TransformKernels& k);
#ifdef VVC_HAVE_X86_TX
void fill_transform_sse2(TransformKernels& k);
void fill_transform_sse41(TransformKernels& k);
void fill_transform_avx2(TransformKernels& k);
#endif

}  // namespace vvc
