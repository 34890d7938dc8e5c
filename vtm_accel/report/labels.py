"""Legend-sized names of encoder specs (no paths), for plots, reports and the console.

Kept apart from ``report.plots`` so that the console and the progress lines can name an encoder
without importing matplotlib.
"""

from __future__ import annotations

from pathlib import Path

from vtm_accel.codecs.registry import parse_spec

_MAX_LABEL = 40
# the engine's two early terminations; with both off its search is fully exhaustive
_FULL_SEARCH = frozenset({"no-fast-inter-split", "no-pb-intra-fast"})


def _cfg_name(cfg: str) -> str:
    stem = Path(cfg).stem
    for prefix in ("encoder_",):
        stem = stem.removeprefix(prefix)
    return stem.removesuffix("_vtm")


def short_label(spec: str) -> str:
    """A legend-sized name for an encoder spec: the kind and what sets it apart, no paths."""
    try:
        kind, pos, opts = parse_spec(spec)
    except Exception:  # noqa: BLE001 - a label never fails a report
        kind, pos, opts = "", [], {}
    one = {k: v[-1] for k, v in opts.items() if v}
    if kind == "engine":
        label = "engine"
        if "nn" in one:
            label += f" + CNN L{one.get('nn-level', one.get('nn_level', '2'))}"
        extras = [w.replace("_", "-") for w in pos if w not in ("md5-sei", "md5_sei")]
        if _FULL_SEARCH <= set(extras):  # both early terminations off: say what that means
            extras = ["full search"] + [w for w in extras if w not in _FULL_SEARCH]
        if "preset" in one:
            extras.insert(0, one["preset"])
        if "config" in one:
            extras.append(one["config"])
        return label + (f" ({', '.join(extras)})" if extras else "")
    if kind == "vtm":
        exe = Path(one.get("encoder", pos[0] if pos else "EncoderApp")).name
        cfgs = [_cfg_name(c) for c in opts.get("cfg", [])]
        return f"VTM {exe}" + (f" (cfg {'+'.join(cfgs)})" if cfgs else "")
    if kind == "vvenc":
        words = [p for p in pos if p.lower() not in ("ai", "all_intra", "intra")]
        preset = one.get("preset") or (words[0] if words else "medium")
        ai = one.get("mode") == "ai" or len(words) < len(pos)
        return f"VVenC {preset}" + (" all intra" if ai else "")
    if kind == "template":
        prog = Path(pos[0].split()[0]).name if pos and pos[0].split() else "template"
        return f"template: {prog}"[:_MAX_LABEL]
    return spec if len(spec) <= _MAX_LABEL else spec[: _MAX_LABEL - 3] + "..."
