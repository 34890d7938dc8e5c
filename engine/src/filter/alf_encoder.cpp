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

// What the statistics loop needs of a component's filter: its taps (tap differences of a
// sample and the virtual-boundary rows), its classes and each tap's coefficient index.
// Luma: 7x7 diamond, 25 classes, taps permuted by the block's transpose index (8.8.5.3).
struct LumaShape {
  static constexpr int kCoeffs = kAlfLumaCoeffs;
  static constexpr int kClasses = kAlfNumClasses;
  const AlfClasses& cls;
  static AlfRowVb taps(const Plane& p, int x, int y, int ctbLog2, int diff[kCoeffs][2]) {
    return alf_luma_taps(p, x, y, ctbLog2, diff);
  }
  // Class of sample (x, y); order[j]: coefficient index of tap j.
  int classify(int x, int y, const int*& order) const {
    order = kAlfTransposeIdx[cls.tr(x >> 2, y >> 2)];
    return cls.at(x >> 2, y >> 2);
  }
};

// Chroma: 5x5 diamond, one class, taps in coefficient order.
struct ChromaShape {
  static constexpr int kCoeffs = kAlfChromaCoeffs;
  static constexpr int kClasses = 1;
  static constexpr int kOrder[kCoeffs] = {0, 1, 2, 3, 4, 5};
  static AlfRowVb taps(const Plane& p, int x, int y, int ctbLog2, int diff[kCoeffs][2]) {
    return alf_chroma_taps(p, x, y, ctbLog2, diff);
  }
  static int classify(int, int, const int*& order) {
    order = kOrder;
    return 0;
  }
};

// Per-CTB, per-class statistics of one component of the deblocked picture (ctbLog2 in the
// component's samples): out[ctb * Shape::kClasses + class]. Rows next to the virtual
// boundary enter with their 1/8 weight.
template <class Shape>
void ctb_statistics(const Plane& org, const Plane& rec, const Shape& shape, int ctbLog2, int ctbsX,
                    std::vector<Stats<Shape::kCoeffs>>& out) {
  constexpr int N = Shape::kCoeffs;
  const int ctb = 1 << ctbLog2;
  const int ctbsY = (rec.height + ctb - 1) / ctb;
  out.assign(static_cast<size_t>(ctbsX) * ctbsY * Shape::kClasses, Stats<N>{});
  for (auto& s : out) s.clear();
  int diff[N][2];
  double X[N];
  for (int y = 0; y < rec.height; ++y) {
    for (int x = 0; x < rec.width; ++x) {
      const AlfRowVb vb = shape.taps(rec, x, y, ctbLog2, diff);
      const int* order;
      const int c = shape.classify(x, y, order);
      const double w = vb.near ? 0.125 : 1.0;
      for (int j = 0; j < N; ++j) X[order[j]] = w * (diff[j][0] + diff[j][1]);
      const size_t ctbIdx = static_cast<size_t>(y >> ctbLog2) * ctbsX + (x >> ctbLog2);
      out[ctbIdx * Shape::kClasses + c].accumulate(X, org.at(x, y) - rec.at(x, y));
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
  s.aps_id_luma = luma_aps_id;
  s.cb = chroma[0];
  s.cr = chroma[1];
  s.aps_id_chroma = chroma_aps_id;
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

namespace {

struct LumaChoice {
  double gain = 0;  // SSE reduction - lambda * rate
  LumaResult f;
  std::vector<uint8_t> flags;
};

// Filters every luma CTB with `f`, switches on the CTBs whose SSE drops and returns the gain
// net of lambda * (apsBits + CTB flag and alf_use_aps_flag bins).
LumaChoice luma_eval(const Plane& org, const Plane& src, const AlfClasses& cls, int ctbLog2,
                     int ctbsX, const std::vector<uint64_t>& sseOff, const LumaResult& f,
                     double lambda, int apsBits, Plane& scratch) {
  const int ctb = 1 << ctbLog2;
  const size_t nCtb = sseOff.size();
  static const uint8_t kNoClip[kAlfNumClasses][kAlfLumaCoeffs] = {};
  LumaChoice r;
  r.f = f;
  r.flags.assign(nCtb, 0);
  int nOn = 0;
  for (size_t i = 0; i < nCtb; ++i) {
    const int x0 = static_cast<int>(i % ctbsX) * ctb, y0 = static_cast<int>(i / ctbsX) * ctb;
    alf_filter_luma_ctb(src, scratch, x0, y0, ctbLog2, cls, f.class_to_filter, f.coeff, kNoClip);
    const uint64_t sOn = sse_region(org, scratch, x0, y0, ctb, ctb);
    if (sOn < sseOff[i]) {
      r.flags[i] = 1;
      ++nOn;
      r.gain += static_cast<double>(sseOff[i] - sOn);
    }
  }
  r.gain -= lambda * (apsBits + flag_bits(nOn, static_cast<int>(nCtb)) + 0.5 * nOn);
  return r;
}

struct ChromaChoice {
  double gain = 0;
  bool en[2] = {false, false};
  int num_alts = 1;
  int16_t coeff[kAlfMaxChromaAlts][kAlfChromaCoeffs] = {};
  std::vector<uint8_t> flags[2], alts[2];
};

// Chroma CTB decisions with the alternatives `coeff` (best alternative per CTB); a component
// is enabled when its gain pays its flag bins; apsBits is charged once when any is enabled.
ChromaChoice chroma_eval(const Picture& orig, const Picture& src, int ctbLog2C, int ctbsX,
                         const std::vector<uint64_t> cOff[2],
                         const int16_t coeff[][kAlfChromaCoeffs], int numAlts,
                         const double lambda[3], int apsBits, Plane scratch[2]) {
  const int ctb = 1 << ctbLog2C;
  const size_t nCtb = cOff[0].size();
  static const uint8_t kNoClip[kAlfChromaCoeffs] = {};
  ChromaChoice r;
  r.num_alts = numAlts;
  for (int a = 0; a < numAlts; ++a) std::memcpy(r.coeff[a], coeff[a], sizeof(r.coeff[a]));
  std::vector<uint64_t> best(nCtb);
  double total = 0;
  for (int k = 0; k < 2; ++k) {
    r.flags[k].assign(nCtb, 0);
    r.alts[k].assign(nCtb, 0);
    for (size_t i = 0; i < nCtb; ++i) best[i] = cOff[k][i];
    for (int a = 0; a < numAlts; ++a)
      for (size_t i = 0; i < nCtb; ++i) {
        const int x0 = static_cast<int>(i % ctbsX) * ctb, y0 = static_cast<int>(i / ctbsX) * ctb;
        alf_filter_chroma_ctb(src.comp[k + 1], scratch[k], x0, y0, ctbLog2C, coeff[a], kNoClip);
        const uint64_t s = sse_region(orig.comp[k + 1], scratch[k], x0, y0, ctb, ctb);
        if (s < best[i]) {
          best[i] = s;
          r.flags[k][i] = 1;
          r.alts[k][i] = static_cast<uint8_t>(a);
        }
      }
    double g = 0;
    int nOn = 0;
    for (size_t i = 0; i < nCtb; ++i)
      if (r.flags[k][i]) {
        ++nOn;
        g += static_cast<double>(cOff[k][i] - best[i]);
      }
    const double altBins = numAlts > 1 ? 1.0 : 0.0;
    g -= lambda[k + 1] * (flag_bits(nOn, static_cast<int>(nCtb)) + altBins * nOn);
    r.en[k] = g > 0;
    if (r.en[k]) total += g;
  }
  r.gain = total - (r.en[0] || r.en[1] ? lambda[1] * apsBits : 0.0);
  return r;
}

}  // namespace

void AlfApsStore::clear() {
  for (bool& v : valid) v = false;
  next_id = 0;
}

AlfPictureDecision alf_encode_picture(const Picture& orig, Picture& recon, int ctbLog2,
                                      const double lambda[3], AlfApsStore* store, int temporalId) {
  AlfPictureDecision d;
  const int ctb = 1 << ctbLog2;
  d.ctbs_x = (recon.width + ctb - 1) / ctb;
  d.ctbs_y = (recon.height + ctb - 1) / ctb;
  const size_t nCtb = static_cast<size_t>(d.ctbs_x) * d.ctbs_y;
  for (auto& f : d.flag) f.assign(nCtb, 0);
  for (auto& a : d.alt) a.assign(nCtb, 0);
  const Picture src = recon;  // the deblocked picture every filter reads
  // Stored APSs this picture may reference (TemporalId not above its own).
  std::vector<int> reusable;
  if (store)
    for (int id = 0; id < 8; ++id)
      if (store->valid[id] && store->tid[id] <= temporalId) reusable.push_back(id);

  // ---------------- luma: new filters (two passes) or a stored APS ----------------
  AlfClasses cls;
  alf_classify(src.comp[kY], ctbLog2, cls);
  std::vector<LumaStats> lstats;
  ctb_statistics(orig.comp[kY], src.comp[kY], LumaShape{cls}, ctbLog2, d.ctbs_x, lstats);
  std::vector<uint64_t> sseOff(nCtb);
  for (size_t i = 0; i < nCtb; ++i)
    sseOff[i] = sse_region(orig.comp[kY], src.comp[kY], static_cast<int>(i % d.ctbs_x) * ctb,
                           static_cast<int>(i / d.ctbs_x) * ctb, ctb, ctb);
  Plane scratch = src.comp[kY];
  LumaChoice bestNew;
  bestNew.gain = 0;
  std::vector<uint8_t> on(nCtb, 1);
  for (int pass = 0; pass < 2; ++pass) {
    LumaStats sum[kAlfNumClasses];
    for (auto& s : sum) s.clear();
    for (size_t i = 0; i < nCtb; ++i)
      if (on[i])
        for (int c = 0; c < kAlfNumClasses; ++c) sum[c].add(lstats[i * kAlfNumClasses + c]);
    const LumaResult lr = derive_luma_filters(sum, lambda[0]);
    // APS bits of the luma part: signal + clip flags and the filters.
    LumaChoice ch = luma_eval(orig.comp[kY], src.comp[kY], cls, ctbLog2, d.ctbs_x, sseOff, lr,
                              lambda[0], 2 + lr.aps_bits, scratch);
    int nOn = 0;
    for (uint8_t f : ch.flags) nOn += f;
    if (ch.gain > bestNew.gain) bestNew = ch;
    if (nOn == 0) break;
    on = ch.flags;
  }
  LumaChoice bestLuma = bestNew;
  int lumaSource = -1;  // -1: new APS, else the stored APS id
  if (bestNew.gain <= 0) bestLuma.gain = 0;
  for (int id : reusable) {
    const AlfApsData& a = store->aps[id];
    if (!a.luma) continue;
    LumaResult f;
    f.num_filters = a.num_luma_filters;
    std::memcpy(f.class_to_filter, a.class_to_filter, sizeof(f.class_to_filter));
    std::memcpy(f.coeff, a.luma_coeff, sizeof(f.coeff));
    // Slice header bits of a reference: sh_alf_aps_id_luma (3).
    LumaChoice ch = luma_eval(orig.comp[kY], src.comp[kY], cls, ctbLog2, d.ctbs_x, sseOff, f,
                              lambda[0], 3, scratch);
    if (ch.gain > bestLuma.gain) {
      bestLuma = ch;
      lumaSource = id;
    }
  }
  d.luma = bestLuma.gain > 0;

  // ---------------- chroma: new filters (two passes) or a stored APS ----------------
  const int ctbC = ctb / 2;
  std::vector<ChromaStats> cstats[2];
  std::vector<uint64_t> cOff[2];
  for (int c = 1; c < 3; ++c) {
    ctb_statistics(orig.comp[c], src.comp[c], ChromaShape{}, ctbLog2 - 1, d.ctbs_x, cstats[c - 1]);
    cOff[c - 1].resize(nCtb);
    for (size_t i = 0; i < nCtb; ++i)
      cOff[c - 1][i] = sse_region(orig.comp[c], src.comp[c], static_cast<int>(i % d.ctbs_x) * ctbC,
                                  static_cast<int>(i / d.ctbs_x) * ctbC, ctbC, ctbC);
  }
  Plane cscratch[2] = {src.comp[kCb], src.comp[kCr]};
  ChromaChoice bestChroma;
  bestChroma.gain = 0;
  int chromaSource = -1;
  std::vector<uint8_t> con[2] = {std::vector<uint8_t>(nCtb, 1), std::vector<uint8_t>(nCtb, 1)};
  for (int pass = 0; pass < 2; ++pass) {
    int16_t coeff[2][kAlfChromaCoeffs];
    int bits = 2;  // chroma signal + clip flags
    for (int k = 0; k < 2; ++k) {
      ChromaStats s;
      s.clear();
      for (size_t i = 0; i < nCtb; ++i)
        if (con[k][i]) s.add(cstats[k][i]);
      quantize_filter(s, lambda[k + 1], coeff[k]);
      for (int j = 0; j < kAlfChromaCoeffs; ++j) bits += coeff_bits(coeff[k][j]);
    }
    const bool same = std::memcmp(coeff[0], coeff[1], sizeof(coeff[0])) == 0;
    const int numAlts = same ? 1 : 2;
    ChromaChoice ch = chroma_eval(orig, src, ctbLog2 - 1, d.ctbs_x, cOff, coeff, numAlts, lambda,
                                  bits + ue_bits(numAlts - 1), cscratch);
    if (ch.gain > bestChroma.gain) bestChroma = ch;
    for (int k = 0; k < 2; ++k) {
      bool any = false;
      for (uint8_t f : ch.flags[k]) any |= f != 0;
      if (any) con[k] = ch.flags[k];
    }
  }
  for (int id : reusable) {
    const AlfApsData& a = store->aps[id];
    if (!a.chroma) continue;
    ChromaChoice ch = chroma_eval(orig, src, ctbLog2 - 1, d.ctbs_x, cOff, a.chroma_coeff,
                                  a.num_chroma_alts, lambda, 3, cscratch);
    if (ch.gain > bestChroma.gain) {
      bestChroma = ch;
      chromaSource = id;
    }
  }
  d.chroma[0] = bestChroma.gain > 0 && bestChroma.en[0];
  d.chroma[1] = bestChroma.gain > 0 && bestChroma.en[1];

  // ---------------- the APS to send and the effective filters ----------------
  const bool newLuma = d.luma && lumaSource < 0;
  const bool newChroma = (d.chroma[0] || d.chroma[1]) && chromaSource < 0;
  d.send_aps = newLuma || newChroma;
  if (d.send_aps) {
    int id = store ? store->next_id : 0;
    // Never overwrite an APS this picture references for the other component.
    for (int k = 0; k < 8 && (id == lumaSource || id == chromaSource); ++k) id = (id + 1) % 8;
    d.new_aps.aps_id = id;
    if (store) store->next_id = (id + 1) % 8;
  }
  if (d.luma) {
    const LumaResult& f = bestLuma.f;
    d.aps.num_luma_filters = f.num_filters;
    std::memcpy(d.aps.class_to_filter, f.class_to_filter, sizeof(f.class_to_filter));
    std::memcpy(d.aps.luma_coeff, f.coeff, sizeof(f.coeff));
    d.aps.luma = true;
    d.flag[0] = bestLuma.flags;
    d.luma_aps_id = lumaSource < 0 ? d.new_aps.aps_id : lumaSource;
  }
  if (d.chroma[0] || d.chroma[1]) {
    d.aps.chroma = true;
    d.aps.num_chroma_alts = bestChroma.num_alts;
    std::memcpy(d.aps.chroma_coeff, bestChroma.coeff, sizeof(bestChroma.coeff));
    for (int k = 0; k < 2; ++k)
      if (d.chroma[k]) {
        d.flag[k + 1] = bestChroma.flags[k];
        d.alt[k] = bestChroma.alts[k];
      }
    d.chroma_aps_id = chromaSource < 0 ? d.new_aps.aps_id : chromaSource;
  }
  if (d.send_aps) {
    AlfApsData& n = d.new_aps;
    if (newLuma) {
      n.luma = true;
      n.num_luma_filters = d.aps.num_luma_filters;
      std::memcpy(n.class_to_filter, d.aps.class_to_filter, sizeof(n.class_to_filter));
      std::memcpy(n.luma_coeff, d.aps.luma_coeff, sizeof(n.luma_coeff));
    }
    if (newChroma) {
      n.chroma = true;
      n.num_chroma_alts = d.aps.num_chroma_alts;
      std::memcpy(n.chroma_coeff, d.aps.chroma_coeff, sizeof(n.chroma_coeff));
    }
    if (store) {
      store->valid[n.aps_id] = true;
      store->aps[n.aps_id] = n;
      store->tid[n.aps_id] = temporalId;
    }
  }
  if (d.enabled()) alf_apply(src, recon, d, ctbLog2);
  return d;
}

std::vector<uint8_t> alf_finish_slice_data(const EncoderConfig& cfg, const Picture& orig,
                                           Picture& recon, const BinRecorder& bins,
                                           const PictureCoding& pc, int initType,
                                           const double lambda[3]) {
  ContextSet init;
  init.init(pc.slice.qp, initType);
  SliceAlf* out = pc.alf_out;
  if (!cfg.alf || !out) {
    if (out) *out = SliceAlf{};
    return bins.replay(init, {});
  }
  AlfApsStore own;  // no sequence store given: this picture's APS stands alone
  AlfApsStore& store = pc.alf_store ? *pc.alf_store : own;
  const bool irap = pc.slice.nal_type == NalType::IDR_W_RADL ||
                    pc.slice.nal_type == NalType::IDR_N_LP || pc.slice.nal_type == NalType::CRA;
  if (irap) store.clear();  // no APS reference across a random access point
  const AlfPictureDecision d =
      alf_encode_picture(orig, recon, cfg.log2_ctu, lambda, &store, pc.slice.temporal_id);
  *out = d.slice_header();
  if (!d.enabled()) return bins.replay(init, {});
  if (d.send_aps) out->aps_rbsp = write_alf_aps(d.new_aps);
  return bins.replay(init, [&d](size_t ctu, CabacEncoder& enc, ContextSet& ctx) {
    alf_code_ctu(enc, ctx, d, static_cast<int>(ctu));
  });
}

}  // namespace vvc
