#include "inter/amvp.h"

namespace vvc {

namespace {

// 8.5.2.10 for one neighbour position: its MV pointing at the target picture (list X first,
// then the other list), if the neighbour is available and inter.
bool spatial_candidate(const MergeContext& c, int xN, int yN, int X, int targetPoc, int shift,
                       Mv& out) {
  if (xN < 0 || yN < 0 || xN >= c.pic_w || yN >= c.pic_h) return false;
  if (!c.avail(xN, yN)) return false;
  const MotionInfo& mi = c.field->at(xN, yN);
  if (!mi.is_inter) return false;
  for (int k = 0; k < 2; ++k) {
    const int l = k ? 1 - X : X;
    if (mi.uses(l) && c.refs->ref_poc[l][mi.ref_idx[l]] == targetPoc) {
      out = round_mv(mi.mv[l], shift, shift);
      return true;
    }
  }
  return false;
}

}  // namespace

void build_amvp_list(const MergeContext& c, int X, int refIdx, Mv out[kNumAmvpCand],
                     int amvrShift) {
  const int targetPoc = c.refs->ref_poc[X][refIdx];
  int n = 0;
  Mv mvA, mvB;
  const bool availA = spatial_candidate(c, c.x - 1, c.y + c.h, X, targetPoc, amvrShift, mvA) ||
                      spatial_candidate(c, c.x - 1, c.y + c.h - 1, X, targetPoc, amvrShift, mvA);
  const bool availB = spatial_candidate(c, c.x + c.w, c.y - 1, X, targetPoc, amvrShift, mvB) ||
                      spatial_candidate(c, c.x + c.w - 1, c.y - 1, X, targetPoc, amvrShift, mvB) ||
                      spatial_candidate(c, c.x - 1, c.y - 1, X, targetPoc, amvrShift, mvB);
  if (availA) out[n++] = mvA;
  if (availB && !(availA && mvA == mvB)) out[n++] = mvB;

  if (n < kNumAmvpCand) {
    Mv col;
    if (temporal_mv(c, X, refIdx, col)) out[n++] = round_mv(col, amvrShift, amvrShift);
  }

  if (n < kNumAmvpCand && c.hmvp) {
    const HmvpTable& t = *c.hmvp;
    const int num = t.num < 4 ? t.num : 4;
    for (int i = 0; i < num && n < kNumAmvpCand; ++i) {
      const MotionInfo& h = t.cand[i];
      for (int k = 0; k < 2 && n < kNumAmvpCand; ++k) {
        const int l = k ? 1 - X : X;
        if (h.uses(l) && c.refs->ref_poc[l][h.ref_idx[l]] == targetPoc)
          out[n++] = round_mv(h.mv[l], amvrShift, amvrShift);
      }
    }
  }

  while (n < kNumAmvpCand) out[n++] = Mv{};
}

}  // namespace vvc
