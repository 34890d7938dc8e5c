// Normative coding of one CU into the picture state: prediction, transform, quantisation,
// reconstruction and the CU syntax (7.3.10.5 order), for the trees of I slices (dual tree: a
// luma CU or a chroma CU) and the single tree of P/B slices (inter or intra CU).
//
// Every syntax writer is a template over the coder: the search runs it with the BitEstimator
// on a copy of the contexts, the final pass with the real coder (BinRecorder) and recomputes
// the identical reconstruction, so bitstream and reconstruction cannot disagree. CU coding
// knows nothing of the search: it codes what it is told. The one concession is dAbort, a
// distortion past which the syntax of an intra CU is not coded (the caller drops it).
#pragma once
#include <cstdint>
#include <limits>

#include "cu/cu_decision.h"
#include "cu/cu_syntax.h"
#include "intra/intra_pred.h"
#include "picture/picture_state.h"

namespace vvc {

class CuCoder {
 public:
  static constexpr double kInf = std::numeric_limits<double>::max();

  explicit CuCoder(PictureState& s) : s_(s) {}

  // ---- dual tree (I slices) ----
  // Luma CU with intra mode `mode`. Returns the SSE. When the SSE alone reaches dAbort the
  // syntax is not coded (the CU's state is void). refs: the block's reference lines when the
  // caller built them once for several modes. final: the CU is coded for good (deblocking).
  template <class Coder>
  double code_luma_cu(Coder& coder, ContextSet& ctx, const TreeNode& n, int mode, const int mpm[6],
                      bool final, double dAbort = kInf, const IntraRefs* refs = nullptr);
  // Chroma CU with intra_chroma_pred_mode icpm (0..4, CCLM 5..7). Returns the weighted
  // distortion w_Cb * SSE_Cb + w_Cr * SSE_Cr; refs: the Cb and Cr reference lines.
  template <class Coder>
  double code_chroma_cu(Coder& coder, ContextSet& ctx, const TreeNode& n, int icpm, bool final,
                        double dAbort = kInf, const IntraRefs* refs = nullptr);

  // ---- single tree (P/B slices) ----
  // Prediction, residual (merge with residual; AMVP when d.coded asks for one),
  // reconstruction and the CU syntax. Returns the distortion, or kInf for a merge CU whose
  // residual quantizes to nothing (that is a skip CU). Sets d.coded for AMVP.
  template <class Coder>
  double code_inter_cu(Coder& coder, ContextSet& ctx, const TreeNode& n, CuDecision& d, int nz[3]);
  // Intra CU with d.luma_mode / d.chroma_mode.
  template <class Coder>
  void code_intra_cu(Coder& coder, ContextSet& ctx, const TreeNode& n, const CuDecision& d,
                     int nz[3]);
  // CU maps, motion field and HMVP after a single-tree CU is decided; with final, the
  // deblocking grid, the TB map and the picture's CU statistics too.
  void commit_cu(const TreeNode& n, const CuDecision& d, const int nz[3], bool final);
  // The picture's CU statistics for a final dual-tree luma CU.
  void count_intra_cu(const TreeNode& n);

  // ---- both ----
  template <class Coder>
  void code_split(Coder& coder, ContextSet& ctx, const TreeNode& n, SplitMode mode,
                  SplitMask allowed) {
    const SplitLimits& lim = s_.limits(n.tree);
    code_split_syntax(coder, ctx, n, mode, allowed, node_inside(n, lim),
                      split_neighbours(n, tree_channel(n.tree)));
  }
  SplitNeighbours split_neighbours(const TreeNode& n, int ch) const;
  void mpm_list(const TreeNode& n, int mpm[6]) const;
  // Records CU n in the maps of channel ch (luma mode for ch 0).
  void mark_cu(const TreeNode& n, int ch, int lumaMode, uint8_t skip = 0, uint8_t intra = 0,
               uint8_t cbf = 0);
  // CclmEnabled of a chroma CU (7.4.12.5).
  bool cclm_enabled(const TreeNode& n) const;
  // CCLM prediction of chroma component c of CU n into dst (stride kMaxCu).
  void cclm_pred(const TreeNode& n, int c, int predMode, Pel* dst) const;
  // Weighted SSE of CU n's reconstruction (all components).
  double cu_distortion(const TreeNode& n) const;

 private:
  // Transforms, quantizes and reconstructs one TB of component c from pred (stride kMaxCu);
  // the levels go to lv. Returns the number of nonzero levels. dst is the recon position.
  int code_tb(int c, const Pel* org, int orgStride, int w, int h, int32_t* lv, Pel* dst,
              int dstStride, const Pel* pred, const ContextSet& ctx, int cbfCtx);
  template <class Coder>
  void code_residual_block(Coder& coder, ContextSet& ctx, const int32_t* lv, int w, int h, int c);
  // cu_qp_delta of the group in the first transform unit that carries one (final pass only;
  // the search does not count its few bins).
  template <class Coder>
  void code_qp_delta(Coder& coder, ContextSet& ctx);

  PictureState& s_;
  alignas(32) Pel pred_[kMaxCu * kMaxCu];
  alignas(32) Pel ipred_[3][kMaxCu * kMaxCu];
  alignas(32) int16_t resid_[kMaxCu * kMaxCu];
  alignas(32) int32_t coeff_[kMaxCu * kMaxCu];
  alignas(32) int32_t levels_[3][kMaxCu * kMaxCu];
};

}  // namespace vvc
