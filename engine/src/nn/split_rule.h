// The decision rule that turns the CNN's boundary-probability maps into the set of split modes
// the coding-tree search tries at a node (docs/predictor-protocol.md, "Decision rule").
//
// Maps (one CTU, 4 x 32 x 32 uint8, probability x 255, 4x4-luma-unit granularity):
//   map 0: the luma (or single-tree) partition has a vertical boundary on the LEFT edge of
//          unit (row i, column j); map 1: a horizontal boundary on its TOP edge;
//   maps 2, 3: the same for the dual-tree chroma partition (in luma units).
// At node (x, y, w, h) a split S is tried iff score(S) >= t(level) (QT, BT) or >= t_tt(level)
// (TT: three children, rarely chosen, so it gets its own, higher threshold); score(S) = the mean
// over the 4-sample segments of the boundary lines S introduces inside the node (QT: the vertical
// line at x+w/2 and the horizontal one at y+h/2; BT_V: x+w/2; BT_H: y+h/2; TT_V: x+w/4 and x+3w/4;
// TT_H likewise) of the matching map, divided by 255. "No split" is always tried when allowed;
// if nothing would be tried (a picture-boundary node where "no split" is not allowed), the
// highest-scoring split of the highest lower level at which something passes is (ties: the
// lowest mode number; level 0 = the allowed set) -- not the whole allowed set, which would
// break monotonicity. A higher level has a higher threshold, so it
// never tries more splits at any node (monotone by construction: both tables rise with the level).
#pragma once
#include <cstdint>

#include "partition/split_oracle.h"

namespace vvc {

constexpr int kNnMaxLevel = 5;
constexpr int kNnMapSize = 32;  // 4x4 units per 128 CTU side
constexpr int kNnNumMaps = 4;
constexpr int kNnCtuSize = 128;
// t(L) for QT/BT and t_tt(L) for TT: level 0 tries everything (exhaustive search); tuned by the
// model owner on held-out clips (docs/predictor-protocol.md, "Decision rule").
// Tuned 2026-11-29 on the held-out clips' offline replay (vtm_accel/predictors/evaluate.py): level
// 2 (the default) misses ~4% of the exhaustive search's intra splits, ~7% of its inter ones.
constexpr double kNnLevelThreshold[kNnMaxLevel + 1] = {0.0, 0.10, 0.20, 0.25, 0.30, 0.40};
constexpr double kNnLevelTtThreshold[kNnMaxLevel + 1] = {0.0, 0.15, 0.30, 0.38, 0.45, 0.60};

// One level's thresholds.
struct NnThresholds {
  double split = 0;  // QT, BT
  double tt = 0;     // TT
};
inline NnThresholds nn_level_thresholds(int level) {
  level = level < 0 ? 0 : level > kNnMaxLevel ? kNnMaxLevel : level;
  return {kNnLevelThreshold[level], kNnLevelTtThreshold[level]};
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

// The rule: the subset of `allowed` to try at the node for `level` (0..kNnMaxLevel).
SplitMask nn_splits_to_try(const CtuMaps& maps, int lx, int ly, int w, int h, TreeType tree,
                           SplitMask allowed, int level);
// The same with explicit thresholds (all zero: everything allowed).
SplitMask nn_splits_to_try(const CtuMaps& maps, int lx, int ly, int w, int h, TreeType tree,
                           SplitMask allowed, NnThresholds t);

}  // namespace vvc
