#include "transform/rdoq.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "cabac/bit_estimator.h"
#include "cabac/residual_coding.h"
#include "transform/quant.h"

namespace vvc {
namespace {

struct QuantModel {
  int64_t scale;
  int qBits;
  double errScale;  // D = (|c| * scale - (level << qBits))^2 * errScale
};

QuantModel quant_model(int log2W, int log2H, int qp) {
  QuantModel m;
  m.scale = quant_scale(log2W, log2H, qp);
  m.qBits = quant_qbits(log2W, log2H, qp);
  const double shiftExact =
      quant_transform_shift(log2W, log2H) + (quant_needs_sqrt2(log2W, log2H) ? 0.5 : 0.0);
  m.errScale = std::pow(2.0, -2.0 * shiftExact) / (double(m.scale) * double(m.scale));
  return m;
}

inline uint32_t fb(const ContextSet& ctx, int idx, unsigned bin) {
  return BitEstimator::frac_bits(ctx[idx], bin);
}

// Contexts and binarization parameters of one scan position.
struct PosRates {
  uint32_t sig[2];  // sig_coeff_flag rate (0 when not coded)
  uint32_t gt1[2], par[2], gt3[2];
  int rice4;   // Rice parameter for abs_remainder
  int rice0;   // Rice parameter for dec_abs_level
  bool mode2;  // coded with dec_abs_level (remBinsPass1 exhausted)
};

// Rate (1/32768 bit) of a level, excluding sig_coeff_flag.
inline uint32_t level_rate(const PosRates& r, int a) {
  using namespace residual_detail;
  if (r.mode2) {
    const uint32_t bits = uint32_t(rice_code_length(dec_abs_level_value(a, r.rice0), r.rice0));
    return (bits + (a ? 1u : 0u)) << kFracBitsShift;
  }
  if (a == 0) return 0;
  uint32_t rate = kFracBitsOne;  // sign
  if (a == 1) return rate + r.gt1[0];
  rate += r.gt1[1] + r.par[a & 1];
  if (a < 4) return rate + r.gt3[0];
  return rate + r.gt3[1] +
         (uint32_t(rice_code_length(unsigned((a - 4) >> 1), r.rice4)) << kFracBitsShift);
}

}  // namespace

double rdoq_distortion(const int32_t* coeff, const int32_t* levels, int log2W, int log2H, int qp) {
  const QuantModel m = quant_model(log2W, log2H, qp);
  const int w = 1 << log2W, h = 1 << log2H;
  double d = 0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const int i = y * w + x;
      const double e = double(int64_t(std::abs(coeff[i])) * m.scale) -
                       double(int64_t(std::abs(levels[i])) << m.qBits);
      d += e * e * m.errScale;
    }
  }
  return d;
}

int rdoq(const int32_t* coeff, int log2W, int log2H, int cIdx, int qp, double lambda,
         const ContextSet& ctx, int cbfCtx, int32_t* levels, RdoqResult* result) {
  using namespace residual_detail;
  const int stride = 1 << log2W;
  std::fill(levels, levels + (size_t(1) << (log2W + log2H)), 0);
  const int log2ZoW = std::min(log2W, 5), log2ZoH = std::min(log2H, 5);
  const int w = 1 << log2ZoW, h = 1 << log2ZoH;
  const CoeffScan& scan = coeff_scan(log2ZoW, log2ZoH);
  const int log2SbSize = scan.log2SbW + scan.log2SbH;
  const int numSbCoeff = 1 << log2SbSize;
  const int numSb = (w * h) >> log2SbSize;
  const int wInSb = 1 << scan.log2WInSb, hInSb = 1 << scan.log2HInSb;
  const uint8_t* pos = scan.pos;

  const QuantModel qm = quant_model(log2W, log2H, qp);
  const double lambdaFrac = lambda / kFracBitsOne;  // cost per 1/32768 bit
  const int64_t half = int64_t(1) << (qm.qBits - 1);

  double cost0[1024], costCoeff[1024], costSig[1024], costSbFlag[64];
  // Gtx/par rates with the last-position contexts, used when a level becomes the last one.
  const int lastInc = cIdx == 0 ? 0 : 21;
  PosRates lastRates{};
  for (unsigned b = 0; b < 2; ++b) {
    lastRates.gt1[b] = fb(ctx, kCtxAbsLevelGtxFlag + lastInc, b);
    lastRates.par[b] = fb(ctx, kCtxParLevelFlag + lastInc, b);
    lastRates.gt3[b] = fb(ctx, kCtxAbsLevelGtxFlag + 32 + lastInc, b);
  }
  uint8_t sbCoded[64] = {};
  double blockUncoded = 0, base = 0;
  int lastPos = -1, lastSb = -1;
  int remBins = ((1 << (log2ZoW + log2ZoH)) * 7) >> 2;
  const int sbCtxBase = kCtxSbCodedFlag + (cIdx == 0 ? 0 : 2);

  for (int sb = numSb - 1; sb >= 0; --sb) {
    const int xS = scan.sbPos[2 * sb], yS = scan.sbPos[2 * sb + 1];
    const int remBinsStart = remBins;
    // zeroRate: rate of zero levels coded with dec_abs_level (mode 2), besides sig costs
    double sigCostSum = 0, sigCost0 = 0, codedLevelDist = 0, uncodedDist = 0, zeroRate = 0;
    int nnzBeforePos0 = 0;
    bool anyNz = false;
    costSbFlag[sb] = 0;
    for (int n = numSbCoeff - 1; n >= 0; --n) {
      const int s = (sb << log2SbSize) + n;
      const int x = pos[2 * s], y = pos[2 * s + 1];
      const int blk = y * stride + x;
      const int64_t lev = int64_t(std::abs(coeff[blk])) * qm.scale;
      const int maxAbs = int(std::min<int64_t>(kCoeffMax, (lev + half) >> qm.qBits));
      cost0[s] = double(lev) * double(lev) * qm.errScale;
      blockUncoded += cost0[s];
      costSig[s] = 0;
      if (maxAbs > 0 && lastPos < 0) {
        lastPos = s;
        lastSb = sb;
      }
      if (lastPos < 0) {
        costCoeff[s] = cost0[s];
        base += cost0[s];
        continue;
      }
      // Contexts from the levels decided so far (all template neighbours come later in
      // coding order, i.e. earlier in this reverse loop).
      const bool isLast = s == lastPos;
      const Template t = local_template(levels, stride, x, y, w, h);
      if (maxAbs == 0 && remBins >= 4) {
        // Fast path (most positions): the level stays 0, only its sig_coeff_flag costs.
        const int sc = kCtxSigCoeffFlag + sig_ctx_inc(t.sumPass1, x + y, cIdx);
        costSig[s] = lambdaFrac * fb(ctx, sc, 0);
        costCoeff[s] = cost0[s] + costSig[s];
        base += costCoeff[s];
        remBins -= 1;
        sigCostSum += costSig[s];
        if (n == 0) sigCost0 = costSig[s];
        continue;
      }
      PosRates r{};
      r.mode2 = remBins < 4;
      r.rice4 = rice_param(t.sumAbs, 4);
      r.rice0 = rice_param(t.sumAbs, 0);
      if (!isLast && !r.mode2) {
        const int sc = kCtxSigCoeffFlag + sig_ctx_inc(t.sumPass1, x + y, cIdx);
        r.sig[0] = fb(ctx, sc, 0);
        r.sig[1] = fb(ctx, sc, 1);
      }
      if (!r.mode2 && maxAbs > 0) {
        const int inc =
            isLast ? (cIdx == 0 ? 0 : 21) : gtx_ctx_inc(t.sumPass1, t.numSig, x + y, cIdx);
        for (unsigned b = 0; b < 2; ++b) {
          r.gt1[b] = fb(ctx, kCtxAbsLevelGtxFlag + inc, b);
          r.par[b] = fb(ctx, kCtxParLevelFlag + inc, b);
          r.gt3[b] = fb(ctx, kCtxAbsLevelGtxFlag + 32 + inc, b);
        }
      }
      // Candidates: 0 (not for the last position, and only for small levels), l - 1, l.
      int best = 0;
      double bestCost = 1e300, bestSig = 0;
      if (!isLast && maxAbs < 3) {
        bestSig = lambdaFrac * r.sig[0];
        bestCost = cost0[s] + bestSig + lambdaFrac * level_rate(r, 0);
      }
      if (maxAbs > 0) {
        const double sig1 = lambdaFrac * r.sig[1];
        for (int a = maxAbs; a >= std::max(1, maxAbs - 1); --a) {
          const double e = double(lev - (int64_t(a) << qm.qBits));
          const double c = e * e * qm.errScale + lambdaFrac * level_rate(r, a) + sig1;
          if (c < bestCost) {
            bestCost = c;
            best = a;
            bestSig = sig1;
          }
        }
      }
      levels[blk] = best;
      costCoeff[s] = bestCost;
      costSig[s] = bestSig;
      base += bestCost;
      if (!r.mode2) remBins -= (best < 2 ? best : 3) + (isLast ? 0 : 1);

      sigCostSum += costSig[s];
      if (n == 0) sigCost0 = costSig[s];
      if (!best) zeroRate += costCoeff[s] - cost0[s] - costSig[s];
      if (best) {
        anyNz = true;
        codedLevelDist += costCoeff[s] - costSig[s];
        uncodedDist += cost0[s];
        if (n) ++nnzBeforePos0;
      }
    }
    if (lastSb < 0) continue;
    // Sub-block flag decisions (the first and the last sub-block have it inferred).
    const int right = xS + 1 < wInSb ? sbCoded[yS * wInSb + xS + 1] : 0;
    const int below = yS + 1 < hInSb ? sbCoded[(yS + 1) * wInSb + xS] : 0;
    const int sbCtx = sbCtxBase + (right | below);
    if (sb == 0 || sb == lastSb) {
      sbCoded[yS * wInSb + xS] = 1;
      continue;
    }
    if (!anyNz) {
      // the zero levels are not coded at all: replace their sig costs by the flag's cost
      costSbFlag[sb] = lambdaFrac * fb(ctx, sbCtx, 0);
      base += costSbFlag[sb] - sigCostSum - zeroRate;
      continue;
    }
    if (nnzBeforePos0 == 0) {  // the DC level's sig_coeff_flag would be inferred
      const int s0 = sb << log2SbSize;
      base -= sigCost0;
      sigCostSum -= sigCost0;
      costCoeff[s0] -= sigCost0;
      costSig[s0] = 0;
    }
    double costZero = base + lambdaFrac * fb(ctx, sbCtx, 0) + uncodedDist - codedLevelDist -
                      sigCostSum - zeroRate;
    costSbFlag[sb] = lambdaFrac * fb(ctx, sbCtx, 1);
    base += costSbFlag[sb];
    if (costZero < base) {
      base = costZero;
      remBins = remBinsStart;
      costSbFlag[sb] = lambdaFrac * fb(ctx, sbCtx, 0);
      for (int n = numSbCoeff - 1; n >= 0; --n) {
        const int s = (sb << log2SbSize) + n;
        int32_t& lv = levels[pos[2 * s + 1] * stride + pos[2 * s]];
        if (lv) {
          lv = 0;
          costCoeff[s] = cost0[s];
          costSig[s] = 0;
        }
      }
    } else {
      sbCoded[yS * wInSb + xS] = 1;
    }
  }

  RdoqResult res;
  res.uncodedCost = blockUncoded + (cbfCtx >= 0 ? lambdaFrac * fb(ctx, cbfCtx, 0) : 0.0);
  if (lastPos < 0) {
    res.cost = res.uncodedCost;
    if (result) *result = res;
    return 0;
  }

  // Last position: rate of each prefix value (TR with the 9.3.4.2.4 contexts) per coordinate.
  double lastBitsX[10], lastBitsY[10];
  {
    const int offX = kCtxLastSigCoeffXPrefix + last_ctx_offset(log2W, cIdx);
    const int shX = last_ctx_shift(log2W, cIdx);
    const int maxX = (log2ZoW << 1) - 1;
    uint32_t acc = 0;
    for (int g = 0; g <= maxX; ++g) {
      const uint32_t suffix = g > 3 ? uint32_t((g >> 1) - 1) << kFracBitsShift : 0;
      lastBitsX[g] = lambdaFrac * (acc + (g < maxX ? fb(ctx, offX + (g >> shX), 0) : 0) + suffix);
      if (g < maxX) acc += fb(ctx, offX + (g >> shX), 1);
    }
    const int offY = kCtxLastSigCoeffYPrefix + last_ctx_offset(log2H, cIdx);
    const int shY = last_ctx_shift(log2H, cIdx);
    const int maxY = (log2ZoH << 1) - 1;
    acc = 0;
    for (int g = 0; g <= maxY; ++g) {
      const uint32_t suffix = g > 3 ? uint32_t((g >> 1) - 1) << kFracBitsShift : 0;
      lastBitsY[g] = lambdaFrac * (acc + (g < maxY ? fb(ctx, offY + (g >> shY), 0) : 0) + suffix);
      if (g < maxY) acc += fb(ctx, offY + (g >> shY), 1);
    }
  }

  // An inferred coded flag (cbfCtx < 0) means the TB cannot become all zero.
  double bestCost = cbfCtx >= 0 ? res.uncodedCost : std::numeric_limits<double>::max();
  if (cbfCtx >= 0) base += lambdaFrac * fb(ctx, cbfCtx, 1);
  int bestLastP1 = 0, bestLastLevel = 0;
  bool done = false;
  for (int sb = lastSb; sb >= 0 && !done; --sb) {
    base -= costSbFlag[sb];
    const int xS = scan.sbPos[2 * sb], yS = scan.sbPos[2 * sb + 1];
    if (sb != 0 && sb != lastSb && !sbCoded[yS * wInSb + xS]) continue;
    for (int n = numSbCoeff - 1; n >= 0; --n) {
      const int s = (sb << log2SbSize) + n;
      if (s > lastPos) continue;
      const int x = pos[2 * s], y = pos[2 * s + 1];
      const int a = levels[y * stride + x];
      if (a) {
        // Cost of this level when coded as the last one: no sig flag, last contexts, full
        // bin budget, Rice parameter from its (unchanged) template; its level re-chosen.
        double asLast = costCoeff[s];
        int lastLevel = a;
        if (s != lastPos) {
          const int64_t lev = int64_t(std::abs(coeff[y * stride + x])) * qm.scale;
          const int maxAbs = int(std::min<int64_t>(kCoeffMax, (lev + half) >> qm.qBits));
          PosRates r = lastRates;
          r.rice4 = rice_param(local_template(levels, stride, x, y, w, h).sumAbs, 4);
          asLast = 1e300;
          for (int c = maxAbs; c >= std::max(1, maxAbs - 1); --c) {
            const double e = double(lev - (int64_t(c) << qm.qBits));
            const double cost = e * e * qm.errScale + lambdaFrac * level_rate(r, c);
            if (cost < asLast) {
              asLast = cost;
              lastLevel = c;
            }
          }
        }
        const double total =
            base - costCoeff[s] + asLast + lastBitsX[last_prefix(x)] + lastBitsY[last_prefix(y)];
        if (total < bestCost) {
          bestCost = total;
          bestLastP1 = s + 1;
          bestLastLevel = lastLevel;
        }
        if (a > 1) {
          done = true;
          break;
        }
        base += cost0[s] - costCoeff[s];
      } else {
        base -= costCoeff[s] - cost0[s];  // its sig flag (or mode-2 code) disappears
      }
    }
  }

  if (bestLastP1 > 0) {
    const int s = bestLastP1 - 1;
    levels[pos[2 * s + 1] * stride + pos[2 * s]] = bestLastLevel;
  }
  int nz = 0;
  for (int s = 0; s < w * h; ++s) {
    const int blk = pos[2 * s + 1] * stride + pos[2 * s];
    if (s >= bestLastP1) {
      levels[blk] = 0;
    } else if (levels[blk]) {
      ++nz;
      if (coeff[blk] < 0) levels[blk] = -levels[blk];
    }
  }
  res.numNonZero = nz;
  res.cost = bestCost;
  if (result) *result = res;
  return nz;
}

}  // namespace vvc
