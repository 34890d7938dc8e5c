#include "search/mode_controller.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace vvc {
namespace {

constexpr double kInf = std::numeric_limits<double>::max();

// Whether a split of n would make 7.3.9.4 signal mode_constraint_flag or force intra children
// (VTM CS::signalModeCons: chroma blocks under 16 samples or 2xN ones).
bool split_mode_constrained(const TreeNode& n, SplitMode m) {
  const bool four = m == SplitMode::kQt || m == SplitMode::kTtH || m == SplitMode::kTtV;
  const int minLuma = four ? n.w * n.h / 4 : n.w * n.h / 2;
  const bool is2xN = (n.w == 8 && m == SplitMode::kBtV) || (n.w == 16 && m == SplitMode::kTtV);
  return minLuma / 4 < 16 || is2xN;
}

}  // namespace

ModeController::ModeController(const PictureState& s, SplitOracle& oracle)
    : s_(s), oracle_(oracle), speed_(s.cfg.speed) {
  etp_.rules = speed_.partition.early_term_rules;
  if (s.inter_slice()) {
    // VVenC: skip CUs stop the split search from mtt depth 2 when a reference is adjacent.
    int minDist = std::numeric_limits<int>::max();
    for (int l = 0; l < 2; ++l)
      for (int i = 0; i < s.rl.num_ref[l]; ++i)
        minDist = std::min(minDist, std::abs(s.pc.slice.poc - s.rl.ref_poc[l][i]));
    etp_.skip_mtt_depth = minDist <= 1 ? 2 : 3;
  }
}

int ModeController::nearest_ref_poc() const {
  return split_query(TreeNode{}, 0).ref_poc;
}

// What the split oracle is told about node n (choosable: the splits the search may pick).
SplitQuery ModeController::split_query(const TreeNode& n, SplitMask choosable) const {
  const PictureCoding& pc = s_.pc;
  SplitQuery q;
  q.x = n.x;
  q.y = n.y;
  q.w = n.w;
  q.h = n.h;
  q.qt_depth = n.qt_depth;
  q.mtt_depth = n.mtt_depth;
  q.tree = n.tree;
  q.slice_type = pc.slice.slice_type;
  q.temporal_id = pc.slice.temporal_id;
  q.poc = pc.slice.poc;
  q.qp = pc.slice.qp;
  q.orig = &s_.orig;
  q.allowed = choosable;
  // nn: the nearest reference (smallest POC distance, L0 first) for the CNN's temporal cue.
  for (int l = 0; l < 2; ++l)
    for (const RefPicture& r : pc.ref[l])
      if (r.recon &&
          (!q.ref || std::abs(r.poc - pc.slice.poc) < std::abs(q.ref_poc - pc.slice.poc))) {
        q.ref = r.recon;
        q.ref_poc = r.poc;
      }
  return q;
}

SplitMask ModeController::splits_to_try(const TreeNode& n, SplitMask choosable) const {
  const SplitQuery q = split_query(n, choosable);
  if (n.tree != TreeType::kSingle) {
    // The dual-tree chroma tree tries every allowed split, chroma blocks 2 samples high
    // (BT_H of an Nx4, TT_H of an Nx8 chroma block, N >= 8) included.
    const SplitMask tryMask = static_cast<SplitMask>(oracle_.splits_to_try(q) & choosable);
    return tryMask ? tryMask : choosable;
  }
  SplitMask drop = 0;
  for (SplitMode m :
       {SplitMode::kQt, SplitMode::kBtH, SplitMode::kBtV, SplitMode::kTtH, SplitMode::kTtV})
    if (split_mode_constrained(n, m)) drop |= split_bit(m);
  // Encoder restriction: CUs at least 8x8 (chroma TBs of 2 rows are not supported).
  if (n.h == 8) drop |= split_bit(SplitMode::kBtH);
  if (n.h == 16) drop |= split_bit(SplitMode::kTtH);
  if (n.w == 8) drop |= split_bit(SplitMode::kBtV);
  if (n.w == 16) drop |= split_bit(SplitMode::kTtV);
  const SplitMask usable = static_cast<SplitMask>(choosable & ~drop);
  SplitMask tryMask = static_cast<SplitMask>(oracle_.splits_to_try(q) & usable);
  if (!tryMask) tryMask = usable;
  if (!tryMask) tryMask = choosable;  // not reached for sizes that are multiples of 8
  // A CU wider or taller than kMaxCu is coded without a residual (prediction only), so a
  // pruned search must keep a way down to residual-capable CUs: an oracle that keeps only
  // "no split" there (the CNN at a flat CTU) would code the whole CTU as skip.
  const SplitMask splits = static_cast<SplitMask>(usable & ~split_bit(SplitMode::kNone));
  if ((n.w > kMaxCu || n.h > kMaxCu) && !(tryMask & splits)) tryMask |= splits;
  return tryMask;
}

void ModeController::begin_node(const TreeNode& n, int level, bool inside,
                                SplitMode order[kNumSplitModes]) {
  NodeState& ns = level_[level];
  // Early terminations (search/early_term.h) of the single tree at nodes inside the
  // picture; the no-split CU is tried first, QT before or after the multi-type splits.
  ns.fast = n.tree == TreeType::kSingle && speed_.partition.fast_inter_split && inside;
  EtNodeState& es = ns.et;
  es = EtNodeState{};
  EtNode& en = ns.node;
  en = EtNode{};
  en.w = n.w;
  en.h = n.h;
  en.qt_depth = n.qt_depth;
  en.mtt_depth = n.mtt_depth;
  es.residual_capable = n.w <= kMaxCu && n.h <= kMaxCu;
  for (int a = 0; a < level; ++a) en.level += level_[a].et.residual_capable;
  if (ns.fast) {
    const CuMaps& maps = s_.maps;
    int qtL = -1, qtA = -1;  // the left / above CUs' cqtDepth (-1: unavailable)
    if (maps.coded_luma_pos(0, n.x - 1, n.y)) qtL = maps.at(0, (n.x - 1) >> 2, n.y >> 2).qt_depth;
    if (maps.coded_luma_pos(0, n.x, n.y - 1)) qtA = maps.at(0, n.x >> 2, (n.y - 1) >> 2).qt_depth;
    es.qt_before_bt =
        !(etp_.rules & kEtQtLate) || et_qt_before_bt(en, qtL, qtA, s_.pc.slice.temporal_id,
                                                     s_.limits(TreeType::kSingle).lim.min_qt);
  }
  order[0] = SplitMode::kNone;
  et_split_order(es.qt_before_bt, order + 1);
}

bool ModeController::try_split(int level, SplitMode mode) const {
  const NodeState& ns = level_[level];
  return !ns.fast || mode == SplitMode::kNone || et_try_split(ns.node, ns.et, mode, etp_);
}

void ModeController::after_trial(const TreeNode& n, int level, SplitMode mode, double cost,
                                 double bound, const std::vector<NodeDecision>& trial, int nk) {
  NodeState& ns = level_[level];
  EtNodeState& es = ns.et;
  const bool done = cost < bound;
  if (done) {  // the best so far (the search keeps the cheapest)
    es.best_is_nosplit = mode == SplitMode::kNone;
    es.best_children_unsplit =
        mode != SplitMode::kNone && trial.size() == static_cast<size_t>(1 + nk);
  }
  if (!ns.fast) return;
  const CuMaps& maps = s_.maps;
  if (mode == SplitMode::kNone) {
    const CuDecision& d = trial.back().cu;
    es.cost_none = done ? cost : EtNodeState::kInf;
    es.nosplit_skip = done && d.kind == CuDecision::kSkip;
    es.nosplit_residual =
        done && (d.kind != CuDecision::kSkip && !(d.kind == CuDecision::kAmvp && !d.coded));
    es.skip_score = 0;
    if (es.nosplit_skip)
      for (int a = level - 1; a >= 0; --a) {
        const EtNodeState& as = level_[a].et;
        if (!as.residual_capable || !as.nosplit_skip) break;
        ++es.skip_score;
      }
    if (done)
      etcache_.note(n.x, n.y, n.w, n.h, d.kind == CuDecision::kSkip, d.kind == CuDecision::kIntra);
    return;
  }
  es.split_tried = true;
  if (mode == SplitMode::kQt) {
    if (!done) return;
    int maxQt = 0;
    for (int y = n.y; y < n.y + n.h; y += 4)
      for (int x = n.x; x < n.x + n.w; x += 4)
        maxQt = std::max(maxQt, static_cast<int>(maps.at(0, x >> 2, y >> 2).qt_depth));
    es.max_qt_sub_depth = maxQt;
    return;
  }
  if (mode != SplitMode::kBtH && mode != SplitMode::kBtV) return;
  const int d = mode == SplitMode::kBtH ? 0 : 1;
  es.did_bt[d] = true;
  es.cost_bt[d] = done ? cost : EtNodeState::kInf;
  if (!done) return;
  int numCus = 0;
  for (const NodeDecision& nd : trial) numCus += nd.split == 0;
  const CuUnit& first = maps.at(0, n.x >> 2, n.y >> 2);
  const CuUnit& last = maps.at(0, (n.x + n.w - 1) >> 2, (n.y + n.h - 1) >> 2);
  const int half = (d == 0 ? n.h : n.w) / 2;
  es.do_tt[d] = et_do_tt_after_bt(
      numCus, 1 << (d == 0 ? first.log2h : first.log2w), 1 << (d == 0 ? last.log2h : last.log2w),
      half, n.mtt_depth + 1 >= s_.limits(TreeType::kSingle).lim.max_mtt_depth);
}

int ModeController::luma_rd_candidates(const uint32_t satds[kNumLumaModes],
                                       const uint32_t modeBits[kNumLumaModes], const int mpm[6],
                                       double interHad, int* cand) const {
  const int numFull = speed_.intra.num_full_rd_modes;
  const double sqrtLambda = s_.lambdas.sqrt_lambda;
  double candCost[IntraSpeed::kMaxFullRdModes];
  int numCand = 0;
  for (int m = 0; m < kNumLumaModes; ++m) {
    const double cost = static_cast<double>(satds[m]) +
                        sqrtLambda * static_cast<double>(modeBits[m]) / kFracBitsOne;
    // Insert into the sorted short list (ties keep the lower mode first).
    if (numCand < numFull || cost < candCost[numCand - 1]) {
      int i = numCand < numFull ? numCand++ : numCand - 1;
      while (i > 0 && candCost[i - 1] > cost) {
        candCost[i] = candCost[i - 1];
        cand[i] = cand[i - 1];
        --i;
      }
      candCost[i] = cost;
      cand[i] = m;
    }
  }
  for (int j = 0; j < 6; ++j) {
    bool found = false;
    for (int i = 0; i < numCand; ++i) found |= cand[i] == mpm[j];
    if (!found) cand[numCand++] = mpm[j];
  }
  // Intra in a P/B slice (VTM's PBIntraFast): with k of the three smallest pure luma SATDs
  // within pb_intra_ratio of the best inter prediction's SATD, only the first k modes of the
  // list get a full RD trial, none when k is 0; all of them when the three are within.
  if (interHad < kInf) {
    uint32_t had[3] = {UINT32_MAX, UINT32_MAX, UINT32_MAX};
    for (int m = 0; m < kNumLumaModes; ++m)
      for (int i = 0; i < 3; ++i)
        if (satds[m] < had[i]) {
          for (int j = 2; j > i; --j) had[j] = had[j - 1];
          had[i] = satds[m];
          break;
        }
    int keep = numCand;
    for (int k = 2; k >= 0; --k)
      if (static_cast<double>(had[k]) > speed_.intra.pb_intra_ratio * interHad) keep = k;
    numCand = std::min(numCand, keep);
  }
  return numCand;
}

double ModeController::pb_intra_had(double interHad) const {
  return speed_.intra.pb_intra_fast ? interHad : kInf;
}

// SATD pre-selection of the chroma modes as in VTM / VVenC (estIntraPredChromaQT): the two
// with the largest cost get no full RD trial (each costs two quantisation trellises).
void ModeController::chroma_rd_skips(const int* modes, int nm, bool* skipMode) {
  for (int i = std::max(0, nm - 2); i < nm; ++i) skipMode[modes[i]] = true;
}

bool ModeController::try_motion_search(const TreeNode& n) const {
  return !(speed_.partition.fast_inter_split && (etp_.rules & kEtRelatedNoMe) &&
           etcache_.skip_or_intra(n.x, n.y, n.w, n.h));
}

bool ModeController::try_amvr(int amvrShift, const CuDecision& best, bool found) const {
  if (!speed_.inter.amvr || !found || best.kind != CuDecision::kAmvp) return false;
  return amvrShift == kAmvrShiftInteger || best.pu.amvr_shift == kAmvrShiftInteger;
}

// Like VTM / VVenC (EncModeCtrl: "avoid very complex intra if it is unlikely"), only when the
// best inter CU codes a residual (or no inter CU fits the budget).
bool ModeController::try_intra_in_inter(const CuDecision& best, bool found) {
  return !found || best.kind == CuDecision::kMerge ||
         (best.kind == CuDecision::kAmvp && best.coded);
}

}  // namespace vvc
