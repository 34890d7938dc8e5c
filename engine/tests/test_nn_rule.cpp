// The CNN split decision rule (nn/split_rule.h): known scores on hand-made maps, thresholds,
// map selection per tree, the boundary fallback, and monotonicity over levels on random maps.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "check.h"
#include "nn/split_rule.h"

using namespace vvc;

namespace {

struct Maps {
  std::vector<uint8_t> v = std::vector<uint8_t>(kNnNumMaps * kNnMapSize * kNnMapSize, 0);
  uint8_t& at(int m, int i, int j) { return v[(m * kNnMapSize + i) * kNnMapSize + j]; }
  CtuMaps view() const { return CtuMaps{v.data()}; }
};

bool near(double a, double b) {
  return a > b - 1e-12 && a < b + 1e-12;
}

void test_scores() {
  Maps m;
  // Node (32, 64, 32, 16) in the CTU: BT_V line at x = 48 (column 12), rows 16..19.
  for (int i = 16; i < 20; ++i) m.at(0, i, 12) = 255;
  m.at(0, 16, 12) = 51;  // one segment at 0.2
  const CtuMaps v = m.view();
  CHECK(near(nn_split_score(v, 32, 64, 32, 16, TreeType::kDualLuma, SplitMode::kBtV),
             (51 + 3 * 255) / (255.0 * 4)));
  // BT_H: horizontal line at y = 72 (row 18), columns 8..15: all zero.
  CHECK(near(nn_split_score(v, 32, 64, 32, 16, TreeType::kDualLuma, SplitMode::kBtH), 0.0));
  for (int j = 8; j < 16; ++j) m.at(1, 18, j) = 102;  // 0.4
  CHECK(near(nn_split_score(v, 32, 64, 32, 16, TreeType::kDualLuma, SplitMode::kBtH), 0.4));
  // QT: mean over both lines (4 vertical + 8 horizontal segments).
  CHECK(near(nn_split_score(v, 32, 64, 32, 16, TreeType::kDualLuma, SplitMode::kQt),
             (51 + 3 * 255 + 8 * 102) / (255.0 * 12)));
  // TT_V: verticals at x = 40 and 56 (columns 10, 14): zero; then one of them full.
  CHECK(near(nn_split_score(v, 32, 64, 32, 16, TreeType::kDualLuma, SplitMode::kTtV), 0.0));
  for (int i = 16; i < 20; ++i) m.at(0, i, 14) = 255;
  CHECK(near(nn_split_score(v, 32, 64, 32, 16, TreeType::kDualLuma, SplitMode::kTtV), 0.5));
  // TT_H: horizontals at y = 68 and 76 (rows 17, 19).
  for (int j = 8; j < 16; ++j) m.at(1, 17, j) = 255;
  CHECK(near(nn_split_score(v, 32, 64, 32, 16, TreeType::kDualLuma, SplitMode::kTtH), 0.5));
  CHECK(near(nn_split_score(v, 32, 64, 32, 16, TreeType::kDualLuma, SplitMode::kNone), 1.0));
  // The chroma tree reads maps 2 and 3 (all zero here); the single tree reads maps 0 and 1.
  CHECK(near(nn_split_score(v, 32, 64, 32, 16, TreeType::kDualChroma, SplitMode::kBtV), 0.0));
  CHECK(near(nn_split_score(v, 32, 64, 32, 16, TreeType::kSingle, SplitMode::kBtH), 0.4));
  m.at(2, 16, 12) = 255;
  CHECK(near(nn_split_score(v, 32, 64, 32, 16, TreeType::kDualChroma, SplitMode::kBtV), 0.25));
}

void test_thresholds() {
  Maps m;
  // 64x64 node at (0, 0): BT_V line column 8 rows 0..15 at 0.10, BT_H row 8 at 0.05.
  for (int i = 0; i < 16; ++i) m.at(0, i, 8) = 26;  // 26/255 = 0.102
  for (int j = 0; j < 16; ++j) m.at(1, 8, j) = 13;  // 0.051
  const CtuMaps v = m.view();
  const SplitMask all = kAllSplits;
  CHECK_EQ(nn_splits_to_try(v, 0, 0, 64, 64, TreeType::kDualLuma, all, 0), all);
  const SplitMask none = split_bit(SplitMode::kNone);
  const SplitMask bv = split_bit(SplitMode::kBtV), bh = split_bit(SplitMode::kBtH);
  const SplitMask qt = split_bit(SplitMode::kQt);
  // QT score = (16*26 + 16*13) / (255*32) = 0.0765, BT_V 0.102, BT_H 0.051.
  CHECK_EQ(nn_splits_to_try(v, 0, 0, 64, 64, TreeType::kDualLuma, all, NnThresholds{0.04, 0.04}),
           none | bv | bh | qt);
  CHECK_EQ(nn_splits_to_try(v, 0, 0, 64, 64, TreeType::kDualLuma, all, NnThresholds{0.1, 0.1}),
           none | bv);
  CHECK_EQ(nn_splits_to_try(v, 0, 0, 64, 64, TreeType::kDualLuma, all, NnThresholds{0.2, 0.2}),
           none);
  // The level tables: level L answers like its explicit parameters (intra and inter tables).
  for (int inter = 0; inter < 2; ++inter)
    for (int l = 1; l <= kNnMaxLevel; ++l) {
      const NnThresholds th = nn_level_thresholds(l, inter);
      CHECK_EQ(nn_splits_to_try(v, 0, 0, 64, 64, TreeType::kDualLuma, all, l, inter),
               nn_splits_to_try(v, 0, 0, 64, 64, TreeType::kDualLuma, all, th));
    }
  // Exactly at the threshold counts as tried: 0.25 * 255 is not an integer, 0.40 * 255 = 102.
  Maps e;
  for (int i = 0; i < 16; ++i) e.at(0, i, 8) = 102;
  CHECK(has_split(nn_splits_to_try(e.view(), 0, 0, 64, 64, TreeType::kDualLuma, all, 5),
                  SplitMode::kBtV));
  // Only what is allowed is ever returned.
  CHECK_EQ(
      nn_splits_to_try(v, 0, 0, 64, 64, TreeType::kDualLuma, none | bh, NnThresholds{0.04, 0.04}),
      none | bh);
  // Boundary node ("no split" not allowed), nothing passes: the best-scoring allowed split.
  CHECK_EQ(nn_splits_to_try(v, 0, 0, 64, 64, TreeType::kDualLuma, qt | bh | bv, 5), bv);
  CHECK_EQ(nn_splits_to_try(v, 0, 0, 64, 64, TreeType::kDualLuma, qt | bh, 5), qt);
  Maps z;  // all zero: ties go to the lowest mode number
  CHECK_EQ(nn_splits_to_try(z.view(), 0, 0, 64, 64, TreeType::kDualLuma, bh | bv, 4), bh);
  // Thresholds rise with the level (TT's may stay level), margins and none-skip scores fall; an
  // active none-skip score is at least both thresholds (the best split then passes, so "no
  // split" is skipped at every higher level too: monotone).
  for (int inter = 0; inter < 2; ++inter)
    for (int l = 1; l <= kNnMaxLevel; ++l) {
      const NnThresholds a = nn_level_thresholds(l - 1, inter), b = nn_level_thresholds(l, inter);
      CHECK(b.split > a.split);
      CHECK(b.tt >= a.tt);
      CHECK(b.tt >= b.split);
      CHECK(b.margin <= a.margin);
      CHECK(b.margin > 0);
      CHECK(b.none_skip <= a.none_skip);
      if (b.none_skip <= 1) CHECK(b.none_skip >= b.split && b.none_skip >= b.tt);
    }
}

// Thresholds shrink with the slice QP above the reference QP of the picture's kind (the same
// factor at every level); margins and none-skip do not.
void test_qp_scale() {
  for (const bool inter : {false, true}) {
    const int ref = inter ? kNnInterQpRef : kNnIntraQpRef;
    const double halving = inter ? kNnInterQpHalving : kNnIntraQpHalving;
    CHECK(nn_qp_scale(ref, inter) == 1.0);
    CHECK(nn_qp_scale(ref - 10, inter) == 1.0);
    CHECK(near(nn_qp_scale(ref + 7, inter), std::exp2(-7 / halving)));
    for (int l = 1; l <= kNnMaxLevel; ++l) {
      const NnThresholds a = nn_level_thresholds(l, inter, 20);
      const NnThresholds b = nn_level_thresholds(l, inter, 40);
      CHECK(near(b.split, a.split * nn_qp_scale(40, inter)));
      CHECK(near(b.tt, a.tt * nn_qp_scale(40, inter)));
      CHECK(b.split < a.split);
      CHECK(b.margin == a.margin && b.none_skip == a.none_skip);
    }
  }
}

// The relative margin: only splits within m of the best one at the node are tried.
void test_margin() {
  Maps m;
  for (int i = 0; i < 16; ++i) m.at(0, i, 8) = 230;  // BT_V of the 64x64 node: 0.90
  for (int j = 0; j < 16; ++j) m.at(1, 8, j) = 128;  // BT_H: 0.50; QT: 0.70
  const CtuMaps v = m.view();
  const SplitMask none = split_bit(SplitMode::kNone), bv = split_bit(SplitMode::kBtV);
  const SplitMask bh = split_bit(SplitMode::kBtH), qt = split_bit(SplitMode::kQt);
  const SplitMask all = none | bv | bh | qt;
  CHECK_EQ(nn_splits_to_try(v, 0, 0, 64, 64, TreeType::kDualLuma, all, NnThresholds{0.1, 0.1}),
           all);
  CHECK_EQ(nn_splits_to_try(v, 0, 0, 64, 64, TreeType::kDualLuma, all, NnThresholds{0.1, 0.1, 0.3}),
           none | bv | qt);
  CHECK_EQ(nn_splits_to_try(v, 0, 0, 64, 64, TreeType::kDualLuma, all, NnThresholds{0.1, 0.1, 0.1}),
           none | bv);
  // The best split always passes the margin; without it (not allowed) the next best is best.
  CHECK_EQ(nn_splits_to_try(v, 0, 0, 64, 64, TreeType::kDualLuma, none | bh | qt,
                            NnThresholds{0.1, 0.1, 0.1}),
           none | qt);
}

// "No split" is skipped at nodes of at least 32x32 when the best split scores >= n.
void test_none_skip() {
  Maps m;
  for (int i = 0; i < 32; ++i) m.at(0, i, 16) = 242;  // BT_V of the 128x128 node: 0.95
  for (int i = 0; i < 4; ++i) m.at(0, i, 2) = 242;    // BT_V of the 16x16 node at (0, 0)
  const CtuMaps v = m.view();
  const SplitMask none = split_bit(SplitMode::kNone), bv = split_bit(SplitMode::kBtV);
  const SplitMask bh = split_bit(SplitMode::kBtH);
  const NnThresholds th{0.2, 0.3, 1.0, 0.9};
  CHECK_EQ(nn_splits_to_try(v, 0, 0, 128, 128, TreeType::kSingle, none | bv | bh, th), bv);
  CHECK_EQ(nn_splits_to_try(v, 0, 0, 128, 128, TreeType::kSingle, none | bv | bh,
                            NnThresholds{0.2, 0.3, 1.0, 0.96}),
           none | bv);
  // Small nodes always keep "no split".
  CHECK_EQ(nn_splits_to_try(v, 0, 0, 16, 16, TreeType::kSingle, none | bv | bh, th), none | bv);
}

// The dual-tree chroma tree is searched in full below kNnChromaMinLevel, pruned from it on; the
// luma tree of the same maps is pruned at every level >= 1.
void test_chroma_min_level() {
  Maps m;  // all boundaries at 0: every split fails every level's thresholds
  const CtuMaps v = m.view();
  const SplitMask none = split_bit(SplitMode::kNone);
  const SplitMask all = none | split_bit(SplitMode::kQt) | split_bit(SplitMode::kBtH) |
                        split_bit(SplitMode::kBtV) | split_bit(SplitMode::kTtH) |
                        split_bit(SplitMode::kTtV);
  for (int l = 1; l <= kNnMaxLevel; ++l) {
    CHECK_EQ(nn_splits_to_try(v, 0, 0, 32, 32, TreeType::kDualLuma, all, l), none);
    CHECK_EQ(nn_splits_to_try(v, 0, 0, 32, 32, TreeType::kDualChroma, all, l),
             l < kNnChromaMinLevel ? all : none);
  }
}

// TT has its own threshold: a TT line scoring like a passing BT line is still pruned.
void test_tt_threshold() {
  Maps m;
  for (int i = 0; i < 16; ++i) {
    m.at(0, i, 8) = 77;                   // BT_V of the 64x64 node at (0, 0): 0.30
    m.at(0, i, 4) = m.at(0, i, 12) = 77;  // TT_V lines: 0.30
  }
  const CtuMaps v = m.view();
  const SplitMask none = split_bit(SplitMode::kNone), bv = split_bit(SplitMode::kBtV);
  const SplitMask tv = split_bit(SplitMode::kTtV);
  const SplitMask allowed = none | bv | tv;
  CHECK_EQ(nn_splits_to_try(v, 0, 0, 64, 64, TreeType::kSingle, allowed, NnThresholds{0.2, 0.2}),
           allowed);
  CHECK_EQ(nn_splits_to_try(v, 0, 0, 64, 64, TreeType::kSingle, allowed, NnThresholds{0.2, 0.5}),
           none | bv);
  CHECK_EQ(nn_splits_to_try(v, 0, 0, 64, 64, TreeType::kSingle, allowed, NnThresholds{0.5, 0.5}),
           none);
  CHECK_EQ(nn_splits_to_try(v, 0, 0, 64, 64, TreeType::kSingle, allowed, NnThresholds{0, 0}),
           allowed);
}

// At every node, a higher level tries a subset of what a lower level tries.
void test_monotone_random(bool inter) {
  std::mt19937 rng(inter ? 11 : 7);
  Maps m;
  int checked = 0;
  for (int round = 0; round < 20; ++round) {
    // Low values with some high ones; every fourth round mostly high ones (the none-skip case).
    const unsigned lowShare = round % 4 == 3 ? 40 : 200;
    for (uint8_t& x : m.v)
      x = static_cast<uint8_t>(rng() % 256 < lowShare ? rng() % 60 : 200 + rng() % 56);
    const CtuMaps v = m.view();
    for (int log2w = 2; log2w <= 6; ++log2w) {
      for (int log2h = 2; log2h <= 6; ++log2h) {
        const int w = 1 << log2w, h = 1 << log2h;
        for (int k = 0; k < 8; ++k) {
          const int x = static_cast<int>(rng() % (128 / w)) * w;
          const int y = static_cast<int>(rng() % (128 / h)) * h;
          const SplitMask allowed = static_cast<SplitMask>(rng() % 64);
          const TreeType t = rng() % 2 ? TreeType::kDualLuma : TreeType::kDualChroma;
          const int qp = 22 + static_cast<int>(rng() % 24);  // inter: QP-scaled thresholds
          SplitMask prev = nn_splits_to_try(v, x, y, w, h, t, allowed, 0);
          CHECK_EQ(prev, allowed);
          for (int l = 1; l <= kNnMaxLevel; ++l) {
            const SplitMask cur = nn_splits_to_try(v, x, y, w, h, t, allowed, l, inter, qp);
            CHECK_EQ(cur & ~prev, 0);     // never more
            CHECK_EQ(cur & ~allowed, 0);  // never outside the allowed set
            CHECK(cur != 0 || allowed == 0);
            if (has_split(allowed, SplitMode::kNone) && (w < kNnNoneSkipMin || h < kNnNoneSkipMin))
              CHECK(has_split(cur, SplitMode::kNone));
            prev = cur;
            ++checked;
          }
        }
      }
    }
  }
  CHECK(checked == 20 * 25 * 8 * 5);
}

}  // namespace

int main() {
  test_scores();
  test_thresholds();
  test_tt_threshold();
  test_qp_scale();
  test_margin();
  test_none_skip();
  test_chroma_min_level();
  test_monotone_random(false);
  test_monotone_random(true);
  TEST_MAIN_END();
}
