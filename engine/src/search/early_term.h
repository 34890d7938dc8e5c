// Early terminations of the inter (single-tree, P/B slice) split search, the content-free
// rules VVenC's EncModeCtrl::trySplit applies in its 'slower' preset (fast QT/BT encoding,
// fast TT split, skip history). Encoder-only decisions: they only choose which split modes
// the RD search tries at a node, never any syntax, so every stream stays conforming.
//
// The search tries the no-split CU first, then the splits in split_order(): QT first when
// qt_before_bt (the neighbours are split deeper than this node), else last. Before each
// split it asks try_split(); after each trial it reports the outcome to the node's state.
#pragma once
#include <cstdint>
#include <limits>

#include "partition/split_oracle.h"
#include "search/early_term_rules.h"

namespace vvc {

// What the rules read about the node being searched.
struct EtNode {
  int w = 0, h = 0;
  int qt_depth = 0, mtt_depth = 0;
  int level = 0;  // residual-capable ancestors of the node (0: the top such node)
};

// Per-picture parameters of the rules.
struct EtParams {
  // VVenC's m_skipThresholdE0023FastEnc: no split below a skip CU at this mtt depth or deeper
  // (2 when the nearest reference picture is at POC distance 1, else 3).
  int skip_mtt_depth = 3;
  // fast TT split: TT_X only when BT_X costs at most this factor times the no-split CU and
  // the other BT (VVenC TT_THRESHOLDS[0] of m_fastTTSplit = 1).
  double tt_factor = 1.1;
  // Which rules apply (bits of EtRule): the ones that paid in paired runs (see kEtDefault).
  unsigned rules = kEtDefaultRules;
};

// VVenC's CodedCUInfo (relatedCU) reduced to what the inter search reads: per block area of
// the current CTU (position and size; the same area is reached through several split paths),
// whether its no-split CU was a skip or an intra CU. Such a block gets no motion search when
// it is searched again (EncModeCtrl::tryMode, ETM_INTER_ME).
class EtBlockCache {
 public:
  void reset();  // at the start of every CTU
  // x, y: luma position (only the position inside the 128x128 CTU matters); w, h: 8..128,
  // powers of two.
  void note(int x, int y, int w, int h, bool skip, bool intra);
  bool skip_or_intra(int x, int y, int w, int h) const { return flags_[index(x, y, w, h)] != 0; }

 private:
  static int index(int x, int y, int w, int h);
  uint8_t flags_[25 * 32 * 32] = {};
};

// What the search learned at one node so far.
struct EtNodeState {
  static constexpr double kInf = std::numeric_limits<double>::max();
  bool qt_before_bt = true;
  bool nosplit_skip = false;           // best no-split CU is a skip CU
  bool nosplit_residual = false;       // best no-split CU codes a residual
  bool split_tried = false;            // some split of this node was tried already
  bool best_is_nosplit = false;        // the best candidate so far is the no-split CU
  bool best_children_unsplit = false;  // the best so far is a split into unsplit CUs
  bool did_bt[2] = {false, false};     // BT_H, BT_V tried
  double cost_none = kInf;             // J of the best no-split CU
  double cost_bt[2] = {kInf, kInf};    // J of BT_H / BT_V (kInf: not tried or cut off)
  bool do_tt[2] = {true, true};        // TT_H / TT_V still worth trying (BT shape rule)
  int max_qt_sub_depth = -1;           // deepest cqtDepth of the QT trial's CUs (-1: none)
  int skip_score = 0;  // consecutive ancestors whose best no-split CU was skip (when this is)
  // The node can hold a CU with a residual (at most 64x64): only such nodes count in the skip
  // history (a 128-sample CU can only be skip or residual-free AMVP here).
  bool residual_capable = false;
};

// qtBeforeBt of VVenC's initCULevel: QT is tried before the multi-type splits when the left
// and above CUs (those available) are split deeper by QT than this node, or when neither is
// available and the node is at least 32 << temporal id wide; only for nodes wider than twice
// the minimum QT size. qtL / qtA < 0: neighbour unavailable.
bool et_qt_before_bt(const EtNode& n, int qtL, int qtA, int temporalId, int minQtSize);

// The order in which the splits of a node are tried (after kNone): QT first or last.
void et_split_order(bool qtBeforeBt, SplitMode order[5]);

// Whether split mode m (not kNone) is worth trying at node n given what was learned so far.
bool et_try_split(const EtNode& n, const EtNodeState& s, SplitMode m, const EtParams& p);

// After a BT trial: VVenC's doTriHorzSplit / doTriVertSplit. firstExtent / lastExtent: the
// height (BT_H) or width (BT_V) of the first and last CU of the BT result, numCus its CU
// count; half = node height (BT_H) or width (BT_V) / 2; lastMttLevel: the BT children are at
// the maximum mtt depth. TT in that direction stays worth trying only when the result has
// two CUs, or its first or last CU was split further across the same direction.
bool et_do_tt_after_bt(int numCus, int firstExtent, int lastExtent, int half, bool lastMttLevel);

}  // namespace vvc
