// Per-picture motion storage at 4x4 luma granularity and the slice's reference lists as seen
// by motion derivation.
//
// The current picture's field is read by the spatial merge/AMVP neighbours of later CUs and by
// the boundary strength derivation; a previously coded picture's field is read as the
// collocated motion for TMVP (8.5.2.12 reads it at ((x >> 3) << 3, (y >> 3) << 3), i.e. the
// top-left 4x4 of each 8x8: col_at()). Each picture keeps the reference lists of the slice
// that wrote it (we code one slice per picture), because TMVP scales collocated MVs by the
// collocated picture's own reference POCs and the bS derivation compares reference pictures.
#pragma once
#include <cstdint>
#include <vector>

#include "inter/mv.h"

namespace vvc {

constexpr int kMaxRefPics = 16;  // entries per reference picture list

// Reference picture lists of one slice, by picture (POC) rather than by index.
struct RefLists {
  int poc = 0;              // POC of the picture the slice belongs to
  bool is_b = false;        // B slice (L1 usable)
  int num_ref[2] = {0, 0};  // NumRefIdxActive[0/1]
  int ref_poc[2][kMaxRefPics] = {};
  bool long_term[2][kMaxRefPics] = {};  // always false in our encoder
  // TMVP parameters of the slice header: sh_collocated_from_l0_flag (inferred 1 in P slices)
  // and sh_collocated_ref_idx; the collocated picture is RefPicList[!from_l0][col_ref_idx]
  // in B slices and RefPicList[0][col_ref_idx] in P slices.
  bool tmvp = false;  // ph_temporal_mvp_enabled_flag
  bool collocated_from_l0 = true;
  int collocated_ref_idx = 0;

  int col_list() const { return is_b && !collocated_from_l0 ? 1 : 0; }
  // NoBackwardPredFlag (8.5.2.12 / 7.4.8): 1 when no active reference picture of either list
  // follows the current picture in output order.
  bool no_backward_pred() const {
    for (int l = 0; l < 2; ++l)
      for (int i = 0; i < num_ref[l]; ++i)
        if (ref_poc[l][i] > poc) return false;
    return true;
  }
};

class MotionField {
 public:
  // Sizes the field for a luma picture (dimensions multiples of 4) and marks every block as
  // not inter (intra / not yet coded).
  void reset(int lumaWidth, int lumaHeight);

  int width() const { return width4_ * 4; }
  int height() const { return height4_ * 4; }

  // Stores the motion of a w x h luma block at (x, y) (multiples of 4).
  void set(int x, int y, int w, int h, const MotionInfo& mi);
  void set_intra(int x, int y, int w, int h) { set(x, y, w, h, MotionInfo{}); }

  // Motion at luma sample (x, y) (inside the picture).
  const MotionInfo& at(int x, int y) const {
    return units_[static_cast<size_t>(y >> 2) * width4_ + (x >> 2)];
  }
  // Collocated access (8.5.2.11: ((x >> 3) << 3, (y >> 3) << 3)).
  const MotionInfo& col_at(int x, int y) const { return at(x & ~7, y & ~7); }

  // POC of the picture that refIdx `r` of list `l` refers to (field of the writing slice).
  int ref_poc(int l, int r) const { return refs.ref_poc[l][r]; }

  RefLists refs;  // reference lists of the slice that coded this picture (refs.poc = its POC)

 private:
  int width4_ = 0;
  int height4_ = 0;
  std::vector<MotionInfo> units_;
};

}  // namespace vvc
