"""Offline evaluation of split predictors on a dataset (the CNN and the baseline alike).

Two views:
- classification quality per map (luma V/H, chroma V/H): precision / recall / F1 at 0.5 and ROC
  AUC over the valid units, the CTU's own left column / top row excluded (always boundaries);
- the decision rule replayed on the exhaustive search's trees, per threshold: ``miss`` = share of
  the chosen splits (nodes of the coded trees) that the rule would have pruned, ``tree_kept`` =
  share of coding trees (64x64 quadrants) whose whole coded tree stays reachable, ``pruned`` =
  share of the candidate splits at the coded trees' nodes that the rule prunes, and ``work`` =
  estimated search work (area of all CU evaluations, ``tree.search_cost``) relative to the
  exhaustive search, on a subsample of CTUs. ``work`` is a proxy of the CPU time at that level;
  the real numbers come from benchmarks/bench_nn.py through the engine.

``RuleReplay`` does the same for the engine's full rule (``tree.RuleParams``: thresholds, the
relative margin, the none-skip) fast enough to sweep many parameter sets: scores are computed
once; misses count every decision of the coded trees ("no split" included, also area-weighted),
search work counts node visits (the engine's ``nodes``) and CU-evaluation area.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import NamedTuple

import numpy as np

from vtm_accel.predictors.tree import (
    LEVEL_THRESHOLDS,
    Limits,
    Node,
    Picture,
    RuleParams,
    Split,
    choosable,
    ctu_roots,
    limits_for,
    passing_modes,
    replay_tree,
    rule_modes,
    search_cost,
    split_children,
    split_score,
)
from vtm_accel.training.dataset import Examples

# Thresholds beyond the engine's table, evaluated offline to help tune it.
EXTRA_THRESHOLDS = (0.5, 0.6, 0.7, 0.8)

MAP_NAMES = ("luma_v", "luma_h", "chroma_v", "chroma_h")

ProbaFn = Callable[[Examples], np.ndarray]  # -> float [N, 4, 32, 32] in 0..1


@dataclass
class MapMetrics:
    precision: float
    recall: float
    f1: float
    auc: float
    positives: float  # share of positive units


@dataclass
class RuleMetrics:
    threshold: float
    miss: float
    tree_kept: float
    pruned: float
    work: float


class _CtuTree(NamedTuple):
    """One coding tree of one dataset CTU: its picture, slice type, origin, tree limits and the
    predicted boundary maps of that tree (luma / single tree: maps 0-1, chroma: maps 2-3)."""

    i: int
    pic: Picture
    st: int
    cx: int
    cy: int
    chroma: bool
    lim: Limits
    pr: np.ndarray


def _ctu_trees(prob: np.ndarray, ex: Examples, indices: Iterable[int]) -> Iterator[_CtuTree]:
    """The coding trees of CTUs ``indices``: luma and chroma in I slices (dual tree), else one."""
    for i in indices:
        pic = Picture(int(ex.pic_w[i]), int(ex.pic_h[i]))
        st = int(ex.slice_type[i])
        cx, cy = int(ex.ctu_x[i]), int(ex.ctu_y[i])
        for chroma in (False, True) if st == 2 else (False,):
            pr = prob[i, 2:4] if chroma else prob[i, 0:2]
            yield _CtuTree(i, pic, st, cx, cy, chroma, limits_for(st, chroma), pr)


def loss_mask(ex: Examples) -> np.ndarray:
    """bool [N, 4, 32, 32]: units that count (valid, CTU left column / top row excluded)."""
    m = np.repeat(ex.valid[:, None].astype(bool), 4, axis=1)
    m[:, 0::2, :, 0] = False
    m[:, 1::2, 0, :] = False
    return m


def map_metrics(prob: np.ndarray, ex: Examples) -> dict[str, MapMetrics]:
    from sklearn.metrics import roc_auc_score

    mask = loss_mask(ex)
    out = {}
    for k, name in enumerate(MAP_NAMES):
        y = ex.target[:, k][mask[:, k]].astype(bool)
        p = prob[:, k][mask[:, k]]
        pred = p >= 0.5
        tp = float((pred & y).sum())
        prec = tp / max(1.0, float(pred.sum()))
        rec = tp / max(1.0, float(y.sum()))
        f1 = 2 * prec * rec / max(1e-9, prec + rec)
        auc = float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else float("nan")
        out[name] = MapMetrics(prec, rec, f1, auc, float(y.mean()) if len(y) else 0.0)
    return out


def rule_metrics(
    prob: np.ndarray,
    ex: Examples,
    thresholds: tuple[float, ...] = LEVEL_THRESHOLDS + EXTRA_THRESHOLDS,
    work_ctus: int = 8,
    seed: int = 0,
    tt_thresholds: tuple[float, ...] | None = None,
) -> list[RuleMetrics]:
    """Replay the decision rule on the dataset's coded trees (see the module docstring).
    ``tt_thresholds[k]``: TT's threshold with ``thresholds[k]`` (default: the same)."""
    tts = tt_thresholds or thresholds
    n = len(ex)
    rng = np.random.default_rng(seed)
    work_idx = set(rng.choice(n, size=min(n, work_ctus), replace=False).tolist())
    res = []
    # Per CTU and tree: the scores of the chosen split and of the other candidates.
    chosen_scores: list[float] = []
    cand_scores: list[float] = []
    chosen_tt: list[bool] = []
    cand_tt: list[bool] = []
    is_tt: list[bool] = []
    tree_min: list[float] = []  # per coding tree: the lowest chosen-split score (1 if none)
    for i, pic, st, cx, cy, chroma, lim, pr in _ctu_trees(prob, ex, range(n)):
        tree = replay_tree(ex.split_list(i, chroma), cx, cy, pic, st, chroma, check=False)
        roots = set(ctu_roots(cx, cy, pic, st == 2, chroma))
        cur_min = None
        for node, mode in zip(tree.nodes, tree.modes, strict=True):
            if node in roots:
                if cur_min is not None:
                    tree_min.append(cur_min)
                cur_min = 1.0
            for s in choosable(node, pic, lim):
                if s == Split.NONE:
                    continue
                sc = split_score(pr, node, s, cx, cy)
                is_tt.append(s in (Split.TT_H, Split.TT_V))
                if s == mode:
                    chosen_scores.append(sc)
                    chosen_tt.append(is_tt[-1])
                    # A boundary-forced split (NONE not choosable) is never pruned away.
                    if Split.NONE in choosable(node, pic, lim):
                        cur_min = min(cur_min if cur_min is not None else 1.0, sc)
                else:
                    cand_scores.append(sc)
                    cand_tt.append(is_tt[-1])
        if cur_min is not None:
            tree_min.append(cur_min)
    cs, ks, tm = np.asarray(chosen_scores), np.asarray(cand_scores), np.asarray(tree_min)
    ctt, ktt = np.asarray(chosen_tt, bool), np.asarray(cand_tt, bool)
    # Search work: exhaustive cost per (CTU, tree) once (cached for interior CTUs, whose cost
    # does not depend on the position), pruned cost per threshold (t = 0 is exhaustive).
    den_cache: dict[tuple, float] = {}
    work_jobs = []
    for _, pic, st, cx, cy, chroma, lim, pr in _ctu_trees(prob, ex, sorted(work_idx)):
        roots = ctu_roots(cx, cy, pic, st == 2, chroma)
        interior = cx + 128 <= pic.width and cy + 128 <= pic.height
        key = (st, chroma) if interior else (st, chroma, cx, cy, pic)
        if key not in den_cache:
            den_cache[key] = search_cost(roots, pic, lim, lambda node, ch: ch)
        work_jobs.append((pr, pic, lim, roots, cx, cy, den_cache[key]))
    for t, ttt in zip(thresholds, tts, strict=True):
        work_num = work_den = 0.0
        for pr, pic, lim, roots, cx, cy, den in work_jobs:
            work_den += den
            if t <= 0.0:
                work_num += den
                continue

            def allow(node, ch, pr=pr, lim=lim, pic=pic, cx=cx, cy=cy, t=t, ttt=ttt):
                return rule_modes(pr, node, pic, lim, t, cx, cy, ttt)

            work_num += search_cost(roots, pic, lim, allow)
        res.append(
            RuleMetrics(
                threshold=t,
                miss=float((cs < np.where(ctt, ttt, t)).mean()) if len(cs) else 0.0,
                tree_kept=float((tm >= t).mean()) if len(tm) else 1.0,
                pruned=float(
                    (np.concatenate([cs, ks]) < np.where(np.concatenate([ctt, ktt]), ttt, t)).mean()
                )
                if len(cs) + len(ks)
                else 0.0,
                work=work_num / work_den if work_den else 1.0,
            )
        )
    return res


def evaluate(prob: np.ndarray, ex: Examples, work_ctus: int = 8) -> dict:
    """Both views as a JSON-ready dict."""
    return {
        "ctus": len(ex),
        "maps": {k: asdict(v) for k, v in map_metrics(prob, ex).items()},
        "rule": [asdict(r) for r in rule_metrics(prob, ex, work_ctus=work_ctus)],
    }


def format_report(name: str, ev: dict) -> str:
    lines = [f"{name}: {ev['ctus']} held-out CTUs"]
    lines.append(f"  {'map':9s} {'prec':>6s} {'recall':>6s} {'F1':>6s} {'AUC':>6s} {'pos':>6s}")
    for k, m in ev["maps"].items():
        lines.append(
            f"  {k:9s} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['auc']:6.3f}"
            f" {m['positives']:6.3f}"
        )
    lines.append(
        f"  {'level':5s} {'thr':>5s} {'miss':>6s} {'kept':>6s} {'pruned':>6s} {'work':>6s}"
    )
    for lvl, r in enumerate(ev["rule"]):
        name = str(lvl) if lvl < len(LEVEL_THRESHOLDS) else "-"
        lines.append(
            f"  {name:>5s} {r['threshold']:5.2f} {r['miss']:6.3f} {r['tree_kept']:6.3f}"
            f" {r['pruned']:6.3f} {r['work']:6.3f}"
        )
    return "\n".join(lines)


@dataclass
class ReplayMetrics:
    """The rule with one parameter set, replayed on a set of coded trees (see RuleReplay)."""

    miss: float  # share of the coded trees' decisions (splits and "no split") pruned
    miss_area: float  # the same weighted by node area
    tree_kept: float  # share of coding trees with no pruned decision
    work: float  # CU-evaluation area relative to the exhaustive search (sampled CTUs)
    nodes: float  # coding-tree nodes visited relative to the exhaustive search (same CTUs)


class RuleReplay:
    """Fast replay of the decision rule with many parameter sets (offline tuning).

    Scores of every node of the coded trees and of the exhaustive search space of ``work_ctus``
    sampled CTUs are computed once; each parameter set then only re-runs the rule. Search work
    counts every visit of a node (as the engine's ``nodes``) and, per visit where "no split" is
    tried, the node's area (``tree.search_cost``); inter pictures apply the engine's encoder
    restrictions (CUs at least 8x8, no split that would signal mode_constraint_flag)."""

    def __init__(self, prob: np.ndarray, ex: Examples, work_ctus: int = 8, seed: int = 0) -> None:
        self.decisions: list[tuple[int, int, bool, dict, Split, Node]] = []  # tree id, area, ...
        self.trees = 0
        n = len(ex)
        for i, pic, st, cx, cy, chroma, lim, pr in _ctu_trees(prob, ex, range(n)):
            tree = replay_tree(ex.split_list(i, chroma), cx, cy, pic, st, chroma, check=False)
            roots = set(ctu_roots(cx, cy, pic, st == 2, chroma))
            for node, mode in zip(tree.nodes, tree.modes, strict=True):
                if node in roots:
                    self.trees += 1
                ch = choosable(node, pic, lim)
                sc = {s: split_score(pr, node, s, cx, cy) for s in ch if s != Split.NONE}
                self.decisions.append(
                    (self.trees - 1, node.w * node.h, Split.NONE in ch, sc, mode, node)
                )
        rng = np.random.default_rng(seed)
        idx = sorted(rng.choice(n, size=min(n, work_ctus), replace=False).tolist())
        # Per sampled CTU tree: every node of the exhaustive search space (by identity), its
        # choosable set, scores, area and children per mode.
        self.spaces: list[tuple[list[Node], dict]] = []
        for _, pic, st, cx, cy, chroma, lim, pr in _ctu_trees(prob, ex, idx):
            info: dict[Node, tuple] = {}

            def visit(nd: Node, pr=pr, lim=lim, pic=pic, cx=cx, cy=cy, st=st, info=info) -> None:  # noqa: E501
                if nd in info:
                    return
                ch = choosable(nd, pic, lim)
                if nd.chroma:
                    drop = {Split.BT_H} if nd.h == 8 else {Split.TT_H} if nd.h == 16 else set()
                    if ch - drop:
                        ch = ch - drop
                elif st != 2:
                    ch = _inter_usable(nd, ch)
                sc = {s: split_score(pr, nd, s, cx, cy) for s in ch if s != Split.NONE}
                kids = {s: split_children(nd, s, pic) for s in ch if s != Split.NONE}
                info[nd] = (ch, sc, kids)
                for ks in kids.values():
                    for k in ks:
                        visit(k)

            roots = ctu_roots(cx, cy, pic, st == 2, chroma)
            for r in roots:
                visit(r)
            self.spaces.append((roots, info))

    def run(self, p: RuleParams | None, prune_chroma: bool = False) -> ReplayMetrics:
        """p None: exhaustive. The dual-tree chroma tree is pruned only with prune_chroma (the
        engine prunes it from level tree.CHROMA_MIN_LEVEL on)."""
        miss = miss_area = area = 0.0
        bad_trees: set[int] = set()
        for tree_id, a, none_ok, sc, mode, node in self.decisions:
            keep = self._keep(p if prune_chroma or not node.chroma else None, sc, none_ok, node)
            area += a
            if mode not in keep:
                miss += 1
                miss_area += a
                bad_trees.add(tree_id)
        work = nodes = work0 = nodes0 = 0.0
        for roots, info in self.spaces:
            w0, n0 = self._cost(roots, info, None)
            chroma = any(r.chroma for r in roots)
            w1, n1 = self._cost(roots, info, p if prune_chroma or not chroma else None)
            work0 += w0
            nodes0 += n0
            work += w1
            nodes += n1
        nd = max(1, len(self.decisions))
        return ReplayMetrics(
            miss / nd,
            miss_area / max(1.0, area),
            1.0 - len(bad_trees) / max(1, self.trees),
            work / work0 if work0 else 1.0,
            nodes / nodes0 if nodes0 else 1.0,
        )

    @staticmethod
    def _keep(p: RuleParams | None, sc: dict, none_ok: bool, node: Node) -> set[Split]:
        if p is None:
            return set(sc) | ({Split.NONE} if none_ok else set())
        keep = passing_modes(sc, none_ok, node, p)
        if not keep and sc:
            keep = {max(sorted(sc), key=lambda s: sc[s])}
        return keep

    def _cost(self, roots: list[Node], info: dict, p: RuleParams | None) -> tuple[float, float]:
        memo: dict[Node, tuple[float, float]] = {}

        def cost(nd: Node) -> tuple[float, float]:
            if nd in memo:
                return memo[nd]
            ch, sc, kids = info[nd]
            tried = self._keep(p, sc, Split.NONE in ch, nd) & ch or ch
            w = float(nd.w * nd.h) if Split.NONE in tried else 0.0
            c = 1.0
            for s in tried:
                if s != Split.NONE:
                    for k in kids[s]:
                        kw, kc = cost(k)
                        w += kw
                        c += kc
            memo[nd] = (w, c)
            return w, c

        tot = [cost(r) for r in roots]
        return sum(t[0] for t in tot), sum(t[1] for t in tot)


def _inter_usable(n: Node, ch: set[Split]) -> set[Split]:
    """The engine's inter encoder restrictions (``ModeController::splits_to_try``)."""
    drop = set()
    for s in (Split.QT, Split.BT_H, Split.BT_V, Split.TT_H, Split.TT_V):
        four = s in (Split.QT, Split.TT_H, Split.TT_V)
        min_luma = n.w * n.h // 4 if four else n.w * n.h // 2
        is2xn = (n.w == 8 and s == Split.BT_V) or (n.w == 16 and s == Split.TT_V)
        if min_luma // 4 < 16 or is2xn:
            drop.add(s)
    if n.h == 8:
        drop.add(Split.BT_H)
    if n.h == 16:
        drop.add(Split.TT_H)
    if n.w == 8:
        drop.add(Split.BT_V)
    if n.w == 16:
        drop.add(Split.TT_V)
    usable = ch - drop
    return usable or ch
