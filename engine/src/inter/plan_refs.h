// Bridge from the coding-structure plan (picture/gop.h) to the inter modules' view of a slice's
// reference lists.
#pragma once
#include "inter/motion_field.h"
#include "picture/gop.h"

namespace vvc {

// RefLists of a planned picture: its POC, B or P, the ACTIVE entries of both lists
// (RefPicList[l][0 .. NumRefIdxActive[l]-1]; inactive entries only keep pictures in the DPB
// and are never referenced by a CU), and the TMVP parameters of its slice header.
inline RefLists make_ref_lists(const PicturePlan& p) {
  RefLists r;
  r.poc = p.poc;
  r.is_b = p.slice_type == SliceType::B;
  for (int l = 0; l < 2; ++l) {
    const int n = (l == 1 && !r.is_b) ? 0 : p.num_active[l];
    r.num_ref[l] = n < kMaxRefPics ? n : kMaxRefPics;
    for (int i = 0; i < r.num_ref[l]; ++i) {
      r.ref_poc[l][i] = p.rpl[l][i];
      r.long_term[l][i] = false;
    }
  }
  r.tmvp = p.temporal_mvp && p.slice_type != SliceType::I;
  r.collocated_from_l0 = r.is_b ? p.collocated_from_l0 : true;  // inferred 1 in P slices
  r.collocated_ref_idx = p.collocated_ref_idx;
  return r;
}

// POC of the collocated picture of a slice (valid when refs.tmvp).
inline int collocated_poc(const RefLists& refs) {
  return refs.ref_poc[refs.col_list()][refs.collocated_ref_idx];
}

}  // namespace vvc
