#include "inter/merge.h"

#include <algorithm>

namespace vvc {

void HmvpTable::update(const MotionInfo& mi) {
  int remove = -1;
  for (int i = 0; i < num; ++i)
    if (cand[i].same_motion(mi)) {
      remove = i;
      break;
    }
  if (remove < 0 && num == kMaxNumHmvpCand) remove = 0;
  if (remove >= 0) {
    for (int i = remove; i + 1 < num; ++i) cand[i] = cand[i + 1];
    --num;
  }
  cand[num++] = mi;
}

namespace {

// 8.5.2.12: motion vector of the collocated block colMi for list X / refIdx.
bool collocated_mv(const MergeContext& c, const MotionInfo& colMi, int X, int refIdx, Mv& out) {
  if (!colMi.is_inter) return false;
  const RefLists& cur = *c.refs;
  const RefLists& colRefs = c.col->refs;
  int listCol;
  if (!colMi.uses(0))
    listCol = 1;
  else if (!colMi.uses(1))
    listCol = 0;
  else  // bi: X when no reference follows the current picture, else LN, N = from_l0 flag
    listCol = cur.no_backward_pred() ? X : (cur.collocated_from_l0 ? 1 : 0);
  const int refIdxCol = colMi.ref_idx[listCol];
  const bool curLt = cur.long_term[X][refIdx];
  const bool colLt = colRefs.long_term[listCol][refIdxCol];
  if (curLt != colLt) return false;
  const int colPocDiff = colRefs.poc - colRefs.ref_poc[listCol][refIdxCol];
  const int currPocDiff = cur.poc - cur.ref_poc[X][refIdx];
  const Mv mvCol = compress_mv(colMi.mv[listCol]);
  if (curLt || colPocDiff == currPocDiff || colPocDiff == 0)
    out = clip_mv(mvCol);
  else
    out = scale_mv(mvCol, dist_scale_factor(colPocDiff, currPocDiff));
  return true;
}

// Spatial neighbour (xN, yN) when available and inter, else null.
const MotionInfo* neighbour(const MergeContext& c, int xN, int yN, bool checkMer) {
  if (xN < 0 || yN < 0 || xN >= c.pic_w || yN >= c.pic_h) return nullptr;
  if (!c.avail(xN, yN)) return nullptr;
  const MotionInfo& mi = c.field->at(xN, yN);
  if (!mi.is_inter) return nullptr;
  if (checkMer) {
    const int s = c.log2_par_mrg_level;
    if ((xN >> s) == (c.x >> s) && (yN >> s) == (c.y >> s)) return nullptr;
  }
  return &mi;
}

bool same(const MotionInfo* a, const MotionInfo* b) {
  return a && b && a->same_motion(*b);
}

}  // namespace

bool temporal_mv(const MergeContext& c, int X, int refIdx, Mv& out) {
  if (!c.refs || !c.refs->tmvp || !c.col || c.w * c.h <= 32) return false;
  const int xBr = c.x + c.w, yBr = c.y + c.h;
  if ((c.y >> c.ctb_log2) == (yBr >> c.ctb_log2) && yBr < c.pic_h && xBr < c.pic_w &&
      collocated_mv(c, c.col->col_at(xBr, yBr), X, refIdx, out))
    return true;
  const int xCtr = c.x + (c.w >> 1), yCtr = c.y + (c.h >> 1);
  return collocated_mv(c, c.col->col_at(xCtr, yCtr), X, refIdx, out);
}

int build_merge_list(const MergeContext& c, MotionInfo out[kMaxNumMergeCand]) {
  const int maxCand = c.max_num_merge_cand;
  const bool isB = c.refs->is_b;
  int n = 0;

  // 8.5.2.3 spatial candidates, order B1, A1, B0, A0, B2 with the specified pairwise pruning.
  const MotionInfo* b1 = neighbour(c, c.x + c.w - 1, c.y - 1, true);
  const MotionInfo* a1 = neighbour(c, c.x - 1, c.y + c.h - 1, true);
  const MotionInfo* b0 = neighbour(c, c.x + c.w, c.y - 1, true);
  const MotionInfo* a0 = neighbour(c, c.x - 1, c.y + c.h, true);
  if (b1) out[n++] = *b1;
  if (a1 && !same(a1, b1)) out[n++] = *a1;
  if (b0 && !same(b0, b1)) out[n++] = *b0;
  if (a0 && !same(a0, a1)) out[n++] = *a0;
  if (n != 4) {
    const MotionInfo* b2 = neighbour(c, c.x - 1, c.y - 1, true);
    if (b2 && !same(b2, a1) && !same(b2, b1)) out[n++] = *b2;
  }

  // 8.5.2.11 temporal candidate, refIdx 0 in both lists.
  {
    MotionInfo col;
    bool l0 = temporal_mv(c, 0, 0, col.mv[0]);
    bool l1 = isB && temporal_mv(c, 1, 0, col.mv[1]);
    if (l0 || l1) {
      col.is_inter = true;
      col.inter_dir = static_cast<uint8_t>((l0 ? 1 : 0) | (l1 ? 2 : 0));
      col.ref_idx[0] = l0 ? 0 : -1;
      col.ref_idx[1] = l1 ? 0 : -1;
      if (!l0) col.mv[0] = Mv{};
      if (!l1) col.mv[1] = Mv{};
      if (n < maxCand) out[n++] = col;
    }
  }

  // 8.5.2.6 history-based candidates, most recent first; the two most recent are pruned
  // against A1 and B1.
  if (c.hmvp) {
    const HmvpTable& t = *c.hmvp;
    for (int i = 1; i <= t.num && n < maxCand - 1; ++i) {
      const MotionInfo& hc = t.cand[t.num - i];
      if (i <= 2 && (same(&hc, a1) || same(&hc, b1))) continue;
      out[n++] = hc;
    }
  }

  // 8.5.2.4 pairwise average of the first two candidates.
  if (n > 1 && n < maxCand) {
    const MotionInfo& p0 = out[0];
    const MotionInfo& p1 = out[1];
    MotionInfo avg;
    for (int l = 0; l < (isB ? 2 : 1); ++l) {
      if (p0.uses(l)) {
        avg.inter_dir |= static_cast<uint8_t>(1 << l);
        avg.ref_idx[l] = p0.ref_idx[l];
        avg.mv[l] = p1.uses(l) ? round_mv(p0.mv[l] + p1.mv[l], 1, 0) : p0.mv[l];
      } else if (p1.uses(l)) {
        avg.inter_dir |= static_cast<uint8_t>(1 << l);
        avg.ref_idx[l] = p1.ref_idx[l];
        avg.mv[l] = p1.mv[l];
      }
    }
    if (avg.inter_dir) {
      avg.is_inter = true;
      out[n++] = avg;
    }
  }

  // 8.5.2.5 zero candidates with increasing refIdx.
  const int numRefIdx = isB ? std::min(c.refs->num_ref[0], c.refs->num_ref[1]) : c.refs->num_ref[0];
  for (int zeroIdx = 0; n < maxCand; ++zeroIdx) {
    const int r = zeroIdx < numRefIdx ? zeroIdx : 0;
    out[n++] = isB ? make_bi(r, Mv{}, r, Mv{}) : make_uni(0, r, Mv{});
  }

  // 8.5.2.2: 8x4 and 4x8 CUs are never bi-predicted.
  if (c.w + c.h == 12)
    for (int i = 0; i < n; ++i)
      if (out[i].inter_dir == 3) {
        out[i].inter_dir = 1;
        out[i].ref_idx[1] = -1;
        out[i].mv[1] = Mv{};
      }
  return n;
}

}  // namespace vvc
