// Intra mode coding helpers: the luma MPM list (H.266 8.4.2), the mapping of a luma mode to
// its syntax elements and back, and the chroma mode derivation (8.4.3, 4:2:0, no CCLM).
#pragma once

namespace vvc {

// Luma MPM list per 8.4.2. candA / candB are the modes of the left (xCb - 1, yCb + cbHeight - 1)
// and above (xCb + cbWidth - 1, yCb - 1) neighbours, already mapped to PLANAR (0) by the
// caller when unavailable, not intra, MIP, or (for B) above in a different CTU row.
// Layout (VTM's convention): mpm[0] = PLANAR, mpm[1..5] = candModeList[0..4] of the spec.
void derive_mpm_list(int candA, int candB, int mpm[6]);

// Syntax elements that code one luma mode (7.3.10.5 / 8.4.2):
//   mpm_flag    intra_luma_mpm_flag
//   not_planar  intra_luma_not_planar_flag (only when mpm_flag)
//   mpm_idx     intra_luma_mpm_idx 0..4 (only when mpm_flag && not_planar): mode = mpm[1 + idx]
//   remainder   intra_luma_mpm_remainder 0..60 (only when !mpm_flag)
// Unused fields are 0.
struct MpmCode {
  bool mpm_flag = false;
  bool not_planar = false;
  int mpm_idx = 0;
  int remainder = 0;
};

MpmCode encode_luma_mode(int mode, const int mpm[6]);
int decode_luma_mode(const MpmCode& code, const int mpm[6]);

// Chroma intra mode (8.4.3, the intra_chroma_pred_mode table for 4:2:0 without CCLM).
// intra_chroma_pred_mode 0..3 select planar (0), vertical (50), horizontal (18), DC (1), replaced
// by 66 when equal to the DM luma mode; 4 is DM. lumaMode is the luma mode covering the luma
// position of the centre of the chroma block (dual tree: IntraPredModeY[xCb + cbWidth / 2][yCb +
// cbHeight / 2]).
// Encoder convention for CCLM (cclm_mode_flag = 1): values 5, 6, 7 stand for cclm_mode_idx
// 0, 1, 2 and yield INTRA_LT_CCLM (81), INTRA_L_CCLM (82), INTRA_T_CCLM (83) (8.4.3).
constexpr int kChromaCclmFirst = 5;
int chroma_pred_mode(int intra_chroma_pred_mode, int lumaMode);

// Inverse for the encoder: the intra_chroma_pred_mode (0..4) that yields chromaMode, preferring
// DM (4) when chromaMode equals lumaMode; -1 when chromaMode cannot be signalled.
int chroma_pred_mode_index(int chromaMode, int lumaMode);

}  // namespace vvc
