"""`vtm-accel batch`: one encoder over a sequence list, on real encoders and FFmpeg's decoder;
its results.csv (the JVET sheet's columns), report, bitstreams, resume, and `bdrate`/`report`
on its output."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from vtm_accel.cli import main
from vtm_accel.metrics import bitrate_kbps

CTC_SHEET = ["sequence", "qp", "kbps", "psnr_y", "psnr_u", "psnr_v", "psnr_yuv",
             "enc_time_s", "dec_time_s"]  # fmt: skip


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(argv)
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


@pytest.fixture(scope="module")
def seq_list(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two sequences: an 8-bit 30 fps pan and a 10-bit 50 fps one of another photo."""
    pytest.importorskip("skimage")
    from content import make_clip

    d = tmp_path_factory.mktemp("clips")
    make_clip(d / "pan_128x96_30.yuv", 128, 96, 3)
    make_clip(d / "cat.y4m", 96, 64, 3, bit_depth=10, image="chelsea", fps=50.0)
    lst = d / "seqs.csv"
    lst.write_text("path,frames,name\npan_128x96_30.yuv,3,pan\ncat.y4m,2,cat\n")
    return lst


def _batch(seqs: Path, encoder: str, out: Path, *extra: str) -> list[str]:
    return ["batch", "--sequences", str(seqs), "--encoder", encoder, "--out", str(out),
            "--qps", "27,32,37", "--jobs", "2", *extra]  # fmt: skip


def test_batch_with_the_engine(
    tmp_path: Path, seq_list: Path, engine_exe: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "engine"
    rc, stdout, err = _run(_batch(seq_list, "engine", out), capsys)
    assert rc == 0, err
    res = json.loads((out / "results.json").read_text())
    assert res["schema"] == "vtm-accel/batch/1" and res["config"]["encoder"] == "engine"
    assert [s["name"] for s in res["sequences"]] == ["pan", "cat"]
    assert [s["bit_depth"] for s in res["sequences"]] == [8, 10]
    with (out / "results.csv").open() as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames[: len(CTC_SHEET)] == CTC_SHEET
        rows = {(r["sequence"], int(r["qp"])): r for r in reader}
    assert len(rows) == 6
    for seq in res["sequences"]:
        for p in seq["points"]:
            rec = p["record"]
            assert rec["status"] == "ok", rec["error"]
            assert rec["checks"]["decodable"]["passed"] and rec["checks"]["recon_match"]["compared"]
            assert rec["checks"]["recon_match"]["passed"]  # the engine writes its recon
            # the published stream is the coded one, and its size gives the rate
            stream = out / p["bitstream"]
            assert stream.name == f"{seq['name']}_qp{p['qp']}.266"
            assert stream.read_bytes() == Path(rec["bitstream"]).read_bytes()
            kbps = bitrate_kbps(stream.stat().st_size, seq["fps"], seq["frames"])
            row = rows[(seq["name"], p["qp"])]
            assert float(row["kbps"]) == pytest.approx(kbps) == rec["kbps"]
            assert float(row["psnr_yuv"]) == pytest.approx(
                (6 * float(row["psnr_y"]) + float(row["psnr_u"]) + float(row["psnr_v"])) / 8
            )
            assert float(row["enc_time_s"]) == rec["cpu_s"] > 0
            assert float(row["dec_time_s"]) == rec["decode_cpu_s"] > 0
            assert row["reused"] == "no" and rec["machine"]["host"]
        # lower QP, more rate and more quality
        kb = [p["record"]["kbps"] for p in seq["points"]]
        assert kb == sorted(kb, reverse=True)
    assert (out / "rd_curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (out / "report.md").read_text()
    assert "# vtm-accel batch report" in md and "## pan: 128x96" in md and "## cat: 96x64" in md
    assert "pan QP27 batch engine" in err  # a line per point as it finishes
    assert "overall: PASS" in stdout

    # a rerun codes nothing: every point comes from the store, no record is rewritten
    before = {p: p.stat().st_mtime_ns for p in (out / "points").glob("*.json")}
    rc, stdout, err = _run(_batch(seq_list, "engine", out), capsys)
    assert rc == 0, err
    again = json.loads((out / "results.json").read_text())
    assert all(p["record"]["cached"] for s in again["sequences"] for p in s["points"])
    assert {p: p.stat().st_mtime_ns for p in (out / "points").glob("*.json")} == before
    assert again["summary"]["reuse"]["reused"] == 6
    # `report` rebuilds the same files from results.json
    (out / "results.csv").unlink()
    rc, stdout, _ = _run(["report", str(out)], capsys)
    assert rc == 0 and "overall: PASS" in stdout
    with (out / "results.csv").open() as f:
        assert len(list(csv.DictReader(f))) == 6


def test_bdrate_of_two_batches(
    tmp_path: Path, seq_list: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """bdrate on two batch outputs: per sequence and the mean, as bjontegaard computes them
    from the results.json records."""
    import bjontegaard as bd

    outs = {}
    for enc in ("vvenc:faster", "vvenc:slow"):
        outs[enc] = tmp_path / enc.replace(":", "_")
        rc, _, err = _run(_batch(seq_list, enc, outs[enc]), capsys)
        assert rc == 0, err
    rc, stdout, err = _run(["bdrate", str(outs["vvenc:faster"]), str(outs["vvenc:slow"])], capsys)
    assert rc == 0, err
    curves = {}
    for enc, d in outs.items():
        res = json.loads((d / "results.json").read_text())
        curves[enc] = {
            s["name"]: (
                [p["record"]["kbps"] for p in s["points"]],
                [p["record"]["psnr_yuv"] for p in s["points"]],
            )
            for s in res["sequences"]
        }
    fast, slow = curves["vvenc:faster"], curves["vvenc:slow"]
    want = {
        name: bd.bd_rate(*fast[name], *slow[name], method="pchip", min_overlap=0)
        for name in ("pan", "cat")
    }
    lines = stdout.splitlines()
    for name, v in want.items():
        assert f"{name}: BD-rate {v:+.2f}%" in lines[0 if name == "pan" else 1]
    assert f"BD-rate: {(want['pan'] + want['cat']) / 2:+.2f}%" in stdout
    # a challenge's results.csv holds two encoders: bdrate says so instead of mixing them
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("sequence,role,kbps,psnr_yuv\ns,anchor,1,30\ns,candidate,2,31\n")
    rc, _, err = _run(["bdrate", str(mixed), str(outs["vvenc:slow"])], capsys)
    assert rc == 2 and "several encoders" in err


def test_batch_on_a_dask_cluster_matches_local(
    tmp_path: Path, seq_list: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    distributed = pytest.importorskip("distributed")
    local = tmp_path / "local"
    assert _run(_batch(seq_list, "vvenc:faster", local), capsys)[0] == 0
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = tmp_path / "dask"
        argv = _batch(seq_list, "vvenc:faster", remote, "--scheduler", cluster.scheduler_address)
        rc, _, err = _run(argv, capsys)
    assert rc == 0, err
    a, b = (json.loads((d / "results.json").read_text()) for d in (local, remote))
    for sa, sb in zip(a["sequences"], b["sequences"], strict=True):
        for pa, pb in zip(sa["points"], sb["points"], strict=True):
            ra, rb = pa["record"], pb["record"]
            assert not rb["cached"] and rb["key"] == ra["key"]
            assert (remote / pb["bitstream"]).read_bytes() == (local / pa["bitstream"]).read_bytes()
            assert rb["psnr_yuv"] == ra["psnr_yuv"]


def test_batch_bad_input(
    tmp_path: Path, seq_list: Path, capsys: pytest.CaptureFixture[str], engine_exe: Path
) -> None:
    rc, _, err = _run(_batch(tmp_path / "none.csv", "engine", tmp_path / "o"), capsys)
    assert rc == 2 and "sequence list not found" in err
    rc, _, err = _run(_batch(seq_list, "engine", tmp_path / "o", "--ctc-dir", "x"), capsys)
    assert rc == 2 and "--ctc-dir goes with --sequences ctc:CLASS" in err
    rc, _, err = _run(_batch(seq_list, "engine:bin=/no/engine", tmp_path / "o"), capsys)
    assert rc == 2 and "/no/engine" in err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    rc, _, err = _run(_batch(seq_list, "engine", tmp_path / "o", "--store", str(blocker)), capsys)
    assert rc == 2 and "choose another --store" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o" / "points").exists()  # nothing ran


def test_bdrate_names_what_it_cannot_compare(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Per-sequence files: a sequence with a failed point and one that only the test has are
    named, the mean covers the rest, and the exit status says it is incomplete."""
    rates, psnrs = [100.0, 200.0, 400.0, 800.0], [32.0, 35.0, 38.0, 41.0]

    def rows(name: str, scale: float, failed_qp: int | None = None) -> list[str]:
        out = []
        for qp, r, p in zip((37, 32, 27, 22), rates, psnrs, strict=True):
            cells = ("", "") if qp == failed_qp else (r * scale, p)
            out.append(f"{name},{qp},{cells[0]},{cells[1]}")
        return out

    head = "sequence,qp,kbps,psnr_yuv"
    anchor = tmp_path / "a.csv"
    anchor.write_text("\n".join([head, *rows("s1", 1.0), *rows("s2", 1.0, failed_qp=32)]) + "\n")
    test = tmp_path / "t.csv"
    test.write_text("\n".join([head, *rows("s1", 0.9), *rows("s2", 0.9), *rows("s3", 1.0)]) + "\n")
    rc, stdout, err = _run(["bdrate", str(anchor), str(test)], capsys)
    assert rc == 1, err
    assert "s1: BD-rate -10.00%" in stdout
    assert "s2: BD-rate undefined (failed points: anchor QP 32)" in stdout
    assert "only in the test file (no BD): s3" in stdout
    assert "BD-rate: -10.00% (mean of 1 of 2 sequences)" in stdout


def _failing_at_qp32() -> str:
    """VVenC through FFmpeg as a template encoder that fails (exit 1) at QP 32."""
    import imageio_ffmpeg

    ff = imageio_ffmpeg.get_ffmpeg_exe()
    src = "-f rawvideo -pix_fmt yuv420p -s {width}x{height} -r {fps} -i {input} -frames:v {frames}"
    enc = "-c:v libvvenc -preset faster -threads 1 -qp {qp} -f rawvideo {bitstream}"
    return f'template:sh -c "test {{qp}} -ne 32 && {ff} -v error -y {src} {enc}"'


def test_batch_with_a_failing_point(
    tmp_path: Path, seq_list: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pan = tmp_path / "pan.csv"  # the template reads 8-bit raw video: the pan only
    pan.write_text(f"path,frames,name\n{seq_list.parent / 'pan_128x96_30.yuv'},3,pan\n")
    out = tmp_path / "out"
    rc, stdout, err = _run(_batch(pan, _failing_at_qp32(), out), capsys)
    assert rc == 1, err  # the run finished, a point failed
    res = json.loads((out / "results.json").read_text())
    assert res["summary"]["failed_points"] == 1 and not res["summary"]["passed"]
    for s in res["sequences"]:
        by_qp = {p["qp"]: p for p in s["points"]}
        assert by_qp[32]["record"]["status"] == "failed"
        assert by_qp[32]["record"]["stage"] == "encode" and by_qp[32]["bitstream"] is None
        assert by_qp[27]["record"]["status"] == by_qp[37]["record"]["status"] == "ok"
    assert sorted(p.name for p in (out / "bitstreams").iterdir()) == [
        "pan_qp27.266", "pan_qp37.266"]  # fmt: skip
    with (out / "results.csv").open() as f:
        failed = [r for r in csv.DictReader(f) if r["status"] == "failed"]
    assert [(r["sequence"], r["qp"], r["kbps"]) for r in failed] == [("pan", "32", "")]
    assert "FAILED" in (out / "report.md").read_text() and "overall: FAIL" in stdout
