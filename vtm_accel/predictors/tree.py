"""Coding-tree geometry in Python: the engine's split rules, tree replay and the decision rule.

This mirrors, for the CNN's data and offline evaluation, what the engine does in
``engine/src/partition/allowed_splits.cpp`` (H.266 6.4.1-6.4.3, children outside the picture not
visited, picture-boundary ``depthOffset``) and ``engine/src/picture/encode_picture.cpp`` with
``engine/src/search/tree_search.cpp`` (dual-tree I slices: the 128 CTU is implicitly split into
64x64 quadrants in z-order, logged as one ``1`` at the start of the CTU's split list; each
quadrant inside the picture is then searched as its own coding tree).

Split log semantics (one record per CTU and tree): the pre-order list of split modes of every
visited coding_tree node (0 none, 1 QT, 2 BT_H, 3 BT_V, 4 TT_H, 5 TT_V). Children are visited in
coding order: QT in z-order, BT top/left first, TT 1/4-1/2-1/4; children whose top-left corner lies
outside the picture (coded size) are not visited and have no entry.

Boundary maps (the CNN's target, see docs/dataset.md): per CTU, 32x32 units of 4x4 luma samples;
``vertical[i, j]`` = 1 when the left edge of unit (row i, col j) is a block boundary,
``horizontal[i, j]`` = 1 when its top edge is. The CTU's own left column / top row are always 1.

Decision rule (the engine's, reproduced for offline tuning): at speed level L with thresholds
t(L) (QT, BT) and t_tt(L) (TT), split S is tried at a node iff the mean predicted boundary
probability over the units on the new lines S introduces is >= its threshold; "no split" is
always tried; when nothing would remain (picture boundary), the best-scoring split is tried.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from enum import IntEnum
from pathlib import Path

import numpy as np

CTU = 128
UNIT = 4  # boundary-map granularity in luma samples
GRID = CTU // UNIT  # 32 units per CTU side
QUADRANT = 64  # dual-tree implicit split size

LEVELS_FILE = Path(__file__).with_name("nn_levels.def")


def _read_levels(path: Path) -> tuple[list[tuple[float, ...]], dict[str, float]]:
    """The rows of NN_LEVEL(...) and the NN_PARAM(name, value) pairs of the level table that
    the engine compiles in (engine/src/nn/split_rule.h includes the same file)."""
    rows: list[tuple[float, ...]] = []
    params: dict[str, float] = {}
    for line in path.read_text().splitlines():
        line = line.split("//", 1)[0].strip()
        for macro in ("NN_LEVEL(", "NN_PARAM("):
            if line.startswith(macro) and line.endswith(")"):
                fields = [f.strip() for f in line[len(macro) : -1].split(",")]
                if macro == "NN_LEVEL(":
                    if int(fields[0]) != len(rows):
                        raise ValueError(f"{path}: level {fields[0]} out of order")
                    rows.append(tuple(float(f) for f in fields[1:]))
                else:
                    params[fields[0]] = float(fields[1])
    return rows, params


# The engine's speed-level tables (level 0 = exhaustive): intra pictures and inter pictures; per
# level the QT/BT threshold t, TT's t_tt, the relative margin m and the none-skip score n (see
# rule_modes).
_ROWS, _PARAMS = _read_levels(LEVELS_FILE)
LEVEL_THRESHOLDS: tuple[float, ...] = tuple(r[0] for r in _ROWS)
LEVEL_TT_THRESHOLDS: tuple[float, ...] = tuple(r[1] for r in _ROWS)
LEVEL_MARGINS: tuple[float, ...] = tuple(r[2] for r in _ROWS)
LEVEL_NONE_SKIP: tuple[float, ...] = tuple(r[3] for r in _ROWS)
INTER_LEVEL_THRESHOLDS: tuple[float, ...] = tuple(r[4] for r in _ROWS)
INTER_LEVEL_TT_THRESHOLDS: tuple[float, ...] = tuple(r[5] for r in _ROWS)
INTER_LEVEL_MARGINS: tuple[float, ...] = tuple(r[6] for r in _ROWS)
INTER_LEVEL_NONE_SKIP: tuple[float, ...] = tuple(r[7] for r in _ROWS)
NONE_SKIP_MIN = int(_PARAMS["NoneSkipMin"])  # n applies to nodes at least this wide and high
CHROMA_MIN_LEVEL = int(_PARAMS["ChromaMinLevel"])  # the dual-tree chroma tree is pruned from here
# t and t_tt are scaled by min(1, 2^(-(QP - ref) / halving)), per kind of picture: the CNN sees
# fewer boundaries at high QP than the search picks.
INTER_QP_REF = int(_PARAMS["InterQpRef"])
INTER_QP_HALVING = _PARAMS["InterQpHalving"]
INTRA_QP_REF = int(_PARAMS["IntraQpRef"])
INTRA_QP_HALVING = _PARAMS["IntraQpHalving"]


def qp_scale(qp: int, inter: bool) -> float:
    """nn_qp_scale: the factor of an inter (P/B) or intra picture's thresholds at slice QP qp."""
    ref, halving = (INTER_QP_REF, INTER_QP_HALVING) if inter else (INTRA_QP_REF, INTRA_QP_HALVING)
    return 1.0 if qp <= ref else 2.0 ** (-(qp - ref) / halving)


@dataclass(frozen=True)
class RuleParams:
    """One level's parameters for one kind of picture (engine: NnThresholds)."""

    t: float = 0.0  # QT, BT
    tt: float = 0.0  # TT
    margin: float = 1.0  # split tried only if score >= best split score - margin
    none_skip: float = 2.0  # "no split" skipped at large nodes when the best split scores >= this


def level_params(level: int, inter: bool = False, qp: int = 0) -> RuleParams:
    """The engine's tables for a level (nn_level_thresholds), QP-scaled."""
    lv = min(max(level, 0), len(LEVEL_THRESHOLDS) - 1)
    f = qp_scale(qp, inter)
    if inter:
        return RuleParams(
            INTER_LEVEL_THRESHOLDS[lv] * f,
            INTER_LEVEL_TT_THRESHOLDS[lv] * f,
            INTER_LEVEL_MARGINS[lv],
            INTER_LEVEL_NONE_SKIP[lv],
        )
    return RuleParams(
        LEVEL_THRESHOLDS[lv] * f,
        LEVEL_TT_THRESHOLDS[lv] * f,
        LEVEL_MARGINS[lv],
        LEVEL_NONE_SKIP[lv],
    )


class Split(IntEnum):
    NONE = 0
    QT = 1
    BT_H = 2
    BT_V = 3
    TT_H = 4
    TT_V = 5


ALL_SPLITS = (Split.QT, Split.BT_H, Split.BT_V, Split.TT_H, Split.TT_V)


@dataclass(frozen=True)
class Limits:
    """Partition limits of one slice kind and tree (sizes in luma samples)."""

    min_qt: int
    max_mtt_depth: int
    max_bt: int
    max_tt: int
    min_cb: int = 4
    max_tb: int = 64


# EncoderConfig defaults (engine/src/bitstream/params.h).
INTRA_LUMA = Limits(8, 3, 32, 32)
INTRA_CHROMA = Limits(8, 3, 64, 32)
INTER = Limits(8, 3, 128, 64)


def limits_for(slice_type: int, chroma: bool) -> Limits:
    """slice_type: 0 B, 1 P, 2 I."""
    if slice_type == 2:
        return INTRA_CHROMA if chroma else INTRA_LUMA
    return INTER


@dataclass(frozen=True)
class Node:
    """coding_tree() arguments (luma sample units, also for the chroma tree)."""

    x: int
    y: int
    w: int
    h: int
    qt_depth: int = 0
    mtt_depth: int = 0
    depth_offset: int = 0
    part_idx: int = 0
    parent_split: Split = Split.QT
    chroma: bool = False


@dataclass(frozen=True)
class Picture:
    """Coded picture size (the source size padded up to a multiple of 8)."""

    width: int
    height: int


def coded_size(width: int, height: int) -> Picture:
    return Picture((width + 7) // 8 * 8, (height + 7) // 8 * 8)


def node_inside(n: Node, pic: Picture) -> bool:
    return n.x + n.w <= pic.width and n.y + n.h <= pic.height


def allowed_splits(n: Node, pic: Picture, lim: Limits) -> set[Split]:
    """allowSplitQt/BtHor/BtVer/TtHor/TtVer (6.4.1-6.4.3), as the engine computes them."""
    chroma = n.chroma
    cw, ch = n.w // 2, n.h // 2
    cross_r = n.x + n.w > pic.width
    cross_b = n.y + n.h > pic.height
    qt = n.w > lim.min_qt and n.mtt_depth == 0 and not (chroma and cw <= 4)
    max_mtt = lim.max_mtt_depth + n.depth_offset
    btv = bth = True
    if n.w <= lim.min_cb:
        btv = False
    if n.h <= lim.min_cb:
        bth = False
    if n.w > lim.max_bt or n.h > lim.max_bt or n.mtt_depth >= max_mtt:
        btv = bth = False
    if chroma and cw * ch <= 16:
        btv = bth = False
    if chroma and cw == 4:
        btv = False
    if cross_r:
        if n.h > lim.max_tb:
            btv = False
        if not cross_b:
            bth = False
        elif n.w > lim.min_qt:
            btv = bth = False
    if cross_b:
        btv = False
        if n.w > lim.max_tb:
            bth = False
    if n.mtt_depth > 0 and n.part_idx == 1:
        if n.parent_split == Split.TT_V:
            btv = False
        if n.parent_split == Split.TT_H:
            bth = False
    if n.w <= lim.max_tb and n.h > lim.max_tb:
        btv = False
    if n.w > lim.max_tb and n.h <= lim.max_tb:
        bth = False
    max_tt = min(lim.max_tt, lim.max_tb)
    ttv = n.w > 2 * lim.min_cb
    tth = n.h > 2 * lim.min_cb
    if n.w > max_tt or n.h > max_tt or n.mtt_depth >= max_mtt or cross_r or cross_b:
        ttv = tth = False
    if chroma and cw * ch <= 32:
        ttv = tth = False
    if chroma and cw == 8:
        ttv = False
    out = set()
    for ok, s in ((qt, Split.QT), (bth, Split.BT_H), (btv, Split.BT_V), (tth, Split.TT_H)):
        if ok:
            out.add(s)
    if ttv:
        out.add(Split.TT_V)
    return out


def choosable(n: Node, pic: Picture, lim: Limits) -> set[Split]:
    """Allowed splits plus NONE when the node lies inside the picture."""
    m = allowed_splits(n, pic, lim)
    if node_inside(n, pic):
        m.add(Split.NONE)
    return m


def split_children(n: Node, mode: Split, pic: Picture) -> list[Node]:
    """Children in coding order; those whose top-left lies outside the picture are left out."""
    if mode == Split.NONE:
        return []
    base = replace(n, parent_split=mode)
    if mode == Split.QT:
        base = replace(base, qt_depth=n.qt_depth + 1, mtt_depth=0, depth_offset=0)
        hw, hh = n.w // 2, n.h // 2
        parts = [(n.x, n.y, hw, hh), (n.x + hw, n.y, hw, hh)]
        parts += [(n.x, n.y + hh, hw, hh), (n.x + hw, n.y + hh, hw, hh)]
    else:
        off = n.depth_offset
        if mode == Split.BT_V and n.x + n.w > pic.width:
            off += 1
        if mode == Split.BT_H and n.y + n.h > pic.height:
            off += 1
        base = replace(base, mtt_depth=n.mtt_depth + 1, depth_offset=off)
        if mode == Split.BT_V:
            parts = [(n.x, n.y, n.w // 2, n.h), (n.x + n.w // 2, n.y, n.w // 2, n.h)]
        elif mode == Split.BT_H:
            parts = [(n.x, n.y, n.w, n.h // 2), (n.x, n.y + n.h // 2, n.w, n.h // 2)]
        elif mode == Split.TT_V:
            q = n.w // 4
            parts = [(n.x, n.y, q, n.h), (n.x + q, n.y, 2 * q, n.h), (n.x + 3 * q, n.y, q, n.h)]
        else:
            q = n.h // 4
            parts = [(n.x, n.y, n.w, q), (n.x, n.y + q, n.w, 2 * q), (n.x, n.y + 3 * q, n.w, q)]
    out = []
    for idx, (x, y, w, h) in enumerate(parts):
        if x >= pic.width or y >= pic.height:
            continue
        out.append(replace(base, x=x, y=y, w=w, h=h, part_idx=idx))
    return out


def ctu_roots(ctu_x: int, ctu_y: int, pic: Picture, dual_tree: bool, chroma: bool) -> list[Node]:
    """The coding_tree roots the engine searches in one CTU (after the implicit dual-tree QT)."""
    if not dual_tree:
        return [Node(ctu_x, ctu_y, CTU, CTU, 0, chroma=chroma)]
    roots = []
    for i in range(4):
        x = ctu_x + (i % 2) * QUADRANT
        y = ctu_y + (i // 2) * QUADRANT
        if x >= pic.width or y >= pic.height:
            continue
        roots.append(Node(x, y, QUADRANT, QUADRANT, 1, 0, 0, i, Split.QT, chroma))
    return roots


class ReplayError(ValueError):
    """A split list does not fit the tree the engine would have traversed."""


@dataclass
class TreeNodes:
    """Visited nodes of one CTU tree with the chosen mode of each (pre-order)."""

    nodes: list[Node] = field(default_factory=list)
    modes: list[Split] = field(default_factory=list)

    def leaves(self) -> Iterator[Node]:
        for n, m in zip(self.nodes, self.modes, strict=True):
            if m == Split.NONE:
                yield n


def replay_tree(
    splits: list[int],
    ctu_x: int,
    ctu_y: int,
    pic: Picture,
    slice_type: int = 2,
    chroma: bool = False,
    check: bool = True,
) -> TreeNodes:
    """Walk a CTU's pre-order split list exactly as the engine traversed it.

    For dual-tree I slices the list starts with the implicit QT (``1``); then each 64x64 quadrant
    inside the picture follows in z-order. ``check`` verifies every mode is choosable at its node.
    """
    dual = slice_type == 2
    lim = limits_for(slice_type, chroma)
    out = TreeNodes()
    pos = 0
    if dual:
        if not splits or splits[0] != Split.QT:
            raise ReplayError("dual-tree CTU split list must start with the implicit QT (1)")
        pos = 1

    def walk(n: Node) -> None:
        nonlocal pos
        if pos >= len(splits):
            raise ReplayError(f"split list too short at node {n}")
        mode = Split(splits[pos])
        pos += 1
        if check and mode not in choosable(n, pic, lim):
            raise ReplayError(f"mode {mode.name} not choosable at {n}")
        out.nodes.append(n)
        out.modes.append(mode)
        for c in split_children(n, mode, pic):
            walk(c)

    for root in ctu_roots(ctu_x, ctu_y, pic, dual, chroma):
        walk(root)
    if pos != len(splits):
        raise ReplayError(f"{len(splits) - pos} split entries left over")
    return out


def valid_units(ctu_x: int, ctu_y: int, pic: Picture) -> np.ndarray:
    """[32, 32] bool: units whose top-left sample lies inside the coded picture."""
    rows = ctu_y + UNIT * np.arange(GRID) < pic.height
    cols = ctu_x + UNIT * np.arange(GRID) < pic.width
    return rows[:, None] & cols[None, :]


def boundary_maps(tree: TreeNodes, ctu_x: int, ctu_y: int) -> np.ndarray:
    """uint8 [2, 32, 32]: (vertical-left-edge, horizontal-top-edge) boundary maps of the leaves."""
    m = np.zeros((2, GRID, GRID), np.uint8)
    for n in tree.leaves():
        x0, y0 = (n.x - ctu_x) // UNIT, (n.y - ctu_y) // UNIT
        x1 = min(GRID, x0 + n.w // UNIT)
        y1 = min(GRID, y0 + n.h // UNIT)
        m[0, y0:y1, x0] = 1
        m[1, y0, x0:x1] = 1
    m[0, :, 0] = 1
    m[1, 0, :] = 1
    return m


def split_lines(n: Node, mode: Split, ctu_x: int, ctu_y: int) -> list[tuple[int, slice, slice]]:
    """The new lines a split introduces: (map axis 0 vertical / 1 horizontal, rows, cols)."""
    x0, y0 = (n.x - ctu_x) // UNIT, (n.y - ctu_y) // UNIT
    w, h = n.w // UNIT, n.h // UNIT
    rows, cols = slice(y0, y0 + h), slice(x0, x0 + w)
    if mode == Split.QT:
        return [
            (0, rows, slice(x0 + w // 2, x0 + w // 2 + 1)),
            (1, slice(y0 + h // 2, y0 + h // 2 + 1), cols),
        ]
    if mode == Split.BT_V:
        return [(0, rows, slice(x0 + w // 2, x0 + w // 2 + 1))]
    if mode == Split.BT_H:
        return [(1, slice(y0 + h // 2, y0 + h // 2 + 1), cols)]
    if mode == Split.TT_V:
        return [(0, rows, slice(x0 + k, x0 + k + 1)) for k in (w // 4, 3 * w // 4)]
    if mode == Split.TT_H:
        return [(1, slice(y0 + k, y0 + k + 1), cols) for k in (h // 4, 3 * h // 4)]
    return []


def split_score(prob: np.ndarray, n: Node, mode: Split, ctu_x: int, ctu_y: int) -> float:
    """Mean probability along the split's new lines inside the node (prob: [2, 32, 32] in 0..1).

    As the engine computes it (engine/src/nn/split_rule.cpp): every 4-sample segment of the lines
    counts, also where a picture-boundary node extends past the picture.
    """
    vals = [prob[axis][r, c].ravel() for axis, r, c in split_lines(n, mode, ctu_x, ctu_y)]
    flat = np.concatenate(vals) if vals else np.zeros(0)
    return float(flat.mean()) if flat.size else 1.0


def rule_modes(
    prob: np.ndarray,
    n: Node,
    pic: Picture,
    lim: Limits,
    threshold: float | RuleParams,
    ctu_x: int,
    ctu_y: int,
    tt_threshold: float | None = None,
) -> set[Split]:
    """The modes the decision rule lets the search try at node n, with explicit parameters
    (a float: t, and TT against ``tt_threshold``, default t; no margin, no none-skip), as the
    engine's ``nn_splits_to_try(..., NnThresholds)``.

    A split passes iff its score >= its threshold and >= (best split score) - margin; "no split"
    is kept when choosable unless the node is at least NONE_SKIP_MIN wide and high and the best
    split scores >= none_skip (and passes). When nothing passes at a node where "no split" is not
    choosable (picture boundary), the split with the highest score is tried (ties: lowest mode
    number), as the engine does.
    """
    p = (
        threshold
        if isinstance(threshold, RuleParams)
        else RuleParams(threshold, threshold if tt_threshold is None else tt_threshold)
    )
    ch = choosable(n, pic, lim)
    scores = {s: split_score(prob, n, s, ctu_x, ctu_y) for s in ch if s != Split.NONE}
    keep = passing_modes(scores, Split.NONE in ch, n, p)
    if not keep and scores:
        keep = {max(sorted(scores), key=lambda s: scores[s])}
    return keep if keep else ch


def passing_modes(scores: dict[Split, float], none_ok: bool, n: Node, p: RuleParams) -> set[Split]:
    best_mode = max(sorted(scores), key=lambda s: scores[s]) if scores else None
    best = scores[best_mode] if best_mode is not None else -1.0
    keep = {
        s
        for s, v in scores.items()
        if v >= (p.tt if s in (Split.TT_H, Split.TT_V) else p.t) and v >= best - p.margin
    }
    if none_ok:
        skip = (
            n.w >= NONE_SKIP_MIN
            and n.h >= NONE_SKIP_MIN
            and best_mode is not None
            and best >= p.none_skip
            and best_mode in keep
        )
        if not skip:
            keep.add(Split.NONE)
    return keep


def level_rule_modes(
    prob: np.ndarray,
    n: Node,
    pic: Picture,
    lim: Limits,
    level: int,
    inter: bool,
    ctu_x: int,
    ctu_y: int,
    qp: int = 0,
) -> set[Split]:
    """The engine's rule at a speed level (``nn_splits_to_try(..., level, inter, qp)``), with the
    monotone picture-boundary fallback: when nothing passes, the best split of the highest lower
    level at which something passes. The chroma tree is not pruned below CHROMA_MIN_LEVEL."""
    ch = choosable(n, pic, lim)
    if level <= 0 or (n.chroma and level < CHROMA_MIN_LEVEL):
        return ch
    scores = {s: split_score(prob, n, s, ctu_x, ctu_y) for s in ch if s != Split.NONE}
    best = (lambda among: {max(sorted(among), key=lambda s: scores[s])}) if scores else None
    for lv in range(min(level, len(LEVEL_THRESHOLDS) - 1), 0, -1):
        keep = passing_modes(scores, Split.NONE in ch, n, level_params(lv, inter, qp))
        if keep:
            return keep if lv == level or best is None else best(keep)
    return best(set(scores)) if best is not None else ch


def search_cost(
    roots: list[Node],
    pic: Picture,
    lim: Limits,
    allow: Callable[[Node, set[Split]], set[Split]],
) -> float:
    """Work of a full RD search over the roots: the area of every CU evaluated (a proxy of CPU
    time), when ``allow(node, choosable)`` returns the modes tried at each node.

    Matches the engine's chroma restriction (no BT_H of 8-high, no TT_H of 16-high chroma nodes).
    """
    memo: dict[Node, float] = {}

    def cost(n: Node) -> float:
        if n in memo:
            return memo[n]
        ch = choosable(n, pic, lim)
        tried = allow(n, ch) & ch or ch
        if n.chroma:
            drop = {Split.BT_H} if n.h == 8 else {Split.TT_H} if n.h == 16 else set()
            if tried - drop:
                tried = tried - drop
        c = float(n.w * n.h) if Split.NONE in tried else 0.0
        for s in tried:
            if s != Split.NONE:
                c += sum(cost(k) for k in split_children(n, s, pic))
        memo[n] = c
        return c

    return sum(cost(r) for r in roots)
