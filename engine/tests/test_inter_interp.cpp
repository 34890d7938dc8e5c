// Motion-compensation tests: the engine's interpolation against a direct, per-sample
// evaluation of the H.266 8.5.6.3.2 / 8.5.6.3.4 equations (random pictures, all 16 luma / 32
// chroma phases, MVs reaching far outside the picture), the default weighted prediction
// rounding (8.5.6.6.2), and properties of the filter tables.
#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "check.h"
#include "common/picture.h"
#include "inter/inter_pred.h"
#include "inter/interp.h"

using namespace vvc;

namespace {

// refPic[Clip3(0, w-1, x)][Clip3(0, h-1, y)]
int ref_sample(const Plane& p, int x, int y) {
  return p.at(std::clamp(x, 0, p.width - 1), std::clamp(y, 0, p.height - 1));
}

// 8.5.6.3.2 (luma) / 8.5.6.3.4 (chroma) for one sample, written from the equations.
int spec_sample(const Plane& p, int xInt, int yInt, int xFrac, int yFrac, bool luma) {
  const int n = luma ? 8 : 4, off = luma ? 3 : 1;
  auto f = [&](int frac, int i) { return luma ? kLumaFilter[frac][i] : kChromaFilter[frac][i]; };
  const int shift1 = 2, shift2 = 6, shift3 = 4;  // 10-bit
  if (xFrac == 0 && yFrac == 0) return ref_sample(p, xInt, yInt) << shift3;
  if (yFrac == 0) {
    int s = 0;
    for (int i = 0; i < n; ++i) s += f(xFrac, i) * ref_sample(p, xInt + i - off, yInt);
    return s >> shift1;
  }
  if (xFrac == 0) {
    int s = 0;
    for (int i = 0; i < n; ++i) s += f(yFrac, i) * ref_sample(p, xInt, yInt + i - off);
    return s >> shift1;
  }
  int temp[8];
  for (int k = 0; k < n; ++k) {
    int s = 0;
    for (int i = 0; i < n; ++i) s += f(xFrac, i) * ref_sample(p, xInt + i - off, yInt + k - off);
    temp[k] = s >> shift1;
  }
  int s = 0;
  for (int i = 0; i < n; ++i) s += f(yFrac, i) * temp[i];
  return s >> shift2;
}

Picture random_picture(int w, int h, std::mt19937& rng) {
  Picture pic(w, h);
  std::uniform_int_distribution<int> d(0, 1023);
  for (int c = 0; c < 3; ++c)
    for (auto& v : pic.comp[c].data) v = static_cast<Pel>(d(rng));
  return pic;
}

void check_tables() {
  for (int p = 0; p < 16; ++p) {
    int s = 0;
    for (int i = 0; i < 8; ++i) s += kLumaFilter[p][i];
    CHECK_EQ(s, 64);
    if (p)
      for (int i = 0; i < 8; ++i) CHECK_EQ(kLumaFilter[p][i], kLumaFilter[16 - p][7 - i]);
  }
  for (int p = 0; p < 32; ++p) {
    int s = 0;
    for (int i = 0; i < 4; ++i) s += kChromaFilter[p][i];
    CHECK_EQ(s, 64);
    if (p)
      for (int i = 0; i < 4; ++i) CHECK_EQ(kChromaFilter[p][i], kChromaFilter[32 - p][3 - i]);
  }
  // Spot values of Tables 27 / 33.
  CHECK_EQ(kLumaFilter[8][3], 40);
  CHECK_EQ(kLumaFilter[8][2], -11);
  CHECK_EQ(kLumaFilter[4][4], 17);
  CHECK_EQ(kLumaFilter[5][7], -1);
  CHECK_EQ(kChromaFilter[16][1], 36);
  CHECK_EQ(kChromaFilter[11][2], 24);
  CHECK_EQ(kChromaFilter[3][3], -1);
}

// Every phase pair at random positions, some far outside the picture.
void check_against_spec() {
  std::mt19937 rng(1234);
  const int W = 48, H = 40;
  Picture pic = random_picture(W, H, rng);
  PaddedPicture padded;
  padded.build(pic, 16);
  std::uniform_int_distribution<int> pos(-30, 70), size(0, 4);
  const int sizes[5] = {4, 8, 16, 32, 12};
  std::vector<int16_t> a(128 * 128), b(128 * 128);
  int mismatches = 0, tested = 0;
  for (int iter = 0; iter < 600; ++iter) {
    const int fx = iter % 16, fy = (iter / 16) % 16;
    const int w = sizes[size(rng)], h = sizes[size(rng)];
    const int x = std::uniform_int_distribution<int>(0, W / 4 - 1)(rng) * 4;
    const int y = std::uniform_int_distribution<int>(0, H / 4 - 1)(rng) * 4;
    const Mv mv{(pos(rng) - x) * 16 + fx, (pos(rng) - y) * 16 + fy};
    // Luma through a plain plane and through the padded copy.
    mc_luma(ref_view(pic.comp[kY]), mv, x, y, w, h, a.data(), w);
    mc_luma(padded.view(kY), mv, x, y, w, h, b.data(), w);
    for (int j = 0; j < h; ++j)
      for (int i = 0; i < w; ++i) {
        const int e = spec_sample(pic.comp[kY], x + i + (mv.x >> 4), y + j + (mv.y >> 4), mv.x & 15,
                                  mv.y & 15, true);
        mismatches += a[j * w + i] != e;
        mismatches += b[j * w + i] != e;
        ++tested;
      }
    // Chroma: every 1/32 phase pair is reached over the iterations.
    const Mv mvc{mv.x + ((iter * 7) & 16), mv.y + ((iter * 3) & 16)};
    const int wc = w / 2 < 2 ? 2 : w / 2, hc = h / 2 < 2 ? 2 : h / 2;
    for (int c = 1; c < 3; ++c) {
      mc_chroma(ref_view(pic.comp[c]), mvc, x / 2, y / 2, wc, hc, a.data(), wc);
      mc_chroma(padded.view(c), mvc, x / 2, y / 2, wc, hc, b.data(), wc);
      for (int j = 0; j < hc; ++j)
        for (int i = 0; i < wc; ++i) {
          const int e = spec_sample(pic.comp[c], x / 2 + i + (mvc.x >> 5), y / 2 + j + (mvc.y >> 5),
                                    mvc.x & 31, mvc.y & 31, false);
          mismatches += a[j * wc + i] != e;
          mismatches += b[j * wc + i] != e;
          ++tested;
        }
    }
  }
  CHECK_EQ(mismatches, 0);
  CHECK(tested > 50000);
  // All 32 chroma phases explicitly on one block.
  for (int p = 0; p < 32; ++p) {
    const Mv mv{p + 32 * 3, 31 - p - 32 * 2};
    mc_chroma(ref_view(pic.comp[kCb]), mv, 4, 6, 8, 4, a.data(), 8);
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i < 8; ++i)
        CHECK_EQ(a[j * 8 + i], spec_sample(pic.comp[kCb], 4 + i + (mv.x >> 5), 6 + j + (mv.y >> 5),
                                           mv.x & 31, mv.y & 31, false));
  }
}

// Constant pictures stay constant (filters sum to 64) at 14-bit precision, for every phase.
void check_constant() {
  Picture pic(32, 32);
  for (int c = 0; c < 3; ++c)
    for (auto& v : pic.comp[c].data) v = 700;
  int16_t d[16 * 16], dc[8 * 8];
  for (int p = 0; p < 256; ++p) {
    const Mv mv{(p & 15) - 40 * 16, (p >> 4) + 3 * 16};
    motion_compensate(pic, mv, 8, 8, 16, 16, d, 16, dc, nullptr, 8);
    for (int i = 0; i < 256; ++i) CHECK_EQ(d[i], 700 << 4);
    for (int i = 0; i < 64; ++i) CHECK_EQ(dc[i], 700 << 4);
  }
}

// Known answer: half-sample luma on a horizontal ramp 0, 10, 20, ... ; the 8-tap half filter
// reproduces a linear ramp exactly: value at x + 1/2 = 10x + 5, at 14-bit (<< 4).
void check_ramp() {
  Picture pic(64, 8);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 64; ++x) pic.comp[kY].at(x, y) = static_cast<Pel>(10 * x);
  int16_t d[8 * 4];
  mc_luma(ref_view(pic.comp[kY]), Mv{8, 0}, 16, 0, 8, 4, d, 8);
  for (int i = 0; i < 8; ++i) CHECK_EQ(d[i], (10 * (16 + i) + 5) * 16);
  // Quarter sample: filter {-1,4,-10,58,17,-5,1,0} on a ramp: sum = 64 * 10x + 10 * 15 (the
  // first moment of the phase-4 filter is 15, not 16), >> 2.
  mc_luma(ref_view(pic.comp[kY]), Mv{4, 0}, 16, 0, 8, 4, d, 8);
  for (int i = 0; i < 8; ++i) CHECK_EQ(d[i], ((64 * 10 * (16 + i) + 150) >> 2));
}

void check_weighted() {
  std::mt19937 rng(99);
  std::uniform_int_distribution<int> d(-2000, 18000);
  int16_t p0[64], p1[64];
  Pel out[64];
  for (int iter = 0; iter < 50; ++iter) {
    for (int i = 0; i < 64; ++i) {
      p0[i] = static_cast<int16_t>(d(rng));
      p1[i] = static_cast<int16_t>(d(rng));
    }
    weighted_uni(p0, 8, out, 8, 8, 8);
    for (int i = 0; i < 64; ++i) CHECK_EQ(out[i], std::clamp((p0[i] + 8) >> 4, 0, 1023));
    weighted_bi(p0, 8, p1, 8, out, 8, 8, 8);
    for (int i = 0; i < 64; ++i) CHECK_EQ(out[i], std::clamp((p0[i] + p1[i] + 16) >> 5, 0, 1023));
  }
  // Integer MVs: uni returns the reference, bi the rounded-up average.
  int16_t a = 500 << 4, b = 501 << 4;
  weighted_uni(&a, 1, out, 1, 1, 1);
  CHECK_EQ(out[0], 500);
  weighted_bi(&a, 1, &b, 1, out, 1, 1, 1);
  CHECK_EQ(out[0], 501);  // (1001 + 1) >> 1
}

// InterPredictor: uni and bi CU prediction of all components equals the weighted spec samples.
void check_cu_prediction() {
  std::mt19937 rng(77);
  const Picture r0 = random_picture(64, 48, rng), r1 = random_picture(64, 48, rng);
  PaddedPicture p0, p1;
  p0.build(r0, 32);
  p1.build(r1, 32);
  RefPicSet refs;
  refs.pic[0][0] = &p0;
  refs.pic[0][1] = &p1;
  refs.pic[1][0] = &p1;
  InterPredictor ip;
  static Pel y[16 * 8], cb[8 * 4], cr[8 * 4];
  const MotionInfo bi = make_bi(1, Mv{-37, 21}, 0, Mv{100, -9});
  const MotionInfo uni = make_uni(1, 0, Mv{-700, 5});  // mostly outside the picture
  for (const MotionInfo* mi : {&bi, &uni}) {
    ip.predict(*mi, refs, 24, 16, 16, 8, y, 16, cb, cr, 8);
    for (int c = 0; c < 3; ++c) {
      const int w = c ? 8 : 16, h = c ? 4 : 8, x0 = c ? 12 : 24, y0 = c ? 8 : 16;
      const Pel* got = c == 0 ? y : (c == 1 ? cb : cr);
      for (int j = 0; j < h; ++j)
        for (int i = 0; i < w; ++i) {
          int s[2] = {0, 0}, n = 0;
          for (int l = 0; l < 2; ++l) {
            if (!mi->uses(l)) continue;
            const Picture& rp = (l == 0 && mi->ref_idx[0] == 0) ? r0 : r1;
            const Mv m = mi->mv[l];
            s[n++] = c == 0 ? spec_sample(rp.comp[0], x0 + i + (m.x >> 4), y0 + j + (m.y >> 4),
                                          m.x & 15, m.y & 15, true)
                            : spec_sample(rp.comp[c], x0 + i + (m.x >> 5), y0 + j + (m.y >> 5),
                                          m.x & 31, m.y & 31, false);
          }
          const int e = n == 2 ? std::clamp((s[0] + s[1] + 16) >> 5, 0, 1023)
                               : std::clamp((s[0] + 8) >> 4, 0, 1023);
          CHECK_EQ(got[j * w + i], e);
        }
    }
  }
}

}  // namespace

int main() {
  check_cu_prediction();
  check_tables();
  check_against_spec();
  check_constant();
  check_ramp();
  check_weighted();
  TEST_MAIN_END();
}
