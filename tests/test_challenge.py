"""Rule checks (passing and failing), QP search for rate matching, and one real challenge run."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from vtm_accel.challenge.points import MatchTask, PointTask, run_matched_point
from vtm_accel.challenge.ratematch import match_rate
from vtm_accel.challenge.rules import (
    FrameLayout,
    check_decode,
    check_intra_period,
    check_rate,
    check_recon,
    check_time,
    frame_md5s,
)
from vtm_accel.challenge.run import ChallengeConfig, SequenceSpec, assemble, run_challenge
from vtm_accel.core import VideoInfo

# ----------------------------------------------------------------------------- rule checks --


@pytest.mark.parametrize(
    ("cand", "anchor", "ok"),
    [(100.0, 100.0, True), (90.0, 100.0, True), (110.0, 100.0, True), (89.9, 100.0, False),
     (110.2, 100.0, False), (50.0, 0.0, False)],
)  # fmt: skip
def test_rate_window(cand: float, anchor: float, ok: bool) -> None:
    v = check_rate(cand, anchor)
    assert v.passed is ok
    assert v.rule == "rate_window"
    assert v.candidate_kbps == cand and v.anchor_kbps == anchor
    if anchor > 0:
        assert v.ratio == pytest.approx(cand / anchor)
    else:
        assert v.ratio is None


@pytest.mark.parametrize(
    ("t1", "t2", "ok"), [(70.0, 100.0, True), (10.0, 100.0, True), (70.1, 100.0, False),
                         (100.0, 100.0, False), (1.0, 0.0, False)],
)  # fmt: skip
def test_time_ratio(t1: float, t2: float, ok: bool) -> None:
    v = check_time(t1, t2)
    assert v.passed is ok
    assert v.limit == 0.70
    assert (v.ratio is None) == (t2 <= 0)


def test_decode_check() -> None:
    assert check_decode(5, 5).passed
    short = check_decode(5, 4)
    assert not short.passed and "expected 5" in short.detail
    err = check_decode(5, 0, "invalid NAL unit")
    assert not err.passed and err.error == "invalid NAL unit"


def test_recon_check() -> None:
    na = check_recon(None, ["a", "b"])
    assert na.passed and not na.compared
    assert check_recon(["a", "b"], ["a", "b"]).passed
    bad = check_recon(["a", "x", "c"], ["a", "b", "c"])
    assert not bad.passed and bad.first_mismatch == 1
    short = check_recon(["a", "b"], ["a"])
    assert not short.passed and short.first_mismatch == 1


def test_frame_md5s_find_single_sample_change(tmp_path: Path) -> None:
    layout = FrameLayout(8, 4, 2)
    data = bytes(range(256)) * (3 * layout.frame_bytes // 256 + 1)
    data = data[: 3 * layout.frame_bytes]
    a, b, c = tmp_path / "a.yuv", tmp_path / "b.yuv", tmp_path / "c.yuv"
    a.write_bytes(data)
    changed = bytearray(data)
    changed[2 * layout.frame_bytes + 5] ^= 1  # one sample of frame 2
    b.write_bytes(bytes(changed))
    c.write_bytes(data[:-2])  # truncated last frame
    ma, mb, mc = (frame_md5s(p, layout) for p in (a, b, c))
    assert len(ma) == 3
    assert check_recon(ma, ma).passed
    v = check_recon(ma, mb)
    assert not v.passed and v.first_mismatch == 2
    assert not check_recon(ma, mc).passed


@pytest.mark.parametrize(
    ("cand", "anchor", "ok"), [(32, 32, True), (16, 32, True), (64, 32, False), (0, 32, False),
                               (32, 0, True), (0, 0, True)],
)  # fmt: skip
def test_intra_period(cand: int, anchor: int, ok: bool) -> None:
    v = check_intra_period(cand, anchor)
    assert v.passed is ok
    assert (v.candidate_intra_period, v.anchor_intra_period) == (cand, anchor)


# ---------------------------------------------------------------------------- rate search --


def _model(offset: float, slope_qp: float = 5.5):
    calls: list[tuple[int, float]] = []

    def encode(qp: int, frac: float) -> float:
        calls.append((qp, frac))
        return 1000.0 * 2 ** (-((qp + frac) - offset) / slope_qp)

    return encode, calls


@pytest.mark.parametrize("offset", [0.0, 2.7, -6.3, 9.8, -14.2])
def test_match_rate_converges(offset: float) -> None:
    target = 1000.0 * 2 ** (-32 / 5.5)
    encode, calls = _model(offset)
    m = match_rate(encode, target, 32, max_extra=6)
    assert m.matched
    assert 0.9 <= m.kbps / target <= 1.1
    assert len(calls) == len(m.trials) <= 7
    assert len(set(calls)) == len(calls)  # never the same QP twice
    assert all(f == 0.0 for _, f in calls)  # integer QPs without fractional support
    assert m.qp == pytest.approx(32 + offset, abs=1)


def test_match_rate_bounded_when_unreachable() -> None:
    m = match_rate(lambda qp, frac: 500.0, 100.0, 32, max_extra=3)
    assert not m.matched
    assert len(m.trials) <= 4


def test_match_rate_fractional_only_when_supported() -> None:
    table = {30: 150.0, 31: 125.0, 32: 88.0, 33: 70.0}

    def encode(qp: int, frac: float) -> float:
        return table[qp] * (1 - 0.3 * frac)

    m = match_rate(encode, 100.0, 32)
    assert not m.matched and {t.qp for t in m.trials} == {31, 32}
    mf = match_rate(encode, 100.0, 32, fractional=True)
    assert mf.matched and mf.qp == 31 and 0 < mf.qp_fraction < 1


# -------------------------------------------------------------------------------- assemble --


def _rec(kbps: float, psnr: float, cpu: float, status: str = "ok", ip: int = 32) -> dict:
    return {
        "status": status,
        "kbps": kbps,
        "psnr_y": psnr,
        "psnr_u": psnr,
        "psnr_v": psnr,
        "psnr_yuv": psnr,
        "cpu_s": cpu,
        "intra_period": ip,
        "irap": {"error": None, "positions": [0], "intra_period": ip},  # as coded
        "bitstream": "/x/out.266",
        "qp_used": 0.0,
        "error": None if status == "ok" else "decode failed: boom",
        "checks": {
            "decodable": check_decode(2, 2 if status == "ok" else 0).to_dict(),
            "recon_match": check_recon(None, []).to_dict(),
        },
    }


def _seq(tmp_path: Path, name: str = "s") -> SequenceSpec:
    f = tmp_path / f"{name}.yuv"
    f.write_bytes(b"\0" * 16 * 16 * 3)
    return SequenceSpec(name, VideoInfo(f, 16, 16, 30.0, 8, "yuv", 2), 2, 32)


def test_assemble_judges_each_rule(tmp_path: Path) -> None:
    seq = _seq(tmp_path)
    cfg = ChallengeConfig("a", "c")
    rates = dict(zip(cfg.qps, (800.0, 400.0, 200.0, 100.0), strict=True))
    psnr = dict(zip(cfg.qps, (42.0, 39.0, 36.0, 33.0), strict=True))
    good = {}
    for qp in cfg.qps:
        good[("s", qp, "anchor")] = _rec(rates[qp], psnr[qp], 10.0)
        good[("s", qp, "candidate")] = _rec(0.95 * rates[qp], psnr[qp], 5.0)
    res = assemble([seq], cfg, good, {})
    s = res["summary"]
    assert s["passed"], s["rules"]
    import bjontegaard as bd

    r = [rates[q] for q in cfg.qps][::-1]
    p = [psnr[q] for q in cfg.qps][::-1]
    want = bd.bd_rate(r, p, [0.95 * x for x in r], p, method="pchip")
    assert res["sequences"][0]["bd_rate"] == pytest.approx(want, abs=1e-6)
    assert s["bd_rate"] == pytest.approx(want, abs=1e-6)

    bad = dict(good)
    bad[("s", 22, "candidate")] = _rec(0.5 * rates[22], psnr[22], 5.0)  # rate window
    bad[("s", 27, "candidate")] = _rec(rates[27], psnr[27], 50.0, ip=64)  # time, intra period
    bad[("s", 32, "candidate")] = _rec(rates[32], psnr[32], 5.0, status="failed")  # decode
    res = assemble([seq], cfg, bad, {})
    rules = res["summary"]["rules"]
    assert not res["summary"]["passed"]
    assert not rules["rate_window"]["passed"] and "QP22" in rules["rate_window"]["failures"][0]
    assert not rules["intra_period"]["passed"]
    assert not rules["decodable"]["passed"] and "QP32" in rules["decodable"]["failures"][0]
    assert rules["recon_match"]["passed"]
    assert res["sequences"][0]["bd_rate"] is None and res["sequences"][0]["bd_error"]
    slow = {k: (_rec(v["kbps"], v["psnr_yuv"], 8.0) if k[2] == "candidate" else v)
            for k, v in good.items()}  # fmt: skip
    res = assemble([seq], cfg, slow, {})
    assert not res["summary"]["rules"]["time_ratio"]["passed"]
    assert res["summary"]["time"]["ratio"] == pytest.approx(0.8)


# ---------------------------------------------------------------------- real encoder runs --


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> VideoInfo:
    pytest.importorskip("skimage")
    from content import make_clip

    return make_clip(tmp_path_factory.mktemp("clip") / "pan.yuv", 128, 96, 3)


def test_match_anchor_search_with_real_encoder(tmp_path: Path, clip: VideoInfo) -> None:
    base = PointTask("pan", "candidate", clip, 3, 32, 32, "vvenc:faster", "ffmpeg", tmp_path)
    from vtm_accel.challenge.points import run_point

    first = run_point(base)
    assert first["status"] == "ok", first["error"]
    target = 0.6 * first["kbps"]  # force a search towards a larger QP
    rec = run_matched_point(MatchTask(base, target, max_extra=6))
    assert rec["status"] == "ok", rec["error"]
    rm = rec["rate_match"]
    assert rm["matched"], rm
    assert rec["qp_used"] > 32 and rec["qp_used"] == rm["qp_used"]
    assert 0.9 * target <= rec["kbps"] <= 1.1 * target
    assert rec["qp"] == 32  # the nominal point it belongs to
    assert 2 <= len(rm["trials"]) <= 7
    assert rm["trials"][0]["qp"] == 32 and rm["trials"][0]["kbps"] == first["kbps"]
    assert len(list((tmp_path / "points").glob("*.json"))) == len(rm["trials"])
    # a repeat finds every trial in the store
    again = run_matched_point(MatchTask(replace(base), target, max_extra=6))
    assert again["cached"] and again["key"] == rec["key"]


def test_challenge_end_to_end(tmp_path: Path, clip: VideoInfo) -> None:
    seq = SequenceSpec("pan", clip, 3, 32)
    cfg = ChallengeConfig(anchor="vvenc:slower", candidate="vvenc:medium", jobs=2)
    out = tmp_path / "run"
    outcome = run_challenge([seq], cfg, out)
    for name in ("results.json", "results.csv", "report.md", "report.html", "rd_curves.png"):
        assert (out / name).is_file(), name
    assert (out / "rd_curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    res = json.loads((out / "results.json").read_text())
    assert res == json.loads(json.dumps(outcome.results))
    s = res["sequences"][0]
    assert [p["qp"] for p in s["points"]] == [22, 27, 32, 37]
    for p in s["points"]:
        for role in ("anchor", "candidate"):
            rec = p[role]
            assert rec["status"] == "ok", rec["error"]
            assert rec["kbps"] > 0 and 25 < rec["psnr_yuv"] < 80
            assert rec["cpu_s"] > 0 and rec["wall_s"] > 0 and rec["max_rss"] > 0
            assert Path(rec["bitstream"]).is_file() and Path(rec["decoded"]).is_file()
            assert rec["checks"]["decodable"]["passed"]
            assert rec["psnr_yuv"] == pytest.approx(
                (6 * rec["psnr_y"] + rec["psnr_u"] + rec["psnr_v"]) / 8
            )
    # slower must cost more CPU than medium: the time rule passes
    assert res["summary"]["rules"]["time_ratio"]["passed"]
    assert res["summary"]["rules"]["decodable"]["passed"]

    # BD-rate recomputed independently from the CSV
    import bjontegaard as bd

    with (out / "results.csv").open() as f:
        rows = [r for r in csv.DictReader(f) if r["sequence"] == "pan"]
    curves = {}
    for role in ("anchor", "candidate"):
        pts = sorted((float(r["kbps"]), float(r["psnr_yuv"])) for r in rows if r["role"] == role)
        curves[role] = ([r for r, _ in pts], [p for _, p in pts])
    assert len(curves["anchor"][0]) == 4
    want = bd.bd_rate(*curves["anchor"], *curves["candidate"], method="pchip", min_overlap=0)
    assert not math.isnan(want)
    assert s["bd_rate"] == pytest.approx(want, abs=0.01)
    assert res["summary"]["bd_rate"] == pytest.approx(want, abs=0.01)
    md = (out / "report.md").read_text()
    assert "BD-rate" in md and "peak 2^B-1" in md


def _recon_template(recon_qp: str) -> str:
    """An encoder template that writes a reconstruction: vvenc codes {bitstream} at {qp}; the
    recon is FFmpeg's decode of a stream coded at ``recon_qp`` ("{qp}": the same stream, so it
    matches; a fixed other QP: every frame differs)."""
    import imageio_ffmpeg

    ff = imageio_ffmpeg.get_ffmpeg_exe()
    src = "-f rawvideo -pix_fmt yuv420p -s {width}x{height} -r {fps} -i {input} -frames:v {frames}"
    enc = "-c:v libvvenc -preset faster -threads 1 -f rawvideo"
    script = (
        f"{ff} -v error -y {src} {enc} -qp {{qp}} {{bitstream}} && "
        f"{ff} -v error -y {src} {enc} -qp {recon_qp} {{out_dir}}/r.266 && "
        f"{ff} -v error -y -i {{out_dir}}/r.266 -f rawvideo -pix_fmt yuv420p10le {{recon}}"
    )
    return f'template:sh -c "{script}"'


@pytest.mark.parametrize(("recon_qp", "ok"), [("{qp}", True), ("45", False)])
def test_recon_rule_through_pipeline(
    tmp_path: Path, clip: VideoInfo, recon_qp: str, ok: bool
) -> None:
    from vtm_accel.challenge.points import run_point

    task = PointTask(
        "pan", "encode", clip, 2, 32, 32, _recon_template(recon_qp), "ffmpeg", tmp_path
    )
    rec = run_point(task)
    v = rec["checks"]["recon_match"]
    assert v["compared"] and rec["recon"] is not None
    assert v["passed"] is ok
    assert rec["status"] == ("ok" if ok else "failed")
    if not ok:
        assert v["first_mismatch"] == 0 and rec["stage"] == "checks"
        assert "recon_match" in rec["error"]
        assert not list((tmp_path / "points").glob("*.json"))  # failed points are not stored
    else:
        assert v["frames_compared"] == 2


def test_identical_anchor_and_candidate(tmp_path: Path, clip: VideoInfo) -> None:
    """Same spec on both sides: each point is coded once; BD-rate 0, rate ratio 1, time fails."""
    seq = SequenceSpec("pan", clip, 2, 32)
    cfg = ChallengeConfig("vvenc:faster", "vvenc:faster", qps=(27, 32, 37), jobs=2)
    res = run_challenge([seq], cfg, tmp_path).results
    assert len(list((tmp_path / "points").glob("*.json"))) == 3
    s = res["sequences"][0]
    assert s["bd_rate"] == pytest.approx(0.0, abs=1e-9)
    for p in s["points"]:
        assert p["candidate"]["key"] == p["anchor"]["key"]
        assert p["checks"]["rate_window"]["ratio"] == 1.0
    assert not res["summary"]["rules"]["time_ratio"]["passed"]  # T1 = T2 > 0.7 T2
