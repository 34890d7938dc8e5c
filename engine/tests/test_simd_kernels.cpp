// Every instruction-set level of the kernel tables against the scalar kernels, on random
// 10-bit input and on extremes, for every block width the encoder uses (and odd ones, which
// fall back). Levels the CPU lacks are capped at what it has.
#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

#include "check.h"
#include "common/simd_level.h"
#include "inter/interp.h"
#include "inter/interp_kernels.h"
#include "intra/intra_kernels.h"
#include "rdo/distortion_kernels.h"
#include "transform/transform_kernels.h"

using namespace vvc;

namespace {

constexpr int kStride = 160;  // room for a 128-wide block, 8 taps and the kernels' over-read

std::vector<Pel> random_plane(std::mt19937& rng, int lo, int hi, int rows) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<Pel> p(static_cast<size_t>(kStride) * rows);
  for (auto& v : p) v = static_cast<Pel>(d(rng));
  return p;
}

const int kWidths[] = {4, 8, 12, 16, 24, 32, 48, 64, 128};
const int kHeights[] = {4, 8, 16, 32, 64, 128};
// A two-dimensional interpolation's first pass runs over h + 7 (or h + 3) rows: odd counts.
const int kFilterHeights[] = {1, 4, 7, 8, 11, 15, 16, 23, 32, 64, 71, 128, 135};

void test_distortion(SimdLevel level, std::mt19937& rng) {
  const DistortionKernels ref = distortion_kernels_for(SimdLevel::Scalar);
  const DistortionKernels k = distortion_kernels_for(level);
  for (int trial = 0; trial < 3; ++trial) {
    // trial 2: extremes only (0 against 1023), the 16-bit bounds of the SIMD paths
    const int lo = 0, hi = 1023;
    auto a = random_plane(rng, lo, hi, 136), b = random_plane(rng, lo, hi, 136);
    if (trial == 2)
      for (size_t i = 0; i < a.size(); ++i) {
        a[i] = static_cast<Pel>((rng() & 1) ? 1023 : 0);
        b[i] = static_cast<Pel>(1023 - a[i]);
      }
    for (int w : kWidths)
      for (int h : kHeights) {
        const Pel* pa = a.data() + 3 * kStride + (trial + 1);
        const Pel* pb = b.data() + 5 * kStride + 2;
        CHECK_EQ(k.sad(pa, kStride, pb, kStride, w, h), ref.sad(pa, kStride, pb, kStride, w, h));
        CHECK_EQ(k.sse(pa, kStride, pb, kStride, w, h), ref.sse(pa, kStride, pb, kStride, w, h));
        CHECK_EQ(k.satd(pa, kStride, pb, kStride, w, h), ref.satd(pa, kStride, pb, kStride, w, h));
      }
    // The row-subsampled SAD of the motion search asks for any row count.
    for (int w : kWidths)
      for (int h : {1, 2, 3, 5, 6, 12, 24, 66}) {
        const Pel* pa = a.data() + kStride + 1;
        const Pel* pb = b.data() + 2 * kStride;
        CHECK_EQ(k.sad(pa, kStride, pb, kStride, w, h), ref.sad(pa, kStride, pb, kStride, w, h));
        CHECK_EQ(k.sse(pa, kStride, pb, kStride, w, h), ref.sse(pa, kStride, pb, kStride, w, h));
      }
  }
}

void test_interp(SimdLevel level, std::mt19937& rng) {
  const InterpKernels ref = interp_kernels_for(SimdLevel::Scalar);
  const InterpKernels k = interp_kernels_for(level);
  // Filter passes read 14-bit intermediates (and 10-bit samples): cover both ranges, and
  // the int16 extremes whose sums wrap.
  const int ranges[][2] = {{0, 1023}, {-8192, 24575}, {-32768, 32767}};
  for (const auto& r : ranges) {
    const auto src = random_plane(rng, r[0], r[1], 150);
    for (int w : kWidths)
      for (int h : kFilterHeights)
        for (int frac : {1, 5, 8, 15}) {
          for (int dir = 0; dir < 2; ++dir) {  // horizontal, vertical
            std::vector<int16_t> got(static_cast<size_t>(kStride) * h, 7777);
            std::vector<int16_t> want(got);
            const ptrdiff_t step = dir ? kStride : 1;
            const int16_t* s = src.data() + 4;
            ref.luma(s, kStride, step, want.data(), kStride, w, h, kLumaFilter[frac], 6);
            k.luma(s, kStride, step, got.data(), kStride, w, h, kLumaFilter[frac], 6);
            CHECK(got == want);
            ref.chroma(s, kStride, step, want.data(), kStride, w, h, kChromaFilter[2 * frac], 2);
            k.chroma(s, kStride, step, got.data(), kStride, w, h, kChromaFilter[2 * frac], 2);
            CHECK(got == want);
          }
        }
  }
  // Weighting reads 14-bit predictions (with the filters' overshoot up to the int16 limits).
  const auto p0 = random_plane(rng, -32768, 32767, 130);
  const auto p1 = random_plane(rng, -2000, 18000, 130);
  for (int w : kWidths)
    for (int h : kHeights) {
      std::vector<Pel> got(static_cast<size_t>(kStride) * h, 5), want(got);
      ref.uni(p0.data(), kStride, want.data(), kStride, w, h);
      k.uni(p0.data(), kStride, got.data(), kStride, w, h);
      CHECK(got == want);
      ref.bi(p0.data(), kStride, p1.data() + 3, kStride, want.data(), kStride, w, h);
      k.bi(p0.data(), kStride, p1.data() + 3, kStride, got.data(), kStride, w, h);
      CHECK(got == want);
    }
}

// Every block size of both transforms: residuals of 10-bit video and the int16 extremes;
// coefficients in the 16-bit range of 8.7.3, beyond it (the kernels clip), all at the
// extremes, and sparse (only the first rows/columns nonzero, the inverse's shortcut).
void test_transform(SimdLevel level, std::mt19937& rng) {
  const TransformKernels ref = transform_kernels_for(SimdLevel::Scalar);
  const TransformKernels k = transform_kernels_for(level);
  constexpr int kTxStride = 72;
  for (int l2w = 2; l2w <= 6; ++l2w)
    for (int l2h = 1; l2h <= 6; ++l2h) {
      const int w = 1 << l2w, h = 1 << l2h;
      for (int trial = 0; trial < 6; ++trial) {
        const int lim = trial == 0 ? 1023 : trial == 1 ? 32767 : 1 << 20;
        std::uniform_int_distribution<int> d(-lim, lim);
        auto value = [&](int range) {
          if (trial == 3) return (rng() & 1) ? range : -range - 1;
          return std::clamp(d(rng), -range - 1, range);
        };
        std::vector<int16_t> resid(static_cast<size_t>(kTxStride) * h);
        for (auto& v : resid) v = static_cast<int16_t>(value(trial == 0 ? 1023 : 32767));
        std::vector<int32_t> want(static_cast<size_t>(w) * h, 7), got(want);
        ref.fwd[l2w - 2][l2h - 1](resid.data(), kTxStride, want.data());
        k.fwd[l2w - 2][l2h - 1](resid.data(), kTxStride, got.data());
        CHECK(got == want);

        std::vector<int32_t> coeff(static_cast<size_t>(w) * h);
        const int rows = trial == 4 ? 1 + static_cast<int>(rng() % h) : h;
        const int cols = trial == 5 ? 1 + static_cast<int>(rng() % w) : w;
        for (int y = 0; y < h; ++y)
          for (int x = 0; x < w; ++x)
            coeff[y * w + x] = y < rows && x < cols ? value(trial == 2 ? (1 << 20) : 32767) : 0;
        std::vector<int16_t> rw(static_cast<size_t>(kTxStride) * h, 3), rg(rw);
        ref.inv[l2w - 2][l2h - 1](coeff.data(), rw.data(), kTxStride);
        k.inv[l2w - 2][l2h - 1](coeff.data(), rg.data(), kTxStride);
        CHECK(rg == rw);
      }
    }
}

// Every mode (wide-angle ones included) of every luma and chroma block size through
// predict_from_refs with each level's kernels: random reference lines, lines at the extremes
// (0 and 1023 alternating, the largest PDPC and filter swings), and lines built from partial
// availability (substitution, then the [1 2 1] filtered copies).
void test_intra(SimdLevel level, std::mt19937& rng) {
  const IntraKernels ref = intra_kernels_for(SimdLevel::Scalar);
  const IntraKernels k = intra_kernels_for(level);
  const int sizes[] = {2, 4, 8, 16, 32, 64};
  constexpr int kDst = 72;
  for (int cIdx = 0; cIdx < 2; ++cIdx)
    for (int w : sizes)
      for (int h : sizes) {
        if (cIdx == 0 && (w < 4 || h < 4)) continue;
        if (cIdx == 1 && (w > 32 || h > 32)) continue;
        for (int trial = 0; trial < 3; ++trial) {
          IntraRefs refs;
          refs.w = w;
          refs.h = h;
          refs.cIdx = cIdx;
          uint8_t okTop[kIntraRefLen], okLeft[kIntraRefLen];
          std::uniform_int_distribution<int> d(0, 1023);
          for (int i = 0; i < kIntraRefLen; ++i) {
            refs.top[i] = static_cast<Pel>(trial == 1 ? (i & 1) * 1023 : d(rng));
            refs.left[i] = static_cast<Pel>(trial == 1 ? (~i & 1) * 1023 : d(rng));
            okTop[i] = trial != 2 || (i / 4) % 3 != 1;
            okLeft[i] = trial != 2 || i < h;
          }
          finish_intra_refs(refs, okTop, okLeft);
          for (int mode = 0; mode <= 66; ++mode) {
            std::vector<Pel> want(static_cast<size_t>(kDst) * h, 9), got(want);
            predict_from_refs_with(ref, refs, mode, want.data(), kDst);
            predict_from_refs_with(k, refs, mode, got.data(), kDst);
            CHECK(got == want);
          }
        }
      }
}

}  // namespace

int main() {
  std::mt19937 rng(2024);
  std::printf("CPU supports %s, the tables use %s\n", simd_level_name(simd_level_supported()),
              simd_level_name(simd_level()));
  for (SimdLevel level : {SimdLevel::Sse2, SimdLevel::Sse41, SimdLevel::Avx2}) {
    if (level > simd_level_supported()) {
      std::printf("%s: not on this CPU\n", simd_level_name(level));
      continue;
    }
    test_distortion(level, rng);
    test_interp(level, rng);
    test_transform(level, rng);
    test_intra(level, rng);
  }
  return vvc_test::failures() ? 1 : 0;
}
