// Known answers for the normative split rules (H.266 6.4.1-6.4.3, 7.3.9.4 / 7.4.11.4) and the
// split-log format.
#include <cmath>

#include "check.h"
#include "partition/allowed_splits.h"
#include "partition/split_oracle.h"
#include "rdo/lambda.h"

using namespace vvc;

namespace {

constexpr SplitMask kQt = split_bit(SplitMode::kQt);
constexpr SplitMask kBh = split_bit(SplitMode::kBtH);
constexpr SplitMask kBv = split_bit(SplitMode::kBtV);
constexpr SplitMask kTh = split_bit(SplitMode::kTtH);
constexpr SplitMask kTv = split_bit(SplitMode::kTtV);
constexpr SplitMask kNo = split_bit(SplitMode::kNone);

EncoderConfig config(int w, int h) {
  EncoderConfig c;
  c.width = w;
  c.height = h;
  return c;
}

TreeNode node(int x, int y, int w, int h, int qt, int mtt, TreeType t) {
  TreeNode n;
  n.x = x;
  n.y = y;
  n.w = w;
  n.h = h;
  n.qt_depth = qt;
  n.mtt_depth = mtt;
  n.tree = t;
  return n;
}

void test_luma_inside() {
  const EncoderConfig cfg = config(416, 240);
  const SplitLimits l = split_limits(cfg, SliceType::I, TreeType::kDualLuma);
  // 64x64: only QT (MaxBt = MaxTt = 32).
  CHECK_EQ(allowed_splits(node(0, 0, 64, 64, 1, 0, TreeType::kDualLuma), l), kQt);
  CHECK_EQ(choosable_modes(node(0, 0, 64, 64, 1, 0, TreeType::kDualLuma), l), kQt | kNo);
  // 32x32 at mtt 0: everything.
  CHECK_EQ(allowed_splits(node(0, 0, 32, 32, 2, 0, TreeType::kDualLuma), l),
           kQt | kBh | kBv | kTh | kTv);
  // 8x8: QT off (MinQt 8), TT off (<= 2 * MinCb), BT on.
  CHECK_EQ(allowed_splits(node(0, 0, 8, 8, 4, 0, TreeType::kDualLuma), l), kBh | kBv);
  // MTT depth 3 reached: nothing.
  CHECK_EQ(allowed_splits(node(0, 0, 16, 16, 2, 3, TreeType::kDualLuma), l), 0);
  // Under an MTT split no QT.
  CHECK_EQ(allowed_splits(node(0, 0, 32, 16, 2, 1, TreeType::kDualLuma), l) & kQt, 0);
  // 4x8: only BT_H (width 4 = MinCb).
  CHECK_EQ(allowed_splits(node(0, 0, 4, 8, 3, 2, TreeType::kDualLuma), l), kBh);
  // Middle part of a TT_V: no BT_V.
  TreeNode m = node(8, 0, 16, 32, 2, 1, TreeType::kDualLuma);
  m.part_idx = 1;
  m.parent_split = SplitMode::kTtV;
  CHECK_EQ(allowed_splits(m, l) & kBv, 0);
  CHECK(allowed_splits(m, l) & kBh);
}

void test_chroma() {
  const EncoderConfig cfg = config(416, 240);
  const SplitLimits l = split_limits(cfg, SliceType::I, TreeType::kDualChroma);
  // 64x64 luma = 32x32 chroma: QT and BT (MaxBt 64 for chroma), no TT (MaxTt 32).
  CHECK_EQ(allowed_splits(node(0, 0, 64, 64, 1, 0, TreeType::kDualChroma), l), kQt | kBh | kBv);
  // 8x8 luma = 4x4 chroma: nothing (16 chroma samples, width 4).
  CHECK_EQ(allowed_splits(node(0, 0, 8, 8, 3, 0, TreeType::kDualChroma), l), 0);
  // 16x16 luma = 8x8 chroma: QT, BT both, TT_H only (TT_V would give width-2 chroma).
  CHECK_EQ(allowed_splits(node(0, 0, 16, 16, 3, 0, TreeType::kDualChroma), l),
           kQt | kBh | kBv | kTh);
  // 8x16 luma = 4x8 chroma: no BT_V (chroma width 4), BT_H allowed (32 samples).
  CHECK_EQ(allowed_splits(node(0, 0, 8, 16, 3, 1, TreeType::kDualChroma), l), kBh);
}

void test_boundary() {
  const EncoderConfig cfg = config(416, 240);
  const SplitLimits l = split_limits(cfg, SliceType::I, TreeType::kDualLuma);
  // Crossing the bottom only, 64 wide: QT (BT_H needs width <= MaxBt 32).
  const TreeNode b = node(320, 192, 64, 64, 1, 0, TreeType::kDualLuma);
  CHECK(!node_inside(b, l));
  CHECK_EQ(choosable_modes(b, l), kQt);
  // 32x32 crossing the bottom (240 = 224 + 16): QT or BT_H, no vertical splits, no TT.
  CHECK_EQ(allowed_splits(node(0, 224, 32, 32, 2, 0, TreeType::kDualLuma), l), kQt | kBh);
  // Children outside the picture are dropped.
  TreeNode kids[4];
  CHECK_EQ(
      split_children(node(0, 224, 32, 32, 2, 0, TreeType::kDualLuma), SplitMode::kBtH, l, kids), 1);
  CHECK_EQ(kids[0].depth_offset, 1);
  CHECK_EQ(
      split_children(node(384, 192, 64, 64, 1, 0, TreeType::kDualLuma), SplitMode::kQt, l, kids),
      2);
  // 208x120 (202x118 padded): node (192, 64, 32, 64)... crossing right and bottom at 8-pel
  // granularity: QT until the blocks fit.
  const EncoderConfig c2 = config(208, 120);
  const SplitLimits l2 = split_limits(c2, SliceType::I, TreeType::kDualLuma);
  CHECK_EQ(allowed_splits(node(192, 64, 32, 32, 2, 0, TreeType::kDualLuma), l2) & kTv, 0);
  CHECK(allowed_splits(node(192, 96, 32, 32, 2, 0, TreeType::kDualLuma), l2) & kQt);
}

void test_mode_type() {
  const EncoderConfig cfg = config(416, 240);
  const SplitLimits l = split_limits(cfg, SliceType::B, TreeType::kSingle);
  TreeNode n = node(0, 0, 8, 4, 3, 1, TreeType::kSingle);
  CHECK(allowed_splits(n, l) & kBv);
  n.mode_type = ModeType::kInter;
  CHECK_EQ(allowed_splits(n, l) & (kBv | kBh), 0);  // 32 samples: no 4x4 inter
  TreeNode t = node(0, 0, 16, 4, 3, 1, TreeType::kSingle);
  CHECK(allowed_splits(t, l) & kTv);
  t.mode_type = ModeType::kInter;
  CHECK_EQ(allowed_splits(t, l) & kTv, 0);  // 64 samples
  TreeNode c = node(0, 0, 16, 16, 3, 0, TreeType::kDualChroma);
  c.mode_type = ModeType::kIntra;
  CHECK_EQ(allowed_splits(c, split_limits(cfg, SliceType::B, TreeType::kDualChroma)), 0);
  TreeNode kids[4];
  CHECK_EQ(split_children(t, SplitMode::kBtV, l, kids), 2);
  CHECK(kids[1].mode_type == ModeType::kInter);
}

void test_syntax() {
  const SplitMask all = kQt | kBh | kBv | kTh | kTv;
  SplitSyntax s = split_syntax(SplitMode::kNone, all, true);
  CHECK(s.split_cu_present && !s.split_cu);
  s = split_syntax(SplitMode::kTtV, all, true);
  CHECK(s.qt_present && !s.qt && s.vertical_present && s.vertical && s.binary_present && !s.binary);
  s = split_syntax(SplitMode::kQt, kQt, true);
  CHECK(s.split_cu_present && s.split_cu && !s.qt_present && s.qt);
  s = split_syntax(SplitMode::kBtH, kQt | kBh, false);
  CHECK(!s.split_cu_present && s.qt_present && !s.qt && !s.vertical_present && !s.vertical &&
        !s.binary_present && s.binary);
}

void test_log() {
  CtuTreeRecord r;
  r.poc = 3;
  r.x = 128;
  r.y = 0;
  r.qp = 32;
  r.tree = TreeType::kDualChroma;
  r.splits = {1, 0, 5, 0, 0, 0};
  CHECK(LoggingOracle::to_json(r) ==
        "{\"poc\":3,\"x\":128,\"y\":0,\"qp\":32,\"slice_type\":\"I\",\"tree\":\"chroma\","
        "\"splits\":[1,0,5,0,0,0]}");
}

void test_lambda() {
  // All-intra (GOP size 1): 0.57 * 2^(QP / 3) at 10 bits (VTM EncSlice lambda).
  CHECK(std::fabs(slice_lambda(32, SliceType::I) - 0.57 * std::pow(2.0, 32 / 3.0)) < 1e-9);
  CHECK(std::fabs(slice_lambda(22, SliceType::I) - 91.924) < 0.01);
  // Intra picture of a GOP of 32 (no LambdaFromQp): factor 0.57 * 0.5.
  CHECK(std::fabs(slice_lambda(22, SliceType::I, 32) - 45.962) < 0.01);
  EncoderConfig cfg;
  cfg.width = cfg.height = 64;
  const RdLambdas l = make_lambdas(cfg, 32, SliceType::I);
  // CTC chroma QP table: QpC(32) = 33 -> weight 2^(-1/3).
  CHECK(std::fabs(l.chroma_weight[1] - std::pow(2.0, -1.0 / 3.0)) < 1e-9);
  CHECK(std::fabs(l.comp_lambda[2] * l.chroma_weight[2] - l.lambda) < 1e-9);
  CHECK(std::fabs(l.sqrt_lambda * l.sqrt_lambda - l.lambda) < 1e-9);
}

}  // namespace

int main() {
  test_lambda();
  test_luma_inside();
  test_chroma();
  test_boundary();
  test_mode_type();
  test_syntax();
  test_log();
  TEST_MAIN_END();
}
