#include "inter/bdof.h"

#include <algorithm>

namespace vvc {

namespace {

constexpr int kGradShift = 6;              // shift1 = Max(6, BitDepth - 6)
constexpr int kDiffShift = 4;              // shift2 = Max(4, BitDepth - 8)
constexpr int kSumShift = 1;               // shift3 = Max(1, BitDepth - 11)
constexpr int kOutShift = 15 - kBitDepth;  // shift4
constexpr int kRefineThres = 1 << 4;       // mvRefineThres

inline int floor_log2(int v) {
  return 31 - __builtin_clz(static_cast<unsigned>(v));
}

}  // namespace

void bdof_fetch_border(const RefView& ref, const Mv& mv, int x, int y, int w, int h, int16_t* pred,
                       ptrdiff_t stride) {
  const int xi = x + (mv.x >> 4) + ((mv.x & 15) >> 3);
  const int yi = y + (mv.y >> 4) + ((mv.y & 15) >> 3);
  auto fetch = [&](int i, int j) {
    const int xx = std::clamp(xi + i, 0, ref.width - 1);
    const int yy = std::clamp(yi + j, 0, ref.height - 1);
    pred[j * stride + i] =
        static_cast<int16_t>(ref.origin[static_cast<ptrdiff_t>(yy) * ref.stride + xx] << 4);
  };
  for (int i = -1; i <= w; ++i) {
    fetch(i, -1);
    fetch(i, h);
  }
  for (int j = 0; j < h; ++j) {
    fetch(-1, j);
    fetch(w, j);
  }
}

void bdof_motion(int sGx2, int sGy2, int sGxGy, int sGxdI, int sGydI, int& vx, int& vy) {
  vx = sGx2 > 0 ? std::clamp((sGxdI * 4) >> floor_log2(sGx2), -kRefineThres + 1, kRefineThres - 1)
                : 0;
  vy = sGy2 > 0 ? std::clamp(((sGydI * 4) - ((vx * sGxGy) >> 1)) >> floor_log2(sGy2),
                             -kRefineThres + 1, kRefineThres - 1)
                : 0;
}

void bdof_predict(const int16_t* p0, const int16_t* p1, int w, int h, Pel* dst, ptrdiff_t ds) {
  // The window of a 4x4 block covers the samples one around it, and a sample outside the block
  // repeats its nearest edge sample (the Clip3(1, nCbW, x) / Clip3(1, nCbH, y) indexing), with
  // that sample's gradients. So every per-sample term is computed once, on the block itself, in
  // straight loops that vectorise, and the window sums count the edge rows and columns twice.
  constexpr int S = kBdofStride;
  constexpr int M = kBdofMaxBlock;
  int32_t absH[M * M], absV[M * M], cross[M * M], dH[M * M], dV[M * M];
  int32_t gxd[M * M], gyd[M * M];  // gx0 - gx1, gy0 - gy1 for the output
  for (int y = 0; y < h; ++y) {
    const int16_t* a = p0 + y * S;
    const int16_t* b = p1 + y * S;
    const int o = y * M;
    for (int x = 0; x < w; ++x) {
      const int gx0 = (a[x + 1] >> kGradShift) - (a[x - 1] >> kGradShift);
      const int gx1 = (b[x + 1] >> kGradShift) - (b[x - 1] >> kGradShift);
      const int gy0 = (a[x + S] >> kGradShift) - (a[x - S] >> kGradShift);
      const int gy1 = (b[x + S] >> kGradShift) - (b[x - S] >> kGradShift);
      const int diff = (a[x] >> kDiffShift) - (b[x] >> kDiffShift);
      const int th = (gx0 + gx1) >> kSumShift;
      const int tv = (gy0 + gy1) >> kSumShift;
      const int sh = (th > 0) - (th < 0), sv = (tv > 0) - (tv < 0);
      absH[o + x] = th < 0 ? -th : th;
      absV[o + x] = tv < 0 ? -tv : tv;
      cross[o + x] = sv * th;
      dH[o + x] = -sh * diff;
      dV[o + x] = -sv * diff;
      gxd[o + x] = gx0 - gx1;
      gyd[o + x] = gy0 - gy1;
    }
  }
  // Window sums: per row, the six columns bx - 1 .. bx + 4 (clamped into the block) of every
  // 4-wide block; then six such rows.
  constexpr int B = M / 4;
  int32_t rowSum[5][M][B];
  int32_t* const terms[5] = {absH, absV, cross, dH, dV};
  const int nbx = w / 4;
  for (int t = 0; t < 5; ++t)
    for (int y = 0; y < h; ++y) {
      const int32_t* r = terms[t] + y * M;
      for (int bx = 0; bx < nbx; ++bx) {
        const int x0 = 4 * bx;
        int32_t sum = r[x0] + r[x0 + 1] + r[x0 + 2] + r[x0 + 3];
        sum += r[x0 > 0 ? x0 - 1 : 0] + r[x0 + 4 < w ? x0 + 4 : w - 1];
        rowSum[t][y][bx] = sum;
      }
    }
  int vxs[B][B], vys[B][B];
  for (int by = 0; by < h / 4; ++by)
    for (int bx = 0; bx < nbx; ++bx) {
      const int y0 = 4 * by;
      const int yA = y0 > 0 ? y0 - 1 : 0, yB = y0 + 4 < h ? y0 + 4 : h - 1;
      int s[5];
      for (int t = 0; t < 5; ++t)
        s[t] = rowSum[t][yA][bx] + rowSum[t][y0][bx] + rowSum[t][y0 + 1][bx] +
               rowSum[t][y0 + 2][bx] + rowSum[t][y0 + 3][bx] + rowSum[t][yB][bx];
      bdof_motion(s[0], s[1], s[2], s[3], s[4], vxs[by][bx], vys[by][bx]);
    }
  constexpr int off4 = 1 << (kOutShift - 1);
  for (int y = 0; y < h; ++y) {
    int32_t vx[M], vy[M];
    for (int x = 0; x < w; ++x) {
      vx[x] = vxs[y / 4][x / 4];
      vy[x] = vys[y / 4][x / 4];
    }
    const int16_t* a = p0 + y * S;
    const int16_t* b = p1 + y * S;
    const int o = y * M;
    Pel* d = dst + y * ds;
    for (int x = 0; x < w; ++x) {
      const int v = (a[x] + b[x] + off4 + vx[x] * gxd[o + x] + vy[x] * gyd[o + x]) >> kOutShift;
      d[x] = clip_pel(v);
    }
  }
}

}  // namespace vvc
