"""`--sequences ctc:CLASS --ctc-dir DIR`: the JVET CTC sequence table, finding its files,
naming every missing one up front, and a batch over a class with `--frames`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vtm_accel import ctc
from vtm_accel.cli import main


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(argv)
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def test_table_facts() -> None:
    b = {s.name: s for s in ctc.sequences_of(["B"])}
    assert list(b) == ["MarketPlace", "RitualDance", "Cactus", "BasketballDrive", "BQTerrace"]
    assert {(s.fps, s.bit_depth, s.frames) for s in b.values()} >= {(60, 10, 600), (50, 8, 500)}
    assert b["BasketballDrive"].file == "BasketballDrive_1920x1080_50.yuv"
    assert b["BasketballDrive"].intra_period == 48 and b["MarketPlace"].intra_period == 64
    assert ctc.sequences_of(["A1"])[0].frames == 294  # Tango2
    assert [len(ctc.sequences_of([c])) for c in ctc.CLASSES] == [3, 3, 5, 4, 4, 3, 4]
    names = [s.name for s in ctc.TABLE]
    assert len(names) == len(set(names))  # RaceHorses (D) and RaceHorsesC (C) apart
    for s in ctc.TABLE:
        assert f"{s.width}x{s.height}" in s.file and s.file.endswith(".yuv")
        assert s.intra_period == {20: 32, 24: 32, 30: 32, 50: 48, 60: 64}[s.fps]
        assert s.bit_depth == (10 if s.cls in ("A1", "A2") else s.bit_depth)
    assert ctc.parse_classes("ctc:a,D,d") == ["A1", "A2", "D"]


@pytest.fixture
def class_d(tmp_path: Path) -> Path:
    """Class D's four files, two frames each: three under the usual names, BlowingBubbles as
    a lower-case .y4m with a longer name (found by its NAME_WxH prefix)."""
    pytest.importorskip("skimage")
    from content import make_clip

    d = tmp_path / "ctc"
    d.mkdir()
    for s, image in zip(ctc.sequences_of(["D"]), ("astronaut", "coffee", "chelsea", "rocket"),
                        strict=True):  # fmt: skip
        name = s.file if s.name != "BlowingBubbles" else "blowingbubbles_416x240_50_8bit.y4m"
        make_clip(d / name, s.width, s.height, 2, image=image, fps=float(s.fps))
    return d


def test_missing_files_are_listed_before_anything_runs(
    tmp_path: Path, class_d: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("BQSquare_416x240_60.yuv", "RaceHorses_416x240_30.yuv"):
        (class_d / name).unlink()
    out = tmp_path / "out"
    argv = ["batch", "--sequences", "ctc:D", "--ctc-dir", str(class_d), "--encoder",
            "vvenc:faster", "--out", str(out), "--frames", "2"]  # fmt: skip
    rc, _, err = _run(argv, capsys)
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert "2 of the 4 sequences of CTC class D are not in" in err
    assert "BQSquare: BQSquare_416x240_60.yuv (416x240 4:2:0, 60 fps, 8-bit, 600 frames)" in err
    assert "RaceHorses: RaceHorses_416x240_30.yuv (416x240 4:2:0, 30 fps, 8-bit, 300 frames)" in err
    assert "BasketballPass" not in err and not out.exists()
    rc, _, err = _run([*argv[:2], "ctc:G", *argv[3:]], capsys)
    assert rc == 2 and "unknown CTC class 'G'" in err
    rc, _, err = _run([*argv[:3], *argv[5:]], capsys)
    assert rc == 2 and "needs --ctc-dir DIR" in err


def test_batch_over_class_d_with_frames(
    tmp_path: Path, class_d: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["batch", "--sequences", "ctc:D", "--ctc-dir", str(class_d), "--encoder",
            "vvenc:faster", "--qps", "32,37", "--jobs", "2"]  # fmt: skip
    # the files hold 2 frames, the CTC's full runs 300-600: without --frames that is bad input
    rc, _, err = _run([*base, "--out", str(tmp_path / "full")], capsys)
    assert rc == 2 and "has 2 frames, 500 requested" in err
    out = tmp_path / "short"
    rc, _, err = _run([*base, "--out", str(out), "--frames", "2"], capsys)
    assert rc == 0, err
    res = json.loads((out / "results.json").read_text())
    got = [(s["name"], s["fps"], s["intra_period"], s["frames"]) for s in res["sequences"]]
    assert got == [("BasketballPass", 50, 48, 2), ("BQSquare", 60, 64, 2),
                   ("BlowingBubbles", 50, 48, 2), ("RaceHorses", 30, 32, 2)]  # fmt: skip
    assert res["sequences"][2]["input"].endswith("blowingbubbles_416x240_50_8bit.y4m")
    for s in res["sequences"]:
        for p in s["points"]:
            assert p["record"]["status"] == "ok", p["record"]["error"]
            assert p["record"]["intra_period"] == s["intra_period"]
            assert (out / p["bitstream"]).is_file()
