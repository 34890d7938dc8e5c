// Intra sample prediction, bit-exact per H.266 8.4.5.2 for our tool set: 10-bit, refIdx 0 (no
// MRL), no ISP, no MIP, no CCLM, no BDPCM, 4:2:0 (chroma modes need no 4:2:2 remapping).
// Clause numbers: the H.266 edition where 8.4.5.2.14 is CCLM and 8.4.5.2.15 is PDPC.
//
// Two halves so the RD search can build the reference lines once per block and then predict
// many modes cheaply:
//   build_intra_refs()  availability marking (8.4.5.2.8), substitution (8.4.5.2.9) and the
//                       [1 2 1] filtered copy (8.4.5.2.10, luma only);
//   predict_from_refs() wide-angle mapping (8.4.5.2.7), planar (8.4.5.2.11), DC (8.4.5.2.12),
//                       angular (8.4.5.2.13) and PDPC (8.4.5.2.15).
// intra_predict() does both.
#pragma once
#include <cassert>
#include <cstdint>

#include "common/picture.h"
#include "intra/intra_tables.h"

namespace vvc {

constexpr int kMaxIntraTbSize = 64;                        // max TB side (luma 64, chroma 32)
constexpr int kIntraRefLen = 2 * kMaxIntraTbSize + 1 + 7;  // corner + 2*N samples + padding

// Reference lines of one transform block. Index 0 is the corner p[-1][-1];
// top[1 + x] = p[x][-1] for x = 0..2w-1 and left[1 + y] = p[-1][y] for y = 0..2h-1
// (refW = 2*nTbW, refH = 2*nTbH), all after substitution.
struct IntraRefs {
  int w = 0;
  int h = 0;
  int cIdx = 0;
  bool hasFiltered = false;  // luma and w*h > 32: topF/leftF hold the [1 2 1] filtered lines
  alignas(16) Pel top[kIntraRefLen];
  alignas(16) Pel left[kIntraRefLen];
  alignas(16) Pel topF[kIntraRefLen];
  alignas(16) Pel leftF[kIntraRefLen];
};

// Wide-angle intra prediction mode mapping (H.266 8.4.5.2.7); w/h are the TB's size in the
// component's samples. Planar/DC and square blocks are returned unchanged.
int intra_wide_angle_mode(int predModeIntra, int w, int h);

// Second half of build_intra_refs(): takes the raw samples (top/left as laid out above, read
// only where available) and the per-sample availability marks (same indexing) and performs
// the substitution process (8.4.5.2.9) and the neighbour filtering (8.4.5.2.10).
void finish_intra_refs(IntraRefs& refs, const uint8_t* okTop, const uint8_t* okLeft);

// Builds the reference lines of the w x h block at (x0, y0) of component cIdx (coordinates
// and sizes in the component's own samples). avail(x, y) says whether sample (x, y) is inside
// the picture and already reconstructed; it is called once per 4 luma / 2 chroma samples
// along the lines (the minimum block granularity) and once for the corner.
template <class AvailFn>
void build_intra_refs(const Plane& recon, int x0, int y0, int w, int h, int cIdx,
                      const AvailFn& avail, IntraRefs& out) {
  assert(w >= 1 && h >= 1 && w <= kMaxIntraTbSize && h <= kMaxIntraTbSize);
  out.w = w;
  out.h = h;
  out.cIdx = cIdx;
  const int unit = cIdx ? 2 : 4;
  uint8_t okTop[kIntraRefLen];
  uint8_t okLeft[kIntraRefLen];

  const bool corner = avail(x0 - 1, y0 - 1);
  okTop[0] = okLeft[0] = corner;
  if (corner) out.top[0] = out.left[0] = recon.at(x0 - 1, y0 - 1);

  if (y0 > 0) {
    const Pel* row = recon.row(y0 - 1);
    bool ok = false;
    for (int i = 0; i < 2 * w; ++i) {
      const int x = x0 + i;
      if (i == 0 || x % unit == 0) ok = avail(x, y0 - 1);
      okTop[1 + i] = ok;
      if (ok) out.top[1 + i] = row[x];
    }
  } else {
    for (int i = 0; i < 2 * w; ++i) okTop[1 + i] = 0;
  }

  if (x0 > 0) {
    bool ok = false;
    for (int i = 0; i < 2 * h; ++i) {
      const int y = y0 + i;
      if (i == 0 || y % unit == 0) ok = avail(x0 - 1, y);
      okLeft[1 + i] = ok;
      if (ok) out.left[1 + i] = recon.at(x0 - 1, y);
    }
  } else {
    for (int i = 0; i < 2 * h; ++i) okLeft[1 + i] = 0;
  }
  finish_intra_refs(out, okTop, okLeft);
}

// Predicts the block described by refs with intra mode predMode (0..66, the signalled mode;
// wide-angle mapping is applied inside) into dst (w x h, row stride dstStride).
void predict_from_refs(const IntraRefs& refs, int predMode, Pel* dst, int dstStride);

// Full intra sample prediction of one TB: build_intra_refs() + predict_from_refs().
template <class AvailFn>
void intra_predict(const Plane& recon, int x0, int y0, int w, int h, int cIdx, int predMode,
                   const AvailFn& avail, Pel* dst, int dstStride) {
  IntraRefs refs;
  build_intra_refs(recon, x0, y0, w, h, cIdx, avail, refs);
  predict_from_refs(refs, predMode, dst, dstStride);
}

}  // namespace vvc
