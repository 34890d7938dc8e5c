"""Static checks of the image recipe (building it needs an image builder and the network, which
the test machines do not give): two stages with no compiler in the runtime one, the CPU torch
pinned to the release scripts/install pins, and a build context without history, builds,
caches or video."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
COMPILERS = ("g++", "gcc", "clang", "cmake", "ninja", "build-essential", "-dev")


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[str] = field(default_factory=list)

    def run_text(self) -> str:
        return "\n".join(i for i in self.instructions if i.startswith("RUN "))


def _instructions(text: str) -> list[str]:
    """Dockerfile instructions, continuation lines joined, comments dropped."""
    out: list[str] = []
    buf = ""
    for line in text.splitlines():
        if line.strip().startswith("#") or not line.strip():
            continue
        buf += line.rstrip("\\").strip() + " " if line.endswith("\\") else line.strip()
        if not line.endswith("\\"):
            out.append(buf)
            buf = ""
    return out


def _stages() -> tuple[dict[str, str], list[Stage]]:
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for ins in _instructions((REPO / "Dockerfile").read_text()):
        m = re.match(r"ARG (\w+)=(\S+)$", ins)
        if m:
            args[m.group(1)] = m.group(2)
        m = re.match(r"FROM (\S+)(?: AS (\S+))?$", ins, re.IGNORECASE)
        if m:
            stages.append(Stage(m.group(1), m.group(2)))
        elif stages:
            stages[-1].instructions.append(ins)
    return args, stages


def _ignored(path: str, patterns: list[str]) -> bool:
    """Whether the build context leaves ``path`` out (the .dockerignore rules this file uses:
    a pattern names a path or a folder above it, ``**/`` matches at any depth)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pat in patterns:
        pats = [pat, pat.removeprefix("**/")] if pat.startswith("**/") else [pat]
        for p in pats:
            for prefix in prefixes:
                if fnmatch.fnmatchcase(prefix, p):
                    return True
                if pat.startswith("**/") and fnmatch.fnmatchcase(prefix.split("/")[-1], p):
                    return True
    return False


def _dockerignore() -> list[str]:
    lines = (REPO / ".dockerignore").read_text().splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


def test_two_stages_and_a_runtime_without_compilers() -> None:
    _, stages = _stages()
    assert len(stages) == 2
    builder, runtime = stages
    assert builder.name and re.search(r"\bg\+\+", builder.run_text())  # it builds the engine
    assert runtime.base == builder.base  # the venv's interpreter is the same in both
    copies = [i for i in runtime.instructions if i.startswith("COPY ")]
    assert copies == [f"COPY --from={builder.name} /opt/vtm-accel /opt/vtm-accel"]
    words = re.findall(r"[\w+.-]+", runtime.run_text())
    for tool in COMPILERS:
        assert not [w for w in words if w == tool or (tool == "-dev" and w.endswith(tool))], tool
    assert any(i.startswith("ENTRYPOINT") and "vtm-accel" in i for i in runtime.instructions)


def test_cpu_torch_pinned_to_the_installed_release() -> None:
    args, _ = _stages()
    assert args["TORCH_INDEX"] == "https://download.pytorch.org/whl/cpu"
    m = re.fullmatch(r"torch==(\d+\.\d+\.\d+)\+cpu", args["TORCH_SPEC"])
    assert m, args["TORCH_SPEC"]  # "+cpu" exists on the CPU index only: no CUDA wheel
    pinned = re.search(r'"torch==([\d.]+)"', (REPO / "scripts" / "install").read_text())
    assert pinned and pinned.group(1) == m.group(1)


def test_build_context_leaves_out_history_builds_and_video() -> None:
    patterns = _dockerignore()
    for path in (".git/HEAD", "build/rel/vtm-accel-engine", "engine/build/CMakeCache.txt",
                 "engine/build-asan/x.o", "vtm_accel/__pycache__/cli.cpython-311.pyc",
                 "out/a.266", "clip.yuv", "data/x/clip_416x240.y4m", "vtm-accel-demo/report.html",
                 "results/results.json", ".venv/bin/python"):  # fmt: skip
        assert _ignored(path, patterns), path
    # ... and keeps what the Dockerfile copies (the CNN weights included)
    _, stages = _stages()
    copied = [i.split()[1] for s in stages for i in s.instructions
              if i.startswith("COPY ") and "--from" not in i]  # fmt: skip
    assert {"pyproject.toml", "engine", "vtm_accel"} <= set(copied)
    for src in copied:
        assert (REPO / src).exists() and not _ignored(src, patterns), src
    weights = "vtm_accel/predictors/weights/split_cnn"
    for f in (f"{weights}.pt", f"{weights}.npz", "engine/CMakeLists.txt", "vtm_accel/cli.py"):
        assert (REPO / f).is_file() and not _ignored(f, patterns), f


def test_the_default_image_leaves_training_out() -> None:
    """PyTorch and scikit-learn come only with EXTRAS=train: the CNN's CPU inference is numpy."""
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    names = [re.split(r"[<>=\[ ;]", d)[0] for d in project["dependencies"]]
    assert "torch" not in names and "scikit-learn" not in names
    train = [re.split(r"[<>=\[ ;]", d)[0] for d in project["optional-dependencies"]["train"]]
    assert {"torch", "scikit-learn"} <= set(train)
    args, (builder, runtime) = _stages()
    assert "EXTRAS" not in args  # an empty default: `ARG EXTRAS=`
    assert 'pip install --no-compile ".${EXTRAS:+[${EXTRAS}]}"' in builder.run_text()
    assert "torch" not in runtime.run_text()  # the runtime check does not need it
