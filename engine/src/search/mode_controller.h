// The mode controller: the one place that answers "try this split / this mode?" for the
// searches of a picture (like VVenC's EncModeCtrl). It holds the decision chain of the split
// search (the split oracle: the exhaustive one, the CNN's, a logger; the encoder restrictions
// of inter slices), the early terminations of the inter split search
// (search/early_term.h), the SATD pre-selection of intra modes with VTM's PBIntraFast, and
// the rules that skip the motion search or the intra search of an inter CU. Every answer is a
// function of SpeedSettings and of what the search has seen; none changes any syntax.
#pragma once
#include <cstdint>
#include <vector>

#include "cu/cu_decision.h"
#include "encoder/speed_settings.h"
#include "partition/split_oracle.h"
#include "picture/picture_state.h"
#include "search/early_term.h"

namespace vvc {

class ModeController {
 public:
  static constexpr int kMaxLevels = 24;  // coding-tree recursion depth (qt + mtt + boundary)
  static constexpr int kNumLumaModes = 67;

  ModeController(const PictureState& s, SplitOracle& oracle);

  // ---- the split search ----
  void begin_ctu() { etcache_.reset(); }
  // Which of the choosable splits (and kNone) of node n the search tries.
  SplitMask splits_to_try(const TreeNode& n, SplitMask choosable) const;
  // Starts node n at recursion level `level` (inside: the node lies in the picture) and gives
  // the order in which its split modes are tried (kNone first).
  void begin_node(const TreeNode& n, int level, bool inside, SplitMode order[kNumSplitModes]);
  // Whether split mode `mode` of the node at `level` is worth its trial after the ones before.
  bool try_split(int level, SplitMode mode) const;
  // The outcome of a trial at `level`: its cost (>= bound: cut off) and its decisions
  // (pre-order, the node's own first; nk children for a split).
  void after_trial(const TreeNode& n, int level, SplitMode mode, double cost, double bound,
                   const std::vector<NodeDecision>& trial, int nk);
  // What the split log records of a coded tree, and the picture's end.
  void record_tree(const CtuTreeRecord& rec) { oracle_.record_tree(rec); }
  void end_picture() { oracle_.end_picture(); }
  // The nearest reference picture (smallest POC distance, L0 first), -1 without one.
  int nearest_ref_poc() const;

  // ---- intra modes ----
  // The luma modes of a CU that get a full RD trial, best first (cand, at most
  // IntraSpeed::kMaxFullRdModes + 6): the SATD pre-selection over all 67 modes with their
  // signalling cost, then the MPMs; in inter slices (interHad < kInf, the best inter
  // prediction's SATD) PBIntraFast may shorten the list or empty it. Returns its length.
  int luma_rd_candidates(const uint32_t satds[kNumLumaModes],
                         const uint32_t modeBits[kNumLumaModes], const int mpm[6], double interHad,
                         int* cand) const;
  // The SATD the PBIntraFast rule compares with (kInf: the rule is off).
  double pb_intra_had(double interHad) const;
  // Of the chroma modes pre-selected by SATD (modes[] sorted by cost, nm of them), the ones
  // that get no full RD trial.
  static void chroma_rd_skips(const int* modes, int nm, bool* skipMode);

  // ---- inter CUs ----
  // Whether the motion search of block n runs (not where the same block was a skip or intra
  // CU through another split path).
  bool try_motion_search(const TreeNode& n) const;
  // Whether an inter CU tries AMVP with the MVD at precision AmvrShift amvrShift (integer or
  // four samples), given its best candidate so far (found: some candidate fit the budget):
  // integer when an AMVP CU is the best, four samples when the integer one is.
  bool try_amvr(int amvrShift, const CuDecision& best, bool found) const;
  // Whether an inter-slice CU tries intra after its best inter candidate (kind / coded of
  // the best one; found: some inter candidate fit the budget).
  static bool try_intra_in_inter(const CuDecision& best, bool found);

 private:
  SplitQuery split_query(const TreeNode& n, SplitMask choosable) const;

  const PictureState& s_;
  SplitOracle& oracle_;
  const SpeedSettings& speed_;
  EtParams etp_;
  EtBlockCache etcache_;  // per CTU: blocks whose no-split CU was skip / intra
  struct NodeState {
    bool fast = false;  // the early terminations apply at this node
    EtNode node;
    EtNodeState et;
  };
  NodeState level_[kMaxLevels];
};

}  // namespace vvc
