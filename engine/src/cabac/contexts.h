// CABAC context variables (H.266 9.3.2.2) and their initialisation tables.
//
// Each context holds two probability estimates of "bin == 1" with different adaptation
// windows (pStateIdx0: 10 bits, pStateIdx1: 14 bits). Their sum, scaled to 15 bits, drives the
// LPS range of the arithmetic coder (9.3.4.3.2) and the fractional-bit estimates used by RDO.
//
// Context indices: `kCtx<SyntaxElement> + ctxInc`, where ctxInc is the spec's ctxInc for that
// syntax element (9.3.4.2). The per-element layout follows the spec's ctxIdx order exactly
// (e.g. sig_coeff_flag: 0..35 luma, 36..59 chroma, 60..62 transform skip).
#pragma once

#include <array>
#include <cstdint>

namespace vvc {

struct ContextModel {
  uint16_t p0 = 512;   // pStateIdx0 (10-bit estimate, fast adaptation)
  uint16_t p1 = 8192;  // pStateIdx1 (14-bit estimate, slow adaptation)
  uint8_t shift0 = 4;  // adaptation shifts derived from shiftIdx (9.3.2.2)
  uint8_t shift1 = 7;

  // 9.3.2.2: initialise from initValue and shiftIdx at the slice QP (SliceQpY).
  void init(int initValue, int shiftIdx, int sliceQp);

  // Combined 15-bit probability of a 1 ("pState" in 9.3.4.3.2).
  unsigned state() const { return p1 + (unsigned(p0) << 4); }
  unsigned mps() const { return state() >> 14; }

  // 9.3.4.3.2: ivlLpsRange for the current ivlCurrRange (256..510). Always < 256.
  unsigned lps_range(unsigned range) const {
    const unsigned s = state();
    const unsigned q = ((s >> 14) ? 32767u - s : s) >> 9;
    return (((range >> 5) * q) >> 1) + 4;
  }

  // 9.3.4.3.2.2: probability update after coding `bin`.
  void update(unsigned bin) {
    p0 = uint16_t(p0 - (p0 >> shift0) + ((1023u * bin) >> shift0));
    p1 = uint16_t(p1 - (p1 >> shift1) + ((16383u * bin) >> shift1));
  }
};

// Base offsets of every syntax element's contexts (spec order of 9.3.2.2, H.266 V1 tables;
// palette and ACT elements are omitted since those tools are never enabled).
enum CtxBase : uint16_t {
  kCtxAlfCtbFlag = 0,                    // alf_ctb_flag (9)
  kCtxAlfUseApsFlag = 9,                 // alf_use_aps_flag (1)
  kCtxAlfCtbCcCbIdc = 10,                // alf_ctb_cc_cb_idc (3)
  kCtxAlfCtbCcCrIdc = 13,                // alf_ctb_cc_cr_idc (3)
  kCtxAlfCtbFilterAltIdx = 16,           // alf_ctb_filter_alt_idx (2)
  kCtxSaoMergeFlag = 18,                 // sao_merge_left_flag, sao_merge_up_flag (1)
  kCtxSaoTypeIdx = 19,                   // sao_type_idx_luma, sao_type_idx_chroma (1)
  kCtxSplitCuFlag = 20,                  // split_cu_flag (9)
  kCtxSplitQtFlag = 29,                  // split_qt_flag (6)
  kCtxMttSplitCuVerticalFlag = 35,       // mtt_split_cu_vertical_flag (5)
  kCtxMttSplitCuBinaryFlag = 40,         // mtt_split_cu_binary_flag (4)
  kCtxNonInterFlag = 44,                 // non_inter_flag (2)
  kCtxCuSkipFlag = 46,                   // cu_skip_flag (3)
  kCtxPredModeIbcFlag = 49,              // pred_mode_ibc_flag (3)
  kCtxPredModeFlag = 52,                 // pred_mode_flag (2)
  kCtxIntraBdpcmLumaFlag = 54,           // intra_bdpcm_luma_flag (1)
  kCtxIntraBdpcmLumaDirFlag = 55,        // intra_bdpcm_luma_dir_flag (1)
  kCtxIntraMipFlag = 56,                 // intra_mip_flag (4)
  kCtxIntraLumaRefIdx = 60,              // intra_luma_ref_idx (2)
  kCtxIntraSubpartitionsModeFlag = 62,   // intra_subpartitions_mode_flag (1)
  kCtxIntraSubpartitionsSplitFlag = 63,  // intra_subpartitions_split_flag (1)
  kCtxIntraLumaMpmFlag = 64,             // intra_luma_mpm_flag (1)
  kCtxIntraLumaNotPlanarFlag = 65,       // intra_luma_not_planar_flag (2)
  kCtxIntraBdpcmChromaFlag = 67,         // intra_bdpcm_chroma_flag (1)
  kCtxIntraBdpcmChromaDirFlag = 68,      // intra_bdpcm_chroma_dir_flag (1)
  kCtxCclmModeFlag = 69,                 // cclm_mode_flag (1)
  kCtxCclmModeIdx = 70,                  // cclm_mode_idx (1)
  kCtxIntraChromaPredMode = 71,          // intra_chroma_pred_mode (1)
  kCtxGeneralMergeFlag = 72,             // general_merge_flag (1)
  kCtxInterPredIdc = 73,                 // inter_pred_idc (6)
  kCtxInterAffineFlag = 79,              // inter_affine_flag (3)
  kCtxCuAffineTypeFlag = 82,             // cu_affine_type_flag (1)
  kCtxSymMvdFlag = 83,                   // sym_mvd_flag (1)
  kCtxRefIdxLx = 84,                     // ref_idx_l0, ref_idx_l1 (2)
  kCtxMvpLxFlag = 86,                    // mvp_l0_flag, mvp_l1_flag (1)
  kCtxAmvrFlag = 87,                     // amvr_flag (2)
  kCtxAmvrPrecisionIdx = 89,             // amvr_precision_idx (3)
  kCtxBcwIdx = 92,                       // bcw_idx (1)
  kCtxCuCodedFlag = 93,                  // cu_coded_flag (1)
  kCtxCuSbtFlag = 94,                    // cu_sbt_flag (2)
  kCtxCuSbtQuadFlag = 96,                // cu_sbt_quad_flag (1)
  kCtxCuSbtHorizontalFlag = 97,          // cu_sbt_horizontal_flag (3)
  kCtxCuSbtPosFlag = 100,                // cu_sbt_pos_flag (1)
  kCtxLfnstIdx = 101,                    // lfnst_idx (3)
  kCtxMtsIdx = 104,                      // mts_idx (4)
  kCtxRegularMergeFlag = 108,            // regular_merge_flag (2)
  kCtxMmvdMergeFlag = 110,               // mmvd_merge_flag (1)
  kCtxMmvdCandFlag = 111,                // mmvd_cand_flag (1)
  kCtxMmvdDistanceIdx = 112,             // mmvd_distance_idx (1)
  kCtxCiipFlag = 113,                    // ciip_flag (1)
  kCtxMergeSubblockFlag = 114,           // merge_subblock_flag (3)
  kCtxMergeSubblockIdx = 117,            // merge_subblock_idx (1)
  kCtxMergeIdx = 118,                    // merge_idx, merge_gpm_idx0, merge_gpm_idx1 (1)
  kCtxAbsMvdGreater0Flag = 119,          // abs_mvd_greater0_flag (1)
  kCtxAbsMvdGreater1Flag = 120,          // abs_mvd_greater1_flag (1)
  kCtxTuYCodedFlag = 121,                // tu_y_coded_flag (4)
  kCtxTuCbCodedFlag = 125,               // tu_cb_coded_flag (2)
  kCtxTuCrCodedFlag = 127,               // tu_cr_coded_flag (3)
  kCtxCuQpDeltaAbs = 130,                // cu_qp_delta_abs (2)
  kCtxCuChromaQpOffsetFlag = 132,        // cu_chroma_qp_offset_flag (1)
  kCtxCuChromaQpOffsetIdx = 133,         // cu_chroma_qp_offset_idx (1)
  kCtxTransformSkipFlag = 134,           // transform_skip_flag (2)
  kCtxTuJointCbcrResidualFlag = 136,     // tu_joint_cbcr_residual_flag (3)
  kCtxLastSigCoeffXPrefix = 139,         // last_sig_coeff_x_prefix (23)
  kCtxLastSigCoeffYPrefix = 162,         // last_sig_coeff_y_prefix (23)
  kCtxSbCodedFlag = 185,                 // sb_coded_flag (7)
  kCtxSigCoeffFlag = 192,                // sig_coeff_flag (63)
  kCtxParLevelFlag = 255,                // par_level_flag (33)
  kCtxAbsLevelGtxFlag = 288,             // abs_level_gtx_flag (72)
  kCtxCoeffSignFlag = 360,               // coeff_sign_flag (6)
  kNumCtx = 366
};

// All context variables of one slice: a plain array, cheap to copy for RD snapshot/restore.
class ContextSet {
 public:
  // initType: 0 for I slices, 1 for P slices (or B with sh_cabac_init_flag), 2 for B slices.
  void init(int sliceQp, int initType);

  ContextModel& operator[](int idx) { return ctx_[idx]; }
  const ContextModel& operator[](int idx) const { return ctx_[idx]; }

 private:
  std::array<ContextModel, kNumCtx> ctx_{};
};

}  // namespace vvc
