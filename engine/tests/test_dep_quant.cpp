// Dependent quantization tests:
// - residual coding with DQ: random levels of every TB size coded with
//   code_residual(depQuant = true) parse back with the spec-literal test parser (QState
//   context sets, ZeroPos), and the parser's TransCoeffLevel (2|l| - (QState > 1)) equals the
//   engine's dep_quant_trans_levels();
// - DQ dequantization: hand-worked cases of 8.7.3 (qP + 1, bdShift + 1) and random blocks
//   against the formula applied to the parser's TransCoeffLevel;
// - the trellis: its levels code and parse back, its reported cost is its model's cost of
//   those levels, it beats plain (greedy) DQ quantization under the same model, never loses
//   to coding nothing, and its distortion model matches the real reconstruction error
//   (dequantize + inverse transform), i.e. the search reconstructs what the decoder does.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "cabac/bit_estimator.h"
#include "cabac/residual_coding.h"
#include "check.h"
#include "quant_test_setup.h"
#include "transform/dep_quant.h"
#include "transform/quant.h"

using namespace vvc;
using vvc_test::CodedTb;

namespace {

std::vector<int32_t> random_levels(std::mt19937& rng, int log2W, int log2H) {
  const int w = 1 << log2W, h = 1 << log2H;
  std::vector<int32_t> lv(size_t(w) * h, 0);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const int mode = int(rng() % 4);
  const double density = mode == 0 ? 0.05 : mode == 1 ? 0.3 : mode == 2 ? 0.9 : 0.15;
  for (int y = 0; y < std::min(h, 32); ++y)
    for (int x = 0; x < std::min(w, 32); ++x) {
      if (u(rng) >= density * std::exp(-0.05 * (x + y))) continue;
      int a = 1 + int(std::floor(-std::log(1.0 - u(rng)) * (1 + 6 * std::exp(-0.2 * (x + y)))));
      if (mode == 3 && u(rng) < 0.1) a = 1 + int(rng() % 16000);  // escape codes
      lv[size_t(y) * w + x] = (rng() & 1) ? -a : a;
    }
  if (std::all_of(lv.begin(), lv.end(), [](int32_t v) { return v == 0; })) lv[0] = 1;
  return lv;
}

// Random levels through code_residual(depQuant) and the spec parser.
void residual_round_trip(int seed) {
  std::mt19937 rng(seed);
  std::vector<CodedTb> tbs;
  for (int log2W = 1; log2W <= 6; ++log2W)
    for (int log2H = 1; log2H <= 6; ++log2H)
      for (int k = 0; k < 2; ++k)
        tbs.push_back({log2W, log2H, int(rng() % 3), random_levels(rng, log2W, log2H)});
  std::shuffle(tbs.begin(), tbs.end(), rng);
  const ContextSet ctx = vvc_test::slice_contexts(int(rng() % 52), int(rng() % 3));
  const vvc_test::ParsedTbs p = vvc_test::code_and_parse(ctx, tbs, true);
  if (p.mismatch >= 0) {
    const CodedTb& tb = tbs[size_t(p.mismatch)];
    std::fprintf(stderr, "seed %d: DQ level mismatch in %dx%d cIdx %d\n", seed, 1 << tb.log2W,
                 1 << tb.log2H, tb.cIdx);
    CHECK(false);
    return;
  }
  std::vector<int32_t> mine;
  for (size_t i = 0; i < tbs.size(); ++i) {
    const CodedTb& tb = tbs[i];
    mine.assign(tb.levels.size(), -1);
    dep_quant_trans_levels(tb.levels.data(), tb.log2W, tb.log2H, mine.data());
    CHECK(mine == p.trans[i]);
  }
  CHECK(p.terminated);
}

// The DQ residual syntax differs from the plain one (sig contexts and ZeroPos follow QState):
// the same levels give different bits with and without DQ for some block.
void dq_changes_the_syntax() {
  std::mt19937 rng(7);
  bool differs = false;
  for (int i = 0; i < 20 && !differs; ++i) {
    const auto lv = random_levels(rng, 3, 3);
    ContextSet a, b;
    a.init(32, 0);
    b = a;
    BitEstimator ea, eb;
    code_residual(ea, a, lv.data(), 3, 3, 0, false);
    code_residual(eb, b, lv.data(), 3, 3, 0, true);
    differs = ea.frac_bits() != eb.frac_bits();
  }
  CHECK(differs);
}

void dequantize_known() {
  // 4x4 (raster index 4 = (0,1) = scan position 1), qp 22 with DQ: qP + 1 = 35,
  // levelScale[0][5] = 72, ls = (16 * 72) << 5 = 36864, bdShift = 10 + 0 + 2 - 5 + 1 = 8.
  std::vector<int32_t> lv(16, 0), d(16, 7);
  lv[0] = 3;  // alone: QState 0 -> TransCoeffLevel 6: (6 * 36864 + 128) >> 8 = 864
  dequantize(lv.data(), 2, 2, 22, d.data(), true);
  CHECK_EQ(d[0], 864);
  dequantize(lv.data(), 2, 2, 22, d.data(), false);
  CHECK_EQ(d[0], 768);  // without DQ: (3 * 32768 + 64) >> 7
  // last level 1 at scan position 1 (QState 0 -> 2, TransCoeffLevel 2), then level 2 at DC
  // in QState 2 (quantizer Q1): TransCoeffLevel 2 * 2 - 1 = 3.
  lv.assign(16, 0);
  lv[4] = 1;
  lv[0] = 2;
  std::vector<int32_t> t(16);
  dep_quant_trans_levels(lv.data(), 2, 2, t.data());
  CHECK_EQ(t[4], 2);
  CHECK_EQ(t[0], 3);
  dequantize(lv.data(), 2, 2, 22, d.data(), true);
  CHECK_EQ(d[4], 288);  // (2 * 36864 + 128) >> 8 = 288.5 -> 288
  CHECK_EQ(d[0], 432);  // (3 * 36864 + 128) >> 8
  lv[4] = -1;           // sign: (-73728 + 128) >> 8 = floor(-287.5) = -288
  dequantize(lv.data(), 2, 2, 22, d.data(), true);
  CHECK_EQ(d[4], -288);
  CHECK_EQ(d[0], 432);
  // 8x4 (rect), qp 26: qP + 1 = 39, levelScale[1][3] = 80, ls = 1280 << 6 = 81920,
  // bdShift = 10 + 1 + 2 - 5 + 1 = 9; level 1 alone -> TransCoeffLevel 2:
  // (2 * 81920 + 256) >> 9 = 320.
  lv.assign(32, 0);
  d.assign(32, 0);
  lv[0] = 1;
  dequantize(lv.data(), 3, 2, 26, d.data(), true);
  CHECK_EQ(d[0], 320);
}

// Random DQ levels: dequantize == 8.7.3 on the parser's TransCoeffLevel.
void dequantize_random() {
  std::mt19937 rng(11);
  for (int it = 0; it < 200; ++it) {
    const int log2W = 2 + int(rng() % 5), log2H = 2 + int(rng() % 5), qp = int(rng() % 64) - 12;
    auto lv = random_levels(rng, log2W, log2H);
    for (auto& v : lv) v = std::clamp(v, -300, 300);
    std::vector<int32_t> t(lv.size()), d(lv.size());
    dep_quant_trans_levels(lv.data(), log2W, log2H, t.data());
    dequantize(lv.data(), log2W, log2H, qp, d.data(), true);
    const int rect = (log2W + log2H) & 1, qP = qp + 12 + 1;
    const int64_t ls = int64_t(16 * kLevelScale[rect][qP % 6]) << (qP / 6);
    const int bdShift = 10 + rect + ((log2W + log2H) >> 1) - 5 + 1;
    bool ok = true;
    for (size_t i = 0; i < lv.size(); ++i) {
      const int64_t v = (t[i] * ls + ((int64_t(1) << bdShift) >> 1)) >> bdShift;
      ok &= d[i] == int32_t(std::clamp<int64_t>(v, -32768, 32767));
    }
    CHECK(ok);
  }
}

void trellis_properties() {
  std::mt19937 rng(2024);
  int blocks = 0, worse = 0, coded = 0;
  double sumTrellis = 0, sumScalar = 0, sumModelD = 0, sumRealD = 0;
  for (int it = 0; it < 400; ++it) {
    const int log2W = 2 + int(rng() % 4), log2H = 2 + int(rng() % 4);
    const int w = 1 << log2W, h = 1 << log2H;
    const int qp = 22 + int(rng() % 16), cIdx = int(rng() % 3);
    const double lambda = 0.57 * std::pow(2.0, (qp - 12) / 3.0) * 1.06;
    const auto res =
        vvc_test::random_residual(rng, w, h, 2.0 + 60.0 * std::pow(rng() / 4294967296.0, 2));
    const std::vector<int32_t> coeff = vvc_test::transform_block(res, log2W, log2H);
    std::vector<int32_t> lv(coeff.size()), sl(coeff.size());
    const ContextSet ctx = vvc_test::slice_contexts(qp, int(rng() % 3));
    const int cbfCtx = cIdx == 0 ? kCtxTuYCodedFlag : kCtxTuCbCodedFlag;
    RdoqResult r;
    const int nz =
        dep_quant(coeff.data(), log2W, log2H, cIdx, qp, lambda, ctx, cbfCtx, lv.data(), &r);
    ++blocks;
    CHECK(r.cost <= r.uncodedCost + 1e-9 * r.uncodedCost);
    const double model =
        dep_quant_cost(coeff.data(), lv.data(), log2W, log2H, cIdx, qp, lambda, ctx, cbfCtx);
    if (std::fabs(model - r.cost) > 1e-6 * std::max(1.0, r.cost)) {
      std::fprintf(stderr,
                   "it %d: %dx%d c%d nz %d: trellis cost %.3f, model cost of its levels %.3f\n", it,
                   w, h, cIdx, nz, r.cost, model);
      CHECK(false);
    }
    dep_quant_scalar(coeff.data(), log2W, log2H, qp, sl.data());
    const double scalar =
        dep_quant_cost(coeff.data(), sl.data(), log2W, log2H, cIdx, qp, lambda, ctx, cbfCtx);
    sumTrellis += r.cost;
    sumScalar += scalar;
    if (r.cost > scalar * (1 + 1e-9)) ++worse;
    if (!nz) continue;
    ++coded;
    // the levels code and parse back
    const vvc_test::ParsedTbs p = vvc_test::code_and_parse(ctx, {{log2W, log2H, cIdx, lv}}, true);
    CHECK(p.mismatch < 0 && p.terminated);
    // model distortion vs the decoder's reconstruction error (10-bit samples)
    const double realD = vvc_test::recon_sse(res, lv, log2W, log2H, qp, true);
    const double modelD =
        dep_quant_cost(coeff.data(), lv.data(), log2W, log2H, cIdx, qp, 0.0, ctx, -1);
    sumModelD += modelD;
    sumRealD += realD;
  }
  std::printf(
      "trellis: %d blocks (%d coded), worse than greedy DQ in %d, mean J %.1f vs %.1f; "
      "D model %.0f real %.0f\n",
      blocks, coded, worse, sumTrellis / blocks, sumScalar / blocks, sumModelD, sumRealD);
  CHECK(coded > 100);
  CHECK(worse * 50 <= blocks);           // Viterbi keeps one path per state: rarely worse
  CHECK(sumTrellis < 0.97 * sumScalar);  // and clearly better on the whole
  CHECK(std::fabs(sumModelD - sumRealD) < 0.05 * sumRealD + 100);
}

}  // namespace

int main() {
  for (int seed = 1; seed <= 6; ++seed) residual_round_trip(seed);
  dq_changes_the_syntax();
  dequantize_known();
  dequantize_random();
  trellis_properties();
  TEST_MAIN_END();
}
