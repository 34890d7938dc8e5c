// The picture encoder: CTU loop, exhaustive rate-distortion search of the dual-tree coding
// trees (I slices) or of the single coding tree with inter and intra CUs (P/B slices, see
// "inter pictures" below), CU coding (prediction, transform, quantization, reconstruction,
// syntax) and deblocking.
//
// Search and coding share one code path: every syntax writer is a template over the coder.
// The search runs it with a BitEstimator on copies of the context set (snapshot / restore per
// candidate) and keeps, per tree node, the cheapest J = D + lambda * R; the decisions of a
// 64x64 quadrant's tree (pre-order: split mode per node, intra mode per CU) are then replayed
// with the real CabacEncoder, which recomputes the identical reconstruction, so bitstream and
// reconstruction cannot disagree.
//
// Speed without changing the exhaustive result: a cost budget is passed down the tree
// (branch and bound: a candidate stops as soon as its partial cost reaches the best complete
// one), mode trials stop when their SSE alone reaches the bound, the 67-mode SATDs of a block
// are reused when it is reached again with identical reference lines, and the winning mode's
// state is kept instead of being coded again. Scratch buffers live in the encoder object.
//
// Inter slices keep one encoder restriction (legal streams): CUs at least 8x8 (see
// inter_try_mask).
//
// Not exhaustive in inter pictures: VVenC-like early terminations of the split search
// (partition/early_term.h, SpeedSettings::partition) skip split trials that rarely win.
#include "picture/encode_picture.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>

#include "cabac/bin_recorder.h"
#include "cabac/bit_estimator.h"
#include "cabac/cabac_encoder.h"
#include "cabac/contexts.h"
#include "cabac/residual_coding.h"
#include "cu/cu_syntax.h"
#include "filter/alf_encoder.h"
#include "filter/deblock.h"
#include "filter/deblock_bs.h"
#include "inter/amvp.h"
#include "inter/inter_pred.h"
#include "inter/inter_syntax.h"
#include "inter/interp.h"
#include "inter/merge.h"
#include "inter/motion_field.h"
#include "inter/motion_search.h"
#include "intra/cclm.h"
#include "intra/intra_pred.h"
#include "intra/mpm.h"
#include "partition/allowed_splits.h"
#include "partition/early_term.h"
#include "picture/cu_maps.h"
#include "rdo/distortion.h"
#include "rdo/lambda.h"
#include "transform/dep_quant.h"
#include "transform/quant.h"
#include "transform/rdoq.h"
#include "transform/transform.h"

namespace vvc {
namespace {

constexpr int kMaxLevels = 24;  // coding-tree recursion depth (qt 1..4 + mtt 3 + boundary)
constexpr int kMaxCu = 64;      // max CU side in the dual-tree I search (luma)
constexpr double kInf = std::numeric_limits<double>::max();
constexpr int kNumLumaModes = 67;

inline int ilog2(int v) {
  return 31 - __builtin_clz(static_cast<unsigned>(v));
}

// Per-recursion-level scratch of the search, allocated once per picture encoder.
struct Level {
  ContextSet start;
  ContextSet best_ctx;
  std::vector<uint8_t> cur;
  std::vector<uint8_t> best;
  std::vector<Pel> save[3];
  std::vector<CuUnit> save_units;
  std::vector<uint8_t> save_modes;
};

class PictureEncoder {
 public:
  PictureEncoder(const EncoderConfig& cfg, const Picture& orig, Picture& recon,
                 const PictureCoding& pc, SplitOracle& oracle)
      : cfg_(cfg), orig_(orig), recon_(recon), pc_(pc), oracle_(oracle) {
    // The GOP plan's picture lambda (random access / low delay) overrides the all-intra one.
    slice_lambda_ = pc.lambda > 0 ? pc.lambda : make_lambdas(cfg, pc.qp, pc.slice_type).lambda;
    set_ctu_qp(pc.qp);
    etp_.rules = cfg.speed.partition.early_term_rules;
    lim_[0] = split_limits(cfg, pc.slice_type, TreeType::kDualLuma);
    lim_[1] = split_limits(cfg, pc.slice_type, TreeType::kDualChroma);
    for (auto& l : level_) {
      l.cur.reserve(1024);
      l.best.reserve(1024);
      for (auto& s : l.save) s.resize(kMaxCu * kMaxCu);
      l.save_units.resize((kMaxCu / 4) * (kMaxCu / 4));
      l.save_modes.resize((kMaxCu / 4) * (kMaxCu / 4));
    }
    decisions_.reserve(8192);
  }

  std::vector<uint8_t> run();

 private:
  // ---- inter pictures (P/B slices): single tree, CTU 128 ----
  struct CuDecision {
    uint8_t kind = 0;    // 0 skip, 1 merge with residual, 2 AMVP, 3 intra
    bool coded = false;  // AMVP: cu_coded_flag (in: try a residual; out: one was coded)
    InterPuSyntax pu;
    MotionInfo mi;
    uint8_t luma_mode = 0, chroma_mode = 4;
    int8_t nz[3] = {0, 0, 0};  // nonzero coefficients per component (out of a trial)
  };
  struct NodeDecision {
    uint8_t split = 0;
    CuDecision cu;
  };
  struct InterLevel {
    ContextSet start, best_ctx;
    std::vector<NodeDecision> cur, best;
    std::vector<Pel> save[3];
    std::vector<CuUnit> save_units[2];
    std::vector<uint8_t> save_modes;
    std::vector<MotionInfo> save_motion;
    HmvpTable hmvp_start, hmvp_best;
    EtNodeState et;  // early terminations of the split search (partition/early_term.h)
  };
  struct CodedAvail {  // z-scan availability of a luma position (6.4.1) in the single tree
    const CuMaps* maps;
    bool operator()(int x, int y) const { return maps->coded_luma_pos(0, x, y); }
  };

  std::vector<uint8_t> run_inter();
  bool skip_at(int x, int y) const {
    return maps_.coded_luma_pos(0, x, y) && maps_.at(0, x >> 2, y >> 2).skip;
  }
  bool intra_at(int x, int y) const {
    return maps_.coded_luma_pos(0, x, y) && maps_.at(0, x >> 2, y >> 2).intra;
  }
  void fill_merge_context(MergeContext& mc, const TreeNode& n) const {
    mc.x = n.x;
    mc.y = n.y;
    mc.w = n.w;
    mc.h = n.h;
    mc.field = motion_;
    mc.refs = &rl_;
    mc.hmvp = &hmvp_;
    mc.col = col_;
    mc.ctb_log2 = cfg_.log2_ctu;
    mc.pic_w = cfg_.width;
    mc.pic_h = cfg_.height;
  }
  double cu_distortion(const TreeNode& n) const;
  // The slice's deblocking parameters (offsets of the PPS, chroma QP mapping, CTB size).
  DeblockParams deblock_params() const {
    DeblockParams dp;
    dp.ctu_size = cfg_.ctu_size();
    for (int c = 0; c < 3; ++c) {
      dp.beta_offset_div2[c] = cfg_.deblock_beta_offset_div2;
      dp.tc_offset_div2[c] = cfg_.deblock_tc_offset_div2;
    }
    const EncoderConfig& cfg = cfg_;
    dp.set_chroma_qp_mapping([&cfg](int qpY, int cIdx) { return chroma_qp(cfg, qpY, cIdx); });
    return dp;
  }
  // Deblocking-aware distortion (VTM's EncDbOpt): the change of the weighted SSE that the
  // deblocking of CU n's left and top edges would make in the CU and its neighbours, with the
  // CU's reconstruction as it stands in recon_ (mi / intra / nz: the trial being costed).
  double deblocking_offset(const TreeNode& n, const MotionInfo& mi, bool intra, const int nz[3]);
  template <class Coder>
  double code_inter_cu(Coder& coder, ContextSet& ctx, const TreeNode& n, CuDecision& d, int nz[3]);
  template <class Coder>
  void code_intra_cu_single(Coder& coder, ContextSet& ctx, const TreeNode& n, const CuDecision& d,
                            int nz[3]);
  void commit_cu(const TreeNode& n, const CuDecision& d, const int nz[3], bool final);
  double search_inter_cu(const TreeNode& n, ContextSet& ctx, CuDecision& best, double budget);
  double search_node_inter(const TreeNode& n, int level, ContextSet& ctx,
                           std::vector<NodeDecision>& out, double budget);
  void save_region_inter(InterLevel& L, const TreeNode& n);
  void restore_region_inter(const InterLevel& L, const TreeNode& n);
  void replay_inter(const TreeNode& n, const NodeDecision*& p);
  SplitQuery split_query(const TreeNode& n, SplitMask choosable) const;
  // The motion search range towards the reference picture at refPoc (VTM's adaptive search
  // range when the speed settings' asr_min_window > 0, else their search_range).
  int search_range_for(int refPoc) const {
    const InterSpeed& sp = cfg_.speed.inter;
    if (sp.asr_min_window <= 0) return sp.search_range;
    return adaptive_search_range(sp.search_range, sp.asr_min_window, sp.asr_gop_size,
                                 pc_.poc - refPoc);
  }
  SplitMask inter_try_mask(const TreeNode& n, SplitMask choosable);
  void et_after_trial(const TreeNode& n, int level, SplitMode mode, double cost, double bound);

  CodedAvail avail0_{&maps_};
  SplitLimits lim_single_;
  EtParams etp_;
  EtBlockCache etcache_;  // per CTU: blocks whose no-split CU was skip / intra
  RefLists rl_;
  RefPicSet rps_;
  const MotionField* col_ = nullptr;
  MotionField local_motion_;
  MotionField* motion_ = nullptr;
  HmvpTable hmvp_;
  InterPredictor ip_;
  std::vector<RefinedMotion> dmvr_store_;  // DMVR subblocks of the picture (final coding)
  MotionSearcher me_;
  TbEdgeMap tbmap_;
  std::vector<InterLevel> ilevel_;
  Picture edo_pic_;       // deblocking_offset(): the CU's edge bands and their neighbours
  DeblockGrid edo_grid_;  //   and their 4x4 units
  DeblockParams edo_params_;
  std::vector<NodeDecision> idecisions_;
  ContextSet ictx_trial_, ictx_best_;
  static constexpr int kCtuMax = 128;
  std::vector<Pel> ibest_[3];
  alignas(32) Pel ipred_[3][kMaxCu * kMaxCu];

  // ---- neighbourhood ----
  SplitNeighbours split_neighbours(const TreeNode& n, int ch) const {
    SplitNeighbours nb;
    if (maps_.coded_luma_pos(ch, n.x - 1, n.y)) {
      const CuUnit& u = maps_.at(ch, (n.x - 1) >> 2, n.y >> 2);
      nb.availL = true;
      nb.hL = 1 << u.log2h;
      nb.qtL = u.qt_depth;
    }
    if (maps_.coded_luma_pos(ch, n.x, n.y - 1)) {
      const CuUnit& u = maps_.at(ch, n.x >> 2, (n.y - 1) >> 2);
      nb.availA = true;
      nb.wA = 1 << u.log2w;
      nb.qtA = u.qt_depth;
    }
    return nb;
  }

  void mpm_list(const TreeNode& n, int mpm[6]) const {
    int a = 0, b = 0;  // PLANAR when unavailable
    const int xa = n.x - 1, ya = n.y + n.h - 1;
    if (maps_.coded_luma_pos(0, xa, ya)) a = maps_.mode(xa >> 2, ya >> 2);
    const int xb = n.x + n.w - 1, yb = n.y - 1;
    if (((yb >> cfg_.log2_ctu) == (n.y >> cfg_.log2_ctu)) && maps_.coded_luma_pos(0, xb, yb))
      b = maps_.mode(xb >> 2, yb >> 2);
    derive_mpm_list(a, b, mpm);
  }

  void mark_cu(const TreeNode& n, int ch, int lumaMode, uint8_t skip = 0, uint8_t intra = 0,
               uint8_t cbf = 0) {
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
        maps_.at(ch, x, y) = u;
        if (ch == 0) maps_.mode(x, y) = static_cast<uint8_t>(lumaMode);
      }
  }

  // ---- CCLM (intra/cclm.h) ----
  // CclmEnabled of a chroma CU (7.4.12.5; FFmpeg ctu.c get_cclm_enabled): always in single
  // trees; in the dual tree of an I slice (CTU >= 64) only when the chroma tree's 64x64 node
  // is not split, QT split, or BT_H split into halves that are not split or BT_V split, and
  // the co-located luma 64x64 node is not split or QT split (no ISP here).
  bool cclm_enabled(const TreeNode& n) const {
    if (!cfg_.cclm) return false;
    if (n.tree != TreeType::kDualChroma || cfg_.log2_ctu < 6) return true;
    const int minDepth = cfg_.log2_ctu - 6;  // cqtDepth of a 64x64 node
    const bool chromaOk = (n.w == 64 && n.h == 64) || n.qt_depth > minDepth ||
                          (cmsm_[0] == SplitMode::kBtH && n.mtt_depth >= 1 &&
                           (n.mtt_depth == 1 || cmsm_[1] == SplitMode::kBtV));
    if (!chromaOk) return false;
    const CuUnit& u = maps_.at(0, (n.x & ~63) >> 2, (n.y & ~63) >> 2);
    return (u.log2w == 6 && u.log2h == 6) || u.qt_depth > minDepth;
  }
  // CCLM prediction of chroma component c of CU n into dst (stride kMaxCu).
  void cclm_pred(const TreeNode& n, int c, int predMode, Pel* dst) const {
    const auto availC = [this](int x, int y) { return maps_.coded_luma_pos(1, 2 * x, 2 * y); };
    const CclmBlock b = make_cclm_block(n.x >> 1, n.y >> 1, n.w >> 1, n.h >> 1,
                                        maps_.coded_luma_pos(0, n.x, n.y - 1),
                                        maps_.coded_luma_pos(0, n.x - 1, n.y), cfg_.log2_ctu,
                                        cfg_.chroma_vertical_collocated, availC);
    cclm_predict(recon_.comp[kY], recon_.comp[c], b, predMode, dst, kMaxCu);
  }
  // Multi-type split of the chroma tree's node at mtt depth 0 / 1 on the current search or
  // replay path (what cclm_enabled() reads; FFmpeg's per-32x32 split-mode table).
  SplitMode cmsm_[2] = {SplitMode::kNone, SplitMode::kNone};

  // ---- CU coding (shared by search and final coding) ----
  // Transforms, quantizes and reconstructs one TB of component c from pred_ (stride kMaxCu);
  // the levels go to lv. Returns the number of nonzero levels. dst is the recon position.
  int code_tb(int c, const Pel* org, int orgStride, int w, int h, int32_t* lv, Pel* dst,
              int dstStride, const Pel* pred, const ContextSet& ctx, int cbfCtx) {
    const int log2W = ilog2(w), log2H = ilog2(h);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        resid_[y * kMaxCu + x] =
            static_cast<int16_t>(org[y * orgStride + x] - pred[y * kMaxCu + x]);
    forward_transform(resid_, kMaxCu, log2W, log2H, coeff_);
    // Dependent quantization (cfg_.dep_quant): the DQ trellis replaces RDOQ.
    const int nz =
        cfg_.dep_quant
            ? dep_quant(coeff_, log2W, log2H, c, qpc_[c], lambdas_.comp_lambda[c], ctx, cbfCtx, lv)
        : cfg_.speed.quant.rdoq
            ? rdoq(coeff_, log2W, log2H, c, qpc_[c], lambdas_.comp_lambda[c], ctx, cbfCtx, lv)
            : quantize(coeff_, log2W, log2H, qpc_[c], true, lv);
    if (nz) {
      dequantize(lv, log2W, log2H, qpc_[c], coeff_, cfg_.dep_quant);
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
  void code_residual_block(Coder& coder, ContextSet& ctx, const int32_t* lv, int w, int h, int c) {
    code_residual(coder, ctx, lv, ilog2(w), ilog2(h), c, cfg_.dep_quant);
  }

  // Luma CU in the dual-tree luma tree with intra mode `mode`. Returns the SSE. When the SSE
  // alone reaches dAbort the syntax is not coded (the trial cannot win; its state is void).
  template <class Coder>
  double code_luma_cu(Coder& coder, ContextSet& ctx, const TreeNode& n, int mode, const int mpm[6],
                      bool final, double dAbort = kInf, const IntraRefs* refs = nullptr) {
    Plane& rp = recon_.comp[kY];
    if (refs) {  // reference lines of this block, built once for all trials
      predict_from_refs(*refs, mode, pred_, kMaxCu);
    } else {
      const auto avail = [this](int x, int y) { return maps_.coded_luma_pos(0, x, y); };
      intra_predict(rp, n.x, n.y, n.w, n.h, 0, mode, avail, pred_, kMaxCu);
    }
    const Plane& op = orig_.comp[kY];
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
    if (final) deblock_.set_luma_tb(n.x, n.y, n.w, n.h, commit_qpy(n));
    return d;
  }

  // Chroma CU in the dual-tree chroma tree with intra_chroma_pred_mode icpm (0..4). Returns
  // the weighted distortion w_Cb * SSE_Cb + w_Cr * SSE_Cr.
  template <class Coder>
  double code_chroma_cu(Coder& coder, ContextSet& ctx, const TreeNode& n, int icpm, bool final,
                        double dAbort = kInf, const IntraRefs* refs = nullptr) {
    const int lumaMode = maps_.mode((n.x + n.w / 2) >> 2, (n.y + n.h / 2) >> 2);
    const int predMode = chroma_pred_mode(icpm, lumaMode);
    // The chroma QP of a dual-tree CU follows the luma CU at its centre; a single-tree CU
    // (intra in P/B slices) has the CTU's.
    const int qpy = n.tree == TreeType::kDualChroma ? chroma_cu_qpy(n) : ctu_qp_;
    set_chroma_qp(qpy);
    const int xc = n.x >> 1, yc = n.y >> 1, wc = n.w >> 1, hc = n.h >> 1;
    const auto avail = [this](int x, int y) { return maps_.coded_luma_pos(1, 2 * x, 2 * y); };
    int nz[3] = {0, 0, 0};
    double dist = 0;
    for (int c = 1; c < 3; ++c) {
      Plane& rp = recon_.comp[c];
      if (is_cclm_mode(predMode))
        cclm_pred(n, c, predMode, pred_);
      else if (refs)
        predict_from_refs(refs[c - 1], predMode, pred_, kMaxCu);
      else
        intra_predict(rp, xc, yc, wc, hc, c, predMode, avail, pred_, kMaxCu);
      const Plane& op = orig_.comp[c];
      const Pel* org = op.row(yc) + xc;
      Pel* dst = rp.row(yc) + xc;
      // RDOQ reads the context states before the CU's residuals (Cr's coded-flag context
      // depends on Cb's flag).
      const int cbfCtx = c == 1 ? kCtxTuCbCodedFlag + 0 : kCtxTuCrCodedFlag + (nz[1] > 0 ? 1 : 0);
      nz[c] = code_tb(c, org, op.stride, wc, hc, levels_[c], dst, rp.stride, pred_, ctx, cbfCtx);
      dist += lambdas_.chroma_weight[c] *
              static_cast<double>(sse(org, op.stride, dst, rp.stride, wc, hc));
    }
    if (dist >= dAbort) return dist;
    code_chroma_mode(coder, ctx, icpm, cclm_enabled(n));
    coder.encode_bin(ctx[kCtxTuCbCodedFlag + 0], nz[1] > 0);
    coder.encode_bin(ctx[kCtxTuCrCodedFlag + (nz[1] > 0 ? 1 : 0)], nz[2] > 0);
    if (nz[1]) code_residual_block(coder, ctx, levels_[1], wc, hc, 1);
    if (nz[2]) code_residual_block(coder, ctx, levels_[2], wc, hc, 2);
    mark_cu(n, 1, 0);
    if (final) deblock_.set_chroma_tb(xc, yc, wc, hc, qpy);
    return dist;
  }

  template <class Coder>
  void code_split(Coder& coder, ContextSet& ctx, const TreeNode& n, int ch, SplitMode mode,
                  SplitMask allowed) {
    code_split_syntax(coder, ctx, n, mode, allowed, node_inside(n, lim_[ch]),
                      split_neighbours(n, ch));
  }

  // ---- search ----
  // The search functions return the cheapest J of the node, exactly, when it is below
  // `budget`; otherwise some value >= budget, and the node's state is void (the caller drops
  // the candidate that contains it). Pruning by the budget never changes the decisions.
  double search_node(const TreeNode& n, int ch, int level, ContextSet& ctx,
                     std::vector<uint8_t>& out, double budget);
  double search_luma_cu(const TreeNode& n, ContextSet& ctx, int& bestMode, double budget,
                        double interHad = kInf);
  const uint32_t* luma_satds(const TreeNode& n, const IntraRefs& refs);
  double search_chroma_cu(const TreeNode& n, ContextSet& ctx, int& bestMode, double budget);
  void chroma_satd_preselect(const TreeNode& n, bool cclm, bool skipMode[kChromaCclmFirst + 3]);
  void save_region(Level& L, const TreeNode& n, int ch);
  void restore_region(const Level& L, const TreeNode& n, int ch);

  // ---- final coding ----
  void replay(const TreeNode& n, int ch, const uint8_t*& p, std::vector<uint8_t>& splits);
  void code_tree(const TreeNode& root, int ch, std::vector<uint8_t>& splits);

  double bits_cost(uint64_t fracBits) const {
    return lambdas_.lambda * static_cast<double>(fracBits) / kFracBitsOne;
  }

  // ---- QP per CTU (cu_qp_delta, one quantization group per CTU: CuQpDeltaSubdiv 0) ----
  // The quantizers and lambdas of a CTU at QP qp: the slice lambda scaled by 2^(dQP / 3),
  // chroma weights from qp's chroma QPs (VVenC's updateLambda), VTM's dependent-quantization
  // adjustment.
  void set_ctu_qp(int qp) {
    ctu_qp_ = qp;
    lambdas_ = make_lambdas(cfg_, qp, pc_.slice_type);
    lambdas_.lambda = slice_lambda_ * std::pow(2.0, (qp - pc_.qp) / 3.0);
    lambdas_.sqrt_lambda = std::sqrt(lambdas_.lambda);
    for (int c = 0; c < 3; ++c)
      lambdas_.comp_lambda[c] = lambdas_.lambda / lambdas_.chroma_weight[c];
    if (cfg_.dep_quant) dep_quant_adjust_lambdas(lambdas_, cfg_.intra_period == 1);
    qpc_[0] = qp;
    set_chroma_qp(qp);
  }
  void set_chroma_qp(int qpY) {
    qpc_[1] = chroma_qp(cfg_, qpY, 1);
    qpc_[2] = chroma_qp(cfg_, qpY, 2);
  }
  // Starts the quantization group of CTU ctuIndex (raster) at luma (x, y): its predicted QP
  // (8.7.1 with one group per CTU: the QpY of the CU above for the first CTU of a CTB row
  // below the first, else that of the last luma-tree CU coded before, SliceQpY at first).
  void start_ctu_qg(int ctuIndex, int x, int y) {
    const int off = pc_.ctu_qp_offset.empty() ? 0 : pc_.ctu_qp_offset[ctuIndex];
    if (x == 0 && y > 0)
      qg_pred_ = qpy_map_[static_cast<size_t>((y - 1) >> 2) * maps_.w4()];
    else
      qg_pred_ = ctuIndex == 0 ? pc_.qp : last_qpy_;
    qg_coded_ = false;
    set_ctu_qp(std::clamp(pc_.qp + off, -cfg_.qp_bd_offset(), 63));
  }
  // QpY of the CU coded last (final pass): qPY_PRED until the group's delta is coded.
  int cu_qpy() const { return qg_coded_ ? ctu_qp_ : qg_pred_; }
  // cu_qp_delta of the group in the first transform unit that carries one (final pass only;
  // the search does not count its few bins).
  template <class Coder>
  void code_qp_delta(Coder& coder, ContextSet& ctx) {
    if constexpr (std::is_same_v<Coder, BinRecorder>) {
      if (!cfg_.cu_qp_delta || qg_coded_) return;
      code_cu_qp_delta(coder, ctx, ctu_qp_ - qg_pred_);
      qg_coded_ = true;
    } else {
      (void)coder;
      (void)ctx;
    }
  }
  // Records the QpY of a final luma-tree / single-tree CU (deblocking, chroma of the dual
  // tree, the next groups' predictions).
  int commit_qpy(const TreeNode& n) {
    const int qpy = cu_qpy();
    for (int y = n.y >> 2; y < ((n.y + n.h) >> 2) && y < maps_.h4(); ++y)
      for (int x = n.x >> 2; x < ((n.x + n.w) >> 2) && x < maps_.w4(); ++x)
        qpy_map_[static_cast<size_t>(y) * maps_.w4() + x] = static_cast<int8_t>(qpy);
    last_qpy_ = qpy;
    return qpy;
  }
  // QpY of a dual-tree chroma CU: that of the luma CU covering its centre (8.7.1).
  int chroma_cu_qpy(const TreeNode& n) const {
    const int x = std::min((n.x + n.w / 2) >> 2, maps_.w4() - 1);
    const int y = std::min((n.y + n.h / 2) >> 2, maps_.h4() - 1);
    return qpy_map_[static_cast<size_t>(y) * maps_.w4() + x];
  }

  const EncoderConfig& cfg_;
  const Picture& orig_;
  Picture& recon_;
  const PictureCoding& pc_;
  SplitOracle& oracle_;
  RdLambdas lambdas_;  // of the current CTU (set_ctu_qp)
  int qpc_[3];
  double slice_lambda_ = 0;
  int ctu_qp_ = 0, qg_pred_ = 0, last_qpy_ = 0;
  bool qg_coded_ = false;
  std::vector<int8_t> qpy_map_;  // QpY per 4x4 luma unit of the final luma / single-tree CUs
  SplitLimits lim_[2];

  CuMaps maps_;
  DeblockGrid deblock_;
  ContextSet ctx_;         // the real coder's contexts
  BinRecorder enc_{ctx_};  // the real coder: bins recorded, coded after ALF (alf_encoder.h)
  BitEstimator est_;       // rate measurement in the search
  Level level_[kMaxLevels];
  std::vector<uint8_t> decisions_;
  ContextSet trial_ctx_, best_ctx_;
  IntraRefs refs_;
  IntraRefs refs_c_[2];

  // SATD of all luma modes per block of the current 64x64 quadrant (index: size class, then
  // 4x4 position inside the quadrant), valid for the stored reference lines.
  struct SatdEntry {
    uint32_t generation = 0;
    uint32_t satd[kNumLumaModes];
    Pel top[2 * kMaxCu + 1];
    Pel left[2 * kMaxCu + 1];
  };
  std::vector<SatdEntry> satd_cache_ = std::vector<SatdEntry>(25 * 256);
  uint32_t satd_generation_ = 0;

  alignas(32) Pel pred_[kMaxCu * kMaxCu];
  alignas(32) Pel mode_pred_[kMaxCu * kMaxCu];
  alignas(32) int16_t resid_[kMaxCu * kMaxCu];
  alignas(32) int32_t coeff_[kMaxCu * kMaxCu];
  alignas(32) int32_t levels_[3][kMaxCu * kMaxCu];
  alignas(32) Pel best_rec_[3][kMaxCu * kMaxCu];
};

void PictureEncoder::save_region(Level& L, const TreeNode& n, int ch) {
  const int w = std::min(n.w, lim_[ch].pic_w - n.x), h = std::min(n.h, lim_[ch].pic_h - n.y);
  if (ch == 0) {
    const Plane& p = recon_.comp[kY];
    for (int y = 0; y < h; ++y)
      std::memcpy(&L.save[0][y * kMaxCu], p.row(n.y + y) + n.x, sizeof(Pel) * w);
  } else {
    for (int c = 1; c < 3; ++c) {
      const Plane& p = recon_.comp[c];
      for (int y = 0; y < h / 2; ++y)
        std::memcpy(&L.save[c][y * kMaxCu], p.row(n.y / 2 + y) + n.x / 2, sizeof(Pel) * (w / 2));
    }
  }
  const int x4 = n.x >> 2, y4 = n.y >> 2, n4w = w >> 2, n4h = h >> 2;
  for (int y = 0; y < n4h; ++y)
    for (int x = 0; x < n4w; ++x) {
      L.save_units[y * (kMaxCu / 4) + x] = maps_.at(ch, x4 + x, y4 + y);
      if (ch == 0) L.save_modes[y * (kMaxCu / 4) + x] = maps_.mode(x4 + x, y4 + y);
    }
}

void PictureEncoder::restore_region(const Level& L, const TreeNode& n, int ch) {
  const int w = std::min(n.w, lim_[ch].pic_w - n.x), h = std::min(n.h, lim_[ch].pic_h - n.y);
  if (ch == 0) {
    Plane& p = recon_.comp[kY];
    for (int y = 0; y < h; ++y)
      std::memcpy(p.row(n.y + y) + n.x, &L.save[0][y * kMaxCu], sizeof(Pel) * w);
  } else {
    for (int c = 1; c < 3; ++c) {
      Plane& p = recon_.comp[c];
      for (int y = 0; y < h / 2; ++y)
        std::memcpy(p.row(n.y / 2 + y) + n.x / 2, &L.save[c][y * kMaxCu], sizeof(Pel) * (w / 2));
    }
  }
  const int x4 = n.x >> 2, y4 = n.y >> 2, n4w = w >> 2, n4h = h >> 2;
  for (int y = 0; y < n4h; ++y)
    for (int x = 0; x < n4w; ++x) {
      maps_.at(ch, x4 + x, y4 + y) = L.save_units[y * (kMaxCu / 4) + x];
      if (ch == 0) maps_.mode(x4 + x, y4 + y) = L.save_modes[y * (kMaxCu / 4) + x];
    }
}

const uint32_t* PictureEncoder::luma_satds(const TreeNode& n, const IntraRefs& refs) {
  // The SATD of every mode is a function of the block's source samples and its reference
  // lines only: blocks reached again through another split path with identical references
  // reuse them (exact, the search result does not change).
  const int qx = (n.x & 63) >> 2, qy = (n.y & 63) >> 2;
  SatdEntry& e = satd_cache_[((ilog2(n.w) - 2) * 5 + ilog2(n.h) - 2) * 256 + qy * 16 + qx];
  const size_t topBytes = sizeof(Pel) * (2 * n.w + 1), leftBytes = sizeof(Pel) * (2 * n.h + 1);
  if (e.generation == satd_generation_ && std::memcmp(e.top, refs.top, topBytes) == 0 &&
      std::memcmp(e.left, refs.left, leftBytes) == 0)
    return e.satd;
  const Plane& op = orig_.comp[kY];
  const Pel* org = op.row(n.y) + n.x;
  for (int m = 0; m < kNumLumaModes; ++m) {
    predict_from_refs(refs, m, mode_pred_, kMaxCu);
    e.satd[m] = static_cast<uint32_t>(satd(org, op.stride, mode_pred_, kMaxCu, n.w, n.h));
  }
  std::memcpy(e.top, refs.top, topBytes);
  std::memcpy(e.left, refs.left, leftBytes);
  e.generation = satd_generation_;
  return e.satd;
}

double PictureEncoder::search_luma_cu(const TreeNode& n, ContextSet& ctx, int& bestMode,
                                      double budget, double interHad) {
  int mpm[6];
  mpm_list(n, mpm);

  // Mode-signalling cost per mode from the current context states (no update): MPM index i
  // (0 = planar) or the 5/6-bit truncated binary remainder of a non-MPM mode.
  const uint32_t mpm1 = BitEstimator::frac_bits(ctx[kCtxIntraLumaMpmFlag], 1);
  const uint32_t mpm0 = BitEstimator::frac_bits(ctx[kCtxIntraLumaMpmFlag], 0);
  const uint32_t np1 = BitEstimator::frac_bits(ctx[kCtxIntraLumaNotPlanarFlag + 1], 1);
  const uint32_t np0 = BitEstimator::frac_bits(ctx[kCtxIntraLumaNotPlanarFlag + 1], 0);
  uint32_t modeBits[kNumLumaModes];
  {
    bool isMpm[kNumLumaModes] = {};
    for (int j = 0; j < 6; ++j) isMpm[mpm[j]] = true;
    int rem = 0;
    for (int m = 0; m < kNumLumaModes; ++m)
      if (!isMpm[m]) modeBits[m] = mpm0 + (rem++ < 3 ? 5 : 6) * kFracBitsOne;
    modeBits[mpm[0]] = mpm1 + np0;
    for (int j = 1; j < 6; ++j) modeBits[mpm[j]] = mpm1 + np1 + (j < 5 ? j : 4) * kFracBitsOne;
  }

  // SATD pre-selection over all 67 modes (reference lines built once).
  IntraRefs& refs = refs_;
  const auto avail = [this](int x, int y) { return maps_.coded_luma_pos(0, x, y); };
  build_intra_refs(recon_.comp[kY], n.x, n.y, n.w, n.h, 0, avail, refs);
  const uint32_t* satds = luma_satds(n, refs);
  const int numFull = cfg_.speed.intra.num_full_rd_modes;
  double candCost[IntraSpeed::kMaxFullRdModes];
  int cand[IntraSpeed::kMaxFullRdModes + 6];
  int numCand = 0;
  for (int m = 0; m < kNumLumaModes; ++m) {
    const double cost = static_cast<double>(satds[m]) +
                        lambdas_.sqrt_lambda * static_cast<double>(modeBits[m]) / kFracBitsOne;
    // Insert into the sorted short list (ties keep the lower mode first).
    if (numCand < numFull || cost < candCost[numCand - 1]) {
      int i = numCand < numFull ? numCand++ : numCand - 1;
      while (i > 0 && candCost[i - 1] > cost) {
        candCost[i] = candCost[i - 1];
        cand[i] = cand[i - 1];
        --i;
      }
      candCost[i] = cost;
      cand[i] = m;
    }
  }
  for (int j = 0; j < 6; ++j) {
    bool found = false;
    for (int i = 0; i < numCand; ++i) found |= cand[i] == mpm[j];
    if (!found) cand[numCand++] = mpm[j];
  }
  // Intra in a P/B slice (VTM's PBIntraFast): with k of the three smallest pure luma SATDs
  // within pb_intra_ratio of the best inter prediction's SATD, only the first k modes of the
  // list get a full RD trial, none when k is 0; all of them when the three are within.
  if (interHad < kInf) {
    uint32_t had[3] = {UINT32_MAX, UINT32_MAX, UINT32_MAX};
    for (int m = 0; m < kNumLumaModes; ++m)
      for (int i = 0; i < 3; ++i)
        if (satds[m] < had[i]) {
          for (int j = 2; j > i; --j) had[j] = had[j - 1];
          had[i] = satds[m];
          break;
        }
    int keep = numCand;
    for (int k = 2; k >= 0; --k)
      if (static_cast<double>(had[k]) > cfg_.speed.intra.pb_intra_ratio * interHad) keep = k;
    if (keep == 0) return kInf;
    numCand = std::min(numCand, keep);
  }

  // Full RD on the short list. Every trial writes its reconstruction in place; the winner's
  // reconstruction and context states are kept aside unless it was the last trial.
  double best = kInf;
  bestMode = cand[0];
  bool lastWasBest = false;
  Plane& rp = recon_.comp[kY];
  for (int i = 0; i < numCand; ++i) {
    const double bound = std::min(best, budget);
    trial_ctx_ = ctx;
    const uint64_t b0 = est_.frac_bits();
    const double d = code_luma_cu(est_, trial_ctx_, n, cand[i], mpm, false, bound, &refs);
    const double cost = d >= bound ? kInf : d + bits_cost(est_.frac_bits() - b0);
    lastWasBest = cost < bound;
    if (lastWasBest) {
      best = cost;
      bestMode = cand[i];
      if (i + 1 < numCand) {
        best_ctx_ = trial_ctx_;
        for (int y = 0; y < n.h; ++y)
          std::memcpy(&best_rec_[0][y * kMaxCu], rp.row(n.y + y) + n.x, sizeof(Pel) * n.w);
      }
    }
  }
  if (best == kInf) return kInf;
  if (lastWasBest) {
    ctx = trial_ctx_;
  } else {
    ctx = best_ctx_;
    for (int y = 0; y < n.h; ++y)
      std::memcpy(rp.row(n.y + y) + n.x, &best_rec_[0][y * kMaxCu], sizeof(Pel) * n.w);
    mark_cu(n, 0, bestMode);
  }
  return best;
}

// SATD pre-selection of the chroma modes as in VTM / VVenC (estIntraPredChromaQT): of the
// modes other than planar, DM and LM (vertical, horizontal, DC and, with cclm, the two MDLM
// modes), the two with the largest min(2 SAD, SATD) of Cb + Cr are marked in skipMode (no full
// RD trial: each costs two DQ trellises). Reads the reference lines in refs_c_.
void PictureEncoder::chroma_satd_preselect(const TreeNode& n, bool cclm,
                                           bool skipMode[kChromaCclmFirst + 3]) {
  const int xc = n.x >> 1, yc = n.y >> 1, wc = n.w >> 1, hc = n.h >> 1;
  const int lumaMode = maps_.mode((n.x + n.w / 2) >> 2, (n.y + n.h / 2) >> 2);
  int modes[5];
  uint64_t cost[5];
  int nm = 0;
  for (int icpm : {1, 2, 3, kChromaCclmFirst + 1, kChromaCclmFirst + 2}) {
    if (icpm >= kChromaCclmFirst && !cclm) continue;
    const int predMode = chroma_pred_mode(icpm, lumaMode);
    uint64_t sum = 0;
    for (int c = 1; c < 3; ++c) {
      if (is_cclm_mode(predMode))
        cclm_pred(n, c, predMode, pred_);
      else
        predict_from_refs(refs_c_[c - 1], predMode, pred_, kMaxCu);
      const Plane& op = orig_.comp[c];
      const Pel* org = op.row(yc) + xc;
      const uint64_t sad2 = 2 * sad(org, op.stride, pred_, kMaxCu, wc, hc);
      sum +=
          (wc & 3) || (hc & 3) ? sad2 : std::min(sad2, satd(org, op.stride, pred_, kMaxCu, wc, hc));
    }
    int i = nm++;  // insertion sort, ties keep the earlier mode first
    for (; i > 0 && cost[i - 1] > sum; --i) {
      cost[i] = cost[i - 1];
      modes[i] = modes[i - 1];
    }
    cost[i] = sum;
    modes[i] = icpm;
  }
  for (int i = std::max(0, nm - 2); i < nm; ++i) skipMode[modes[i]] = true;
}

double PictureEncoder::search_chroma_cu(const TreeNode& n, ContextSet& ctx, int& bestMode,
                                        double budget) {
  double best = kInf;
  bestMode = 4;
  bool lastWasBest = false;
  const int xc = n.x >> 1, yc = n.y >> 1, wc = n.w >> 1, hc = n.h >> 1;
  const auto avail = [this](int x, int y) { return maps_.coded_luma_pos(1, 2 * x, 2 * y); };
  for (int c = 1; c < 3; ++c)
    build_intra_refs(recon_.comp[c], xc, yc, wc, hc, c, avail, refs_c_[c - 1]);
  const bool cclm = cclm_enabled(n);
  bool skipMode[kChromaCclmFirst + 3] = {};
  chroma_satd_preselect(n, cclm, skipMode);
  // CCLM (icpm 7..5) first when allowed; the last trial is icpm 0 (see the best-state logic).
  for (int icpm = cclm ? kChromaCclmFirst + 2 : 4; icpm >= 0; --icpm) {
    if (skipMode[icpm]) continue;
    const double bound = std::min(best, budget);
    trial_ctx_ = ctx;
    const uint64_t b0 = est_.frac_bits();
    const double d = code_chroma_cu(est_, trial_ctx_, n, icpm, false, bound, refs_c_);
    const double cost = d >= bound ? kInf : d + bits_cost(est_.frac_bits() - b0);
    lastWasBest = cost < bound;
    if (lastWasBest) {
      best = cost;
      bestMode = icpm;
      if (icpm > 0) {
        best_ctx_ = trial_ctx_;
        for (int c = 1; c < 3; ++c)
          for (int y = 0; y < hc; ++y)
            std::memcpy(&best_rec_[c][y * kMaxCu], recon_.comp[c].row(yc + y) + xc,
                        sizeof(Pel) * wc);
      }
    }
  }
  if (best == kInf) return kInf;
  if (lastWasBest) {
    ctx = trial_ctx_;
  } else {
    ctx = best_ctx_;
    for (int c = 1; c < 3; ++c)
      for (int y = 0; y < hc; ++y)
        std::memcpy(recon_.comp[c].row(yc + y) + xc, &best_rec_[c][y * kMaxCu], sizeof(Pel) * wc);
  }
  return best;
}

double PictureEncoder::search_node(const TreeNode& n, int ch, int level, ContextSet& ctx,
                                   std::vector<uint8_t>& out, double budget) {
  const SplitLimits& lim = lim_[ch];
  const SplitMask allowed = allowed_splits(n, lim);
  const bool inside = node_inside(n, lim);
  const SplitMask choosable =
      static_cast<SplitMask>(allowed | (inside ? split_bit(SplitMode::kNone) : 0));
  const SplitQuery q = split_query(n, choosable);
  SplitMask tryMask = static_cast<SplitMask>(oracle_.splits_to_try(q) & choosable);
  if (!tryMask) tryMask = choosable;
  // The dual-tree chroma tree tries every allowed split, chroma blocks 2 samples high
  // (BT_H of an Nx4, TT_H of an Nx8 chroma block, N >= 8) included.

  Level& L = level_[level];
  const int numTry = __builtin_popcount(tryMask);
  if (numTry > 1) L.start = ctx;
  double best = kInf;
  bool lastWasBest = false;
  int tried = 0;
  L.best.clear();
  const int x4 = n.x >> 2, y4 = n.y >> 2;
  for (int m = 0; m < kNumSplitModes; ++m) {
    if (!(tryMask & (1u << m))) continue;
    const SplitMode mode = static_cast<SplitMode>(m);
    const bool isLast = ++tried == numTry;
    if (tried > 1) {
      ctx = L.start;
      maps_.set_coded(ch, x4, y4, n.w >> 2, n.h >> 2, 0);
    }
    L.cur.clear();
    L.cur.push_back(static_cast<uint8_t>(m));
    const double bound = std::min(best, budget);
    const uint64_t b0 = est_.frac_bits();
    code_split(est_, ctx, n, ch, mode, allowed);
    double cost = bits_cost(est_.frac_bits() - b0);
    if (cost < bound) {
      if (mode == SplitMode::kNone) {
        int cuMode = 0;
        cost += ch == 0 ? search_luma_cu(n, ctx, cuMode, bound - cost)
                        : search_chroma_cu(n, ctx, cuMode, bound - cost);
        L.cur.push_back(static_cast<uint8_t>(cuMode));
      } else {
        TreeNode kids[4];
        const int nk = split_children(n, mode, lim, kids);
        if (ch == 1 && n.mtt_depth <= 1) cmsm_[n.mtt_depth] = mode;  // for cclm_enabled()
        for (int k = 0; k < nk && cost < bound; ++k)
          cost += search_node(kids[k], ch, level + 1, ctx, L.cur, bound - cost);
      }
    }
    lastWasBest = cost < bound;
    if (lastWasBest) {
      best = cost;
      std::swap(L.best, L.cur);
      if (!isLast) {
        save_region(L, n, ch);
        L.best_ctx = ctx;
      }
    }
  }
  if (best == kInf) return kInf;  // every candidate reached the budget: state is void
  if (!lastWasBest) {
    restore_region(L, n, ch);
    ctx = L.best_ctx;
  }
  out.insert(out.end(), L.best.begin(), L.best.end());
  return best;
}

void PictureEncoder::replay(const TreeNode& n, int ch, const uint8_t*& p,
                            std::vector<uint8_t>& splits) {
  const SplitMode mode = static_cast<SplitMode>(*p++);
  splits.push_back(static_cast<uint8_t>(mode));
  const SplitMask allowed = allowed_splits(n, lim_[ch]);
  code_split(enc_, ctx_, n, ch, mode, allowed);
  if (mode == SplitMode::kNone) {
    const int cuMode = *p++;
    if (ch == 0) {
      int mpm[6];
      mpm_list(n, mpm);
      code_luma_cu(enc_, ctx_, n, cuMode, mpm, true);
      if (CuStats* st = pc_.stats_out) {
        st->intra += static_cast<uint64_t>(std::min(n.w, cfg_.width - n.x)) *
                     static_cast<uint64_t>(std::min(n.h, cfg_.height - n.y));
        ++st->cus;
      }
    } else {
      code_chroma_cu(enc_, ctx_, n, cuMode, true);
    }
    return;
  }
  TreeNode kids[4];
  const int nk = split_children(n, mode, lim_[ch], kids);
  if (ch == 1 && n.mtt_depth <= 1) cmsm_[n.mtt_depth] = mode;  // for cclm_enabled()
  for (int k = 0; k < nk; ++k) replay(kids[k], ch, p, splits);
}

void PictureEncoder::code_tree(const TreeNode& root, int ch, std::vector<uint8_t>& splits) {
  ++satd_generation_;  // the SATD cache covers one 64x64 quadrant
  ContextSet ctx = ctx_;
  decisions_.clear();
  search_node(root, ch, 0, ctx, decisions_, kInf);
  // Final coding with the real coder: the area is coded again from scratch.
  maps_.set_coded(ch, root.x >> 2, root.y >> 2, root.w >> 2, root.h >> 2, 0);
  const uint8_t* p = decisions_.data();
  replay(root, ch, p, splits);
}

// ---- inter pictures ----
//
// P/B slices use one coding tree per CTU (single tree, CTU 128) searched like the intra trees
// (exhaustive over the tried splits, J = D + lambda * R with the bit estimator), then replayed
// with the real coder. State a candidate changes and the search restores: reconstruction,
// CU maps (both channel maps mirror each other), motion field, HMVP table, contexts.
// Per CU: skip with each merge candidate, merge with residual for the two best skip
// candidates, AMVP uni-L0 / uni-L1 / bi from the motion search (without residual; with
// residual for the one of best search cost), and intra (luma then chroma mode search) when
// the best inter CU codes a residual. Encoder restrictions (legal streams): no split
// that signals mode_constraint_flag (7.3.9.4 modeTypeCondition), CUs at least 8x8,
// residuals only in CUs of at most 64x64 (one TU), intra CUs of at most 64x64.

// Whether a split of n would make 7.3.9.4 signal mode_constraint_flag or force intra children
// (VTM CS::signalModeCons: chroma blocks under 16 samples or 2xN ones).
static bool split_mode_constrained(const TreeNode& n, SplitMode m) {
  const bool four = m == SplitMode::kQt || m == SplitMode::kTtH || m == SplitMode::kTtV;
  const int minLuma = four ? n.w * n.h / 4 : n.w * n.h / 2;
  const bool is2xN = (n.w == 8 && m == SplitMode::kBtV) || (n.w == 16 && m == SplitMode::kTtV);
  return minLuma / 4 < 16 || is2xN;
}

// What the split oracle is told about node n (choosable: the splits the search may pick).
SplitQuery PictureEncoder::split_query(const TreeNode& n, SplitMask choosable) const {
  SplitQuery q;
  q.x = n.x;
  q.y = n.y;
  q.w = n.w;
  q.h = n.h;
  q.qt_depth = n.qt_depth;
  q.mtt_depth = n.mtt_depth;
  q.tree = n.tree;
  q.slice_type = pc_.slice_type;
  q.temporal_id = pc_.temporal_id;
  q.poc = pc_.poc;
  q.qp = pc_.qp;
  q.orig = &orig_;
  q.allowed = choosable;
  // nn: the nearest reference (smallest POC distance, L0 first) for the CNN's temporal cue.
  for (int l = 0; l < 2; ++l)
    for (const RefPicture& r : pc_.ref[l])
      if (r.recon && (!q.ref || std::abs(r.poc - pc_.poc) < std::abs(q.ref_poc - pc_.poc))) {
        q.ref = r.recon;
        q.ref_poc = r.poc;
      }
  return q;
}

SplitMask PictureEncoder::inter_try_mask(const TreeNode& n, SplitMask choosable) {
  const SplitQuery q = split_query(n, choosable);
  SplitMask drop = 0;
  for (SplitMode m :
       {SplitMode::kQt, SplitMode::kBtH, SplitMode::kBtV, SplitMode::kTtH, SplitMode::kTtV})
    if (split_mode_constrained(n, m)) drop |= split_bit(m);
  // Encoder restriction: CUs at least 8x8 (chroma TBs of 2 rows are not supported).
  if (n.h == 8) drop |= split_bit(SplitMode::kBtH);
  if (n.h == 16) drop |= split_bit(SplitMode::kTtH);
  if (n.w == 8) drop |= split_bit(SplitMode::kBtV);
  if (n.w == 16) drop |= split_bit(SplitMode::kTtV);
  const SplitMask usable = static_cast<SplitMask>(choosable & ~drop);
  SplitMask tryMask = static_cast<SplitMask>(oracle_.splits_to_try(q) & usable);
  if (!tryMask) tryMask = usable;
  if (!tryMask) tryMask = choosable;  // not reached for sizes that are multiples of 8
  // A CU wider or taller than kMaxCu is coded without a residual (prediction only), so a
  // pruned search must keep a way down to residual-capable CUs: an oracle that keeps only
  // "no split" there (the CNN at a flat CTU) would code the whole CTU as skip.
  const SplitMask splits = static_cast<SplitMask>(usable & ~split_bit(SplitMode::kNone));
  if ((n.w > kMaxCu || n.h > kMaxCu) && !(tryMask & splits)) tryMask |= splits;
  return tryMask;
}

double PictureEncoder::cu_distortion(const TreeNode& n) const {
  double d = 0;
  for (int c = 0; c < 3; ++c) {
    const int s = c ? 1 : 0;
    const Plane& op = orig_.comp[c];
    const Plane& rp = recon_.comp[c];
    const double e =
        static_cast<double>(sse(op.row(n.y >> s) + (n.x >> s), op.stride,
                                rp.row(n.y >> s) + (n.x >> s), rp.stride, n.w >> s, n.h >> s));
    d += c ? lambdas_.chroma_weight[c] * e : e;
  }
  return d;
}

double PictureEncoder::deblocking_offset(const TreeNode& n, const MotionInfo& mi, bool intra,
                                         const int nz[3]) {
  if (!cfg_.deblock || !cfg_.speed.rdo.deblock_aware) return 0;
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
      const CuUnit& pu = maps_.at(0, px >> 2, py >> 2);
      const bool cbfP[3] = {(pu.cbf & 1) != 0, (pu.cbf & 2) != 0, (pu.cbf & 4) != 0};
      EdgeBs& b = bs[dir][k];
      b = edge_bs(motion_->at(px, py), q, rl_, true, cbfP, cbfQ);
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
  if (edo_pic_.width < kCtuMax + 16) edo_pic_ = Picture(kCtuMax + 16, kCtuMax + 16);
  DeblockGrid& g = edo_grid_;
  g.width4 = lw >> 2;
  g.height4 = lh >> 2;
  g.units.assign(static_cast<size_t>(g.width4) * g.height4, DeblockUnit{});
  const int qp = ctu_qp_;  // the neighbours' QpY taken as the CTU's
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
      const CuUnit& pu = maps_.at(0, px >> 2, py >> 2);
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
  edo_params_.origin_y = oy;
  double delta = 0;
  for (int c = 0; c < 3; ++c) {
    const int s = c ? 1 : 0;
    Plane& lp = edo_pic_.comp[c];
    const Plane& rp = recon_.comp[c];
    const Plane& op = orig_.comp[c];
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
    if (left) deblock_plane(lp, c, g, edo_params_, true);
    if (top) deblock_plane(lp, c, g, edo_params_, false);
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
    delta += (c ? lambdas_.chroma_weight[c] : 1.0) * static_cast<double>(change);
  }
  return delta;
}

// Prediction, residual (merge with residual; AMVP when d.coded asks for one), reconstruction
// and the CU syntax (7.3.10.5 order). Returns the distortion, or kInf for a merge CU whose
// residual quantizes to nothing (that is a skip CU). Sets d.coded for AMVP.
template <class Coder>
double PictureEncoder::code_inter_cu(Coder& coder, ContextSet& ctx, const TreeNode& n,
                                     CuDecision& d, int nz[3]) {
  const int x = n.x, y = n.y, w = n.w, h = n.h;
  const bool skip = d.kind == 0;
  const bool wantRes = (d.kind == 1 || (d.kind == 2 && d.coded)) && w <= kMaxCu && h <= kMaxCu;
  nz[0] = nz[1] = nz[2] = 0;
  Picture& rec = recon_;
  if (wantRes) {
    ip_.predict(d.mi, rps_, x, y, w, h, ipred_[0], kMaxCu, ipred_[1], ipred_[2], kMaxCu,
                d.kind != 2);  // dmvr: merge / skip CUs are regular merge
    for (int c = 0; c < 3; ++c) {
      const int s = c ? 1 : 0;
      const Plane& op = orig_.comp[c];
      Plane& rp = rec.comp[c];
      const int cbfCtx = c == 0   ? kCtxTuYCodedFlag + 0
                         : c == 1 ? kCtxTuCbCodedFlag + 0
                                  : kCtxTuCrCodedFlag + (nz[1] > 0 ? 1 : 0);
      nz[c] = code_tb(c, op.row(y >> s) + (x >> s), op.stride, w >> s, h >> s, levels_[c],
                      rp.row(y >> s) + (x >> s), rp.stride, ipred_[c], ctx, cbfCtx);
    }
  } else {
    ip_.predict(d.mi, rps_, x, y, w, h, rec.comp[0].row(y) + x, rec.comp[0].stride,
                rec.comp[1].row(y / 2) + x / 2, rec.comp[2].row(y / 2) + x / 2, rec.comp[1].stride,
                d.kind != 2);
  }
  const bool any = nz[0] || nz[1] || nz[2];
  if (d.kind == 1 && !any) return kInf;
  if (d.kind == 2) d.coded = any;
  const double dist = cu_distortion(n);

  code_cu_skip_flag(coder, ctx, skip, skip_at(x - 1, y), skip_at(x, y - 1));
  if (!skip) code_pred_mode_flag(coder, ctx, false, intra_at(x - 1, y), intra_at(x, y - 1));
  const int numRef[2] = {rl_.num_ref[0], rl_.num_ref[1]};
  code_inter_prediction(coder, ctx, d.pu, skip, ilog2(w), ilog2(h), rl_.is_b, numRef);
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
void PictureEncoder::code_intra_cu_single(Coder& coder, ContextSet& ctx, const TreeNode& n,
                                          const CuDecision& d, int nz[3]) {
  int mpm[6];
  mpm_list(n, mpm);
  const auto availY = [this](int x, int y) { return maps_.coded_luma_pos(0, x, y); };
  const auto availC = [this](int x, int y) { return maps_.coded_luma_pos(1, 2 * x, 2 * y); };
  const int predC = chroma_pred_mode(d.chroma_mode, d.luma_mode);
  for (int c = 0; c < 3; ++c) {
    const int s = c ? 1 : 0;
    Plane& rp = recon_.comp[c];
    const Plane& op = orig_.comp[c];
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
  code_cu_skip_flag(coder, ctx, false, skip_at(n.x - 1, n.y), skip_at(n.x, n.y - 1));
  code_pred_mode_flag(coder, ctx, true, intra_at(n.x - 1, n.y), intra_at(n.x, n.y - 1));
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
void PictureEncoder::commit_cu(const TreeNode& n, const CuDecision& d, const int nz[3],
                               bool final) {
  const bool intra = d.kind == 3;
  const uint8_t cbf = static_cast<uint8_t>((nz[0] ? 1 : 0) | (nz[1] ? 2 : 0) | (nz[2] ? 4 : 0));
  mark_cu(n, 0, intra ? d.luma_mode : 0, d.kind == 0, intra, cbf);
  mark_cu(n, 1, 0, d.kind == 0, intra, cbf);
  if (intra) {
    motion_->set_intra(n.x, n.y, n.w, n.h);
  } else {
    motion_->set(n.x, n.y, n.w, n.h, d.mi);
    hmvp_.update(d.mi);
  }
  if (!final) return;
  if (CuStats* st = pc_.stats_out) {
    const uint64_t area = static_cast<uint64_t>(std::min(n.w, cfg_.width - n.x)) *
                          static_cast<uint64_t>(std::min(n.h, cfg_.height - n.y));
    uint64_t* kind[4] = {&st->skip, &st->merge, &st->amvp, &st->intra};
    *kind[d.kind] += area;
    if (!intra && d.mi.inter_dir == 3) st->bi += area;
    if (nz[0] || nz[1] || nz[2]) st->residual += area;
    ++st->cus;
  }
  if (!intra)  // dmvr: the refined MVs are what TMVP reads (stored after the picture)
    for (int k = 0; k < ip_.num_refined(); ++k) dmvr_store_.push_back(ip_.refined(k));
  const int qpy = commit_qpy(n);
  const int tw = std::min(n.w, 64), th = std::min(n.h, 64);
  for (int j = 0; j < n.h; j += th)
    for (int i = 0; i < n.w; i += tw) {
      deblock_.set_luma_tb(n.x + i, n.y + j, tw, th, qpy);
      deblock_.set_chroma_tb((n.x + i) / 2, (n.y + j) / 2, tw / 2, th / 2, qpy);
      tbmap_.set_tb(n.x + i, n.y + j, tw, th, nz[0] > 0, nz[1] > 0, nz[2] > 0);
    }
}

double PictureEncoder::search_inter_cu(const TreeNode& n, ContextSet& ctx, CuDecision& best,
                                       double budget) {
  const int w = n.w, h = n.h;
  const ContextSet ctx0 = ctx;
  double bestCost = kInf;
  auto keep = [&](const CuDecision& d, double cost, const ContextSet& c) {
    if (cost >= bestCost || cost >= budget) return;
    bestCost = cost;
    best = d;
    ictx_best_ = c;
    for (int comp = 0; comp < 3; ++comp) {
      const int s = comp ? 1 : 0;
      const Plane& rp = recon_.comp[comp];
      for (int y = 0; y < (h >> s); ++y)
        std::memcpy(&ibest_[comp][y * kCtuMax], rp.row((n.y >> s) + y) + (n.x >> s),
                    sizeof(Pel) * (w >> s));
    }
  };
  auto trial = [&](CuDecision& d) {
    ictx_trial_ = ctx0;
    const uint64_t b0 = est_.frac_bits();
    int nz[3];
    const double dist = code_inter_cu(est_, ictx_trial_, n, d, nz);
    if (dist >= kInf) return kInf;
    for (int c = 0; c < 3; ++c) d.nz[c] = static_cast<int8_t>(nz[c] > 0);
    const double cost =
        dist + bits_cost(est_.frac_bits() - b0) + deblocking_offset(n, d.mi, false, nz);
    keep(d, cost, ictx_trial_);
    return cost;
  };

  MergeContext mc(avail0_);
  fill_merge_context(mc, n);
  // Skip with every merge candidate, then merge with residual for the two best.
  MotionInfo list[kMaxNumMergeCand];
  build_merge_list(mc, list);
  double skipCost[kMaxNumMergeCand];
  for (int k = 0; k < kMaxNumMergeCand; ++k) {
    skipCost[k] = kInf;
    bool dup = false;
    for (int j = 0; j < k; ++j) dup |= list[j].same_motion(list[k]);
    if (dup) continue;
    CuDecision d;
    d.kind = 0;
    d.pu.merge = true;
    d.pu.merge_idx = k;
    d.mi = list[k];
    skipCost[k] = trial(d);
  }
  if (w <= kMaxCu && h <= kMaxCu) {
    int order[kMaxNumMergeCand];
    for (int k = 0; k < kMaxNumMergeCand; ++k) order[k] = k;
    std::stable_sort(order, order + kMaxNumMergeCand,
                     [&](int a, int b) { return skipCost[a] < skipCost[b]; });
    for (int r = 0; r < 2; ++r) {
      const int k = order[r];
      if (skipCost[k] >= kInf) continue;
      CuDecision d;
      d.kind = 1;
      d.pu.merge = true;
      d.pu.merge_idx = k;
      d.mi = list[k];
      trial(d);
    }
  }

  // AMVP: motion search over the active reference pictures of both lists; not where the
  // same block was coded as a skip or intra CU through another split path (VVenC).
  double interHad = kInf;  // the smallest luma SATD of a searched inter prediction
  if (!(cfg_.speed.partition.fast_inter_split && (etp_.rules & kEtRelatedNoMe) &&
        etcache_.skip_or_intra(n.x, n.y, w, h))) {
    MeRef mer[2][kMaxRefPics];
    const MeRef* refs[2] = {mer[0], mer[1]};
    int numRefs[2] = {rl_.num_ref[0], rl_.is_b ? rl_.num_ref[1] : 0};
    for (int l = 0; l < 2; ++l)
      for (int i = 0; i < numRefs[l]; ++i) {
        mer[l][i].pic = rps_.pic[l][i];
        build_amvp_list(mc, l, i, mer[l][i].mvp);
        mer[l][i].ref_bits = ref_idx_bits(i, numRefs[l]) + (rl_.is_b ? 2 : 0);
        mer[l][i].search_range = search_range_for(rl_.ref_poc[l][i]);
      }
    MeBlock blk;
    const Plane& op = orig_.comp[kY];
    blk.org = op.row(n.y) + n.x;
    blk.stride = op.stride;
    blk.x = n.x;
    blk.y = n.y;
    blk.w = w;
    blk.h = h;
    MeConfig mcfg;
    mcfg.sqrt_lambda = lambdas_.sqrt_lambda;
    const InterSpeed& sp = cfg_.speed.inter;
    mcfg.search_range = sp.search_range;
    mcfg.bi_iterations = rl_.is_b ? sp.bi_iterations : 0;
    mcfg.bi_search_range = sp.bi_search_range;
    mcfg.subpel = sp.subpel;
    mcfg.subsample_rows = sp.subsample_rows;
    const MeResult res = me_.search(blk, refs, numRefs, w + h > 12, mcfg);
    // Residual trials only for the direction with the best motion-search cost (VTM codes
    // the residual of one AMVP choice); the residual-free trials are cheap and stay for all.
    const double meCost[3] = {res.uni[0].valid ? res.uni[0].cost : kInf,
                              res.uni[1].valid ? res.uni[1].cost : kInf,
                              res.bi.valid ? res.bi.cost : kInf};
    const int meBest = static_cast<int>(std::min_element(meCost, meCost + 3) - meCost);
    if (mcfg.subpel)  // the search's distortions are SATDs (integer-only ones are SADs)
      for (int l = 0; l < 3; ++l) {
        const bool valid = l < 2 ? res.uni[l].valid : res.bi.valid;
        const uint64_t dist = l < 2 ? res.uni[l].dist : res.bi.dist;
        if (valid) interHad = std::min(interHad, static_cast<double>(dist));
      }
    for (int cand = 0; cand < 3; ++cand) {
      CuDecision d;
      d.kind = 2;
      d.pu.merge = false;
      d.mi.is_inter = true;
      if (cand < 2) {
        const UniResult& u = res.uni[cand];
        if (!u.valid) continue;
        d.pu.inter_dir = 1 << cand;
        d.pu.ref_idx[cand] = u.ref_idx;
        d.pu.mvp_idx[cand] = u.mvp_idx;
        d.pu.mvd[cand] = mvd_for(u.mv, mer[cand][u.ref_idx].mvp[u.mvp_idx]);
        d.mi.ref_idx[cand] = static_cast<int8_t>(u.ref_idx);
        d.mi.mv[cand] = u.mv;
      } else {
        if (!res.bi.valid) continue;
        d.pu.inter_dir = 3;
        for (int l = 0; l < 2; ++l) {
          d.pu.ref_idx[l] = res.bi.ref_idx[l];
          d.pu.mvp_idx[l] = res.bi.mvp_idx[l];
          d.pu.mvd[l] = mvd_for(res.bi.mv[l], mer[l][res.bi.ref_idx[l]].mvp[res.bi.mvp_idx[l]]);
          d.mi.ref_idx[l] = static_cast<int8_t>(res.bi.ref_idx[l]);
          d.mi.mv[l] = res.bi.mv[l];
        }
      }
      d.mi.inter_dir = static_cast<uint8_t>(d.pu.inter_dir);
      d.coded = false;
      trial(d);
      if (w <= kMaxCu && h <= kMaxCu && cand == meBest) {
        d.coded = true;
        trial(d);
      }
    }
  }

  // Intra: luma mode search, then chroma mode search with the chosen luma mode (DM). Like
  // VTM / VVenC (EncModeCtrl: "avoid very complex intra if it is unlikely"), only when the
  // best inter CU codes a residual (or no inter CU fits the budget).
  const bool interResidual = bestCost >= kInf || best.kind == 1 || (best.kind == 2 && best.coded);
  if (w <= kMaxCu && h <= kMaxCu && interResidual) {
    ContextSet c = ctx0;
    const uint64_t b0 = est_.frac_bits();
    code_cu_skip_flag(est_, c, false, skip_at(n.x - 1, n.y), skip_at(n.x, n.y - 1));
    code_pred_mode_flag(est_, c, true, intra_at(n.x - 1, n.y), intra_at(n.x, n.y - 1));
    double cost = bits_cost(est_.frac_bits() - b0);
    const double bound = std::min(bestCost, budget);
    if (cost < bound) {
      ++satd_generation_;  // the SATD cache is keyed by 64x64-quadrant positions
      int lm = 0, cm = 4;
      cost +=
          search_luma_cu(n, c, lm, bound - cost, cfg_.speed.intra.pb_intra_fast ? interHad : kInf);
      if (cost < bound) cost += search_chroma_cu(n, c, cm, bound - cost);
      if (cost < bound) {
        const int nzIntra[3] = {0, 0, 0};  // intra edges have bS 2 whatever the residual
        cost += deblocking_offset(n, MotionInfo{}, true, nzIntra);
      }
      if (cost < bound) {
        CuDecision d;
        d.kind = 3;
        d.luma_mode = static_cast<uint8_t>(lm);
        d.chroma_mode = static_cast<uint8_t>(cm);
        keep(d, cost, c);
      }
    }
  }

  if (bestCost >= kInf || bestCost >= budget) return kInf;
  for (int comp = 0; comp < 3; ++comp) {
    const int s = comp ? 1 : 0;
    Plane& rp = recon_.comp[comp];
    for (int y = 0; y < (h >> s); ++y)
      std::memcpy(rp.row((n.y >> s) + y) + (n.x >> s), &ibest_[comp][y * kCtuMax],
                  sizeof(Pel) * (w >> s));
  }
  ctx = ictx_best_;
  const int nz[3] = {best.nz[0], best.nz[1], best.nz[2]};
  commit_cu(n, best, nz, false);
  return bestCost;
}

void PictureEncoder::save_region_inter(InterLevel& L, const TreeNode& n) {
  const int w = std::min(n.w, cfg_.width - n.x), h = std::min(n.h, cfg_.height - n.y);
  for (int c = 0; c < 3; ++c) {
    const int s = c ? 1 : 0;
    const Plane& p = recon_.comp[c];
    for (int y = 0; y < (h >> s); ++y)
      std::memcpy(&L.save[c][y * kCtuMax], p.row((n.y >> s) + y) + (n.x >> s),
                  sizeof(Pel) * (w >> s));
  }
  const int x4 = n.x >> 2, y4 = n.y >> 2, n4w = w >> 2, n4h = h >> 2;
  for (int y = 0; y < n4h; ++y)
    for (int x = 0; x < n4w; ++x) {
      const int k = y * (kCtuMax / 4) + x;
      for (int ch = 0; ch < 2; ++ch) L.save_units[ch][k] = maps_.at(ch, x4 + x, y4 + y);
      L.save_modes[k] = maps_.mode(x4 + x, y4 + y);
      L.save_motion[k] = motion_->at(n.x + 4 * x, n.y + 4 * y);
    }
}

void PictureEncoder::restore_region_inter(const InterLevel& L, const TreeNode& n) {
  const int w = std::min(n.w, cfg_.width - n.x), h = std::min(n.h, cfg_.height - n.y);
  for (int c = 0; c < 3; ++c) {
    const int s = c ? 1 : 0;
    Plane& p = recon_.comp[c];
    for (int y = 0; y < (h >> s); ++y)
      std::memcpy(p.row((n.y >> s) + y) + (n.x >> s), &L.save[c][y * kCtuMax],
                  sizeof(Pel) * (w >> s));
  }
  const int x4 = n.x >> 2, y4 = n.y >> 2, n4w = w >> 2, n4h = h >> 2;
  for (int y = 0; y < n4h; ++y)
    for (int x = 0; x < n4w; ++x) {
      const int k = y * (kCtuMax / 4) + x;
      for (int ch = 0; ch < 2; ++ch) maps_.at(ch, x4 + x, y4 + y) = L.save_units[ch][k];
      maps_.mode(x4 + x, y4 + y) = L.save_modes[k];
      motion_->set(n.x + 4 * x, n.y + 4 * y, 4, 4, L.save_motion[k]);
    }
}

// Early-termination bookkeeping after a trial of split mode `mode` at node n (cost >= bound:
// the trial was cut off; the best-so-far flags are updated by the caller's comparison).
void PictureEncoder::et_after_trial(const TreeNode& n, int level, SplitMode mode, double cost,
                                    double bound) {
  InterLevel& L = ilevel_[static_cast<size_t>(level)];
  EtNodeState& es = L.et;
  const bool done = cost < bound;
  if (mode == SplitMode::kNone) {
    const CuDecision& d = L.cur.back().cu;
    es.cost_none = done ? cost : EtNodeState::kInf;
    es.nosplit_skip = done && d.kind == 0;
    es.nosplit_residual = done && (d.kind != 0 && !(d.kind == 2 && !d.coded));
    es.skip_score = 0;
    if (es.nosplit_skip)
      for (int a = level - 1; a >= 0; --a) {
        const EtNodeState& as = ilevel_[static_cast<size_t>(a)].et;
        if (!as.residual_capable || !as.nosplit_skip) break;
        ++es.skip_score;
      }
    if (done) etcache_.note(n.x, n.y, n.w, n.h, d.kind == 0, d.kind == 3);
    return;
  }
  es.split_tried = true;
  if (mode == SplitMode::kQt) {
    if (!done) return;
    int maxQt = 0;
    for (int y = n.y; y < n.y + n.h; y += 4)
      for (int x = n.x; x < n.x + n.w; x += 4)
        maxQt = std::max(maxQt, static_cast<int>(maps_.at(0, x >> 2, y >> 2).qt_depth));
    es.max_qt_sub_depth = maxQt;
    return;
  }
  if (mode != SplitMode::kBtH && mode != SplitMode::kBtV) return;
  const int d = mode == SplitMode::kBtH ? 0 : 1;
  es.did_bt[d] = true;
  es.cost_bt[d] = done ? cost : EtNodeState::kInf;
  if (!done) return;
  int numCus = 0;
  for (const NodeDecision& nd : L.cur) numCus += nd.split == 0;
  const CuUnit& first = maps_.at(0, n.x >> 2, n.y >> 2);
  const CuUnit& last = maps_.at(0, (n.x + n.w - 1) >> 2, (n.y + n.h - 1) >> 2);
  const int half = (d == 0 ? n.h : n.w) / 2;
  es.do_tt[d] = et_do_tt_after_bt(numCus, 1 << (d == 0 ? first.log2h : first.log2w),
                                  1 << (d == 0 ? last.log2h : last.log2w), half,
                                  n.mtt_depth + 1 >= lim_single_.lim.max_mtt_depth);
}

double PictureEncoder::search_node_inter(const TreeNode& n, int level, ContextSet& ctx,
                                         std::vector<NodeDecision>& out, double budget) {
  const SplitLimits& lim = lim_single_;
  const SplitMask allowed = allowed_splits(n, lim);
  const bool inside = node_inside(n, lim);
  const SplitMask choosable =
      static_cast<SplitMask>(allowed | (inside ? split_bit(SplitMode::kNone) : 0));
  const SplitMask tryMask = inter_try_mask(n, choosable);

  InterLevel& L = ilevel_[static_cast<size_t>(level)];
  const int numTry = __builtin_popcount(tryMask);
  if (numTry > 1) {
    L.start = ctx;
    L.hmvp_start = hmvp_;
  }
  // Early terminations (partition/early_term.h) at nodes inside the picture; the no-split CU
  // is tried first, QT before or after the multi-type splits.
  const bool fast = cfg_.speed.partition.fast_inter_split && inside;
  EtNodeState& es = L.et;
  es = EtNodeState{};
  EtNode en;
  en.w = n.w;
  en.h = n.h;
  en.qt_depth = n.qt_depth;
  en.mtt_depth = n.mtt_depth;
  es.residual_capable = n.w <= kMaxCu && n.h <= kMaxCu;
  for (int a = 0; a < level; ++a) en.level += ilevel_[static_cast<size_t>(a)].et.residual_capable;
  if (fast) {
    const SplitNeighbours nb = split_neighbours(n, 0);
    es.qt_before_bt = !(etp_.rules & kEtQtLate) ||
                      et_qt_before_bt(en, nb.availL ? nb.qtL : -1, nb.availA ? nb.qtA : -1,
                                      pc_.temporal_id, lim.lim.min_qt);
  }
  SplitMode order[kNumSplitModes];
  order[0] = SplitMode::kNone;
  et_split_order(es.qt_before_bt, order + 1);

  double best = kInf;
  bool lastWasBest = false;
  int tried = 0;
  L.best.clear();
  const int x4 = n.x >> 2, y4 = n.y >> 2;
  for (const SplitMode mode : order) {
    const int m = static_cast<int>(mode);
    if (!(tryMask & (1u << m))) continue;
    if (fast && mode != SplitMode::kNone && !et_try_split(en, es, mode, etp_)) continue;
    const bool isLast = ++tried == numTry;
    if (tried > 1) {
      ctx = L.start;
      hmvp_ = L.hmvp_start;
      for (int ch = 0; ch < 2; ++ch) maps_.set_coded(ch, x4, y4, n.w >> 2, n.h >> 2, 0);
    }
    L.cur.clear();
    NodeDecision nd;
    nd.split = static_cast<uint8_t>(m);
    L.cur.push_back(nd);
    const double bound = std::min(best, budget);
    const uint64_t b0 = est_.frac_bits();
    code_split_syntax(est_, ctx, n, mode, allowed, inside, split_neighbours(n, 0));
    double cost = bits_cost(est_.frac_bits() - b0);
    int nk = 0;
    if (cost < bound) {
      if (mode == SplitMode::kNone) {
        cost += search_inter_cu(n, ctx, L.cur.back().cu, bound - cost);
      } else {
        TreeNode kids[4];
        nk = split_children(n, mode, lim, kids);
        for (int k = 0; k < nk && cost < bound; ++k)
          cost += search_node_inter(kids[k], level + 1, ctx, L.cur, bound - cost);
      }
    }
    if (fast) et_after_trial(n, level, mode, cost, bound);
    lastWasBest = cost < bound;
    if (lastWasBest) {
      best = cost;
      es.best_is_nosplit = mode == SplitMode::kNone;
      es.best_children_unsplit =
          mode != SplitMode::kNone && L.cur.size() == static_cast<size_t>(1 + nk);
      std::swap(L.best, L.cur);
      if (!isLast) {
        save_region_inter(L, n);
        L.best_ctx = ctx;
        L.hmvp_best = hmvp_;
      }
    }
  }
  if (best == kInf) return kInf;
  if (!lastWasBest) {
    restore_region_inter(L, n);
    ctx = L.best_ctx;
    hmvp_ = L.hmvp_best;
  }
  out.insert(out.end(), L.best.begin(), L.best.end());
  return best;
}

void PictureEncoder::replay_inter(const TreeNode& n, const NodeDecision*& p) {
  const NodeDecision& nd = *p++;
  const SplitMode mode = static_cast<SplitMode>(nd.split);
  code_split_syntax(enc_, ctx_, n, mode, allowed_splits(n, lim_single_),
                    node_inside(n, lim_single_), split_neighbours(n, 0));
  if (mode == SplitMode::kNone) {
    CuDecision d = nd.cu;
    int nz[3] = {0, 0, 0};
    if (d.kind == 3)
      code_intra_cu_single(enc_, ctx_, n, d, nz);
    else
      code_inter_cu(enc_, ctx_, n, d, nz);
    commit_cu(n, d, nz, true);
    return;
  }
  TreeNode kids[4];
  const int nk = split_children(n, mode, lim_single_, kids);
  for (int k = 0; k < nk; ++k) replay_inter(kids[k], p);
}

std::vector<uint8_t> PictureEncoder::run_inter() {
  const int W = cfg_.width, H = cfg_.height;
  if (recon_.width != W || recon_.height != H) recon_ = Picture(W, H);
  maps_.reset(W, H);
  deblock_.reset(W, H);
  tbmap_.reset(W, H);
  lim_single_ = split_limits(cfg_, pc_.slice_type, TreeType::kSingle);

  rl_ = RefLists{};
  rl_.poc = pc_.poc;
  rl_.is_b = pc_.slice_type == SliceType::B;
  for (int l = 0; l < 2; ++l) {
    rl_.num_ref[l] = std::min(static_cast<int>(pc_.ref[l].size()), kMaxRefPics);
    for (int i = 0; i < rl_.num_ref[l]; ++i) {
      rl_.ref_poc[l][i] = pc_.ref[l][static_cast<size_t>(i)].poc;
      rps_.pic[l][i] = pc_.ref[l][static_cast<size_t>(i)].padded;
      rps_.ref_poc[l][i] = rl_.ref_poc[l][i];  // dmvr/bdof conditions
    }
  }
  rps_.poc = pc_.poc;
  {  // VVenC: skip CUs stop the split search from mtt depth 2 when a reference is adjacent
    int minDist = std::numeric_limits<int>::max();
    for (int l = 0; l < 2; ++l)
      for (int i = 0; i < rl_.num_ref[l]; ++i)
        minDist = std::min(minDist, std::abs(pc_.poc - rl_.ref_poc[l][i]));
    etp_.skip_mtt_depth = minDist <= 1 ? 2 : 3;
  }
  edo_params_ = deblock_params();
  rps_.dmvr = cfg_.dmvr;  // ph_*_disabled_flag inferred 1 - sps flag (no PH control)
  rps_.bdof = cfg_.bdof;
  dmvr_store_.clear();
  rl_.tmvp = pc_.temporal_mvp;
  rl_.collocated_from_l0 = rl_.is_b ? pc_.collocated_from_l0 : true;
  rl_.collocated_ref_idx = pc_.collocated_ref_idx;
  col_ = rl_.tmvp ? pc_.ref[rl_.col_list()][static_cast<size_t>(rl_.collocated_ref_idx)].motion
                  : nullptr;
  motion_ = pc_.motion_out ? pc_.motion_out : &local_motion_;
  motion_->reset(W, H);
  motion_->refs = rl_;

  ilevel_.resize(kMaxLevels);
  constexpr size_t kUnits = (kCtuMax / 4) * (kCtuMax / 4);
  for (auto& L : ilevel_) {
    for (auto& s : L.save) s.resize(kCtuMax * kCtuMax);
    for (auto& u : L.save_units) u.resize(kUnits);
    L.save_modes.resize(kUnits);
    L.save_motion.resize(kUnits);
    L.cur.reserve(256);
    L.best.reserve(256);
  }
  for (auto& b : ibest_) b.resize(kCtuMax * kCtuMax);

  ctx_.init(pc_.qp, rl_.is_b ? 2 : 1);  // initType: P 1, B 2 (sh_cabac_init_flag 0)
  enc_.start();
  est_.start();
  const int ctu = cfg_.ctu_size();
  qpy_map_.assign(static_cast<size_t>(maps_.w4()) * maps_.h4(), static_cast<int8_t>(pc_.qp));
  int ctuIndex = 0;
  for (int cy = 0; cy < H; cy += ctu) {
    hmvp_.reset();  // HMVP table reset at the first CTU of every CTU row
    for (int cx = 0; cx < W; cx += ctu) {
      enc_.mark_ctu();  // ALF syntax goes before each CTU in the final pass
      start_ctu_qg(ctuIndex++, cx, cy);
      etcache_.reset();
      TreeNode root;
      root.x = cx;
      root.y = cy;
      root.w = root.h = ctu;
      root.tree = TreeType::kSingle;
      const HmvpTable hmvpStart = hmvp_;
      ContextSet ctx = ctx_;
      idecisions_.clear();
      search_node_inter(root, 0, ctx, idecisions_, kInf);
      {  // nn: the split log's single-tree record of this CTU (pre-order split modes)
        const SplitQuery rq = split_query(root, 0);
        CtuTreeRecord rec;
        rec.poc = pc_.poc;
        rec.x = cx;
        rec.y = cy;
        rec.qp = pc_.qp;
        rec.slice_type = pc_.slice_type;
        rec.tree = TreeType::kSingle;
        rec.temporal_id = pc_.temporal_id;
        rec.ref_poc = rq.ref_poc;
        for (const NodeDecision& nd : idecisions_) rec.splits.push_back(nd.split);
        oracle_.record_tree(rec);
      }
      // Final coding with the real coder from the CTU's starting state.
      for (int ch = 0; ch < 2; ++ch) maps_.set_coded(ch, cx >> 2, cy >> 2, ctu >> 2, ctu >> 2, 0);
      hmvp_ = hmvpStart;
      const NodeDecision* p = idecisions_.data();
      replay_inter(root, p);
    }
  }
  enc_.encode_bin_trm(1);  // end_of_slice_segment_flag
  enc_.finish();
  oracle_.end_picture();

  if (cfg_.deblock) {
    std::vector<uint8_t> crBs;
    derive_boundary_strengths(*motion_, tbmap_, deblock_, &crBs);
    deblock_picture_split_chroma(recon_, deblock_, crBs, deblock_params());
  }
  // dmvr: spatial prediction and bS used the unrefined MVs; later pictures' TMVP reads the
  // refined ones (8.5.1).
  for (const RefinedMotion& r : dmvr_store_) motion_->set(r.x, r.y, r.w, r.h, r.mi);
  // ALF on the deblocked picture, then the final CABAC pass with the ALF CTU syntax.
  set_ctu_qp(pc_.qp);
  return alf_finish_slice_data(cfg_, orig_, recon_, enc_, pc_, rl_.is_b ? 2 : 1,
                               lambdas_.comp_lambda);
}

std::vector<uint8_t> PictureEncoder::run() {
  if (pc_.slice_type != SliceType::I) return run_inter();
  const int W = cfg_.width, H = cfg_.height;
  if (recon_.width != W || recon_.height != H) recon_ = Picture(W, H);
  maps_.reset(W, H);
  deblock_.reset(W, H);
  ctx_.init(pc_.qp, 0);
  enc_.start();
  est_.start();

  const int ctu = cfg_.ctu_size();
  const int qsize = std::min(ctu, 64);  // dual-tree implicit QT split down to 64x64
  CtuTreeRecord rec[2];
  for (int c = 0; c < 2; ++c) {
    rec[c].poc = pc_.poc;
    rec[c].qp = pc_.qp;
    rec[c].slice_type = pc_.slice_type;
    rec[c].tree = c ? TreeType::kDualChroma : TreeType::kDualLuma;
    rec[c].splits.reserve(4096);
  }
  qpy_map_.assign(static_cast<size_t>(maps_.w4()) * maps_.h4(), static_cast<int8_t>(pc_.qp));
  int ctuIndex = 0;
  for (int cy = 0; cy < H; cy += ctu) {
    for (int cx = 0; cx < W; cx += ctu) {
      enc_.mark_ctu();  // ALF syntax goes before each CTU in the final pass
      start_ctu_qg(ctuIndex++, cx, cy);
      for (int c = 0; c < 2; ++c) {
        rec[c].x = cx;
        rec[c].y = cy;
        rec[c].splits.clear();
        if (ctu > qsize) rec[c].splits.push_back(static_cast<uint8_t>(SplitMode::kQt));
      }
      // dual_tree_implicit_qt_split (7.3.9.3), CTU 128 -> 64x64 in z-order.
      const int n = ctu / qsize;
      for (int i = 0; i < n * n; ++i) {
        const int x = cx + (i % n) * qsize, y = cy + (i / n) * qsize;
        if (x >= W || y >= H) continue;
        for (int c = 0; c < 2; ++c) {
          TreeNode root;
          root.x = x;
          root.y = y;
          root.w = root.h = qsize;
          root.qt_depth = ilog2(ctu / qsize);
          root.part_idx = i;
          root.parent_split = SplitMode::kQt;
          root.tree = c ? TreeType::kDualChroma : TreeType::kDualLuma;
          code_tree(root, c, rec[c].splits);
        }
      }
      for (int c = 0; c < 2; ++c) oracle_.record_tree(rec[c]);
    }
  }
  // end_of_slice_segment_flag: in H.266 (7.3.8.1) only after the last CTU of the slice (no
  // tiles, no entropy sync: nothing is coded between CTUs).
  enc_.encode_bin_trm(1);
  enc_.finish();
  oracle_.end_picture();

  if (cfg_.deblock) deblock_picture(recon_, deblock_, deblock_params());
  // ALF on the deblocked picture, then the final CABAC pass with the ALF CTU syntax.
  set_ctu_qp(pc_.qp);
  return alf_finish_slice_data(cfg_, orig_, recon_, enc_, pc_, 0, lambdas_.comp_lambda);
}

}  // namespace

std::vector<uint8_t> encode_picture(const EncoderConfig& cfg, const Picture& orig, Picture& recon,
                                    const PictureCoding& pc, SplitOracle& oracle) {
  // The encoder holds sizeable scratch buffers: keep it off the stack.
  auto enc = std::make_unique<PictureEncoder>(cfg, orig, recon, pc, oracle);
  return enc->run();
}

}  // namespace vvc
