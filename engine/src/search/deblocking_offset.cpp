#include "search/deblocking_offset.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace vvc {

DeblockingOffset::DeblockingOffset(const PictureState& s) : s_(s) {
  params_ = s.deblock_params();
}

double DeblockingOffset::offset(const TreeNode& n, const MotionInfo& mi, bool intra,
                                const int nz[3]) {
  if (!s_.cfg.deblock || !s_.cfg.speed.rdo.deblock_aware) return 0;
  const bool left = n.x > 0, top = n.y > 0;  // edges on the picture boundary are not filtered
  // bS of the CU's edges (8.8.3.5) against the coded neighbours: [0] left, [1] top.
  EdgeBs bs[2][kCtuMax / 4];
  MotionInfo q = mi;
  q.is_inter = !intra;
  const bool cbfQ[3] = {nz[0] > 0, nz[1] > 0, nz[2] > 0};
  bool any = false;
  for (int dir = 0; dir < 2; ++dir) {
    if (dir == 0 ? !left : !top) continue;
    const int len4 = (dir == 0 ? n.h : n.w) >> 2;
    const bool chromaGrid = ((dir == 0 ? n.x : n.y) & 15) == 0;
    for (int k = 0; k < len4; ++k) {
      const int px = dir == 0 ? n.x - 1 : n.x + 4 * k, py = dir == 0 ? n.y + 4 * k : n.y - 1;
      const CuUnit& pu = s_.maps.at(0, px >> 2, py >> 2);
      const bool cbfP[3] = {(pu.cbf & 1) != 0, (pu.cbf & 2) != 0, (pu.cbf & 4) != 0};
      EdgeBs& b = bs[dir][k];
      b = edge_bs(s_.motion->at(px, py), q, s_.rl, true, cbfP, cbfQ);
      if (!chromaGrid) b.cb = b.cr = 0;
      any |= b.y || b.cb || b.cr;
    }
  }
  if (!any) return 0;

  // A local copy of the area from the 16-sample grid (chroma edges lie on multiples of 16)
  // at least 8 luma samples before the edges (all a filter reads on the P side) to the CU's
  // end. Filters change at most 7 luma / 3 chroma samples on each side of an edge, so only
  // the bands of 8 samples around the edges are copied and compared.
  const int ox = left ? std::max(0, (n.x - 8) & ~15) : n.x;
  const int oy = top ? std::max(0, (n.y - 8) & ~15) : n.y;
  const int lw = n.x + n.w - ox, lh = n.y + n.h - oy;
  const int ex = n.x - ox, ey = n.y - oy;  // the edges in local coordinates
  if (pic_.width < kCtuMax + 16) pic_ = Picture(kCtuMax + 16, kCtuMax + 16);
  DeblockGrid& g = grid_;
  g.width4 = lw >> 2;
  g.height4 = lh >> 2;
  g.units.assign(static_cast<size_t>(g.width4) * g.height4, DeblockUnit{});
  const int qp = s_.ctu_qp;  // the neighbours' QpY taken as the CTU's
  auto fill = [&](DeblockUnit& u, int tw, int th) {
    u.tb_w = static_cast<uint8_t>(tw);
    u.tb_h = static_cast<uint8_t>(th);
    u.tb_w_c = static_cast<uint8_t>(tw / 2);
    u.tb_h_c = static_cast<uint8_t>(th / 2);
    u.qp_y = u.qp_y_c = static_cast<int8_t>(qp);
  };
  const int tw = std::min(n.w, 64), th = std::min(n.h, 64);
  for (int dir = 0; dir < 2; ++dir) {
    if (dir == 0 ? !left : !top) continue;
    const int len4 = (dir == 0 ? n.h : n.w) >> 2;
    for (int k = 0; k < len4; ++k) {
      const int qx4 = dir == 0 ? ex >> 2 : (ex >> 2) + k, qy4 = dir == 0 ? (ey >> 2) + k : ey >> 2;
      DeblockUnit& u = g.at(qx4, qy4);
      fill(u, tw, th);
      (dir == 0 ? u.bs_v : u.bs_h) = bs[dir][k].y;
      (dir == 0 ? u.bs_v_c : u.bs_h_c) = bs[dir][k].cb;
      const int px = ox + (dir == 0 ? qx4 - 1 : qx4) * 4, py = oy + (dir == 0 ? qy4 : qy4 - 1) * 4;
      const CuUnit& pu = s_.maps.at(0, px >> 2, py >> 2);
      fill(g.at((px - ox) >> 2, (py - oy) >> 2), std::min(1 << pu.log2w, 64),
           std::min(1 << pu.log2h, 64));
    }
  }
  // The luma columns [a0, a1) of local row y that a filter reads or writes: rows
  // [ey - 8, ey + 8) across the CU's width (top edge), columns [ex - 8, ex + 8) down the CU's
  // height (left edge).
  auto span = [&](int y) -> std::pair<int, int> {
    const bool inTop = top && y >= ey - 8 && y < ey + 8;
    const bool inLeft = left && y >= ey;
    if (inTop) return {inLeft ? ex - 8 : ex, lw};
    if (inLeft) return {ex - 8, ex + 8};
    return {0, 0};
  };
  params_.origin_y = oy;
  double delta = 0;
  for (int c = 0; c < 3; ++c) {
    const int s = c ? 1 : 0;
    Plane& lp = pic_.comp[c];
    const Plane& rp = s_.recon.comp[c];
    const Plane& op = s_.orig.comp[c];
    for (int y = top ? (ey - 8) >> s : ey >> s; y < (lh >> s); ++y) {
      const auto [a0, a1] = span(y << s);
      std::memcpy(lp.row(y) + (a0 >> s), rp.row((oy >> s) + y) + ((ox + a0) >> s),
                  sizeof(Pel) * ((a1 - a0) >> s));
    }
    if (c == 2)  // the Cr pass reads its own bS
      for (int dir = 0; dir < 2; ++dir) {
        if (dir == 0 ? !left : !top) continue;
        const int len4 = (dir == 0 ? n.h : n.w) >> 2;
        for (int k = 0; k < len4; ++k) {
          DeblockUnit& u = dir == 0 ? g.at(ex >> 2, (ey >> 2) + k) : g.at((ex >> 2) + k, ey >> 2);
          (dir == 0 ? u.bs_v_c : u.bs_h_c) = bs[dir][k].cr;
        }
      }
    if (left) deblock_plane(lp, c, g, params_, true);
    if (top) deblock_plane(lp, c, g, params_, false);
    int64_t change = 0;
    for (int y = top ? (ey - 8) >> s : ey >> s; y < (lh >> s); ++y) {
      const auto [a0, a1] = span(y << s);
      const Pel* o = op.row((oy >> s) + y) + ((ox + a0) >> s);
      const Pel* r = rp.row((oy >> s) + y) + ((ox + a0) >> s);
      const Pel* a = lp.row(y) + (a0 >> s);
      int32_t rowChange = 0;  // at most 72 samples of (1023^2) per row
      for (int x = 0; x < ((a1 - a0) >> s); ++x) {
        const int eb = o[x] - r[x], ea = o[x] - a[x];
        rowChange += ea * ea - eb * eb;
      }
      change += rowChange;
    }
    delta += (c ? s_.lambdas.chroma_weight[c] : 1.0) * static_cast<double>(change);
  }
  return delta;
}

}  // namespace vvc
