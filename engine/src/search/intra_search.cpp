#include "search/intra_search.h"

#include <algorithm>
#include <cstring>

#include "cabac/bit_estimator.h"
#include "intra/cclm.h"
#include "intra/mpm.h"
#include "rdo/distortion.h"

namespace vvc {

const uint32_t* IntraSearch::luma_satds(const TreeNode& n, const IntraRefs& refs) {
  // The SATD of every mode is a function of the block's source samples and its reference
  // lines only: blocks reached again through another split path with identical references
  // reuse them (exact, the search result does not change).
  const int qx = (n.x & 63) >> 2, qy = (n.y & 63) >> 2;
  SatdEntry& e = satd_cache_[((ilog2(n.w) - 2) * 5 + ilog2(n.h) - 2) * 256 + qy * 16 + qx];
  const size_t topBytes = sizeof(Pel) * (2 * n.w + 1), leftBytes = sizeof(Pel) * (2 * n.h + 1);
  if (e.generation == satd_generation_ && std::memcmp(e.top, refs.top, topBytes) == 0 &&
      std::memcmp(e.left, refs.left, leftBytes) == 0)
    return e.satd;
  const Plane& op = s_.orig.comp[kY];
  const Pel* org = op.row(n.y) + n.x;
  for (int m = 0; m < ModeController::kNumLumaModes; ++m) {
    predict_from_refs(refs, m, pred_, kMaxCu);
    e.satd[m] = static_cast<uint32_t>(satd(org, op.stride, pred_, kMaxCu, n.w, n.h));
  }
  std::memcpy(e.top, refs.top, topBytes);
  std::memcpy(e.left, refs.left, leftBytes);
  e.generation = satd_generation_;
  return e.satd;
}

double IntraSearch::search_luma(const TreeNode& n, ContextSet& ctx, int& bestMode, double budget,
                                double interHad) {
  int mpm[6];
  cu_.mpm_list(n, mpm);

  // Mode-signalling cost per mode from the current context states (no update): MPM index i
  // (0 = planar) or the 5/6-bit truncated binary remainder of a non-MPM mode.
  const uint32_t mpm1 = BitEstimator::frac_bits(ctx[kCtxIntraLumaMpmFlag], 1);
  const uint32_t mpm0 = BitEstimator::frac_bits(ctx[kCtxIntraLumaMpmFlag], 0);
  const uint32_t np1 = BitEstimator::frac_bits(ctx[kCtxIntraLumaNotPlanarFlag + 1], 1);
  const uint32_t np0 = BitEstimator::frac_bits(ctx[kCtxIntraLumaNotPlanarFlag + 1], 0);
  uint32_t modeBits[ModeController::kNumLumaModes];
  {
    bool isMpm[ModeController::kNumLumaModes] = {};
    for (int j = 0; j < 6; ++j) isMpm[mpm[j]] = true;
    int rem = 0;
    for (int m = 0; m < ModeController::kNumLumaModes; ++m)
      if (!isMpm[m]) modeBits[m] = mpm0 + (rem++ < 3 ? 5 : 6) * kFracBitsOne;
    modeBits[mpm[0]] = mpm1 + np0;
    for (int j = 1; j < 6; ++j) modeBits[mpm[j]] = mpm1 + np1 + (j < 5 ? j : 4) * kFracBitsOne;
  }

  // SATD pre-selection over all 67 modes (reference lines built once).
  IntraRefs& refs = refs_;
  const auto avail = [this](int x, int y) { return s_.maps.coded_luma_pos(0, x, y); };
  build_intra_refs(s_.recon.comp[kY], n.x, n.y, n.w, n.h, 0, avail, refs);
  const uint32_t* satds = luma_satds(n, refs);
  int cand[IntraSpeed::kMaxFullRdModes + 6];
  const int numCand = mc_.luma_rd_candidates(satds, modeBits, mpm, interHad, cand);
  if (numCand == 0) return kInf;

  // Full RD on the short list. Every trial writes its reconstruction in place; the winner's
  // reconstruction and context states are kept aside unless it was the last trial.
  double best = kInf;
  bestMode = cand[0];
  bool lastWasBest = false;
  Plane& rp = s_.recon.comp[kY];
  for (int i = 0; i < numCand; ++i) {
    const double bound = std::min(best, budget);
    trial_ctx_ = ctx;
    const uint64_t b0 = s_.est.frac_bits();
    const double d = cu_.code_luma_cu(s_.est, trial_ctx_, n, cand[i], mpm, false, bound, &refs);
    const double cost = d >= bound ? kInf : d + s_.bits_cost(s_.est.frac_bits() - b0);
    lastWasBest = cost < bound;
    if (lastWasBest) {
      best = cost;
      bestMode = cand[i];
      if (i + 1 < numCand) {
        best_ctx_ = trial_ctx_;
        for (int y = 0; y < n.h; ++y)
          std::memcpy(&best_rec_[0][y * kMaxCu], rp.row(n.y + y) + n.x, sizeof(Pel) * n.w);
      }
    }
  }
  if (best == kInf) return kInf;
  if (lastWasBest) {
    ctx = trial_ctx_;
  } else {
    ctx = best_ctx_;
    for (int y = 0; y < n.h; ++y)
      std::memcpy(rp.row(n.y + y) + n.x, &best_rec_[0][y * kMaxCu], sizeof(Pel) * n.w);
    cu_.mark_cu(n, 0, bestMode);
  }
  return best;
}

// SATD pre-selection of the chroma modes as in VTM / VVenC (estIntraPredChromaQT): of the
// modes other than planar, DM and LM (vertical, horizontal, DC and, with cclm, the two MDLM
// modes), the two with the largest min(2 SAD, SATD) of Cb + Cr are marked in skipMode (no full
// RD trial: each costs two DQ trellises). Reads the reference lines in refs_c_.
void IntraSearch::chroma_satd_preselect(const TreeNode& n, bool cclm,
                                        bool skipMode[kChromaCclmFirst + 3]) {
  const int xc = n.x >> 1, yc = n.y >> 1, wc = n.w >> 1, hc = n.h >> 1;
  const int lumaMode = s_.maps.mode((n.x + n.w / 2) >> 2, (n.y + n.h / 2) >> 2);
  int modes[5];
  uint64_t cost[5];
  int nm = 0;
  for (int icpm : {1, 2, 3, kChromaCclmFirst + 1, kChromaCclmFirst + 2}) {
    if (icpm >= kChromaCclmFirst && !cclm) continue;
    const int predMode = chroma_pred_mode(icpm, lumaMode);
    uint64_t sum = 0;
    for (int c = 1; c < 3; ++c) {
      if (is_cclm_mode(predMode))
        cu_.cclm_pred(n, c, predMode, pred_);
      else
        predict_from_refs(refs_c_[c - 1], predMode, pred_, kMaxCu);
      const Plane& op = s_.orig.comp[c];
      const Pel* org = op.row(yc) + xc;
      const uint64_t sad2 = 2 * sad(org, op.stride, pred_, kMaxCu, wc, hc);
      sum +=
          (wc & 3) || (hc & 3) ? sad2 : std::min(sad2, satd(org, op.stride, pred_, kMaxCu, wc, hc));
    }
    int i = nm++;  // insertion sort, ties keep the earlier mode first
    for (; i > 0 && cost[i - 1] > sum; --i) {
      cost[i] = cost[i - 1];
      modes[i] = modes[i - 1];
    }
    cost[i] = sum;
    modes[i] = icpm;
  }
  ModeController::chroma_rd_skips(modes, nm, skipMode);
}

double IntraSearch::search_chroma(const TreeNode& n, ContextSet& ctx, int& bestMode,
                                  double budget) {
  double best = kInf;
  bestMode = 4;
  bool lastWasBest = false;
  const int xc = n.x >> 1, yc = n.y >> 1, wc = n.w >> 1, hc = n.h >> 1;
  const auto avail = [this](int x, int y) { return s_.maps.coded_luma_pos(1, 2 * x, 2 * y); };
  for (int c = 1; c < 3; ++c)
    build_intra_refs(s_.recon.comp[c], xc, yc, wc, hc, c, avail, refs_c_[c - 1]);
  const bool cclm = cu_.cclm_enabled(n);
  bool skipMode[kChromaCclmFirst + 3] = {};
  chroma_satd_preselect(n, cclm, skipMode);
  // CCLM (icpm 7..5) first when allowed; the last trial is icpm 0 (see the best-state logic).
  for (int icpm = cclm ? kChromaCclmFirst + 2 : 4; icpm >= 0; --icpm) {
    if (skipMode[icpm]) continue;
    const double bound = std::min(best, budget);
    trial_ctx_ = ctx;
    const uint64_t b0 = s_.est.frac_bits();
    const double d = cu_.code_chroma_cu(s_.est, trial_ctx_, n, icpm, false, bound, refs_c_);
    const double cost = d >= bound ? kInf : d + s_.bits_cost(s_.est.frac_bits() - b0);
    lastWasBest = cost < bound;
    if (lastWasBest) {
      best = cost;
      bestMode = icpm;
      if (icpm > 0) {
        best_ctx_ = trial_ctx_;
        for (int c = 1; c < 3; ++c)
          for (int y = 0; y < hc; ++y)
            std::memcpy(&best_rec_[c][y * kMaxCu], s_.recon.comp[c].row(yc + y) + xc,
                        sizeof(Pel) * wc);
      }
    }
  }
  if (best == kInf) return kInf;
  if (lastWasBest) {
    ctx = trial_ctx_;
  } else {
    ctx = best_ctx_;
    for (int c = 1; c < 3; ++c)
      for (int y = 0; y < hc; ++y)
        std::memcpy(s_.recon.comp[c].row(yc + y) + xc, &best_rec_[c][y * kMaxCu], sizeof(Pel) * wc);
  }
  return best;
}

}  // namespace vvc
