#include "search/inter_search.h"

#include <algorithm>
#include <cstring>
#include <functional>

#include "cabac/bit_estimator.h"
#include "inter/amvp.h"
#include "inter/inter_syntax.h"

namespace vvc {

// AMVR: the AMVP directions of the motion search again with the MVD at integer, then
// four-sample precision (the predictors rounded to it, 8.5.2.14), when the mode controller
// asks for it.
void InterSearch::search_amvr(const TreeNode& n, const MeBlock& blk, const MergeContext& mc,
                              const MeRef (&mer)[2][kMaxRefPics], const int numRefs[2],
                              const MeResult& res, int meBest, const MeConfig& mcfg,
                              const CuDecision& best, bool found,
                              const std::function<double(CuDecision&)>& trial) {
  const int w = n.w, h = n.h;
  Mv amvrMv[3][2];  // the last precision's MVs per direction
  for (const int shift : {kAmvrShiftInteger, kAmvrShiftFour}) {
    if (!s_.cfg.amvr || !mc_.try_amvr(shift, best, found)) break;
    MeRef amr[2][kMaxRefPics];
    for (int l = 0; l < 2; ++l)
      for (int i = 0; i < numRefs[l]; ++i) {
        amr[l][i] = mer[l][i];
        build_amvp_list(mc, l, i, amr[l][i].mvp, shift);
        amr[l][i].amvr_shift = shift;
      }
    MeConfig icfg = mcfg;
    icfg.subpel = false;
    icfg.search_range = s_.cfg.speed.inter.amvr_search_range;
    for (int cand = 0; cand < 3; ++cand) {
      const bool valid = cand < 2 ? res.uni[cand].valid : res.bi.valid;
      if (!valid) continue;
      CuDecision d;
      d.kind = CuDecision::kAmvp;
      d.pu.merge = false;
      d.pu.amvr_shift = shift;
      d.mi.is_inter = true;
      d.pu.inter_dir = cand < 2 ? 1 << cand : 3;
      bool anyMvd = false;
      for (int l = 0; l < 2; ++l) {
        if (!((d.pu.inter_dir >> l) & 1)) continue;
        const int r = cand < 2 ? res.uni[cand].ref_idx : res.bi.ref_idx[l];
        const Mv quarter = cand < 2 ? res.uni[cand].mv : res.bi.mv[l];
        Mv& mv = amvrMv[cand][l];
        if (shift == kAmvrShiftInteger && cand < 2) {  // a small integer search
          mv = me_.search_uni(blk, amr[l][r], icfg, &quarter, 1).mv;
        } else {  // the bi pair, and four samples from integer: rounded
          mv = round_mv(shift == kAmvrShiftInteger ? quarter : mv, shift, shift);
        }
        const int mvpIdx =
            mvd_bits(mv, amr[l][r].mvp[1], shift) < mvd_bits(mv, amr[l][r].mvp[0], shift) ? 1 : 0;
        d.pu.ref_idx[l] = r;
        d.pu.mvp_idx[l] = mvpIdx;
        d.pu.mvd[l] = mvd_for(mv, amr[l][r].mvp[mvpIdx], shift);
        anyMvd |= d.pu.mvd[l].x != 0 || d.pu.mvd[l].y != 0;
        d.mi.ref_idx[l] = static_cast<int8_t>(r);
        d.mi.mv[l] = mv;
      }
      if (!anyMvd) continue;  // amvr_flag is not coded without an MVD
      d.mi.inter_dir = static_cast<uint8_t>(d.pu.inter_dir);
      d.coded = false;
      trial(d);
      if (w <= kMaxCu && h <= kMaxCu && cand == meBest) {
        d.coded = true;
        trial(d);
      }
    }
  }
}

double InterSearch::search_cu(const TreeNode& n, ContextSet& ctx, CuDecision& best, double budget) {
  const int w = n.w, h = n.h;
  const ContextSet ctx0 = ctx;
  double bestCost = kInf;
  auto keep = [&](const CuDecision& d, double cost, const ContextSet& c) {
    if (cost >= bestCost || cost >= budget) return;
    bestCost = cost;
    best = d;
    best_ctx_ = c;
    for (int comp = 0; comp < 3; ++comp) {
      const int s = comp ? 1 : 0;
      const Plane& rp = s_.recon.comp[comp];
      for (int y = 0; y < (h >> s); ++y)
        std::memcpy(&best_rec_[comp][y * kCtuMax], rp.row((n.y >> s) + y) + (n.x >> s),
                    sizeof(Pel) * (w >> s));
    }
  };
  auto trial = [&](CuDecision& d) {
    trial_ctx_ = ctx0;
    const uint64_t b0 = s_.est.frac_bits();
    int nz[3];
    const double dist = cu_.code_inter_cu(s_.est, trial_ctx_, n, d, nz);
    if (dist >= kInf) return kInf;
    for (int c = 0; c < 3; ++c) d.nz[c] = static_cast<int8_t>(nz[c] > 0);
    const double cost =
        dist + s_.bits_cost(s_.est.frac_bits() - b0) + edo_.offset(n, d.mi, false, nz);
    keep(d, cost, trial_ctx_);
    return cost;
  };

  const MergeContext mc = s_.merge_context(n);
  // Skip with every merge candidate, then merge with residual for the two best.
  MotionInfo list[kMaxNumMergeCand];
  build_merge_list(mc, list);
  double skipCost[kMaxNumMergeCand];
  for (int k = 0; k < kMaxNumMergeCand; ++k) {
    skipCost[k] = kInf;
    bool dup = false;
    for (int j = 0; j < k; ++j) dup |= list[j].same_motion(list[k]);
    if (dup) continue;
    CuDecision d;
    d.kind = CuDecision::kSkip;
    d.pu.merge = true;
    d.pu.merge_idx = k;
    d.mi = list[k];
    skipCost[k] = trial(d);
  }
  if (w <= kMaxCu && h <= kMaxCu) {
    int order[kMaxNumMergeCand];
    for (int k = 0; k < kMaxNumMergeCand; ++k) order[k] = k;
    std::stable_sort(order, order + kMaxNumMergeCand,
                     [&](int a, int b) { return skipCost[a] < skipCost[b]; });
    for (int r = 0; r < 2; ++r) {
      const int k = order[r];
      if (skipCost[k] >= kInf) continue;
      CuDecision d;
      d.kind = CuDecision::kMerge;
      d.pu.merge = true;
      d.pu.merge_idx = k;
      d.mi = list[k];
      trial(d);
    }
  }

  // AMVP: motion search over the active reference pictures of both lists; not where the
  // same block was coded as a skip or intra CU through another split path (VVenC).
  double interHad = kInf;  // the smallest luma SATD of a searched inter prediction
  if (mc_.try_motion_search(n)) {
    MeRef mer[2][kMaxRefPics];
    const MeRef* refs[2] = {mer[0], mer[1]};
    int numRefs[2] = {s_.rl.num_ref[0], s_.rl.is_b ? s_.rl.num_ref[1] : 0};
    for (int l = 0; l < 2; ++l)
      for (int i = 0; i < numRefs[l]; ++i) {
        mer[l][i].pic = s_.rps.pic[l][i];
        build_amvp_list(mc, l, i, mer[l][i].mvp);
        mer[l][i].ref_bits = ref_idx_bits(i, numRefs[l]) + (s_.rl.is_b ? 2 : 0);
        mer[l][i].search_range = search_range_for(s_.rl.ref_poc[l][i]);
      }
    MeBlock blk;
    const Plane& op = s_.orig.comp[kY];
    blk.org = op.row(n.y) + n.x;
    blk.stride = op.stride;
    blk.x = n.x;
    blk.y = n.y;
    blk.w = w;
    blk.h = h;
    MeConfig mcfg;
    mcfg.sqrt_lambda = s_.lambdas.sqrt_lambda;
    const InterSpeed& sp = s_.cfg.speed.inter;
    mcfg.search_range = sp.search_range;
    mcfg.bi_iterations = s_.rl.is_b ? sp.bi_iterations : 0;
    mcfg.bi_search_range = sp.bi_search_range;
    mcfg.subpel = sp.subpel;
    mcfg.subsample_rows = sp.subsample_rows;
    const MeResult res = me_.search(blk, refs, numRefs, w + h > 12, mcfg);
    // Residual trials only for the direction with the best motion-search cost (VTM codes
    // the residual of one AMVP choice); the residual-free trials are cheap and stay for all.
    const double meCost[3] = {res.uni[0].valid ? res.uni[0].cost : kInf,
                              res.uni[1].valid ? res.uni[1].cost : kInf,
                              res.bi.valid ? res.bi.cost : kInf};
    const int meBest = static_cast<int>(std::min_element(meCost, meCost + 3) - meCost);
    if (mcfg.subpel)  // the search's distortions are SATDs (integer-only ones are SADs)
      for (int l = 0; l < 3; ++l) {
        const bool valid = l < 2 ? res.uni[l].valid : res.bi.valid;
        const uint64_t dist = l < 2 ? res.uni[l].dist : res.bi.dist;
        if (valid) interHad = std::min(interHad, static_cast<double>(dist));
      }
    for (int cand = 0; cand < 3; ++cand) {
      CuDecision d;
      d.kind = CuDecision::kAmvp;
      d.pu.merge = false;
      d.mi.is_inter = true;
      if (cand < 2) {
        const UniResult& u = res.uni[cand];
        if (!u.valid) continue;
        d.pu.inter_dir = 1 << cand;
        d.pu.ref_idx[cand] = u.ref_idx;
        d.pu.mvp_idx[cand] = u.mvp_idx;
        d.pu.mvd[cand] = mvd_for(u.mv, mer[cand][u.ref_idx].mvp[u.mvp_idx]);
        d.mi.ref_idx[cand] = static_cast<int8_t>(u.ref_idx);
        d.mi.mv[cand] = u.mv;
      } else {
        if (!res.bi.valid) continue;
        d.pu.inter_dir = 3;
        for (int l = 0; l < 2; ++l) {
          d.pu.ref_idx[l] = res.bi.ref_idx[l];
          d.pu.mvp_idx[l] = res.bi.mvp_idx[l];
          d.pu.mvd[l] = mvd_for(res.bi.mv[l], mer[l][res.bi.ref_idx[l]].mvp[res.bi.mvp_idx[l]]);
          d.mi.ref_idx[l] = static_cast<int8_t>(res.bi.ref_idx[l]);
          d.mi.mv[l] = res.bi.mv[l];
        }
      }
      d.mi.inter_dir = static_cast<uint8_t>(d.pu.inter_dir);
      d.coded = false;
      trial(d);
      if (w <= kMaxCu && h <= kMaxCu && cand == meBest) {
        d.coded = true;
        trial(d);
      }
    }

    search_amvr(n, blk, mc, mer, numRefs, res, meBest, mcfg, best, bestCost < kInf, trial);
  }

  // Intra: luma mode search, then chroma mode search with the chosen luma mode (DM).
  if (w <= kMaxCu && h <= kMaxCu && ModeController::try_intra_in_inter(best, bestCost < kInf)) {
    ContextSet c = ctx0;
    const uint64_t b0 = s_.est.frac_bits();
    code_cu_skip_flag(s_.est, c, false, s_.skip_at(n.x - 1, n.y), s_.skip_at(n.x, n.y - 1));
    code_pred_mode_flag(s_.est, c, true, s_.intra_at(n.x - 1, n.y), s_.intra_at(n.x, n.y - 1));
    double cost = s_.bits_cost(s_.est.frac_bits() - b0);
    const double bound = std::min(bestCost, budget);
    if (cost < bound) {
      intra_.new_area();  // the SATD cache is keyed by 64x64-quadrant positions
      int lm = 0, cm = 4;
      cost += intra_.search_luma(n, c, lm, bound - cost, mc_.pb_intra_had(interHad));
      if (cost < bound) cost += intra_.search_chroma(n, c, cm, bound - cost);
      if (cost < bound) {
        const int nzIntra[3] = {0, 0, 0};  // intra edges have bS 2 whatever the residual
        cost += edo_.offset(n, MotionInfo{}, true, nzIntra);
      }
      if (cost < bound) {
        CuDecision d;
        d.kind = CuDecision::kIntra;
        d.luma_mode = static_cast<uint8_t>(lm);
        d.chroma_mode = static_cast<uint8_t>(cm);
        keep(d, cost, c);
      }
    }
  }

  if (bestCost >= kInf || bestCost >= budget) return kInf;
  for (int comp = 0; comp < 3; ++comp) {
    const int s = comp ? 1 : 0;
    Plane& rp = s_.recon.comp[comp];
    for (int y = 0; y < (h >> s); ++y)
      std::memcpy(rp.row((n.y >> s) + y) + (n.x >> s), &best_rec_[comp][y * kCtuMax],
                  sizeof(Pel) * (w >> s));
  }
  ctx = best_ctx_;
  const int nz[3] = {best.nz[0], best.nz[1], best.nz[2]};
  cu_.commit_cu(n, best, nz, false);
  return bestCost;
}

}  // namespace vvc
