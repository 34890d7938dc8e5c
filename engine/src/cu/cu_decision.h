// How one CU is coded (what the search decides and CU coding carries out) and one node of a
// coding tree's decisions, in the pre-order the tree is coded.
#pragma once
#include <cstdint>

#include "inter/inter_syntax.h"
#include "inter/mv.h"

namespace vvc {

struct CuDecision {
  enum Kind : uint8_t { kSkip = 0, kMerge = 1, kAmvp = 2, kIntra = 3 };
  uint8_t kind = kSkip;  // kMerge: merge with a residual
  bool coded = false;    // AMVP: cu_coded_flag (in: try a residual; out: one was coded)
  InterPuSyntax pu;
  MotionInfo mi;
  // Intra: the luma mode (0..66) and intra_chroma_pred_mode (0..4, 5..7 CCLM); a dual-tree CU
  // uses the one of its tree.
  uint8_t luma_mode = 0, chroma_mode = 4;
  int8_t nz[3] = {0, 0, 0};  // nonzero coefficients per component (out of a trial)
};

struct NodeDecision {
  uint8_t split = 0;  // SplitMode
  CuDecision cu;      // when split is kNone
};

}  // namespace vvc
