// Tests for the deblocking filter: flat pictures stay unchanged, bS 0 edges are untouched,
// filtering stays within each filter's footprint, step edges are filtered symmetrically,
// vertical and horizontal edges agree on transposed input, and known answers worked by hand
// from the H.266 8.8.3.6 formulas (strong, weak, long luma filters; chroma strong, weak and
// one-sided filters; the CTB-row restriction of horizontal edges).
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include "check.h"
#include "filter/deblock.h"

namespace {

using vvc::DeblockGrid;
using vvc::DeblockParams;
using vvc::Picture;

// A picture with a luma and chroma grid of square TBs of size `tb` (luma) / `tbc` (chroma).
struct Setup {
  Picture pic;
  DeblockGrid grid;
  DeblockParams params;
  Setup(int w, int h, int tb, int tbc, int qp) : pic(w, h) {
    grid.reset(w, h);
    for (int y = 0; y < h; y += tb)
      for (int x = 0; x < w; x += tb) grid.set_luma_tb(x, y, tb, tb, qp);
    for (int y = 0; y < h / 2; y += tbc)
      for (int x = 0; x < w / 2; x += tbc) grid.set_chroma_tb(x, y, tbc, tbc, qp);
  }
  void fill(int c, int v) {
    for (auto& s : pic.comp[c].data) s = static_cast<vvc::Pel>(v);
  }
  // Keep only the vertical (or horizontal) edge at luma position pos; everything else bS 0.
  void only_edge(bool vertical, int pos) {
    for (int y4 = 0; y4 < grid.height4; ++y4)
      for (int x4 = 0; x4 < grid.width4; ++x4) {
        auto& u = grid.at(x4, y4);
        const bool keepV = vertical && x4 * 4 == pos;
        const bool keepH = !vertical && y4 * 4 == pos;
        if (!keepV) u.bs_v = u.bs_v_c = 0;
        if (!keepH) u.bs_h = u.bs_h_c = 0;
      }
  }
};

// Step: value a left of (above) pos, b from pos on, in component c (pos in c's samples).
void step(Picture& pic, int c, bool vertical, int pos, int a, int b) {
  auto& pl = pic.comp[c];
  for (int y = 0; y < pl.height; ++y)
    for (int x = 0; x < pl.width; ++x)
      pl.at(x, y) = static_cast<vvc::Pel>((vertical ? x : y) < pos ? a : b);
}

void test_flat_unchanged() {
  for (int tb : {4, 8, 32}) {
    Setup s(64, 64, tb, tb == 4 ? 4 : 8, 37);
    s.fill(0, 512);
    s.fill(1, 300);
    s.fill(2, 700);
    vvc::deblock_picture(s.pic, s.grid, s.params);
    for (auto v : s.pic.comp[0].data) CHECK_EQ(v, 512);
    for (auto v : s.pic.comp[1].data) CHECK_EQ(v, 300);
    for (auto v : s.pic.comp[2].data) CHECK_EQ(v, 700);
  }
}

void test_bs0_untouched() {
  Setup s(64, 64, 8, 8, 37);
  for (auto& u : s.grid.units) u.bs_v = u.bs_h = u.bs_v_c = u.bs_h_c = 0;
  std::mt19937 rng(3);
  for (int c = 0; c < 3; ++c)
    for (auto& v : s.pic.comp[c].data) v = static_cast<vvc::Pel>(rng() % 1024);
  const Picture before = s.pic;
  vvc::deblock_picture(s.pic, s.grid, s.params);
  for (int c = 0; c < 3; ++c) CHECK(s.pic.comp[c].data == before.comp[c].data);
  // qp so low that tC' = 0: nothing changes either.
  Setup t(64, 64, 8, 8, 10);
  step(t.pic, 0, true, 32, 300, 340);
  const Picture b2 = t.pic;
  vvc::deblock_picture(t.pic, t.grid, t.params);
  CHECK(t.pic.comp[0].data == b2.comp[0].data);
}

// Luma known answers across one vertical edge at x = 32, row 5 (any row is the same).
void test_luma_known() {
  // qp 37, bS 2: tC' = Table43[39] = 21, beta' = Table43[37] = 36 -> beta = 144.
  CHECK_EQ(vvc::deblock_tc_prime(39), 21);
  CHECK_EQ(vvc::deblock_beta_prime(37), 36);
  {
    // 8x8 TBs, step 300 | 340: d = 0, |p0 - q0| = 40 < tc25 = 53 -> strong filter:
    // p0' = (p2 + 2p1 + 2p0 + 2q0 + q1 + 4) >> 3 = 315, p1' = (p2+p1+p0+q0+2) >> 2 = 310,
    // p2' = (2p3 + 3p2 + p1 + p0 + q0 + 4) >> 3 = 305, and mirrored 325, 330, 335.
    Setup s(64, 64, 8, 8, 37);
    step(s.pic, 0, true, 32, 300, 340);
    s.only_edge(true, 32);
    vvc::deblock_picture(s.pic, s.grid, s.params);
    const int want[8] = {300, 305, 310, 315, 325, 330, 335, 340};
    for (int i = 0; i < 8; ++i) CHECK_EQ(s.pic.comp[0].at(28 + i, 5), want[i]);
    // Symmetric: p_i' - 300 == 340 - q_i' on every row.
    for (int y = 0; y < 64; ++y)
      for (int i = 0; i < 4; ++i)
        CHECK_EQ(s.pic.comp[0].at(31 - i, y) + s.pic.comp[0].at(32 + i, y), 640);
  }
  {
    // 8x8 TBs, step 300 | 360: |p0 - q0| = 60 >= 53 -> weak filter:
    // delta = (9 * (q0 - p0) - 3 * (q1 - p1) + 8) >> 4 = 23 -> clip to tC = 21:
    // p0' = 321, q0' = 339;
    // dEp/dEq (dp = dq = 0 < 27): p1' = 300 + clip((300 - 300 + 21) >> 1, +-10) = 310,
    // q1' = 360 + clip((360 - 360 - 21) >> 1 = -11, +-10) = 350.
    Setup s(64, 64, 8, 8, 37);
    step(s.pic, 0, true, 32, 300, 360);
    s.only_edge(true, 32);
    vvc::deblock_picture(s.pic, s.grid, s.params);
    const int want[8] = {300, 300, 310, 321, 339, 350, 360, 360};
    for (int i = 0; i < 8; ++i) CHECK_EQ(s.pic.comp[0].at(28 + i, 5), want[i]);
  }
  {
    // 4x4 TBs: maxFilterLength 1 on both sides; 300 | 360 -> weak, p0/q0 only (no dEp/dEq).
    Setup s(64, 64, 4, 4, 37);
    step(s.pic, 0, true, 32, 300, 360);
    s.only_edge(true, 32);
    vvc::deblock_picture(s.pic, s.grid, s.params);
    const int want[8] = {300, 300, 300, 321, 339, 360, 360, 360};
    for (int i = 0; i < 8; ++i) CHECK_EQ(s.pic.comp[0].at(28 + i, 5), want[i]);
  }
  {
    // 32x32 TBs: long filter 7/7. refMiddle m = (6 * 300 + 2 * (300 + 340) + 6 * 340 + 8) >> 4
    // = 320, refP = 300, refQ = 340; p_i' = (m * f_i + refP * (64 - f_i) + 32) >> 6 with
    // f = 59, 50, 41, 32, 23, 14, 5 (all within the tcPD clipping):
    // p0..p6' = 318, 316, 313, 310, 307, 304, 302; q0..q6' = 322, 324, 327, 330, 333, 336, 338.
    Setup s(128, 64, 32, 16, 37);
    step(s.pic, 0, true, 64, 300, 340);
    s.only_edge(true, 64);
    vvc::deblock_picture(s.pic, s.grid, s.params);
    const int want[16] = {300, 302, 304, 307, 310, 313, 316, 318,
                          322, 324, 327, 330, 333, 336, 338, 340};
    for (int i = 0; i < 16; ++i) CHECK_EQ(s.pic.comp[0].at(56 + i, 9), want[i]);
    for (int y = 0; y < 64; ++y)
      for (int i = 0; i < 8; ++i)
        CHECK_EQ(s.pic.comp[0].at(63 - i, y) + s.pic.comp[0].at(64 + i, y), 640);
  }
  {
    // Horizontal edge on the CTB row boundary y = 128 with 32x32 TBs: the P side is limited
    // to 3 (large Q 7). m = (2(p2 + p1 + p0 + q0) + p0 + p1 + q1 + ... + q6 + 8) >> 4 = 320,
    // refP = (p3 + p2 + 1) >> 1 = 300, f = 53, 32, 11: p0..p2' = 317, 310, 303; Q as above.
    Setup s(64, 192, 32, 16, 37);
    step(s.pic, 0, false, 128, 300, 340);
    s.only_edge(false, 128);
    vvc::deblock_picture(s.pic, s.grid, s.params);
    const int want[16] = {300, 300, 300, 300, 300, 303, 310, 317,
                          322, 324, 327, 330, 333, 336, 338, 340};
    for (int i = 0; i < 16; ++i) CHECK_EQ(s.pic.comp[0].at(7, 120 + i), want[i]);
    // The same edge at y = 64 (not a CTB row) uses the long P side: 302 ... 318.
    Setup t(64, 192, 32, 16, 37);
    step(t.pic, 0, false, 64, 300, 340);
    t.only_edge(false, 64);
    vvc::deblock_picture(t.pic, t.grid, t.params);
    CHECK_EQ(t.pic.comp[0].at(7, 57), 302);
    CHECK_EQ(t.pic.comp[0].at(7, 63), 318);
  }
}

void test_chroma_known() {
  {
    // Chroma 8x8 TBs, vertical chroma edge at chroma x = 16 (luma 32), 300 | 340, QpC 37
    // (identity mapping): strong chroma filter:
    // p0' = (p3+p2+p1+2p0+q0+q1+q2+4) >> 3 = 315, p1' = (2p3+p2+2p1+p0+q0+q1+4) >> 3 = 310,
    // p2' = (3p3+2p2+p1+p0+q0+4) >> 3 = 305; q0..q2' = 325, 330, 335.
    Setup s(64, 64, 8, 8, 37);
    step(s.pic, 1, true, 16, 300, 340);
    step(s.pic, 2, true, 16, 300, 340);
    s.only_edge(true, 32);
    vvc::deblock_picture(s.pic, s.grid, s.params);
    const int want[8] = {300, 305, 310, 315, 325, 330, 335, 340};
    for (int c = 1; c <= 2; ++c)
      for (int i = 0; i < 8; ++i) CHECK_EQ(s.pic.comp[c].at(12 + i, 3), want[i]);
  }
  {
    // Chroma 4x4 TBs: weak filter only:
    // delta = clip(((q0 - p0) * 4 + p1 - q1 + 4) >> 3, +-tC) = (160 - 40 + 4) >> 3 = 15.
    Setup s(64, 64, 8, 4, 37);
    step(s.pic, 1, true, 16, 300, 340);
    s.only_edge(true, 32);
    vvc::deblock_picture(s.pic, s.grid, s.params);
    const int want[6] = {300, 300, 315, 325, 340, 340};
    for (int i = 0; i < 6; ++i) CHECK_EQ(s.pic.comp[1].at(13 + i, 7), want[i]);
  }
  {
    // Chroma edges off the 8-sample chroma grid (chroma x = 4) are never filtered.
    Setup s(64, 64, 8, 4, 37);
    step(s.pic, 1, true, 4, 300, 340);
    const Picture before = s.pic;
    vvc::deblock_picture(s.pic, s.grid, s.params);
    CHECK(s.pic.comp[1].data == before.comp[1].data);
  }
  {
    // Horizontal chroma edge on the CTB row (luma y 128 = chroma 64), 8x8 chroma TBs:
    // one-sided strong filter: p0' = (3p1 + 2p0 + q0 + q1 + q2 + 4) >> 3 = 315, p1/p2 kept,
    // q0' = (2p1 + p0 + 2q0 + q1 + q2 + q3 + 4) >> 3 = 325, q1' = 330, q2' = 335.
    Setup s(64, 192, 8, 8, 37);
    step(s.pic, 2, false, 64, 300, 340);
    s.only_edge(false, 128);
    vvc::deblock_picture(s.pic, s.grid, s.params);
    const int want[8] = {300, 300, 300, 315, 325, 330, 335, 340};
    for (int i = 0; i < 8; ++i) CHECK_EQ(s.pic.comp[2].at(5, 60 + i), want[i]);
  }
  {
    // Chroma QP mapping: QpC = QpY - 20 for Cb -> qp 17 -> tC' = Table43[19] = 4 for bS 2:
    // the weak filter step is clipped to 4. Cr keeps identity (QpC 37, delta 20).
    Setup s(64, 64, 8, 4, 37);
    s.params.set_chroma_qp_mapping([](int qpY, int cIdx) { return cIdx == 1 ? qpY - 20 : qpY; });
    step(s.pic, 1, true, 16, 300, 340);
    step(s.pic, 2, true, 16, 300, 340);
    vvc::deblock_picture(s.pic, s.grid, s.params);
    CHECK_EQ(s.pic.comp[1].at(15, 2), 304);
    CHECK_EQ(s.pic.comp[1].at(16, 2), 336);
    CHECK_EQ(s.pic.comp[2].at(15, 2), 315);
  }
}

// Random texture plus steps on a full grid: only samples within the filter reach of an edge
// change (luma: 7 for 32-sample TBs, 3 for 8, 1 for 4; chroma: 3 around 8-grid edges).
void test_footprint() {
  for (int tb : {4, 8, 32}) {
    Setup s(128, 128, tb, tb == 4 ? 4 : 8, 42);
    std::mt19937 rng(tb);
    for (int c = 0; c < 3; ++c) {
      auto& pl = s.pic.comp[c];
      const int blk = c ? (tb == 4 ? 4 : 8) : tb;
      for (int y = 0; y < pl.height; ++y)
        for (int x = 0; x < pl.width; ++x)
          pl.at(x, y) = static_cast<vvc::Pel>(400 + 37 * (((x / blk) * 7 + (y / blk) * 3) % 5) +
                                              static_cast<int>(rng() % 3));
    }
    const Picture before = s.pic;
    vvc::deblock_picture(s.pic, s.grid, s.params);
    const int reach = tb == 4 ? 1 : tb == 8 ? 3 : 7;
    int changed = 0;
    for (int y = 0; y < 128; ++y)
      for (int x = 0; x < 128; ++x) {
        if (s.pic.comp[0].at(x, y) == before.comp[0].at(x, y)) continue;
        ++changed;
        const int dx = x % tb, dy = y % tb;
        const bool nearV = (dx < reach && x >= tb) || (tb - dx <= reach && x + tb - dx < 128);
        const bool nearH = (dy < reach && y >= tb) || (tb - dy <= reach && y + tb - dy < 128);
        CHECK(nearV || nearH);
      }
    CHECK(changed > 0);
    for (int c = 1; c <= 2; ++c)
      for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x) {
          if (s.pic.comp[c].at(x, y) == before.comp[c].at(x, y)) continue;
          const int dx = x % 8, dy = y % 8;
          const bool nearV = (dx < 3 && x >= 8) || dx >= 5;
          const bool nearH = (dy < 3 && y >= 8) || dy >= 5;
          CHECK(nearV || nearH);
        }
  }
}

// Vertical-edge filtering of a picture equals horizontal-edge filtering of its transpose
// (away from CTB rows, which only restrict horizontal edges). Only one direction is kept
// per picture: vertical-then-horizontal order is not transpose-invariant at corners.
void test_transpose() {
  const int n = 96;
  for (int tb : {4, 8, 32}) {
    Setup a(n, n, tb, tb == 4 ? 4 : 8, 33);
    Setup b(n, n, tb, tb == 4 ? 4 : 8, 33);
    for (auto& u : a.grid.units) u.bs_h = u.bs_h_c = 0;
    for (auto& u : b.grid.units) u.bs_v = u.bs_v_c = 0;
    std::mt19937 rng(77 + tb);
    for (int c = 0; c < 3; ++c) {
      auto& pa = a.pic.comp[c];
      for (int y = 0; y < pa.height; ++y)
        for (int x = 0; x < pa.width; ++x) {
          const int v = 500 + ((x / 4) % 3) * 9 + ((y / 8) % 2) * 11 + static_cast<int>(rng() % 5);
          pa.at(x, y) = static_cast<vvc::Pel>(v);
          b.pic.comp[c].at(y, x) = static_cast<vvc::Pel>(v);
        }
    }
    const Picture a0 = a.pic;
    vvc::deblock_picture(a.pic, a.grid, a.params);
    vvc::deblock_picture(b.pic, b.grid, b.params);
    CHECK(a.pic.comp[0].data != a0.comp[0].data);  // something was filtered
    bool same = true;
    for (int c = 0; c < 3; ++c) {
      const auto& pa = a.pic.comp[c];
      for (int y = 0; y < pa.height; ++y)
        for (int x = 0; x < pa.width; ++x) same &= pa.at(x, y) == b.pic.comp[c].at(y, x);
    }
    CHECK(same);
  }
}

}  // namespace

// deblock_plane over a crop of a picture (grid and samples copied, params.origin_y set) gives
// the same samples as deblock_picture, including the CTB-row limit of horizontal edges below
// the crop's first row.
void test_crop_matches_picture() {
  std::mt19937 rng(7);
  Setup s(128, 192, 32, 16, 37);
  s.params.ctu_size = 64;
  for (int c = 0; c < 3; ++c) {  // blocky content: long / strong filters on the TB edges
    auto& pl = s.pic.comp[c];
    const int b = c ? 16 : 32;
    for (int y = 0; y < pl.height; ++y)
      for (int x = 0; x < pl.width; ++x)
        pl.at(x, y) = static_cast<vvc::Pel>(400 + (x / b) * 9 + (y / b) * 7 + rng() % 3);
  }
  Picture whole = s.pic;
  vvc::deblock_picture(whole, s.grid, s.params);
  const int ox = 16, oy = 48, cw = 96, ch = 112;  // multiples of 16; row 64 is a CTB row
  Picture crop(cw, ch);
  for (int c = 0; c < 3; ++c) {
    const int sh = c ? 1 : 0;
    for (int y = 0; y < (ch >> sh); ++y)
      for (int x = 0; x < (cw >> sh); ++x)
        crop.comp[c].at(x, y) = s.pic.comp[c].at((ox >> sh) + x, (oy >> sh) + y);
  }
  DeblockGrid g;
  g.reset(cw, ch);
  for (int y4 = 0; y4 < g.height4; ++y4)
    for (int x4 = 0; x4 < g.width4; ++x4) g.at(x4, y4) = s.grid.at(ox / 4 + x4, oy / 4 + y4);
  DeblockParams p = s.params;
  p.origin_y = oy;
  for (int c = 0; c < 3; ++c)
    for (const bool vertical : {true, false}) vvc::deblock_plane(crop.comp[c], c, g, p, vertical);
  // Samples within 8 luma (4 chroma) of the crop's border read or miss neighbours outside it.
  int diff = 0;
  for (int c = 0; c < 3; ++c) {
    const int sh = c ? 1 : 0, m = 8 >> sh;
    for (int y = m; y < (ch >> sh) - m; ++y)
      for (int x = m; x < (cw >> sh) - m; ++x)
        diff += crop.comp[c].at(x, y) != whole.comp[c].at((ox >> sh) + x, (oy >> sh) + y);
  }
  CHECK_EQ(diff, 0);
  // Without origin_y the CTB row at picture row 64 is missed: the result differs there.
  Picture crop2(cw, ch);
  for (int y = 0; y < ch; ++y)
    for (int x = 0; x < cw; ++x) crop2.comp[0].at(x, y) = s.pic.comp[0].at(ox + x, oy + y);
  DeblockParams p0 = s.params;
  for (const bool vertical : {true, false}) vvc::deblock_plane(crop2.comp[0], 0, g, p0, vertical);
  int diff0 = 0;
  for (int y = 8; y < ch - 8; ++y)
    for (int x = 8; x < cw - 8; ++x)
      diff0 += crop2.comp[0].at(x, y) != whole.comp[0].at(ox + x, oy + y);
  CHECK(diff0 > 0);
}

int main() {
  test_crop_matches_picture();
  test_flat_unchanged();
  test_bs0_untouched();
  test_luma_known();
  test_chroma_known();
  test_footprint();
  test_transpose();
  TEST_MAIN_END();
}
