#include "nn/split_rule.h"

#include <algorithm>

namespace vvc {

namespace {

// Sum and count of the 4-sample segments of a vertical line at column `cx` (luma, CTU-relative)
// from row y0 to y0+h: map value of unit (i, cx/4) = its left edge.
void vertical_line(const CtuMaps& m, int map, int cx, int y0, int h, int& sum, int& count) {
  const int j = cx >> 2;
  if (j <= 0 || j >= kNnMapSize) return;
  const int i0 = y0 >> 2, i1 = std::min((y0 + h) >> 2, kNnMapSize);
  for (int i = i0; i < i1; ++i) sum += m.at(map, i, j);
  count += std::max(0, i1 - i0);
}

void horizontal_line(const CtuMaps& m, int map, int cy, int x0, int w, int& sum, int& count) {
  const int i = cy >> 2;
  if (i <= 0 || i >= kNnMapSize) return;
  const int j0 = x0 >> 2, j1 = std::min((x0 + w) >> 2, kNnMapSize);
  for (int j = j0; j < j1; ++j) sum += m.at(map, i, j);
  count += std::max(0, j1 - j0);
}

}  // namespace

double nn_split_score(const CtuMaps& maps, int lx, int ly, int w, int h, TreeType tree,
                      SplitMode mode) {
  const int vmap = tree == TreeType::kDualChroma ? 2 : 0;
  const int hmap = vmap + 1;
  int sum = 0, count = 0;
  switch (mode) {
    case SplitMode::kNone:
      return 1.0;
    case SplitMode::kQt:
      vertical_line(maps, vmap, lx + w / 2, ly, h, sum, count);
      horizontal_line(maps, hmap, ly + h / 2, lx, w, sum, count);
      break;
    case SplitMode::kBtV:
      vertical_line(maps, vmap, lx + w / 2, ly, h, sum, count);
      break;
    case SplitMode::kBtH:
      horizontal_line(maps, hmap, ly + h / 2, lx, w, sum, count);
      break;
    case SplitMode::kTtV:
      vertical_line(maps, vmap, lx + w / 4, ly, h, sum, count);
      vertical_line(maps, vmap, lx + 3 * w / 4, ly, h, sum, count);
      break;
    case SplitMode::kTtH:
      horizontal_line(maps, hmap, ly + h / 4, lx, w, sum, count);
      horizontal_line(maps, hmap, ly + 3 * h / 4, lx, w, sum, count);
      break;
  }
  return count ? sum / (255.0 * count) : 1.0;
}

// The allowed modes the thresholds th let through: splits scoring >= their absolute threshold and
// >= (best split score) - th.margin; "no split" unless the node is at least kNnNoneSkipMin wide
// and high and its best split scores >= th.none_skip (and is tried).
static SplitMask passing(const CtuMaps& maps, int lx, int ly, int w, int h, TreeType tree,
                         SplitMask allowed, NnThresholds th) {
  double score[kNumSplitModes] = {};
  double best = -1;
  int bestMode = -1;
  for (int m = 1; m < kNumSplitModes; ++m) {
    if (!has_split(allowed, static_cast<SplitMode>(m))) continue;
    score[m] = nn_split_score(maps, lx, ly, w, h, tree, static_cast<SplitMode>(m));
    if (score[m] > best) {
      best = score[m];
      bestMode = m;
    }
  }
  SplitMask out = 0;
  for (int m = 1; m < kNumSplitModes; ++m) {
    const SplitMode mode = static_cast<SplitMode>(m);
    if (!has_split(allowed, mode)) continue;
    const bool tt = mode == SplitMode::kTtH || mode == SplitMode::kTtV;
    if (score[m] >= (tt ? th.tt : th.split) && score[m] >= best - th.margin)
      out = static_cast<SplitMask>(out | split_bit(mode));
  }
  if (has_split(allowed, SplitMode::kNone)) {
    const bool skipNone = w >= kNnNoneSkipMin && h >= kNnNoneSkipMin && bestMode > 0 &&
                          best >= th.none_skip && (out & (1u << bestMode));
    if (!skipNone) out = static_cast<SplitMask>(out | split_bit(SplitMode::kNone));
  }
  return out;
}

static SplitMask best_of(const CtuMaps& maps, int lx, int ly, int w, int h, TreeType tree,
                         SplitMask among) {
  SplitMask best = 0;
  double bestScore = -1;
  for (int m = 0; m < kNumSplitModes; ++m) {
    const SplitMode mode = static_cast<SplitMode>(m);
    if (!has_split(among, mode)) continue;
    const double s = nn_split_score(maps, lx, ly, w, h, tree, mode);
    if (s > bestScore) {
      bestScore = s;
      best = split_bit(mode);
    }
  }
  return best;
}

SplitMask nn_splits_to_try(const CtuMaps& maps, int lx, int ly, int w, int h, TreeType tree,
                           SplitMask allowed, int level, bool inter, int qp) {
  if (level <= 0 || maps.data == nullptr) return allowed;
  if (tree == TreeType::kDualChroma && level < kNnChromaMinLevel) return allowed;
  level = std::min(level, kNnMaxLevel);
  // Nothing passes (only at picture boundaries, where "no split" is not allowed): the best
  // split of the highest lower level at which something passes (level 0: the allowed set).
  // A split chosen so was tried at that lower level and at every level in between, so a higher
  // level still never tries a mode that a lower one does not (also with TT's own thresholds).
  for (int l = level; l >= 1; --l) {
    const SplitMask s =
        passing(maps, lx, ly, w, h, tree, allowed, nn_level_thresholds(l, inter, qp));
    if (s) return l == level ? s : best_of(maps, lx, ly, w, h, tree, s);
  }
  return best_of(maps, lx, ly, w, h, tree, allowed);
}

SplitMask nn_splits_to_try(const CtuMaps& maps, int lx, int ly, int w, int h, TreeType tree,
                           SplitMask allowed, NnThresholds th) {
  if ((th.split <= 0 && th.tt <= 0 && th.margin >= 1 && th.none_skip > 1) || maps.data == nullptr)
    return allowed;
  const SplitMask out = passing(maps, lx, ly, w, h, tree, allowed, th);
  return out ? out : best_of(maps, lx, ly, w, h, tree, allowed);
}

}  // namespace vvc
