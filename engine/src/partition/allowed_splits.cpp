#include "partition/allowed_splits.h"

namespace vvc {

SplitLimits split_limits(const EncoderConfig& cfg, SliceType st, TreeType tree) {
  SplitLimits l;
  l.pic_w = cfg.width;
  l.pic_h = cfg.height;
  l.min_cb = 1 << cfg.log2_min_cb;
  l.max_tb = cfg.max_tb_64 ? 64 : 32;
  if (st == SliceType::I)
    l.lim = tree == TreeType::kDualChroma ? cfg.intra_chroma : cfg.intra_luma;
  else
    l.lim = cfg.inter;
  return l;
}

SplitMask allowed_splits(const TreeNode& n, const SplitLimits& l) {
  const bool chroma = n.tree == TreeType::kDualChroma;
  const int cw = n.w / 2, ch = n.h / 2;  // chroma block size (4:2:0)
  const bool crossR = n.x + n.w > l.pic_w;
  const bool crossB = n.y + n.h > l.pic_h;

  // 6.4.1 allowed quad split (cbSize = cbWidth; QT nodes are square).
  bool qt = true;
  if (n.w <= l.lim.min_qt) qt = false;
  if (n.mtt_depth != 0) qt = false;
  if (chroma && cw <= 4) qt = false;

  // 6.4.2 allowed binary split.
  const int maxMtt = l.lim.max_mtt_depth + n.depth_offset;
  bool btv = true, bth = true;
  if (n.w <= l.min_cb) btv = false;  // cbSize <= MinBtSizeY
  if (n.h <= l.min_cb) bth = false;
  if (n.w > l.lim.max_bt || n.h > l.lim.max_bt) btv = bth = false;
  if (n.mtt_depth >= maxMtt) btv = bth = false;
  if (chroma && cw * ch <= 16) btv = bth = false;
  if (chroma && cw == 4) btv = false;
  if (crossR) {
    if (n.h > l.max_tb) btv = false;  // BT_VER, x0 + cbWidth > pic w, cbHeight > MaxTb
    if (!crossB)
      bth = false;  // BT_HOR at the right boundary only
    else if (n.w > l.lim.min_qt)
      btv = bth = false;  // both boundaries: QT must be used
  }
  if (crossB) {
    btv = false;                      // BT_VER at the bottom boundary
    if (n.w > l.max_tb) bth = false;  // BT_HOR, cbWidth > MaxTb
  }
  if (n.mtt_depth > 0 && n.part_idx == 1) {
    // No binary split of a ternary middle part in the parent's direction.
    if (n.parent_split == SplitMode::kTtV) btv = false;
    if (n.parent_split == SplitMode::kTtH) bth = false;
  }
  if (n.w <= l.max_tb && n.h > l.max_tb) btv = false;
  if (n.w > l.max_tb && n.h <= l.max_tb) bth = false;

  // 6.4.3 allowed ternary split.
  bool ttv = true, tth = true;
  const int maxTt = l.lim.max_tt < l.max_tb ? l.lim.max_tt : l.max_tb;
  if (n.w <= 2 * l.min_cb) ttv = false;
  if (n.h <= 2 * l.min_cb) tth = false;
  if (n.w > maxTt || n.h > maxTt) ttv = tth = false;
  if (n.mtt_depth >= maxMtt) ttv = tth = false;
  if (crossR || crossB) ttv = tth = false;
  if (chroma && cw * ch <= 32) ttv = tth = false;
  if (chroma && cw == 8) ttv = false;

  // modeType restrictions (6.4.1-6.4.3): MODE_TYPE_INTER forbids BT of 32-sample and TT of
  // 64-sample nodes (no 4x4 inter blocks); the chroma part of a MODE_TYPE_INTRA area is not
  // split at all (local dual tree).
  if (n.mode_type == ModeType::kInter) {
    if (n.w * n.h == 32) btv = bth = false;
    if (n.w * n.h == 64) ttv = tth = false;
  }
  if (chroma && n.mode_type == ModeType::kIntra) qt = btv = bth = ttv = tth = false;

  SplitMask m = 0;
  if (qt) m |= split_bit(SplitMode::kQt);
  if (bth) m |= split_bit(SplitMode::kBtH);
  if (btv) m |= split_bit(SplitMode::kBtV);
  if (tth) m |= split_bit(SplitMode::kTtH);
  if (ttv) m |= split_bit(SplitMode::kTtV);
  return m;
}

SplitMask choosable_modes(const TreeNode& n, const SplitLimits& l) {
  SplitMask m = allowed_splits(n, l);
  if (node_inside(n, l)) m |= split_bit(SplitMode::kNone);
  return m;
}

SplitSyntax split_syntax(SplitMode mode, SplitMask allowed, bool inside) {
  SplitSyntax s;
  const bool qt = has_split(allowed, SplitMode::kQt);
  const bool bth = has_split(allowed, SplitMode::kBtH), btv = has_split(allowed, SplitMode::kBtV);
  const bool tth = has_split(allowed, SplitMode::kTtH), ttv = has_split(allowed, SplitMode::kTtV);
  const bool anyMtt = bth || btv || tth || ttv;
  s.split_cu = mode != SplitMode::kNone;
  s.split_cu_present = (anyMtt || qt) && inside;
  if (!s.split_cu) return s;
  s.qt = mode == SplitMode::kQt;
  s.qt_present = anyMtt && qt;
  if (s.qt) return s;
  s.vertical = mode == SplitMode::kBtV || mode == SplitMode::kTtV;
  s.vertical_present = (bth || tth) && (btv || ttv);
  s.binary = mode == SplitMode::kBtH || mode == SplitMode::kBtV;
  s.binary_present = (btv && ttv && s.vertical) || (bth && tth && !s.vertical);
  return s;
}

int split_children(const TreeNode& n, SplitMode mode, const SplitLimits& l, TreeNode out[4]) {
  if (mode == SplitMode::kNone) return 0;
  TreeNode c = n;
  c.parent_split = mode;
  int cnt = 0;
  auto push = [&](int x, int y, int w, int h, int idx) {
    if (x >= l.pic_w || y >= l.pic_h) return;  // not coded (outside the picture)
    TreeNode k = c;
    k.x = x;
    k.y = y;
    k.w = w;
    k.h = h;
    k.part_idx = idx;
    out[cnt++] = k;
  };
  switch (mode) {
    case SplitMode::kQt:
      c.qt_depth = n.qt_depth + 1;
      c.mtt_depth = 0;
      c.depth_offset = 0;
      push(n.x, n.y, n.w / 2, n.h / 2, 0);
      push(n.x + n.w / 2, n.y, n.w / 2, n.h / 2, 1);
      push(n.x, n.y + n.h / 2, n.w / 2, n.h / 2, 2);
      push(n.x + n.w / 2, n.y + n.h / 2, n.w / 2, n.h / 2, 3);
      break;
    case SplitMode::kBtV:
      c.mtt_depth = n.mtt_depth + 1;
      if (n.x + n.w > l.pic_w) c.depth_offset = n.depth_offset + 1;
      push(n.x, n.y, n.w / 2, n.h, 0);
      push(n.x + n.w / 2, n.y, n.w / 2, n.h, 1);
      break;
    case SplitMode::kBtH:
      c.mtt_depth = n.mtt_depth + 1;
      if (n.y + n.h > l.pic_h) c.depth_offset = n.depth_offset + 1;
      push(n.x, n.y, n.w, n.h / 2, 0);
      push(n.x, n.y + n.h / 2, n.w, n.h / 2, 1);
      break;
    case SplitMode::kTtV:
      c.mtt_depth = n.mtt_depth + 1;
      push(n.x, n.y, n.w / 4, n.h, 0);
      push(n.x + n.w / 4, n.y, n.w / 2, n.h, 1);
      push(n.x + 3 * n.w / 4, n.y, n.w / 4, n.h, 2);
      break;
    case SplitMode::kTtH:
      c.mtt_depth = n.mtt_depth + 1;
      push(n.x, n.y, n.w, n.h / 4, 0);
      push(n.x, n.y + n.h / 4, n.w, n.h / 2, 1);
      push(n.x, n.y + 3 * n.h / 4, n.w, n.h / 4, 2);
      break;
    case SplitMode::kNone:
      break;
  }
  return cnt;
}

}  // namespace vvc
