// CCLM chroma intra prediction (H.266 8.4.5.2.14), 4:2:0, 10-bit.
#include "intra/cclm.h"

#include <cassert>
#include <cstdlib>

namespace vvc {
namespace {

// divSigTable of 8.4.5.2.14 (equation for the variable a).
constexpr int kDivSigTable[16] = {0, 7, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 0};

inline int floor_log2(int v) {
  return 31 - __builtin_clz(static_cast<unsigned>(v));
}

// Reconstructed luma relative to the luma block's top-left (xTbY, yTbY).
struct LumaAt {
  const Plane& p;
  int x0, y0;
  int operator()(int dx, int dy) const { return p.at(x0 + dx, y0 + dy); }
};

}  // namespace

bool cclm_pick(const CclmBlock& b, int predMode, CclmPick& out) {
  out = CclmPick{};
  int numT, numL;
  if (predMode == kIntraLtCclm) {
    numT = b.avail_t ? b.w : 0;
    numL = b.avail_l ? b.h : 0;
  } else {
    numT = (b.avail_t && predMode == kIntraTCclm) ? b.num_top : 0;
    numL = (b.avail_l && predMode == kIntraLCclm) ? b.num_left : 0;
  }
  if (numT == 0 && numL == 0) return false;
  // numIs4N: only the LT mode with both sides available takes 2 + 2 points.
  const int is4 = (b.avail_t && b.avail_l && predMode == kIntraLtCclm) ? 0 : 1;
  const auto pick = [is4](int num, int* pos) {
    const int start = num >> (2 + is4);
    const int step = std::max(1, num >> (1 + is4));
    const int cnt = std::min(num, (1 + is4) << 1);
    for (int i = 0; i < cnt; ++i) pos[i] = start + i * step;
    return cnt;
  };
  out.cnt_t = pick(numT, out.pos_t);
  out.cnt_l = pick(numL, out.pos_l);
  return true;
}

void cclm_neighbour_luma(const Plane& luma, const CclmBlock& b, const CclmPick& pick, int* sel) {
  const LumaAt P{luma, 2 * b.x, 2 * b.y};
  const bool six = !b.vertical_collocated;
  for (int i = 0; i < pick.cnt_t; ++i) {
    const int c = 2 * pick.pos_t[i];
    const bool hasLeft = c > 0 || b.avail_l;  // x = -1 taken from the left block
    if (b.ctu_top) {
      // Only the luma row directly above the CTU is used (line buffer): [1 2 1] / 4.
      const int l = hasLeft ? P(c - 1, -1) : P(c, -1);
      sel[i] = (l + 2 * P(c, -1) + P(c + 1, -1) + 2) >> 2;
    } else if (six) {
      const int l0 = hasLeft ? P(c - 1, -2) : P(c, -2);
      const int l1 = hasLeft ? P(c - 1, -1) : P(c, -1);
      sel[i] = (l0 + l1 + 2 * P(c, -2) + 2 * P(c, -1) + P(c + 1, -2) + P(c + 1, -1) + 4) >> 3;
    } else {
      const int l = hasLeft ? P(c - 1, -2) : P(c, -2);
      sel[i] = (P(c, -3) + l + 4 * P(c, -2) + P(c + 1, -2) + P(c, -1) + 4) >> 3;
    }
  }
  for (int i = 0; i < pick.cnt_l; ++i) {
    const int r = 2 * pick.pos_l[i];
    int v;
    if (six) {
      v = (P(-3, r) + P(-3, r + 1) + 2 * P(-2, r) + 2 * P(-2, r + 1) + P(-1, r) + P(-1, r + 1) +
           4) >>
          3;
    } else {
      const int t = (r > 0 || b.avail_t) ? P(-2, r - 1) : P(-2, r);
      v = (P(-3, r) + t + 4 * P(-2, r) + P(-1, r) + P(-2, r + 1) + 4) >> 3;
    }
    sel[pick.cnt_t + i] = v;
  }
}

CclmModel cclm_model(const int* selY, const int* selC, int cnt) {
  assert(cnt == 2 || cnt == 4);
  int y[4], c[4];
  if (cnt == 2) {  // two points: pSel[0..3] = {1, 0, 1, 0}
    y[0] = y[2] = selY[1];
    y[1] = y[3] = selY[0];
    c[0] = c[2] = selC[1];
    c[1] = c[3] = selC[0];
  } else {
    for (int i = 0; i < 4; ++i) {
      y[i] = selY[i];
      c[i] = selC[i];
    }
  }
  int mn[2] = {0, 2}, mx[2] = {1, 3};
  if (y[mn[0]] > y[mn[1]]) std::swap(mn[0], mn[1]);
  if (y[mx[0]] > y[mx[1]]) std::swap(mx[0], mx[1]);
  if (y[mn[0]] > y[mx[1]]) {
    std::swap(mn[0], mx[0]);
    std::swap(mn[1], mx[1]);
  }
  if (y[mn[1]] > y[mx[0]]) std::swap(mn[1], mx[0]);
  const int maxY = (y[mx[0]] + y[mx[1]] + 1) >> 1;
  const int maxC = (c[mx[0]] + c[mx[1]] + 1) >> 1;
  const int minY = (y[mn[0]] + y[mn[1]] + 1) >> 1;
  const int minC = (c[mn[0]] + c[mn[1]] + 1) >> 1;

  CclmModel m;
  const int diff = maxY - minY;
  if (diff == 0) {
    m.b = minC;
    return m;
  }
  const int diffC = maxC - minC;
  int x = floor_log2(diff);
  const int normDiff = ((diff << 4) >> x) & 15;
  x += normDiff != 0 ? 1 : 0;
  const int yy = diffC != 0 ? floor_log2(std::abs(diffC)) + 1 : 0;
  m.a = (diffC * (kDivSigTable[normDiff] | 8) + ((1 << yy) >> 1)) >> yy;
  if (3 + x - yy < 1) {
    m.k = 1;
    m.a = m.a > 0 ? 15 : (m.a < 0 ? -15 : 0);
  } else {
    m.k = 3 + x - yy;
  }
  m.b = minC - ((m.a * minY) >> m.k);
  return m;
}

void cclm_downsample_block(const Plane& luma, const CclmBlock& b, Pel* dsy) {
  const LumaAt P{luma, 2 * b.x, 2 * b.y};
  // Outside the block, column -1 / row -1 come from the left / above block when available,
  // otherwise the block's own first column / row is repeated.
  const auto left = [&](int r) { return b.avail_l ? P(-1, r) : P(0, r); };
  if (!b.vertical_collocated) {
    for (int i = 0; i < b.h; ++i) {
      const int r = 2 * i;
      for (int j = 0; j < b.w; ++j) {
        const int c = 2 * j;
        const int l0 = j ? P(c - 1, r) : left(r);
        const int l1 = j ? P(c - 1, r + 1) : left(r + 1);
        dsy[i * b.w + j] = static_cast<Pel>(
            (l0 + l1 + 2 * P(c, r) + 2 * P(c, r + 1) + P(c + 1, r) + P(c + 1, r + 1) + 4) >> 3);
      }
    }
  } else {
    for (int i = 0; i < b.h; ++i) {
      const int r = 2 * i;
      for (int j = 0; j < b.w; ++j) {
        const int c = 2 * j;
        const int l = j ? P(c - 1, r) : left(r);
        const int t = i ? P(c, r - 1) : (b.avail_t ? P(c, -1) : P(c, 0));
        dsy[i * b.w + j] =
            static_cast<Pel>((l + t + 4 * P(c, r) + P(c + 1, r) + P(c, r + 1) + 4) >> 3);
      }
    }
  }
}

void cclm_predict(const Plane& luma, const Plane& chroma, const CclmBlock& b, int predMode,
                  Pel* dst, int dstStride) {
  assert(is_cclm_mode(predMode) && b.w <= 32 && b.h <= 32);
  CclmPick pick;
  if (!cclm_pick(b, predMode, pick)) {
    for (int i = 0; i < b.h; ++i)
      for (int j = 0; j < b.w; ++j) dst[i * dstStride + j] = static_cast<Pel>(1 << (kBitDepth - 1));
    return;
  }
  int selY[8], selC[8];
  cclm_neighbour_luma(luma, b, pick, selY);
  for (int i = 0; i < pick.cnt_t; ++i) selC[i] = chroma.at(b.x + pick.pos_t[i], b.y - 1);
  for (int i = 0; i < pick.cnt_l; ++i)
    selC[pick.cnt_t + i] = chroma.at(b.x - 1, b.y + pick.pos_l[i]);
  const CclmModel m = cclm_model(selY, selC, pick.cnt_t + pick.cnt_l);
  Pel dsy[32 * 32];
  cclm_downsample_block(luma, b, dsy);
  for (int i = 0; i < b.h; ++i)
    for (int j = 0; j < b.w; ++j)
      dst[i * dstStride + j] = clip_pel(((dsy[i * b.w + j] * m.a) >> m.k) + m.b);
}

}  // namespace vvc
