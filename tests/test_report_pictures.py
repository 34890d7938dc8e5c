"""Per-picture analysis of every point (PointRecord.pictures) and the report's per-layer tables
and per-picture plots, on real encoders: a challenge with the engine as anchor and VVenC
(``vvenc:faster``, through FFmpeg) as candidate, random access on a real-photo clip.

The record's numbers are checked against a parser of FFmpeg's ``trace_headers`` output written
here (not the module's), the bits against the stream's size, the PSNR against the point's mean
and against a numpy PSNR of the decoded file."""

from __future__ import annotations

import json
import math
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from vtm_accel.challenge.run import ChallengeConfig, SequenceSpec, run_challenge
from vtm_accel.core import VideoInfo
from vtm_accel.report import write_reports
from vtm_accel.report.pictures import NO_DATA

W, H, FRAMES, INTRA = 64, 64, 17, 16
QPS = (27, 37)
FIELDS = ["poc", "coding_order", "nal_unit_type", "temporal_id", "qp", "bits"]
FIELDS += ["psnr_y", "psnr_u", "psnr_v"]


@dataclass
class TracedPicture:
    """One access unit as FFmpeg's trace prints it."""

    bytes: int
    fields: dict[str, int] = field(default_factory=dict)  # first value of each name


def trace_access_units(ffmpeg: str, stream: Path) -> tuple[list[TracedPicture], int, int]:
    """Packets of ``stream`` with the first VCL NAL unit's header and slice fields, the last
    ``pps_init_qp_minus26`` and log2 of MaxPicOrderCntLsb."""
    run = subprocess.run(
        [ffmpeg, "-hide_banner", "-nostdin", "-i", str(stream), "-c", "copy"]
        + ["-bsf:v", "trace_headers", "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    units: list[TracedPicture] = []
    init_qp, log2_lsb, in_vcl = 0, 0, False
    for line in run.stderr.splitlines():
        text = line.partition("] ")[2]
        if text.startswith("Packet:"):
            units.append(TracedPicture(int(text.split()[1])))
            in_vcl = False
            continue
        words = text.split()
        if len(words) < 4 or words[-2] != "=":
            continue
        name, value = words[1].split("[")[0], int(words[-1])
        if name == "pps_init_qp_minus26":
            init_qp = value
        elif name == "sps_log2_max_pic_order_cnt_lsb_minus4":
            log2_lsb = value + 4
        elif not units:
            continue  # the extradata before the first packet
        elif name == "nal_unit_type":
            # VCL NAL units are types 0..11; the picture's facts are its first one's
            in_vcl = value < 12 and "nal_unit_type" not in units[-1].fields
            if in_vcl:
                units[-1].fields["nal_unit_type"] = value
        elif in_vcl:
            units[-1].fields.setdefault(name, value)
    return units, init_qp, log2_lsb


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("skimage")
    from content import make_clip

    tmp = tmp_path_factory.mktemp("pictures")
    clip = make_clip(tmp / "pan.yuv", W, H, FRAMES, pan=(2, 1))
    cfg = ChallengeConfig(anchor="engine", candidate="vvenc:faster", jobs=2, qps=QPS)
    out = tmp / "run"
    run_challenge([SequenceSpec("pan", clip, FRAMES, INTRA)], cfg, out)
    return out


def _records(out: Path) -> list[dict]:
    res = json.loads((out / "results.json").read_text())
    return [p[role] for p in res["sequences"][0]["points"] for role in ("anchor", "candidate")]


def test_pictures_match_an_independent_trace(run: Path, ffmpeg_exe: str) -> None:
    recs = _records(run)
    assert {r["encoder"] for r in recs} == {"engine", "vvenc:faster"}
    for rec in recs:
        assert rec["status"] == "ok", rec["error"]
        pics = rec["pictures"]
        assert pics["fields"] == FIELDS
        rows = [dict(zip(FIELDS, r, strict=True)) for r in pics["rows"]]
        # output order: the POCs of one coded video sequence, ascending
        assert [r["poc"] for r in rows] == list(range(FRAMES))
        assert sorted(r["coding_order"] for r in rows) == list(range(FRAMES))
        # every bit of the stream belongs to a picture (the first carries the parameter sets)
        stream = Path(rec["bitstream"])
        assert sum(r["bits"] for r in rows) == 8 * stream.stat().st_size == 8 * rec["bytes"]
        units, init_qp, log2_lsb = trace_access_units(ffmpeg_exe, stream)
        assert len(units) == FRAMES and FRAMES < 1 << log2_lsb  # so POC = its LSBs here
        for r in sorted(rows, key=lambda r: r["coding_order"]):
            u = units[r["coding_order"]]
            f = u.fields
            qp = 26 + init_qp + f.get("ph_qp_delta", 0) + f.get("sh_qp_delta", 0)
            got = (r["poc"], r["nal_unit_type"], r["temporal_id"], r["qp"], r["bits"])
            want = (
                f["ph_pic_order_cnt_lsb"],
                f["nal_unit_type"],
                f["nuh_temporal_id_plus1"] - 1,
                qp,
                8 * u.bytes,
            )
            assert got == want, (rec["encoder"], rec["qp"], r)
        # random access: an IRAP picture, then a hierarchy of several temporal layers
        irap = [i for i, r in enumerate(rows) if r["nal_unit_type"] in (7, 8, 9)]
        assert irap and irap == rec["irap"]["positions"]
        # small records: a picture is one line of the stored point, not one line per number
        stored = (run / "points" / f"{rec['key']}.json").read_text()
        assert all(json.dumps(r) in stored for r in pics["rows"])
        assert len({r["temporal_id"] for r in rows}) >= 3


def _planes(path: Path, index: int, bit_depth: int) -> list[np.ndarray]:
    dtype = np.dtype(np.uint8) if bit_depth == 8 else np.dtype("<u2")
    size = W * H * 3 // 2
    data = np.fromfile(path, dtype=dtype, count=size, offset=index * size * dtype.itemsize)
    y = data[: W * H].reshape(H, W)
    u = data[W * H : W * H * 5 // 4].reshape(H // 2, W // 2)
    v = data[W * H * 5 // 4 :].reshape(H // 2, W // 2)
    return [y, u, v]


def test_psnr_per_picture(run: Path) -> None:
    src = run.parent / "pan.yuv"
    for rec in _records(run):
        rows = [dict(zip(FIELDS, r, strict=True)) for r in rec["pictures"]["rows"]]
        for c in "yuv":  # the point's PSNR is the mean over its pictures
            mean = statistics.fmean(r[f"psnr_{c}"] for r in rows)
            assert mean == pytest.approx(rec[f"psnr_{c}"], abs=1e-4)
        bd = rec["psnr_bit_depth"]
        assert bd == 10  # VVC Main 10 output; the source is 8-bit, scaled up by << 2
        for r in rows:  # each number is its own picture's, computed here from the files
            source = _planes(src, r["poc"], 8)
            decoded = _planes(Path(rec["decoded"]), r["poc"], bd)
            for c, a, b in zip("yuv", source, decoded, strict=True):
                sse = float(np.sum((a.astype(np.int64) * 4 - b.astype(np.int64)) ** 2))
                want = 10 * math.log10(1023**2 * a.size / max(sse, 1.0))
                assert r[f"psnr_{c}"] == pytest.approx(want, abs=1e-4)


def _layer_rows(md: str) -> dict[tuple[str, str], list[str]]:
    part = md.split("per temporal layer, anchor vs candidate", 1)[1].split("\n## ", 1)[0]
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in part.splitlines()]
    return {(c[0], c[1]): c for c in cells if len(c) == 13 and c[0].isdigit()}


def test_report_has_layer_table_and_plot(run: Path) -> None:
    md = (run / "report.md").read_text()
    page = (run / "report.html").read_text()
    png = run / "pictures_pan.png"
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert "](pictures_pan.png)" in md and "<img src='pictures_pan.png'" in page
    assert "per temporal layer, anchor vs candidate" in page
    table = _layer_rows(md)
    recs = _records(run)
    for qp in QPS:
        anchor, cand = (r for r in recs if r["qp"] == qp)
        for col, rec in ((5, anchor), (6, cand)):  # mean bits per layer, IRAP apart
            rows = [dict(zip(FIELDS, r, strict=True)) for r in rec["pictures"]["rows"]]
            layers: dict[str, list[int]] = {}
            for r in rows:
                irap = r["nal_unit_type"] in (7, 8, 9)
                layers.setdefault("IRAP" if irap else f"TL{r['temporal_id']}", []).append(r["bits"])
            for name, bits in layers.items():
                assert table[(str(qp), name)][col] == f"{statistics.fmean(bits):.0f}", name
        assert any(k[0] == str(qp) and k[1] == "IRAP" for k in table)
    assert len({k[1] for k in table}) >= 4  # IRAP and several temporal layers


def test_points_stored_without_pictures(run: Path, tmp_path: Path) -> None:
    """A store written before the field existed: a rerun adds it from the stored bitstream and
    decoded output (and stores it); a results.json without it still renders."""
    before = {r["key"]: r["pictures"] for r in _records(run)}
    for path in (run / "points").glob("*.json"):
        rec = json.loads(path.read_text())
        del rec["pictures"]
        path.write_text(json.dumps(rec))
    res = json.loads((run / "results.json").read_text())
    seq = res["sequences"][0]
    cfg = ChallengeConfig(anchor="engine", candidate="vvenc:faster", jobs=2, qps=QPS)
    clip = VideoInfo(run.parent / "pan.yuv", W, H, seq["fps"], 8)
    run_challenge([SequenceSpec("pan", clip, FRAMES, INTRA)], cfg, run)
    recs = _records(run)
    assert all(r["cached"] for r in recs)
    assert {r["key"]: r["pictures"] for r in recs} == before
    for path in (run / "points").glob("*.json"):
        assert json.loads(path.read_text())["pictures"]["rows"]

    for p in seq["points"]:
        for role in ("anchor", "candidate"):
            p[role].pop("pictures", None)
    out = tmp_path / "old"
    files = write_reports(res, out)
    assert NO_DATA in files.report_md.read_text()
    assert not files.picture_pngs and not list(out.glob("pictures_*.png"))


def test_batch_report_has_the_layer_table(run: Path, tmp_path: Path) -> None:
    from vtm_accel.cli import main

    seqs = tmp_path / "seqs.csv"
    seqs.write_text(
        f"path,width,height,fps,bit_depth,frames,intra_period,name\n"
        f"{run.parent / 'pan.yuv'},{W},{H},30,8,{FRAMES},{INTRA},pan\n"
    )
    out = tmp_path / "batch"
    argv = ["batch", "--sequences", str(seqs), "--encoder", "engine", "--out", str(out)]
    assert main([*argv, "--qps", "27", "--store", str(run)]) == 0
    md = (out / "report.md").read_text()
    assert "pan: per temporal layer (mean per picture)" in md
    assert "| 27 | IRAP |" in md and "](pictures_pan.png)" in md
    assert (out / "pictures_pan.png").is_file()


def test_layer_rows_with_one_side_missing() -> None:
    from vtm_accel.analysis.records import pictures_from_record
    from vtm_accel.report.pictures import challenge_layer_rows

    rows = [[0, 0, 9, 0, 30, 800, 40.0, 42.0, 43.0], [1, 2, 2, 1, 33, 100, 37.0, 41.0, 42.0]]
    rows.append([2, 1, 0, 0, 32, 300, 38.0, 41.0, 42.0])
    anchor = {"pictures": {"fields": FIELDS, "rows": rows}}
    seq = {"points": [{"qp": 22, "anchor": anchor, "candidate": {"pictures": None}}]}
    table = challenge_layer_rows(seq)
    assert [r[:3] for r in table] == [
        ["22", "IRAP", "1/0"],
        ["22", "TL0", "1/0"],
        ["22", "TL1", "1/0"],
    ]
    irap = table[0]
    assert irap[3] == "30.0" and irap[5] == "800" and irap[8] == "40.000"
    assert irap[4] == irap[6] == irap[7] == irap[9] == irap[10] == "-"
    assert irap[11] == f"{(6 * 40 + 42 + 43) / 8:.3f}"
    seq["points"][0]["anchor"] = {}
    assert challenge_layer_rows(seq)[0][1] == NO_DATA
    assert pictures_from_record({"fields": FIELDS[:3], "rows": rows}) is None
    assert pictures_from_record("junk") is None
    pics = pictures_from_record({"fields": FIELDS, "rows": rows})
    assert pics is not None and [p.nal_type for p in pics] == ["CRA", "RADL", "TRAIL"]
