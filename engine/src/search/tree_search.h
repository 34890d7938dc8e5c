// The rate-distortion search of a coding tree, one implementation for the dual trees of I
// slices and the single tree of P/B slices, followed by the coding of the chosen tree with the
// real coder.
//
// At every node the splits the mode controller allows are tried in its order (the no-split
// CU first, searched by the intra or inter search), each coded with the bit estimator on the
// node's starting contexts, and the cheapest J = D + lambda * R is kept. A cost budget is
// passed down the tree (branch and bound: a candidate stops as soon as its partial cost
// reaches the best complete one), which never changes the result. The state a candidate
// changes is restored for the next one: reconstruction, CU maps, contexts and, in the single
// tree, motion field and HMVP table. The decisions (pre-order) are then replayed with the real
// coder, which recomputes the identical reconstruction.
#pragma once
#include <cstdint>
#include <limits>
#include <vector>

#include "cu/cu_coder.h"
#include "search/inter_search.h"
#include "search/intra_search.h"
#include "search/mode_controller.h"

namespace vvc {

class TreeSearch {
 public:
  static constexpr double kInf = std::numeric_limits<double>::max();

  // inter: the CU search of the single tree (nullptr in I slices).
  TreeSearch(PictureState& s, CuCoder& cu, ModeController& mc, IntraSearch& intra,
             InterSearch* inter);

  // Searches the tree rooted at root from the real coder's contexts, then codes it with the
  // real coder; appends the pre-order split modes of its nodes to splits (the split log).
  void code_tree(const TreeNode& root, std::vector<uint8_t>& splits);

 private:
  // Per-recursion-level scratch, allocated once per picture.
  struct Level {
    ContextSet start, best_ctx;
    std::vector<NodeDecision> cur, best;
    std::vector<Pel> save[3];  // stride kCtuMax
    std::vector<CuUnit> save_units[2];
    std::vector<uint8_t> save_modes;
    std::vector<MotionInfo> save_motion;
    HmvpTable hmvp_start, hmvp_best;
  };

  // The cheapest J of node n exactly when it is below budget (its decisions appended to
  // out); otherwise some value >= budget, and the node's state is void (the caller drops the
  // candidate that contains it).
  double search_node(const TreeNode& n, int level, ContextSet& ctx, std::vector<NodeDecision>& out,
                     double budget);
  double search_cu(const TreeNode& n, ContextSet& ctx, CuDecision& d, double budget);
  void save_region(Level& L, const TreeNode& n);
  void restore_region(const Level& L, const TreeNode& n);
  void code_node(const TreeNode& n, const NodeDecision*& p, std::vector<uint8_t>& splits);

  PictureState& s_;
  CuCoder& cu_;
  ModeController& mc_;
  IntraSearch& intra_;
  InterSearch* inter_;
  std::vector<Level> level_;
  std::vector<NodeDecision> decisions_;
};

}  // namespace vvc
