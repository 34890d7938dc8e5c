#include "inter/inter_pred.h"

namespace vvc {

void InterPredictor::predict(const MotionInfo& mi, const RefPicSet& refs, int x, int y, int w,
                             int h, Pel* dstY, ptrdiff_t strideY, Pel* dstCb, Pel* dstCr,
                             ptrdiff_t strideC) {
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

}  // namespace vvc
