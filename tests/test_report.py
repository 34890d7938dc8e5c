"""Reports from a results document: json/csv/md/html/png, regeneration, bad inputs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from vtm_accel.challenge.rules import check_decode, check_recon
from vtm_accel.challenge.run import ChallengeConfig, SequenceSpec, assemble
from vtm_accel.core import HarnessError, VideoInfo
from vtm_accel.report import regenerate, write_reports
from vtm_accel.report.results import CSV_COLUMNS, SCHEMA, load_results

QPS = (22, 27, 32, 37)


def _rec(kbps: float, psnr: float, cpu: float, ok: bool = True, recon_ok: bool = True) -> dict:
    recon = check_recon(["a", "b"], ["a", "b" if recon_ok else "c"]).to_dict()
    return {
        "status": "ok" if ok and recon_ok else "failed",
        "error": None if ok and recon_ok else "boom",
        "kbps": kbps,
        "psnr_y": psnr - 0.5,
        "psnr_u": psnr + 1,
        "psnr_v": psnr + 2,
        "psnr_yuv": psnr,
        "cpu_s": cpu,
        "wall_s": cpu * 1.1,
        "max_rss": 1 << 20,
        "qp_used": 0.0,
        "intra_period": 32,
        "irap": {"error": None, "positions": [0], "intra_period": 32},
        "bitstream": "/x/out.266",
        "decoded": "/x/decoded.yuv",
        "checks": {"decodable": check_decode(2, 2 if ok else 1).to_dict(), "recon_match": recon},
    }


def _results(tmp_path: Path, names: tuple[str, ...] = ("alpha", "beta"), **bad: bool) -> dict:
    seqs, records = [], {}
    for i, n in enumerate(names):
        f = tmp_path / f"{n}.yuv"
        f.write_bytes(b"\0" * 384)
        seqs.append(SequenceSpec(n, VideoInfo(f, 16, 16, 30.0, 8, "yuv", 1), 1, 32))
        for j, qp in enumerate(QPS):
            rate = 1000.0 / 2**j * (1 + i)
            psnr = 42.0 - 3 * j
            records[(n, qp, "anchor")] = _rec(rate, psnr, 10.0)
            records[(n, qp, "candidate")] = _rec(
                rate * 0.97,
                psnr,
                5.0,
                ok=not (bad.get("decode") and qp == 27),
                recon_ok=not (bad.get("recon") and qp == 32),
            )
    cfg = ChallengeConfig("vvenc:slower", "vvenc:medium")
    return assemble(seqs, cfg, records, {"anchor_identity": "A", "candidate_identity": "C"})


def test_write_reports_all_files(tmp_path: Path) -> None:
    res = _results(tmp_path)
    out = tmp_path / "rep"
    files = write_reports(res, out)
    assert json.loads(files.results_json.read_text()) == json.loads(json.dumps(res))
    assert load_results(out)["schema"] == SCHEMA
    with files.results_csv.open() as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 2 * len(QPS) * 2
    assert {r["role"] for r in rows} == {"anchor", "candidate"}
    assert all(r["rate_window"] == "pass" for r in rows if r["role"] == "candidate")
    assert float(rows[0]["kbps"]) == res["sequences"][0]["points"][0]["anchor"]["kbps"]
    md = files.report_md.read_text()
    page = files.report_html.read_text()
    bd = res["summary"]["bd_rate"]
    assert bd == pytest.approx(-3.0, abs=0.01)  # 0.97x rates everywhere
    for text in (md, page):
        assert f"{bd:.2f}%" in text
        assert "alpha" in text and "beta" in text
        assert "peak 2^B-1" in text  # the peak convention is stated
        assert "rd_curves.png" in text
        assert "PASS" in text
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert files.rd_png is not None and files.rd_png.read_bytes()[:4] == b"\x89PNG"


def test_report_shows_failures(tmp_path: Path) -> None:
    res = _results(tmp_path, decode=True, recon=True)
    rules = res["summary"]["rules"]
    assert not rules["decodable"]["passed"] and not rules["recon_match"]["passed"]
    assert rules["recon_match"]["failures"][0].startswith("alpha QP32 candidate")
    files = write_reports(res, tmp_path / "rep")
    md = files.report_md.read_text()
    assert "FAIL" in md and "candidate failed" in md
    assert "class='fail'" in files.report_html.read_text()
    assert res["sequences"][0]["bd_rate"] is None  # a failed point leaves BD undefined
    with files.results_csv.open() as f:
        rows = list(csv.DictReader(f))
    assert any(r["decodable"] == "fail" for r in rows)
    assert any(r["recon_match"] == "fail" for r in rows)


def test_regenerate_from_results_json(tmp_path: Path) -> None:
    out = tmp_path / "rep"
    write_reports(_results(tmp_path), out)
    for name in ("results.csv", "report.md", "report.html", "rd_curves.png"):
        (out / name).unlink()
    files = regenerate(out)
    for p in (files.results_csv, files.report_md, files.report_html, files.rd_png):
        assert p is not None and p.is_file()


def test_load_results_rejects_bad_input(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="not found"):
        load_results(tmp_path)
    (tmp_path / "results.json").write_text('{"schema": "other"}')
    with pytest.raises(HarnessError, match="not a vtm-accel results file"):
        load_results(tmp_path)
    (tmp_path / "results.json").write_text("{broken")
    with pytest.raises(HarnessError, match="cannot read"):
        load_results(tmp_path)


def test_the_report_lists_every_rule_in_order() -> None:
    """The report titles the rules without importing the pipeline: the same five, same order."""
    from vtm_accel.challenge.rules import RULES
    from vtm_accel.report.render import RULE_TITLES

    assert tuple(RULE_TITLES) == RULES
