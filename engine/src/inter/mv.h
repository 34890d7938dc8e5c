// Motion vectors and per-block motion data for inter prediction (H.266 8.5.2).
//
// Motion vectors are stored at 1/16 luma sample precision (the internal MV precision of VVC).
// With AMVR off the MVD is coded in quarter samples: an MVD value d in the bitstream is the
// 1/16 difference d << 2 (8.5.2.1: mvdLX = MvdLX << AmvrShift, AmvrShift = 2).
#pragma once
#include <cstdint>
#include <cstdlib>

namespace vvc {

// MV components are 18-bit signed values (7.4.3/8.5.2: -2^17 .. 2^17 - 1).
constexpr int32_t kMvMin = -(1 << 17);
constexpr int32_t kMvMax = (1 << 17) - 1;
// MVD / predictor precisions of a translational AMVP CU, AmvrShift (Table 16): quarter sample
// (amvr_flag 0), half sample (amvr_precision_idx 0, not chosen by this encoder), integer
// (amvr_precision_idx 1) and four samples (amvr_precision_idx 2).
constexpr int kAmvrShiftQuarter = 2;
constexpr int kAmvrShiftHalf = 3;
constexpr int kAmvrShiftInteger = 4;
constexpr int kAmvrShiftFour = 6;

struct Mv {
  int32_t x = 0;
  int32_t y = 0;

  constexpr Mv() = default;
  constexpr Mv(int32_t x_, int32_t y_) : x(x_), y(y_) {}
  friend constexpr bool operator==(const Mv& a, const Mv& b) { return a.x == b.x && a.y == b.y; }
  friend constexpr Mv operator+(const Mv& a, const Mv& b) { return {a.x + b.x, a.y + b.y}; }
  friend constexpr Mv operator-(const Mv& a, const Mv& b) { return {a.x - b.x, a.y - b.y}; }
};

constexpr int32_t clip_mv_comp(int64_t v) {
  return static_cast<int32_t>(v < kMvMin ? kMvMin : (v > kMvMax ? kMvMax : v));
}
constexpr Mv clip_mv(const Mv& m) {
  return {clip_mv_comp(m.x), clip_mv_comp(m.y)};
}

// 8.5.2.14 rounding process for motion vectors:
//   offset = rightShift == 0 ? 0 : 1 << (rightShift - 1)
//   v = ((v + offset - (v >= 0)) >> rightShift) << leftShift
// (round half toward zero).
constexpr int32_t round_mv_comp(int32_t v, int rightShift, int leftShift) {
  if (rightShift == 0) return v * (1 << leftShift);  // offset 0: a plain left shift
  const int32_t offset = 1 << (rightShift - 1);
  return ((v + offset - (v >= 0 ? 1 : 0)) >> rightShift) * (1 << leftShift);
}
constexpr Mv round_mv(const Mv& m, int rightShift, int leftShift) {
  return {round_mv_comp(m.x, rightShift, leftShift), round_mv_comp(m.y, rightShift, leftShift)};
}
// Rounds a 1/16 MV to quarter-sample precision (still expressed in 1/16 units), as AMVP
// predictors are with amvr_flag 0.
constexpr Mv round_mv_quarter(const Mv& m) {
  return round_mv(m, kAmvrShiftQuarter, kAmvrShiftQuarter);
}

// 8.5.2.12 (via 8.5.2.15) scaling of a collocated MV by POC distances:
//   td = Clip3(-128, 127, colPocDiff), tb = Clip3(-128, 127, currPocDiff)
//   tx = (16384 + (Abs(td) >> 1)) / td
//   distScaleFactor = Clip3(-4096, 4095, (tb * tx + 32) >> 6)
//   mv = Clip3(-2^17, 2^17 - 1, Sign(d * mv) * ((Abs(d * mv) + 127) >> 8))
// td must be non-zero.
constexpr int dist_scale_factor(int td, int tb) {
  td = td < -128 ? -128 : (td > 127 ? 127 : td);
  tb = tb < -128 ? -128 : (tb > 127 ? 127 : tb);
  const int atd = td < 0 ? -td : td;
  const int tx = (16384 + (atd >> 1)) / td;
  const int d = (tb * tx + 32) >> 6;
  return d < -4096 ? -4096 : (d > 4095 ? 4095 : d);
}
constexpr int32_t scale_mv_comp(int32_t v, int distScaleFactor) {
  const int64_t p = static_cast<int64_t>(distScaleFactor) * v;
  const int64_t a = p < 0 ? -p : p;
  const int64_t r = (a + 127) >> 8;
  return clip_mv_comp(p < 0 ? -r : r);
}
constexpr Mv scale_mv(const Mv& m, int distScaleFactor) {
  return {scale_mv_comp(m.x, distScaleFactor), scale_mv_comp(m.y, distScaleFactor)};
}

// Temporal motion buffer compression of a collocated MV component (H.266 8.5.2.12, the
// mantissa/exponent storage of motion fields used for TMVP: 6-bit mantissa, 4-bit exponent,
// round to nearest). Applied to mvCol before it is (scaled and) used.
inline int32_t compress_mv_comp(int32_t v) {
  const int32_t s = v >> 17;  // 0 or -1 for values inside the 18-bit range
  const uint32_t a = static_cast<uint32_t>(v ^ s) | 31u;
  const int f = (31 - __builtin_clz(a)) - 4;  // floor(log2(a)) - 4
  const int32_t mask = static_cast<int32_t>(static_cast<uint32_t>(-1) << f) >> 1;
  const int32_t round = (1 << f) >> 2;
  return (v + round) & mask;
}
inline Mv compress_mv(const Mv& m) {
  return {compress_mv_comp(m.x), compress_mv_comp(m.y)};
}

// Motion of one prediction block (no subblock tools: one per CU).
struct MotionInfo {
  Mv mv[2];
  int8_t ref_idx[2] = {-1, -1};  // -1 when the list is unused
  uint8_t inter_dir = 0;         // bit 0: L0 used (predFlagL0), bit 1: L1 used; 3 = bi
  bool is_inter = false;         // false: intra (or not coded): no motion

  bool uses(int list) const { return (inter_dir >> list) & 1; }
  // "Same motion vectors and reference indices" as the merge pruning, the HMVP update and the
  // pairwise comparisons of 8.5.2 use it: same prediction flags and, per used list, the same
  // refIdx and MV (unused lists ignored).
  bool same_motion(const MotionInfo& o) const {
    if (inter_dir != o.inter_dir) return false;
    for (int l = 0; l < 2; ++l)
      if (uses(l) && (ref_idx[l] != o.ref_idx[l] || !(mv[l] == o.mv[l]))) return false;
    return true;
  }
};

// Uni-prediction from list `list` with refIdx r and MV m.
inline MotionInfo make_uni(int list, int r, Mv m) {
  MotionInfo mi;
  mi.is_inter = true;
  mi.inter_dir = static_cast<uint8_t>(1 << list);
  mi.ref_idx[list] = static_cast<int8_t>(r);
  mi.mv[list] = m;
  return mi;
}
inline MotionInfo make_bi(int r0, Mv m0, int r1, Mv m1) {
  MotionInfo mi;
  mi.is_inter = true;
  mi.inter_dir = 3;
  mi.ref_idx[0] = static_cast<int8_t>(r0);
  mi.ref_idx[1] = static_cast<int8_t>(r1);
  mi.mv[0] = m0;
  mi.mv[1] = m1;
  return mi;
}

}  // namespace vvc
