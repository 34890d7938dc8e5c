// Tests for the DCT-II transforms: the matrix against an independent construction from the
// 63 distinct constants of H.266 8.7.4.5, the inverse against a direct evaluation of the
// spec's equations (8.7.4.2 / 8.7.2 rounding and clipping reproduced here), and round trips
// residual -> forward -> quantize -> dequantize -> inverse for every size 4..64.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "check.h"
#include "transform/quant.h"
#include "transform/transform.h"

namespace {

// The odd-part constants of the N-point DCT-II (N = 4, 8, 16, 32, 64), as listed in H.266
// 8.7.4.5: the values of transMatrix for the odd frequencies of each size.
const int kOdd4[2] = {83, 36};
const int kOdd8[4] = {89, 75, 50, 18};
const int kOdd16[8] = {90, 87, 80, 70, 57, 43, 25, 9};
const int kOdd32[16] = {90, 90, 88, 85, 82, 78, 73, 67, 61, 54, 46, 38, 31, 22, 13, 4};
const int kOdd64[32] = {91, 90, 90, 90, 88, 87, 86, 84, 83, 81, 79, 77, 73, 71, 69, 65,
                        62, 59, 56, 52, 48, 44, 41, 37, 33, 28, 24, 20, 15, 11, 7,  2};

// Reference transMatrix[m][n] of the 64-point DCT-II: frequency n = o * 2^s (o odd) uses the
// odd constants of the (64 >> s)-point DCT, with the cosine's sign/phase from
// cos(pi * (2m + 1) * o / (2N)).
int ref_mat64(int n, int m) {
  if (n == 0) return 64;
  int s = 0;
  while (!((n >> s) & 1)) ++s;
  const int o = n >> s;
  const int N = 64 >> s;
  static const int kOdd2[1] = {64};  // n = 32: 64 * sqrt(2) * cos(pi / 4)
  const int* c = N == 64   ? kOdd64
                 : N == 32 ? kOdd32
                 : N == 16 ? kOdd16
                 : N == 8  ? kOdd8
                 : N == 4  ? kOdd4
                           : kOdd2;
  const int t = ((2 * m + 1) * o) % (4 * N);  // angle pi * t / (2N), t odd
  if (t < N) return c[(t - 1) / 2];
  if (t < 2 * N) return -c[(2 * N - t - 1) / 2];
  if (t < 3 * N) return -c[(t - 2 * N - 1) / 2];
  return c[(4 * N - t - 1) / 2];
}

void test_matrix() {
  for (int L = 2; L <= 6; ++L) {
    const int N = 1 << L;
    for (int k = 0; k < N; ++k)
      for (int i = 0; i < N; ++i) {
        const int n = k * (64 / N);
        const int ref = ref_mat64(n, i);
        CHECK_EQ(vvc::dct2_coef(L, k, i), ref);
        const double c =
            n == 0 ? 64.0 : 64.0 * std::sqrt(2.0) * std::cos(M_PI * (2 * i + 1) * n / 128.0);
        CHECK(std::fabs(c - ref) < 1.5);
      }
  }
  // Spot values printed in the spec's table (transMatrixCol0to15 row 1, Col16to31 row 63).
  CHECK_EQ(vvc::dct2_coef(6, 1, 0), 91);
  CHECK_EQ(vvc::dct2_coef(6, 1, 15), 65);
  CHECK_EQ(vvc::dct2_coef(6, 63, 0), 2);
  CHECK_EQ(vvc::dct2_coef(6, 63, 1), -7);
  CHECK_EQ(vvc::dct2_coef(6, 63, 16), 65);  // transMatrixCol16to31 row 63 starts 65, -69
  CHECK_EQ(vvc::dct2_coef(2, 1, 0), 83);
  CHECK_EQ(vvc::dct2_coef(2, 3, 1), -83);
}

// Spec inverse evaluated directly: double sums (exact: |sum| < 2^53), then the 8.7.4.2 /
// 8.7.2 integer steps.
void ref_inverse(const std::vector<int32_t>& d, int log2W, int log2H, std::vector<int>& out) {
  const int w = 1 << log2W, h = 1 << log2H;
  const int nzW = std::min(w, 32), nzH = std::min(h, 32);
  std::vector<long long> g(static_cast<size_t>(w) * h, 0);
  for (int x = 0; x < nzW; ++x)
    for (int y = 0; y < h; ++y) {
      double e = 0;
      for (int j = 0; j < nzH; ++j) e += double(ref_mat64(j * (64 / h), y)) * d[j * w + x];
      long long v = static_cast<long long>(e);
      v = (v + 64) >> 7;
      g[y * w + x] = std::min(32767LL, std::max(-32768LL, v));
    }
  out.assign(static_cast<size_t>(w) * h, 0);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      double r = 0;
      for (int j = 0; j < nzW; ++j) r += double(ref_mat64(j * (64 / w), x)) * g[y * w + j];
      const long long v = static_cast<long long>(r);
      out[y * w + x] = static_cast<int>((v + 512) >> 10);  // bdShift = 20 - 10
    }
}

void test_inverse_vs_spec() {
  std::mt19937 rng(1234);
  for (int lw = 2; lw <= 6; ++lw)
    for (int lh = 1; lh <= 6; ++lh)  // 1: chroma TBs 2 high (dual tree)
      for (int trial = 0; trial < 6; ++trial) {
        const int w = 1 << lw, h = 1 << lh;
        std::vector<int32_t> d(static_cast<size_t>(w) * h, 0);
        // Trials: sparse small, dense small, dense full-range (exercises the clip), DC only.
        const int range = trial < 2 ? 64 : trial < 4 ? 4096 : 32768;
        std::uniform_int_distribution<int> val(-range, range - 1);
        std::uniform_int_distribution<int> pct(0, 99);
        for (int y = 0; y < std::min(h, 32); ++y)
          for (int x = 0; x < std::min(w, 32); ++x)
            if (trial == 5 ? (x == 0 && y == 0) : (trial == 0 ? pct(rng) < 10 : true))
              d[y * w + x] = val(rng);
        std::vector<int> ref;
        ref_inverse(d, lw, lh, ref);
        std::vector<int16_t> res(static_cast<size_t>(w) * h + 7, 12345);
        vvc::inverse_transform(d.data(), lw, lh, res.data(), w);
        int bad = 0;
        for (int i = 0; i < w * h; ++i) {
          const int r = std::min(32767, std::max(-32768, ref[i]));
          bad += res[i] != r;
        }
        CHECK_EQ(bad, 0);
        if (bad) std::fprintf(stderr, "  size %dx%d trial %d\n", w, h, trial);
        // Coefficients beyond 32 in a 64 dimension must be ignored (zero-out).
        if (w == 64 || h == 64) {
          std::vector<int32_t> d2 = d;
          for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
              if (x >= 32 || y >= 32) d2[y * w + x] = 999;
          std::vector<int16_t> res2(static_cast<size_t>(w) * h);
          vvc::inverse_transform(d2.data(), lw, lh, res2.data(), w);
          bool same = true;
          for (int i = 0; i < w * h; ++i) same &= res2[i] == res[i];
          CHECK(same);
        }
      }
  // All-zero input gives an all-zero residual (with a stride larger than the width).
  std::vector<int32_t> z(16 * 8, 0);
  std::vector<int16_t> r(20 * 8, 77);
  vvc::inverse_transform(z.data(), 4, 3, r.data(), 20);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 20; ++x) CHECK_EQ(r[y * 20 + x], x < 16 ? 0 : 77);
}

// residual -> forward -> quantize -> dequantize -> inverse; returns max abs error.
int round_trip(const std::vector<int16_t>& res, int lw, int lh, int qp) {
  const int w = 1 << lw, h = 1 << lh;
  std::vector<int32_t> c(static_cast<size_t>(w) * h), l(c.size()), d(c.size());
  vvc::forward_transform(res.data(), w, lw, lh, c.data());
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      if (x >= 32 || y >= 32) CHECK_EQ(c[y * w + x], 0);
  vvc::quantize(c.data(), lw, lh, qp, true, l.data());
  vvc::dequantize(l.data(), lw, lh, qp, d.data());
  std::vector<int16_t> out(c.size());
  vvc::inverse_transform(d.data(), lw, lh, out.data(), w);
  int err = 0;
  for (size_t i = 0; i < out.size(); ++i) err = std::max(err, std::abs(out[i] - res[i]));
  return err;
}

void test_round_trip() {
  std::mt19937 rng(99);
  for (int lw = 2; lw <= 6; ++lw)
    for (int lh = 1; lh <= 6; ++lh) {  // 1: chroma TBs 2 high (dual tree)
      const int w = 1 << lw, h = 1 << lh;
      std::vector<int16_t> res(static_cast<size_t>(w) * h);
      if (w < 64 && h < 64) {
        // Full-band random residual at the 10-bit extremes.
        std::uniform_int_distribution<int> v(-128, 127);
        for (auto& s : res) s = static_cast<int16_t>(v(rng));
      } else {
        // 64-length dims keep only 32 frequencies: synthesise a band-limited residual.
        std::vector<int32_t> d(static_cast<size_t>(w) * h, 0);
        std::uniform_int_distribution<int> v(-600, 600);
        for (int y = 0; y < std::min(h, 32); ++y)
          for (int x = 0; x < std::min(w, 32); ++x) d[y * w + x] = v(rng) / (1 + x + y);
        vvc::inverse_transform(d.data(), lw, lh, res.data(), w);
      }
      const int e0 = round_trip(res, lw, lh, -12);
      const int e1 = round_trip(res, lw, lh, 0);
      // The integer DCT-II is only near-orthogonal (VTM behaves the same), and qp 0 has a
      // step of ~2.5 residual units: bounds leave room for both, not for a scaling error.
      CHECK(e0 <= 3);
      CHECK(e1 <= 12);
      if (e0 > 3 || e1 > 12) std::fprintf(stderr, "  %dx%d err %d %d\n", w, h, e0, e1);
      // A constant residual survives exactly-ish at a moderate qp (only DC is coded).
      std::vector<int16_t> flat(res.size(), 100);
      CHECK(round_trip(flat, lw, lh, 4) <= 1);
    }
}

}  // namespace

void test_forward_known() {
  // Flat 4x4 residual of 100: stage 1 (64 * 4 * 100 + 4) >> 3 = 3200, stage 2
  // (64 * 4 * 3200 + 128) >> 8 = 3200; every AC coefficient is 0.
  std::vector<int16_t> r(16, 100);
  std::vector<int32_t> c(16, -1);
  vvc::forward_transform(r.data(), 4, 2, 2, c.data());
  CHECK_EQ(c[0], 3200);
  for (int i = 1; i < 16; ++i) CHECK_EQ(c[i], 0);
  // Horizontal ramp in an 8x4 block (stride 11): only row 0 (vertical DC) is nonzero,
  // and its odd horizontal frequencies carry the ramp.
  std::vector<int16_t> r2(11 * 4, 0);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 8; ++x) r2[y * 11 + x] = static_cast<int16_t>(10 * x);
  std::vector<int32_t> c2(32);
  vvc::forward_transform(r2.data(), 11, 3, 2, c2.data());
  for (int i = 8; i < 32; ++i) CHECK_EQ(c2[i], 0);
  CHECK(c2[1] < 0);  // increasing ramp vs. a decreasing first basis function
  CHECK_EQ(c2[2], 0);
  CHECK_EQ(c2[4], 0);
}

int main() {
  test_forward_known();
  test_matrix();
  test_inverse_vs_spec();
  test_round_trip();
  TEST_MAIN_END();
}
