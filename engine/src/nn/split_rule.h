// The decision rule that turns the CNN's boundary-probability maps into the set of split modes
// the coding-tree search tries at a node (docs/predictor-protocol.md, "Decision rule").
//
// Maps (one CTU, 4 x 32 x 32 uint8, probability x 255, 4x4-luma-unit granularity):
//   map 0: the luma (or single-tree) partition has a vertical boundary on the LEFT edge of
//          unit (row i, column j); map 1: a horizontal boundary on its TOP edge;
//   maps 2, 3: the same for the dual-tree chroma partition (in luma units).
// At node (x, y, w, h) of an intra (I slice) or inter (P/B) picture, with that kind's parameters
// of the level, a split S is tried iff score(S) >= t (QT, BT) or >= t_tt (TT: three children,
// rarely chosen, so it gets its own, higher threshold) and score(S) >= best - m (best: the highest
// score of the allowed splits at the node); score(S) = the mean over the 4-sample segments of the
// boundary lines S introduces inside the node (QT: the vertical line at x+w/2 and the horizontal
// one at y+h/2; BT_V: x+w/2; BT_H: y+h/2; TT_V: x+w/4 and x+3w/4; TT_H likewise) of the matching
// map, divided by 255. "No split" is tried when allowed, except at nodes of at least 32x32 where
// best >= n (and that split passes). If nothing would be tried (a picture-boundary node where "no
// split" is not allowed), the highest-scoring split of the highest lower level at which something
// passes is (ties: the lowest mode number; level 0 = the allowed set) -- not the whole allowed
// set, which would break monotonicity. t and t_tt rise, m and n fall with the level (and an
// active n is >= t and t_tt), so a higher level never tries more splits at any node.
#pragma once
#include <cmath>
#include <cstdint>

#include "partition/split_oracle.h"

namespace vvc {

constexpr int kNnMaxLevel = 5;
constexpr int kNnMapSize = 32;  // 4x4 units per 128 CTU side
constexpr int kNnNumMaps = 4;
constexpr int kNnCtuSize = 128;
// Per level, separately for intra (I slices) and inter (P/B) pictures, the thresholds t (QT,
// BT) and t_tt (TT), the margin m and the none-skip score n, and the rule's other constants:
// nn_levels.def (in vtm_accel/predictors, shared with the Python mirror of the rule).
// One level's row: intra t, t_tt, m, n, then the same for inter pictures.
struct NnLevelRow {
  double t, tt, m, n, inter_t, inter_tt, inter_m, inter_n;
};
#define NN_PARAM(name, value)
#define NN_LEVEL(l, t, tt, m, n, ti, tti, mi, ni) {t, tt, m, n, ti, tti, mi, ni},
constexpr NnLevelRow kNnLevels[] = {
#include "nn_levels.def"
};
#undef NN_LEVEL
#undef NN_PARAM
#define NN_LEVEL(...)
#define NN_PARAM(name, value) constexpr auto kNn##name = value;
#include "nn_levels.def"
#undef NN_PARAM
#undef NN_LEVEL
static_assert(sizeof(kNnLevels) / sizeof(kNnLevels[0]) == kNnMaxLevel + 1,
              "nn_levels.def must list levels 0..kNnMaxLevel");
// One level's parameters for one kind of picture.
struct NnThresholds {
  double split = 0;      // t: QT, BT
  double tt = 0;         // t_tt: TT
  double margin = 1.0;   // m: relative to the best split score at the node
  double none_skip = 2;  // n: skip "no split" at large nodes when the best split scores >= n
};
// The QP factor of a picture's thresholds (1 for qp <= the reference QP of its kind).
inline double nn_qp_scale(int qp, bool inter) {
  const int ref = inter ? kNnInterQpRef : kNnIntraQpRef;
  const double halving = inter ? kNnInterQpHalving : kNnIntraQpHalving;
  return qp <= ref ? 1.0 : std::exp2(-(qp - ref) / halving);
}
// inter: a P/B picture, else an I picture, of slice QP qp (thresholds scaled by nn_qp_scale).
inline NnThresholds nn_level_thresholds(int level, bool inter = false, int qp = 0) {
  level = level < 0 ? 0 : level > kNnMaxLevel ? kNnMaxLevel : level;
  const double f = nn_qp_scale(qp, inter);
  const NnLevelRow& r = kNnLevels[level];
  if (inter) return {r.inter_t * f, r.inter_tt * f, r.inter_m, r.inter_n};
  return {r.t * f, r.tt * f, r.m, r.n};
}

// One CTU's maps, [kNnNumMaps][32][32] row-major.
struct CtuMaps {
  const uint8_t* data = nullptr;
  uint8_t at(int map, int i, int j) const { return data[(map * kNnMapSize + i) * kNnMapSize + j]; }
};

// Mean probability (0..1) of the boundary lines that `mode` introduces inside the node; lx, ly
// are the node's position relative to the CTU origin (luma samples). Returns 1 for kNone (no
// line) and for modes whose lines cannot be placed (degenerate sizes).
double nn_split_score(const CtuMaps& maps, int lx, int ly, int w, int h, TreeType tree,
                      SplitMode mode);

// The rule: the subset of `allowed` to try at the node for `level` (0..kNnMaxLevel) in a P/B
// (`inter`) or I picture of slice QP `qp` (that kind's tables, QP-scaled). The dual-tree chroma
// tree gets `allowed` below kNnChromaMinLevel.
SplitMask nn_splits_to_try(const CtuMaps& maps, int lx, int ly, int w, int h, TreeType tree,
                           SplitMask allowed, int level, bool inter = false, int qp = 0);
// The same with explicit thresholds (t and t_tt zero, m >= 1, n > 1: everything allowed).
SplitMask nn_splits_to_try(const CtuMaps& maps, int lx, int ly, int w, int h, TreeType tree,
                           SplitMask allowed, NnThresholds t);

}  // namespace vvc
