"""The `vtm-accel` command line: subcommands, exit status 2 with a clear message on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vtm_accel.challenge import backends
from vtm_accel.cli import main
from vtm_accel.codecs.base import Decoder, DecodeResult
from vtm_accel.core import HarnessError, VideoInfo

RATES = [120.0, 230.0, 450.0, 900.0]
PSNRS = [33.1, 35.9, 38.6, 41.2]


def _csv(path: Path, header: str, rates: list[float], psnrs: list[float]) -> Path:
    rows = "\n".join(f"{r},{p}" for r, p in zip(rates, psnrs, strict=True))
    path.write_text(f"{header}\n{rows}\n")
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(argv)
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


# ------------------------------------------------------------------------------- bdrate --


def test_bdrate_ten_percent_less_rate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _csv(tmp_path / "a.csv", "kbps,psnr", RATES, PSNRS)
    t = _csv(tmp_path / "t.csv", "kbps,psnr", [0.9 * r for r in RATES], PSNRS)
    rc, out, _ = _run(["bdrate", str(a), str(t)], capsys)
    assert rc == 0
    assert "BD-rate: -10.00%" in out
    assert "BD-PSNR: +" in out  # same quality at less rate: a PSNR gain


def test_bdrate_psnr_yuv_column_and_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = _csv(tmp_path / "a.csv", "psnr_yuv,kbps", PSNRS[::-1], RATES[::-1])
    t = _csv(tmp_path / "t.csv", "psnr_yuv,kbps", PSNRS, [1.2 * r for r in RATES])
    rc, out, _ = _run(["bdrate", str(a), str(t)], capsys)
    assert rc == 0
    assert "BD-rate: +20.00%" in out


@pytest.mark.parametrize(
    ("header", "message"),
    [("rate,psnr", "needs columns kbps and psnr"), ("kbps,ssim", "needs columns kbps and psnr")],
)
def test_bdrate_bad_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str, message: str
) -> None:
    a = _csv(tmp_path / "a.csv", header, RATES, PSNRS)
    rc, _, err = _run(["bdrate", str(a), str(a)], capsys)
    assert rc == 2
    assert err.startswith("vtm-accel: error: ") and message in err


def test_bdrate_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = _run(["bdrate", str(tmp_path / "no.csv"), str(tmp_path / "no.csv")], capsys)
    assert rc == 2 and "vtm-accel: error: cannot read" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["encode", "--encoder", "vvenc", "--input", "x.yuv", "--frames", "2", "--out", "o"])
    assert e.value.code == 2
    assert "--qp" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["challenge", "--sequences", "s", "--anchor", "a", "--candidate", "c", "--out", "o",
              "--qps", "22,99"])  # fmt: skip
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main([])
    assert e.value.code == 2


# ------------------------------------------------------------------------------- encode --


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> VideoInfo:
    pytest.importorskip("skimage")
    from content import make_clip

    return make_clip(tmp_path_factory.mktemp("clip") / "pan_128x96_30.yuv", 128, 96, 3)


def _encode_args(inp: Path, out: Path, *extra: str) -> list[str]:
    return ["encode", "--encoder", "vvenc:faster", "--input", str(inp), "--frames", "2",
            "--qp", "32", "--out", str(out), *extra]  # fmt: skip


def test_encode_writes_result(tmp_path: Path, clip: VideoInfo, capsys) -> None:
    rc, out, err = _run(_encode_args(clip.path, tmp_path / "o"), capsys)
    assert rc == 0, err
    rec = json.loads((tmp_path / "o" / "result.json").read_text())
    assert rec["status"] == "ok" and rec["kbps"] > 0 and rec["psnr_yuv"] > 25
    assert rec["frames"] == 2 and rec["checks"]["decodable"]["passed"]
    assert Path(rec["bitstream"]).is_file()
    assert "PSNR-YUV" in out


def test_encode_unknown_size(tmp_path: Path, clip: VideoInfo, capsys) -> None:
    raw = tmp_path / "nosize.yuv"
    raw.write_bytes(clip.path.read_bytes())
    rc, _, err = _run(_encode_args(raw, tmp_path / "o"), capsys)
    assert rc == 2
    assert err.startswith("vtm-accel: error: ") and "--width" in err and "--height" in err


def test_encode_partial_frame(tmp_path: Path, clip: VideoInfo, capsys) -> None:
    raw = tmp_path / "cut_128x96.yuv"
    raw.write_bytes(clip.path.read_bytes()[:-100])
    rc, _, err = _run(_encode_args(raw, tmp_path / "o"), capsys)
    assert rc == 2 and "not a whole number" in err and "cut_128x96.yuv" in err


def test_encode_too_few_frames(tmp_path: Path, clip: VideoInfo, capsys) -> None:
    args = _encode_args(clip.path, tmp_path / "o")
    args[args.index("--frames") + 1] = "9"
    rc, _, err = _run(args, capsys)
    assert rc == 2 and "has 3 frames" in err


def test_encode_missing_binary_names_the_flag(tmp_path: Path, clip: VideoInfo, capsys) -> None:
    args = _encode_args(clip.path, tmp_path / "o")
    args[args.index("--encoder") + 1] = "vtm:encoder=/nonexistent/EncoderApp,cfg=/x.cfg"
    rc, _, err = _run(args, capsys)
    assert rc == 2 and "/nonexistent/EncoderApp" in err and "--encoder" in err
    rc, _, err = _run(_encode_args(clip.path, tmp_path / "o", "--decoder", "vtm:/no/DecoderApp"),
                      capsys)  # fmt: skip
    assert rc == 2 and "/no/DecoderApp" in err and "--decoder" in err


def test_encode_crash_shows_log_tail(tmp_path: Path, clip: VideoInfo, capsys) -> None:
    args = _encode_args(clip.path, tmp_path / "o")
    args[args.index("--encoder") + 1] = (
        "template:sh -c 'echo encoder-said-goodbye >&2; exit 3' {bitstream}"
    )
    rc, _, err = _run(args, capsys)
    assert rc == 2 and "encoder-said-goodbye" in err


def test_encode_unwritable_out(tmp_path: Path, clip: VideoInfo, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    rc, _, err = _run(_encode_args(clip.path, blocker / "out"), capsys)
    assert rc == 2 and "not writable" in err and "--out" in err


# ---------------------------------------------------------------- challenge and report --


class _FlakyDecoder:
    """FFmpeg's decoder, except that the first bitstream it sees fails to decode."""

    name = "flaky"

    def __init__(self, inner: Decoder, marker: Path) -> None:
        self.inner = inner
        self.marker = marker

    def identity(self) -> str:
        return "flaky:" + backends.decoder_identity(self.inner)

    def decode(self, bitstream: Path, out: Path, timeout_s: float | None = None) -> DecodeResult:
        if not self.marker.exists():
            self.marker.write_text(str(bitstream))
            raise HarnessError("decoder exited with status 1: corrupt slice data (injected)")
        return self.inner.decode(bitstream, out, timeout_s)


def test_challenge_continues_past_failed_decode(
    tmp_path: Path, clip: VideoInfo, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = backends.make_decoder
    marker = tmp_path / "failed-once"
    monkeypatch.setattr(backends, "make_decoder", lambda spec: _FlakyDecoder(real(spec), marker))
    seqs = tmp_path / "seqs.csv"
    seqs.write_text(f"path,frames,name\n{clip.path},2,pan\n")
    out = tmp_path / "run"
    rc, stdout, err = _run(
        ["challenge", "--sequences", str(seqs), "--anchor", "vvenc:fast", "--candidate",
         "vvenc:faster", "--out", str(out), "--qps", "27,32,37", "--jobs", "1"], capsys,
    )  # fmt: skip
    assert rc == 1, err  # the run finished, a rule failed
    res = json.loads((out / "results.json").read_text())
    recs = [p[r] for p in res["sequences"][0]["points"] for r in ("anchor", "candidate")]
    failed = [r for r in recs if r["status"] != "ok"]
    assert len(recs) == 6 and len(failed) == 1
    assert failed[0]["stage"] == "decode" and "corrupt slice data" in failed[0]["error"]
    assert not failed[0]["checks"]["decodable"]["passed"]
    assert not res["summary"]["rules"]["decodable"]["passed"]
    assert res["summary"]["failed_points"] == 1
    assert "rule decodable: FAIL" in stdout and "overall: FAIL" in stdout
    # the report command re-renders the same verdicts; a rerun retries only the failed point
    (out / "report.md").unlink()
    rc, stdout, _ = _run(["report", str(out)], capsys)
    assert rc == 1 and (out / "report.md").is_file() and "overall: FAIL" in stdout
    rc, stdout, err = _run(
        ["challenge", "--sequences", str(seqs), "--anchor", "vvenc:fast", "--candidate",
         "vvenc:faster", "--out", str(out), "--qps", "27,32,37"], capsys,
    )  # fmt: skip
    res = json.loads((out / "results.json").read_text())
    recs = [p[r] for p in res["sequences"][0]["points"] for r in ("anchor", "candidate")]
    assert sum(not r["cached"] for r in recs) == 1
    assert all(r["status"] == "ok" for r in recs)
    assert res["summary"]["rules"]["decodable"]["passed"]


def test_challenge_bad_inputs(tmp_path: Path, clip: VideoInfo, capsys) -> None:
    seqs = tmp_path / "seqs.csv"
    seqs.write_text(f"path,frames\n{clip.path},2\n")
    base = ["challenge", "--anchor", "vvenc:fast", "--candidate", "vvenc:faster"]
    rc, _, err = _run([*base, "--sequences", str(tmp_path / "none.csv"), "--out", "o"], capsys)
    assert rc == 2 and "sequence list not found" in err
    rc, _, err = _run(
        ["challenge", "--sequences", str(seqs), "--anchor", "vtm:encoder=/no/EncoderApp,cfg=x",
         "--candidate", "vvenc", "--out", str(tmp_path / "o")], capsys,
    )  # fmt: skip
    assert rc == 2 and "/no/EncoderApp" in err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    rc, _, err = _run([*base, "--sequences", str(seqs), "--out", str(blocker / "o")], capsys)
    assert rc == 2 and "not writable" in err


def test_report_without_results(tmp_path: Path, capsys) -> None:
    rc, _, err = _run(["report", str(tmp_path)], capsys)
    assert rc == 2 and "vtm-accel: error:" in err and "results.json" in err


def test_demo_command(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's own pipeline (photo clip, rate matching, reports) on a smaller clip and
    faster presets than the real demo, so the test stays short."""
    pytest.importorskip("skimage")
    import functools

    from vtm_accel import demo

    small = demo.ClipSpec(width=128, height=96, frames=3)
    fast = functools.partial(
        demo.run_demo, clip=small, anchor="vvenc:fast", candidate="vvenc:faster"
    )
    monkeypatch.setattr(demo, "run_demo", fast)
    out = tmp_path / "demo"
    rc, stdout, err = _run(["demo", "--out", str(out)], capsys)
    res = json.loads((out / "results.json").read_text())
    assert rc == (0 if res["summary"]["passed"] else 1), err
    assert res["config"]["match_anchor"] is True
    assert [p["qp"] for p in res["sequences"][0]["points"]] == [22, 27, 32, 37]
    for p in res["sequences"][0]["points"]:
        assert p["candidate"]["status"] == "ok"
        assert p["checks"]["rate_window"]["passed"] == p["candidate"]["rate_match"]["matched"]
    for name in ("report.html", "report.md", "results.csv", "rd_curves.png"):
        assert (out / name).is_file()
    assert (out / "input").is_dir()
    assert "average BD-rate" in stdout and "astronaut_pan_128x96" in stdout


# ---------------------------------------------------------------------------- encode --nn --


def test_encode_nn_options_fold_into_engine_spec(tmp_path: Path) -> None:
    from vtm_accel.cli import with_nn_options

    model = tmp_path / "m.pt"
    model.write_bytes(b"x")
    assert with_nn_options("engine", None, None) == "engine"
    assert with_nn_options("engine", model, 3) == f"engine:nn={model.resolve()},nn-level=3"
    assert with_nn_options("engine:md5-sei", model, None) == f"engine:md5-sei,nn={model.resolve()}"
    with pytest.raises(HarnessError, match="need --encoder engine"):
        with_nn_options("vvenc:medium", model, 2)
    with pytest.raises(HarnessError, match="needs --nn MODEL"):
        with_nn_options("engine", None, 2)
    with pytest.raises(HarnessError, match="no such model file"):
        with_nn_options("engine", tmp_path / "absent.pt", 2)


def test_encode_with_nn_runs_engine_and_service(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], engine_exe: Path
) -> None:
    """`encode --encoder engine --nn MODEL --nn-level L`: real engine, real service, bit-exact."""
    from content import make_clip

    clip = make_clip(tmp_path / "clip_128x64.yuv", 128, 64, 1, bit_depth=8)
    model = Path(__file__).resolve().parent / "nn_test_predictor.py"
    argv = ["encode", "--encoder", "engine", "--input", str(clip.path), "--width", "128"]
    argv += ["--height", "64", "--frames", "1", "--qp", "32", "--out", str(tmp_path / "o")]
    rc, _, err = _run(argv + ["--nn", str(model), "--nn-level", "3"], capsys)
    assert rc == 0, err
    rec = json.loads((tmp_path / "o" / "result.json").read_text())
    assert rec["status"] == "ok"
    assert "nn-level=3" in rec["encoder"]
    assert rec["checks"]["recon_match"]["passed"] is True
