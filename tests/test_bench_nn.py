"""benchmarks/bench_nn.py's summary: every level against level 0, and with --full-reference also
against the fully exhaustive search (level -1), on rate points of the shape its encodes give."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from vtm_accel.metrics import bd_rate

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_nn.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_nn", BENCH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_nn"] = mod
    spec.loader.exec_module(mod)
    return mod


def _points(bench, clip: str) -> list:
    """Level -1 slowest and best, level 0 a little worse, level 2 faster and worse still."""
    pts = []
    levels = ((-1, 20.0, 1.00, 0.00), (0, 12.0, 1.01, 0.02), (2, 6.0, 1.03, 0.05))
    for lvl, cpu, rate, loss in levels:
        for i, qp in enumerate((22, 27, 32, 37)):
            bits = int(100000 * rate / 2**i)
            y = 46.0 - 3.2 * i - loss
            pts.append(bench.Point(clip, lvl, qp, cpu / (i + 1), 0.0, bits, y, y + 2, y + 2,
                                   (6 * y + 2 * (y + 2)) / 8, 1000 - lvl))  # fmt: skip
    return pts


def test_summary_against_level_0_and_full_search(bench) -> None:
    pts = _points(bench, "clip")
    cpu = {lvl: sum(p.cpu_s for p in pts if p.level == lvl) for lvl in (-1, 0, 2)}

    def bd(a: int, b: int) -> float:
        pa = [p for p in pts if p.level == a]
        pb = [p for p in pts if p.level == b]
        return bd_rate([p.bits for p in pa], [p.psnr_yuv for p in pa],
                       [p.bits for p in pb], [p.psnr_yuv for p in pb])  # fmt: skip

    s0 = bench.summarise(pts, [0, 2])
    row = next(r for r in s0["per_clip"] if r["level"] == 2)
    assert row["time_saving_pct"] == pytest.approx(100 * (1 - cpu[2] / cpu[0]), abs=0.01)
    assert row["bd_rate_pct"] == pytest.approx(bd(0, 2), abs=1e-3)
    full = bench.summarise(pts, [bench.FULL_LEVEL, 0, 2], 0.0, bench.FULL_LEVEL)
    rows = {r["level"]: r for r in full["per_clip"]}
    assert rows[-1]["time_saving_pct"] == 0 and rows[-1]["bd_rate_pct"] == 0
    for lvl in (0, 2):
        assert rows[lvl]["time_saving_pct"] == pytest.approx(
            100 * (1 - cpu[lvl] / cpu[-1]), abs=0.01
        )
        assert rows[lvl]["bd_rate_pct"] == pytest.approx(bd(-1, lvl), abs=1e-3)
    assert rows[2]["time_saving_pct"] > row["time_saving_pct"]
    assert rows[2]["bd_rate_pct"] > row["bd_rate_pct"] > 0
    text = bench.format_table(full)
    assert "-1" in text.splitlines()[1] and "average" in text
