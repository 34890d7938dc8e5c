#include "inter/bdof.h"

#include <algorithm>

namespace vvc {

namespace {

constexpr int kGradShift = 6;              // shift1 = Max(6, BitDepth - 6)
constexpr int kDiffShift = 4;              // shift2 = Max(4, BitDepth - 8)
constexpr int kSumShift = 1;               // shift3 = Max(1, BitDepth - 11)
constexpr int kOutShift = 15 - kBitDepth;  // shift4
constexpr int kRefineThres = 1 << 4;       // mvRefineThres

inline int sign(int v) {
  return v < 0 ? -1 : (v > 0 ? 1 : 0);
}
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
  // Gradients of both lists and the predictions, on the (w + 2) x (h + 2) grid whose border
  // replicates the block's edge (the Clip3(1, nCbW, x) / Clip3(1, nCbH, y) indexing).
  constexpr int S = kBdofStride;
  int16_t gx[2][S * S], gy[2][S * S], pr[2][S * S];
  const int16_t* src[2] = {p0, p1};
  for (int l = 0; l < 2; ++l) {
    const int16_t* p = src[l];
    for (int j = 0; j < h + 2; ++j) {
      const int yy = std::clamp(j - 1, 0, h - 1);
      for (int i = 0; i < w + 2; ++i) {
        const int xx = std::clamp(i - 1, 0, w - 1);
        const int16_t* c = p + yy * S + xx;
        gx[l][j * S + i] = static_cast<int16_t>((c[1] >> kGradShift) - (c[-1] >> kGradShift));
        gy[l][j * S + i] = static_cast<int16_t>((c[S] >> kGradShift) - (c[-S] >> kGradShift));
        pr[l][j * S + i] = *c;
      }
    }
  }
  constexpr int off4 = 1 << (kOutShift - 1);
  for (int by = 0; by < h; by += 4)
    for (int bx = 0; bx < w; bx += 4) {
      int sGx2 = 0, sGy2 = 0, sGxGy = 0, sGxdI = 0, sGydI = 0;
      for (int j = by; j < by + 6; ++j)
        for (int i = bx; i < bx + 6; ++i) {
          const int k = j * S + i;  // window position (i - 1, j - 1) of the block
          const int diff = (pr[0][k] >> kDiffShift) - (pr[1][k] >> kDiffShift);
          const int th = (gx[0][k] + gx[1][k]) >> kSumShift;
          const int tv = (gy[0][k] + gy[1][k]) >> kSumShift;
          sGx2 += std::abs(th);
          sGy2 += std::abs(tv);
          sGxGy += sign(tv) * th;
          sGxdI += -sign(th) * diff;
          sGydI += -sign(tv) * diff;
        }
      int vx, vy;
      bdof_motion(sGx2, sGy2, sGxGy, sGxdI, sGydI, vx, vy);
      for (int j = by; j < by + 4; ++j)
        for (int i = bx; i < bx + 4; ++i) {
          const int k = (j + 1) * S + i + 1;
          const int b = vx * (gx[0][k] - gx[1][k]) + vy * (gy[0][k] - gy[1][k]);
          dst[j * ds + i] = clip_pel((pr[0][k] + pr[1][k] + off4 + b) >> kOutShift);
        }
    }
}

}  // namespace vvc
