// Inter CU syntax writers: random PUs (AMVR precisions included) encoded with CabacEncoder and
// parsed back by a literal decoder of 7.3.10.5 / 7.3.10.7 / 7.3.10.10 written here from the
// binarizations of 9.3.3 (TR, EG1, inter_pred_idc) and the ctxInc rules of 9.3.4.2; plus the bit
// estimator's total close to the real size.
#include <random>
#include <vector>

#include "cabac/bit_estimator.h"
#include "cabac/cabac_encoder.h"
#include "cabac/contexts.h"
#include "cabac_test_decoder.h"
#include "check.h"
#include "inter/inter_syntax.h"

using namespace vvc;
using vvc_test::CabacTestDecoder;

namespace {

struct Case {
  bool skip;
  int log2W, log2H;
  bool leftSkip, aboveSkip;
  InterPuSyntax pu;
  bool coded;
};

int decode_eg1(CabacTestDecoder& d) {
  int k = 1, v = 0;
  while (d.decode_bypass()) {
    v += 1 << k;
    ++k;
  }
  return v + static_cast<int>(d.decode_bypass_bins(k));
}

Mv decode_mvd(CabacTestDecoder& d, ContextSet& ctx) {
  int g0[2], g1[2] = {0, 0}, v[2];
  g0[0] = d.decode_bin(ctx[kCtxAbsMvdGreater0Flag]);
  g0[1] = d.decode_bin(ctx[kCtxAbsMvdGreater0Flag]);
  if (g0[0]) g1[0] = d.decode_bin(ctx[kCtxAbsMvdGreater1Flag]);
  if (g0[1]) g1[1] = d.decode_bin(ctx[kCtxAbsMvdGreater1Flag]);
  for (int i = 0; i < 2; ++i) {
    v[i] = 0;
    if (g0[i]) {
      int a = g1[i] ? decode_eg1(d) + 2 : 1;
      v[i] = d.decode_bypass() ? -a : a;
    }
  }
  return Mv{v[0], v[1]};
}

void round_trip(bool isB) {
  std::mt19937 rng(isB ? 5 : 6);
  auto r = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  const int numRef[2] = {isB ? 3 : 4, isB ? 2 : 0};
  std::vector<Case> cases;
  for (int i = 0; i < 400; ++i) {
    Case c;
    c.log2W = 2 + r(6);
    c.log2H = (c.log2W == 2 ? 3 : 2) + r(c.log2W == 2 ? 5 : 6);
    c.skip = r(4) == 0;
    c.leftSkip = r(2);
    c.aboveSkip = r(2);
    c.pu.merge = c.skip || r(2);
    c.pu.merge_idx = r(6);
    const bool small = (1 << c.log2W) + (1 << c.log2H) == 12;
    c.pu.inter_dir = isB ? 1 + r(small ? 2 : 3) : 1;
    for (int l = 0; l < 2; ++l) {
      c.pu.ref_idx[l] = numRef[l] ? r(numRef[l]) : 0;
      const int big = r(3);
      const int range = big == 0 ? 3 : (big == 1 ? 100 : 40000);
      c.pu.mvd[l] = Mv{r(2 * range + 1) - range, r(2 * range + 1) - range};
      c.pu.mvp_idx[l] = r(2);
    }
    const int shifts[3] = {kAmvrShiftQuarter, kAmvrShiftInteger, kAmvrShiftFour};
    c.pu.amvr_shift = shifts[r(3)];
    c.coded = r(2);
    cases.push_back(c);
  }
  ContextSet ctx;
  ctx.init(30, isB ? 2 : 1);
  ContextSet ectx = ctx;
  CabacEncoder enc;
  enc.start();
  BitEstimator est;
  est.start();
  ContextSet sctx = ctx;
  for (const Case& c : cases) {
    for (int pass = 0; pass < 2; ++pass) {
      auto run = [&](auto& coder, ContextSet& cs) {
        code_cu_skip_flag(coder, cs, c.skip, c.leftSkip, c.aboveSkip);
        if (!c.skip) code_pred_mode_flag(coder, cs, false, c.leftSkip, c.aboveSkip);
        code_inter_prediction(coder, cs, c.pu, c.skip, c.log2W, c.log2H, isB, numRef, true);
        if (!c.skip && !c.pu.merge) code_cu_coded_flag(coder, cs, c.coded);
      };
      if (pass == 0)
        run(enc, ectx);
      else
        run(est, sctx);
    }
  }
  enc.encode_bin_trm(1);
  enc.finish();
  const std::vector<uint8_t>& bytes = enc.bytes();

  CabacTestDecoder d(bytes.data(), bytes.size());
  ContextSet dctx = ctx;
  int bad = 0;
  for (const Case& c : cases) {
    const int skip = d.decode_bin(dctx[kCtxCuSkipFlag + c.leftSkip + c.aboveSkip]);
    bad += skip != c.skip;
    if (!skip) bad += d.decode_bin(dctx[kCtxPredModeFlag + (c.leftSkip || c.aboveSkip)]) != 0;
    const int merge = skip ? 1 : d.decode_bin(dctx[kCtxGeneralMergeFlag]);
    bad += merge != c.pu.merge;
    if (merge) {
      int idx = d.decode_bin(dctx[kCtxMergeIdx]);
      while (idx && idx < 5 && d.decode_bypass()) ++idx;
      bad += idx != c.pu.merge_idx;
      continue;
    }
    int dir = 1;
    if (isB) {
      const int w = 1 << c.log2W, h = 1 << c.log2H;
      if (w + h > 12 && d.decode_bin(dctx[kCtxInterPredIdc + 7 - ((1 + c.log2W + c.log2H) >> 1)]))
        dir = 3;
      else
        dir = d.decode_bin(dctx[kCtxInterPredIdc + 5]) ? 2 : 1;
    }
    bad += dir != c.pu.inter_dir;
    bool anyMvd = false;
    for (int l = 0; l < 2; ++l) {
      if (!((dir >> l) & 1)) continue;
      int ref = 0;
      if (numRef[l] > 1) {
        while (ref < numRef[l] - 1 &&
               (ref < 2 ? d.decode_bin(dctx[kCtxRefIdxLx + ref]) : d.decode_bypass()))
          ++ref;
      }
      bad += ref != c.pu.ref_idx[l];
      const Mv mvd = decode_mvd(d, dctx);
      bad += !(mvd == c.pu.mvd[l]);
      bad += static_cast<int>(d.decode_bin(dctx[kCtxMvpLxFlag])) != c.pu.mvp_idx[l];
      anyMvd |= mvd.x != 0 || mvd.y != 0;
    }
    // amvr_flag, amvr_precision_idx (TR cMax 2, ctxInc 0 / 1): AmvrShift per Table 16.
    if (anyMvd) {
      int shift = kAmvrShiftQuarter;
      if (d.decode_bin(dctx[kCtxAmvrFlag])) {
        shift = kAmvrShiftHalf;
        if (d.decode_bin(dctx[kCtxAmvrPrecisionIdx]))
          shift = d.decode_bin(dctx[kCtxAmvrPrecisionIdx + 1]) ? kAmvrShiftFour : kAmvrShiftInteger;
      }
      bad += shift != c.pu.amvr_shift;
    }
    bad += static_cast<int>(d.decode_bin(dctx[kCtxCuCodedFlag])) != static_cast<int>(c.coded);
  }
  CHECK_EQ(bad, 0);
  CHECK_EQ(d.decode_terminate(), 1u);
  // Estimated bits within 2% (+ 64 bits) of the real payload.
  const double real = 8.0 * bytes.size();
  CHECK(est.bits() > real * 0.98 - 64 && est.bits() < real * 1.02 + 64);
}

void known_bins() {
  // merge_idx 3 with MaxNumMergeCand 6: 1 (ctx) 1 1 0 (bypass); 5: 1 1 1 1 1 (no terminator).
  struct Count {
    int ctx = 0, ep = 0;
    void encode_bin(ContextModel&, unsigned) { ++ctx; }
    void encode_bins_ep(uint32_t, int n) { ep += n; }
  };
  ContextSet cs;
  cs.init(30, 2);
  Count a;
  code_merge_idx(a, cs, 3, 6);
  CHECK(a.ctx == 1 && a.ep == 3);
  Count b;
  code_merge_idx(b, cs, 5, 6);
  CHECK(b.ctx == 1 && b.ep == 4);
  Count z;
  code_merge_idx(z, cs, 0, 6);
  CHECK(z.ctx == 1 && z.ep == 0);
  // MVD (0, 0): two greater0 flags only; (1, -1): 4 flags + 2 signs; (2, 0): EG1(0) = 2 bins.
  Count m0, m1, m2;
  code_mvd(m0, cs, Mv{0, 0});
  CHECK(m0.ctx == 2 && m0.ep == 0);
  code_mvd(m1, cs, Mv{1, -1});
  CHECK(m1.ctx == 4 && m1.ep == 2);
  code_mvd(m2, cs, Mv{2, 0});
  CHECK(m2.ctx == 3 && m2.ep == 3);
  // inter_pred_idc contexts: 128x128 -> 0, 8x8 -> 4, 16x8 -> 3.
  CHECK_EQ(inter_pred_idc_ctx(7, 7), 0);
  CHECK_EQ(inter_pred_idc_ctx(3, 3), 4);
  CHECK_EQ(inter_pred_idc_ctx(4, 3), 3);
  // 8x4: a single bin.
  Count p;
  code_inter_pred_idc(p, cs, 2, 3, 2);
  CHECK(p.ctx == 1);
  Count q;
  code_inter_pred_idc(q, cs, 2, 3, 3);
  CHECK(q.ctx == 2);
  // amvr: quarter "0", integer "1 1 0", four samples "1 1 1", half "1 0" (all context bins).
  const int amvrBins[4][2] = {
      {kAmvrShiftQuarter, 1}, {kAmvrShiftInteger, 3}, {kAmvrShiftFour, 3}, {kAmvrShiftHalf, 2}};
  for (const auto& [shift, bins] : amvrBins) {
    Count am;
    code_amvr(am, cs, shift);
    CHECK(am.ctx == bins && am.ep == 0);
  }
  // ref_idx with 4 active refs, value 3: 2 context bins + 1 bypass, no terminator.
  Count rr;
  code_ref_idx(rr, cs, 3, 4);
  CHECK(rr.ctx == 2 && rr.ep == 1);
}

}  // namespace

int main() {
  known_bins();
  round_trip(false);
  round_trip(true);
  TEST_MAIN_END();
}
