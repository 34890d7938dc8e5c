// BDOF tests (H.266 8.5.6.5): the engine's bdof_predict against a direct evaluation written
// from the clause's equations (padded-array indexing with Clip3(1, nCbW, x), the split
// sGxGy_m / sGxGy_s form of vy), on random 14-bit blocks (negative values included) and on
// real MC output; the integer-sample border of 8.5.6.3.3; the known answer for identical
// predictions (plain average); and the whole CU through InterPredictor (16x16 subblocks, each
// with its own border).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include "check.h"
#include "common/picture.h"
#include "inter/bdof.h"
#include "inter/inter_pred.h"
#include "inter/interp.h"

using namespace vvc;

namespace {

// Padded prediction arrays as in the clause: index [x + 1][y + 1] for x = -1..W, y = -1..H.
using Arr = std::vector<std::vector<int>>;

int floor_log2(int v) {
  int r = 0;
  while ((v >> 1) > 0) {
    v >>= 1;
    ++r;
  }
  return r;
}

// 8.5.6.5 for a W x H block, 10-bit: shift1 = 6, shift2 = 4, shift3 = 1, shift4 = 5,
// offset4 = 16, mvRefineThres = 16.
std::vector<int> spec_bdof(const Arr& p0, const Arr& p1, int W, int H) {
  const int shift1 = 6, shift2 = 4, shift3 = 1, shift4 = 5, offset4 = 16, thres = 16;
  // Gradients for x = 1..W, y = 1..H of the padded arrays.
  auto grads = [&](const Arr& p, Arr& gh, Arr& gv) {
    gh.assign(W + 2, std::vector<int>(H + 2, 0));
    gv = gh;
    for (int x = 1; x <= W; ++x)
      for (int y = 1; y <= H; ++y) {
        gh[x][y] = (p[x + 1][y] >> shift1) - (p[x - 1][y] >> shift1);
        gv[x][y] = (p[x][y + 1] >> shift1) - (p[x][y - 1] >> shift1);
      }
  };
  Arr gh0, gv0, gh1, gv1;
  grads(p0, gh0, gv0);
  grads(p1, gh1, gv1);
  std::vector<int> out(W * H);
  for (int yIdx = 0; yIdx < H / 4; ++yIdx)
    for (int xIdx = 0; xIdx < W / 4; ++xIdx) {
      int sGx2 = 0, sGy2 = 0, sGxGy = 0, sGxdI = 0, sGydI = 0;
      for (int i = -1; i <= 4; ++i)
        for (int j = -1; j <= 4; ++j) {
          const int hx = std::clamp(4 * xIdx + i + 1, 1, W);
          const int vy = std::clamp(4 * yIdx + j + 1, 1, H);
          const int tH = (gh0[hx][vy] + gh1[hx][vy]) >> shift3;
          const int tV = (gv0[hx][vy] + gv1[hx][vy]) >> shift3;
          const int diff = (p0[hx][vy] >> shift2) - (p1[hx][vy] >> shift2);
          auto sgn = [](int v) { return v > 0 ? 1 : (v < 0 ? -1 : 0); };
          sGx2 += std::abs(tH);
          sGy2 += std::abs(tV);
          sGxGy += sgn(tV) * tH;
          sGxdI += -sgn(tH) * diff;
          sGydI += -sgn(tV) * diff;
        }
      int vx = 0, vy = 0;
      if (sGx2 > 0) vx = std::clamp((sGxdI * 4) >> floor_log2(sGx2), -thres + 1, thres - 1);
      if (sGy2 > 0) {
        const int m = sGxGy >> 12, s = sGxGy & ((1 << 12) - 1);
        const int t = (sGydI * 4) - ((vx * m * (1 << 12) + vx * s) >> 1);
        vy = std::clamp(t >> floor_log2(sGy2), -thres + 1, thres - 1);
      }
      for (int y = 4 * yIdx; y < 4 * yIdx + 4; ++y)
        for (int x = 4 * xIdx; x < 4 * xIdx + 4; ++x) {
          const int off = vx * (gh0[x + 1][y + 1] - gh1[x + 1][y + 1]) +
                          vy * (gv0[x + 1][y + 1] - gv1[x + 1][y + 1]);
          out[y * W + x] =
              std::clamp((p0[x + 1][y + 1] + p1[x + 1][y + 1] + offset4 + off) >> shift4, 0, 1023);
        }
    }
  return out;
}

Arr from_buf(const int16_t* b, int W, int H) {  // b points at (0, 0), stride kBdofStride
  Arr a(W + 2, std::vector<int>(H + 2));
  for (int x = -1; x <= W; ++x)
    for (int y = -1; y <= H; ++y) a[x + 1][y + 1] = b[y * kBdofStride + x];
  return a;
}

void check_block(const int16_t* b0, const int16_t* b1, int W, int H) {
  std::vector<Pel> got(W * H);
  bdof_predict(b0, b1, W, H, got.data(), W);
  const std::vector<int> want = spec_bdof(from_buf(b0, W, H), from_buf(b1, W, H), W, H);
  int bad = 0;
  for (int k = 0; k < W * H; ++k) bad += got[k] != want[k];
  CHECK_EQ(bad, 0);
}

void test_random_blocks(std::mt19937& rng) {
  constexpr int S = kBdofStride;
  int16_t buf[2][S * S];
  for (int t = 0; t < 300; ++t) {
    const int W = (t % 2) ? 16 : 8, H = (t % 3) ? 16 : 8;
    // Correlated content: a common smooth surface, a shift, noise; values may be negative.
    std::uniform_int_distribution<int> n(-300, 300), base(-2000, 15000);
    const int b = base(rng), gx = n(rng) / 4, gy = n(rng) / 4, sh = n(rng) / 30;
    for (int l = 0; l < 2; ++l)
      for (int y = -1; y <= H; ++y)
        for (int x = -1; x <= W; ++x) {
          const int v = b + gx * (x + (l ? sh : 0)) + gy * y + n(rng) / (t % 5 + 1);
          buf[l][(y + 1) * S + x + 1] = static_cast<int16_t>(std::clamp(v, -8000, 24000));
        }
    check_block(buf[0] + S + 1, buf[1] + S + 1, W, H);
    // Identical predictions: no refinement, the default average (p + p + 16) >> 5.
    std::vector<Pel> got(W * H);
    bdof_predict(buf[0] + S + 1, buf[0] + S + 1, W, H, got.data(), W);
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x)
        CHECK_EQ(got[y * W + x], std::clamp((2 * buf[0][(y + 1) * S + x + 1] + 16) >> 5, 0, 1023));
  }
}

Picture texture(int w, int h, std::mt19937& rng) {
  Picture pic(w, h);
  std::uniform_int_distribution<int> n(-30, 30);
  std::uniform_real_distribution<double> f(0.05, 0.5), ph(0, 6.28);
  for (int c = 0; c < 3; ++c) {
    const double fx = f(rng), fy = f(rng), p0 = ph(rng);
    for (int y = 0; y < pic.comp[c].height; ++y)
      for (int x = 0; x < pic.comp[c].width; ++x)
        pic.comp[c].at(x, y) = static_cast<Pel>(std::clamp(
            static_cast<int>(512 + 300 * std::sin(fx * x + fy * y + p0)) + n(rng), 0, 1023));
  }
  return pic;
}

void test_border_fetch(std::mt19937& rng) {
  Picture pic = texture(40, 36, rng);
  const RefView v = ref_view(pic.comp[0]);
  std::uniform_int_distribution<int> mvd(-700, 700);
  constexpr int S = kBdofStride;
  int16_t buf[S * S];
  for (int t = 0; t < 100; ++t) {
    const Mv mv{mvd(rng), mvd(rng)};
    const int W = 16, H = (t & 1) ? 8 : 16, x = 8 * (t % 3), y = 8 * (t % 4);
    bdof_fetch_border(v, mv, x, y, W, H, buf + S + 1, S);
    auto want = [&](int i, int j) {  // 8.5.6.3.3
      const int xi = std::clamp(x + (mv.x >> 4) + ((mv.x & 15) >> 3) + i, 0, 39);
      const int yi = std::clamp(y + (mv.y >> 4) + ((mv.y & 15) >> 3) + j, 0, 35);
      return pic.comp[0].at(xi, yi) << 4;
    };
    for (int i = -1; i <= W; ++i) {
      CHECK_EQ(buf[i + 1], want(i, -1));
      CHECK_EQ(buf[(H + 1) * S + i + 1], want(i, H));
    }
    for (int j = 0; j < H; ++j) {
      CHECK_EQ(buf[(j + 1) * S], want(-1, j));
      CHECK_EQ(buf[(j + 1) * S + W + 1], want(W, j));
    }
  }
}

// A whole bi CU through InterPredictor (BDOF on, DMVR off: an AMVP CU) against MC + border +
// spec_bdof per 16x16 subblock; chroma is the plain average.
void test_cu(std::mt19937& rng) {
  const int W = 64, H = 48;
  Picture p0 = texture(W, H, rng), p1 = texture(W, H, rng);
  PaddedPicture pp[2];
  pp[0].build(p0);
  pp[1].build(p1);
  RefPicSet rs;
  rs.pic[0][0] = &pp[0];
  rs.pic[1][0] = &pp[1];
  rs.poc = 4;
  rs.ref_poc[0][0] = 2;
  rs.ref_poc[1][0] = 6;
  rs.bdof = true;
  rs.dmvr = true;  // not applied: regularMerge false
  InterPredictor ip;
  std::uniform_int_distribution<int> mvd(-300, 300);
  constexpr int S = kBdofStride;
  std::vector<Pel> y(32 * 32), cb(16 * 16), cr(16 * 16);
  for (int t = 0; t < 12; ++t) {
    const int w = (t & 1) ? 32 : 16, h = (t & 2) ? 32 : 8, x = 16 * (t % 3), yy = 8 * (t % 2);
    const MotionInfo mi = make_bi(0, Mv{mvd(rng), mvd(rng)}, 0, Mv{mvd(rng), mvd(rng)});
    ip.predict(mi, rs, x, yy, w, h, y.data(), 32, cb.data(), cr.data(), 16, false);
    CHECK_EQ(ip.num_refined(), 0);
    const int sw = std::min(w, 16), sh = std::min(h, 16);
    for (int sy = 0; sy < h; sy += sh)
      for (int sx = 0; sx < w; sx += sw) {
        int16_t b[2][S * S];
        for (int l = 0; l < 2; ++l) {
          mc_luma(pp[l].view(0), mi.mv[l], x + sx, yy + sy, sw, sh, b[l] + S + 1, S);
          bdof_fetch_border(pp[l].view(0), mi.mv[l], x + sx, yy + sy, sw, sh, b[l] + S + 1, S);
        }
        const std::vector<int> want =
            spec_bdof(from_buf(b[0] + S + 1, sw, sh), from_buf(b[1] + S + 1, sw, sh), sw, sh);
        int bad = 0;
        for (int j = 0; j < sh; ++j)
          for (int i = 0; i < sw; ++i) bad += y[(sy + j) * 32 + sx + i] != want[j * sw + i];
        CHECK_EQ(bad, 0);
      }
    // Chroma: plain bi average.
    int16_t c0[16 * 16], c1[16 * 16];
    mc_chroma(pp[0].view(1), mi.mv[0], x / 2, yy / 2, w / 2, h / 2, c0, w / 2);
    mc_chroma(pp[1].view(1), mi.mv[1], x / 2, yy / 2, w / 2, h / 2, c1, w / 2);
    Pel cw[16 * 16];
    weighted_bi(c0, w / 2, c1, w / 2, cw, w / 2, w / 2, h / 2);
    int bad = 0;
    for (int j = 0; j < h / 2; ++j)
      for (int i = 0; i < w / 2; ++i) bad += cb[j * 16 + i] != cw[j * (w / 2) + i];
    CHECK_EQ(bad, 0);
    // BDOF changes the luma prediction on this content (the test is not vacuous).
    if (t == 0) {
      int16_t l0[16 * 8], l1[16 * 8];
      Pel avg[16 * 8];
      mc_luma(pp[0].view(0), mi.mv[0], x, yy, 16, 8, l0, 16);
      mc_luma(pp[1].view(0), mi.mv[1], x, yy, 16, 8, l1, 16);
      weighted_bi(l0, 16, l1, 16, avg, 16, 16, 8);
      int differ = 0;
      for (int j = 0; j < 8; ++j)
        for (int i = 0; i < 16; ++i) differ += y[j * 32 + i] != avg[j * 16 + i];
      CHECK(differ > 0);
    }
  }
}

}  // namespace

int main() {
  std::mt19937 rng(7);
  test_random_blocks(rng);
  test_border_fetch(rng);
  test_cu(rng);
  TEST_MAIN_END();
}
