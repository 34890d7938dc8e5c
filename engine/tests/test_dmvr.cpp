// DMVR tests (H.266 8.5.3): the bilinear prediction and the subsampled SAD against direct
// per-sample evaluations, the parametric sub-sample refinement against the closed form
// floor(8 |E(-1) - E(1)| / (E(-1) + E(1) - 2 E(0))) it computes, the integer search finding a
// planted bilateral offset (and the BDOF/early-termination thresholds), the CU conditions,
// and the refined MC reading only the DMVR window around the unrefined position.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include "check.h"
#include "common/picture.h"
#include "inter/dmvr.h"
#include "inter/inter_pred.h"
#include "inter/interp.h"

using namespace vvc;

namespace {

int pic_sample(const Plane& p, int x, int y) {
  return p.at(std::clamp(x, 0, p.width - 1), std::clamp(y, 0, p.height - 1));
}

// Smooth random texture (sum of a few random sinusoid-like ramps plus noise), 10-bit.
Picture texture(int w, int h, std::mt19937& rng, int noise = 40) {
  Picture pic(w, h);
  std::uniform_int_distribution<int> n(-noise, noise);
  std::uniform_real_distribution<double> f(0.05, 0.4), ph(0, 6.28);
  for (int c = 0; c < 3; ++c) {
    const int cw = pic.comp[c].width, ch = pic.comp[c].height;
    const double fx = f(rng), fy = f(rng), p0 = ph(rng), p1 = ph(rng);
    for (int y = 0; y < ch; ++y)
      for (int x = 0; x < cw; ++x) {
        const double v = 512 + 200 * std::sin(fx * x + p0) + 200 * std::cos(fy * y + p1);
        pic.comp[c].at(x, y) = static_cast<Pel>(std::clamp(static_cast<int>(v) + n(rng), 0, 1023));
      }
  }
  return pic;
}

// 8.5.3.2.2 for one sample of the (w+4) x (h+4) array at (i, j), 10-bit.
int spec_bilinear(const Plane& p, const Mv& mv, int x, int y, int i, int j) {
  const int xi = x + (mv.x >> 4) - 2 + i, yi = y + (mv.y >> 4) - 2 + j;
  const int fx = mv.x & 15, fy = mv.y & 15;
  auto hor = [&](int yy) {
    return ((16 - fx) * pic_sample(p, xi, yy) + fx * pic_sample(p, xi + 1, yy) + 8) >> 4;
  };
  if (!fx && !fy) return pic_sample(p, xi, yi);
  if (!fy) return hor(yi);
  if (!fx) return ((16 - fy) * pic_sample(p, xi, yi) + fy * pic_sample(p, xi, yi + 1) + 8) >> 4;
  return ((16 - fy) * hor(yi) + fy * hor(yi + 1) + 8) >> 4;
}

void test_bilinear_and_sad(std::mt19937& rng) {
  Picture pic = texture(48, 40, rng, 300);
  const RefView v = ref_view(pic.comp[0]);
  std::uniform_int_distribution<int> mvd(-900, 900);
  int16_t buf[2][kDmvrBilStride * kDmvrBilStride];
  for (int t = 0; t < 200; ++t) {
    const int w = (t & 1) ? 16 : 8, h = (t & 2) ? 16 : 8;
    const Mv mv{mvd(rng), mvd(rng)};  // reaches far outside the picture: clamping
    const int x = 8 * (t % 4), y = 8 * ((t / 4) % 3);
    dmvr_bilinear(v, mv, x, y, w, h, buf[t & 1]);
    for (int j = 0; j < h + 4; ++j)
      for (int i = 0; i < w + 4; ++i)
        CHECK_EQ(buf[t & 1][j * kDmvrBilStride + i], spec_bilinear(pic.comp[0], mv, x, y, i, j));
    if (t & 1) {
      for (int dy = -2; dy <= 2; ++dy)
        for (int dx = -2; dx <= 2; ++dx) {
          int want = 0;
          for (int j = 0; j < h; j += 2)
            for (int i = 0; i < w; ++i)
              want += std::abs(buf[0][(j + 2 + dy) * kDmvrBilStride + i + 2 + dx] -
                               buf[1][(j + 2 - dy) * kDmvrBilStride + i + 2 - dx]);
          CHECK_EQ(dmvr_sad(buf[0], buf[1], dx, dy, w, h), want);
        }
    }
  }
}

void test_parametric(std::mt19937& rng) {
  CHECK_EQ(dmvr_parametric(10, 5, 10), 0);  // symmetric
  CHECK_EQ(dmvr_parametric(5, 5, 20), -8);  // E(-1) == E(0)
  CHECK_EQ(dmvr_parametric(20, 5, 5), 8);   // E(1) == E(0)
  CHECK_EQ(dmvr_parametric(7, 7, 7), 0);    // flat: denominator 0
  CHECK_EQ(dmvr_parametric(30, 0, 10), 4);  // 8 * 20 / 40
  CHECK_EQ(dmvr_parametric(10, 0, 30), -4);
  std::uniform_int_distribution<int> d(0, 5000);
  for (int t = 0; t < 20000; ++t) {
    const int c = d(rng), a = c + d(rng), b = c + d(rng);
    if (a == c || b == c || a + b == 2 * c) continue;
    const long num = 8L * std::abs(a - b), den = static_cast<long>(a) + b - 2L * c;
    const int mag = static_cast<int>(std::min(7L, num / den));
    CHECK_EQ(dmvr_parametric(a, c, b), a > b ? mag : -mag);
  }
}

// ref0(x) = T(x - a), ref1(x) = T(x + a): the bilateral match of L0 at +d and L1 at -d is
// exact for d = a, so the integer search must pick a (integer part of the result).
void test_planted_offset(std::mt19937& rng) {
  const int W = 96, H = 80;
  Picture t = texture(W + 16, H + 16, rng, 120);
  int found = 0;
  for (int ay = -2; ay <= 2; ++ay)
    for (int ax = -2; ax <= 2; ++ax) {
      if (!ax && !ay) continue;
      Picture r0(W, H), r1(W, H);
      for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) {
          r0.comp[0].at(x, y) = t.comp[0].at(x + 8 - ax, y + 8 - ay);
          r1.comp[0].at(x, y) = t.comp[0].at(x + 8 + ax, y + 8 + ay);
        }
      const DmvrResult r =
          dmvr_refine(ref_view(r0.comp[0]), ref_view(r1.comp[0]), Mv{}, Mv{}, 40, 32, 16, 16);
      const int ix = (r.delta.x + (r.delta.x >= 0 ? 8 : -8)) / 16;
      const int iy = (r.delta.y + (r.delta.y >= 0 ? 8 : -8)) / 16;
      CHECK_EQ(ix, ax);
      CHECK_EQ(iy, ay);
      CHECK(std::abs(r.delta.x - 16 * ax) <= 8 && std::abs(r.delta.y - 16 * ay) <= 8);
      // On the border of the search range the parametric step is skipped.
      if (std::abs(ax) == 2 || std::abs(ay) == 2) {
        CHECK_EQ(r.delta.x, 16 * ax);
        CHECK_EQ(r.delta.y, 16 * ay);
      }
      CHECK_EQ(r.min_sad, 0);
      CHECK(!r.bdof);  // exact match: min SAD < 2 * w * h switches BDOF off
      found += ix == ax && iy == ay;
    }
  CHECK_EQ(found, 24);

  // Identical predictions: the centre SAD is 0 < w * h, so no search (delta 0), no BDOF.
  Picture same = texture(64, 64, rng);
  const DmvrResult z = dmvr_refine(ref_view(same.comp[0]), ref_view(same.comp[0]), Mv{5, 7},
                                   Mv{5, 7}, 16, 16, 16, 8);
  CHECK_EQ(z.delta.x, 0);
  CHECK_EQ(z.delta.y, 0);
  CHECK(!z.bdof);
}

void test_conditions() {
  RefPicSet rs;
  rs.poc = 8;
  rs.ref_poc[0][0] = 4;
  rs.ref_poc[1][0] = 12;
  rs.ref_poc[0][1] = 0;
  rs.ref_poc[1][1] = 16;
  rs.ref_poc[1][2] = 10;
  rs.dmvr = rs.bdof = true;
  const MotionInfo bi = make_bi(0, Mv{}, 0, Mv{});
  CHECK(InterPredictor::dmvr_applies(bi, rs, 16, 8, true));
  CHECK(InterPredictor::bdof_applies(bi, rs, 16, 8));
  CHECK(!InterPredictor::dmvr_applies(bi, rs, 16, 8, false));  // AMVP: no DMVR ...
  CHECK(InterPredictor::bdof_applies(bi, rs, 8, 16));          // ... but BDOF
  CHECK(!InterPredictor::bdof_applies(bi, rs, 8, 8));          // area 64 < 128
  CHECK(!InterPredictor::dmvr_applies(bi, rs, 32, 4, true));   // height < 8
  CHECK(!InterPredictor::bdof_applies(make_uni(0, 0, Mv{}), rs, 16, 16));
  CHECK(InterPredictor::bdof_applies(make_bi(1, Mv{}, 1, Mv{}), rs, 16, 16));         // 8 / 8
  CHECK(!InterPredictor::bdof_applies(make_bi(0, Mv{}, 1, Mv{}), rs, 16, 16));        // 4 / 8
  CHECK(!InterPredictor::dmvr_applies(make_bi(1, Mv{}, 2, Mv{}), rs, 16, 16, true));  // 8 / 2
  rs.ref_poc[1][0] = 4;  // both references before the picture
  CHECK(!InterPredictor::bdof_applies(bi, rs, 16, 16));
  rs.ref_poc[1][0] = 12;
  rs.long_term[1][0] = true;
  CHECK(!InterPredictor::dmvr_applies(bi, rs, 16, 16, true));
  rs.long_term[1][0] = false;
  rs.dmvr = false;
  CHECK(!InterPredictor::dmvr_applies(bi, rs, 16, 16, true));
  CHECK(InterPredictor::bdof_applies(bi, rs, 16, 16));
}

// 8-tap luma sample of a plane at integer (xInt, yInt) + fraction, with coordinates clamped
// first into the picture, then (when win) into the DMVR window [wx0, wx1] x [wy0, wy1].
int mc_sample(const Plane& p, int xInt, int yInt, int xF, int yF, bool win, int wx0, int wx1,
              int wy0, int wy1) {
  auto s = [&](int x, int y) {
    if (win) {
      x = std::clamp(x, wx0, wx1);
      y = std::clamp(y, wy0, wy1);
    }
    return pic_sample(p, x, y);
  };
  if (!xF && !yF) return s(xInt, yInt) << 4;
  if (!yF) {
    int v = 0;
    for (int i = 0; i < 8; ++i) v += kLumaFilter[xF][i] * s(xInt + i - 3, yInt);
    return v >> 2;
  }
  if (!xF) {
    int v = 0;
    for (int i = 0; i < 8; ++i) v += kLumaFilter[yF][i] * s(xInt, yInt + i - 3);
    return v >> 2;
  }
  int v = 0;
  for (int k = 0; k < 8; ++k) {
    int t = 0;
    for (int i = 0; i < 8; ++i) t += kLumaFilter[xF][i] * s(xInt + i - 3, yInt + k - 3);
    v += kLumaFilter[yF][k] * (t >> 2);
  }
  return v >> 6;
}

// The refined MC of a merge CU (DMVR on, BDOF off) against a direct evaluation that applies
// the window clamp around the unrefined integer position; also near the picture edge.
void test_refined_mc_window(std::mt19937& rng) {
  const int W = 64, H = 48;
  Picture p0 = texture(W, H, rng, 200), p1 = texture(W, H, rng, 200);
  PaddedPicture pp0, pp1;
  pp0.build(p0);
  pp1.build(p1);
  RefPicSet rs;
  rs.pic[0][0] = &pp0;
  rs.pic[1][0] = &pp1;
  rs.poc = 2;
  rs.ref_poc[0][0] = 0;
  rs.ref_poc[1][0] = 4;
  rs.dmvr = true;
  rs.bdof = false;
  InterPredictor ip;
  std::uniform_int_distribution<int> mvd(-200, 200);
  int refinedSeen = 0;
  std::vector<Pel> y(32 * 32), cb(16 * 16), cr(16 * 16);
  for (int t = 0; t < 40; ++t) {
    const int w = (t & 1) ? 32 : 16, h = (t & 2) ? 16 : 32;
    const int x = (t % 3) * 16, yy = (t % 2) * 16;
    const MotionInfo mi = make_bi(0, Mv{mvd(rng), mvd(rng)}, 0, Mv{mvd(rng), mvd(rng)});
    ip.predict(mi, rs, x, yy, w, h, y.data(), 32, cb.data(), cr.data(), 16, true);
    CHECK_EQ(ip.num_refined(), (w / 16) * (h / 16));
    for (int k = 0; k < ip.num_refined(); ++k) {
      const RefinedMotion& rm = ip.refined(k);
      const DmvrResult r =
          dmvr_refine(pp0.view(0), pp1.view(0), mi.mv[0], mi.mv[1], rm.x, rm.y, 16, 16);
      CHECK(rm.mi.mv[0] == dmvr_apply(mi.mv[0], r.delta, 1));
      CHECK(rm.mi.mv[1] == dmvr_apply(mi.mv[1], r.delta, -1));
      refinedSeen += !(r.delta == Mv{});
      for (int j = 0; j < 16; ++j)
        for (int i = 0; i < 16; ++i) {
          int v[2];
          for (int l = 0; l < 2; ++l) {
            const Plane& pl = (l ? p1 : p0).comp[0];
            const Mv o = mi.mv[l], m = rm.mi.mv[l];
            const int sx = rm.x + (o.x >> 4), sy = rm.y + (o.y >> 4);
            v[l] = mc_sample(pl, rm.x + i + (m.x >> 4), rm.y + j + (m.y >> 4), m.x & 15, m.y & 15,
                             true, sx - 3, sx + 16 + 3, sy - 3, sy + 16 + 3);
          }
          const int want = std::clamp((v[0] + v[1] + 16) >> 5, 0, 1023);
          CHECK_EQ(y[(rm.y - yy + j) * 32 + rm.x - x + i], want);
        }
    }
  }
  CHECK(refinedSeen > 10);  // the test exercised real refinements
}

}  // namespace

int main() {
  std::mt19937 rng(20261129);
  test_bilinear_and_sad(rng);
  test_parametric(rng);
  test_planted_offset(rng);
  test_conditions();
  test_refined_mc_window(rng);
  TEST_MAIN_END();
}
