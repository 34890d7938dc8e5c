#include "search/tree_search.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace vvc {
namespace {

// The components and CU-map channels a tree codes: luma tree Y / 0, chroma tree Cb Cr / 1,
// single tree all / both.
struct TreeParts {
  int c0, c1;    // components [c0, c1)
  int ch0, ch1;  // map channels [ch0, ch1)
};
TreeParts tree_parts(TreeType t) {
  switch (t) {
    case TreeType::kDualLuma:
      return {0, 1, 0, 1};
    case TreeType::kDualChroma:
      return {1, 3, 1, 2};
    default:
      return {0, 3, 0, 2};
  }
}

}  // namespace

TreeSearch::TreeSearch(PictureState& s, CuCoder& cu, ModeController& mc, IntraSearch& intra,
                       InterSearch* inter)
    : s_(s), cu_(cu), mc_(mc), intra_(intra), inter_(inter) {
  level_.resize(ModeController::kMaxLevels);
  constexpr size_t kUnits = (kCtuMax / 4) * (kCtuMax / 4);
  for (Level& L : level_) {
    for (auto& v : L.save) v.resize(kCtuMax * kCtuMax);
    for (auto& u : L.save_units) u.resize(kUnits);
    L.save_modes.resize(kUnits);
    if (inter) L.save_motion.resize(kUnits);
    L.cur.reserve(256);
    L.best.reserve(256);
  }
  decisions_.reserve(1024);
}

void TreeSearch::save_region(Level& L, const TreeNode& n) {
  const SplitLimits& lim = s_.limits(n.tree);
  const int w = std::min(n.w, lim.pic_w - n.x), h = std::min(n.h, lim.pic_h - n.y);
  const TreeParts t = tree_parts(n.tree);
  for (int c = t.c0; c < t.c1; ++c) {
    const int sh = c ? 1 : 0;
    const Plane& p = s_.recon.comp[c];
    for (int y = 0; y < (h >> sh); ++y)
      std::memcpy(&L.save[c][y * kCtuMax], p.row((n.y >> sh) + y) + (n.x >> sh),
                  sizeof(Pel) * (w >> sh));
  }
  const bool motion = n.tree == TreeType::kSingle;
  const int x4 = n.x >> 2, y4 = n.y >> 2, n4w = w >> 2, n4h = h >> 2;
  for (int y = 0; y < n4h; ++y)
    for (int x = 0; x < n4w; ++x) {
      const int k = y * (kCtuMax / 4) + x;
      for (int ch = t.ch0; ch < t.ch1; ++ch) L.save_units[ch][k] = s_.maps.at(ch, x4 + x, y4 + y);
      if (t.ch0 == 0) L.save_modes[k] = s_.maps.mode(x4 + x, y4 + y);
      if (motion) L.save_motion[k] = s_.motion->at(n.x + 4 * x, n.y + 4 * y);
    }
}

void TreeSearch::restore_region(const Level& L, const TreeNode& n) {
  const SplitLimits& lim = s_.limits(n.tree);
  const int w = std::min(n.w, lim.pic_w - n.x), h = std::min(n.h, lim.pic_h - n.y);
  const TreeParts t = tree_parts(n.tree);
  for (int c = t.c0; c < t.c1; ++c) {
    const int sh = c ? 1 : 0;
    Plane& p = s_.recon.comp[c];
    for (int y = 0; y < (h >> sh); ++y)
      std::memcpy(p.row((n.y >> sh) + y) + (n.x >> sh), &L.save[c][y * kCtuMax],
                  sizeof(Pel) * (w >> sh));
  }
  const bool motion = n.tree == TreeType::kSingle;
  const int x4 = n.x >> 2, y4 = n.y >> 2, n4w = w >> 2, n4h = h >> 2;
  for (int y = 0; y < n4h; ++y)
    for (int x = 0; x < n4w; ++x) {
      const int k = y * (kCtuMax / 4) + x;
      for (int ch = t.ch0; ch < t.ch1; ++ch) s_.maps.at(ch, x4 + x, y4 + y) = L.save_units[ch][k];
      if (t.ch0 == 0) s_.maps.mode(x4 + x, y4 + y) = L.save_modes[k];
      if (motion) s_.motion->set(n.x + 4 * x, n.y + 4 * y, 4, 4, L.save_motion[k]);
    }
}

double TreeSearch::search_cu(const TreeNode& n, ContextSet& ctx, CuDecision& d, double budget) {
  int mode = 0;
  switch (n.tree) {
    case TreeType::kDualLuma: {
      const double cost = intra_.search_luma(n, ctx, mode, budget);
      d.luma_mode = static_cast<uint8_t>(mode);
      return cost;
    }
    case TreeType::kDualChroma: {
      const double cost = intra_.search_chroma(n, ctx, mode, budget);
      d.chroma_mode = static_cast<uint8_t>(mode);
      return cost;
    }
    default:
      return inter_->search_cu(n, ctx, d, budget);
  }
}

double TreeSearch::search_node(const TreeNode& n, int level, ContextSet& ctx,
                               std::vector<NodeDecision>& out, double budget) {
  const SplitLimits& lim = s_.limits(n.tree);
  const SplitMask allowed = allowed_splits(n, lim);
  const bool inside = node_inside(n, lim);
  const SplitMask choosable =
      static_cast<SplitMask>(allowed | (inside ? split_bit(SplitMode::kNone) : 0));
  const SplitMask tryMask = mc_.splits_to_try(n, choosable);
  const bool single = n.tree == TreeType::kSingle;
  const TreeParts t = tree_parts(n.tree);

  Level& L = level_[static_cast<size_t>(level)];
  const int numTry = __builtin_popcount(tryMask);
  if (numTry > 1) {
    L.start = ctx;
    if (single) L.hmvp_start = s_.hmvp;
  }
  SplitMode order[kNumSplitModes];
  mc_.begin_node(n, level, inside, order);

  double best = kInf;
  bool lastWasBest = false;
  int tried = 0;
  L.best.clear();
  const int x4 = n.x >> 2, y4 = n.y >> 2;
  for (const SplitMode mode : order) {
    if (!(tryMask & split_bit(mode)) || !mc_.try_split(level, mode)) continue;
    const bool isLast = ++tried == numTry;
    if (tried > 1) {
      ctx = L.start;
      if (single) s_.hmvp = L.hmvp_start;
      for (int ch = t.ch0; ch < t.ch1; ++ch) s_.maps.set_coded(ch, x4, y4, n.w >> 2, n.h >> 2, 0);
    }
    L.cur.clear();
    L.cur.emplace_back();
    L.cur.back().split = static_cast<uint8_t>(mode);
    const double bound = std::min(best, budget);
    const uint64_t b0 = s_.est.frac_bits();
    cu_.code_split(s_.est, ctx, n, mode, allowed);
    double cost = s_.bits_cost(s_.est.frac_bits() - b0);
    int nk = 0;
    if (cost < bound) {
      if (mode == SplitMode::kNone) {
        cost += search_cu(n, ctx, L.cur.back().cu, bound - cost);
      } else {
        TreeNode kids[4];
        nk = split_children(n, mode, lim, kids);
        // for CuCoder::cclm_enabled()
        if (n.tree == TreeType::kDualChroma && n.mtt_depth <= 1) s_.cmsm[n.mtt_depth] = mode;
        for (int k = 0; k < nk && cost < bound; ++k)
          cost += search_node(kids[k], level + 1, ctx, L.cur, bound - cost);
      }
    }
    mc_.after_trial(n, level, mode, cost, bound, L.cur, nk);
    lastWasBest = cost < bound;
    if (lastWasBest) {
      best = cost;
      std::swap(L.best, L.cur);
      if (!isLast) {
        save_region(L, n);
        L.best_ctx = ctx;
        if (single) L.hmvp_best = s_.hmvp;
      }
    }
  }
  if (best == kInf) return kInf;  // every candidate reached the budget: state is void
  if (!lastWasBest) {
    restore_region(L, n);
    ctx = L.best_ctx;
    if (single) s_.hmvp = L.hmvp_best;
  }
  out.insert(out.end(), L.best.begin(), L.best.end());
  return best;
}

void TreeSearch::code_node(const TreeNode& n, const NodeDecision*& p,
                           std::vector<uint8_t>& splits) {
  const NodeDecision& nd = *p++;
  const SplitMode mode = static_cast<SplitMode>(nd.split);
  splits.push_back(nd.split);
  const SplitLimits& lim = s_.limits(n.tree);
  cu_.code_split(s_.enc, s_.ctx, n, mode, allowed_splits(n, lim));
  if (mode == SplitMode::kNone) {
    if (n.tree == TreeType::kDualLuma) {
      int mpm[6];
      cu_.mpm_list(n, mpm);
      cu_.code_luma_cu(s_.enc, s_.ctx, n, nd.cu.luma_mode, mpm, true);
      cu_.count_intra_cu(n);
    } else if (n.tree == TreeType::kDualChroma) {
      cu_.code_chroma_cu(s_.enc, s_.ctx, n, nd.cu.chroma_mode, true);
    } else {
      CuDecision d = nd.cu;
      int nz[3] = {0, 0, 0};
      if (d.kind == CuDecision::kIntra)
        cu_.code_intra_cu(s_.enc, s_.ctx, n, d, nz);
      else
        cu_.code_inter_cu(s_.enc, s_.ctx, n, d, nz);
      cu_.commit_cu(n, d, nz, true);
    }
    return;
  }
  TreeNode kids[4];
  const int nk = split_children(n, mode, lim, kids);
  // for CuCoder::cclm_enabled()
  if (n.tree == TreeType::kDualChroma && n.mtt_depth <= 1) s_.cmsm[n.mtt_depth] = mode;
  for (int k = 0; k < nk; ++k) code_node(kids[k], p, splits);
}

void TreeSearch::code_tree(const TreeNode& root, std::vector<uint8_t>& splits) {
  intra_.new_area();  // the SATD cache covers one 64x64 quadrant
  const HmvpTable hmvpStart = s_.hmvp;
  ContextSet ctx = s_.ctx;
  decisions_.clear();
  search_node(root, 0, ctx, decisions_, kInf);
  // Final coding with the real coder from the tree's starting state.
  const TreeParts t = tree_parts(root.tree);
  for (int ch = t.ch0; ch < t.ch1; ++ch)
    s_.maps.set_coded(ch, root.x >> 2, root.y >> 2, root.w >> 2, root.h >> 2, 0);
  s_.hmvp = hmvpStart;
  const NodeDecision* p = decisions_.data();
  code_node(root, p, splits);
}

}  // namespace vvc
