// residual_coding() round trips: random level arrays of every TB size (2..64 per side, incl.
// rectangular and 64-point zero-out) are coded with code_residual<CabacEncoder> and parsed
// back with the independent test parser written from the spec syntax.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "cabac/bit_estimator.h"
#include "cabac/cabac_encoder.h"
#include "cabac/residual_coding.h"
#include "check.h"
#include "residual_test_decoder.h"

using namespace vvc;

namespace {

struct Tb {
  int log2W, log2H, cIdx;
  std::vector<int32_t> levels;
};

Tb random_tb(std::mt19937& rng, int log2W, int log2H) {
  Tb tb{log2W, log2H, int(rng() % 3), {}};
  const int w = 1 << log2W, h = 1 << log2H;
  tb.levels.assign(size_t(w) * h, 0);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const int mode = int(rng() % 6);
  const double density = mode == 0   ? 0.02
                         : mode == 1 ? 0.2
                         : mode == 2 ? 0.6
                         : mode == 3 ? 1.0
                                     : 0.1;
  const double decay = 0.02 + 0.3 * u(rng);
  for (int y = 0; y < std::min(h, 32); ++y) {
    for (int x = 0; x < std::min(w, 32); ++x) {
      // denser towards low frequencies, like real residuals
      const double p = density * std::exp(-decay * (x + y)) + (mode == 3 ? 1.0 : 0.0);
      if (u(rng) >= p) continue;
      int a;
      if (mode == 4)
        a = 1 + int(rng() % 32767);  // huge levels: escape codes
      else if (mode == 5)
        a = 1 + int(rng() % 3);
      else
        a = 1 + int(std::floor(-std::log(1.0 - u(rng)) * (1 + 8 * std::exp(-0.2 * (x + y)))));
      a = std::min(a, 32767);
      tb.levels[size_t(y) * w + x] = (rng() & 1) ? -a : a;
    }
  }
  // make sure the TB is coded (cbf = 1): one level somewhere in the zero-out region
  if (std::all_of(tb.levels.begin(), tb.levels.end(), [](int32_t v) { return v == 0; })) {
    const int x = int(rng() % std::min(w, 32)), y = int(rng() % std::min(h, 32));
    tb.levels[size_t(y) * w + x] = 1 + int(rng() % 5);
  }
  return tb;
}

void round_trip(int seed) {
  std::mt19937 rng(seed);
  std::vector<Tb> tbs;
  for (int log2W = 1; log2W <= 6; ++log2W)
    for (int log2H = 1; log2H <= 6; ++log2H)
      for (int k = 0; k < 3; ++k) tbs.push_back(random_tb(rng, log2W, log2H));
  std::shuffle(tbs.begin(), tbs.end(), rng);

  const int qp = int(rng() % 52), initType = int(rng() % 3);
  ContextSet enc;
  enc.init(qp, initType);
  ContextSet dec = enc, estCtx = enc;
  CabacEncoder e;
  e.start();
  BitEstimator est;
  est.start();
  for (const Tb& tb : tbs) {
    code_residual(e, enc, tb.levels.data(), tb.log2W, tb.log2H, tb.cIdx);
    code_residual(est, estCtx, tb.levels.data(), tb.log2W, tb.log2H, tb.cIdx);
  }
  e.encode_bin_trm(1);
  e.finish();
  vvc_test::CabacTestDecoder d(e.bytes().data(), e.bytes().size());
  vvc_test::ResidualTestDecoder rd(d, dec);
  std::vector<int32_t> out;
  int mismatches = 0;
  for (const Tb& tb : tbs) {
    rd.decode(tb.log2W, tb.log2H, tb.cIdx, out);
    if (out != tb.levels) {
      if (!mismatches)
        std::fprintf(stderr, "seed %d: mismatch in %dx%d cIdx %d\n", seed, 1 << tb.log2W,
                     1 << tb.log2H, tb.cIdx);
      ++mismatches;
      break;  // the rest of the stream is garbage now
    }
  }
  CHECK_EQ(mismatches, 0);
  if (!mismatches) CHECK_EQ(d.decode_terminate(), 1u);
  const double actual = double(e.bytes().size()) * 8;
  CHECK(std::fabs(est.bits() - actual) < 0.03 * actual + 64);
  for (int i = 0; i < kNumCtx; ++i) CHECK(enc[i].p0 == estCtx[i].p0 && enc[i].p1 == estCtx[i].p1);
}

// Single-coefficient TBs at every position (exercises the last position coding exhaustively).
void last_positions() {
  for (int log2W = 1; log2W <= 6; ++log2W) {
    for (int log2H = 1; log2H <= 6; ++log2H) {
      const int w = 1 << log2W, h = 1 << log2H;
      ContextSet enc, dec;
      enc.init(27, 0);
      dec = enc;
      CabacEncoder e;
      e.start();
      std::vector<std::vector<int32_t>> blocks;
      for (int y = 0; y < std::min(h, 32); ++y) {
        for (int x = 0; x < std::min(w, 32); ++x) {
          std::vector<int32_t> lv(size_t(w) * h, 0);
          lv[size_t(y) * w + x] = (x + y) % 2 ? -(1 + x) : 1 + y;
          code_residual(e, enc, lv.data(), log2W, log2H, (x + y) % 3);
          blocks.push_back(std::move(lv));
        }
      }
      e.encode_bin_trm(1);
      e.finish();
      vvc_test::CabacTestDecoder d(e.bytes().data(), e.bytes().size());
      vvc_test::ResidualTestDecoder rd(d, dec);
      std::vector<int32_t> out;
      int k = 0, bad = 0;
      for (int y = 0; y < std::min(h, 32); ++y) {
        for (int x = 0; x < std::min(w, 32); ++x, ++k) {
          rd.decode(log2W, log2H, (x + y) % 3, out);
          if (out != blocks[size_t(k)]) ++bad;
          if (bad) break;
        }
        if (bad) break;
      }
      if (bad) std::fprintf(stderr, "last position mismatch %dx%d\n", w, h);
      CHECK_EQ(bad, 0);
    }
  }
}

}  // namespace

int main() {
  last_positions();
  for (int seed = 1; seed <= 60; ++seed) round_trip(seed);
  TEST_MAIN_END();
}
