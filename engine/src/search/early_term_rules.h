// The early-termination rules of the P/B split search as flags (search/early_term.h applies
// them; SpeedSettings::partition picks the set), apart so that the speed settings need nothing
// else of the search.
#pragma once

namespace vvc {

enum EtRule : unsigned {
  kEtSkipHistory = 1u << 0,   // skip CUs here and at the last ancestors: no split
  kEtSkipMtt = 1u << 1,       // skip CU at mtt depth >= skip_mtt_depth: no split
  kEtQtLate = 1u << 2,        // QT after the BTs unless qtBeforeBt, skipped when they lose
  kEtQtSubDepth = 1u << 3,    // QT first and two QT levels deeper: no MTT
  kEtTtNoResidual = 1u << 4,  // BT_X lost to a residual-free no-split CU: no TT_X
  kEtTtShape = 1u << 5,       // BT_X result's outer CUs not split across: no TT_X
  kEtFastTt = 1u << 6,        // BT_X worse than tt_factor x no-split / other BT: no TT_X
  kEtFastTtCutOff = 1u << 7,  // ... counting a BT_X cut off by the bound as worse
  kEtRelatedNoMe = 1u << 8,   // no motion search where the same block was skip / intra
};
// Default set: the rules that paid in their screening (docs/search-speed.md).
constexpr unsigned kEtDefaultRules = kEtFastTt | kEtFastTtCutOff;

}  // namespace vvc
