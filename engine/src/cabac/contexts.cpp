// Context initialisation tables (H.266 9.3.2.2, Tables 52..126 of the V1 edition) and the
// initialisation process. Each table lists initValue for initType 0, 1, 2 and then shiftIdx,
// in ctxIdx order (ctxInc 0, 1, ...), exactly as in the spec.
#include "cabac/contexts.h"

#include <algorithm>

namespace vvc {
namespace {

// clang-format off
// alf_ctb_flag: H.266 Table 52.
constexpr uint8_t kInitAlfCtbFlag[4][9] = {
    {62, 39, 39, 54, 39, 39, 31, 39, 39},  // initType 0
    {13, 23, 46, 4, 61, 54, 19, 46, 54},  // initType 1
    {33, 52, 46, 25, 61, 54, 25, 61, 54},  // initType 2
    {0, 0, 0, 4, 0, 0, 1, 0, 0},  // shiftIdx
};
// alf_use_aps_flag: H.266 Table 53.
constexpr uint8_t kInitAlfUseApsFlag[4][1] = {
    {46},  // initType 0
    {46},  // initType 1
    {46},  // initType 2
    {0},  // shiftIdx
};
// alf_ctb_cc_cb_idc: H.266 Table 54.
constexpr uint8_t kInitAlfCtbCcCbIdc[4][3] = {
    {18, 30, 31},  // initType 0
    {18, 21, 38},  // initType 1
    {25, 35, 38},  // initType 2
    {4, 1, 4},  // shiftIdx
};
// alf_ctb_cc_cr_idc: H.266 Table 55.
constexpr uint8_t kInitAlfCtbCcCrIdc[4][3] = {
    {18, 30, 31},  // initType 0
    {18, 21, 38},  // initType 1
    {25, 28, 38},  // initType 2
    {4, 1, 4},  // shiftIdx
};
// alf_ctb_filter_alt_idx: H.266 Table 56.
constexpr uint8_t kInitAlfCtbFilterAltIdx[4][2] = {
    {11, 11},  // initType 0
    {20, 12},  // initType 1
    {11, 26},  // initType 2
    {0, 0},  // shiftIdx
};
// sao_merge_left_flag, sao_merge_up_flag: H.266 Table 57.
constexpr uint8_t kInitSaoMergeFlag[4][1] = {
    {60},  // initType 0
    {60},  // initType 1
    {2},  // initType 2
    {0},  // shiftIdx
};
// sao_type_idx_luma, sao_type_idx_chroma: H.266 Table 58.
constexpr uint8_t kInitSaoTypeIdx[4][1] = {
    {13},  // initType 0
    {5},  // initType 1
    {2},  // initType 2
    {4},  // shiftIdx
};
// split_cu_flag: H.266 Table 59.
constexpr uint8_t kInitSplitCuFlag[4][9] = {
    {19, 28, 38, 27, 29, 38, 20, 30, 31},  // initType 0
    {11, 35, 53, 12, 6, 30, 13, 15, 31},  // initType 1
    {18, 27, 15, 18, 28, 45, 26, 7, 23},  // initType 2
    {12, 13, 8, 8, 13, 12, 5, 9, 9},  // shiftIdx
};
// split_qt_flag: H.266 Table 60.
constexpr uint8_t kInitSplitQtFlag[4][6] = {
    {27, 6, 15, 25, 19, 37},  // initType 0
    {20, 14, 23, 18, 19, 6},  // initType 1
    {26, 36, 38, 18, 34, 21},  // initType 2
    {0, 8, 8, 12, 12, 8},  // shiftIdx
};
// mtt_split_cu_vertical_flag: H.266 Table 61.
constexpr uint8_t kInitMttSplitCuVerticalFlag[4][5] = {
    {43, 42, 29, 27, 44},  // initType 0
    {43, 35, 37, 34, 52},  // initType 1
    {43, 42, 37, 42, 44},  // initType 2
    {9, 8, 9, 8, 5},  // shiftIdx
};
// mtt_split_cu_binary_flag: H.266 Table 62.
constexpr uint8_t kInitMttSplitCuBinaryFlag[4][4] = {
    {36, 45, 36, 45},  // initType 0
    {43, 37, 21, 22},  // initType 1
    {28, 29, 28, 29},  // initType 2
    {12, 13, 12, 13},  // shiftIdx
};
// non_inter_flag: H.266 Table 63.
constexpr uint8_t kInitNonInterFlag[4][2] = {
    {35, 35},  // initType 0
    {25, 12},  // initType 1
    {25, 20},  // initType 2
    {1, 0},  // shiftIdx
};
// cu_skip_flag: H.266 Table 64.
constexpr uint8_t kInitCuSkipFlag[4][3] = {
    {0, 26, 28},  // initType 0
    {57, 59, 45},  // initType 1
    {57, 60, 46},  // initType 2
    {5, 4, 8},  // shiftIdx
};
// pred_mode_ibc_flag: H.266 Table 65.
constexpr uint8_t kInitPredModeIbcFlag[4][3] = {
    {17, 42, 36},  // initType 0
    {0, 57, 44},  // initType 1
    {0, 43, 45},  // initType 2
    {1, 5, 8},  // shiftIdx
};
// pred_mode_flag: H.266 Table 66.
constexpr uint8_t kInitPredModeFlag[4][2] = {
    {35, 35},  // initType 0
    {40, 35},  // initType 1
    {40, 35},  // initType 2
    {5, 1},  // shiftIdx
};
// intra_bdpcm_luma_flag: H.266 Table 69.
constexpr uint8_t kInitIntraBdpcmLumaFlag[4][1] = {
    {19},  // initType 0
    {40},  // initType 1
    {19},  // initType 2
    {1},  // shiftIdx
};
// intra_bdpcm_luma_dir_flag: H.266 Table 70.
constexpr uint8_t kInitIntraBdpcmLumaDirFlag[4][1] = {
    {35},  // initType 0
    {36},  // initType 1
    {21},  // initType 2
    {4},  // shiftIdx
};
// intra_mip_flag: H.266 Table 71.
constexpr uint8_t kInitIntraMipFlag[4][4] = {
    {33, 49, 50, 25},  // initType 0
    {41, 57, 58, 26},  // initType 1
    {56, 57, 50, 26},  // initType 2
    {9, 10, 9, 6},  // shiftIdx
};
// intra_luma_ref_idx: H.266 Table 72.
constexpr uint8_t kInitIntraLumaRefIdx[4][2] = {
    {25, 60},  // initType 0
    {25, 58},  // initType 1
    {25, 59},  // initType 2
    {5, 8},  // shiftIdx
};
// intra_subpartitions_mode_flag: H.266 Table 73.
constexpr uint8_t kInitIntraSubpartitionsModeFlag[4][1] = {
    {33},  // initType 0
    {33},  // initType 1
    {33},  // initType 2
    {9},  // shiftIdx
};
// intra_subpartitions_split_flag: H.266 Table 74.
constexpr uint8_t kInitIntraSubpartitionsSplitFlag[4][1] = {
    {43},  // initType 0
    {36},  // initType 1
    {43},  // initType 2
    {2},  // shiftIdx
};
// intra_luma_mpm_flag: H.266 Table 75.
constexpr uint8_t kInitIntraLumaMpmFlag[4][1] = {
    {45},  // initType 0
    {36},  // initType 1
    {44},  // initType 2
    {6},  // shiftIdx
};
// intra_luma_not_planar_flag: H.266 Table 76.
constexpr uint8_t kInitIntraLumaNotPlanarFlag[4][2] = {
    {13, 28},  // initType 0
    {12, 20},  // initType 1
    {13, 6},  // initType 2
    {1, 5},  // shiftIdx
};
// intra_bdpcm_chroma_flag: H.266 Table 77.
constexpr uint8_t kInitIntraBdpcmChromaFlag[4][1] = {
    {1},  // initType 0
    {0},  // initType 1
    {0},  // initType 2
    {1},  // shiftIdx
};
// intra_bdpcm_chroma_dir_flag: H.266 Table 78.
constexpr uint8_t kInitIntraBdpcmChromaDirFlag[4][1] = {
    {27},  // initType 0
    {13},  // initType 1
    {28},  // initType 2
    {0},  // shiftIdx
};
// cclm_mode_flag: H.266 Table 79.
constexpr uint8_t kInitCclmModeFlag[4][1] = {
    {59},  // initType 0
    {34},  // initType 1
    {26},  // initType 2
    {4},  // shiftIdx
};
// cclm_mode_idx: H.266 Table 80.
constexpr uint8_t kInitCclmModeIdx[4][1] = {
    {27},  // initType 0
    {27},  // initType 1
    {27},  // initType 2
    {9},  // shiftIdx
};
// intra_chroma_pred_mode: H.266 Table 81.
constexpr uint8_t kInitIntraChromaPredMode[4][1] = {
    {34},  // initType 0
    {25},  // initType 1
    {25},  // initType 2
    {5},  // shiftIdx
};
// general_merge_flag: H.266 Table 82.
constexpr uint8_t kInitGeneralMergeFlag[4][1] = {
    {26},  // initType 0
    {21},  // initType 1
    {6},  // initType 2
    {4},  // shiftIdx
};
// inter_pred_idc: H.266 Table 83.
constexpr uint8_t kInitInterPredIdc[4][6] = {
    {35, 35, 35, 35, 35, 35},  // initType 0
    {7, 6, 5, 12, 4, 40},  // initType 1
    {14, 13, 5, 4, 3, 40},  // initType 2
    {0, 0, 1, 4, 4, 0},  // shiftIdx
};
// inter_affine_flag: H.266 Table 84.
constexpr uint8_t kInitInterAffineFlag[4][3] = {
    {35, 35, 35},  // initType 0
    {12, 13, 14},  // initType 1
    {19, 13, 6},  // initType 2
    {4, 0, 0},  // shiftIdx
};
// cu_affine_type_flag: H.266 Table 85.
constexpr uint8_t kInitCuAffineTypeFlag[4][1] = {
    {35},  // initType 0
    {35},  // initType 1
    {35},  // initType 2
    {4},  // shiftIdx
};
// sym_mvd_flag: H.266 Table 86.
constexpr uint8_t kInitSymMvdFlag[4][1] = {
    {35},  // initType 0
    {28},  // initType 1
    {28},  // initType 2
    {5},  // shiftIdx
};
// ref_idx_l0, ref_idx_l1: H.266 Table 87.
constexpr uint8_t kInitRefIdxLx[4][2] = {
    {35, 35},  // initType 0
    {20, 35},  // initType 1
    {5, 35},  // initType 2
    {0, 4},  // shiftIdx
};
// mvp_l0_flag, mvp_l1_flag: H.266 Table 88.
constexpr uint8_t kInitMvpLxFlag[4][1] = {
    {42},  // initType 0
    {34},  // initType 1
    {34},  // initType 2
    {12},  // shiftIdx
};
// amvr_flag: H.266 Table 89.
constexpr uint8_t kInitAmvrFlag[4][2] = {
    {35, 35},  // initType 0
    {59, 58},  // initType 1
    {59, 50},  // initType 2
    {0, 0},  // shiftIdx
};
// amvr_precision_idx: H.266 Table 90.
constexpr uint8_t kInitAmvrPrecisionIdx[4][3] = {
    {35, 34, 35},  // initType 0
    {60, 48, 60},  // initType 1
    {38, 26, 60},  // initType 2
    {4, 5, 0},  // shiftIdx
};
// bcw_idx: H.266 Table 91.
constexpr uint8_t kInitBcwIdx[4][1] = {
    {35},  // initType 0
    {4},  // initType 1
    {5},  // initType 2
    {1},  // shiftIdx
};
// cu_coded_flag: H.266 Table 92.
constexpr uint8_t kInitCuCodedFlag[4][1] = {
    {6},  // initType 0
    {5},  // initType 1
    {12},  // initType 2
    {4},  // shiftIdx
};
// cu_sbt_flag: H.266 Table 93.
constexpr uint8_t kInitCuSbtFlag[4][2] = {
    {35, 35},  // initType 0
    {56, 57},  // initType 1
    {41, 57},  // initType 2
    {1, 5},  // shiftIdx
};
// cu_sbt_quad_flag: H.266 Table 94.
constexpr uint8_t kInitCuSbtQuadFlag[4][1] = {
    {35},  // initType 0
    {42},  // initType 1
    {42},  // initType 2
    {10},  // shiftIdx
};
// cu_sbt_horizontal_flag: H.266 Table 95.
constexpr uint8_t kInitCuSbtHorizontalFlag[4][3] = {
    {35, 35, 35},  // initType 0
    {20, 43, 12},  // initType 1
    {35, 51, 27},  // initType 2
    {8, 4, 1},  // shiftIdx
};
// cu_sbt_pos_flag: H.266 Table 96.
constexpr uint8_t kInitCuSbtPosFlag[4][1] = {
    {35},  // initType 0
    {28},  // initType 1
    {28},  // initType 2
    {13},  // shiftIdx
};
// lfnst_idx: H.266 Table 97.
constexpr uint8_t kInitLfnstIdx[4][3] = {
    {28, 52, 42},  // initType 0
    {37, 45, 27},  // initType 1
    {52, 37, 27},  // initType 2
    {9, 9, 10},  // shiftIdx
};
// mts_idx: H.266 Table 98.
constexpr uint8_t kInitMtsIdx[4][4] = {
    {29, 0, 28, 0},  // initType 0
    {45, 40, 27, 0},  // initType 1
    {45, 25, 27, 0},  // initType 2
    {8, 0, 9, 0},  // shiftIdx
};
// regular_merge_flag: H.266 Table 102.
constexpr uint8_t kInitRegularMergeFlag[4][2] = {
    {35, 35},  // initType 0
    {38, 7},  // initType 1
    {46, 15},  // initType 2
    {5, 5},  // shiftIdx
};
// mmvd_merge_flag: H.266 Table 103.
constexpr uint8_t kInitMmvdMergeFlag[4][1] = {
    {35},  // initType 0
    {26},  // initType 1
    {25},  // initType 2
    {4},  // shiftIdx
};
// mmvd_cand_flag: H.266 Table 104.
constexpr uint8_t kInitMmvdCandFlag[4][1] = {
    {35},  // initType 0
    {43},  // initType 1
    {43},  // initType 2
    {10},  // shiftIdx
};
// mmvd_distance_idx: H.266 Table 105.
constexpr uint8_t kInitMmvdDistanceIdx[4][1] = {
    {35},  // initType 0
    {60},  // initType 1
    {59},  // initType 2
    {0},  // shiftIdx
};
// ciip_flag: H.266 Table 106.
constexpr uint8_t kInitCiipFlag[4][1] = {
    {35},  // initType 0
    {57},  // initType 1
    {57},  // initType 2
    {1},  // shiftIdx
};
// merge_subblock_flag: H.266 Table 107.
constexpr uint8_t kInitMergeSubblockFlag[4][3] = {
    {35, 35, 35},  // initType 0
    {48, 57, 44},  // initType 1
    {25, 58, 45},  // initType 2
    {4, 4, 4},  // shiftIdx
};
// merge_subblock_idx: H.266 Table 108.
constexpr uint8_t kInitMergeSubblockIdx[4][1] = {
    {35},  // initType 0
    {5},  // initType 1
    {4},  // initType 2
    {0},  // shiftIdx
};
// merge_idx, merge_gpm_idx0, merge_gpm_idx1: H.266 Table 109.
constexpr uint8_t kInitMergeIdx[4][1] = {
    {34},  // initType 0
    {20},  // initType 1
    {18},  // initType 2
    {4},  // shiftIdx
};
// abs_mvd_greater0_flag: H.266 Table 110.
constexpr uint8_t kInitAbsMvdGreater0Flag[4][1] = {
    {14},  // initType 0
    {44},  // initType 1
    {51},  // initType 2
    {9},  // shiftIdx
};
// abs_mvd_greater1_flag: H.266 Table 111.
constexpr uint8_t kInitAbsMvdGreater1Flag[4][1] = {
    {45},  // initType 0
    {43},  // initType 1
    {36},  // initType 2
    {5},  // shiftIdx
};
// tu_y_coded_flag: H.266 Table 112.
constexpr uint8_t kInitTuYCodedFlag[4][4] = {
    {15, 12, 5, 7},  // initType 0
    {23, 5, 20, 7},  // initType 1
    {15, 6, 5, 14},  // initType 2
    {5, 1, 8, 9},  // shiftIdx
};
// tu_cb_coded_flag: H.266 Table 113.
constexpr uint8_t kInitTuCbCodedFlag[4][2] = {
    {12, 21},  // initType 0
    {25, 28},  // initType 1
    {25, 37},  // initType 2
    {5, 0},  // shiftIdx
};
// tu_cr_coded_flag: H.266 Table 114.
constexpr uint8_t kInitTuCrCodedFlag[4][3] = {
    {33, 28, 36},  // initType 0
    {25, 29, 45},  // initType 1
    {9, 36, 45},  // initType 2
    {2, 1, 0},  // shiftIdx
};
// cu_qp_delta_abs: H.266 Table 115.
constexpr uint8_t kInitCuQpDeltaAbs[4][2] = {
    {35, 35},  // initType 0
    {35, 35},  // initType 1
    {35, 35},  // initType 2
    {8, 8},  // shiftIdx
};
// cu_chroma_qp_offset_flag: H.266 Table 116.
constexpr uint8_t kInitCuChromaQpOffsetFlag[4][1] = {
    {35},  // initType 0
    {35},  // initType 1
    {35},  // initType 2
    {8},  // shiftIdx
};
// cu_chroma_qp_offset_idx: H.266 Table 117.
constexpr uint8_t kInitCuChromaQpOffsetIdx[4][1] = {
    {35},  // initType 0
    {35},  // initType 1
    {35},  // initType 2
    {8},  // shiftIdx
};
// transform_skip_flag: H.266 Table 118.
constexpr uint8_t kInitTransformSkipFlag[4][2] = {
    {25, 9},  // initType 0
    {25, 9},  // initType 1
    {25, 17},  // initType 2
    {1, 1},  // shiftIdx
};
// tu_joint_cbcr_residual_flag: H.266 Table 119.
constexpr uint8_t kInitTuJointCbcrResidualFlag[4][3] = {
    {12, 21, 35},  // initType 0
    {27, 36, 45},  // initType 1
    {42, 43, 52},  // initType 2
    {1, 1, 0},  // shiftIdx
};
// last_sig_coeff_x_prefix: H.266 Table 120.
constexpr uint8_t kInitLastSigCoeffXPrefix[4][23] = {
    {13, 5, 4, 21, 14, 4, 6, 14, 21, 11, 14, 7, 14, 5, 11, 21, 30, 22, 13, 42, 12, 4, 3},  // initType 0
    {6, 13, 12, 6, 6, 12, 14, 14, 13, 12, 29, 7, 6, 13, 36, 28, 14, 13, 5, 26, 12, 4, 18},  // initType 1
    {6, 6, 12, 14, 6, 4, 14, 7, 6, 4, 29, 7, 6, 6, 12, 28, 7, 13, 13, 35, 19, 5, 4},  // initType 2
    {8, 5, 4, 5, 4, 4, 5, 4, 1, 0, 4, 1, 0, 0, 0, 0, 1, 0, 0, 0, 5, 4, 4},  // shiftIdx
};
// last_sig_coeff_y_prefix: H.266 Table 121.
constexpr uint8_t kInitLastSigCoeffYPrefix[4][23] = {
    {13, 5, 4, 6, 13, 11, 14, 6, 5, 3, 14, 22, 6, 4, 3, 6, 22, 29, 20, 34, 12, 4, 3},  // initType 0
    {5, 5, 12, 6, 6, 4, 6, 14, 5, 12, 14, 7, 13, 5, 13, 21, 14, 20, 12, 34, 11, 4, 18},  // initType 1
    {5, 5, 20, 13, 13, 19, 21, 6, 12, 12, 14, 14, 5, 4, 12, 13, 7, 13, 12, 41, 11, 5, 27},  // initType 2
    {8, 5, 8, 5, 5, 4, 5, 5, 4, 0, 5, 4, 1, 0, 0, 1, 4, 0, 0, 0, 6, 5, 5},  // shiftIdx
};
// sb_coded_flag: H.266 Table 122.
constexpr uint8_t kInitSbCodedFlag[4][7] = {
    {18, 31, 25, 15, 18, 20, 38},  // initType 0
    {25, 30, 25, 45, 18, 12, 29},  // initType 1
    {25, 45, 25, 14, 18, 35, 45},  // initType 2
    {8, 5, 5, 8, 5, 8, 8},  // shiftIdx
};
// sig_coeff_flag: H.266 Table 123.
constexpr uint8_t kInitSigCoeffFlag[4][63] = {
    {25, 19, 28, 14, 25, 20, 29, 30, 19, 37, 30, 38, 11, 38, 46, 54, 27, 39, 39, 39, 44, 39, 39, 39, 18, 39, 39, 39, 27, 39, 39, 39, 0, 39, 39, 39, 25, 27, 28, 37, 34, 53, 53, 46, 19, 46, 38, 39, 52, 39, 39, 39, 11, 39, 39, 39, 19, 39, 39, 39, 25, 28, 38},  // initType 0
    {17, 41, 42, 29, 25, 49, 43, 37, 33, 58, 51, 30, 19, 38, 38, 46, 34, 54, 54, 39, 6, 39, 39, 39, 19, 39, 54, 39, 19, 39, 39, 39, 56, 39, 39, 39, 17, 34, 35, 21, 41, 59, 60, 38, 35, 45, 53, 54, 44, 39, 39, 39, 34, 38, 62, 39, 26, 39, 39, 39, 40, 35, 44},  // initType 1
    {17, 41, 49, 36, 1, 49, 50, 37, 48, 51, 58, 45, 26, 45, 53, 46, 49, 54, 61, 39, 35, 39, 39, 39, 19, 54, 39, 39, 50, 39, 39, 39, 0, 39, 39, 39, 9, 49, 50, 36, 48, 59, 59, 38, 34, 45, 38, 31, 58, 39, 39, 39, 34, 38, 54, 39, 41, 39, 39, 39, 25, 50, 37},  // initType 2
    {12, 9, 9, 10, 9, 9, 9, 10, 8, 8, 8, 10, 9, 13, 8, 8, 8, 8, 8, 5, 8, 0, 0, 0, 8, 8, 8, 8, 8, 0, 4, 4, 0, 0, 0, 0, 12, 12, 9, 13, 4, 5, 8, 9, 8, 12, 12, 8, 4, 0, 0, 0, 8, 8, 8, 8, 4, 0, 0, 0, 13, 13, 8},  // shiftIdx
};
// par_level_flag: H.266 Table 124.
constexpr uint8_t kInitParLevelFlag[4][33] = {
    {33, 25, 18, 26, 34, 27, 25, 26, 19, 42, 35, 33, 19, 27, 35, 35, 34, 42, 20, 43, 20, 33, 25, 26, 42, 19, 27, 26, 50, 35, 20, 43, 11},  // initType 0
    {18, 17, 33, 18, 26, 42, 25, 33, 26, 42, 27, 25, 34, 42, 42, 35, 26, 27, 42, 20, 20, 25, 25, 26, 11, 19, 27, 33, 42, 35, 35, 43, 3},  // initType 1
    {33, 40, 25, 41, 26, 42, 25, 33, 26, 34, 27, 25, 41, 42, 42, 35, 33, 27, 35, 42, 43, 33, 25, 26, 34, 19, 27, 33, 42, 43, 35, 43, 11},  // initType 2
    {8, 9, 12, 13, 13, 13, 10, 13, 13, 13, 13, 13, 13, 13, 13, 13, 10, 13, 13, 13, 13, 8, 12, 12, 12, 13, 13, 13, 13, 13, 13, 13, 6},  // shiftIdx
};
// abs_level_gtx_flag: H.266 Table 125.
constexpr uint8_t kInitAbsLevelGtxFlag[4][72] = {
    {25, 25, 11, 27, 20, 21, 33, 12, 28, 21, 22, 34, 28, 29, 29, 30, 36, 29, 45, 30, 23, 40, 33, 27, 28, 21, 37, 36, 37, 45, 38, 46, 25, 1, 40, 25, 33, 11, 17, 25, 25, 18, 4, 17, 33, 26, 19, 13, 33, 19, 20, 28, 22, 40, 9, 25, 18, 26, 35, 25, 26, 35, 28, 37, 11, 5, 5, 14, 10, 3, 3, 3},  // initType 0
    {0, 17, 26, 19, 35, 21, 25, 34, 20, 28, 29, 33, 27, 28, 29, 22, 34, 28, 44, 37, 38, 0, 25, 19, 20, 13, 14, 57, 44, 30, 30, 23, 17, 0, 1, 17, 25, 18, 0, 9, 25, 33, 34, 9, 25, 18, 26, 20, 25, 18, 19, 27, 29, 17, 9, 25, 10, 18, 4, 17, 33, 19, 20, 29, 18, 11, 4, 28, 2, 10, 3, 3},  // initType 1
    {0, 0, 33, 34, 35, 21, 25, 34, 35, 28, 29, 40, 42, 43, 29, 30, 49, 36, 37, 45, 38, 0, 40, 34, 43, 36, 37, 57, 52, 45, 38, 46, 25, 0, 0, 17, 25, 26, 0, 9, 25, 33, 19, 0, 25, 33, 26, 20, 25, 33, 27, 35, 22, 25, 1, 25, 33, 26, 12, 25, 33, 27, 28, 37, 19, 11, 4, 6, 3, 4, 4, 5},  // initType 2
    {9, 5, 10, 13, 13, 10, 9, 10, 13, 13, 13, 9, 10, 10, 10, 13, 8, 9, 10, 10, 13, 8, 8, 9, 12, 12, 10, 5, 9, 9, 9, 13, 1, 5, 9, 9, 9, 6, 5, 9, 10, 10, 9, 9, 9, 9, 9, 9, 6, 8, 9, 9, 10, 1, 5, 8, 8, 9, 6, 6, 9, 8, 8, 9, 4, 2, 1, 6, 1, 1, 1, 1},  // shiftIdx
};
// coeff_sign_flag: H.266 Table 126.
constexpr uint8_t kInitCoeffSignFlag[4][6] = {
    {12, 17, 46, 28, 25, 46},  // initType 0
    {5, 10, 53, 43, 25, 46},  // initType 1
    {35, 25, 46, 28, 33, 38},  // initType 2
    {1, 4, 4, 5, 8, 8},  // shiftIdx
};

struct ElemInit {
  uint16_t base;
  uint16_t count;
  const uint8_t* rows[4];  // initValue for initType 0, 1, 2, then shiftIdx
};

template <size_t N>
constexpr ElemInit elem(uint16_t base, const uint8_t (&t)[4][N]) {
  return {base, uint16_t(N), {t[0], t[1], t[2], t[3]}};
}

constexpr ElemInit kElems[] = {
    elem(kCtxAlfCtbFlag, kInitAlfCtbFlag),
    elem(kCtxAlfUseApsFlag, kInitAlfUseApsFlag),
    elem(kCtxAlfCtbCcCbIdc, kInitAlfCtbCcCbIdc),
    elem(kCtxAlfCtbCcCrIdc, kInitAlfCtbCcCrIdc),
    elem(kCtxAlfCtbFilterAltIdx, kInitAlfCtbFilterAltIdx),
    elem(kCtxSaoMergeFlag, kInitSaoMergeFlag),
    elem(kCtxSaoTypeIdx, kInitSaoTypeIdx),
    elem(kCtxSplitCuFlag, kInitSplitCuFlag),
    elem(kCtxSplitQtFlag, kInitSplitQtFlag),
    elem(kCtxMttSplitCuVerticalFlag, kInitMttSplitCuVerticalFlag),
    elem(kCtxMttSplitCuBinaryFlag, kInitMttSplitCuBinaryFlag),
    elem(kCtxNonInterFlag, kInitNonInterFlag),
    elem(kCtxCuSkipFlag, kInitCuSkipFlag),
    elem(kCtxPredModeIbcFlag, kInitPredModeIbcFlag),
    elem(kCtxPredModeFlag, kInitPredModeFlag),
    elem(kCtxIntraBdpcmLumaFlag, kInitIntraBdpcmLumaFlag),
    elem(kCtxIntraBdpcmLumaDirFlag, kInitIntraBdpcmLumaDirFlag),
    elem(kCtxIntraMipFlag, kInitIntraMipFlag),
    elem(kCtxIntraLumaRefIdx, kInitIntraLumaRefIdx),
    elem(kCtxIntraSubpartitionsModeFlag, kInitIntraSubpartitionsModeFlag),
    elem(kCtxIntraSubpartitionsSplitFlag, kInitIntraSubpartitionsSplitFlag),
    elem(kCtxIntraLumaMpmFlag, kInitIntraLumaMpmFlag),
    elem(kCtxIntraLumaNotPlanarFlag, kInitIntraLumaNotPlanarFlag),
    elem(kCtxIntraBdpcmChromaFlag, kInitIntraBdpcmChromaFlag),
    elem(kCtxIntraBdpcmChromaDirFlag, kInitIntraBdpcmChromaDirFlag),
    elem(kCtxCclmModeFlag, kInitCclmModeFlag),
    elem(kCtxCclmModeIdx, kInitCclmModeIdx),
    elem(kCtxIntraChromaPredMode, kInitIntraChromaPredMode),
    elem(kCtxGeneralMergeFlag, kInitGeneralMergeFlag),
    elem(kCtxInterPredIdc, kInitInterPredIdc),
    elem(kCtxInterAffineFlag, kInitInterAffineFlag),
    elem(kCtxCuAffineTypeFlag, kInitCuAffineTypeFlag),
    elem(kCtxSymMvdFlag, kInitSymMvdFlag),
    elem(kCtxRefIdxLx, kInitRefIdxLx),
    elem(kCtxMvpLxFlag, kInitMvpLxFlag),
    elem(kCtxAmvrFlag, kInitAmvrFlag),
    elem(kCtxAmvrPrecisionIdx, kInitAmvrPrecisionIdx),
    elem(kCtxBcwIdx, kInitBcwIdx),
    elem(kCtxCuCodedFlag, kInitCuCodedFlag),
    elem(kCtxCuSbtFlag, kInitCuSbtFlag),
    elem(kCtxCuSbtQuadFlag, kInitCuSbtQuadFlag),
    elem(kCtxCuSbtHorizontalFlag, kInitCuSbtHorizontalFlag),
    elem(kCtxCuSbtPosFlag, kInitCuSbtPosFlag),
    elem(kCtxLfnstIdx, kInitLfnstIdx),
    elem(kCtxMtsIdx, kInitMtsIdx),
    elem(kCtxRegularMergeFlag, kInitRegularMergeFlag),
    elem(kCtxMmvdMergeFlag, kInitMmvdMergeFlag),
    elem(kCtxMmvdCandFlag, kInitMmvdCandFlag),
    elem(kCtxMmvdDistanceIdx, kInitMmvdDistanceIdx),
    elem(kCtxCiipFlag, kInitCiipFlag),
    elem(kCtxMergeSubblockFlag, kInitMergeSubblockFlag),
    elem(kCtxMergeSubblockIdx, kInitMergeSubblockIdx),
    elem(kCtxMergeIdx, kInitMergeIdx),
    elem(kCtxAbsMvdGreater0Flag, kInitAbsMvdGreater0Flag),
    elem(kCtxAbsMvdGreater1Flag, kInitAbsMvdGreater1Flag),
    elem(kCtxTuYCodedFlag, kInitTuYCodedFlag),
    elem(kCtxTuCbCodedFlag, kInitTuCbCodedFlag),
    elem(kCtxTuCrCodedFlag, kInitTuCrCodedFlag),
    elem(kCtxCuQpDeltaAbs, kInitCuQpDeltaAbs),
    elem(kCtxCuChromaQpOffsetFlag, kInitCuChromaQpOffsetFlag),
    elem(kCtxCuChromaQpOffsetIdx, kInitCuChromaQpOffsetIdx),
    elem(kCtxTransformSkipFlag, kInitTransformSkipFlag),
    elem(kCtxTuJointCbcrResidualFlag, kInitTuJointCbcrResidualFlag),
    elem(kCtxLastSigCoeffXPrefix, kInitLastSigCoeffXPrefix),
    elem(kCtxLastSigCoeffYPrefix, kInitLastSigCoeffYPrefix),
    elem(kCtxSbCodedFlag, kInitSbCodedFlag),
    elem(kCtxSigCoeffFlag, kInitSigCoeffFlag),
    elem(kCtxParLevelFlag, kInitParLevelFlag),
    elem(kCtxAbsLevelGtxFlag, kInitAbsLevelGtxFlag),
    elem(kCtxCoeffSignFlag, kInitCoeffSignFlag),
};
// clang-format on

constexpr int total_count() {
  int n = 0;
  for (const ElemInit& e : kElems) {
    if (e.base != n) return -1;  // elements must be contiguous and in enum order
    n += e.count;
  }
  return n;
}
static_assert(total_count() == kNumCtx, "context tables do not match CtxBase");

}  // namespace

void ContextModel::init(int initValue, int shiftIdx, int sliceQp) {
  const int slopeIdx = initValue >> 3;
  const int offsetIdx = initValue & 7;
  const int m = slopeIdx - 4;
  const int n = offsetIdx * 18 + 1;
  const int qp = std::clamp(sliceQp, 0, 63);
  const int preCtxState = std::clamp(((m * (qp - 16)) >> 1) + n, 1, 127);
  p0 = uint16_t(preCtxState << 3);
  p1 = uint16_t(preCtxState << 7);
  shift0 = uint8_t((shiftIdx >> 2) + 2);
  shift1 = uint8_t((shiftIdx & 3) + 3 + shift0);
}

void ContextSet::init(int sliceQp, int initType) {
  initType = std::clamp(initType, 0, 2);
  for (const ElemInit& e : kElems) {
    const uint8_t* init = e.rows[initType];
    const uint8_t* shift = e.rows[3];
    for (int i = 0; i < e.count; ++i) ctx_[e.base + i].init(init[i], shift[i], sliceQp);
  }
}

}  // namespace vvc
