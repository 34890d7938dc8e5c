// Intra mode coding helpers (H.266 8.4.2, 8.4.3).
#include "intra/mpm.h"

#include <algorithm>

#include "intra/intra_tables.h"

namespace vvc {
namespace {

// The spec's 2 + ((m + k) % 64) neighbour-angle arithmetic (m >= 2 so the sum is positive).
inline int wrap(int v) {
  return 2 + (v % 64);
}

}  // namespace

void derive_mpm_list(int candA, int candB, int mpm[6]) {
  int* c = mpm + 1;  // candModeList[0..4]
  mpm[0] = kIntraPlanar;
  if (candA == candB && candA > kIntraDc) {
    c[0] = candA;
    c[1] = wrap(candA + 61);
    c[2] = wrap(candA - 1);
    c[3] = wrap(candA + 60);
    c[4] = wrap(candA);
  } else if (candA != candB && (candA > kIntraDc || candB > kIntraDc)) {
    const int minAB = std::min(candA, candB);
    const int maxAB = std::max(candA, candB);
    if (candA > kIntraDc && candB > kIntraDc) {
      c[0] = candA;
      c[1] = candB;
      const int diff = maxAB - minAB;
      if (diff == 1) {
        c[2] = wrap(minAB + 61);
        c[3] = wrap(maxAB - 1);
        c[4] = wrap(minAB + 60);
      } else if (diff >= 62) {
        c[2] = wrap(minAB - 1);
        c[3] = wrap(maxAB + 61);
        c[4] = wrap(minAB);
      } else if (diff == 2) {
        c[2] = wrap(minAB - 1);
        c[3] = wrap(minAB + 61);
        c[4] = wrap(maxAB - 1);
      } else {
        c[2] = wrap(minAB + 61);
        c[3] = wrap(minAB - 1);
        c[4] = wrap(maxAB + 61);
      }
    } else {  // exactly one angular neighbour
      c[0] = maxAB;
      c[1] = wrap(maxAB + 61);
      c[2] = wrap(maxAB - 1);
      c[3] = wrap(maxAB + 60);
      c[4] = wrap(maxAB);
    }
  } else {
    c[0] = kIntraDc;
    c[1] = kIntraVer;
    c[2] = kIntraHor;
    c[3] = kIntraVer - 4;
    c[4] = kIntraVer + 4;
  }
}

MpmCode encode_luma_mode(int mode, const int mpm[6]) {
  MpmCode code;
  if (mode == kIntraPlanar) {
    code.mpm_flag = true;
    return code;
  }
  for (int i = 0; i < 5; ++i) {
    if (mpm[1 + i] == mode) {
      code.mpm_flag = true;
      code.not_planar = true;
      code.mpm_idx = i;
      return code;
    }
  }
  // Inverse of the decoder's derivation: remainder + 1 (planar skipped), then +1 for each
  // list entry not greater than the running value, entries in ascending order.
  int below = 0;
  for (int i = 0; i < 5; ++i) below += mpm[1 + i] < mode;
  code.remainder = mode - 1 - below;
  return code;
}

int decode_luma_mode(const MpmCode& code, const int mpm[6]) {
  if (code.mpm_flag) return code.not_planar ? mpm[1 + code.mpm_idx] : kIntraPlanar;
  int sorted[5];
  std::copy(mpm + 1, mpm + 6, sorted);
  std::sort(sorted, sorted + 5);
  int mode = code.remainder + 1;
  for (int i = 0; i < 5; ++i) mode += mode >= sorted[i];
  return mode;
}

int chroma_pred_mode(int intra_chroma_pred_mode, int lumaMode) {
  static constexpr int kCand[4] = {kIntraPlanar, kIntraVer, kIntraHor, kIntraDc};
  if (intra_chroma_pred_mode >= kChromaCclmFirst) return 81 + intra_chroma_pred_mode - 5;
  if (intra_chroma_pred_mode == 4) return lumaMode;
  const int m = kCand[intra_chroma_pred_mode];
  return m == lumaMode ? kIntraVdia : m;
}

int chroma_pred_mode_index(int chromaMode, int lumaMode) {
  if (chromaMode == lumaMode) return 4;
  for (int i = 0; i < 4; ++i)
    if (chroma_pred_mode(i, lumaMode) == chromaMode) return i;
  return -1;
}

}  // namespace vvc
