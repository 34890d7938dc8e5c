// Intra mode search of one CU: the luma mode (SATD over all 67 modes, full RD on the mode
// controller's short list) and the chroma mode (SATD pre-selection, full RD on the rest).
// Both leave the winner's reconstruction in the picture and its contexts in ctx.
#pragma once
#include <cstdint>
#include <limits>
#include <vector>

#include "cu/cu_coder.h"
#include "search/mode_controller.h"

namespace vvc {

class IntraSearch {
 public:
  static constexpr double kInf = std::numeric_limits<double>::max();

  IntraSearch(PictureState& s, CuCoder& cu, const ModeController& mc) : s_(s), cu_(cu), mc_(mc) {}

  // The cheapest J of CU n over its luma modes when below budget (bestMode: its mode), else
  // some value >= budget and the state is void. interHad: the best inter prediction's SATD
  // for PBIntraFast (kInf in I slices).
  double search_luma(const TreeNode& n, ContextSet& ctx, int& bestMode, double budget,
                     double interHad = kInf);
  // The same for the chroma modes (icpm 0..7) of a chroma or single-tree CU.
  double search_chroma(const TreeNode& n, ContextSet& ctx, int& bestMode, double budget);
  // A new area: SATDs cached for blocks of another area are not reused.
  void new_area() { ++satd_generation_; }

 private:
  const uint32_t* luma_satds(const TreeNode& n, const IntraRefs& refs);
  void chroma_satd_preselect(const TreeNode& n, bool cclm, bool skipMode[kChromaCclmFirst + 3]);

  PictureState& s_;
  CuCoder& cu_;
  const ModeController& mc_;
  ContextSet trial_ctx_, best_ctx_;
  IntraRefs refs_;
  IntraRefs refs_c_[2];

  // SATD of all luma modes per block of the current 64x64 quadrant (index: size class, then
  // 4x4 position inside the quadrant), valid for the stored reference lines.
  struct SatdEntry {
    uint32_t generation = 0;
    uint32_t satd[ModeController::kNumLumaModes];
    Pel top[2 * kMaxCu + 1];
    Pel left[2 * kMaxCu + 1];
  };
  std::vector<SatdEntry> satd_cache_ = std::vector<SatdEntry>(25 * 256);
  uint32_t satd_generation_ = 0;

  alignas(32) Pel pred_[kMaxCu * kMaxCu];
  alignas(32) Pel best_rec_[3][kMaxCu * kMaxCu];
};

}  // namespace vvc
