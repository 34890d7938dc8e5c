// Deblocking filter, H.266 8.8.3, bit-exact for 10-bit 4:2:0 (no LADF, no palette, no
// deblocking of transform-skip/BDPCM special cases). The caller (the picture encoder)
// describes the picture's block structure in a DeblockGrid while coding and then calls
// deblock_picture() once per picture, after every CTU is reconstructed.
//
// How to fill the grid (intra, dual tree):
//   DeblockGrid g;  g.reset(pic.width, pic.height);          // once per picture
//   for every luma transform block (x, y, w, h in luma samples):
//     g.set_luma_tb(x, y, w, h, qpY);                          // bS 2 on its left/top edges
//   for every chroma transform block (xc, yc, wc, hc in CHROMA samples):
//     g.set_chroma_tb(xc, yc, wc, hc, qpY_of_the_chroma_cu);  // bS 2 on its left/top edges
//   DeblockParams p;  p.set_chroma_qp_mapping(f);             // f(qpY, cIdx) -> QpC
//   deblock_picture(recon, g, p);
// Inter: set_luma_tb / set_chroma_tb with the bS the caller derives (8.8.3.5), or
// write DeblockUnit::bs_* directly for prediction-only edges; a bS of 0 means "no filtering".
//
// Every edge inside a coding block that is not a TB edge must keep bS 0; every TB edge in
// intra is the left or top edge of some TB, so set_*_tb covers all of them. Edges on the
// picture boundary (x == 0 / y == 0) are never filtered, whatever their bS.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "common/picture.h"

namespace vvc {

// One 4x4 luma unit (= 2x2 chroma samples in 4:2:0).
struct DeblockUnit {
  uint8_t bs_v = 0;    // luma bS (0..2) of the unit's left edge
  uint8_t bs_h = 0;    // luma bS of the unit's top edge
  uint8_t bs_v_c = 0;  // chroma bS of the left edge (read only where x % 16 == 0: 8-chroma grid)
  uint8_t bs_h_c = 0;  // chroma bS of the top edge (read only where y % 16 == 0)
  uint8_t tb_w = 0;    // width / height of the LUMA transform block covering the unit (luma
  uint8_t tb_h = 0;    //   samples): 4 -> filter length 1, >= 8 -> 3, >= 32 -> 7 (8.8.3.3)
  uint8_t tb_w_c = 0;  // width / height of the CHROMA transform block covering the unit
  uint8_t tb_h_c = 0;  //   (chroma samples): both sides >= 8 allow the strong chroma filter
  int8_t qp_y = 0;     // QpY of the luma coding unit (no QpBdOffset)
  int8_t qp_y_c = 0;   // QpY used for the chroma coding unit (dual tree: its own QpY)
};

struct DeblockGrid {
  int width4 = 0;   // picture width / 4
  int height4 = 0;  // picture height / 4
  std::vector<DeblockUnit> units;

  // Sizes the grid for a luma picture (multiples of 8) and clears every unit.
  void reset(int lumaWidth, int lumaHeight);
  DeblockUnit& at(int x4, int y4) { return units[static_cast<size_t>(y4) * width4 + x4]; }
  const DeblockUnit& at(int x4, int y4) const {
    return units[static_cast<size_t>(y4) * width4 + x4];
  }
  // Records a luma TB (luma samples, multiples of 4): TB size and qpY on every covered unit,
  // luma bS `bs` on its left and top edges.
  void set_luma_tb(int x, int y, int w, int h, int qpY, int bs = 2);
  // Records a chroma TB (chroma samples, multiples of 2; 4:2:0): chroma TB size and qpY of
  // the chroma CU on every covered unit, chroma bS `bs` on its left and top edges.
  void set_chroma_tb(int xc, int yc, int wc, int hc, int qpY, int bs = 2);
};

struct DeblockParams {
  // slice_{luma,cb,cr}_{beta,tc}_offset_div2 (all 0 in our PPS/slices).
  int beta_offset_div2[3] = {0, 0, 0};
  int tc_offset_div2[3] = {0, 0, 0};
  int ctu_size = 128;  // luma CTB size: horizontal edges on CTB rows limit the P side
  int origin_y = 0;    // picture row of the grid's first row (a grid over part of a picture)
  // QpC (no QpBdOffset, cQpPicOffset/slice offsets included) for QpY = -12..63, per Cb, Cr;
  // index qpY + 12. Default: identity. The deblocking QP of a chroma edge is
  // (QpC_P + QpC_Q + 1) >> 1 (8.8.3.6.1, as VTM and FFmpeg compute it).
  int8_t chroma_qp[2][76];

  DeblockParams();
  // Fills chroma_qp from f(qpY, cIdx) (cIdx 1 or 2), e.g. bitstream's chroma_qp(cfg, qpY, c).
  void set_chroma_qp_mapping(const std::function<int(int qpY, int cIdx)>& f);
};

// Filters all vertical edges of the picture, then all horizontal edges (8.8.3.1), luma and
// both chroma planes, in place.
void deblock_picture(Picture& pic, const DeblockGrid& grid, const DeblockParams& params);

// Filters the vertical (or horizontal) edges of one component (0 Y, 1 Cb, 2 Cr; chroma reads
// bs_*_c) of a plane described by grid, in place. The plane may hold only part of a picture
// (params.origin_y gives its first row; its left column must lie on the 16-luma-sample
// chroma edge grid); a whole-picture deblocking is deblock_picture().
void deblock_plane(Plane& pl, int cIdx, const DeblockGrid& grid, const DeblockParams& params,
                   bool vertical);

// Threshold tables of 8.8.3.6 (Table 43), exposed for tests.
int deblock_beta_prime(int q);  // q in [0, 63]
int deblock_tc_prime(int q);    // q in [0, 65]

}  // namespace vvc
