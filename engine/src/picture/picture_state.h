// The coding state of the picture being coded, shared by CU coding (cu/cu_coder.h), the
// searches (search/) and the CTU loop (picture/encode_picture.cpp): the reconstruction and
// what is known of the CUs coded so far, the slice's reference lists and motion, the entropy
// coders, and the quantiser / lambda of the current quantisation group.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "cabac/bin_recorder.h"
#include "cabac/bit_estimator.h"
#include "cabac/contexts.h"
#include "filter/deblock.h"
#include "filter/deblock_bs.h"
#include "inter/inter_pred.h"
#include "inter/merge.h"
#include "inter/motion_field.h"
#include "partition/allowed_splits.h"
#include "picture/cu_maps.h"
#include "picture/encode_picture.h"
#include "rdo/lambda.h"
#include "transform/dep_quant.h"

namespace vvc {

constexpr int kMaxCu = 64;    // largest CU with a residual (one TU) and largest intra CU
constexpr int kCtuMax = 128;  // largest CTU

inline int ilog2(int v) {
  return 31 - __builtin_clz(static_cast<unsigned>(v));
}

// The channel of a coding tree in the CU maps: 0 luma (and single) tree, 1 chroma tree.
inline int tree_channel(TreeType t) {
  return t == TreeType::kDualChroma ? 1 : 0;
}

struct PictureState {
  // Sets the state up for coding pc: the reconstruction at the coded size, empty maps, the
  // slice's quantiser and lambda, the reference lists and motion field of a P/B slice, the
  // coders started.
  PictureState(const EncoderConfig& config, const Picture& source, Picture& reconstruction,
               const PictureCoding& coding);
  PictureState(const PictureState&) = delete;  // coded_avail points into maps
  PictureState& operator=(const PictureState&) = delete;

  bool inter_slice() const { return pc.slice.slice_type != SliceType::I; }
  const SplitLimits& limits(TreeType t) const { return lim[static_cast<int>(t)]; }

  // ---- neighbourhood: what the CUs coded so far left ----
  bool skip_at(int x, int y) const {
    return maps.coded_luma_pos(0, x, y) && maps.at(0, x >> 2, y >> 2).skip;
  }
  bool intra_at(int x, int y) const {
    return maps.coded_luma_pos(0, x, y) && maps.at(0, x >> 2, y >> 2).intra;
  }
  // z-scan availability of a luma position (6.4.1) in the single tree
  struct CodedAvail {
    const CuMaps* maps;
    bool operator()(int x, int y) const { return maps->coded_luma_pos(0, x, y); }
  };
  MergeContext merge_context(const TreeNode& n) const {
    MergeContext mc(coded_avail);
    mc.x = n.x;
    mc.y = n.y;
    mc.w = n.w;
    mc.h = n.h;
    mc.field = motion;
    mc.refs = &rl;
    mc.hmvp = &hmvp;
    mc.col = col;
    mc.ctb_log2 = cfg.log2_ctu;
    mc.pic_w = cfg.width;
    mc.pic_h = cfg.height;
    return mc;
  }

  // The slice's deblocking parameters (offsets of the PPS, chroma QP mapping, CTB size).
  DeblockParams deblock_params() const {
    DeblockParams dp;
    dp.ctu_size = cfg.ctu_size();
    for (int c = 0; c < 3; ++c) {
      dp.beta_offset_div2[c] = cfg.deblock_beta_offset_div2;
      dp.tc_offset_div2[c] = cfg.deblock_tc_offset_div2;
    }
    const EncoderConfig& config = cfg;
    dp.set_chroma_qp_mapping([&config](int qpY, int cIdx) { return chroma_qp(config, qpY, cIdx); });
    return dp;
  }

  // ---- QP per CTU (cu_qp_delta, one quantization group per CTU: CuQpDeltaSubdiv 0) ----
  // The quantizers and lambdas of a CTU at QP qp: the slice lambda scaled by 2^(dQP / 3),
  // chroma weights from qp's chroma QPs (VVenC's updateLambda), VTM's dependent-quantization
  // adjustment.
  void set_ctu_qp(int qp) {
    ctu_qp = qp;
    lambdas = make_lambdas(cfg, qp, pc.slice.slice_type);
    lambdas.lambda = slice_lambda * std::pow(2.0, (qp - pc.slice.qp) / 3.0);
    lambdas.sqrt_lambda = std::sqrt(lambdas.lambda);
    for (int c = 0; c < 3; ++c) lambdas.comp_lambda[c] = lambdas.lambda / lambdas.chroma_weight[c];
    if (cfg.dep_quant) dep_quant_adjust_lambdas(lambdas, cfg.intra_period == 1);
    qpc[0] = qp;
    set_chroma_qp(qp);
  }
  void set_chroma_qp(int qpY) {
    qpc[1] = chroma_qp(cfg, qpY, 1);
    qpc[2] = chroma_qp(cfg, qpY, 2);
  }
  // Starts the quantization group of CTU ctuIndex (raster) at luma (x, y): its predicted QP
  // (8.7.1 with one group per CTU: the QpY of the CU above for the first CTU of a CTB row
  // below the first, else that of the last luma-tree CU coded before, SliceQpY at first).
  void start_ctu_qg(int ctuIndex, int x, int y) {
    const int off = pc.ctu_qp_offset.empty() ? 0 : pc.ctu_qp_offset[ctuIndex];
    if (x == 0 && y > 0)
      qg_pred = qpy_map[static_cast<size_t>((y - 1) >> 2) * maps.w4()];
    else
      qg_pred = ctuIndex == 0 ? pc.slice.qp : last_qpy;
    qg_coded = false;
    set_ctu_qp(std::clamp(pc.slice.qp + off, -cfg.qp_bd_offset(), 63));
  }
  // QpY of the CU coded last (final pass): qPY_PRED until the group's delta is coded.
  int cu_qpy() const { return qg_coded ? ctu_qp : qg_pred; }
  // Records the QpY of a final luma-tree / single-tree CU (deblocking, chroma of the dual
  // tree, the next groups' predictions).
  int commit_qpy(const TreeNode& n) {
    const int qpy = cu_qpy();
    for (int y = n.y >> 2; y < ((n.y + n.h) >> 2) && y < maps.h4(); ++y)
      for (int x = n.x >> 2; x < ((n.x + n.w) >> 2) && x < maps.w4(); ++x)
        qpy_map[static_cast<size_t>(y) * maps.w4() + x] = static_cast<int8_t>(qpy);
    last_qpy = qpy;
    return qpy;
  }
  // QpY of a dual-tree chroma CU: that of the luma CU covering its centre (8.7.1).
  int chroma_cu_qpy(const TreeNode& n) const {
    const int x = std::min((n.x + n.w / 2) >> 2, maps.w4() - 1);
    const int y = std::min((n.y + n.h / 2) >> 2, maps.h4() - 1);
    return qpy_map[static_cast<size_t>(y) * maps.w4() + x];
  }

  double bits_cost(uint64_t fracBits) const {
    return lambdas.lambda * static_cast<double>(fracBits) / kFracBitsOne;
  }

  const EncoderConfig& cfg;
  const Picture& orig;
  Picture& recon;
  const PictureCoding& pc;
  SplitLimits lim[3];  // by TreeType

  CuMaps maps;
  CodedAvail coded_avail{&maps};
  DeblockGrid deblock;  // TB sizes and QPs of the final CUs (intra: their bS too)
  TbEdgeMap tbmap;      // TBs and coded flags of the final single-tree CUs (inter bS)
  // Multi-type split of the chroma tree's node at mtt depth 0 / 1 on the current search or
  // coding path (CuCoder::cclm_enabled(); FFmpeg's per-32x32 split-mode table).
  SplitMode cmsm[2] = {SplitMode::kNone, SplitMode::kNone};

  // ---- inter slices ----
  RefLists rl;
  RefPicSet rps;
  const MotionField* col = nullptr;
  MotionField local_motion;
  MotionField* motion = nullptr;
  HmvpTable hmvp;
  InterPredictor ip;
  std::vector<RefinedMotion> dmvr_store;  // DMVR subblocks of the picture (final coding)

  // ---- entropy coding ----
  ContextSet ctx;        // the real coder's contexts
  BinRecorder enc{ctx};  // the real coder: bins recorded, coded after ALF (alf_encoder.h)
  BitEstimator est;      // rate measurement in the search

  // ---- quantisation group ----
  RdLambdas lambdas;  // of the current CTU (set_ctu_qp)
  int qpc[3] = {0, 0, 0};
  double slice_lambda = 0;
  int ctu_qp = 0, qg_pred = 0, last_qpy = 0;
  bool qg_coded = false;
  std::vector<int8_t> qpy_map;  // QpY per 4x4 luma unit of the final luma / single-tree CUs
};

}  // namespace vvc
