// Motion search on synthetic textured pictures: a known global integer shift, a known
// quarter-sample displacement (the current picture made by our own MC), and bi prediction of
// a picture that is the average of two displaced references. Also the MVD bit estimate.
#include <random>
#include <vector>

#include "check.h"
#include "common/picture.h"
#include "inter/interp.h"
#include "search/motion_search.h"

using namespace vvc;

namespace {

// Smooth, non-periodic, multi-scale texture (value noise: random lattices at spacings 32 .. 2,
// bilinearly interpolated, amplitude proportional to the spacing), like natural images have
// structure at every scale.
Picture textured(int w, int h, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> d(-1.0, 1.0);
  std::vector<double> acc(static_cast<size_t>(w) * h, 0.0);
  for (int s = 32; s >= 2; s >>= 1) {
    const int gw = w / s + 2, gh = h / s + 2;
    std::vector<double> g(static_cast<size_t>(gw) * gh);
    for (auto& v : g) v = d(rng);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const int gx = x / s, gy = y / s;
        const double fx = static_cast<double>(x % s) / s, fy = static_cast<double>(y % s) / s;
        const double v =
            (1 - fx) * (1 - fy) * g[gy * gw + gx] + fx * (1 - fy) * g[gy * gw + gx + 1] +
            (1 - fx) * fy * g[(gy + 1) * gw + gx] + fx * fy * g[(gy + 1) * gw + gx + 1];
        acc[y * w + x] += v * s * 3.0;
      }
  }
  Picture p(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      p.comp[kY].at(x, y) = clip_pel(static_cast<int>(512 + acc[y * w + x]));
  for (int c = 1; c < 3; ++c)
    for (int y = 0; y < h / 2; ++y)
      for (int x = 0; x < w / 2; ++x) p.comp[c].at(x, y) = p.comp[kY].at(2 * x, 2 * y);
  return p;
}

// cur = the prediction of every 16x16 block of `ref` displaced by mv (uni) or the bi average.
Picture predicted(const Picture& ref0, const Mv& m0, const Picture* ref1, const Mv& m1) {
  Picture cur(ref0.width, ref0.height);
  int16_t p0[16 * 16], p1[16 * 16];
  for (int y = 0; y < ref0.height; y += 16)
    for (int x = 0; x < ref0.width; x += 16) {
      mc_luma(ref_view(ref0.comp[kY]), m0, x, y, 16, 16, p0, 16);
      Pel* dst = cur.comp[kY].row(y) + x;
      if (ref1) {
        mc_luma(ref_view(ref1->comp[kY]), m1, x, y, 16, 16, p1, 16);
        weighted_bi(p0, 16, p1, 16, dst, cur.comp[kY].stride, 16, 16);
      } else {
        weighted_uni(p0, 16, dst, cur.comp[kY].stride, 16, 16);
      }
    }
  return cur;
}

MeBlock block(const Picture& cur, int x, int y, int w, int h) {
  MeBlock b;
  b.org = cur.comp[kY].row(y) + x;
  b.stride = cur.comp[kY].stride;
  b.x = x;
  b.y = y;
  b.w = w;
  b.h = h;
  return b;
}

void check_bits() {
  CHECK_EQ(mvd_component_bits(0), 1.0);
  CHECK_EQ(mvd_component_bits(1), 3.0);
  CHECK_EQ(mvd_component_bits(-1), 3.0);
  CHECK_EQ(mvd_component_bits(2), 5.0);  // EG1(0): "0" + 1 suffix bit
  CHECK_EQ(mvd_component_bits(3), 5.0);
  CHECK_EQ(mvd_component_bits(4), 7.0);   // EG1(2): "10" + 2 bits
  CHECK_EQ(mvd_component_bits(-7), 7.0);  // EG1(5)
  CHECK_EQ(mvd_component_bits(8), 9.0);   // EG1(6): "110" + 3 bits
  CHECK_EQ(mvd_bits(Mv{16, -4}, Mv{0, 0}), 7.0 + 3.0);
}

void check_integer_shift() {
  const Picture ref = textured(256, 160, 7);
  // cur(x, y) = ref(x + 13, y - 7): MV (13, -7) samples.
  const Mv shift{13 * 16, -7 * 16};
  const Picture cur = predicted(ref, shift, nullptr, Mv{});
  PaddedPicture pad;
  pad.build(ref, 80);
  MeRef r;
  r.pic = &pad;
  MeConfig cfg;
  cfg.sqrt_lambda = 8;
  MotionSearcher ms;
  const int sizes[][2] = {{32, 32}, {16, 16}, {64, 32}, {8, 16}, {16, 8}};
  for (const auto& s : sizes) {
    const UniResult u = ms.search_uni(block(cur, 96, 64, s[0], s[1]), r, cfg);
    CHECK(u.valid);
    CHECK_EQ(u.mv.x, shift.x);
    CHECK_EQ(u.mv.y, shift.y);
    CHECK_EQ(u.dist, 0u);
  }
  // A far shift (beyond the diamond's early stop) is found through the raster scan.
  const Mv far{-41 * 16, 23 * 16};
  const Picture cur2 = predicted(ref, far, nullptr, Mv{});
  const UniResult u2 = ms.search_uni(block(cur2, 128, 32, 32, 32), r, cfg);
  CHECK_EQ(u2.mv.x, far.x);
  CHECK_EQ(u2.mv.y, far.y);
  // Starting from a good predictor gives the same answer with fewer MVD bits.
  r.mvp[0] = far;
  const UniResult u3 = ms.search_uni(block(cur2, 128, 32, 32, 32), r, cfg);
  CHECK(u3.mv == far);
  CHECK(u3.bits < u2.bits);
  CHECK_EQ(u3.mvp_idx, 0);
}

// The range of one reference (MeRef::search_range) bounds the window around the start point:
// a shift of 80 samples is found with VTM's random-access minimum (96), not with 64.
void check_search_range() {
  CHECK_EQ(adaptive_search_range(384, 96, 32, 1), 96);
  CHECK_EQ(adaptive_search_range(384, 96, 32, -8), 96);
  CHECK_EQ(adaptive_search_range(384, 96, 32, 16), 192);
  CHECK_EQ(adaptive_search_range(384, 96, 32, 9), 108);  // (384 * 9 + 16) / 32
  CHECK_EQ(adaptive_search_range(384, 96, 32, 32), 384);
  CHECK_EQ(adaptive_search_range(384, 96, 32, 64), 384);
  CHECK_EQ(adaptive_search_range(64, 96, 32, 1), 64);  // the minimum never exceeds the range
  const Picture ref = textured(384, 160, 13);
  const Mv far{-80 * 16, 9 * 16};
  const Picture cur = predicted(ref, far, nullptr, Mv{});
  PaddedPicture pad;
  pad.build(ref, 80);
  MeRef r;
  r.pic = &pad;
  MeConfig cfg;
  cfg.sqrt_lambda = 8;
  MotionSearcher ms;
  r.search_range = 96;
  const UniResult wide = ms.search_uni(block(cur, 240, 64, 32, 32), r, cfg);
  CHECK(wide.mv == far);
  CHECK_EQ(wide.dist, 0u);
  r.search_range = 0;  // MeConfig::search_range, 64
  const UniResult narrow = ms.search_uni(block(cur, 240, 64, 32, 32), r, cfg);
  CHECK(std::abs(narrow.mv.x) <= 64 * 16 + 8);
  CHECK(narrow.dist > 0u);
}

void check_subpel_shift() {
  const Picture ref = textured(192, 128, 11);
  const Mv shift{5 * 16 + 4, -3 * 16 + 8};  // quarter in x, half in y
  const Picture cur = predicted(ref, shift, nullptr, Mv{});
  PaddedPicture pad;
  pad.build(ref, 80);
  MeRef r;
  r.pic = &pad;
  MeConfig cfg;
  cfg.sqrt_lambda = 4;
  MotionSearcher ms;
  const UniResult u = ms.search_uni(block(cur, 64, 48, 16, 16), r, cfg);
  CHECK_EQ(u.mv.x, shift.x);
  CHECK_EQ(u.mv.y, shift.y);
  CHECK_EQ(u.dist, 0u);
  // Without sub-sample refinement the MV stays on the integer grid.
  cfg.subpel = false;
  const UniResult v = ms.search_uni(block(cur, 64, 48, 16, 16), r, cfg);
  CHECK_EQ(v.mv.x & 15, 0);
  CHECK_EQ(v.mv.y & 15, 0);
  CHECK(std::abs(v.mv.x - shift.x) <= 16 && std::abs(v.mv.y - shift.y) <= 16);
}

// Two references of one scene: ref1 is ref0's content moved by (9, -3) samples, each with its
// own noise; the current picture is the bi prediction from both, so each list alone leaves a
// residual and the bi refinement must find the exact pair.
Picture with_noise(const Picture& src, int dx, int dy, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> n(-24, 24);
  Picture p(src.width, src.height);
  for (int c = 0; c < 3; ++c) {
    const Plane& s = src.comp[c];
    const int sx = c ? dx / 2 : dx, sy = c ? dy / 2 : dy;
    for (int y = 0; y < s.height; ++y)
      for (int x = 0; x < s.width; ++x)
        p.comp[c].at(x, y) = clip_pel(
            s.at(std::clamp(x + sx, 0, s.width - 1), std::clamp(y + sy, 0, s.height - 1)) + n(rng));
  }
  return p;
}

void check_bi() {
  const Picture scene = textured(192, 128, 21);
  const Picture ref0 = with_noise(scene, 0, 0, 5);
  const Picture ref1 = with_noise(scene, 9, -3, 6);
  const Mv m0{3 * 16, 2 * 16}, m1{-6 * 16 + 8, 5 * 16};
  const Picture cur = predicted(ref0, m0, &ref1, m1);
  PaddedPicture p0, p1;
  p0.build(ref0, 80);
  p1.build(ref1, 80);
  MeRef r0, r1;
  r0.pic = &p0;
  r1.pic = &p1;
  const MeRef* refs[2] = {&r0, &r1};
  const int num[2] = {1, 1};
  MeConfig cfg;
  cfg.sqrt_lambda = 4;
  cfg.bi_iterations = 4;
  MotionSearcher ms;
  const MeResult res = ms.search(block(cur, 64, 48, 32, 32), refs, num, true, cfg);
  CHECK(res.uni[0].valid && res.uni[1].valid && res.bi.valid);
  CHECK(res.bi.cost < res.uni[0].cost);
  CHECK(res.bi.cost < res.uni[1].cost);
  // The bi refinement reaches the true pair (zero residual).
  CHECK(res.bi.mv[0] == m0);
  CHECK(res.bi.mv[1] == m1);
  CHECK_EQ(res.bi.dist, 0u);
  CHECK_EQ(res.bi.ref_idx[0], 0);
  CHECK_EQ(res.bi.ref_idx[1], 0);
  // allowBi false (8x4 / 4x8 blocks) -> no bi result.
  const MeResult res2 = ms.search(block(cur, 64, 48, 8, 4), refs, num, false, cfg);
  CHECK(!res2.bi.valid);
  CHECK(res2.uni[0].valid);
}

// Multiple reference pictures: the right one is chosen.
void check_ref_choice() {
  const Picture a = textured(128, 96, 31);
  const Picture b = textured(128, 96, 32);
  const Mv m{2 * 16, -1 * 16};
  const Picture cur = predicted(b, m, nullptr, Mv{});
  PaddedPicture pa, pb;
  pa.build(a, 80);
  pb.build(b, 80);
  MeRef l0[2];
  l0[0].pic = &pa;
  l0[1].pic = &pb;
  l0[1].ref_bits = 1;
  const MeRef* refs[2] = {l0, nullptr};
  const int num[2] = {2, 0};
  MeConfig cfg;
  cfg.sqrt_lambda = 4;
  MotionSearcher ms;
  const MeResult res = ms.search(block(cur, 32, 32, 16, 16), refs, num, true, cfg);
  CHECK_EQ(res.uni[0].ref_idx, 1);
  CHECK(res.uni[0].mv == m);
  CHECK(!res.uni[1].valid);
  CHECK(!res.bi.valid);
}

}  // namespace

int main() {
  check_bits();
  check_integer_shift();
  check_subpel_shift();
  check_search_range();
  check_bi();
  check_ref_choice();
  TEST_MAIN_END();
}
