// CABAC engine tests: context initialisation known answers, encoder -> spec decoder round
// trips of random regular/bypass/terminate bin streams, exact stream termination
// (rbsp_stop_one_bit + alignment), and the bit estimator's accuracy.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "cabac/bit_estimator.h"
#include "cabac/cabac_encoder.h"
#include "cabac/contexts.h"
#include "cabac_test_decoder.h"
#include "check.h"

using namespace vvc;

namespace {

void test_context_init() {
  // split_cu_flag ctxInc 0, initType 0: initValue 19, shiftIdx 12. At QP 32:
  // slopeIdx 2, offsetIdx 3 -> m = -2, n = 55, preCtxState = ((-2 * 16) >> 1) + 55 = 39.
  ContextSet cs;
  cs.init(32, 0);
  CHECK_EQ(cs[kCtxSplitCuFlag].p0, 39 << 3);
  CHECK_EQ(cs[kCtxSplitCuFlag].p1, 39 << 7);
  CHECK_EQ(cs[kCtxSplitCuFlag].shift0, (12 >> 2) + 2);
  CHECK_EQ(cs[kCtxSplitCuFlag].shift1, (12 & 3) + 3 + 5);
  // initValue 0 (abs_level_gtx_flag ctxInc 1, initType 2): m = -4, n = 1; at QP 0 the
  // state is (-4 * -16) >> 1 + 1 = 33; at QP 63: clipped to 1.
  cs.init(0, 2);
  CHECK_EQ(cs[kCtxAbsLevelGtxFlag + 1].p0, 33 << 3);
  cs.init(70, 2);  // QP clipped to 63
  CHECK_EQ(cs[kCtxAbsLevelGtxFlag + 1].p0, 1 << 3);
  // Table spot checks (spec ctxIdx order): sig_coeff_flag initType 0 ctxInc 36 = 25
  // (first chroma context), coeff_sign_flag shiftIdx ctxInc 5 = 8, last x prefix 20 = 12.
  cs.init(16, 0);  // at QP 16 preCtxState = n = offsetIdx * 18 + 1
  CHECK_EQ(cs[kCtxSigCoeffFlag + 36].p0, ((25 & 7) * 18 + 1) << 3);
  CHECK_EQ(cs[kCtxLastSigCoeffXPrefix + 20].p0, ((12 & 7) * 18 + 1) << 3);
  CHECK_EQ(cs[kCtxCoeffSignFlag + 5].shift0, (8 >> 2) + 2);
  CHECK_EQ(int(kNumCtx), 366);
}

enum class Op : uint8_t { kRegular, kBypass, kTerminate0 };
struct Sym {
  Op op;
  uint16_t ctx;
  uint8_t n;
  uint32_t value;
};

std::vector<Sym> random_stream(std::mt19937& rng, int count, double skew) {
  std::vector<Sym> s;
  s.reserve(count);
  std::uniform_int_distribution<int> ctxd(0, kNumCtx - 1);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  // Per-context probability of a 1, so that the contexts have something to learn.
  std::vector<double> p1(kNumCtx);
  for (double& p : p1) {
    p = u(rng) < 0.5 ? skew * u(rng) : 1.0 - skew * u(rng);
  }
  for (int i = 0; i < count; ++i) {
    const double r = u(rng);
    Sym x{};
    if (r < 0.8) {
      x.op = Op::kRegular;
      x.ctx = uint16_t(ctxd(rng) % 40);  // few contexts: more adaptation
      x.value = u(rng) < p1[x.ctx] ? 1 : 0;
    } else if (r < 0.98) {
      x.op = Op::kBypass;
      x.n = uint8_t(1 + rng() % 32);
      x.value = x.n == 32 ? uint32_t(rng()) : uint32_t(rng()) & ((1u << x.n) - 1);
    } else {
      x.op = Op::kTerminate0;
    }
    s.push_back(x);
  }
  return s;
}

template <class Coder>
void code_stream(Coder& c, ContextSet& cs, const std::vector<Sym>& s) {
  c.start();
  for (const Sym& x : s) {
    switch (x.op) {
      case Op::kRegular:
        c.encode_bin(cs[x.ctx], x.value);
        break;
      case Op::kBypass:
        c.encode_bins_ep(x.value, x.n);
        break;
      case Op::kTerminate0:
        c.encode_bin_trm(0);
        break;
    }
  }
  c.encode_bin_trm(1);
  c.finish();
}

void test_round_trip(int seed, int count, double skew) {
  std::mt19937 rng(seed);
  const std::vector<Sym> s = random_stream(rng, count, skew);
  const int qp = int(rng() % 64), initType = int(rng() % 3);
  ContextSet enc;
  enc.init(qp, initType);
  ContextSet dec = enc;
  CabacEncoder e;
  code_stream(e, enc, s);
  const std::vector<uint8_t>& bytes = e.bytes();
  vvc_test::CabacTestDecoder d(bytes.data(), bytes.size());
  int errors = 0;
  for (const Sym& x : s) {
    switch (x.op) {
      case Op::kRegular:
        errors += d.decode_bin(dec[x.ctx]) != x.value;
        break;
      case Op::kBypass:
        errors += d.decode_bypass_bins(x.n) != x.value;
        break;
      case Op::kTerminate0:
        errors += d.decode_terminate() != 0;
        break;
    }
    if (errors) break;
  }
  CHECK_EQ(errors, 0);
  CHECK_EQ(d.decode_terminate(), 1u);
  // The last bit the decoding engine has read is rbsp_stop_one_bit; then zero bits up to the
  // end of the (byte aligned) data.
  const size_t p = d.bit_pos();
  CHECK(p >= 1);
  CHECK_EQ(d.bit_at(p - 1), 1u);
  CHECK_EQ(bytes.size(), (p + 7) / 8);
  for (size_t i = p; i < bytes.size() * 8; ++i) CHECK_EQ(d.bit_at(i), 0u);
  // Contexts end in identical states.
  for (int i = 0; i < kNumCtx; ++i) {
    CHECK(enc[i].p0 == dec[i].p0 && enc[i].p1 == dec[i].p1);
  }
}

// Edge cases: empty slice, long runs of 0xff-producing bins (carry propagation), all-LPS.
void test_edges() {
  {
    CabacEncoder e;
    e.start();
    e.encode_bin_trm(1);
    e.finish();
    vvc_test::CabacTestDecoder d(e.bytes().data(), e.bytes().size());
    CHECK_EQ(d.decode_terminate(), 1u);
    CHECK_EQ(e.bytes().size(), (d.bit_pos() + 7) / 8);
  }
  for (int pattern = 0; pattern < 4; ++pattern) {
    ContextSet enc;
    enc.init(37, 1);
    ContextSet dec = enc;
    CabacEncoder e;
    e.start();
    std::vector<unsigned> bins;
    for (int i = 0; i < 20000; ++i) {
      unsigned b = pattern == 0 ? 1u : pattern == 1 ? unsigned(i % 3 != 0) : unsigned(i & 1);
      if (pattern == 3) {
        // bypass ones: produce long 0xff runs
        e.encode_bins_ep(0xffffffffu, 32);
        continue;
      }
      bins.push_back(b);
      e.encode_bin(enc[kCtxSigCoeffFlag + (i % 5)], b);
    }
    e.encode_bin_trm(1);
    e.finish();
    vvc_test::CabacTestDecoder d(e.bytes().data(), e.bytes().size());
    int errors = 0;
    if (pattern == 3) {
      for (int i = 0; i < 20000; ++i) errors += d.decode_bypass_bins(32) != 0xffffffffu;
    } else {
      for (size_t i = 0; i < bins.size(); ++i)
        errors += d.decode_bin(dec[kCtxSigCoeffFlag + (i % 5)]) != bins[i];
    }
    CHECK_EQ(errors, 0);
    CHECK_EQ(d.decode_terminate(), 1u);
  }
}

void test_estimator(int seed, double skew) {
  std::mt19937 rng(seed);
  const std::vector<Sym> s = random_stream(rng, 400000, skew);
  ContextSet a, b;
  a.init(30, 0);
  b = a;
  CabacEncoder e;
  code_stream(e, a, s);
  BitEstimator est;
  code_stream(est, b, s);
  const double actual = double(e.bytes().size()) * 8;
  const double estimated = est.bits();
  std::printf("estimator: skew %.2f actual %.0f estimated %.0f (%.2f%%)\n", skew, actual, estimated,
              100.0 * (estimated - actual) / actual);
  CHECK(std::fabs(estimated - actual) < 0.02 * actual);
  for (int i = 0; i < kNumCtx; ++i) CHECK(a[i].p0 == b[i].p0 && a[i].p1 == b[i].p1);
  // frac_bits() of a fresh context agrees with -log2 of its probability.
  ContextModel m;
  m.init(62, 4, 30);  // a strongly skewed context
  const double p1 = m.state() / 32768.0;
  CHECK(std::fabs(BitEstimator::frac_bits(m, 1) / 32768.0 + std::log2(p1)) < 0.05);
}

}  // namespace

int main() {
  test_context_init();
  for (int seed = 1; seed <= 200; ++seed) test_round_trip(seed, 2000 + seed * 37, 0.5);
  for (int seed = 300; seed <= 320; ++seed) test_round_trip(seed, 50000, 0.05);
  test_edges();
  test_estimator(7, 0.5);
  test_estimator(8, 0.1);
  test_estimator(9, 0.02);
  TEST_MAIN_END();
}
