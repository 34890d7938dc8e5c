#include "filter/deblock_bs.h"

#include <algorithm>
#include <climits>
#include <cstdlib>

namespace vvc {

namespace {

constexpr int kNoRef = INT_MIN;

bool far(const Mv& a, const Mv& b) {
  // 8.8.3.5: absolute difference >= 8 in units of 1/16 luma sample.
  return std::abs(a.x - b.x) >= 8 || std::abs(a.y - b.y) >= 8;
}

}  // namespace

int motion_bs(const MotionInfo& p, const MotionInfo& q, const RefLists& refs) {
  const int p0 = p.uses(0) ? refs.ref_poc[0][p.ref_idx[0]] : kNoRef;
  const int p1 = p.uses(1) ? refs.ref_poc[1][p.ref_idx[1]] : kNoRef;
  const int q0 = q.uses(0) ? refs.ref_poc[0][q.ref_idx[0]] : kNoRef;
  const int q1 = q.uses(1) ? refs.ref_poc[1][q.ref_idx[1]] : kNoRef;
  // Different reference pictures or a different number of MVs.
  if (!((p0 == q0 && p1 == q1) || (p0 == q1 && p1 == q0))) return 1;
  const Mv mp0 = p.uses(0) ? p.mv[0] : Mv{}, mp1 = p.uses(1) ? p.mv[1] : Mv{};
  const Mv mq0 = q.uses(0) ? q.mv[0] : Mv{}, mq1 = q.uses(1) ? q.mv[1] : Mv{};
  if (p0 != p1) {
    // Each reference picture once per side: compare the MVs pointing at the same picture.
    if (p0 == q0) return far(mq0, mp0) || far(mq1, mp1);
    return far(mq1, mp0) || far(mq0, mp1);
  }
  // Both MVs of each side refer to the same picture: both pairings must differ.
  return (far(mq0, mp0) || far(mq1, mp1)) && (far(mq1, mp0) || far(mq0, mp1));
}

EdgeBs edge_bs(const MotionInfo& p, const MotionInfo& q, const RefLists& refs, bool tbEdge,
               const bool cbfP[3], const bool cbfQ[3]) {
  EdgeBs bs;
  if (!p.is_inter || !q.is_inter) {
    bs.y = bs.cb = bs.cr = 2;
    return bs;
  }
  if (tbEdge) {
    bs.cb = (cbfP[1] || cbfQ[1]) ? 1 : 0;
    bs.cr = (cbfP[2] || cbfQ[2]) ? 1 : 0;
    if (cbfP[0] || cbfQ[0]) {
      bs.y = 1;
      return bs;
    }
  }
  bs.y = static_cast<uint8_t>(motion_bs(p, q, refs));
  return bs;
}

void TbEdgeMap::reset(int lumaWidth, int lumaHeight) {
  width4_ = lumaWidth / 4;
  height4_ = lumaHeight / 4;
  flags_.assign(static_cast<size_t>(width4_) * height4_, 0);
}

void TbEdgeMap::set_tb(int x, int y, int w, int h, bool cbfY, bool cbfCb, bool cbfCr) {
  const int x0 = x / 4, y0 = y / 4;
  const int x1 = std::min(width4_, (x + w) / 4), y1 = std::min(height4_, (y + h) / 4);
  const uint8_t cbf =
      static_cast<uint8_t>((cbfY ? kCbfY : 0) | (cbfCb ? kCbfCb : 0) | (cbfCr ? kCbfCr : 0));
  for (int j = y0; j < y1; ++j)
    for (int i = x0; i < x1; ++i)
      flags_[static_cast<size_t>(j) * width4_ + i] =
          static_cast<uint8_t>(cbf | (i == x0 ? kLeft : 0) | (j == y0 ? kTop : 0));
}

void derive_boundary_strengths(const MotionField& mf, const TbEdgeMap& tb, DeblockGrid& grid,
                               std::vector<uint8_t>* crBs) {
  if (crBs) crBs->assign(grid.units.size(), 0);
  auto cbfs = [](uint8_t f, bool out[3]) {
    out[0] = f & TbEdgeMap::kCbfY;
    out[1] = f & TbEdgeMap::kCbfCb;
    out[2] = f & TbEdgeMap::kCbfCr;
  };
  for (int y4 = 0; y4 < grid.height4; ++y4)
    for (int x4 = 0; x4 < grid.width4; ++x4) {
      DeblockUnit& u = grid.at(x4, y4);
      u.bs_v = u.bs_h = u.bs_v_c = u.bs_h_c = 0;
      const uint8_t fq = tb.at4(x4, y4);
      const MotionInfo& q = mf.at(x4 * 4, y4 * 4);
      bool cq[3], cp[3];
      cbfs(fq, cq);
      for (int dir = 0; dir < 2; ++dir) {  // 0: vertical edge (left), 1: horizontal (top)
        const bool vertical = dir == 0;
        if (vertical ? x4 == 0 : y4 == 0) continue;  // picture boundary: never filtered
        if (!(fq & (vertical ? TbEdgeMap::kLeft : TbEdgeMap::kTop))) continue;
        const int px4 = vertical ? x4 - 1 : x4, py4 = vertical ? y4 : y4 - 1;
        cbfs(tb.at4(px4, py4), cp);
        const EdgeBs bs = edge_bs(mf.at(px4 * 4, py4 * 4), q, mf.refs, true, cp, cq);
        const bool chromaGrid = ((vertical ? x4 : y4) & 3) == 0;  // 8-sample chroma grid
        if (vertical) {
          u.bs_v = bs.y;
          if (chromaGrid) u.bs_v_c = bs.cb;
        } else {
          u.bs_h = bs.y;
          if (chromaGrid) u.bs_h_c = bs.cb;
        }
        if (crBs && chromaGrid)
          (*crBs)[static_cast<size_t>(y4) * grid.width4 + x4] |=
              static_cast<uint8_t>(bs.cr << (vertical ? 0 : 2));
      }
    }
}

void deblock_picture_split_chroma(Picture& pic, const DeblockGrid& grid,
                                  const std::vector<uint8_t>& crBs, const DeblockParams& params) {
  bool differ = false;
  for (size_t i = 0; i < grid.units.size() && !differ; ++i)
    differ = (grid.units[i].bs_v_c != (crBs[i] & 3)) || (grid.units[i].bs_h_c != (crBs[i] >> 2));
  if (!differ) {
    deblock_picture(pic, grid, params);
    return;
  }
  DeblockGrid crGrid = grid;
  for (size_t i = 0; i < crGrid.units.size(); ++i) {
    crGrid.units[i].bs_v_c = crBs[i] & 3;
    crGrid.units[i].bs_h_c = crBs[i] >> 2;
  }
  Picture crPic = pic;
  deblock_picture(crPic, crGrid, params);
  deblock_picture(pic, grid, params);
  pic.comp[kCr] = std::move(crPic.comp[kCr]);
}

}  // namespace vvc
