"""`challenge --reference SPEC`: extra encoders coded, decoded, checked, plotted and given a
BD-rate against the anchor, outside the five rules; and the demo that shows the product.

Real encoders on a small real-photo clip: VVenC through FFmpeg (fast presets) and, for the demo,
the engine with its CNN.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from vtm_accel.cli import main
from vtm_accel.core import VideoInfo

QPS = "27,32,37"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> VideoInfo:
    pytest.importorskip("skimage")
    from content import make_clip

    return make_clip(tmp_path_factory.mktemp("clip") / "pan_128x96_30.yuv", 128, 96, 3)


def _seqs(tmp_path: Path, clip: VideoInfo) -> Path:
    seqs = tmp_path / "seqs.csv"
    seqs.write_text(f"path,frames,name\n{clip.path},2,pan\n")
    return seqs


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(argv)
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def _challenge(seqs: Path, out: Path, *extra: str) -> list[str]:
    # slower against faster with rate matching: the five rules pass on their own, so only a
    # reference could make this run fail
    return ["challenge", "--sequences", str(seqs), "--anchor", "vvenc:slower", "--candidate",
            "vvenc:faster", "--match-anchor", "--out", str(out), "--qps", QPS, "--jobs", "2",
            *extra]  # fmt: skip


def _failing_at_qp32() -> str:
    """VVenC through FFmpeg as a template encoder that exits 1 at QP 32 (a reference that
    crashes at one rate point) and codes the other points."""
    import imageio_ffmpeg

    ff = imageio_ffmpeg.get_ffmpeg_exe()
    src = "-f rawvideo -pix_fmt yuv420p -s {width}x{height} -r {fps} -i {input} -frames:v {frames}"
    enc = f"{ff} -v error -y {src} -c:v libvvenc -preset faster -threads 1 -qp {{qp}} -f rawvideo"
    return f'template:sh -c "test {{qp}} -ne 32 || exit 1; {enc} {{bitstream}}"'


def test_reference_is_coded_plotted_reported_and_resumed(
    tmp_path: Path, clip: VideoInfo, capsys: pytest.CaptureFixture[str]
) -> None:
    import bjontegaard as bd

    from vtm_accel.report.plots import rd_figure

    seqs, out = _seqs(tmp_path, clip), tmp_path / "run"
    rc, stdout, err = _run(_challenge(seqs, out, "--reference", "vvenc:medium"), capsys)
    res = json.loads((out / "results.json").read_text())
    assert rc == 0, (err, res["summary"]["rules"])
    assert res["config"]["references"] == ["vvenc:medium"]
    assert res["config"]["reference_identities"][0].startswith("vvenc")
    seq = res["sequences"][0]
    refs = [p["references"][0] for p in seq["points"]]
    for rec in refs:
        assert rec["status"] == "ok" and rec["role"] == "reference", rec["error"]
        assert rec["encoder"] == "vvenc:medium" and rec["kbps"] > 0
        assert rec["checks"]["decodable"]["passed"] and Path(rec["decoded"]).is_file()
        assert rec["cpu_s"] > 0
    # the rules count the anchor and the candidate only
    assert res["summary"]["rules"]["decodable"]["checked"] == 2 * len(seq["points"])
    # BD-rate of the reference against the anchor, recomputed from results.csv
    with (out / "results.csv").open() as f:
        rows = list(csv.DictReader(f))
    curve = {}
    for role in ("anchor", "reference"):
        pts = sorted((float(r["kbps"]), float(r["psnr_yuv"])) for r in rows if r["role"] == role)
        curve[role] = ([r for r, _ in pts], [p for _, p in pts])
    assert {r["encoder"] for r in rows if r["role"] == "reference"} == {"vvenc:medium"}
    want = bd.bd_rate(*curve["anchor"], *curve["reference"], method="pchip", min_overlap=0)
    assert seq["references"][0]["bd_rate"] == pytest.approx(want, abs=0.01)
    summary = res["summary"]["references"][0]
    assert summary["bd_rate"] == pytest.approx(want, abs=0.01) and summary["bd_complete"]
    assert summary["failed_points"] == 0 and 0 < summary["cpu_ratio"]
    # plotted, reported and printed
    fig = rd_figure(res)
    assert fig is not None
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "reference: VVenC medium" in labels
    page = (out / "report.html").read_text()
    assert "reference encoders, outside the rules" in page and "vvenc:medium" in page
    assert "reference: VVenC medium (vvenc:medium), outside the rules: BD-rate" in stdout
    # a rerun finds every reference point in the store
    rc, _, err = _run(_challenge(seqs, out, "--reference", "vvenc:medium"), capsys)
    res = json.loads((out / "results.json").read_text())
    assert rc == 0, err
    assert all(p["references"][0]["cached"] for p in res["sequences"][0]["points"])
    assert [p["references"][0]["key"] for p in res["sequences"][0]["points"]] == [
        r["key"] for r in refs
    ]


def test_failing_reference_leaves_the_rules_alone(
    tmp_path: Path, clip: VideoInfo, capsys: pytest.CaptureFixture[str]
) -> None:
    seqs, out = _seqs(tmp_path, clip), tmp_path / "run"
    spec = _failing_at_qp32()
    rc, stdout, err = _run(_challenge(seqs, out, "--reference", spec), capsys)
    res = json.loads((out / "results.json").read_text())
    s = res["summary"]
    assert rc == 0 and s["passed"], (err, s["rules"])
    assert all(r["passed"] for r in s["rules"].values())
    assert s["failed_points"] == 0  # anchor and candidate points only
    by_qp = {p["qp"]: p["references"][0] for p in res["sequences"][0]["points"]}
    assert by_qp[32]["status"] == "failed" and by_qp[32]["stage"] == "encode"
    assert by_qp[27]["status"] == "ok" and by_qp[37]["status"] == "ok"
    ref = res["sequences"][0]["references"][0]
    assert ref["bd_rate"] is None and "1 failed" in ref["bd_error"]
    assert s["references"][0]["failed_points"] == 1 and not s["references"][0]["bd_complete"]
    md = (out / "report.md").read_text()
    assert "FAILED" in md and "overall verdict**: PASS" in md
    assert "overall: PASS" in stdout and "1 failed points" in stdout
    # a rerun retries the failed reference point only
    rc, _, _ = _run(_challenge(seqs, out, "--reference", spec), capsys)
    res = json.loads((out / "results.json").read_text())
    again = {p["qp"]: p["references"][0] for p in res["sequences"][0]["points"]}
    assert rc == 0
    assert [again[q]["cached"] for q in (27, 32, 37)] == [True, False, True]


def test_bad_references_are_one_line_errors(
    tmp_path: Path, clip: VideoInfo, capsys: pytest.CaptureFixture[str]
) -> None:
    seqs, out = _seqs(tmp_path, clip), tmp_path / "run"
    cases = [
        (["--reference", "vvenc:slower"], "is the anchor already"),
        (["--reference", "vvenc:medium", "--reference", "vvenc:medium"], "given twice"),
        (["--reference", "nosuch:thing"], "unknown encoder 'nosuch'"),
    ]
    for extra, message in cases:
        rc, _, err = _run(_challenge(seqs, out, *extra), capsys)
        assert rc == 2 and message in err and len(err.strip().splitlines()) == 1, err
        assert not (out / "points").exists()  # stopped before the first encode


def test_demo_shows_engine_cnn_against_exhaustive_with_vvenc_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], engine_exe: Path
) -> None:
    """The demo's own encoders (engine + CNN, engine full search, VVenC slower) on a smaller
    clip than the real demo's, so the test stays short; a line per point as it finishes."""
    from vtm_accel import demo

    small = demo.ClipSpec(width=128, height=64, frames=2)
    out = tmp_path / "demo"
    outcome = demo.run_demo(out, clip=small, jobs=2)
    err = capsys.readouterr().err
    res = outcome.results
    cfg = res["config"]
    assert cfg["candidate"] == f"engine:nn={demo.WEIGHTS}"  # the engine's default CNN level
    assert cfg["anchor"] == "engine:no-fast-inter-split,no-pb-intra-fast"
    assert cfg["references"] == ["vvenc:slower"] and cfg["match_anchor"]
    seq = res["sequences"][0]
    for p in seq["points"]:
        assert p["anchor"]["status"] == "ok", p["anchor"]["error"]
        assert p["candidate"]["status"] == "ok", p["candidate"]["error"]
        assert p["candidate"]["checks"]["nn"]["passed"]  # the CNN answered
        assert p["references"][0]["status"] == "ok", p["references"][0]["error"]
    assert set(res["summary"]["rules"]) == {
        "rate_window", "time_ratio", "decodable", "recon_match", "intra_period",
    }  # fmt: skip
    assert seq["bd_rate"] is not None and seq["references"][0]["bd_rate"] is not None
    assert res["summary"]["time"]["ratio"] is not None
    for name in ("report.html", "rd_curves.png", "results.csv"):
        assert (out / name).is_file()
    page = (out / "report.html").read_text()
    assert "engine + CNN L2" in page and "VVenC slower" in page and "T1/T2" in page
    lines = [ln for ln in err.splitlines() if "pan_128x64_30 QP" in ln]
    assert len(lines) == 3 * 4  # anchor, reference, candidate at four QPs
    assert sum("candidate engine + CNN L2" in ln for ln in lines) == 4
