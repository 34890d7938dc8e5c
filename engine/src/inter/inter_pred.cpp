#include "inter/inter_pred.h"

#include <algorithm>

namespace vvc {

namespace {

bool refinement_common(const MotionInfo& mi, const RefPicSet& refs, int w, int h) {
  if (mi.inter_dir != 3) return false;
  const int r0 = mi.ref_idx[0], r1 = mi.ref_idx[1];
  return refinement_cu_allowed(w, h, refs.poc, refs.ref_poc[0][r0], refs.ref_poc[1][r1],
                               refs.long_term[0][r0], refs.long_term[1][r1]);
}

}  // namespace

bool InterPredictor::dmvr_applies(const MotionInfo& mi, const RefPicSet& refs, int w, int h,
                                  bool regularMerge) {
  return refs.dmvr && regularMerge && refinement_common(mi, refs, w, h);
}

bool InterPredictor::bdof_applies(const MotionInfo& mi, const RefPicSet& refs, int w, int h) {
  return refs.bdof && refinement_common(mi, refs, w, h);
}

void InterPredictor::predict(const MotionInfo& mi, const RefPicSet& refs, int x, int y, int w,
                             int h, Pel* dstY, ptrdiff_t strideY, Pel* dstCb, Pel* dstCr,
                             ptrdiff_t strideC, bool regularMerge) {
  num_refined_ = 0;
  if (mi.inter_dir == 3) {
    const bool dmvr = dmvr_applies(mi, refs, w, h, regularMerge);
    const bool bdof = bdof_applies(mi, refs, w, h);
    if (dmvr || bdof) {
      predict_refined(mi, refs, x, y, w, h, dstY, strideY, dstCb, dstCr, strideC, dmvr, bdof);
      return;
    }
  }
  for (int c = 0; c < 3; ++c) {
    Pel* dst = c == 0 ? dstY : (c == 1 ? dstCb : dstCr);
    if (!dst) continue;
    const int bw = c ? w / 2 : w, bh = c ? h / 2 : h;
    const ptrdiff_t ds = c ? strideC : strideY;
    int n = 0;
    for (int l = 0; l < 2; ++l) {
      if (!mi.uses(l)) continue;
      const RefView v = refs.pic[l][mi.ref_idx[l]]->view(c);
      if (c == 0)
        mc_luma(v, mi.mv[l], x, y, bw, bh, buf_[n], bw);
      else
        mc_chroma(v, mi.mv[l], x / 2, y / 2, bw, bh, buf_[n], bw);
      ++n;
    }
    if (n == 2)
      weighted_bi(buf_[0], bw, buf_[1], bw, dst, ds, bw, bh);
    else if (n == 1)
      weighted_uni(buf_[0], bw, dst, ds, bw, bh);
  }
}

// 8.5.1: the CU is processed in subblocks of Min(cbWidth, 16) x Min(cbHeight, 16); per
// subblock DMVR (when on) refines the MV pair, then the luma prediction is BDOF (when on and
// DMVR did not find the two predictions nearly equal) or the plain average, and chroma is the
// plain average with the (refined) MVs.
void InterPredictor::predict_refined(const MotionInfo& mi, const RefPicSet& refs, int x, int y,
                                     int w, int h, Pel* dstY, ptrdiff_t strideY, Pel* dstCb,
                                     Pel* dstCr, ptrdiff_t strideC, bool dmvr, bool bdof) {
  const int sbw = std::min(w, kDmvrMaxSub), sbh = std::min(h, kDmvrMaxSub);
  const PaddedPicture* pics[2] = {refs.pic[0][mi.ref_idx[0]], refs.pic[1][mi.ref_idx[1]]};
  constexpr int S = kBdofStride;
  for (int sy = 0; sy < h; sy += sbh)
    for (int sx = 0; sx < w; sx += sbw) {
      const int xs = x + sx, ys = y + sy;
      Mv mv[2] = {mi.mv[0], mi.mv[1]};
      bool bdofSb = bdof;
      if (dmvr) {
        const DmvrResult r =
            dmvr_refine(pics[0]->view(0), pics[1]->view(0), mi.mv[0], mi.mv[1], xs, ys, sbw, sbh);
        bdofSb = bdofSb && r.bdof;
        mv[0] = dmvr_apply(mi.mv[0], r.delta, 1);
        mv[1] = dmvr_apply(mi.mv[1], r.delta, -1);
        RefinedMotion& rm = refined_[num_refined_++];
        rm.x = xs;
        rm.y = ys;
        rm.w = sbw;
        rm.h = sbh;
        rm.mi = mi;
        rm.mi.mv[0] = mv[0];
        rm.mi.mv[1] = mv[1];
      }
      for (int c = 0; c < 3; ++c) {
        Pel* dst = c == 0 ? dstY : (c == 1 ? dstCb : dstCr);
        if (!dst) continue;
        const int s = c ? 1 : 0;
        const int bx = xs >> s, by = ys >> s, bw = sbw >> s, bh = sbh >> s;
        const ptrdiff_t ds = c ? strideC : strideY;
        Pel* d = dst + (sy >> s) * ds + (sx >> s);
        RefView v[2];
        int ox[2] = {0, 0}, oy[2] = {0, 0};  // view coordinates = picture coordinates - o
        for (int l = 0; l < 2; ++l) {
          v[l] = pics[l]->view(c);
          if (!dmvr) continue;
          // The window the unrefined MV reads (8-tap luma / 4-tap chroma reach). When the
          // refined MV keeps the integer position, its taps (and BDOF's border) stay inside
          // the window: read the picture directly.
          const int fracBits = 4 + s;
          if ((mv[l].x >> fracBits) == (mi.mv[l].x >> fracBits) &&
              (mv[l].y >> fracBits) == (mi.mv[l].y >> fracBits))
            continue;
          const int before = c ? 1 : kDmvrPadLuma, after = c ? 2 : kDmvrPadLumaAfter;
          ox[l] = bx + (mi.mv[l].x >> fracBits) - before;
          oy[l] = by + (mi.mv[l].y >> fracBits) - before;
          v[l] = dmvr_window(v[l], ox[l], oy[l], bw + before + after, bh + before + after, win_[l]);
        }
        if (c == 0 && bdofSb) {
          for (int l = 0; l < 2; ++l) {
            int16_t* b = bdof_buf_[l] + S + 1;
            mc_luma(v[l], mv[l], bx - ox[l], by - oy[l], bw, bh, b, S);
            bdof_fetch_border(v[l], mv[l], bx - ox[l], by - oy[l], bw, bh, b, S);
          }
          bdof_predict(bdof_buf_[0] + S + 1, bdof_buf_[1] + S + 1, bw, bh, d, ds);
          continue;
        }
        for (int l = 0; l < 2; ++l) {
          if (c == 0)
            mc_luma(v[l], mv[l], bx - ox[l], by - oy[l], bw, bh, buf_[l], bw);
          else
            mc_chroma(v[l], mv[l], bx - ox[l], by - oy[l], bw, bh, buf_[l], bw);
        }
        weighted_bi(buf_[0], bw, buf_[1], bw, d, ds, bw, bh);
      }
    }
}

}  // namespace vvc
