"""Split CNN data and training: tree replay known answers, decision rule, training end to end."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pytest

from vtm_accel.predictors.tree import (
    INTRA_LUMA,
    Node,
    Picture,
    ReplayError,
    Split,
    boundary_maps,
    choosable,
    ctu_roots,
    replay_tree,
    rule_modes,
    search_cost,
    split_score,
    valid_units,
)


def _lines(vert: list[tuple[int, int, int]], horz: list[tuple[int, int, int]]) -> np.ndarray:
    """Expected maps from explicit lines: vertical (col, row0, row1), horizontal (row, col0, col1)
    in 4x4 units, end exclusive; the CTU's left column and top row added."""
    m = np.zeros((2, 32, 32), np.uint8)
    for c, r0, r1 in vert:
        m[0, r0:r1, c] = 1
    for r, c0, c1 in horz:
        m[1, r, c0:c1] = 1
    m[0, :, 0] = 1
    m[1, 0, :] = 1
    return m


def test_replay_full_ctu_known_maps() -> None:
    pic = Picture(128, 128)
    # implicit QT; quadrant 0 not split; quadrant 1: QT -> [none, BT_V(none, none),
    # TT_H(none, none, none), none]; quadrants 2, 3 not split.
    splits = [1, 0, 1, 0, 3, 0, 0, 4, 0, 0, 0, 0, 0, 0]
    tree = replay_tree(splits, 0, 0, pic, slice_type=2)
    assert len(tree.nodes) == len(splits) - 1
    got = boundary_maps(tree, 0, 0)
    want = _lines(
        vert=[(16, 0, 32), (24, 0, 16), (28, 0, 8)],
        horz=[(16, 0, 32), (8, 16, 32), (10, 16, 24), (14, 16, 24)],
    )
    np.testing.assert_array_equal(got, want)


def test_replay_picture_boundary_known_maps() -> None:
    # 72x72 picture: the CTU's quadrants 1-3 cross the picture edge; nodes outside are skipped.
    pic = Picture(72, 72)
    splits = [1, 0]  # implicit QT, quadrant 0 none
    splits += [1, 3, 3, 0, 1, 1, 0, 0, 1, 0, 0]  # quadrant 1 (x 64..127, 8 columns inside)
    splits += [1, 2, 2, 0, 2, 2, 0]  # quadrant 2 (y 64..127, 8 rows inside)
    splits += [1, 1, 1, 0]  # quadrant 3 (both edges)
    tree = replay_tree(splits, 0, 0, pic, slice_type=2)
    got = boundary_maps(tree, 0, 0)
    v = valid_units(0, 0, pic)
    assert v.sum() == 18 * 18
    want = _lines(
        vert=[(16, 0, 18), (8, 16, 18)],
        horz=[(16, 0, 18), (8, 16, 18), (10, 16, 18), (12, 16, 18), (14, 16, 18)],
    )
    np.testing.assert_array_equal(got * v, want * v)


def test_replay_rejects_wrong_lists() -> None:
    pic = Picture(128, 128)
    with pytest.raises(ReplayError):  # BT is not allowed at 64x64 in intra luma (max BT 32)
        replay_tree([1, 3, 0, 0, 0, 0, 0], 0, 0, pic, slice_type=2)
    with pytest.raises(ReplayError):  # too short
        replay_tree([1, 0, 0, 0], 0, 0, pic, slice_type=2)
    with pytest.raises(ReplayError):  # left over entries
        replay_tree([1, 0, 0, 0, 0, 0], 0, 0, pic, slice_type=2)
    with pytest.raises(ReplayError):  # "none" outside the picture is not choosable
        replay_tree([1, 0, 0], 0, 0, Picture(72, 64), slice_type=2)


def test_rule_scores_and_pruning() -> None:
    pic = Picture(128, 128)
    prob = np.zeros((2, 32, 32), np.float32)
    prob[0, 0:16, 8] = 1.0  # a vertical line through the middle of the first quadrant
    root = ctu_roots(0, 0, pic, True, False)[0]
    assert split_score(prob, root, Split.QT, 0, 0) == pytest.approx(0.5)
    kids = {Node(0, 0, 32, 32, 2, 0, 0, 0, Split.QT)}
    n = next(iter(kids))
    assert split_score(prob, n, Split.BT_V, 0, 0) == pytest.approx(0.0)
    prob[0, 0:8, 4] = 1.0
    assert split_score(prob, n, Split.BT_V, 0, 0) == pytest.approx(1.0)
    assert split_score(prob, n, Split.BT_H, 0, 0) == pytest.approx(0.0)
    # QT: its vertical half-line is all 1, its horizontal one all 0 -> 0.5.
    assert rule_modes(prob, n, pic, INTRA_LUMA, 0.6, 0, 0) == {Split.NONE, Split.BT_V}
    modes = rule_modes(prob, n, pic, INTRA_LUMA, 0.3, 0, 0)
    assert modes == {Split.NONE, Split.BT_V, Split.QT}
    assert rule_modes(prob, n, pic, INTRA_LUMA, 0.0, 0, 0) == choosable(n, pic, INTRA_LUMA)
    full = search_cost([root], pic, INTRA_LUMA, lambda node, ch: ch)
    none_only = search_cost([root], pic, INTRA_LUMA, lambda node, ch: {Split.NONE})
    assert none_only == 64 * 64 and full > 20 * none_only


def test_train_command_tiny(tmp_path: Path, engine_exe: Path) -> None:
    from vtm_accel.cli import main
    from vtm_accel.predictors.model import load_predictor

    out = tmp_path / "w" / "split_cnn.pt"
    rc = main(["train", "all", "--tiny", "--work", str(tmp_path / "work"), "--out", str(out),
               "--engine", str(engine_exe)])  # fmt: skip
    assert rc == 0
    assert out.exists() and out.stat().st_size < 1_000_000
    rec = json.loads(out.with_suffix(".json").read_text())
    assert rec["training"]["epochs"] == 1
    assert rec["data"]["entries"] and rec["git_commit"]
    assert set(rec["metrics"]["cnn"]["maps"]) == {"luma_v", "luma_h", "chroma_v", "chroma_h"}
    assert len(rec["metrics"]["cnn"]["rule"]) >= 6 and "baseline" in rec["metrics"]
    assert list((tmp_path / "work" / "data" / "train").glob("*_qp32.npz"))

    pred = load_predictor(out)
    rng = np.random.default_rng(0)
    luma = rng.integers(0, 1024, (3, 128, 128), dtype=np.uint16)
    maps = pred.predict(luma, np.array([22, 32, 37]), np.array([2, 2, 1]), None)
    assert maps.shape == (3, 4, 32, 32) and maps.dtype == np.uint8
    assert (maps[:, 0, :, 0] == 255).all() and (maps[:, 1, 0, :] == 255).all()
    assert (maps[:2, 0, :, 16] == 255).all()  # implicit 64x64 lines of I slices


def test_rule_boundary_fallback_is_best_split() -> None:
    pic = Picture(72, 128)  # quadrant 1 of the first CTU crosses the right picture edge
    prob = np.zeros((2, 32, 32), np.float32)
    n = Node(64, 0, 32, 32, 2, 0, 0, 0, Split.QT)
    assert choosable(n, pic, INTRA_LUMA) == {Split.QT, Split.BT_V}
    prob[0, 0:8, 20] = 0.3  # BT_V line: 0.3; QT: half of it on its vertical line -> 0.15
    assert rule_modes(prob, n, pic, INTRA_LUMA, 0.5, 0, 0) == {Split.BT_V}
    assert rule_modes(prob, n, pic, INTRA_LUMA, 0.1, 0, 0) == {Split.QT, Split.BT_V}
    prob[:] = 0.0  # ties: the lowest mode number
    assert rule_modes(prob, n, pic, INTRA_LUMA, 0.5, 0, 0) == {Split.QT}


def test_shipped_weights_load_and_predict() -> None:
    from vtm_accel.predictors.model import load_predictor, model_record
    from vtm_accel.training.dataset import ClipSpec, ctu_luma, load_clip
    from vtm_accel.training.train import DEFAULT_OUT

    assert DEFAULT_OUT.exists() and DEFAULT_OUT.stat().st_size < 1_000_000
    rec = model_record(DEFAULT_OUT)
    assert rec["git_commit"] and rec["data"]["entries"] and rec["metrics"]["cnn"]["maps"]
    pred = load_predictor(DEFAULT_OUT, device="cpu")
    frame = load_clip(ClipSpec("photo", None, "astronaut", 256, 128), 1)[0]
    luma = ctu_luma(frame.y, 256, 128)
    maps = pred.predict(luma, np.full(2, 37), np.full(2, 2))
    flat = pred.predict(np.full((2, 128, 128), 512, np.uint16), np.full(2, 37), np.full(2, 2))
    assert maps.shape == (2, 4, 32, 32) and maps.dtype == np.uint8
    # A real photo has more predicted inner boundaries than a flat CTU at the same QP.
    inner = (slice(None), slice(None), slice(1, 32), slice(1, 32))
    assert maps[inner].astype(float).mean() > flat[inner].astype(float).mean()


def test_clip_sets_are_disjoint_from_held_out_and_validation(tmp_path: Path) -> None:
    """gen-data --clip-set extra: its regions never overlap the held-out benchmark clips or
    the rule's validation clips, nor each other, and names stay unique (they name the files)."""
    from vtm_accel.core import HarnessError
    from vtm_accel.training.dataset import (
        DEFAULT_REAL,
        EXTRA_REAL,
        HELD_OUT,
        find_real_clips,
    )

    for name in {e[0] for e in DEFAULT_REAL + EXTRA_REAL} | set(HELD_OUT):
        (tmp_path / name).touch()
    default = find_real_clips(tmp_path)
    extra = find_real_clips(tmp_path, clip_set="extra")
    held = find_real_clips(tmp_path, held_out=True)
    assert find_real_clips(tmp_path, held_out=True, clip_set="extra") == held
    assert len(extra) == len(EXTRA_REAL) and len(default) == len(DEFAULT_REAL)
    names = [s.name for s in default + extra + held]
    assert len(set(names)) == len(names)
    files = {s.path.name for s in default + extra if s.path is not None}
    bench_py = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_nn.py"
    tree = ast.parse(bench_py.read_text())
    bench_clips = next(
        ast.literal_eval(n.value)
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "DEFAULT_CLIPS"
    )
    not_trained = {r[0] for r in bench_clips} | {"basketballdrill_832x480_50_10bit.266"}
    assert set(HELD_OUT) <= not_trained and not files & not_trained
    # Two regions of one file share at most a quarter of their area (a 416x240 region of an
    # 832x480 clip cannot avoid its centre crop altogether).
    regions = [(s.path, s.crop_x, s.crop_y, s.width, s.height) for s in default + extra]
    for i, (p, x, y, w, h) in enumerate(regions):
        for q, x2, y2, w2, h2 in regions[i + 1 :]:
            if p == q:
                ox = max(0, min(x + w, x2 + w2) - max(x, x2))
                oy = max(0, min(y + h, y2 + h2) - max(y, y2))
                assert ox * oy <= w * h // 4, (p, x, y, x2, y2)
    with pytest.raises(HarnessError, match="unknown clip set"):
        find_real_clips(tmp_path, clip_set="nope")
