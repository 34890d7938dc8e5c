// Boundary strength of inter edges (H.266 8.8.3.5): hand-made P/Q pairs and a small picture.
#include <vector>

#include "check.h"
#include "filter/deblock.h"
#include "filter/deblock_bs.h"

using namespace vvc;

namespace {

RefLists make_refs() {
  RefLists r;
  r.poc = 8;
  r.is_b = true;
  r.num_ref[0] = r.num_ref[1] = 2;
  r.ref_poc[0][0] = 4;
  r.ref_poc[0][1] = 0;
  r.ref_poc[1][0] = 16;
  r.ref_poc[1][1] = 4;  // same picture as L0[0]
  return r;
}

void check_pairs() {
  const RefLists r = make_refs();
  const bool none[3] = {false, false, false};
  const bool y[3] = {true, false, false};
  const bool cb[3] = {false, true, false};
  const MotionInfo intra;
  const MotionInfo a = make_uni(0, 0, Mv{16, 16});

  EdgeBs bs = edge_bs(intra, a, r, true, none, none);
  CHECK(bs.y == 2 && bs.cb == 2 && bs.cr == 2);
  bs = edge_bs(a, intra, r, false, none, none);
  CHECK(bs.y == 2 && bs.cb == 2 && bs.cr == 2);

  // Coefficients: luma cbf on a TB edge -> 1 regardless of motion; chroma per component.
  bs = edge_bs(a, a, r, true, y, none);
  CHECK(bs.y == 1 && bs.cb == 0 && bs.cr == 0);
  bs = edge_bs(a, a, r, true, none, cb);
  CHECK(bs.y == 0 && bs.cb == 1 && bs.cr == 0);
  bs = edge_bs(a, a, r, false, y, cb);  // not a TB edge: cbfs do not count
  CHECK(bs.y == 0 && bs.cb == 0 && bs.cr == 0);

  // MV difference threshold: 8 in 1/16 units.
  CHECK_EQ(motion_bs(a, make_uni(0, 0, Mv{23, 16}), r), 0);
  CHECK_EQ(motion_bs(a, make_uni(0, 0, Mv{24, 16}), r), 1);
  CHECK_EQ(motion_bs(a, make_uni(0, 0, Mv{16, 8}), r), 1);
  CHECK_EQ(motion_bs(a, make_uni(0, 0, Mv{16, 9}), r), 0);
  // Different reference picture -> 1; same picture through another list/index -> compare MVs.
  CHECK_EQ(motion_bs(a, make_uni(0, 1, Mv{16, 16}), r), 1);
  CHECK_EQ(motion_bs(a, make_uni(1, 1, Mv{16, 16}), r), 0);
  CHECK_EQ(motion_bs(a, make_uni(1, 1, Mv{40, 16}), r), 1);
  // Different number of MVs -> 1.
  CHECK_EQ(motion_bs(a, make_bi(0, Mv{16, 16}, 0, Mv{16, 16}), r), 1);

  // Bi with two different pictures, listed in swapped lists on the two sides.
  const MotionInfo p = make_bi(1, Mv{0, 0}, 0, Mv{100, 100});  // POC 0, POC 16
  MotionInfo q = make_bi(1, Mv{4, 0}, 0, Mv{96, 100});         // same order
  CHECK_EQ(motion_bs(p, q, r), 0);
  q.mv[1] = Mv{92, 100};
  CHECK_EQ(motion_bs(p, q, r), 1);
  // Q: L0 -> POC 4 (idx 0) vs P's POC 0: different pictures.
  CHECK_EQ(motion_bs(p, make_bi(0, Mv{0, 0}, 0, Mv{100, 100}), r), 1);

  // Both MVs of each side refer to the same picture (POC 4 via L0[0] and L1[1]): bS 1 only
  // when both pairings differ.
  const MotionInfo s = make_bi(0, Mv{0, 0}, 1, Mv{64, 0});
  CHECK_EQ(motion_bs(s, make_bi(0, Mv{64, 0}, 1, Mv{0, 0}), r), 0);  // crossed pairing equal
  CHECK_EQ(motion_bs(s, make_bi(0, Mv{0, 0}, 1, Mv{64, 0}), r), 0);
  CHECK_EQ(motion_bs(s, make_bi(0, Mv{8, 0}, 1, Mv{64, 0}), r), 1);  // straight 1, crossed 1
  CHECK_EQ(motion_bs(s, make_bi(0, Mv{60, 0}, 1, Mv{4, 0}), r), 0);  // crossed within 7
}

// 32x32 picture: left half one inter CU (16x32, cbf 0), right half another with a different
// MV (>= half sample), a 16x16 intra CU at the bottom right.
void check_picture() {
  MotionField mf;
  mf.reset(32, 32);
  mf.refs = make_refs();
  mf.set(0, 0, 16, 32, make_uni(0, 0, Mv{0, 0}));
  mf.set(16, 0, 16, 16, make_uni(0, 0, Mv{8, 0}));
  mf.set_intra(16, 16, 16, 16);
  TbEdgeMap tb;
  tb.reset(32, 32);
  tb.set_tb(0, 0, 16, 32, false, false, false);
  tb.set_tb(16, 0, 16, 16, false, false, true);
  tb.set_tb(16, 16, 16, 16, true, true, true);
  DeblockGrid g;
  g.reset(32, 32);
  g.set_luma_tb(0, 0, 32, 32, 30);  // something to be overwritten
  std::vector<uint8_t> cr;
  derive_boundary_strengths(mf, tb, g, &cr);
  // Vertical edge x = 16: rows 0..15 inter/inter MV diff 8 -> 1, chroma Cr cbf -> Cr 1, Cb 0.
  CHECK_EQ(g.at(4, 0).bs_v, 1);
  CHECK_EQ(g.at(4, 3).bs_v, 1);
  CHECK_EQ(g.at(4, 0).bs_v_c, 0);
  CHECK_EQ(cr[0 * 8 + 4] & 3, 1);
  // Rows 16..31: intra on the right -> 2.
  CHECK_EQ(g.at(4, 4).bs_v, 2);
  CHECK_EQ(g.at(4, 4).bs_v_c, 2);
  // Horizontal edge y = 16 at x = 16..31: inter above, intra below -> 2; x < 16 is inside the
  // left CU (no TB edge) -> 0.
  CHECK_EQ(g.at(4, 4).bs_h, 2);
  CHECK_EQ(g.at(0, 4).bs_h, 0);
  CHECK_EQ(g.at(1, 4).bs_h_c, 0);
  // Picture boundary and interior of blocks: 0.
  CHECK_EQ(g.at(0, 0).bs_v, 0);
  CHECK_EQ(g.at(0, 0).bs_h, 0);
  CHECK_EQ(g.at(2, 2).bs_v, 0);
  // Chroma bS only on the 8x8 chroma grid (x multiple of 16 luma): none at x = 8.
  mf.set(8, 0, 8, 32, make_uni(0, 1, Mv{0, 0}));
  tb.set_tb(8, 0, 8, 32, true, true, true);
  derive_boundary_strengths(mf, tb, g, &cr);
  CHECK_EQ(g.at(2, 0).bs_v, 1);
  CHECK_EQ(g.at(2, 0).bs_v_c, 0);
  CHECK_EQ(g.at(4, 0).bs_v_c, 1);  // Cb cbf of the left TB now
}

}  // namespace

int main() {
  check_pairs();
  check_picture();
  TEST_MAIN_END();
}
