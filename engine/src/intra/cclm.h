// Cross-component linear model chroma intra prediction: INTRA_LT_CCLM (81), INTRA_L_CCLM (82)
// and INTRA_T_CCLM (83), H.266 8.4.5.2.14, for 4:2:0 (SubWidthC = SubHeightC = 2), 10-bit.
//
// The chroma block is predicted as ((pDsY * a) >> k) + b from the down-sampled reconstructed
// luma (before deblocking) of the co-located block; (a, b, k) come from two averaged minimum
// and maximum points among four selected neighbour pairs (down-sampled luma, chroma) of the
// row above and/or the column left. The down-sampling filter depends on
// sps_chroma_vertical_collocated_flag: 0 -> the 6-tap [1 2 1; 1 2 1] / 8 filter (chroma sited
// between two luma rows), 1 -> the 5-tap "plus" filter (chroma co-sited with a luma row).
// Where the spec leaves the padding of unavailable neighbours to the text, this follows the
// decoder that serves as our conformance oracle (FFmpeg's VVC decoder, which matches VTM).
#pragma once
#include <algorithm>

#include "common/picture.h"

namespace vvc {

constexpr int kIntraLtCclm = 81;
constexpr int kIntraLCclm = 82;
constexpr int kIntraTCclm = 83;

inline bool is_cclm_mode(int predMode) {
  return predMode >= kIntraLtCclm && predMode <= kIntraTCclm;
}

// What the process needs to know about one chroma block. Positions and sizes in chroma samples.
struct CclmBlock {
  int x = 0, y = 0, w = 0, h = 0;  // xTbC, yTbC, nTbW, nTbH
  bool avail_t = false;            // availT: the luma block above (xTbY, yTbY - 1) is available
  bool avail_l = false;            // availL: the luma block left (xTbY - 1, yTbY) is available
  // Available chroma samples of the row above counted from x (at most w + min(w, h)), and of
  // the column left counted from y (at most h + min(w, h)); only INTRA_T_CCLM / INTRA_L_CCLM
  // read beyond w / h (numTopRight / numLeftBelow of the spec).
  int num_top = 0;
  int num_left = 0;
  bool ctu_top = false;              // bCTUboundary: yTbY is the first luma row of a CTU
  bool vertical_collocated = false;  // sps_chroma_vertical_collocated_flag
};

// Selected neighbour positions (pickPosT / pickPosL of 8.4.5.2.14) in chroma samples,
// relative to the block's top-left: top ones at (pos_t[i], -1), left ones at (-1, pos_l[i]).
struct CclmPick {
  int cnt_t = 0, cnt_l = 0;
  int pos_t[4] = {};
  int pos_l[4] = {};
};

// Linear model of one chroma component: pred = Clip1(((pDsY * a) >> k) + b).
struct CclmModel {
  int a = 0, b = 0, k = 0;
};

// numSampT / numSampL and the pick positions for mode 81..83. Returns false when no neighbour
// is used (numSampT == numSampL == 0): the prediction is then 1 << (BitDepth - 1).
bool cclm_pick(const CclmBlock& b, int predMode, CclmPick& out);

// Down-sampled luma of the selected neighbours, top ones first, then left ones (pSelDsY).
void cclm_neighbour_luma(const Plane& luma, const CclmBlock& b, const CclmPick& pick, int* sel);

// Model from the selected pairs (cnt 2 or 4): duplication of a 2-point selection, the
// 4-point min/max grouping, averaging, and the division-table derivation of a, b, k.
CclmModel cclm_model(const int* selY, const int* selC, int cnt);

// Down-sampled co-located luma block pDsY (w x h, stride w).
void cclm_downsample_block(const Plane& luma, const CclmBlock& b, Pel* dsy);

// Predicts component plane `chroma` (Cb or Cr) of the block with mode 81..83 into dst.
void cclm_predict(const Plane& luma, const Plane& chroma, const CclmBlock& b, int predMode,
                  Pel* dst, int dstStride);

// Builds the CclmBlock of the chroma block (xC, yC, w, h). availT / availL: availability of
// the luma positions (2 xC, 2 yC - 1) / (2 xC - 1, 2 yC) (6.4.4). availC(x, y) says whether
// chroma sample (x, y) is inside the picture and already reconstructed; it is called once
// per 2 chroma samples along the row above / the column left.
template <class AvailC>
CclmBlock make_cclm_block(int xC, int yC, int w, int h, bool availT, bool availL, int log2Ctu,
                          bool verticalCollocated, const AvailC& availC) {
  CclmBlock b;
  b.x = xC;
  b.y = yC;
  b.w = w;
  b.h = h;
  b.avail_t = availT;
  b.avail_l = availL;
  b.ctu_top = ((2 * yC) & ((1 << log2Ctu) - 1)) == 0;
  b.vertical_collocated = verticalCollocated;
  // nTbW + Min(numTopRight, nTbH) and nTbH + Min(numLeftBelow, nTbW) at most.
  if (availT) {
    const int target = w + std::min(w, h);
    int n = 0;
    while (n < target && availC(xC + n, yC - 1)) n += 2;
    b.num_top = std::min(n, target);
  }
  if (availL) {
    const int target = h + std::min(w, h);
    int n = 0;
    while (n < target && availC(xC - 1, yC + n)) n += 2;
    b.num_left = std::min(n, target);
  }
  return b;
}

}  // namespace vvc
