#include "filter/alf_encoder.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace vvc {
namespace {

// Least-squares statistics of one filter: R = sum w X X^T, r = sum w X t, e = sum t^2, with
// t = orig - rec and X the tap sums in coefficient order (real filter f = coefficient / 128).
template <int N>
struct Stats {
  double R[N][N];
  double r[N];
  double e;
  void clear() { std::memset(this, 0, sizeof(*this)); }
  void add(const Stats& o) {
    for (int i = 0; i < N; ++i) {
      for (int j = 0; j < N; ++j) R[i][j] += o.R[i][j];
      r[i] += o.r[i];
    }
    e += o.e;
  }
  // Accumulates one sample (upper triangle only; see symmetrize()).
  void accumulate(const double* X, double t) {
    for (int i = 0; i < N; ++i) {
      const double xi = X[i];
      for (int j = i; j < N; ++j) R[i][j] += xi * X[j];
      r[i] += xi * t;
    }
    e += t * t;
  }
  void symmetrize() {
    for (int i = 0; i < N; ++i)
      for (int j = 0; j < i; ++j) R[i][j] = R[j][i];
  }
};

using LumaStats = Stats<kAlfLumaCoeffs>;
using ChromaStats = Stats<kAlfChromaCoeffs>;

// Solves R f = r (Cholesky on a slightly regularised R); f = 0 where R is degenerate.
template <int N>
void solve(const Stats<N>& s, double f[N]) {
  double A[N][N], L[N][N] = {};
  double trace = 0;
  for (int i = 0; i < N; ++i) trace += s.R[i][i];
  const double reg = 1e-9 * trace / N + 1e-12;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) A[i][j] = s.R[i][j] + (i == j ? reg : 0.0);
  for (int i = 0; i < N; ++i) {
    for (int j = 0; j <= i; ++j) {
      double sum = A[i][j];
      for (int k = 0; k < j; ++k) sum -= L[i][k] * L[j][k];
      if (i == j) {
        if (sum <= 0) {
          for (int k = 0; k < N; ++k) f[k] = 0;
          return;
        }
        L[i][i] = std::sqrt(sum);
      } else {
        L[i][j] = sum / L[j][j];
      }
    }
  }
  double y[N];
  for (int i = 0; i < N; ++i) {
    double sum = s.r[i];
    for (int k = 0; k < i; ++k) sum -= L[i][k] * y[k];
    y[i] = sum / L[i][i];
  }
  for (int i = N - 1; i >= 0; --i) {
    double sum = y[i];
    for (int k = i + 1; k < N; ++k) sum -= L[k][i] * f[k];
    f[i] = sum / L[i][i];
  }
}

// Squared error after filtering with real coefficients f.
template <int N>
double error_of(const Stats<N>& s, const double f[N]) {
  double err = s.e;
  for (int i = 0; i < N; ++i) {
    err -= 2 * f[i] * s.r[i];
    double q = 0;
    for (int j = 0; j < N; ++j) q += s.R[i][j] * f[j];
    err += f[i] * q;
  }
  return err;
}

inline int ue_bits(int v) {
  int len = 1;
  for (uint32_t x = static_cast<uint32_t>(v) + 1; x > 1; x >>= 1) len += 2;
  return len;
}
inline int coeff_bits(int c) {
  return ue_bits(std::abs(c)) + (c != 0);
}

// Quantizes the Wiener solution of s to integer coefficients (-128..127) minimising
// error + lambda * bits; returns that cost, coefficients in c.
template <int N>
double quantize_filter(const Stats<N>& s, double lambda, int16_t c[N]) {
  double f[N];
  solve(s, f);
  double q[N];
  for (int i = 0; i < N; ++i) {
    c[i] = static_cast<int16_t>(clip3(-128, 127, static_cast<int>(std::lround(f[i] * 128))));
    q[i] = c[i] / 128.0;
  }
  auto cost = [&]() {
    int bits = 0;
    for (int i = 0; i < N; ++i) bits += coeff_bits(c[i]);
    return error_of(s, q) + lambda * bits;
  };
  double best = cost();
  for (int pass = 0; pass < 3; ++pass) {
    bool improved = false;
    for (int i = 0; i < N; ++i) {
      for (int delta : {-1, 1}) {
        const int16_t old = c[i];
        const int v = old + delta;
        if (v < -128 || v > 127) continue;
        c[i] = static_cast<int16_t>(v);
        q[i] = v / 128.0;
        const double j = cost();
        if (j < best) {
          best = j;
          improved = true;
        } else {
          c[i] = old;
          q[i] = old / 128.0;
        }
      }
      // Zero is often the cheapest in rate.
      if (c[i] != 0) {
        const int16_t old = c[i];
        c[i] = 0;
        q[i] = 0;
        const double j = cost();
        if (j < best) {
          best = j;
          improved = true;
        } else {
          c[i] = old;
          q[i] = old / 128.0;
        }
      }
    }
    if (!improved) break;
  }
  return best;
}

uint64_t sse_region(const Plane& a, const Plane& b, int x0, int y0, int w, int h) {
  uint64_t s = 0;
  const int xe = std::min(x0 + w, a.width), ye = std::min(y0 + h, a.height);
  for (int y = y0; y < ye; ++y) {
    const Pel* pa = a.row(y);
    const Pel* pb = b.row(y);
    for (int x = x0; x < xe; ++x) {
      const int d = pa[x] - pb[x];
      s += static_cast<uint64_t>(d * d);
    }
  }
  return s;
}

// Entropy estimate (bits) of n CTB flags of which `on` are 1.
double flag_bits(int on, int n) {
  if (n == 0) return 0;
  const double p = std::clamp(static_cast<double>(on) / n, 0.02, 0.98);
  return n * -(p * std::log2(p) + (1 - p) * std::log2(1 - p));
}

struct LumaResult {
  int num_filters = 1;
  uint8_t class_to_filter[kAlfNumClasses] = {};
  int16_t coeff[kAlfNumClasses][kAlfLumaCoeffs] = {};
  int aps_bits = 0;
};

// Class merging and quantization from per-class statistics (see the header comment).
LumaResult derive_luma_filters(const LumaStats cls[kAlfNumClasses], double lambda) {
  std::vector<LumaStats> group(cls, cls + kAlfNumClasses);
  std::vector<std::vector<int>> members(kAlfNumClasses);
  for (int c = 0; c < kAlfNumClasses; ++c) members[static_cast<size_t>(c)] = {c};
  auto opt_error = [](const LumaStats& s) {
    double f[kAlfLumaCoeffs];
    solve(s, f);
    return error_of(s, f);
  };
  auto coeffBits = [](const LumaResult& r) {
    int b = 0;
    for (int g = 0; g < r.num_filters; ++g)
      for (int j = 0; j < kAlfLumaCoeffs; ++j) b += coeff_bits(r.coeff[g][j]);
    return b;
  };
  std::vector<double> gerr(group.size());
  for (size_t g = 0; g < group.size(); ++g) gerr[g] = opt_error(group[g]);

  LumaResult best;
  double bestCost = std::numeric_limits<double>::max();
  for (;;) {
    // Evaluate the current grouping.
    const int n = static_cast<int>(group.size());
    LumaResult cand;
    cand.num_filters = n;
    double cost = 0;
    int bits = ue_bits(n - 1);  // alf_luma_num_filters_signalled_minus1
    if (n > 1) {
      int len = 0;
      while ((1 << len) < n) ++len;
      bits += kAlfNumClasses * len;
    }
    for (int g = 0; g < n; ++g) {
      cost += quantize_filter(group[static_cast<size_t>(g)], lambda, cand.coeff[g]);
      for (int c : members[static_cast<size_t>(g)])
        cand.class_to_filter[c] = static_cast<uint8_t>(g);
    }
    for (int g = 0; g < n; ++g)
      for (int j = 0; j < kAlfLumaCoeffs; ++j) bits += coeff_bits(cand.coeff[g][j]);
    cand.aps_bits = bits;
    // Coefficient bits are inside quantize_filter's costs; add the filter count and class map.
    cost += lambda * (bits - coeffBits(cand));
    if (cost < bestCost) {
      bestCost = cost;
      best = cand;
    }
    if (n == 1) break;
    // Merge the pair with the smallest error increase.
    double bestInc = std::numeric_limits<double>::max();
    int ba = 0, bb = 1;
    for (int a = 0; a < n; ++a)
      for (int b = a + 1; b < n; ++b) {
        LumaStats m = group[static_cast<size_t>(a)];
        m.add(group[static_cast<size_t>(b)]);
        const double inc =
            opt_error(m) - gerr[static_cast<size_t>(a)] - gerr[static_cast<size_t>(b)];
        if (inc < bestInc) {
          bestInc = inc;
          ba = a;
          bb = b;
        }
      }
    group[static_cast<size_t>(ba)].add(group[static_cast<size_t>(bb)]);
    gerr[static_cast<size_t>(ba)] = opt_error(group[static_cast<size_t>(ba)]);
    auto& ma = members[static_cast<size_t>(ba)];
    const auto& mb = members[static_cast<size_t>(bb)];
    ma.insert(ma.end(), mb.begin(), mb.end());
    group.erase(group.begin() + bb);
    gerr.erase(gerr.begin() + bb);
    members.erase(members.begin() + bb);
  }
  return best;
}

// Per-CTB, per-class luma statistics of the deblocked picture.
void luma_statistics(const Plane& org, const Plane& rec, const AlfClasses& cls, int ctbLog2,
                     int ctbsX, std::vector<LumaStats>& out) {
  const int ctb = 1 << ctbLog2;
  const int ctbsY = (rec.height + ctb - 1) / ctb;
  out.assign(static_cast<size_t>(ctbsX) * ctbsY * kAlfNumClasses, LumaStats{});
  for (auto& s : out) s.clear();
  int diff[kAlfLumaCoeffs][2];
  double X[kAlfLumaCoeffs];
  for (int y = 0; y < rec.height; ++y) {
    for (int x = 0; x < rec.width; ++x) {
      const AlfRowVb vb = alf_luma_taps(rec, x, y, ctbLog2, diff);
      const int c = cls.at(x >> 2, y >> 2), t = cls.tr(x >> 2, y >> 2);
      const double w = vb.near ? 0.125 : 1.0;
      for (int j = 0; j < kAlfLumaCoeffs; ++j)
        X[kAlfTransposeIdx[t][j]] = w * (diff[j][0] + diff[j][1]);
      const size_t ctbIdx = static_cast<size_t>(y >> ctbLog2) * ctbsX + (x >> ctbLog2);
      out[ctbIdx * kAlfNumClasses + c].accumulate(X, org.at(x, y) - rec.at(x, y));
    }
  }
  for (auto& s : out) s.symmetrize();
}

void chroma_statistics(const Plane& org, const Plane& rec, int ctbLog2C, int ctbsX,
                       std::vector<ChromaStats>& out) {
  const int ctb = 1 << ctbLog2C;
  const int ctbsY = (rec.height + ctb - 1) / ctb;
  out.assign(static_cast<size_t>(ctbsX) * ctbsY, ChromaStats{});
  for (auto& s : out) s.clear();
  int diff[kAlfChromaCoeffs][2];
  double X[kAlfChromaCoeffs];
  for (int y = 0; y < rec.height; ++y) {
    for (int x = 0; x < rec.width; ++x) {
      const AlfRowVb vb = alf_chroma_taps(rec, x, y, ctbLog2C, diff);
      const double w = vb.near ? 0.125 : 1.0;
      for (int j = 0; j < kAlfChromaCoeffs; ++j) X[j] = w * (diff[j][0] + diff[j][1]);
      out[static_cast<size_t>(y >> ctbLog2C) * ctbsX + (x >> ctbLog2C)].accumulate(
          X, org.at(x, y) - rec.at(x, y));
    }
  }
  for (auto& s : out) s.symmetrize();
}

void copy_region(const Plane& src, Plane& dst, int x0, int y0, int w, int h) {
  const int xe = std::min(x0 + w, src.width), ye = std::min(y0 + h, src.height);
  for (int y = y0; y < ye; ++y)
    std::memcpy(dst.row(y) + x0, src.row(y) + x0, sizeof(Pel) * static_cast<size_t>(xe - x0));
}

}  // namespace

SliceAlf AlfPictureDecision::slice_header() const {
  SliceAlf s;
  s.enabled = enabled();
  s.num_aps_ids_luma = luma ? 1 : 0;
  s.aps_id_luma = aps.aps_id;
  s.cb = chroma[0];
  s.cr = chroma[1];
  s.aps_id_chroma = aps.aps_id;
  return s;
}

void alf_apply(const Picture& src, Picture& dst, const AlfPictureDecision& d, int ctbLog2) {
  const int ctb = 1 << ctbLog2;
  AlfClasses cls;
  if (d.luma) alf_classify(src.comp[kY], ctbLog2, cls);
  for (int ry = 0; ry < d.ctbs_y; ++ry)
    for (int rx = 0; rx < d.ctbs_x; ++rx) {
      const size_t i = static_cast<size_t>(ry) * d.ctbs_x + rx;
      if (d.luma && d.flag[0][i])
        alf_filter_luma_ctb(src.comp[kY], dst.comp[kY], rx * ctb, ry * ctb, ctbLog2, cls,
                            d.aps.class_to_filter, d.aps.luma_coeff, d.aps.luma_clip_idx);
      else
        copy_region(src.comp[kY], dst.comp[kY], rx * ctb, ry * ctb, ctb, ctb);
      for (int c = 1; c < 3; ++c) {
        const int cc = ctb / 2;
        if (d.chroma[c - 1] && d.flag[c][i]) {
          const int a = d.alt[c - 1][i];
          alf_filter_chroma_ctb(src.comp[c], dst.comp[c], rx * cc, ry * cc, ctbLog2 - 1,
                                d.aps.chroma_coeff[a], d.aps.chroma_clip_idx[a]);
        } else {
          copy_region(src.comp[c], dst.comp[c], rx * cc, ry * cc, cc, cc);
        }
      }
    }
}

AlfPictureDecision alf_encode_picture(const Picture& orig, Picture& recon, int ctbLog2,
                                      const double lambda[3], int apsId) {
  AlfPictureDecision d;
  const int ctb = 1 << ctbLog2;
  d.ctbs_x = (recon.width + ctb - 1) / ctb;
  d.ctbs_y = (recon.height + ctb - 1) / ctb;
  const size_t nCtb = static_cast<size_t>(d.ctbs_x) * d.ctbs_y;
  d.aps.aps_id = apsId;
  for (auto& f : d.flag) f.assign(nCtb, 0);
  for (auto& a : d.alt) a.assign(nCtb, 0);
  const Picture src = recon;  // the deblocked picture every filter reads

  // ---------------- luma ----------------
  AlfClasses cls;
  alf_classify(src.comp[kY], ctbLog2, cls);
  std::vector<LumaStats> lstats;
  luma_statistics(orig.comp[kY], src.comp[kY], cls, ctbLog2, d.ctbs_x, lstats);
  std::vector<uint64_t> sseOff(nCtb);
  for (size_t i = 0; i < nCtb; ++i) {
    const int x0 = static_cast<int>(i % d.ctbs_x) * ctb, y0 = static_cast<int>(i / d.ctbs_x) * ctb;
    sseOff[i] = sse_region(orig.comp[kY], src.comp[kY], x0, y0, ctb, ctb);
  }
  Plane filtered = src.comp[kY];
  double bestGain = 0;  // SSE reduction minus lambda * rate, > 0 to enable
  std::vector<uint8_t> on(nCtb, 1);
  for (int pass = 0; pass < 2; ++pass) {
    LumaStats sum[kAlfNumClasses];
    for (auto& s : sum) s.clear();
    for (size_t i = 0; i < nCtb; ++i)
      if (on[i])
        for (int c = 0; c < kAlfNumClasses; ++c) sum[c].add(lstats[i * kAlfNumClasses + c]);
    const LumaResult lr = derive_luma_filters(sum, lambda[0]);
    uint8_t clipIdx[kAlfNumClasses][kAlfLumaCoeffs] = {};
    std::vector<uint8_t> flags(nCtb, 0);
    double gain = 0;
    int nOn = 0;
    for (size_t i = 0; i < nCtb; ++i) {
      const int x0 = static_cast<int>(i % d.ctbs_x) * ctb,
                y0 = static_cast<int>(i / d.ctbs_x) * ctb;
      alf_filter_luma_ctb(src.comp[kY], filtered, x0, y0, ctbLog2, cls, lr.class_to_filter,
                          lr.coeff, clipIdx);
      const uint64_t sOn = sse_region(orig.comp[kY], filtered, x0, y0, ctb, ctb);
      if (sOn < sseOff[i]) {
        flags[i] = 1;
        ++nOn;
        gain += static_cast<double>(sseOff[i] - sOn);
      }
    }
    // APS luma part: clip flag + filters; CTB flags + alf_use_aps_flag bins (~1 bit each when on).
    gain -= lambda[0] * (1 + lr.aps_bits + flag_bits(nOn, static_cast<int>(nCtb)) + 0.5 * nOn);
    if (gain > bestGain) {
      bestGain = gain;
      d.luma = true;
      d.aps.num_luma_filters = lr.num_filters;
      std::memcpy(d.aps.class_to_filter, lr.class_to_filter, sizeof(lr.class_to_filter));
      std::memcpy(d.aps.luma_coeff, lr.coeff, sizeof(lr.coeff));
      d.flag[0] = flags;
    }
    if (nOn == 0) break;
    on = flags;
  }
  d.aps.luma = d.luma;
  if (!d.luma) std::fill(d.flag[0].begin(), d.flag[0].end(), 0);

  // ---------------- chroma ----------------
  const int ctbC = ctb / 2;
  std::vector<ChromaStats> cstats[2];
  std::vector<uint64_t> cOff[2];
  for (int c = 1; c < 3; ++c) {
    chroma_statistics(orig.comp[c], src.comp[c], ctbLog2 - 1, d.ctbs_x, cstats[c - 1]);
    cOff[c - 1].resize(nCtb);
    for (size_t i = 0; i < nCtb; ++i)
      cOff[c - 1][i] = sse_region(orig.comp[c], src.comp[c], static_cast<int>(i % d.ctbs_x) * ctbC,
                                  static_cast<int>(i / d.ctbs_x) * ctbC, ctbC, ctbC);
  }
  // Filters trained per component (pass 0: all CTBs; pass 1: the CTBs switched on).
  struct ChromaTry {
    int16_t coeff[2][kAlfChromaCoeffs] = {};
    int bits[2] = {0, 0};
    std::vector<uint64_t> sseAlt[2][2];  // [component][alternative] per CTB
  };
  std::vector<uint8_t> con[2] = {std::vector<uint8_t>(nCtb, 1), std::vector<uint8_t>(nCtb, 1)};
  double bestChromaGain[2] = {0, 0};
  Plane cf[2] = {src.comp[kCb], src.comp[kCr]};
  for (int pass = 0; pass < 2; ++pass) {
    ChromaTry t;
    for (int k = 0; k < 2; ++k) {
      ChromaStats s;
      s.clear();
      for (size_t i = 0; i < nCtb; ++i)
        if (con[k][i]) s.add(cstats[k][i]);
      quantize_filter(s, lambda[k + 1], t.coeff[k]);
      t.bits[k] = 0;
      for (int j = 0; j < kAlfChromaCoeffs; ++j) t.bits[k] += coeff_bits(t.coeff[k][j]);
    }
    const uint8_t noClip[kAlfChromaCoeffs] = {};
    for (int k = 0; k < 2; ++k)
      for (int a = 0; a < 2; ++a) {
        t.sseAlt[k][a].resize(nCtb);
        for (size_t i = 0; i < nCtb; ++i) {
          const int x0 = static_cast<int>(i % d.ctbs_x) * ctbC,
                    y0 = static_cast<int>(i / d.ctbs_x) * ctbC;
          alf_filter_chroma_ctb(src.comp[k + 1], cf[k], x0, y0, ctbLog2 - 1, t.coeff[a], noClip);
          t.sseAlt[k][a][i] = sse_region(orig.comp[k + 1], cf[k], x0, y0, ctbC, ctbC);
        }
      }
    // Each component on its own with its own filter, to decide enabling.
    bool en[2];
    std::vector<uint8_t> flags[2], alts[2];
    double gainK[2];
    for (int k = 0; k < 2; ++k) {
      flags[k].assign(nCtb, 0);
      alts[k].assign(nCtb, 0);
      double g = 0;
      int nOn = 0;
      for (size_t i = 0; i < nCtb; ++i) {
        // Best alternative among both filters (alt index = training component).
        const int a = t.sseAlt[k][0][i] <= t.sseAlt[k][1][i] ? 0 : 1;
        if (t.sseAlt[k][a][i] < cOff[k][i]) {
          flags[k][i] = 1;
          alts[k][i] = static_cast<uint8_t>(a);
          ++nOn;
          g += static_cast<double>(cOff[k][i] - t.sseAlt[k][a][i]);
        }
      }
      gainK[k] = g - lambda[k + 1] * (t.bits[k] + 1 + flag_bits(nOn, static_cast<int>(nCtb)) + nOn);
      en[k] = gainK[k] > 0;
    }
    const double total = (en[0] ? gainK[0] : 0) + (en[1] ? gainK[1] : 0);
    if (total > bestChromaGain[0] + bestChromaGain[1]) {
      bestChromaGain[0] = en[0] ? gainK[0] : 0;
      bestChromaGain[1] = en[1] ? gainK[1] : 0;
      d.chroma[0] = en[0];
      d.chroma[1] = en[1];
      // Alternatives in the APS: both when both components are on, else that component's one
      // (its CTBs then restricted to it).
      if (en[0] && en[1]) {
        d.aps.num_chroma_alts = 2;
        std::memcpy(d.aps.chroma_coeff[0], t.coeff[0], sizeof(t.coeff[0]));
        std::memcpy(d.aps.chroma_coeff[1], t.coeff[1], sizeof(t.coeff[1]));
        for (int k = 0; k < 2; ++k) {
          d.flag[k + 1] = flags[k];
          d.alt[k] = alts[k];
        }
      } else {
        const int k = en[0] ? 0 : 1;
        d.aps.num_chroma_alts = 1;
        std::memcpy(d.aps.chroma_coeff[0], t.coeff[k], sizeof(t.coeff[k]));
        for (int m = 0; m < 2; ++m) {
          d.flag[m + 1].assign(nCtb, 0);
          d.alt[m].assign(nCtb, 0);
        }
        for (size_t i = 0; i < nCtb; ++i) d.flag[k + 1][i] = t.sseAlt[k][k][i] < cOff[k][i];
      }
    }
    for (int k = 0; k < 2; ++k) {
      bool any = false;
      for (size_t i = 0; i < nCtb; ++i) any |= flags[k][i] != 0;
      if (any) con[k] = flags[k];
    }
  }
  d.aps.chroma = d.chroma[0] || d.chroma[1];
  for (int k = 0; k < 2; ++k)
    if (!d.chroma[k]) std::fill(d.flag[k + 1].begin(), d.flag[k + 1].end(), 0);

  if (d.enabled()) alf_apply(src, recon, d, ctbLog2);
  return d;
}

std::vector<uint8_t> alf_finish_slice_data(const EncoderConfig& cfg, const Picture& orig,
                                           Picture& recon, const BinRecorder& bins, int sliceQp,
                                           int initType, const double lambda[3], SliceAlf* out) {
  ContextSet init;
  init.init(sliceQp, initType);
  if (!cfg.alf || !out) {
    if (out) *out = SliceAlf{};
    return bins.replay(init, {});
  }
  const AlfPictureDecision d = alf_encode_picture(orig, recon, cfg.log2_ctu, lambda);
  *out = d.slice_header();
  if (!d.enabled()) return bins.replay(init, {});
  out->aps_rbsp = write_alf_aps(d.aps);
  return bins.replay(init, [&d](size_t ctu, CabacEncoder& enc, ContextSet& ctx) {
    alf_code_ctu(enc, ctx, d, static_cast<int>(ctu));
  });
}

}  // namespace vvc
