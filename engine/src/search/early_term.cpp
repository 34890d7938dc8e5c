#include "search/early_term.h"

#include <cstring>

namespace vvc {

bool et_qt_before_bt(const EtNode& n, int qtL, int qtA, int temporalId, int minQtSize) {
  if (n.w <= 2 * minQtSize) return false;
  const bool availL = qtL >= 0, availA = qtA >= 0;
  if (availL && availA) return qtL > n.qt_depth && qtA > n.qt_depth;
  if (availL) return qtL > n.qt_depth;
  if (availA) return qtA > n.qt_depth;
  return n.w >= (32 << temporalId);
}

void et_split_order(bool qtBeforeBt, SplitMode order[5]) {
  int k = 0;
  if (qtBeforeBt) order[k++] = SplitMode::kQt;
  for (SplitMode m : {SplitMode::kBtH, SplitMode::kBtV, SplitMode::kTtH, SplitMode::kTtV})
    order[k++] = m;
  if (!qtBeforeBt) order[k++] = SplitMode::kQt;
}

bool et_try_split(const EtNode& n, const EtNodeState& s, SplitMode m, const EtParams& p) {
  // Skip history: the no-split CU and the ones of the last two residual-capable ancestors
  // (the last one when that is the top such node) are skip CUs: the area is static,
  // splitting rarely pays.
  const unsigned r = p.rules;
  if ((r & kEtSkipHistory) && s.nosplit_skip &&
      (s.skip_score >= 2 || (s.skip_score == 1 && n.level == 1)))
    return false;
  // A skip CU deep in the multi-type tree is not split at all (VVenC E0023 rule).
  if ((r & kEtSkipMtt) && s.nosplit_skip && !s.split_tried && n.mtt_depth >= p.skip_mtt_depth)
    return false;
  switch (m) {
    case SplitMode::kQt:
      // Tried after the BTs: not when neither BT beat the no-split CU or a split into two
      // unsplit CUs won (blocks of at most 64x64).
      if ((r & kEtQtLate) && !s.qt_before_bt && s.did_bt[0] && s.did_bt[1] && n.w <= 64 &&
          n.h <= 64 && (s.best_is_nosplit || s.best_children_unsplit))
        return false;
      return true;
    case SplitMode::kBtH:
    case SplitMode::kBtV:
      // QT tried first and its CUs went at least two QT levels deeper: no MTT here.
      return !((r & kEtQtSubDepth) && s.qt_before_bt && s.max_qt_sub_depth > n.qt_depth + 1);
    case SplitMode::kTtH:
    case SplitMode::kTtV: {
      if ((r & kEtQtSubDepth) && s.qt_before_bt && s.max_qt_sub_depth > n.qt_depth + 1)
        return false;
      const int d = m == SplitMode::kTtH ? 0 : 1;
      // The BT of the same direction did not beat a residual-free no-split CU.
      if ((r & kEtTtNoResidual) && s.did_bt[d] && s.best_is_nosplit && !s.nosplit_residual)
        return false;
      if ((r & kEtTtShape) && !s.do_tt[d]) return false;
      // fast TT: the BT of the same direction is clearly worse than the no-split CU or the
      // other BT (a BT trial cut off by the bound counts as clearly worse).
      if ((r & kEtFastTt) && s.did_bt[d] &&
          (s.cost_bt[d] < EtNodeState::kInf || (r & kEtFastTtCutOff))) {
        if (s.cost_none < EtNodeState::kInf && s.cost_bt[d] > p.tt_factor * s.cost_none)
          return false;
        if (s.cost_bt[1 - d] < EtNodeState::kInf && s.cost_bt[d] > p.tt_factor * s.cost_bt[1 - d])
          return false;
      }
      return true;
    }
    case SplitMode::kNone:
      break;
  }
  return true;
}

bool et_do_tt_after_bt(int numCus, int firstExtent, int lastExtent, int half, bool lastMttLevel) {
  if (numCus <= 2) return true;
  return firstExtent < half || lastExtent < half || lastMttLevel;
}

void EtBlockCache::reset() {
  std::memset(flags_, 0, sizeof(flags_));
}

int EtBlockCache::index(int x, int y, int w, int h) {
  const int lw = 31 - __builtin_clz(static_cast<unsigned>(w)) - 3;
  const int lh = 31 - __builtin_clz(static_cast<unsigned>(h)) - 3;
  return ((lw * 5 + lh) * 32 + ((y & 127) >> 2)) * 32 + ((x & 127) >> 2);
}

void EtBlockCache::note(int x, int y, int w, int h, bool skip, bool intra) {
  if (skip || intra) flags_[index(x, y, w, h)] = 1;
}

}  // namespace vvc
