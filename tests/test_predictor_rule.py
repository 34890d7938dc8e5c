"""The decision rule's Python mirror (vtm_accel/predictors/tree.py) against the engine's
(engine/src/nn/split_rule.{h,cpp}): one level table, the same answers on hand-made maps (the
cases of engine/tests/test_nn_rule.cpp), and monotone over the levels on random maps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vtm_accel.predictors import tree
from vtm_accel.predictors.tree import (
    INTER,
    INTRA_LUMA,
    Node,
    Picture,
    RuleParams,
    Split,
    choosable,
    level_params,
    level_rule_modes,
    rule_modes,
)


def test_level_table_is_read_from_the_file_the_engine_compiles(tmp_path: Path) -> None:
    """One source: nn_levels.def, which engine/src/nn/split_rule.h includes (CMake puts its
    folder on the engine's include path) and tree.py parses; levels in order, all of them."""
    cmake = (Path(__file__).resolve().parents[1] / "engine/CMakeLists.txt").read_text()
    assert "vtm_accel/predictors" in cmake and tree.LEVELS_FILE.parent.name == "predictors"
    rows, params = tree._read_levels(tree.LEVELS_FILE)
    assert len(rows) == len(tree.LEVEL_THRESHOLDS) == 6 and all(len(r) == 8 for r in rows)
    assert tree.NONE_SKIP_MIN == params["NoneSkipMin"] and tree.CHROMA_MIN_LEVEL == 5
    bad = tmp_path / "levels.def"
    bad.write_text("NN_LEVEL(0, 0, 0, 1, 2, 0, 0, 1, 2)\nNN_LEVEL(2, 0, 0, 1, 2, 0, 0, 1, 2)\n")
    with pytest.raises(ValueError, match="out of order"):
        tree._read_levels(bad)


def test_qp_scale() -> None:
    for inter in (False, True):
        ref = tree.INTER_QP_REF if inter else tree.INTRA_QP_REF
        half = tree.INTER_QP_HALVING if inter else tree.INTRA_QP_HALVING
        assert tree.qp_scale(ref - 5, inter) == 1.0 and tree.qp_scale(ref, inter) == 1.0
        assert abs(tree.qp_scale(ref + 7, inter) - 2.0 ** (-7 / half)) < 1e-12
        for lv in range(1, len(tree.LEVEL_THRESHOLDS)):
            a, b = level_params(lv, inter, ref), level_params(lv, inter, ref + 7)
            assert abs(b.t - a.t * tree.qp_scale(ref + 7, inter)) < 1e-12 and b.t < a.t
            assert b.margin == a.margin and b.none_skip == a.none_skip


def test_tables_monotone() -> None:
    for inter in (False, True):
        for lv in range(1, len(tree.LEVEL_THRESHOLDS)):
            a, b = level_params(lv - 1, inter), level_params(lv, inter)
            assert b.t > a.t and b.tt >= a.tt and b.tt >= b.t
            assert 0 < b.margin <= a.margin and b.none_skip <= a.none_skip
            if b.none_skip <= 1:
                assert b.none_skip >= max(b.t, b.tt)


def _prob() -> np.ndarray:
    return np.zeros((2, 32, 32))


def test_margin_known_answer() -> None:
    p = _prob()
    p[0, 0:16, 8] = 230 / 255  # BT_V of the 64x64 node at (0, 0): 0.90
    p[1, 8, 0:16] = 128 / 255  # BT_H: 0.50, QT: 0.70
    pic = Picture(128, 128)
    n = Node(0, 0, 64, 64, 1)
    ch = choosable(n, pic, INTER)
    assert {Split.QT, Split.BT_H, Split.BT_V, Split.NONE} <= ch
    got = rule_modes(p, n, pic, INTER, RuleParams(0.1, 0.1, 0.3), 0, 0)
    assert got == {Split.NONE, Split.BT_V, Split.QT}
    got = rule_modes(p, n, pic, INTER, RuleParams(0.1, 0.1, 0.1), 0, 0)
    assert got == {Split.NONE, Split.BT_V}


def test_none_skip_known_answer() -> None:
    p = _prob()
    p[0, :, 16] = 242 / 255  # BT_V of the 128x128 node: 0.95
    p[0, 0:4, 2] = 242 / 255  # BT_V of the 16x16 node at (0, 0)
    pic = Picture(256, 256)
    root = Node(0, 0, 128, 128, 0)
    # QT: half its lines at 0.95 -> 0.475, passes t; "no split" skipped (BT_V 0.95 >= 0.9).
    got = rule_modes(p, root, pic, INTER, RuleParams(0.2, 0.3, 1.0, 0.9), 0, 0)
    assert got == {Split.QT, Split.BT_V}
    got = rule_modes(p, root, pic, INTER, RuleParams(0.2, 0.3, 0.3, 0.9), 0, 0)
    assert got == {Split.BT_V}
    got = rule_modes(p, root, pic, INTER, RuleParams(0.2, 0.3, 1.0, 0.96), 0, 0)
    assert got == {Split.NONE, Split.QT, Split.BT_V}
    small = Node(0, 0, 16, 16, 3)
    got = rule_modes(p, small, pic, INTRA_LUMA, RuleParams(0.2, 0.3, 1.0, 0.9), 0, 0)
    assert Split.NONE in got and Split.BT_V in got


def test_levels_monotone_random() -> None:
    rng = np.random.default_rng(3)
    pic = Picture(256, 256)
    nodes = [
        Node(0, 0, 128, 128, 0),
        Node(64, 0, 64, 64, 1),
        Node(32, 32, 32, 32, 2),
        Node(0, 64, 32, 64, 1, 1, parent_split=Split.BT_V),
        Node(16, 16, 16, 16, 3),
        Node(8, 0, 8, 32, 2, 2, parent_split=Split.BT_V),
    ]
    checked = 0
    for r in range(30):
        low = 0.85 if r % 3 else 0.2  # some rounds mostly high scores (none-skip)
        p = np.where(rng.random((2, 32, 32)) < low, rng.random((2, 32, 32)) * 0.25, 0.8)
        p = p + np.where(p >= 0.8, rng.random((2, 32, 32)) * 0.2, 0)
        qp = 22 + (r % 4) * 6  # 22..40: the inter thresholds' QP scaling
        for inter in (False, True):
            lim = INTER if inter else INTRA_LUMA
            for n in nodes:
                prev = choosable(n, pic, lim)
                for lv in range(1, len(tree.LEVEL_THRESHOLDS)):
                    cur = level_rule_modes(p, n, pic, lim, lv, inter, 0, 0, qp)
                    assert cur <= prev and cur
                    if min(n.w, n.h) < tree.NONE_SKIP_MIN and Split.NONE in prev:
                        assert Split.NONE in cur
                    prev = cur
                    checked += 1
    assert checked == 30 * 2 * len(nodes) * (len(tree.LEVEL_THRESHOLDS) - 1)
