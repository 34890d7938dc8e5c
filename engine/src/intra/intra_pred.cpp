// Intra sample prediction (H.266 8.4.5.2), see intra_pred.h for the split into halves.
#include "intra/intra_pred.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "intra/simd_sse2.h"

namespace vvc {
namespace {

// floor(log2(v)) for v >= 1.
inline int ilog2(int v) {
  return 31 - __builtin_clz(static_cast<unsigned>(v));
}

// PDPC weights 32 >> ((k << 1) >> nScale) for k = 0..n-1, zero from k = 3 << nScale on
// (8.4.5.2.15; the spec's shift reaches 6 there, later shifts are mathematically 0 too).
inline void pdpc_weights(int nScale, int n, int32_t* wgt) {
  const int lim = std::min(n, 3 << nScale);
  for (int k = 0; k < lim; ++k) wgt[k] = 32 >> ((k << 1) >> nScale);
  for (int k = lim; k < n; ++k) wgt[k] = 0;
}

// Planar (8.4.5.2.11) fused with its PDPC (8.4.5.2.15). top/left use the IntraRefs layout
// (index 0 = corner). predV is updated incrementally per row; PDPC with refL = p[-1][y],
// refT = p[x][-1] and no corner term is a convex combination, so no clipping is needed.
void pred_planar(const Pel* top, const Pel* left, int w, int h, bool pdpc, Pel* dst, int stride) {
  const int log2W = ilog2(w);
  const int log2H = ilog2(h);
  const int shift = log2W + log2H + 1;
  const int topRight = top[1 + w];
  const int bottomLeft = left[1 + h];
  const int nScale = (log2W + log2H - 2) >> 2;
  int32_t vAcc[kMaxIntraTbSize], vStep[kMaxIntraTbSize], t[kMaxIntraTbSize];
  int32_t hA[kMaxIntraTbSize], hB[kMaxIntraTbSize], wL[kMaxIntraTbSize];
  for (int x = 0; x < w; ++x) {
    t[x] = top[1 + x];
    vAcc[x] = (h - 1) * t[x] + bottomLeft;  // (h-1-y)*T + (y+1)*BL at y = 0
    vStep[x] = bottomLeft - t[x];
    hA[x] = w - 1 - x;
    hB[x] = (x + 1) * topRight;
  }
  pdpc_weights(pdpc ? nScale : 0, pdpc ? w : 0, wL);
  const int yLim = pdpc ? std::min(h, 3 << nScale) : 0;
  for (int y = 0; y < h; ++y) {
    const int l = left[1 + y];
    Pel* d = dst + y * stride;
    if (y < yLim) {
      const int wT = 32 >> ((y << 1) >> nScale);
      for (int x = 0; x < w; ++x) {
        const int v = ((vAcc[x] << log2W) + ((hA[x] * l + hB[x]) << log2H) + w * h) >> shift;
        d[x] = static_cast<Pel>(v + ((wL[x] * (l - v) + wT * (t[x] - v) + 32) >> 6));
      }
    } else if (pdpc) {
      for (int x = 0; x < w; ++x) {
        const int v = ((vAcc[x] << log2W) + ((hA[x] * l + hB[x]) << log2H) + w * h) >> shift;
        d[x] = static_cast<Pel>(v + ((wL[x] * (l - v) + 32) >> 6));
      }
    } else {
      for (int x = 0; x < w; ++x)
        d[x] = static_cast<Pel>(((vAcc[x] << log2W) + ((hA[x] * l + hB[x]) << log2H) + w * h) >>
                                shift);
    }
    for (int x = 0; x < w; ++x) vAcc[x] += vStep[x];
  }
}

// DC (8.4.5.2.12; non-square blocks average the longer side only) fused with its PDPC.
void pred_dc(const Pel* top, const Pel* left, int w, int h, bool pdpc, Pel* dst, int stride) {
  int sum = 0;
  int dc;
  if (w == h) {
    for (int i = 0; i < w; ++i) sum += top[1 + i] + left[1 + i];
    dc = (sum + w) >> (ilog2(w) + 1);
  } else if (w > h) {
    for (int i = 0; i < w; ++i) sum += top[1 + i];
    dc = (sum + (w >> 1)) >> ilog2(w);
  } else {
    for (int i = 0; i < h; ++i) sum += left[1 + i];
    dc = (sum + (h >> 1)) >> ilog2(h);
  }
  const int nScale = (ilog2(w) + ilog2(h) - 2) >> 2;
  const int lim = pdpc ? 3 << nScale : 0;  // PDPC weights vanish from here on
  const int xLim = std::min(w, lim);
  int32_t wL[kMaxIntraTbSize];
  int32_t tT[kMaxIntraTbSize];  // wT-independent part: p[x][-1] - dc
  pdpc_weights(nScale, w, wL);
  for (int x = 0; x < w; ++x) tT[x] = top[1 + x] - dc;
  for (int y = 0; y < h; ++y) {
    Pel* d = dst + y * stride;
    if (y < lim) {
      const int wT = 32 >> ((y << 1) >> nScale);
      const int lD = left[1 + y] - dc;
      for (int x = 0; x < w; ++x)
        d[x] = static_cast<Pel>(dc + ((wL[x] * lD + wT * tT[x] + 32) >> 6));
    } else {
      const int lD = left[1 + y] - dc;
      for (int x = 0; x < xLim; ++x) d[x] = static_cast<Pel>(dc + ((wL[x] * lD + 32) >> 6));
      for (int x = xLim; x < w; ++x) d[x] = static_cast<Pel>(dc);
    }
  }
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

// Writes the transpose of src back into the block's own orientation: src holds H rows of W
// samples (the block predicted in the vertical orientation, W = block height, H = block
// width); dst[y][x] = src[x][y].
void transpose_block(const Pel* src, int W, int H, Pel* dst, int dstStride) {
#ifdef VVC_HAVE_SSE2
  if ((W & 7) == 0 && (H & 7) == 0) {
    for (int y0 = 0; y0 < W; y0 += 8)
      for (int x0 = 0; x0 < H; x0 += 8) {
        __m128i r[8];
        for (int i = 0; i < 8; ++i)
          r[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + (x0 + i) * W + y0));
        simd::transpose8x8_epi16(r);
        for (int i = 0; i < 8; ++i)
          _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + (y0 + i) * dstStride + x0), r[i]);
      }
    return;
  }
  if ((W & 3) == 0 && (H & 3) == 0) {  // 4x4 tiles
    for (int y0 = 0; y0 < W; y0 += 4)
      for (int x0 = 0; x0 < H; x0 += 4) {
        const Pel* s0 = src + x0 * W + y0;
        const __m128i a =
            _mm_unpacklo_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(s0)),
                               _mm_loadl_epi64(reinterpret_cast<const __m128i*>(s0 + W)));
        const __m128i b =
            _mm_unpacklo_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(s0 + 2 * W)),
                               _mm_loadl_epi64(reinterpret_cast<const __m128i*>(s0 + 3 * W)));
        const __m128i lo = _mm_unpacklo_epi32(a, b);  // dst rows y0, y0 + 1
        const __m128i hi = _mm_unpackhi_epi32(a, b);  // dst rows y0 + 2, y0 + 3
        Pel* d0 = dst + y0 * dstStride + x0;
        _mm_storel_epi64(reinterpret_cast<__m128i*>(d0), lo);
        _mm_storel_epi64(reinterpret_cast<__m128i*>(d0 + dstStride), _mm_unpackhi_epi64(lo, lo));
        _mm_storel_epi64(reinterpret_cast<__m128i*>(d0 + 2 * dstStride), hi);
        _mm_storel_epi64(reinterpret_cast<__m128i*>(d0 + 3 * dstStride),
                         _mm_unpackhi_epi64(hi, hi));
      }
    return;
  }
#endif
  constexpr int B = 8;
  for (int y0 = 0; y0 < W; y0 += B) {
    const int yEnd = std::min(W, y0 + B);
    for (int x0 = 0; x0 < H; x0 += B) {
      const int xEnd = std::min(H, x0 + B);
      for (int y = y0; y < yEnd; ++y) {
        Pel* d = dst + y * dstStride;
        for (int x = x0; x < xEnd; ++x) d[x] = src[x * W + y];
      }
    }
  }
}

// Copies a row of W (a power of two >= 4) samples; fixed sizes inline for small blocks.
inline void copy_row(Pel* d, const Pel* s, int W) {
  if (W == 4)
    std::memcpy(d, s, 4 * sizeof(Pel));
  else if (W == 8)
    std::memcpy(d, s, 8 * sizeof(Pel));
  else
    std::memcpy(d, s, static_cast<size_t>(W) * sizeof(Pel));
}

// d[x] = Clip1((f0 r[x] + f1 r[x+1] + f2 r[x+2] + f3 r[x+3] + 32) >> 6), x < W (W % 4 == 0).
// The SSE2 path pairs taps for pmaddwd (exact 16x16->32 products; samples are 10-bit).
inline void filter_4tap(const Pel* r, const int8_t* f, int W, Pel* d) {
  int x = 0;
#ifdef VVC_HAVE_SSE2
  const __m128i c01 = _mm_set1_epi32((f[0] & 0xFFFF) | (f[1] << 16));
  const __m128i c23 = _mm_set1_epi32((f[2] & 0xFFFF) | (f[3] << 16));
  const __m128i rnd = _mm_set1_epi32(32);
  const __m128i maxv = _mm_set1_epi16(kMaxVal);
  const __m128i zero = _mm_setzero_si128();
  if (W == 4) {
    const __m128i r0 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(r));
    const __m128i r1 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(r + 1));
    const __m128i r2 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(r + 2));
    const __m128i r3 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(r + 3));
    __m128i v = _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(r0, r1), c01),
                              _mm_madd_epi16(_mm_unpacklo_epi16(r2, r3), c23));
    v = _mm_srai_epi32(_mm_add_epi32(v, rnd), 6);
    v = _mm_min_epi16(_mm_max_epi16(_mm_packs_epi32(v, v), zero), maxv);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(d), v);
    return;
  }
  for (; x + 8 <= W; x += 8) {
    const __m128i r0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r + x));
    const __m128i r1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r + x + 1));
    const __m128i r2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r + x + 2));
    const __m128i r3 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r + x + 3));
    __m128i lo = _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(r0, r1), c01),
                               _mm_madd_epi16(_mm_unpacklo_epi16(r2, r3), c23));
    __m128i hi = _mm_add_epi32(_mm_madd_epi16(_mm_unpackhi_epi16(r0, r1), c01),
                               _mm_madd_epi16(_mm_unpackhi_epi16(r2, r3), c23));
    lo = _mm_srai_epi32(_mm_add_epi32(lo, rnd), 6);
    hi = _mm_srai_epi32(_mm_add_epi32(hi, rnd), 6);
    const __m128i v = _mm_min_epi16(_mm_max_epi16(_mm_packs_epi32(lo, hi), zero), maxv);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + x), v);
  }
#endif
  const int f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3];
  for (; x < W; ++x) {
    const int v = f0 * r[x] + f1 * r[x + 1] + f2 * r[x + 2] + f3 * r[x + 3];
    d[x] = clip_pel((v + 32) >> 6);
  }
}

// Chroma: d[x] = ((32 - iFact) r[x] + iFact r[x+1] + 16) >> 5 (here r points at ref + iIdx + 1).
inline void filter_2tap(const Pel* r, int iFact, int W, Pel* d) {
  int x = 0;
#ifdef VVC_HAVE_SSE2
  const __m128i c = _mm_set1_epi32((32 - iFact) | (iFact << 16));
  const __m128i rnd = _mm_set1_epi32(16);
  if (W == 4) {
    const __m128i r0 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(r));
    const __m128i r1 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(r + 1));
    const __m128i v =
        _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(r0, r1), c), rnd), 5);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(d), _mm_packs_epi32(v, v));
    return;
  }
  for (; x + 8 <= W; x += 8) {
    const __m128i r0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r + x));
    const __m128i r1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r + x + 1));
    const __m128i lo =
        _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(r0, r1), c), rnd), 5);
    const __m128i hi =
        _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(_mm_unpackhi_epi16(r0, r1), c), rnd), 5);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + x), _mm_packs_epi32(lo, hi));
  }
#endif
  const int a = 32 - iFact;
  for (; x < W; ++x) d[x] = static_cast<Pel>((a * r[x] + iFact * r[x + 1] + 16) >> 5);
}

// Angular prediction (8.4.5.2.13) in the "vertical" orientation: main is the reference line
// the prediction runs along (top for modes >= 34, left for modes < 34 with the block
// transposed), side the other one, both in IntraRefs layout. W x H is the block in this
// orientation (W along main). Writes rows of W samples to dst with the given stride.
void pred_angular_ver(const Pel* main, const Pel* side, int W, int H, int mode, bool isLuma,
                      bool smoothFilter, bool pdpc, Pel* dst, int stride) {
  const int angle = intra_pred_angle(mode);
  const int invAngle = intra_inv_angle_of_mode(mode);
  // ref[k], ref[0] = corner. For angle >= 0 it is main itself: ref[x] for x = 0..refW and
  // ref[refW + 1] = p[refW - 1][-1], which IntraRefs already holds as padding (the further
  // padding is only ever read with a zero filter coefficient). For angle < 0, ref[x] for
  // x = 0..W+1 extended to the left (down to -H) by projecting the side line.
  Pel refBuf[kMaxIntraTbSize + kMaxIntraTbSize + 8];
  const Pel* ref = main;
  if (angle < 0) {
    Pel* ext = refBuf + kMaxIntraTbSize;
    std::memcpy(ext, main, sizeof(Pel) * (W + 2));
    for (int k = -H; k < 0; ++k) ext[k] = side[std::min((k * invAngle + 256) >> 9, H)];
    ref = ext;
  }

  if (angle == 0) {
    // Modes 18 / 50: pred = ref[x + 1]; PDPC adds wL * (p[-1][y] - p[-1][-1]), clipped
    // (refL = p[-1][y] - p[-1][-1] + pred, wT = 0).
    const int nScale = (ilog2(W) + ilog2(H) - 2) >> 2;
    const int xLim = pdpc ? std::min(W, 3 << nScale) : 0;
    int32_t wL[kMaxIntraTbSize];
    pdpc_weights(nScale, xLim, wL);
    for (int y = 0; y < H; ++y) {
      Pel* d = dst + y * stride;
      const int diff = side[1 + y] - side[0];
      for (int x = 0; x < xLim; ++x) d[x] = clip_pel(ref[1 + x] + ((wL[x] * diff + 32) >> 6));
      std::memcpy(d + xLim, ref + 1 + xLim, sizeof(Pel) * (W - xLim));
    }
    return;
  }

  for (int y = 0; y < H; ++y) {
    const int pos = (y + 1) * angle;
    const int iIdx = pos >> 5;
    const int iFact = pos & 31;
    const Pel* r = ref + iIdx;  // r[x + i] = ref[x + iIdx + i]
    Pel* d = dst + y * stride;
    if (isLuma) {
      if (iFact == 0 && !smoothFilter) {  // fC phase 0 is {0, 64, 0, 0}
        copy_row(d, r + 1, W);
      } else {
        const int8_t* f = smoothFilter ? kIntraFilterG[iFact] : kIntraFilterC[iFact];
        filter_4tap(r, f, W, d);
      }
    } else {  // chroma: 2-tap linear interpolation
      if (iFact == 0)
        copy_row(d, r + 1, W);
      else
        filter_2tap(r + 1, iFact, W, d);
    }
  }

  if (pdpc) {
    // Angular PDPC (8.4.5.2.15), modes > 50 in this orientation: refL = p[-1][y + dYInt[x]],
    // dYInt[x] = ((x + 1) * invAngle + 256) >> 9, wL = 32 >> ((x << 1) >> nScale). Column by
    // column the side samples are contiguous. The result is a convex combination: in range.
    const int nScale = std::min(2, ilog2(H) - ilog2(3 * invAngle - 2) + 8);
    const int xLim = std::min(W, 3 << nScale);
    for (int x = 0; x < xLim; ++x) {
      const int wL = 32 >> ((x << 1) >> nScale);
      const Pel* s = side + 1 + (((x + 1) * invAngle + 256) >> 9);
      Pel* d = dst + x;
      for (int y = 0; y < H; ++y) {
        const int v = d[y * stride];
        d[y * stride] = static_cast<Pel>(v + ((wL * (s[y] - v) + 32) >> 6));
      }
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
    pred_planar(top, left, w, h, pdpcSize, dst, dstStride);
    return;
  }
  if (mode == kIntraDc) {
    pred_dc(top, left, w, h, pdpcSize, dst, dstStride);
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
    pred_angular_ver(top, left, W, H, mode, isLuma, smooth, pdpc, dst, dstStride);
  } else {
    // Horizontal modes: predict the transposed block from (left, top), then transpose back.
    alignas(16) Pel tmp[kMaxIntraTbSize * kMaxIntraTbSize];
    // Pure horizontal (18) is handled above, so angle != 0 here; PDPC runs after the
    // transposition where its rows are contiguous.
    pred_angular_ver(left, top, W, H, mode, isLuma, smooth, false, tmp, W);
    transpose_block(tmp, W, H, dst, dstStride);
    if (pdpc) pdpc_angular_rows(top, w, h, intra_inv_angle_of_mode(mode), dst, dstStride);
  }
}

}  // namespace vvc
