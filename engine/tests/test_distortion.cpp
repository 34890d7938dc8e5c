// SSE / SAD / SATD on known patterns, and SATD against a matrix-product Hadamard.
#include <cstdlib>
#include <random>
#include <vector>

#include "check.h"
#include "rdo/distortion.h"

using namespace vvc;

namespace {

// Sylvester Hadamard matrix entry H_N[i][j] = (-1)^popcount(i & j).
int had(int i, int j) {
  return (__builtin_popcount(i & j) & 1) ? -1 : 1;
}

// Reference tile SATD: T = H * D * H^T by definition, then the VTM normalisation.
uint32_t ref_tile(const std::vector<int>& d, int n) {
  uint32_t sum = 0, dc = 0;
  for (int u = 0; u < n; ++u)
    for (int v = 0; v < n; ++v) {
      long t = 0;
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) t += static_cast<long>(had(u, i)) * d[i * n + j] * had(v, j);
      sum += static_cast<uint32_t>(std::labs(t));
      if (u == 0 && v == 0) dc = static_cast<uint32_t>(std::labs(t));
    }
  sum = sum - dc + (dc >> 2);
  return n == 8 ? (sum + 2) >> 2 : (sum + 1) >> 1;
}

void test_sse_sad() {
  const Pel a[8] = {10, 20, 30, 40, 1023, 0, 5, 5};
  const Pel b[8] = {12, 20, 27, 40, 0, 0, 5, 9};
  // 2x4 blocks, stride 4: diffs -2, 0, 3, 0 / 1023, 0, 0, -4.
  CHECK_EQ(sse(a, 4, b, 4, 4, 2), 4u + 9u + 1023u * 1023u + 16u);
  CHECK_EQ(sad(a, 4, b, 4, 4, 2), 2u + 3u + 1023u + 4u);
  CHECK_EQ(sse(a, 4, b, 4, 2, 2), 4u + 1023u * 1023u);  // first two columns only
  CHECK_EQ(sse(a, 4, a, 4, 4, 2), 0u);
}

void test_satd_patterns() {
  Pel z[64] = {};
  Pel p[64] = {};
  // 4x4 impulse of 8: all 16 coefficients are +-8; (15*8 + 8/4 + 1) >> 1 = 61.
  p[0] = 8;
  CHECK_EQ(satd_4x4(p, 8, z, 8), 61u);
  // 8x8 impulse of 8: 64 coefficients +-8; (63*8 + 2 + 2) >> 2 = 127.
  CHECK_EQ(satd_8x8(p, 8, z, 8), 127u);
  // Constant difference 5: only DC; 4x4 DC = 80 -> (20 + 1) >> 1 = 10; 8x8 DC = 320 -> (80 + 2)
  // >> 2 = 20.
  for (auto& v : p) v = 5;
  CHECK_EQ(satd_4x4(p, 8, z, 8), 10u);
  CHECK_EQ(satd_8x8(p, 8, z, 8), 20u);
  // 4x4 checkerboard of +-1: a single coefficient of 16 -> (16 + 1) >> 1 = 8.
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) p[y * 8 + x] = static_cast<Pel>(((x + y) & 1) ? 1 : -1);
  CHECK_EQ(satd_4x4(p, 8, z, 8), 8u);
  // Sign symmetry.
  CHECK_EQ(satd_4x4(z, 8, p, 8), 8u);
}

void test_satd_random_and_tiling() {
  std::mt19937 rng(99);
  std::uniform_int_distribution<int> d(0, 1023);
  const int W = 32, H = 32;
  std::vector<Pel> a(W * H), b(W * H);
  for (auto& v : a) v = static_cast<Pel>(d(rng));
  for (auto& v : b) v = static_cast<Pel>(d(rng));
  for (int n : {4, 8}) {
    for (int t = 0; t < 10; ++t) {
      const int ox = (t * 3) % (W - n), oy = (t * 5) % (H - n);
      std::vector<int> diff(n * n);
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
          diff[i * n + j] = a[(oy + i) * W + ox + j] - b[(oy + i) * W + ox + j];
      const uint32_t got = n == 8 ? satd_8x8(&a[oy * W + ox], W, &b[oy * W + ox], W)
                                  : satd_4x4(&a[oy * W + ox], W, &b[oy * W + ox], W);
      CHECK_EQ(got, ref_tile(diff, n));
    }
  }
  // Extreme 10-bit differences (0 vs 1023) against the reference: no 16-bit overflow.
  for (int t = 0; t < 20; ++t) {
    std::vector<Pel> x(64), y(64);
    std::vector<int> diff(64);
    for (int i = 0; i < 64; ++i) {
      const bool hiX = t == 0 || (t > 1 && (rng() & 1));
      const bool hiY = t == 1 || (t > 1 && (rng() & 1) && !hiX);
      x[i] = hiX ? 1023 : 0;
      y[i] = hiY ? 1023 : 0;
      diff[i] = x[i] - y[i];
    }
    CHECK_EQ(satd_8x8(x.data(), 8, y.data(), 8), ref_tile(diff, 8));
  }
  {
    std::vector<Pel> x(64, 1023), y(64, 0);
    // Only DC = 64 * 1023 = 65472: (65472 >> 2 + 2) >> 2 = 4092.
    CHECK_EQ(satd_8x8(x.data(), 8, y.data(), 8), 4092u);
  }
  // Tiling: 16x8 = two 8x8 tiles; 8x4 and 4x16 use 4x4 tiles; 32x32 = 16 8x8 tiles.
  auto tiles = [&](int w, int h, int n) {
    uint64_t s = 0;
    for (int y = 0; y < h; y += n)
      for (int x = 0; x < w; x += n)
        s += n == 8 ? satd_8x8(&a[y * W + x], W, &b[y * W + x], W)
                    : satd_4x4(&a[y * W + x], W, &b[y * W + x], W);
    return s;
  };
  CHECK_EQ(satd(a.data(), W, b.data(), W, 16, 8), tiles(16, 8, 8));
  CHECK_EQ(satd(a.data(), W, b.data(), W, 8, 4), tiles(8, 4, 4));
  CHECK_EQ(satd(a.data(), W, b.data(), W, 4, 16), tiles(4, 16, 4));
  CHECK_EQ(satd(a.data(), W, b.data(), W, 32, 32), tiles(32, 32, 8));
  CHECK(satd(a.data(), W, b.data(), W, 8, 8) != tiles(8, 8, 4));  // 8x8 is not 4 4x4 tiles
  CHECK_EQ(satd(a.data(), W, a.data(), W, 32, 32), 0u);
}

}  // namespace

int main() {
  test_sse_sad();
  test_satd_patterns();
  test_satd_random_and_tiling();
  TEST_MAIN_END();
}
