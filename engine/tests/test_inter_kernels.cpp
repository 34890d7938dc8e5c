// Speed kernels of the inter search against their plain references: the SSE2 SAD equals the
// scalar SAD on random blocks of every used width (full int16 range too), the closed-form MVD
// bit estimate equals the EG1 count, and the DMVR bilinear prediction and reference window
// read in place from a padded picture give exactly what the per-sample clamped reads of the
// plain picture give (the fast paths must not change the normative prediction).
#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "check.h"
#include "common/picture.h"
#include "inter/dmvr.h"
#include "inter/interp.h"
#include "rdo/distortion.h"
#include "search/motion_search.h"

using namespace vvc;

namespace {

void test_sad(std::mt19937& rng) {
  std::uniform_int_distribution<int> s10(0, 1023), s16(-32768, 32767), off(0, 7);
  constexpr int kStride = 160;
  std::vector<Pel> a(kStride * 140), b(kStride * 140);
  const int widths[] = {4, 8, 12, 16, 24, 32, 48, 64, 128};
  for (int full = 0; full < 2; ++full)
    for (int w : widths)
      for (int h : {1, 2, 3, 4, 8, 16, 33, 64, 128}) {
        for (auto& v : a) v = static_cast<Pel>(full ? s16(rng) : s10(rng));
        for (auto& v : b) v = static_cast<Pel>(full ? s16(rng) : s10(rng));
        const int oa = off(rng), ob = off(rng);
        for (int as : {kStride, w})
          CHECK_EQ(sad(a.data() + oa, as, b.data() + ob, kStride, w, h),
                   sad_scalar(a.data() + oa, as, b.data() + ob, kStride, w, h));
      }
  // Extremes: every difference 65535.
  std::fill(a.begin(), a.end(), Pel(32767));
  std::fill(b.begin(), b.end(), Pel(-32768));
  CHECK_EQ(sad(a.data(), kStride, b.data(), kStride, 128, 128), uint64_t(65535) * 128 * 128);
  CHECK_EQ(sad(a.data(), kStride, b.data(), kStride, 4, 7), uint64_t(65535) * 4 * 7);
}

// EG1 bit count of abs_mvd_minus2 by the binarization loop (9.3.3.5 k-th order Exp-Golomb).
double mvd_bits_loop(int32_t d) {
  const uint32_t a = static_cast<uint32_t>(d < 0 ? -d : d);
  if (a == 0) return 1;
  if (a == 1) return 3;
  uint32_t n = a - 2;
  int k = 1, bits = 0;
  while (n >= (1u << k)) {
    n -= 1u << k;
    ++k;
    ++bits;
  }
  return 3 + bits + 1 + k;
}

void test_mvd_bits() {
  for (int32_t d = -70000; d <= 70000; ++d) CHECK_EQ(mvd_component_bits(d), mvd_bits_loop(d));
  CHECK_EQ(mvd_component_bits((1 << 17) - 1), mvd_bits_loop((1 << 17) - 1));
}

Picture noise_picture(int w, int h, std::mt19937& rng) {
  Picture p(w, h);
  std::uniform_int_distribution<int> s(0, 1023);
  for (auto& c : p.comp)
    for (auto& v : c.data) v = static_cast<Pel>(s(rng));
  return p;
}

void test_dmvr_reads(std::mt19937& rng) {
  const Picture pic = noise_picture(64, 48, rng);
  PaddedPicture padded;
  padded.build(pic, 16);  // small margin: positions near and past it take both paths
  std::uniform_int_distribution<int> pos(-40, 100), frac(0, 15), size(0, 2);
  const int sizes[] = {8, 16, 16};
  for (int t = 0; t < 3000; ++t) {
    const int w = sizes[size(rng)], h = sizes[size(rng)];
    const int x = pos(rng), y = pos(rng);
    const Mv mv{frac(rng) + 16 * (pos(rng) / 8), frac(rng) + 16 * (pos(rng) / 8)};
    for (int c = 0; c < 3; ++c) {
      if (c == 0) {
        int16_t p0[kDmvrBilStride * kDmvrBilStride], p1[kDmvrBilStride * kDmvrBilStride];
        dmvr_bilinear(padded.view(0), mv, x, y, w, h, p0);
        dmvr_bilinear(ref_view(pic.comp[0]), mv, x, y, w, h, p1);
        bool same = true;
        for (int j = 0; j < h + 4; ++j)
          for (int i = 0; i < w + 4; ++i)
            same &= p0[j * kDmvrBilStride + i] == p1[j * kDmvrBilStride + i];
        CHECK(same);
      }
      const int s = c ? 1 : 0;
      const int ww = (w >> s) + (c ? 3 : 7), wh = (h >> s) + (c ? 3 : 7);
      Pel b0[kDmvrWindowBuf], b1[kDmvrWindowBuf];
      const RefView v0 = dmvr_window(padded.view(c), x >> s, y >> s, ww, wh, b0);
      const RefView v1 = dmvr_window(ref_view(pic.comp[c]), x >> s, y >> s, ww, wh, b1);
      bool same = true;
      const int m = kDmvrWindowMargin;
      for (int j = -m; j < wh + m; ++j)
        for (int i = -m; i < ww + m; ++i)
          same &= v0.origin[j * v0.stride + i] == v1.origin[j * v1.stride + i];
      CHECK(same);
    }
  }
}

}  // namespace

int main() {
  std::mt19937 rng(1234);
  test_sad(rng);
  test_mvd_bits();
  test_dmvr_reads(rng);
  TEST_MAIN_END();
}
