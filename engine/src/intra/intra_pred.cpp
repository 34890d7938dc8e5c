// Intra sample prediction (H.266 8.4.5.2), see intra_pred.h for the split into halves: the
// reference lines, the mode decisions, the scalar kernels and the table that picks a level
// once (the kernels' code is intra_pred_body.h).
#include "intra/intra_pred.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "intra/intra_kernels.h"

#define VVC_INTRA_NS intra_scalar
#define VVC_INTRA_TARGET
#define VVC_INTRA_SIMD 0
#include "intra/intra_pred_body.h"

namespace vvc {

IntraKernels intra_kernels_scalar() {
  return intra_scalar::kernels();
}

IntraKernels intra_kernels_for(SimdLevel level) {
  IntraKernels k = intra_kernels_scalar();
#ifdef VVC_HAVE_X86_INTRA
  if (level >= SimdLevel::Sse2) k = intra_kernels_sse2();
  if (level >= SimdLevel::Sse41) k = intra_kernels_sse41();
  if (level >= SimdLevel::Avx2) k = intra_kernels_avx2();
#endif
  return k;
}

const IntraKernels& intra_kernels() {
  static const IntraKernels k = intra_kernels_for(simd_level());
  return k;
}

namespace {

// floor(log2(v)) for v >= 1.
inline int ilog2(int v) {
  return 31 - __builtin_clz(static_cast<unsigned>(v));
}

// Mode 18 directly (no transposition): pred = p[-1][y], PDPC adds
// wT * (p[x][-1] - p[-1][-1]) on the first rows (8.4.5.2.15), clipped.
void pred_hor_pure(const Pel* top, const Pel* left, int w, int h, bool pdpc, Pel* dst, int stride) {
  const int nScale = (ilog2(w) + ilog2(h) - 2) >> 2;
  const int yLim = pdpc ? std::min(h, 3 << nScale) : 0;
  int32_t tD[kMaxIntraTbSize];
  for (int x = 0; x < w; ++x) tD[x] = top[1 + x] - top[0];
  for (int y = 0; y < h; ++y) {
    Pel* d = dst + y * stride;
    const int l = left[1 + y];
    if (y < yLim) {
      const int wT = 32 >> ((y << 1) >> nScale);
      for (int x = 0; x < w; ++x) d[x] = clip_pel(l + ((wT * tD[x] + 32) >> 6));
    } else {
      for (int x = 0; x < w; ++x) d[x] = static_cast<Pel>(l);
    }
  }
}

// Angular PDPC for modes < 18 applied in the block's own orientation (after the transposed
// prediction was written back): rows y < 3 << nScale get
// wT * (p[x + dXInt[y]][-1] - pred), dXInt[y] = ((y + 1) * invAngle + 256) >> 9.
void pdpc_angular_rows(const Pel* top, int w, int h, int invAngle, Pel* dst, int stride) {
  const int nScale = std::min(2, ilog2(w) - ilog2(3 * invAngle - 2) + 8);
  const int yLim = std::min(h, 3 << nScale);
  for (int y = 0; y < yLim; ++y) {
    const int wT = 32 >> ((y << 1) >> nScale);
    const Pel* t = top + 1 + (((y + 1) * invAngle + 256) >> 9);
    Pel* d = dst + y * stride;
    for (int x = 0; x < w; ++x) d[x] = static_cast<Pel>(d[x] + ((wT * (t[x] - d[x]) + 32) >> 6));
  }
}

}  // namespace

int intra_wide_angle_mode(int predModeIntra, int w, int h) {
  if (w == h || predModeIntra < 2 || predModeIntra > 66) return predModeIntra;
  const int whRatio = std::abs(ilog2(w) - ilog2(h));
  if (w > h && predModeIntra < (whRatio > 1 ? 8 + 2 * whRatio : 8)) return predModeIntra + 65;
  if (h > w && predModeIntra > (whRatio > 1 ? 60 - 2 * whRatio : 60)) return predModeIntra - 67;
  return predModeIntra;
}

void finish_intra_refs(IntraRefs& refs, const uint8_t* okTop, const uint8_t* okLeft) {
  const int refW = 2 * refs.w;
  const int refH = 2 * refs.h;
  Pel* top = refs.top;
  Pel* left = refs.left;

  // Substitution (8.4.5.2.9) walks p[-1][refH-1] .. p[-1][-1], p[0][-1] .. p[refW-1][-1]:
  // a missing start takes the first available sample of that walk, every other missing
  // sample copies its predecessor in the walk.
  int firstLeft = -1;  // walk position of the first available sample, on the left part
  for (int y = refH; y >= 0; --y) {
    if (okLeft[y]) {
      firstLeft = y;
      break;
    }
  }
  int firstTop = -1;
  if (firstLeft < 0) {
    for (int x = 1; x <= refW; ++x) {
      if (okTop[x]) {
        firstTop = x;
        break;
      }
    }
  }
  if (firstLeft < 0 && firstTop < 0) {
    const Pel mid = static_cast<Pel>(1 << (kBitDepth - 1));
    for (int i = 0; i <= refW; ++i) top[i] = mid;
    for (int i = 0; i <= refH; ++i) left[i] = mid;
  } else {
    Pel prev = firstLeft >= 0 ? left[firstLeft] : top[firstTop];
    for (int y = refH; y >= 1; --y) {
      if (okLeft[y])
        prev = left[y];
      else
        left[y] = prev;
    }
    if (okLeft[0])  // corner (okTop[0] == okLeft[0])
      prev = left[0];
    else
      left[0] = prev;
    top[0] = left[0];
    for (int x = 1; x <= refW; ++x) {
      if (okTop[x])
        prev = top[x];
      else
        top[x] = prev;
    }
  }
  for (int i = 1; i <= 4 && refW + i < kIntraRefLen; ++i) top[refW + i] = top[refW];
  for (int i = 1; i <= 4 && refH + i < kIntraRefLen; ++i) left[refH + i] = left[refH];

  // Filtering of neighbouring samples (8.4.5.2.10): luma with nTbW * nTbH > 32 (the mode
  // dependent refFilterFlag is applied at prediction time).
  refs.hasFiltered = refs.cIdx == 0 && refs.w * refs.h > 32;
  if (refs.hasFiltered) {
    Pel* tf = refs.topF;
    Pel* lf = refs.leftF;
    tf[0] = lf[0] = static_cast<Pel>((left[1] + 2 * top[0] + top[1] + 2) >> 2);
    for (int x = 1; x < refW; ++x)
      tf[x] = static_cast<Pel>((top[x - 1] + 2 * top[x] + top[x + 1] + 2) >> 2);
    tf[refW] = top[refW];
    for (int y = 1; y < refH; ++y)
      lf[y] = static_cast<Pel>((left[y - 1] + 2 * left[y] + left[y + 1] + 2) >> 2);
    lf[refH] = left[refH];
    for (int i = 1; i <= 4 && refW + i < kIntraRefLen; ++i) tf[refW + i] = tf[refW];
    for (int i = 1; i <= 4 && refH + i < kIntraRefLen; ++i) lf[refH + i] = lf[refH];
  }
}

void predict_from_refs(const IntraRefs& refs, int predMode, Pel* dst, int dstStride) {
  predict_from_refs_with(intra_kernels(), refs, predMode, dst, dstStride);
}

void predict_from_refs_with(const IntraKernels& kern, const IntraRefs& refs, int predMode, Pel* dst,
                            int dstStride) {
  const int w = refs.w;
  const int h = refs.h;
  const bool isLuma = refs.cIdx == 0;
  const int mode = intra_wide_angle_mode(predMode, w, h);
  // refFilterFlag selects the [1 2 1] filtered lines (luma, nTbW * nTbH > 32 only).
  const bool refFilterFlag = intra_ref_filter_mode(mode);
  const bool useFiltered = refFilterFlag && refs.hasFiltered;
  const Pel* top = useFiltered ? refs.topF : refs.top;
  const Pel* left = useFiltered ? refs.leftF : refs.left;
  // PDPC needs both sides >= 4 (refIdx 0, no BDPCM in our tool set).
  const bool pdpcSize = w >= 4 && h >= 4;

  if (mode == kIntraPlanar) {
    kern.planar(top, left, w, h, pdpcSize, dst, dstStride);
    return;
  }
  if (mode == kIntraDc) {
    kern.dc(top, left, w, h, pdpcSize, dst, dstStride);
    return;
  }
  if (mode == kIntraHor) {
    pred_hor_pure(top, left, w, h, pdpcSize, dst, dstStride);
    return;
  }

  const bool isVer = mode >= kIntraDia;
  const int angle = intra_pred_angle(mode);
  const int W = isVer ? w : h;  // block size in the vertical orientation
  const int H = isVer ? h : w;

  // Interpolation filter choice (8.4.5.2.13): fG when minDistVerHor > threshold, unless the
  // mode uses the filtered reference lines (refFilterFlag) or this is chroma (2-tap).
  bool smooth = false;
  if (isLuma && !refFilterFlag) {
    const int minDistVerHor = std::min(std::abs(mode - kIntraVer), std::abs(mode - kIntraHor));
    const int nTbS = (ilog2(w) + ilog2(h)) >> 1;
    smooth = minDistVerHor > kIntraHorVerDistThres[nTbS - 2];
  }

  // PDPC for angular modes: 18 and 50 always (with the size condition); otherwise positive
  // angles (modes < 18 or > 50) with nScale >= 0.
  bool pdpc = pdpcSize && angle >= 0;
  if (pdpc && angle > 0) {
    const int nScale = std::min(2, ilog2(H) - ilog2(3 * intra_inv_angle_of_mode(mode) - 2) + 8);
    pdpc = nScale >= 0;
  }

  if (isVer) {
    kern.angular(top, left, W, H, mode, isLuma, smooth, pdpc, dst, dstStride);
  } else {
    // Horizontal modes: predict the transposed block from (left, top), then transpose back.
    alignas(16) Pel tmp[kMaxIntraTbSize * kMaxIntraTbSize];
    // Pure horizontal (18) is handled above, so angle != 0 here; PDPC runs after the
    // transposition where its rows are contiguous.
    kern.angular(left, top, W, H, mode, isLuma, smooth, false, tmp, W);
    kern.transpose(tmp, W, H, dst, dstStride);
    if (pdpc) pdpc_angular_rows(top, w, h, intra_inv_angle_of_mode(mode), dst, dstStride);
  }
}

}  // namespace vvc
