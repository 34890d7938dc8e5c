// Mode search of one CU of a P/B slice (single tree): skip with every merge candidate, merge
// with a residual for the two best, AMVP uni-L0 / uni-L1 / bi from the motion search (without
// a residual, and with one for the direction of the best search cost), and intra when the
// mode controller asks for it. Each candidate is coded with the bit estimator and costed
// J = D + lambda * R (+ the deblocking offset); the winner's reconstruction, contexts, motion
// and maps are left in the picture state.
#pragma once
#include <functional>
#include <limits>
#include <vector>

#include "cu/cu_coder.h"
#include "search/deblocking_offset.h"
#include "search/intra_search.h"
#include "search/mode_controller.h"
#include "search/motion_search.h"

namespace vvc {

class InterSearch {
 public:
  static constexpr double kInf = std::numeric_limits<double>::max();

  InterSearch(PictureState& s, CuCoder& cu, IntraSearch& intra, const ModeController& mc,
              DeblockingOffset& edo)
      : s_(s), cu_(cu), intra_(intra), mc_(mc), edo_(edo) {
    for (auto& b : best_rec_) b.resize(kCtuMax * kCtuMax);
  }

  // The cheapest J of CU n when below budget (best: its decision), else some value >= budget
  // and the state is void.
  double search_cu(const TreeNode& n, ContextSet& ctx, CuDecision& best, double budget);

 private:
  // The motion search range towards the reference picture at refPoc (VTM's adaptive search
  // range when the speed settings' asr_min_window > 0, else their search_range).
  int search_range_for(int refPoc) const {
    const InterSpeed& sp = s_.cfg.speed.inter;
    if (sp.asr_min_window <= 0) return sp.search_range;
    return adaptive_search_range(sp.search_range, sp.asr_min_window, sp.asr_gop_size,
                                 s_.pc.slice.poc - refPoc);
  }

  void search_amvr(const TreeNode& n, const MeBlock& blk, const MergeContext& mc,
                   const MeRef (&mer)[2][kMaxRefPics], const int numRefs[2], const MeResult& res,
                   int meBest, const MeConfig& mcfg, const CuDecision& best, bool found,
                   const std::function<double(CuDecision&)>& trial);

  PictureState& s_;
  CuCoder& cu_;
  IntraSearch& intra_;
  const ModeController& mc_;
  DeblockingOffset& edo_;
  MotionSearcher me_;
  ContextSet trial_ctx_, best_ctx_;
  std::vector<Pel> best_rec_[3];  // stride kCtuMax
};

}  // namespace vvc
