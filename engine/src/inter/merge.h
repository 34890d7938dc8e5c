// Regular merge candidate list (H.266 8.5.2.2 - 8.5.2.6), the history-based MV predictor
// table (8.5.2.16) and the temporal (collocated) MV derivation shared with AMVP (8.5.2.11 /
// 8.5.2.12). Tools off: no MMVD, CIIP, GPM, SbTMVP, affine, BCW; MaxNumMergeCand = 6.
//
// The caller (picture encoder / CU coder) owns:
//  - the current picture's MotionField, updated after each CU is decided (set() with the
//    CU's final motion, set_intra() for intra CUs);
//  - one HmvpTable per CTU row: reset() at the first CTU of every CTU row (VVC resets
//    NumHmvpCand at the start of each CTU row of a tile, whether or not WPP is on; VTM/VVenC
//    do the same), update() after every inter CU (regular merge / skip / AMVP; never for
//    intra CUs). With Log2ParMrgLevel = 2 (log2_parallel_merge_level_minus2 = 0) the
//    parallel-merge condition on the update is always true;
//  - the slice's RefLists and, when TMVP is on, the collocated picture's MotionField.
#pragma once
#include <cstdint>

#include "inter/motion_field.h"
#include "inter/mv.h"

namespace vvc {

constexpr int kMaxNumMergeCand = 6;  // MaxNumMergeCand = 6 - sps_six_minus_max_num_merge_cand
constexpr int kMaxNumHmvpCand = 5;   // size of HmvpCandList
constexpr int kNumAmvpCand = 2;

// Non-owning reference to a callable bool(int x, int y) (no allocation).
class AvailRef {
 public:
  template <class F>
  AvailRef(const F& f)  // NOLINT: implicit on purpose, like std::function_ref
      : obj_(&f), call_([](const void* o, int x, int y) {
          return static_cast<bool>((*static_cast<const F*>(o))(x, y));
        }) {}
  bool operator()(int x, int y) const { return call_(obj_, x, y); }

 private:
  const void* obj_;
  bool (*call_)(const void*, int, int);
};

// HmvpCandList: most recent candidate last.
struct HmvpTable {
  MotionInfo cand[kMaxNumHmvpCand];
  int num = 0;

  void reset() { num = 0; }
  // 8.5.2.16: an identical entry is removed (else the oldest when full), then mi is appended.
  void update(const MotionInfo& mi);
};

// Everything the merge / AMVP derivations read for one coding unit.
struct MergeContext {
  int x = 0, y = 0, w = 0, h = 0;      // CU in luma samples
  const MotionField* field = nullptr;  // current picture (spatial neighbours)
  // avail(xN, yN): luma position inside the picture AND already coded (z-scan availability of
  // 6.4.1: same slice/tile, earlier in decoding order). The derivations check the picture
  // bounds and that the neighbour is inter themselves.
  AvailRef avail;
  const RefLists* refs = nullptr;    // current slice
  const HmvpTable* hmvp = nullptr;   // table of the current CTU row
  const MotionField* col = nullptr;  // collocated picture's field (null: no TMVP)
  int ctb_log2 = 7;
  int log2_par_mrg_level = 2;  // Log2ParMrgLevel
  int pic_w = 0, pic_h = 0;    // pic_width/height_in_luma_samples
  int max_num_merge_cand = kMaxNumMergeCand;

  template <class F>
  MergeContext(const F& availFn) : avail(availFn) {}
};

// 8.5.2.11 / 8.5.2.12: temporal MV predictor for list X, reference index refIdx (bottom-right
// collocated block inside the CTU row and picture, else the centre one). Returns false when
// unavailable (TMVP off, no collocated field, cbWidth * cbHeight <= 32, intra collocated
// block, long-term mismatch). The MV is not rounded to the AMVR precision.
bool temporal_mv(const MergeContext& c, int X, int refIdx, Mv& out);

// Builds the full regular merge list (spatial B1 A1 B0 A0 B2, temporal, HMVP, pairwise
// average, zero) with MaxNumMergeCand entries; returns MaxNumMergeCand. The 8x4 / 4x8
// restriction of 8.5.2.2 (bi -> L0 uni when cbWidth + cbHeight == 12) is already applied
// to every returned entry, so out[merge_idx] is the CU's motion as coded and stored.
int build_merge_list(const MergeContext& c, MotionInfo out[kMaxNumMergeCand]);

}  // namespace vvc
