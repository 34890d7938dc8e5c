// Dependent-quantization trellis, see dep_quant.h.
#include "transform/dep_quant.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include "cabac/bit_estimator.h"
#include "cabac/residual_coding.h"
#include "transform/quant.h"

namespace vvc {
namespace {

using namespace residual_detail;

constexpr double kNoPath = std::numeric_limits<double>::max();
// TransCoeffLevel = 2k - 1 must fit CoeffMin..CoeffMax (7.4.11.11): k <= 16383; keep a margin.
constexpr int kMaxAbsLevel = 16382;
constexpr int kFresh = 4;  // St::origin of a path that starts (its last position) in this SB

// Template neighbours (x+1,y) (x+2,y) (x,y+1) (x,y+2) (x+1,y+1) of every scan position inside
// the (zero-out) TB, per TB size, split by where the trellis keeps their levels: in the
// current sub-block (index within it) or in a later one (scan index into the lineage buffer).
struct NbList {
  uint8_t nIn, nOut;
  uint8_t in[5];
  int16_t out[5];
};

struct NeighbourTable {
  std::array<std::vector<NbList>, 36> nb;
  NeighbourTable() {
    for (int lw = 0; lw < 6; ++lw) {
      for (int lh = 0; lh < 6; ++lh) {
        const int w = 1 << lw, h = 1 << lh;
        const CoeffScan& scan = coeff_scan(lw, lh);
        const int log2Sb = scan.log2SbW + scan.log2SbH;
        std::vector<int16_t> scanOf(size_t(w) * h);
        for (int s = 0; s < w * h; ++s)
          scanOf[scan.pos[2 * s + 1] * w + scan.pos[2 * s]] = int16_t(s);
        std::vector<NbList>& t = nb[lw * 6 + lh];
        t.assign(size_t(w) * h, NbList{});
        for (int s = 0; s < w * h; ++s) {
          const int x = scan.pos[2 * s], y = scan.pos[2 * s + 1];
          const int dx[5] = {1, 2, 0, 0, 1}, dy[5] = {0, 0, 1, 2, 1};
          NbList& l = t[s];
          for (int i = 0; i < 5; ++i) {
            const int nx = x + dx[i], ny = y + dy[i];
            if (nx >= w || ny >= h) continue;
            const int ns = scanOf[ny * w + nx];
            if (ns >> log2Sb == s >> log2Sb)
              l.in[l.nIn++] = uint8_t(ns & ((1 << log2Sb) - 1));
            else
              l.out[l.nOut++] = int16_t(ns);
          }
        }
      }
    }
  }
};

const NeighbourTable& neighbour_table() {
  static const NeighbourTable t;
  return t;
}

// Distortion model of the two quantizers (same conventions as rdoq.cpp, at qP + 1): for
// x = |c| * scale, reconstruction index q (units of delta) costs
// D = (x - (q << qShift))^2 * errScale.
struct DqModel {
  int64_t scale;
  int qShift;
  double errScale;
};

DqModel dq_model(int log2W, int log2H, int qp) {
  DqModel m;
  m.scale = quant_scale(log2W, log2H, qp + 1);
  m.qShift = quant_qbits(log2W, log2H, qp + 1) - 1;
  const double shiftExact =
      quant_transform_shift(log2W, log2H) + (quant_needs_sqrt2(log2W, log2H) ? 0.5 : 0.0);
  m.errScale = std::pow(2.0, -2.0 * shiftExact) / (double(m.scale) * double(m.scale));
  return m;
}

// Nonzero candidate levels of one coefficient for each quantizer (Q0: k -> index 2k, Q1:
// k -> 2k - 1), with D(level) - D(0). As in VTM: the four indices around |c| / delta - 1.5.
struct Cands {
  int n[2] = {0, 0};
  int k[2][2];
  double dd[2][2];
  double d0;  // D(0)
};

inline Cands candidates(const DqModel& m, int32_t c) {
  Cands r;
  const int64_t x = int64_t(std::abs(c)) * m.scale;
  r.d0 = double(x) * double(x) * m.errScale;
  auto add = [&](int64_t q) {
    const int quant = int(q & 1);  // odd indices belong to Q1
    const double rec = double(q << m.qShift);
    const double dd = rec * (rec - 2.0 * double(x)) * m.errScale;
    const int i = r.n[quant]++;
    r.k[quant][i] = int((q + 1) >> 1);
    r.dd[quant][i] = dd;
  };
  const int64_t q0 = (x - ((int64_t(3) << m.qShift) >> 1)) >> m.qShift;
  if (q0 < 0) {
    add(1);
    add(2);
    return r;
  }
  const int64_t qa = std::clamp<int64_t>(q0, 1, 2 * kMaxAbsLevel - 4);
  for (int64_t q = qa; q < qa + 4; ++q) add(q);
  return r;
}

inline uint32_t fb(const ContextSet& ctx, int idx, unsigned bin) {
  return BitEstimator::frac_bits(ctx[idx], bin);
}

inline uint8_t clamp_level(int k) {
  return uint8_t(k > 250 ? 250 + (k & 1) : k);  // keeps the parity (AbsLevelPass1 rule)
}

// A stored |level| a (<= 251) as its terms of the template sums, packed so that five of them
// add without carries: a (sumAbs, bits 0..11), min(a, 4 + (a & 1)) (sumPass1, bits 12..19)
// and a != 0 (numSig, bits 20..27).
struct TemplateTerms {
  uint32_t v[256];
  constexpr TemplateTerms() : v() {
    for (uint32_t a = 0; a < 256; ++a)
      v[a] = a | (std::min(a, 4 + (a & 1)) << 12) | (uint32_t(a != 0) << 20);
  }
};
inline constexpr TemplateTerms kTemplateTerms;

// One trellis state: the best path that ends in this QState.
struct St {
  double cost;    // J of the path minus the distortion of an all-zero TB
  int remBins;    // remBinsPass1 left
  int8_t origin;  // state at this sub-block's start whose buffers the path continues, or kFresh
  bool anyNz;     // a nonzero level in this sub-block
  const uint8_t* ext;  // |levels| in scan order beyond this sub-block (the origin's lineage)
  uint8_t lv[16];      // |levels| (clamped) of this sub-block by position n
};

// A candidate transition: cost, level, remBinsPass1 after it.
struct Opt {
  double cost = kNoPath;
  int k = 0, rem = 0;
  void take(double c, int level, int remBins) {
    if (c < cost) cost = c, k = level, rem = remBins;
  }
};

struct Dec {
  int16_t k;    // absolute level chosen at this position
  int8_t prev;  // state before this position, -1: the path starts here (last position)
};

// Context-coded rates of one level given its contexts (1/32768 bit).
struct LevelCtx {
  uint32_t gt1[2], par[2], gt3[2];
};

inline LevelCtx level_ctx(const ContextSet& ctx, int inc) {
  LevelCtx l;
  for (unsigned b = 0; b < 2; ++b) {
    l.gt1[b] = fb(ctx, kCtxAbsLevelGtxFlag + inc, b);
    l.par[b] = fb(ctx, kCtxParLevelFlag + inc, b);
    l.gt3[b] = fb(ctx, kCtxAbsLevelGtxFlag + 32 + inc, b);
  }
  return l;
}

// Rate of |level| k >= 1 in pass 1 (without sig_coeff_flag), incl. its sign.
inline uint32_t regular_rate(const LevelCtx& l, int k, int rice4) {
  uint32_t r = kFracBitsOne;
  if (k == 1) return r + l.gt1[0];
  r += l.gt1[1] + l.par[k & 1];
  if (k < 4) return r + l.gt3[0];
  return r + l.gt3[1] +
         (uint32_t(rice_code_length(unsigned((k - 4) >> 1), rice4)) << kFracBitsShift);
}

// Rate of |level| k coded as dec_abs_level (remBinsPass1 used up), incl. the sign.
inline uint32_t mode2_rate(int k, int rice0, int qState) {
  return (uint32_t(rice_code_length(dec_abs_level_value(k, rice0, qState), rice0)) + (k ? 1u : 0u))
         << kFracBitsShift;
}

// Frac bits of one component's sig_coeff_flag and gtx/par contexts. The RD search quantizes
// the same TB for several modes from the same context snapshot, so the last tables per
// component type are kept with a copy of the contexts they were made from.
struct RateTables {
  uint32_t sig[60][2];
  LevelCtx gtx[32];
};

struct RateTableCache {
  bool valid = false;
  ContextModel sig[36], par[21], gt1[21], gt3[21];  // the contexts the tables came from
  RateTables t;
};

// (ContextModel is 6 bytes without padding: memcmp compares p0, p1 and the shifts)
static_assert(sizeof(ContextModel) == 6);
inline bool same_models(const ContextModel* a, const ContextModel* b, int n) {
  return std::memcmp(a, b, sizeof(ContextModel) * size_t(n)) == 0;
}

const RateTables& rate_tables(const ContextSet& ctx, int cIdx) {
  static thread_local RateTableCache cache[2];
  RateTableCache& c = cache[cIdx ? 1 : 0];
  const int sigLo = cIdx == 0 ? 0 : 36, nSig = cIdx == 0 ? 36 : 24;
  const int gLo = cIdx == 0 ? 1 : 22, nG = cIdx == 0 ? 20 : 10;
  const ContextModel* sig = &ctx[kCtxSigCoeffFlag + sigLo];
  const ContextModel* par = &ctx[kCtxParLevelFlag + gLo];
  const ContextModel* gt1 = &ctx[kCtxAbsLevelGtxFlag + gLo];
  const ContextModel* gt3 = &ctx[kCtxAbsLevelGtxFlag + 32 + gLo];
  if (c.valid && same_models(c.sig, sig, nSig) && same_models(c.par, par, nG) &&
      same_models(c.gt1, gt1, nG) && same_models(c.gt3, gt3, nG))
    return c.t;
  std::copy(sig, sig + nSig, c.sig);
  std::copy(par, par + nG, c.par);
  std::copy(gt1, gt1 + nG, c.gt1);
  std::copy(gt3, gt3 + nG, c.gt3);
  for (int i = 0; i < nSig; ++i)
    for (unsigned b = 0; b < 2; ++b)
      c.t.sig[sigLo + i][b] = fb(ctx, kCtxSigCoeffFlag + sigLo + i, b);
  for (int i = gLo; i < gLo + nG; ++i) c.t.gtx[i] = level_ctx(ctx, i);
  c.valid = true;
  return c.t;
}

// Frozen-context rate counter for dep_quant_cost.
struct FrozenCoder {
  uint64_t bits = 0;
  void encode_bin(ContextModel& c, unsigned bin) { bits += BitEstimator::frac_bits(c, bin); }
  void encode_bins_ep(uint32_t, int n) { bits += uint64_t(n) << kFracBitsShift; }
};

}  // namespace

int dep_quant(const int32_t* coeff, int log2W, int log2H, int cIdx, int qp, double lambda,
              const ContextSet& ctx, int cbfCtx, int32_t* levels, RdoqResult* result) {
  const int stride = 1 << log2W;
  std::fill(levels, levels + (size_t(1) << (log2W + log2H)), 0);
  const int log2ZoW = std::min(log2W, 5), log2ZoH = std::min(log2H, 5);
  const int w = 1 << log2ZoW, h = 1 << log2ZoH;
  const CoeffScan& scan = coeff_scan(log2ZoW, log2ZoH);
  const NbList* nb = neighbour_table().nb[log2ZoW * 6 + log2ZoH].data();
  const int log2SbSize = scan.log2SbW + scan.log2SbH;
  const int numSbCoeff = 1 << log2SbSize;
  const int wInSb = 1 << scan.log2WInSb, hInSb = 1 << scan.log2HInSb;
  const uint8_t* pos = scan.pos;
  const DqModel m = dq_model(log2W, log2H, qp);
  const double lf = lambda / kFracBitsOne;

  // Distortion of the all-zero TB, and the first position worth a level (|c| > delta).
  // (integer sum: the same value as summing the squares in doubles, all terms are exact)
  int64_t sumSq = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const int64_t a = coeff[y * stride + x];
      sumSq += a * a;
    }
  const double d0Sum = double(sumSq) * double(m.scale) * double(m.scale) * m.errScale;
  int firstTest = w * h - 1;
  const int64_t one = int64_t(1) << m.qShift;
  while (firstTest >= 0 &&
         int64_t(std::abs(coeff[pos[2 * firstTest + 1] * stride + pos[2 * firstTest]])) * m.scale <=
             one)
    --firstTest;
  RdoqResult res;
  res.uncodedCost = d0Sum + (cbfCtx >= 0 ? lf * fb(ctx, cbfCtx, 0) : 0.0);
  res.cost = res.uncodedCost;
  if (firstTest < 0) {
    if (result) *result = res;
    return 0;
  }

  // Rates that do not depend on the path: last position prefix/suffix, last-position level.
  uint32_t lastBitsX[10], lastBitsY[10];
  for (int dim = 0; dim < 2; ++dim) {
    const int log2Size = dim ? log2H : log2W, log2Zo = dim ? log2ZoH : log2ZoW;
    const int off =
        (dim ? kCtxLastSigCoeffYPrefix : kCtxLastSigCoeffXPrefix) + last_ctx_offset(log2Size, cIdx);
    const int sh = last_ctx_shift(log2Size, cIdx);
    const int maxG = (log2Zo << 1) - 1;
    uint32_t* out = dim ? lastBitsY : lastBitsX;
    uint32_t acc = 0;
    for (int g = 0; g <= maxG; ++g) {
      const uint32_t suffix = g > 3 ? uint32_t((g >> 1) - 1) << kFracBitsShift : 0;
      out[g] = acc + (g < maxG ? fb(ctx, off + (g >> sh), 0) : 0) + suffix;
      if (g < maxG) acc += fb(ctx, off + (g >> sh), 1);
    }
  }
  const LevelCtx lastCtx = level_ctx(ctx, cIdx == 0 ? 0 : 21);
  // Frac bits of this component's sig_coeff_flag and gtx/par contexts (frozen for the TB).
  const RateTables& rt = rate_tables(ctx, cIdx);
  const uint32_t (*sigBits)[2] = rt.sig;
  const LevelCtx* gtxBits = rt.gtx;
  const int sbCtxBase = kCtxSbCodedFlag + (cIdx == 0 ? 0 : 2);
  const int remBinsInit = ((1 << (log2ZoW + log2ZoH)) * 7) >> 2;

  // Per-lineage buffers: |levels| in scan order and sub-block flags of the coded part, two
  // banks of four (one is read while the other is written at a sub-block end).
  static thread_local uint8_t tbLv[8][1024];
  static thread_local uint8_t sbFlags[8][64];
  const int span = firstTest + 1;
  static const uint8_t kZeros[1024] = {};
  // Levels beyond the span read as zero (template neighbours past the first tested position).
  for (auto& b : tbLv) std::memset(b + span, 0, size_t(w * h - span));
  int buf[4] = {0, 1, 2, 3};  // read only for active states, written at each sub-block end
  int bank = 0;

  static thread_local Dec dec[1024][4];
  bool skipSb[64][4];
  const int lastSb = firstTest >> log2SbSize;
  std::memset(skipSb, 0, sizeof(skipSb[0]) * size_t(lastSb + 1));
  St stBuf[2][4];  // the states before and after the current position (swapped per step)
  St* cur = stBuf[0];
  for (int T = 0; T < 4; ++T) cur[T].cost = kNoPath;
  for (int sb = lastSb; sb >= 0; --sb) {
    const int sbStart = sb << log2SbSize, sbEnd = sbStart + numSbCoeff;
    const int xS = scan.sbPos[2 * sb], yS = scan.sbPos[2 * sb + 1];
    St atStart[4];
    std::memcpy(atStart, cur, sizeof(atStart));
    const int nHi = sb == lastSb ? firstTest - sbStart : numSbCoeff - 1;
    for (int n = nHi; n >= 0; --n) {
      const int s = sbStart + n;
      const int x = pos[2 * s], y = pos[2 * s + 1], d = x + y;
      const int32_t c = coeff[y * stride + x];
      const Cands cd = candidates(m, c);
      // Each active state's best continuation with an even and with an odd level (the
      // parity decides the next state), first-min in the order zero, candidates.
      Opt ev[5], od[5];  // [4]: a path that starts here (the last position, QState 0)
      const NbList& nl = nb[s];
      // sig_ctx_inc / gtx_ctx_inc (residual_coding.h) split into the parts that depend on
      // the position only and the state / template parts
      const int sigBase = cIdx == 0 ? (d < 2 ? 8 : d < 5 ? 4 : 0) : 36 + (d < 2 ? 4 : 0);
      const int sigSet = cIdx == 0 ? 12 : 8;
      const int gtxBase = cIdx == 0 ? 1 + (d == 0   ? 15
                                           : d < 3  ? 10
                                           : d < 10 ? 5
                                                    : 0)
                                    : 22 + (d == 0 ? 5 : 0);
      for (int S = 0; S < 4; ++S) {
        const St& st = cur[S];
        if (st.cost == kNoPath) continue;
        uint32_t acc = 0;  // the three template sums, packed (kTemplateTerms)
        for (int i = 0; i < nl.nIn; ++i) acc += kTemplateTerms.v[st.lv[nl.in[i]]];
        for (int i = 0; i < nl.nOut; ++i) acc += kTemplateTerms.v[st.ext[nl.out[i]]];
        const int sumAbs = int(acc & 0xfff), sumPass1 = int((acc >> 12) & 0xff);
        const int numSig = int(acc >> 20);
        const int q = S >> 1;
        if (st.remBins < 4) {  // dec_abs_level for the rest of the TB
          const int rice0 = rice_param(sumAbs, 0);
          ev[S].take(st.cost + lf * mode2_rate(0, rice0, S), 0, st.remBins);
          for (int i = 0; i < cd.n[q]; ++i) {
            const int k = cd.k[q][i];
            ((k & 1) ? od[S] : ev[S])
                .take(st.cost + cd.dd[q][i] + lf * mode2_rate(k, rice0, S), k, st.remBins);
          }
          continue;
        }
        // sig_coeff_flag of a coded sub-block's DC is inferred 1 when it alone is nonzero
        const bool inferDc = n == 0 && sb > 0 && st.origin != kFresh && !st.anyNz;
        const uint32_t* sig =
            sigBits[sigBase + sigSet * std::max(0, S - 1) + std::min((sumPass1 + 1) >> 1, 3)];
        if (!inferDc) ev[S].take(st.cost + lf * sig[0], 0, st.remBins - 1);
        const LevelCtx& lc = gtxBits[gtxBase + std::min(sumPass1 - numSig, 4)];
        const uint32_t sig1 = inferDc ? 0 : sig[1];
        // (the Rice parameter only matters for levels >= 4; the candidates ascend)
        const int rice4 = cd.k[q][cd.n[q] - 1] >= 4 ? rice_param(sumAbs, 4) : 0;
        for (int i = 0; i < cd.n[q]; ++i) {
          const int k = cd.k[q][i];
          const double cost = st.cost + cd.dd[q][i] + lf * (sig1 + regular_rate(lc, k, rice4));
          ((k & 1) ? od[S] : ev[S]).take(cost, k, st.remBins - (inferDc ? 0 : 1) - (k > 1 ? 3 : 1));
        }
      }
      {
        const uint32_t lastBits = lastBitsX[last_prefix(x)] + lastBitsY[last_prefix(y)];
        for (int i = 0; i < cd.n[0]; ++i) {
          const int k = cd.k[0][i];
          const double cost = cd.dd[0][i] + lf * (lastBits + regular_rate(lastCtx, k, 0));
          ((k & 1) ? od[4] : ev[4]).take(cost, k, remBinsInit - (k > 1 ? 3 : 1));
        }
      }
      // Into each state (QStateTransTable): 0 <- 0 even, 1 odd, start even; 2 <- 0 odd,
      // 1 even, start odd; 1 <- 2 even, 3 odd; 3 <- 2 odd, 3 even. On equal costs the
      // earlier source wins.
      const Opt* nOpt[4];
      int nPrev[4];
      auto pick = [&](int T, const Opt& a, int sa, const Opt& b, int sb2, const Opt* c) {
        const Opt* o = &a;
        int from = sa;
        if (b.cost < o->cost) o = &b, from = sb2;
        if (c && c->cost < o->cost) o = c, from = -1;
        nOpt[T] = o;
        nPrev[T] = from;
      };
      pick(0, ev[0], 0, od[1], 1, &ev[4]);
      pick(2, od[0], 0, ev[1], 1, &od[4]);
      pick(1, ev[2], 2, od[3], 3, nullptr);
      pick(3, od[2], 2, ev[3], 3, nullptr);
      Dec* dv = dec[s];
      St* nxt = cur == stBuf[0] ? stBuf[1] : stBuf[0];
      for (int T = 0; T < 4; ++T) {
        const Opt& o = *nOpt[T];
        dv[T].k = int16_t(o.k);
        dv[T].prev = int8_t(nPrev[T]);
        nxt[T].cost = o.cost;
        if (o.cost == kNoPath) continue;
        const int from = nPrev[T];
        if (from >= 0) {
          nxt[T] = cur[from];
          nxt[T].cost = o.cost;
        } else {
          nxt[T].origin = kFresh;
          nxt[T].ext = kZeros;
          nxt[T].anyNz = false;
          std::memset(nxt[T].lv, 0, sizeof(nxt[T].lv));
        }
        nxt[T].remBins = o.rem;
        const int k = o.k;
        nxt[T].lv[n] = clamp_level(k);
        nxt[T].anyNz |= k != 0;
      }
      cur = nxt;
    }

    // End of the sub-block: sb_coded_flag for paths that entered it coded, the choice of
    // skipping it (flag 0, levels 0, QState unchanged), then the lineage buffers.
    if (sb > 0) {
      for (int T = 0; T < 4; ++T) {
        auto flag_bits = [&](int lineage, unsigned bin) {
          const uint8_t* f = sbFlags[buf[lineage]];
          const int right = xS + 1 < wInSb ? f[yS * wInSb + xS + 1] : 0;
          const int below = yS + 1 < hInSb ? f[(yS + 1) * wInSb + xS] : 0;
          return fb(ctx, sbCtxBase + (right | below), bin);
        };
        St& st = cur[T];
        if (st.cost != kNoPath && st.origin != kFresh) {
          // a coded sub-block holds a nonzero level (else the flag would be 0)
          st.cost = st.anyNz ? st.cost + lf * flag_bits(st.origin, 1) : kNoPath;
        }
        if (atStart[T].cost != kNoPath) {
          const double skipCost = atStart[T].cost + lf * flag_bits(T, 0);
          if (skipCost < st.cost) {
            st = atStart[T];
            st.cost = skipCost;
            skipSb[sb][T] = true;
          }
        }
      }
    }
    if (sb == 0) break;
    const int newBank = bank ^ 1;
    int newBuf[4];
    for (int T = 0; T < 4; ++T) {
      newBuf[T] = newBank * 4 + T;
      const St& st = cur[T];
      if (st.cost == kNoPath) continue;
      uint8_t* dst = tbLv[newBuf[T]];
      uint8_t* dstF = sbFlags[newBuf[T]];
      const bool skipped = skipSb[sb][T];
      const int lineage = skipped ? T : st.origin;
      if (lineage == kFresh) {
        std::memset(dst + sbEnd, 0, size_t(std::max(0, span - sbEnd)));
        std::memset(dstF, 0, 64);
      } else {
        if (span > sbEnd)
          std::memcpy(dst + sbEnd, tbLv[buf[lineage]] + sbEnd, size_t(span - sbEnd));
        std::memcpy(dstF, sbFlags[buf[lineage]], 64);
      }
      for (int n = 0; n < numSbCoeff; ++n) dst[sbStart + n] = skipped ? 0 : st.lv[n];
      dstF[yS * wInSb + xS] = skipped ? 0 : 1;
    }
    for (int T = 0; T < 4; ++T) {
      buf[T] = newBuf[T];
      cur[T].ext = tbLv[newBuf[T]];
      cur[T].origin = int8_t(T);
      cur[T].anyNz = false;
      std::memset(cur[T].lv, 0, sizeof(cur[T].lv));
    }
    bank = newBank;
  }

  // Best final state against coding nothing.
  int best = -1;
  for (int T = 0; T < 4; ++T)
    if (cur[T].cost != kNoPath && (best < 0 || cur[T].cost < cur[best].cost)) best = T;
  const double cbf1 = cbfCtx >= 0 ? lf * fb(ctx, cbfCtx, 1) : 0.0;
  const double zeroCost = cbfCtx >= 0 ? lf * fb(ctx, cbfCtx, 0) : kNoPath;
  if (best < 0 || (cbfCtx >= 0 && zeroCost <= cur[best].cost + cbf1)) {
    if (result) *result = res;
    return 0;
  }
  res.cost = d0Sum + cur[best].cost + cbf1;

  int nz = 0;
  int st = best;
  for (int sb = 0; sb <= lastSb && st >= 0; ++sb) {
    if (skipSb[sb][st]) continue;
    const int sbStart = sb << log2SbSize;
    const int nHi = sb == lastSb ? firstTest - sbStart : numSbCoeff - 1;
    for (int n = 0; n <= nHi; ++n) {
      const int s = sbStart + n;
      const Dec& dd = dec[s][st];
      if (dd.k) {
        const int blk = pos[2 * s + 1] * stride + pos[2 * s];
        levels[blk] = coeff[blk] < 0 ? -dd.k : dd.k;
        ++nz;
      }
      st = dd.prev;
      if (st < 0) break;
    }
  }
  res.numNonZero = nz;
  if (result) *result = res;
  return nz;
}

int dep_quant_scalar(const int32_t* coeff, int log2W, int log2H, int qp, int32_t* levels) {
  const int stride = 1 << log2W;
  std::fill(levels, levels + (size_t(1) << (log2W + log2H)), 0);
  const int log2ZoW = std::min(log2W, 5), log2ZoH = std::min(log2H, 5);
  const CoeffScan& scan = coeff_scan(log2ZoW, log2ZoH);
  const DqModel m = dq_model(log2W, log2H, qp);
  int qState = 0, nz = 0;
  for (int s = (1 << (log2ZoW + log2ZoH)) - 1; s >= 0; --s) {
    const int blk = scan.pos[2 * s + 1] * stride + scan.pos[2 * s];
    const Cands cd = candidates(m, coeff[blk]);
    const int q = qState >> 1;
    int k = 0;
    double bestDd = 0;
    for (int i = 0; i < cd.n[q]; ++i) {
      if (cd.dd[q][i] < bestDd) {
        bestDd = cd.dd[q][i];
        k = cd.k[q][i];
      }
    }
    if (k) {
      levels[blk] = coeff[blk] < 0 ? -k : k;
      ++nz;
    }
    qState = next_qstate(qState, k);
  }
  return nz;
}

double dep_quant_cost(const int32_t* coeff, const int32_t* levels, int log2W, int log2H, int cIdx,
                      int qp, double lambda, const ContextSet& ctx, int cbfCtx) {
  const int stride = 1 << log2W;
  const int log2ZoW = std::min(log2W, 5), log2ZoH = std::min(log2H, 5);
  const DqModel m = dq_model(log2W, log2H, qp);
  std::vector<int32_t> trans(size_t(1) << (log2W + log2H));
  dep_quant_trans_levels(levels, log2W, log2H, trans.data());
  double d = 0;
  bool any = false;
  for (int y = 0; y < (1 << log2ZoH); ++y) {
    for (int x = 0; x < (1 << log2ZoW); ++x) {
      const int blk = y * stride + x;
      const double e = double(int64_t(std::abs(coeff[blk])) * m.scale) -
                       double(int64_t(std::abs(trans[blk])) << m.qShift);
      d += e * e * m.errScale;
      any |= levels[blk] != 0;
    }
  }
  ContextSet c = ctx;
  FrozenCoder coder;
  if (cbfCtx >= 0) coder.encode_bin(c[cbfCtx], any ? 1u : 0u);
  if (any) code_residual(coder, c, levels, log2W, log2H, cIdx, true);
  return d + lambda * double(coder.bits) / kFracBitsOne;
}

void dep_quant_adjust_lambdas(RdLambdas& l, bool allIntra) {
  l.lambda *= std::pow(2.0, 0.25 / 3.0);
  l.sqrt_lambda = std::sqrt(l.lambda);
  l.comp_lambda[0] = l.lambda;
  const double w = std::pow(2.0, (allIntra ? 0.2 : 0.1) / 3.0);
  for (int c = 1; c < 3; ++c) {
    l.chroma_weight[c] *= w;
    l.comp_lambda[c] = l.lambda / l.chroma_weight[c];
  }
}

}  // namespace vvc
