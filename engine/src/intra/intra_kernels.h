// The intra prediction kernels per instruction-set level (H.266 8.4.5.2.11-13 and 8.4.5.2.15
// from the reference lines of intra_pred.h), a table filled once at start-up with the level
// from common/simd_level.h. predict_from_refs() calls through it; every level gives
// bit-identical results and tests compare them.
#pragma once
#include "common/picture.h"
#include "common/simd_level.h"
#include "intra/intra_pred.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) && !defined(VVC_NO_SIMD)
#define VVC_HAVE_X86_INTRA 1
#endif

namespace vvc {

// Planar or DC fused with its PDPC (pdpc: both sides >= 4). top/left in the IntraRefs layout
// (index 0 = corner); w x h is the block, written to dst with the given row stride.
using IntraPlanarDc = void (*)(const Pel* top, const Pel* left, int w, int h, bool pdpc, Pel* dst,
                               int stride);
// Angular prediction (8.4.5.2.13) in the vertical orientation: main is the line the prediction
// runs along, side the other; W x H in that orientation; smooth picks fG over fC (luma); pdpc
// the angular PDPC of modes > 50 in that orientation.
using IntraAngular = void (*)(const Pel* main, const Pel* side, int W, int H, int mode, bool isLuma,
                              bool smooth, bool pdpc, Pel* dst, int stride);
// dst[y][x] = src[x][y] for src of H rows of W samples (W, H powers of two).
using IntraTranspose = void (*)(const Pel* src, int W, int H, Pel* dst, int dstStride);

struct IntraKernels {
  IntraPlanarDc planar;
  IntraPlanarDc dc;
  IntraAngular angular;
  IntraTranspose transpose;
};

IntraKernels intra_kernels_for(SimdLevel level);  // capped at what the build has
const IntraKernels& intra_kernels();              // the process's level

// predict_from_refs() with the given kernels (tests run every level through it).
void predict_from_refs_with(const IntraKernels& k, const IntraRefs& refs, int predMode, Pel* dst,
                            int dstStride);

IntraKernels intra_kernels_scalar();
#ifdef VVC_HAVE_X86_INTRA
IntraKernels intra_kernels_sse2();
IntraKernels intra_kernels_sse41();
IntraKernels intra_kernels_avx2();
#endif

}  // namespace vvc
