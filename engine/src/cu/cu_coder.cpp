// Normative CU coding (cu/cu_coder.h).
#include "cu/cu_coder.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "cabac/residual_coding.h"
#include "cu/cu_syntax.h"
#include "inter/inter_syntax.h"
#include "intra/cclm.h"
#include "intra/mpm.h"
#include "rdo/distortion.h"
#include "transform/quant.h"
#include "transform/rdoq.h"
#include "transform/transform.h"

namespace vvc {

SplitNeighbours CuCoder::split_neighbours(const TreeNode& n, int ch) const {
  SplitNeighbours nb;
  if (s_.maps.coded_luma_pos(ch, n.x - 1, n.y)) {
    const CuUnit& u = s_.maps.at(ch, (n.x - 1) >> 2, n.y >> 2);
    nb.availL = true;
    nb.hL = 1 << u.log2h;
    nb.qtL = u.qt_depth;
  }
  if (s_.maps.coded_luma_pos(ch, n.x, n.y - 1)) {
    const CuUnit& u = s_.maps.at(ch, n.x >> 2, (n.y - 1) >> 2);
    nb.availA = true;
    nb.wA = 1 << u.log2w;
    nb.qtA = u.qt_depth;
  }
  return nb;
}

void CuCoder::mpm_list(const TreeNode& n, int mpm[6]) const {
  int a = 0, b = 0;  // PLANAR when unavailable
  const int xa = n.x - 1, ya = n.y + n.h - 1;
  if (s_.maps.coded_luma_pos(0, xa, ya)) a = s_.maps.mode(xa >> 2, ya >> 2);
  const int xb = n.x + n.w - 1, yb = n.y - 1;
  if (((yb >> s_.cfg.log2_ctu) == (n.y >> s_.cfg.log2_ctu)) && s_.maps.coded_luma_pos(0, xb, yb))
    b = s_.maps.mode(xb >> 2, yb >> 2);
  derive_mpm_list(a, b, mpm);
}

void CuCoder::mark_cu(const TreeNode& n, int ch, int lumaMode, uint8_t skip, uint8_t intra,
                      uint8_t cbf) {
  const int x4 = n.x >> 2, y4 = n.y >> 2, n4w = n.w >> 2, n4h = n.h >> 2;
  CuUnit u;
  u.log2w = static_cast<uint8_t>(ilog2(n.w));
  u.log2h = static_cast<uint8_t>(ilog2(n.h));
  u.qt_depth = static_cast<uint8_t>(n.qt_depth);
  u.coded = 1;
  u.skip = skip;
  u.intra = intra;
  u.cbf = cbf;
  for (int y = y4; y < y4 + n4h; ++y)
    for (int x = x4; x < x4 + n4w; ++x) {
      s_.maps.at(ch, x, y) = u;
      if (ch == 0) s_.maps.mode(x, y) = static_cast<uint8_t>(lumaMode);
    }
}

// CclmEnabled of a chroma CU (7.4.12.5; FFmpeg ctu.c get_cclm_enabled): always in single
// trees; in the dual tree of an I slice (CTU >= 64) only when the chroma tree's 64x64 node
// is not split, QT split, or BT_H split into halves that are not split or BT_V split, and
// the co-located luma 64x64 node is not split or QT split (no ISP here).
bool CuCoder::cclm_enabled(const TreeNode& n) const {
  if (!s_.cfg.cclm) return false;
  if (n.tree != TreeType::kDualChroma || s_.cfg.log2_ctu < 6) return true;
  const int minDepth = s_.cfg.log2_ctu - 6;  // cqtDepth of a 64x64 node
  const bool chromaOk = (n.w == 64 && n.h == 64) || n.qt_depth > minDepth ||
                        (s_.cmsm[0] == SplitMode::kBtH && n.mtt_depth >= 1 &&
                         (n.mtt_depth == 1 || s_.cmsm[1] == SplitMode::kBtV));
  if (!chromaOk) return false;
  const CuUnit& u = s_.maps.at(0, (n.x & ~63) >> 2, (n.y & ~63) >> 2);
  return (u.log2w == 6 && u.log2h == 6) || u.qt_depth > minDepth;
}

void CuCoder::cclm_pred(const TreeNode& n, int c, int predMode, Pel* dst) const {
  const auto availC = [this](int x, int y) { return s_.maps.coded_luma_pos(1, 2 * x, 2 * y); };
  const CclmBlock b = make_cclm_block(n.x >> 1, n.y >> 1, n.w >> 1, n.h >> 1,
                                      s_.maps.coded_luma_pos(0, n.x, n.y - 1),
                                      s_.maps.coded_luma_pos(0, n.x - 1, n.y), s_.cfg.log2_ctu,
                                      s_.cfg.chroma_vertical_collocated, availC);
  cclm_predict(s_.recon.comp[kY], s_.recon.comp[c], b, predMode, dst, kMaxCu);
}

int CuCoder::code_tb(int c, const Pel* org, int orgStride, int w, int h, int32_t* lv, Pel* dst,
                     int dstStride, const Pel* pred, const ContextSet& ctx, int cbfCtx) {
  const int log2W = ilog2(w), log2H = ilog2(h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      resid_[y * kMaxCu + x] = static_cast<int16_t>(org[y * orgStride + x] - pred[y * kMaxCu + x]);
  forward_transform(resid_, kMaxCu, log2W, log2H, coeff_);
  // Dependent quantization (s_.cfg.dep_quant): the DQ trellis replaces RDOQ.
  const int nz = s_.cfg.dep_quant          ? dep_quant(coeff_, log2W, log2H, c, s_.qpc[c],
                                                       s_.lambdas.comp_lambda[c], ctx, cbfCtx, lv)
                 : s_.cfg.speed.quant.rdoq ? rdoq(coeff_, log2W, log2H, c, s_.qpc[c],
                                                  s_.lambdas.comp_lambda[c], ctx, cbfCtx, lv)
                                           : quantize(coeff_, log2W, log2H, s_.qpc[c], true, lv);
  if (nz) {
    dequantize(lv, log2W, log2H, s_.qpc[c], coeff_, s_.cfg.dep_quant);
    inverse_transform(coeff_, log2W, log2H, resid_, kMaxCu);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        dst[y * dstStride + x] = clip_pel(pred[y * kMaxCu + x] + resid_[y * kMaxCu + x]);
  } else {
    for (int y = 0; y < h; ++y)
      std::memcpy(dst + y * dstStride, pred + y * kMaxCu, sizeof(Pel) * w);
  }
  return nz;
}

template <class Coder>
void CuCoder::code_residual_block(Coder& coder, ContextSet& ctx, const int32_t* lv, int w, int h,
                                  int c) {
  code_residual(coder, ctx, lv, ilog2(w), ilog2(h), c, s_.cfg.dep_quant);
}

template <class Coder>
void CuCoder::code_qp_delta(Coder& coder, ContextSet& ctx) {
  if constexpr (std::is_same_v<Coder, BinRecorder>) {
    if (!s_.cfg.cu_qp_delta || s_.qg_coded) return;
    code_cu_qp_delta(coder, ctx, s_.ctu_qp - s_.qg_pred);
    s_.qg_coded = true;
  } else {
    (void)coder;
    (void)ctx;
  }
}

template <class Coder>
double CuCoder::code_luma_cu(Coder& coder, ContextSet& ctx, const TreeNode& n, int mode,
                             const int mpm[6], bool final, double dAbort, const IntraRefs* refs) {
  Plane& rp = s_.recon.comp[kY];
  if (refs) {  // reference lines of this block, built once for all trials
    predict_from_refs(*refs, mode, pred_, kMaxCu);
  } else {
    const auto avail = [this](int x, int y) { return s_.maps.coded_luma_pos(0, x, y); };
    intra_predict(rp, n.x, n.y, n.w, n.h, 0, mode, avail, pred_, kMaxCu);
  }
  const Plane& op = s_.orig.comp[kY];
  const Pel* org = op.row(n.y) + n.x;
  Pel* dst = rp.row(n.y) + n.x;
  const int nz = code_tb(0, org, op.stride, n.w, n.h, levels_[0], dst, rp.stride, pred_, ctx,
                         kCtxTuYCodedFlag + 0);
  const double d = static_cast<double>(sse(org, op.stride, dst, rp.stride, n.w, n.h));
  if (d >= dAbort) return d;
  code_luma_mode(coder, ctx, encode_luma_mode(mode, mpm));
  coder.encode_bin(ctx[kCtxTuYCodedFlag + 0], nz > 0);
  if (nz) code_qp_delta(coder, ctx);
  if (nz) code_residual_block(coder, ctx, levels_[0], n.w, n.h, 0);
  mark_cu(n, 0, mode);
  if (final) s_.deblock.set_luma_tb(n.x, n.y, n.w, n.h, s_.commit_qpy(n));
  return d;
}

template <class Coder>
double CuCoder::code_chroma_cu(Coder& coder, ContextSet& ctx, const TreeNode& n, int icpm,
                               bool final, double dAbort, const IntraRefs* refs) {
  const int lumaMode = s_.maps.mode((n.x + n.w / 2) >> 2, (n.y + n.h / 2) >> 2);
  const int predMode = chroma_pred_mode(icpm, lumaMode);
  // The chroma QP of a dual-tree CU follows the luma CU at its centre; a single-tree CU
  // (intra in P/B slices) has the CTU's.
  const int qpy = n.tree == TreeType::kDualChroma ? s_.chroma_cu_qpy(n) : s_.ctu_qp;
  s_.set_chroma_qp(qpy);
  const int xc = n.x >> 1, yc = n.y >> 1, wc = n.w >> 1, hc = n.h >> 1;
  const auto avail = [this](int x, int y) { return s_.maps.coded_luma_pos(1, 2 * x, 2 * y); };
  int nz[3] = {0, 0, 0};
  double dist = 0;
  for (int c = 1; c < 3; ++c) {
    Plane& rp = s_.recon.comp[c];
    if (is_cclm_mode(predMode))
      cclm_pred(n, c, predMode, pred_);
    else if (refs)
      predict_from_refs(refs[c - 1], predMode, pred_, kMaxCu);
    else
      intra_predict(rp, xc, yc, wc, hc, c, predMode, avail, pred_, kMaxCu);
    const Plane& op = s_.orig.comp[c];
    const Pel* org = op.row(yc) + xc;
    Pel* dst = rp.row(yc) + xc;
    // RDOQ reads the context states before the CU's residuals (Cr's coded-flag context
    // depends on Cb's flag).
    const int cbfCtx = c == 1 ? kCtxTuCbCodedFlag + 0 : kCtxTuCrCodedFlag + (nz[1] > 0 ? 1 : 0);
    nz[c] = code_tb(c, org, op.stride, wc, hc, levels_[c], dst, rp.stride, pred_, ctx, cbfCtx);
    dist += s_.lambdas.chroma_weight[c] *
            static_cast<double>(sse(org, op.stride, dst, rp.stride, wc, hc));
  }
  if (dist >= dAbort) return dist;
  code_chroma_mode(coder, ctx, icpm, cclm_enabled(n));
  coder.encode_bin(ctx[kCtxTuCbCodedFlag + 0], nz[1] > 0);
  coder.encode_bin(ctx[kCtxTuCrCodedFlag + (nz[1] > 0 ? 1 : 0)], nz[2] > 0);
  if (nz[1]) code_residual_block(coder, ctx, levels_[1], wc, hc, 1);
  if (nz[2]) code_residual_block(coder, ctx, levels_[2], wc, hc, 2);
  mark_cu(n, 1, 0);
  if (final) s_.deblock.set_chroma_tb(xc, yc, wc, hc, qpy);
  return dist;
}

double CuCoder::cu_distortion(const TreeNode& n) const {
  double d = 0;
  for (int c = 0; c < 3; ++c) {
    const int s = c ? 1 : 0;
    const Plane& op = s_.orig.comp[c];
    const Plane& rp = s_.recon.comp[c];
    const double e =
        static_cast<double>(sse(op.row(n.y >> s) + (n.x >> s), op.stride,
                                rp.row(n.y >> s) + (n.x >> s), rp.stride, n.w >> s, n.h >> s));
    d += c ? s_.lambdas.chroma_weight[c] * e : e;
  }
  return d;
}

// Prediction, residual (merge with residual; AMVP when d.coded asks for one), reconstruction
// and the CU syntax (7.3.10.5 order). Returns the distortion, or kInf for a merge CU whose
// residual quantizes to nothing (that is a skip CU). Sets d.coded for AMVP.
template <class Coder>
double CuCoder::code_inter_cu(Coder& coder, ContextSet& ctx, const TreeNode& n, CuDecision& d,
                              int nz[3]) {
  const int x = n.x, y = n.y, w = n.w, h = n.h;
  const bool skip = d.kind == 0;
  const bool wantRes = (d.kind == 1 || (d.kind == 2 && d.coded)) && w <= kMaxCu && h <= kMaxCu;
  nz[0] = nz[1] = nz[2] = 0;
  Picture& rec = s_.recon;
  if (wantRes) {
    s_.ip.predict(d.mi, s_.rps, x, y, w, h, ipred_[0], kMaxCu, ipred_[1], ipred_[2], kMaxCu,
                  d.kind != 2);  // dmvr: merge / skip CUs are regular merge
    for (int c = 0; c < 3; ++c) {
      const int s = c ? 1 : 0;
      const Plane& op = s_.orig.comp[c];
      Plane& rp = rec.comp[c];
      const int cbfCtx = c == 0   ? kCtxTuYCodedFlag + 0
                         : c == 1 ? kCtxTuCbCodedFlag + 0
                                  : kCtxTuCrCodedFlag + (nz[1] > 0 ? 1 : 0);
      nz[c] = code_tb(c, op.row(y >> s) + (x >> s), op.stride, w >> s, h >> s, levels_[c],
                      rp.row(y >> s) + (x >> s), rp.stride, ipred_[c], ctx, cbfCtx);
    }
  } else {
    s_.ip.predict(d.mi, s_.rps, x, y, w, h, rec.comp[0].row(y) + x, rec.comp[0].stride,
                  rec.comp[1].row(y / 2) + x / 2, rec.comp[2].row(y / 2) + x / 2,
                  rec.comp[1].stride, d.kind != 2);
  }
  const bool any = nz[0] || nz[1] || nz[2];
  if (d.kind == 1 && !any) return kInf;
  if (d.kind == 2) d.coded = any;
  const double dist = cu_distortion(n);

  code_cu_skip_flag(coder, ctx, skip, s_.skip_at(x - 1, y), s_.skip_at(x, y - 1));
  if (!skip) code_pred_mode_flag(coder, ctx, false, s_.intra_at(x - 1, y), s_.intra_at(x, y - 1));
  const int numRef[2] = {s_.rl.num_ref[0], s_.rl.num_ref[1]};
  code_inter_prediction(coder, ctx, d.pu, skip, ilog2(w), ilog2(h), s_.rl.is_b, numRef,
                        s_.cfg.amvr);
  if (d.kind == 2) code_cu_coded_flag(coder, ctx, d.coded);
  if (d.kind == 1 || (d.kind == 2 && d.coded)) {
    // transform_unit of a single-tree inter CU: Cb, Cr flags, then the luma flag unless it
    // is inferred 1 (both chroma flags 0), then the residuals.
    coder.encode_bin(ctx[kCtxTuCbCodedFlag + 0], nz[1] > 0);
    coder.encode_bin(ctx[kCtxTuCrCodedFlag + (nz[1] > 0 ? 1 : 0)], nz[2] > 0);
    if (nz[1] || nz[2]) coder.encode_bin(ctx[kCtxTuYCodedFlag + 0], nz[0] > 0);
    code_qp_delta(coder, ctx);  // a coded CU of at most 64x64 has a nonzero coded flag
    if (nz[0]) code_residual_block(coder, ctx, levels_[0], w, h, 0);
    if (nz[1]) code_residual_block(coder, ctx, levels_[1], w / 2, h / 2, 1);
    if (nz[2]) code_residual_block(coder, ctx, levels_[2], w / 2, h / 2, 2);
  }
  return dist;
}

// Intra CU of a single tree: prediction and residuals of all components first (the
// quantization reads only residual / coded-flag contexts, which the mode syntax does not
// touch), then the syntax: cu_skip_flag, pred_mode_flag, luma mode, chroma mode, Cb / Cr / Y
// coded flags, residuals Y, Cb, Cr.
template <class Coder>
void CuCoder::code_intra_cu(Coder& coder, ContextSet& ctx, const TreeNode& n, const CuDecision& d,
                            int nz[3]) {
  int mpm[6];
  mpm_list(n, mpm);
  const auto availY = [this](int x, int y) { return s_.maps.coded_luma_pos(0, x, y); };
  const auto availC = [this](int x, int y) { return s_.maps.coded_luma_pos(1, 2 * x, 2 * y); };
  const int predC = chroma_pred_mode(d.chroma_mode, d.luma_mode);
  for (int c = 0; c < 3; ++c) {
    const int s = c ? 1 : 0;
    Plane& rp = s_.recon.comp[c];
    const Plane& op = s_.orig.comp[c];
    const int xc = n.x >> s, yc = n.y >> s, wc = n.w >> s, hc = n.h >> s;
    if (c == 0)
      intra_predict(rp, xc, yc, wc, hc, 0, d.luma_mode, availY, pred_, kMaxCu);
    else if (is_cclm_mode(predC))
      cclm_pred(n, c, predC, pred_);
    else
      intra_predict(rp, xc, yc, wc, hc, c, predC, availC, pred_, kMaxCu);
    const int cbfCtx = c == 0   ? kCtxTuYCodedFlag + 0
                       : c == 1 ? kCtxTuCbCodedFlag + 0
                                : kCtxTuCrCodedFlag + (nz[1] > 0 ? 1 : 0);
    nz[c] = code_tb(c, op.row(yc) + xc, op.stride, wc, hc, levels_[c], rp.row(yc) + xc, rp.stride,
                    pred_, ctx, cbfCtx);
  }
  code_cu_skip_flag(coder, ctx, false, s_.skip_at(n.x - 1, n.y), s_.skip_at(n.x, n.y - 1));
  code_pred_mode_flag(coder, ctx, true, s_.intra_at(n.x - 1, n.y), s_.intra_at(n.x, n.y - 1));
  code_luma_mode(coder, ctx, encode_luma_mode(d.luma_mode, mpm));
  code_chroma_mode(coder, ctx, d.chroma_mode, cclm_enabled(n));
  coder.encode_bin(ctx[kCtxTuCbCodedFlag + 0], nz[1] > 0);
  coder.encode_bin(ctx[kCtxTuCrCodedFlag + (nz[1] > 0 ? 1 : 0)], nz[2] > 0);
  coder.encode_bin(ctx[kCtxTuYCodedFlag + 0], nz[0] > 0);
  if (nz[0] || nz[1] || nz[2]) code_qp_delta(coder, ctx);
  if (nz[0]) code_residual_block(coder, ctx, levels_[0], n.w, n.h, 0);
  if (nz[1]) code_residual_block(coder, ctx, levels_[1], n.w / 2, n.h / 2, 1);
  if (nz[2]) code_residual_block(coder, ctx, levels_[2], n.w / 2, n.h / 2, 2);
}

// CU maps, motion field and HMVP after a CU is decided; with final, the deblocking grid and
// the TB map too (TBs of 64 at most: implicit split of 128-sample CUs).
void CuCoder::commit_cu(const TreeNode& n, const CuDecision& d, const int nz[3], bool final) {
  const bool intra = d.kind == 3;
  const uint8_t cbf = static_cast<uint8_t>((nz[0] ? 1 : 0) | (nz[1] ? 2 : 0) | (nz[2] ? 4 : 0));
  mark_cu(n, 0, intra ? d.luma_mode : 0, d.kind == 0, intra, cbf);
  mark_cu(n, 1, 0, d.kind == 0, intra, cbf);
  if (intra) {
    s_.motion->set_intra(n.x, n.y, n.w, n.h);
  } else {
    s_.motion->set(n.x, n.y, n.w, n.h, d.mi);
    s_.hmvp.update(d.mi);
  }
  if (!final) return;
  if (CuStats* st = s_.pc.stats_out) {
    const uint64_t area = static_cast<uint64_t>(std::min(n.w, s_.cfg.width - n.x)) *
                          static_cast<uint64_t>(std::min(n.h, s_.cfg.height - n.y));
    uint64_t* kind[4] = {&st->skip, &st->merge, &st->amvp, &st->intra};
    *kind[d.kind] += area;
    if (!intra && d.mi.inter_dir == 3) st->bi += area;
    if (nz[0] || nz[1] || nz[2]) st->residual += area;
    if (d.kind == CuDecision::kAmvp && d.pu.amvr_shift != kAmvrShiftQuarter) st->amvr += area;
    ++st->cus;
  }
  if (!intra)  // dmvr: the refined MVs are what TMVP reads (stored after the picture)
    for (int k = 0; k < s_.ip.num_refined(); ++k) s_.dmvr_store.push_back(s_.ip.refined(k));
  const int qpy = s_.commit_qpy(n);
  const int tw = std::min(n.w, 64), th = std::min(n.h, 64);
  for (int j = 0; j < n.h; j += th)
    for (int i = 0; i < n.w; i += tw) {
      s_.deblock.set_luma_tb(n.x + i, n.y + j, tw, th, qpy);
      s_.deblock.set_chroma_tb((n.x + i) / 2, (n.y + j) / 2, tw / 2, th / 2, qpy);
      s_.tbmap.set_tb(n.x + i, n.y + j, tw, th, nz[0] > 0, nz[1] > 0, nz[2] > 0);
    }
}

void CuCoder::count_intra_cu(const TreeNode& n) {
  if (CuStats* st = s_.pc.stats_out) {
    st->intra += static_cast<uint64_t>(std::min(n.w, s_.cfg.width - n.x)) *
                 static_cast<uint64_t>(std::min(n.h, s_.cfg.height - n.y));
    ++st->cus;
  }
}

// The search measures with the bit estimator, the final pass codes with the bin recorder.
#define VVC_CU_CODER_FOR(Coder)                                                                    \
  template double CuCoder::code_luma_cu(Coder&, ContextSet&, const TreeNode&, int, const int*,     \
                                        bool, double, const IntraRefs*);                           \
  template double CuCoder::code_chroma_cu(Coder&, ContextSet&, const TreeNode&, int, bool, double, \
                                          const IntraRefs*);                                       \
  template double CuCoder::code_inter_cu(Coder&, ContextSet&, const TreeNode&, CuDecision&, int*); \
  template void CuCoder::code_intra_cu(Coder&, ContextSet&, const TreeNode&, const CuDecision&,    \
                                       int*);
VVC_CU_CODER_FOR(BitEstimator)
VVC_CU_CODER_FOR(BinRecorder)
#undef VVC_CU_CODER_FOR

}  // namespace vvc
