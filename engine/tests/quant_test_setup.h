// Set-up shared by the quantizer tests (test_cabac_rdoq, test_dep_quant): slice contexts,
// random residual blocks and their forward transform, the decoder's reconstruction error of a
// block's levels, and the round trip of transform blocks through code_residual with the real
// CABAC encoder and back through the spec-literal test parser (residual_test_decoder.h).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "cabac/cabac_encoder.h"
#include "cabac/contexts.h"
#include "cabac/residual_coding.h"
#include "residual_test_decoder.h"
#include "transform/quant.h"
#include "transform/transform.h"

namespace vvc_test {

// Contexts at the start of a slice with QP qp and initType.
inline vvc::ContextSet slice_contexts(int qp, int initType) {
  vvc::ContextSet c;
  c.init(qp, initType);
  return c;
}

// A residual block (raster, stride w): smooth gradient + texture + noise, amplitude by `amp`,
// within the 10-bit residual range.
inline std::vector<int16_t> random_residual(std::mt19937& rng, int w, int h, double amp) {
  std::normal_distribution<double> g(0.0, 1.0);
  std::vector<int16_t> r(size_t(w) * h);
  const double gx = g(rng) * amp / w, gy = g(rng) * amp / h, fx = 0.2 + std::fabs(g(rng)),
               tex = std::fabs(g(rng)) * amp * 0.5;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const double v = gx * x + gy * y + tex * std::sin(fx * x + 0.7 * y) + g(rng) * amp * 0.3;
      r[size_t(y) * w + x] = int16_t(std::clamp(v, -1023.0, 1023.0));
    }
  return r;
}

// Forward transform coefficients (raster) of a residual block given with stride 1 << log2W.
inline std::vector<int32_t> transform_block(const std::vector<int16_t>& resid, int log2W,
                                            int log2H) {
  std::vector<int32_t> coeff(size_t(1) << (log2W + log2H));
  vvc::forward_transform(resid.data(), 1 << log2W, log2W, log2H, coeff.data());
  return coeff;
}

// Squared error of the decoder's reconstruction of `levels` (dequantize, with or without
// dependent quantization, then the inverse transform) against the residual it came from.
inline double recon_sse(const std::vector<int16_t>& resid, const std::vector<int32_t>& levels,
                        int log2W, int log2H, int qp, bool depQuant) {
  std::vector<int32_t> deq(levels.size());
  std::vector<int16_t> rec(levels.size());
  vvc::dequantize(levels.data(), log2W, log2H, qp, deq.data(), depQuant);
  vvc::inverse_transform(deq.data(), log2W, log2H, rec.data(), 1 << log2W);
  double sse = 0;
  for (size_t i = 0; i < rec.size(); ++i) {
    const double e = double(rec[i]) - resid[i];
    sse += e * e;
  }
  return sse;
}

// The levels of one transform block (raster, width 1 << log2W) as coded.
struct CodedTb {
  int log2W, log2H, cIdx;
  std::vector<int32_t> levels;
};

struct ParsedTbs {
  int mismatch = -1;        // first TB whose parsed levels differ from the coded ones; -1: none
  bool terminated = false;  // the terminating bin 1 parsed after the last TB (no mismatch)
  std::vector<std::vector<int32_t>> trans;  // per TB up to the mismatch: the parser's
                                            // TransCoeffLevel (2|l| - (QState > 1) with DQ)
};

// Codes `tbs` in order with code_residual and the real CABAC encoder starting from contexts
// `init`, ends with a terminating bin 1, and parses the bytes back with the test parser
// starting from the same contexts (the parse stops at the first mismatch).
inline ParsedTbs code_and_parse(const vvc::ContextSet& init, const std::vector<CodedTb>& tbs,
                                bool depQuant) {
  vvc::ContextSet encCtx = init, decCtx = init;
  vvc::CabacEncoder enc;
  enc.start();
  for (const CodedTb& tb : tbs)
    vvc::code_residual(enc, encCtx, tb.levels.data(), tb.log2W, tb.log2H, tb.cIdx, depQuant);
  enc.encode_bin_trm(1);
  enc.finish();
  CabacTestDecoder d(enc.bytes().data(), enc.bytes().size());
  ResidualTestDecoder rd(d, decCtx);
  ParsedTbs r;
  std::vector<int32_t> out;
  for (size_t i = 0; i < tbs.size(); ++i) {
    r.trans.emplace_back();
    rd.decode(tbs[i].log2W, tbs[i].log2H, tbs[i].cIdx, out, depQuant, &r.trans.back());
    if (out != tbs[i].levels) {
      r.mismatch = int(i);
      return r;
    }
  }
  r.terminated = d.decode_terminate() == 1u;
  return r;
}

}  // namespace vvc_test
