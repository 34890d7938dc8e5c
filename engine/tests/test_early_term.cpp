// Known answers for the early terminations of the inter split search (search/early_term.h):
// each rule fires exactly in its situation, and not when switched off.
#include "check.h"
#include "search/early_term.h"

using namespace vvc;

// EtNode{w, h, qt_depth, mtt_depth, level} below is aggregate initialisation.
namespace {

void test_qt_before_bt() {
  const EtNode n = EtNode{64, 64, 1, 0, 0};
  CHECK(et_qt_before_bt(n, 2, 2, 0, 8));    // both neighbours deeper
  CHECK(!et_qt_before_bt(n, 2, 1, 0, 8));   // above not deeper
  CHECK(et_qt_before_bt(n, 2, -1, 0, 8));   // only left, deeper
  CHECK(!et_qt_before_bt(n, -1, 1, 0, 8));  // only above, not deeper
  CHECK(et_qt_before_bt(n, -1, -1, 1, 8));  // none: 64 >= 32 << 1
  CHECK(!et_qt_before_bt(n, -1, -1, 2, 8));
  CHECK(!et_qt_before_bt(EtNode{16, 16, 3, 0, 0}, 4, 4, 0, 8));  // not wider than 2 * MinQt
  SplitMode order[5];
  et_split_order(true, order);
  CHECK(order[0] == SplitMode::kQt && order[4] == SplitMode::kTtV);
  et_split_order(false, order);
  CHECK(order[0] == SplitMode::kBtH && order[3] == SplitMode::kTtV && order[4] == SplitMode::kQt);
}

void test_skip_rules() {
  EtParams p;
  p.rules = ~0u;  // every rule (the default set is a subset)
  p.skip_mtt_depth = 2;
  EtNodeState s;
  s.nosplit_skip = true;
  // Skip history: two skip ancestors, or one at the top level.
  s.skip_score = 2;
  CHECK(!et_try_split(EtNode{32, 32, 2, 0, 2}, s, SplitMode::kBtH, p));
  s.skip_score = 1;
  CHECK(!et_try_split(EtNode{32, 32, 2, 0, 1}, s, SplitMode::kQt, p));
  CHECK(et_try_split(EtNode{32, 32, 2, 0, 2}, s, SplitMode::kQt, p));
  p.rules &= ~kEtSkipHistory;
  CHECK(et_try_split(EtNode{32, 32, 2, 0, 1}, s, SplitMode::kQt, p));
  // Skip CU at mtt depth >= 2: no split before any other split was tried.
  s.skip_score = 0;
  CHECK(!et_try_split(EtNode{16, 32, 2, 2, 3}, s, SplitMode::kBtH, p));
  CHECK(et_try_split(EtNode{32, 32, 2, 1, 3}, s, SplitMode::kBtH, p));
  s.split_tried = true;
  CHECK(et_try_split(EtNode{16, 32, 2, 2, 3}, s, SplitMode::kBtH, p));
  s = EtNodeState{};
  CHECK(et_try_split(EtNode{16, 32, 2, 2, 3}, s, SplitMode::kBtH, p));  // not skip
}

void test_qt_rules() {
  EtParams p;
  p.rules = ~0u;  // every rule (the default set is a subset)
  EtNodeState s;
  s.qt_before_bt = false;
  s.did_bt[0] = s.did_bt[1] = true;
  s.best_is_nosplit = true;
  CHECK(!et_try_split(EtNode{64, 64, 1, 0, 0}, s, SplitMode::kQt, p));
  CHECK(et_try_split(EtNode{128, 128, 0, 0, 0}, s, SplitMode::kQt, p));  // larger than 64
  s.best_is_nosplit = false;
  CHECK(et_try_split(EtNode{64, 64, 1, 0, 0}, s, SplitMode::kQt, p));  // a deeper split won
  s.best_children_unsplit = true;
  CHECK(!et_try_split(EtNode{64, 64, 1, 0, 0}, s, SplitMode::kQt, p));
  s.did_bt[1] = false;
  CHECK(et_try_split(EtNode{64, 64, 1, 0, 0}, s, SplitMode::kQt, p));
  // QT first and two levels deeper: no BT / TT.
  s = EtNodeState{};
  s.max_qt_sub_depth = 3;
  CHECK(!et_try_split(EtNode{64, 64, 1, 0, 0}, s, SplitMode::kBtV, p));
  CHECK(!et_try_split(EtNode{64, 64, 1, 0, 0}, s, SplitMode::kTtH, p));
  s.max_qt_sub_depth = 2;
  CHECK(et_try_split(EtNode{64, 64, 1, 0, 0}, s, SplitMode::kBtV, p));
}

void test_tt_rules() {
  EtParams p;
  p.rules = ~0u;  // every rule (the default set is a subset)
  const EtNode n = EtNode{32, 32, 2, 0, 1};
  EtNodeState s;
  s.cost_none = 100;
  s.did_bt[0] = true;
  s.cost_bt[0] = 105;
  s.best_is_nosplit = true;
  s.nosplit_residual = true;
  CHECK(et_try_split(n, s, SplitMode::kTtH, p));
  s.nosplit_residual = false;  // BT_H lost to a residual-free CU
  CHECK(!et_try_split(n, s, SplitMode::kTtH, p));
  CHECK(et_try_split(n, s, SplitMode::kTtV, p));  // BT_V not tried
  s.nosplit_residual = true;
  s.cost_bt[0] = 111;  // more than 1.1 x no split
  CHECK(!et_try_split(n, s, SplitMode::kTtH, p));
  s.cost_bt[0] = EtNodeState::kInf;  // cut off
  CHECK(!et_try_split(n, s, SplitMode::kTtH, p));
  p.rules &= ~kEtFastTtCutOff;
  CHECK(et_try_split(n, s, SplitMode::kTtH, p));
  s.cost_bt[0] = 90;
  s.did_bt[1] = true;
  s.cost_bt[1] = 80;  // BT_H more than 1.1 x BT_V
  CHECK(!et_try_split(n, s, SplitMode::kTtH, p));
  s.do_tt[1] = false;
  CHECK(!et_try_split(n, s, SplitMode::kTtV, p));
  // BT shape: TT worth trying only when an outer CU was split across the direction.
  CHECK(et_do_tt_after_bt(2, 16, 16, 16, false));
  CHECK(!et_do_tt_after_bt(3, 16, 16, 16, false));
  CHECK(et_do_tt_after_bt(3, 8, 16, 16, false));
  CHECK(et_do_tt_after_bt(3, 16, 16, 16, true));
}

void test_block_cache() {
  EtBlockCache c;
  c.reset();
  CHECK(!c.skip_or_intra(128 + 32, 64, 32, 16));
  c.note(128 + 32, 64, 32, 16, true, false);
  CHECK(c.skip_or_intra(32, 64, 32, 16));  // position inside the CTU
  CHECK(!c.skip_or_intra(32, 64, 16, 32));
  c.note(0, 0, 128, 128, false, false);
  CHECK(!c.skip_or_intra(0, 0, 128, 128));
  c.note(0, 0, 128, 128, false, true);
  CHECK(c.skip_or_intra(0, 0, 128, 128));
  c.reset();
  CHECK(!c.skip_or_intra(32, 64, 32, 16));
}

}  // namespace

int main() {
  test_qt_before_bt();
  test_skip_rules();
  test_qt_rules();
  test_tt_rules();
  test_block_cache();
  TEST_MAIN_END();
}
