// Boundary filtering strength of inter pictures (H.266 8.8.3.5) for our tool set (no CIIP,
// no IBC, no palette, no BDPCM, no joint CbCr, no subblock motion):
//   luma:   2 if either side is intra; else 1 on a transform block edge where either side's
//           luma TB has non-zero coefficients; else 1 when the two sides use different
//           reference pictures or a different number of MVs, or an MV pair for the same
//           reference picture differs by >= 8 in 1/16 units (half a luma sample) in x or y;
//           else 0.
//   chroma: per component (Cb, Cr separately): 2 if either side is intra; else 1 on a TB edge
//           where either side's TB of that component has non-zero coefficients; else 0. (The
//           deblocking process filters chroma for bS 2, and for bS 1 only on large blocks.)
// Reference pictures are compared as pictures (POCs), not as indices.
#pragma once
#include <cstdint>
#include <vector>

#include "filter/deblock.h"
#include "inter/motion_field.h"

namespace vvc {

struct EdgeBs {
  uint8_t y = 0, cb = 0, cr = 0;
};

// Motion part of the luma bS (0 or 1) for two inter blocks of the same slice.
int motion_bs(const MotionInfo& p, const MotionInfo& q, const RefLists& refs);

// bS of one edge segment between P (left/above) and Q. cbfP/cbfQ: non-zero coefficients in
// the Y, Cb, Cr TBs covering p0 / q0; tbEdge: the segment lies on a transform block edge
// (CU edges are TB edges). Non-TB edges inside a CU have identical motion on both sides and
// get 0.
EdgeBs edge_bs(const MotionInfo& p, const MotionInfo& q, const RefLists& refs, bool tbEdge,
               const bool cbfP[3], const bool cbfQ[3]);

// Per-4x4 transform-block information of a picture, filled by the picture encoder for every
// TB (intra and inter CUs alike).
class TbEdgeMap {
 public:
  enum : uint8_t { kLeft = 1, kTop = 2, kCbfY = 4, kCbfCb = 8, kCbfCr = 16 };
  void reset(int lumaWidth, int lumaHeight);
  // A luma-aligned TB (luma samples, multiples of 4) with the cbfs of its Y/Cb/Cr blocks.
  void set_tb(int x, int y, int w, int h, bool cbfY, bool cbfCb, bool cbfCr);
  uint8_t at4(int x4, int y4) const { return flags_[static_cast<size_t>(y4) * width4_ + x4]; }
  int width4() const { return width4_; }
  int height4() const { return height4_; }

 private:
  int width4_ = 0, height4_ = 0;
  std::vector<uint8_t> flags_;
};

// Derives every edge's bS of a picture from its motion field and TB map and writes them into
// grid.bs_v / bs_h (luma) and bs_v_c / bs_h_c (chroma, on the 8x8 chroma grid; the Cb value:
// see crBs). Call after the grid's TB sizes and QPs are recorded (set_luma_tb /
// set_chroma_tb); every bS field is overwritten. DeblockUnit has one chroma bS for both
// chroma components, but Cb and Cr can differ (different cbfs): when crBs is given it
// receives per unit (bS_v_Cr | bS_h_Cr << 2) so a per-component deblocking can use it.
void derive_boundary_strengths(const MotionField& mf, const TbEdgeMap& tb, DeblockGrid& grid,
                               std::vector<uint8_t>* crBs = nullptr);

// Deblocking with separate Cb and Cr boundary strengths using the current one-chroma-bS
// DeblockGrid: the grid (luma bS, Cb bS in bs_*_c) filters luma and Cb; a second pass with the
// Cr bS (crBs from derive_boundary_strengths) filters a copy whose Cr plane is kept. Planes
// are filtered independently, so this equals per-component deblocking (at twice the cost: a
// stop-gap until DeblockUnit carries a Cr bS).
void deblock_picture_split_chroma(Picture& pic, const DeblockGrid& grid,
                                  const std::vector<uint8_t>& crBs, const DeblockParams& params);

}  // namespace vvc
