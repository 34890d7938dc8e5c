// Merge / AMVP / MV arithmetic tests on hand-built neighbourhoods with hand-computed answers
// (H.266 8.5.2.2 - 8.5.2.16).
#include <cstdint>

#include "check.h"
#include "inter/amvp.h"
#include "inter/merge.h"
#include "inter/mv.h"
#include "inter/plan_refs.h"

using namespace vvc;

namespace {

bool eq(const Mv& a, int x, int y) {
  return a.x == x && a.y == y;
}

void check_mv_arithmetic() {
  // 8.5.2.14 rounding (quarter sample, half toward zero).
  CHECK_EQ(round_mv_comp(5, 2, 2), 4);
  CHECK_EQ(round_mv_comp(6, 2, 2), 4);
  CHECK_EQ(round_mv_comp(7, 2, 2), 8);
  CHECK_EQ(round_mv_comp(-6, 2, 2), -4);
  CHECK_EQ(round_mv_comp(-7, 2, 2), -8);
  CHECK_EQ(round_mv_comp(-2, 2, 2), 0);
  CHECK_EQ(round_mv_comp(3, 1, 0), 1);  // pairwise average of 1 and 2
  CHECK_EQ(round_mv_comp(-3, 1, 0), -1);
  CHECK_EQ(round_mv_comp(12, 0, 0), 12);
  // AMVR precisions (8.5.2.14, halves toward zero): integer, four samples.
  CHECK_EQ(round_mv_comp(8, 4, 4), 0);
  CHECK_EQ(round_mv_comp(9, 4, 4), 16);
  CHECK_EQ(round_mv_comp(-8, 4, 4), 0);
  CHECK_EQ(round_mv_comp(-9, 4, 4), -16);
  CHECK_EQ(round_mv_comp(24, 4, 4), 16);
  CHECK_EQ(round_mv_comp(-24, 4, 4), -16);
  CHECK_EQ(round_mv_comp(32, 6, 6), 0);
  CHECK_EQ(round_mv_comp(33, 6, 6), 64);
  CHECK_EQ(round_mv_comp(-33, 6, 6), -64);
  // distScaleFactor by hand: tx = (16384 + |td|/2) / td, (tb * tx + 32) >> 6.
  CHECK_EQ(dist_scale_factor(2, 1), 128);   // tx 8192
  CHECK_EQ(dist_scale_factor(3, -1), -85);  // tx 5461, (-5461 + 32) >> 6 = -85 (floor)
  CHECK_EQ(dist_scale_factor(1, 4), 1024);
  CHECK_EQ(dist_scale_factor(1, 20), 4095);  // clipped
  CHECK_EQ(dist_scale_factor(-4, 8), -512);  // tx -4096
  CHECK_EQ(dist_scale_factor(16, 4), 64);    // tx 1024
  CHECK_EQ(dist_scale_factor(16, -8), -128);
  CHECK_EQ(dist_scale_factor(1, 1), 256);                          // identity
  CHECK_EQ(dist_scale_factor(300, 1), dist_scale_factor(127, 1));  // td clipped to 127
  // Scaled MV: Sign(d*mv) * ((|d*mv| + 127) >> 8).
  CHECK_EQ(scale_mv_comp(100, 128), 50);
  CHECK_EQ(scale_mv_comp(-101, 128), -50);
  CHECK_EQ(scale_mv_comp(64, -85), -21);
  CHECK_EQ(scale_mv_comp(1000, 1024), 4000);
  CHECK_EQ(scale_mv_comp(100000, 4095), kMvMax);
  CHECK_EQ(scale_mv_comp(-12345, 256), -12345);
  // Collocated MV storage compression (6-bit mantissa).
  CHECK_EQ(compress_mv_comp(31), 31);
  CHECK_EQ(compress_mv_comp(-32), -32);
  CHECK_EQ(compress_mv_comp(63), 63);
  CHECK_EQ(compress_mv_comp(100), 100);
  CHECK_EQ(compress_mv_comp(101), 102);
  CHECK_EQ(compress_mv_comp(1000), 1008);
  CHECK_EQ(compress_mv_comp(-1000), -992);
  CHECK_EQ(compress_mv_comp(-1001), -1008);
  CHECK_EQ(clip_mv_comp(1 << 20), kMvMax);
}

// A 64x64 B picture, POC 8; L0 = {4, 0}, L1 = {12, 16}. The CU under test is at (16, 16),
// 16x16; everything above or left of it is "coded".
struct Scene {
  MotionField field;
  RefLists refs;
  HmvpTable hmvp;
  MotionField col;
  Scene() {
    field.reset(64, 64);
    refs.poc = 8;
    refs.is_b = true;
    refs.num_ref[0] = refs.num_ref[1] = 2;
    refs.ref_poc[0][0] = 4;
    refs.ref_poc[0][1] = 0;
    refs.ref_poc[1][0] = 12;
    refs.ref_poc[1][1] = 16;
    field.refs = refs;
  }
};

const auto kAvail = [](int x, int y) { return y < 16 || x < 16; };

MergeContext make_ctx(const Scene& s, int x, int y, int w, int h) {
  MergeContext c(kAvail);
  c.x = x;
  c.y = y;
  c.w = w;
  c.h = h;
  c.field = &s.field;
  c.refs = &s.refs;
  c.hmvp = &s.hmvp;
  c.pic_w = c.pic_h = 64;
  return c;
}

void check_same_neighbours() {
  Scene s;
  const MotionInfo m = make_bi(1, Mv{12, -4}, 0, Mv{-3, 7});
  s.field.set(0, 0, 64, 16, m);   // B0, B1, B2
  s.field.set(0, 16, 16, 48, m);  // A0, A1
  MotionInfo out[6];
  CHECK_EQ(build_merge_list(make_ctx(s, 16, 16, 16, 16), out), 6);
  CHECK(out[0].same_motion(m));
  // Pruning leaves one candidate; no pairwise (needs two); zeros with refIdx 0, 1, 0, 0, 0.
  const int zr[5] = {0, 1, 0, 0, 0};
  for (int i = 1; i < 6; ++i) {
    CHECK_EQ(out[i].inter_dir, 3);
    CHECK_EQ(out[i].ref_idx[0], zr[i - 1]);
    CHECK_EQ(out[i].ref_idx[1], zr[i - 1]);
    CHECK(eq(out[i].mv[0], 0, 0) && eq(out[i].mv[1], 0, 0));
  }
}

void check_order_and_pairwise() {
  Scene s;
  s.field.set_intra(0, 0, 64, 16);
  s.field.set_intra(0, 16, 16, 48);
  const MotionInfo b1 = make_uni(0, 0, Mv{4, 8});
  const MotionInfo a1 = make_uni(1, 1, Mv{-8, 12});
  s.field.set(28, 12, 4, 4, b1);  // B1 = (x + w - 1, y - 1)
  s.field.set(12, 28, 4, 4, a1);  // A1 = (x - 1, y + h - 1)
  MotionInfo out[6];
  build_merge_list(make_ctx(s, 16, 16, 16, 16), out);
  CHECK(out[0].same_motion(b1));
  CHECK(out[1].same_motion(a1));
  // Pairwise: L0 from B1 only, L1 from A1 only -> bi.
  CHECK_EQ(out[2].inter_dir, 3);
  CHECK_EQ(out[2].ref_idx[0], 0);
  CHECK_EQ(out[2].ref_idx[1], 1);
  CHECK(eq(out[2].mv[0], 4, 8) && eq(out[2].mv[1], -8, 12));
  CHECK(out[3].inter_dir == 3 && out[3].ref_idx[0] == 0 && eq(out[3].mv[0], 0, 0));
  CHECK(out[4].ref_idx[0] == 1 && out[4].ref_idx[1] == 1);

  // Both bi: averaged per list with refIdx of the first candidate.
  const MotionInfo p0 = make_bi(0, Mv{3, -5}, 1, Mv{10, 10});
  const MotionInfo p1 = make_bi(1, Mv{4, -6}, 0, Mv{-11, 11});
  s.field.set(28, 12, 4, 4, p0);
  s.field.set(12, 28, 4, 4, p1);
  build_merge_list(make_ctx(s, 16, 16, 16, 16), out);
  CHECK(out[0].same_motion(p0) && out[1].same_motion(p1));
  CHECK_EQ(out[2].ref_idx[0], 0);
  CHECK_EQ(out[2].ref_idx[1], 1);
  CHECK(eq(out[2].mv[0], 3, -5));  // (7 + 1 - 1) >> 1 = 3, (-11 + 1) >> 1 = -5
  CHECK(eq(out[2].mv[1], 0, 10));  // (-1 + 1) >> 1 = 0, (21 + 1 - 1) >> 1 = 10

  // B0 equal to B1 is pruned; A0 equal to A1 is pruned; B2 distinct comes last.
  const MotionInfo b2 = make_uni(0, 1, Mv{100, 0});
  s.field.set(32, 12, 4, 4, p0);  // B0 = (x + w, y - 1) same as B1
  s.field.set(12, 32, 4, 4, p1);  // A0 = (x - 1, y + h) same as A1
  s.field.set(12, 12, 4, 4, b2);  // B2
  build_merge_list(make_ctx(s, 16, 16, 16, 16), out);
  CHECK(out[0].same_motion(p0) && out[1].same_motion(p1) && out[2].same_motion(b2));
  CHECK_EQ(out[3].inter_dir, 3);  // pairwise of out[0], out[1] again
  CHECK(eq(out[3].mv[0], 3, -5));
  // B2 equal to A1 is pruned even though A1 was listed.
  s.field.set(12, 12, 4, 4, p1);
  build_merge_list(make_ctx(s, 16, 16, 16, 16), out);
  CHECK(out[0].same_motion(p0) && out[1].same_motion(p1) && !out[2].same_motion(p1));
}

void check_hmvp() {
  HmvpTable t;
  for (int i = 0; i < 7; ++i) t.update(make_uni(0, 0, Mv{i, 0}));
  CHECK_EQ(t.num, 5);
  CHECK(eq(t.cand[0].mv[0], 2, 0) && eq(t.cand[4].mv[0], 6, 0));  // oldest dropped
  t.update(make_uni(0, 0, Mv{4, 0}));  // identical entry moves to the end
  CHECK_EQ(t.num, 5);
  CHECK(eq(t.cand[2].mv[0], 5, 0) && eq(t.cand[4].mv[0], 4, 0));

  // Merge: A1 = B1-less neighbourhood; HMVP entries newest first, the two newest pruned
  // against A1, at most MaxNumMergeCand - 1 candidates before pairwise.
  Scene s;
  s.field.set_intra(0, 0, 64, 16);
  s.field.set_intra(0, 16, 16, 48);
  const MotionInfo a1 = make_uni(0, 0, Mv{40, 40});
  s.field.set(12, 28, 4, 4, a1);
  s.hmvp.update(make_uni(0, 0, Mv{1, 1}));
  s.hmvp.update(make_uni(0, 0, Mv{2, 2}));
  s.hmvp.update(make_uni(0, 0, Mv{3, 3}));
  s.hmvp.update(a1);  // newest: pruned (equal to A1)
  s.hmvp.update(make_uni(1, 0, Mv{5, 5}));
  MotionInfo out[6];
  build_merge_list(make_ctx(s, 16, 16, 16, 16), out);
  CHECK(out[0].same_motion(a1));
  CHECK(out[1].uses(1) && eq(out[1].mv[1], 5, 5));
  CHECK(eq(out[2].mv[0], 3, 3));
  CHECK(eq(out[3].mv[0], 2, 2));
  CHECK(eq(out[4].mv[0], 1, 1));  // 5 candidates = MaxNumMergeCand - 1: HMVP stops
  // Pairwise of out[0] (L0 (40,40)) and out[1] (L1 (5,5)).
  CHECK(out[5].inter_dir == 3 && eq(out[5].mv[0], 40, 40) && eq(out[5].mv[1], 5, 5));
  // An older entry equal to A1 (3rd newest) is not pruned.
  s.hmvp.reset();
  s.hmvp.update(a1);
  s.hmvp.update(make_uni(0, 0, Mv{1, 1}));
  s.hmvp.update(make_uni(0, 0, Mv{2, 2}));
  build_merge_list(make_ctx(s, 16, 16, 16, 16), out);
  CHECK(out[1].same_motion(make_uni(0, 0, Mv{2, 2})));
  CHECK(out[3].same_motion(a1));
}

void check_small_block_restriction() {
  Scene s;
  const MotionInfo m = make_bi(0, Mv{4, 4}, 1, Mv{8, 8});
  s.field.set(0, 0, 64, 16, m);
  s.field.set(0, 16, 16, 48, m);
  MotionInfo out[6];
  build_merge_list(make_ctx(s, 16, 16, 8, 4), out);
  for (int i = 0; i < 6; ++i) {
    CHECK_EQ(out[i].inter_dir, 1);
    CHECK_EQ(out[i].ref_idx[1], -1);
  }
  CHECK(eq(out[0].mv[0], 4, 4));
  build_merge_list(make_ctx(s, 16, 16, 8, 8), out);
  CHECK_EQ(out[0].inter_dir, 3);
}

void check_temporal() {
  Scene s;
  s.field.set_intra(0, 0, 64, 64);
  // Collocated picture = RefPicList1[0] (POC 12 here: from_l0 = 0, ref idx 0).
  s.refs.tmvp = true;
  s.refs.collocated_from_l0 = false;
  s.refs.collocated_ref_idx = 0;
  s.refs.ref_poc[1][0] = 16;  // make L1[0] POC 16 for the hand computation
  s.col.reset(64, 64);
  s.col.refs.poc = 16;
  s.col.refs.num_ref[0] = 2;
  s.col.refs.ref_poc[0][0] = 8;
  s.col.refs.ref_poc[0][1] = 0;
  // Bottom-right of the CU (32, 32) -> 8x8 grid (32, 32).
  s.col.set(32, 32, 8, 8, make_uni(0, 1, Mv{64, -32}));
  MergeContext c = make_ctx(s, 16, 16, 16, 16);
  c.col = &s.col;
  MotionInfo out[6];
  build_merge_list(c, out);
  // colPocDiff = 16 - 0 = 16; L0: currPocDiff 8 - 4 = 4 -> dsf 64; L1: 8 - 16 = -8 -> -128.
  CHECK_EQ(out[0].inter_dir, 3);
  CHECK(out[0].ref_idx[0] == 0 && out[0].ref_idx[1] == 0);
  CHECK(eq(out[0].mv[0], 16, -8));
  CHECK(eq(out[0].mv[1], -32, 16));
  Mv t;
  CHECK(temporal_mv(c, 0, 1, t));  // refIdx 1 (POC 0): currPocDiff 8 = colPocDiff/2 -> 128
  CHECK(eq(t, 32, -16));
  // Bottom-right in the next CTU row -> centre (24, 24) -> grid (24, 24).
  s.col.set(24, 24, 8, 8, make_uni(0, 0, Mv{40, 0}));  // colPocDiff 8
  c.y = 128 - 16;
  s.field.reset(64, 256);
  s.col.reset(64, 256);
  s.col.refs.poc = 16;
  s.col.refs.num_ref[0] = 2;
  s.col.refs.ref_poc[0][0] = 8;
  s.col.refs.ref_poc[0][1] = 0;
  c.pic_h = 256;
  c.x = 16;
  s.col.set(32, 128, 8, 8, make_uni(0, 1, Mv{64, -32}));  // would be bottom-right
  s.col.set(24, 120, 8, 8, make_uni(0, 0, Mv{40, 0}));    // centre
  CHECK(temporal_mv(c, 0, 0, t));
  CHECK(eq(t, 20, 0));  // dsf(8, 4) = 128: 40 -> 20
  // Intra centre -> unavailable; small CU (<= 32 samples) -> unavailable.
  s.col.set_intra(24, 120, 8, 8);
  CHECK(!temporal_mv(c, 0, 0, t));
  c.y = 16;
  c.w = 8;
  c.h = 4;
  s.col.set(24, 16, 8, 8, make_uni(0, 0, Mv{40, 0}));
  CHECK(!temporal_mv(c, 0, 0, t));
  c.w = 8;
  c.h = 8;  // centre (20, 20) -> grid (16, 16); bottom-right (24, 24) -> intra in this col
  s.col.set(16, 16, 8, 8, make_uni(0, 0, Mv{40, 0}));
  CHECK(temporal_mv(c, 0, 0, t));
  CHECK(eq(t, 20, 0));

  // Bi collocated block: listCol = LN with N = collocated_from_l0 when a reference follows
  // the current picture (here L1 = {16, 16}); NoBackwardPred would pick list X instead.
  s.col.set(16, 16, 8, 8, make_bi(0, Mv{40, 0}, 0, Mv{-64, 0}));
  s.col.refs.num_ref[1] = 1;
  s.col.refs.ref_poc[1][0] = 24;  // colPocDiff L1 = 16 - 24 = -8
  CHECK(!s.refs.no_backward_pred());
  CHECK(temporal_mv(c, 0, 0, t));  // from_l0 = 0 -> L0 of col: 40 * dsf(8, 4) -> 20
  CHECK(eq(t, 20, 0));
  s.refs.collocated_from_l0 = true;
  CHECK(temporal_mv(c, 0, 0, t));  // L1 of col: -64, dsf(-8, 4) = -128 -> 32
  CHECK(eq(t, 32, 0));
}

void check_amvp() {
  Scene s;
  s.field.set_intra(0, 0, 64, 64);
  s.refs.ref_poc[1][1] = 4;  // L1[1] is the same picture as L0[0]
  MergeContext c = make_ctx(s, 16, 16, 16, 16);
  Mv out[2];
  // A1 uses L1 refIdx 1 (POC 4) -> matches target L0[0] (POC 4) through the other list.
  s.field.set(12, 28, 4, 4, make_uni(1, 1, Mv{5, -7}));
  s.field.set(28, 12, 4, 4, make_uni(0, 0, Mv{6, 0}));  // B1
  build_amvp_list(c, 0, 0, out);
  CHECK(eq(out[0], 4, -8));  // rounded to quarter samples
  CHECK(eq(out[1], 4, 0));
  // Target L0[1] (POC 0): neither matches -> zero MVs.
  build_amvp_list(c, 0, 1, out);
  CHECK(eq(out[0], 0, 0) && eq(out[1], 0, 0));
  // B equal to A (after rounding) is dropped; HMVP (oldest first, own list first) fills.
  s.field.set(28, 12, 4, 4, make_uni(0, 0, Mv{3, -9}));  // rounds to (4, -8)
  s.hmvp.update(make_bi(0, Mv{100, 2}, 1, Mv{-50, 0}));
  s.hmvp.update(make_uni(0, 0, Mv{7, 7}));
  build_amvp_list(c, 0, 0, out);
  CHECK(eq(out[0], 4, -8));
  CHECK(eq(out[1], 100, 0));  // oldest entry, L0 (POC 4): (100, 2) -> (100, 0), half -> 0
  // Integer MVD precision (AMVR): A1 (5, -7) -> (0, 0), B1 (3, -9) -> (0, -16), rounded before
  // they are compared, so both stay; four samples: both (0, 0), B dropped, HMVP (100, 2) -> 128.
  build_amvp_list(c, 0, 0, out, kAmvrShiftInteger);
  CHECK(eq(out[0], 0, 0));
  CHECK(eq(out[1], 0, -16));
  build_amvp_list(c, 0, 0, out, kAmvrShiftFour);
  CHECK(eq(out[0], 0, 0));
  CHECK(eq(out[1], 128, 0));
  // Target L1[1] (POC 4): A1 gives (4, -8), B1 the same (dropped); the oldest HMVP entry's
  // own-list (L1, refIdx 1 = POC 4) MV comes before its L0 one: (-50 + 2) >> 2 << 2 = -48.
  build_amvp_list(c, 1, 1, out);
  CHECK(eq(out[0], 4, -8));
  CHECK(eq(out[1], -48, 0));
  // MVD round trip and the 18-bit wrap of mvp + mvd.
  const Mv mv{1234 * 4, -77 * 4};
  CHECK(mv_from_mvd(out[0], mvd_for(mv, out[0])) == mv);
  CHECK(eq(mv_from_mvd(Mv{kMvMax - 3, 0}, Mv{1, 0}), kMvMin, 0));
  CHECK(eq(mv_from_mvd(Mv{kMvMin, 8}, Mv{-1, -2}), kMvMax - 3, 0));
}

// RefLists from the coding-structure plan: RA pictures with references on both sides are not
// NoBackwardPred, LDB pictures are; the collocated picture is an active reference.
void check_plan_refs() {
  for (GopConfig cfgc : {GopConfig::RandomAccess, GopConfig::LowDelayB}) {
    GopParams gp;
    gp.config = cfgc;
    gp.num_frames = 33;
    gp.intra_period = 32;
    const SequencePlan plan = plan_sequence(gp);
    int inter = 0;
    for (const PicturePlan& p : plan.pictures) {
      const RefLists r = make_ref_lists(p);
      CHECK_EQ(r.poc, p.poc);
      if (p.slice_type == SliceType::I) continue;
      ++inter;
      bool future = false;
      for (int l = 0; l < 2; ++l) {
        CHECK_EQ(r.num_ref[l], p.num_active[l]);
        for (int i = 0; i < r.num_ref[l]; ++i) {
          CHECK_EQ(r.ref_poc[l][i], p.rpl[l][i]);
          future |= r.ref_poc[l][i] > p.poc;
        }
      }
      CHECK_EQ(r.no_backward_pred(), !future);
      if (cfgc == GopConfig::LowDelayB) CHECK(r.no_backward_pred());
      if (r.tmvp) {
        CHECK(r.collocated_ref_idx < r.num_ref[r.col_list()]);
        CHECK(collocated_poc(r) != p.poc);
      }
    }
    CHECK(inter > 0);
  }
}

}  // namespace

int main() {
  check_plan_refs();
  check_mv_arithmetic();
  check_same_neighbours();
  check_order_and_pairwise();
  check_hmvp();
  check_small_block_restriction();
  check_temporal();
  check_amvp();
  TEST_MAIN_END();
}
