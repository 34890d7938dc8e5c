"""benchmarks/bench_presets.py's summary: every rung against ``exhaustive`` and the default rung,
per clip and as the mean over the clips, on rate points of the shape its encodes give."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from vtm_accel.metrics import bd_rate

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_presets.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_presets", BENCH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_presets"] = mod
    spec.loader.exec_module(mod)
    return mod


def _points(rate: float, loss: float, cpu: float) -> list[dict]:
    return [
        {"kbps": 2000 * rate / 2**i, "psnr_yuv": 45.0 - 3 * i - loss, "cpu_s": cpu / (i + 1)}
        for i in range(4)
    ]


def test_summary_against_exhaustive_and_slower(bench) -> None:
    ladder = {
        "exhaustive": (1.0, 0.0, 30.0),
        "slower": (1.01, 0.02, 12.0),
        "fast": (1.03, 0.1, 6.0),
    }
    results = {
        r: {"a": _points(*v), "b": _points(v[0], v[1] / 2, v[2] * 2)} for r, v in ladder.items()
    }
    s = bench.summarise(results)
    ex, fast = results["exhaustive"]["a"], results["fast"]["a"]
    want = bd_rate(
        [p["kbps"] for p in ex],
        [p["psnr_yuv"] for p in ex],
        [p["kbps"] for p in fast],
        [p["psnr_yuv"] for p in fast],
    )
    assert s["fast"]["clips"]["a"]["bd_vs_exhaustive"] == pytest.approx(want)
    assert s["fast"]["clips"]["a"]["cpu_vs_exhaustive"] == pytest.approx(0.2)
    assert s["fast"]["cpu_vs_slower"] == pytest.approx(0.5)
    assert s["exhaustive"]["bd_vs_exhaustive"] == pytest.approx(0.0, abs=1e-9)
    assert s["slower"]["bd_vs_slower"] == pytest.approx(0.0, abs=1e-9)
    # the cheaper rungs lose rate, and the mean is over the clips
    assert 0 < s["slower"]["bd_vs_exhaustive"] < s["fast"]["bd_vs_exhaustive"]
    clips = s["fast"]["clips"]
    mean = (clips["a"]["bd_vs_exhaustive"] + clips["b"]["bd_vs_exhaustive"]) / 2
    assert s["fast"]["bd_vs_exhaustive"] == pytest.approx(mean)
    table = bench.format_table(s, ["a", "b"]).splitlines()
    assert len(table) == 2 + len(ladder)
    assert table[0].count("|") == table[1].count("|") == table[-1].count("|") == 8
    assert table[-1].startswith("| fast | 0.20 | +")
