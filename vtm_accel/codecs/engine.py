"""The project's own C++ encoder (``vtm-accel-engine``), driven through its CLI contract.

Binary lookup (``find_engine``): ``$VTM_ACCEL_ENGINE``, else ``vtm-accel-engine`` beside the
running interpreter or in its scripts directory (where ``pip install .`` puts it, found also
when the venv is not activated), else on PATH, else ``build*/vtm-accel-engine``,
``build/*/vtm-accel-engine`` or ``engine/build*/vtm-accel-engine`` under the repository.
Missing: HarnessError saying how to build it.

Command (argv, no shell)::

    vtm-accel-engine --input SRC [--width W --height H --input-bit-depth B] --fps F
      --frames N [--frame-skip K] --qp Q --intra-period IP --bitstream DIR/<stem>_qp<Q>.266
      --recon DIR/<stem>_qp<Q>_recon.yuv --log DIR/<stem>_qp<Q>.jsonl [options]

(W/H/bit depth are omitted for ``.y4m``, whose header carries them.) Options come from the
spec: ``engine:preset=fast,nn=MODEL,nn-level=2,md5-sei`` gives
``--preset fast --nn MODEL --nn-level 2 --md5-sei`` (each ``key=value`` -> ``--key value``,
each bare word -> ``--word``; ``_`` in keys becomes ``-``; ``bin=PATH`` picks the binary).
Coding structure: ``engine:config=ai|ra|ldb`` gives ``--config ...``; without it, ``--config
ai`` when the job's intra period is 1 and ``--config ra`` (random access, GOP 32, an IRAP every
intra period; the first one at POC 0 unless closing the first GOP, with RADL leading pictures
as VVenC does, codes fewer intra pictures; ``engine:first_irap=poc0|gop`` forces either)
otherwise. The
JSON-lines log (one object per picture: poc, slice_type, qp, bits, psnr_y/u/v, time_s, nodes)
is read into ``extra["pictures"]`` with ``extra["bits"]`` (sum); with ``nn=MODEL``,
``extra["nn"]`` says whether the CNN answered (``read_nn_outcome``: level, pictures, predicted,
fell_back, reason), read from the engine's console, which alone reports a fallback.

CNN acceleration: ``engine:nn=MODEL,nn-level=2`` gives ``--nn MODEL --nn-level 2``; the engine
starts the predictor service (``python -m vtm_accel.predictors.service``) as its own child and
reaps it, so the measured CPU time of the process tree includes it. The service runs with this
interpreter (``VTM_ACCEL_PYTHON=sys.executable``) and finds this package (``PYTHONPATH``).

Public API: ``find_engine(repo_root=None) -> Path``, ``read_engine_log(path) -> list[dict]``,
``engine_command(binary, source, *, frames, qp, bitstream, ...) -> list[str]`` (every caller's
engine command line),
``class EngineEncoder(binary=None, options=None, flags=(), repo_root=None)`` with ``argv(job,
paths)``, ``identity()``, ``encode(job, timeout_s=None)``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import sysconfig
from collections.abc import Mapping, Sequence
from pathlib import Path

from vtm_accel.codecs.base import EncodeJob, EncodeResult
from vtm_accel.codecs.common import OutputPaths, file_digest, output_paths, resolve_binary
from vtm_accel.core import HarnessError, VideoInfo
from vtm_accel.predictors.protocol import cleanup_stale_segments
from vtm_accel.timing import run_timed

ENGINE_NAME = "vtm-accel-engine"
DEFAULT_NN_LEVEL = 2  # the engine's --nn-level default
_REPO = Path(__file__).resolve().parents[2]
_BUILD_HINT = (
    "build it with `cmake -S engine -B engine/build -G Ninja && cmake --build engine/build` "
    "(or `pip install .`), or point $VTM_ACCEL_ENGINE / engine:bin=PATH at the binary"
)


def find_engine(repo_root: Path | None = None) -> Path:
    env = os.environ.get("VTM_ACCEL_ENGINE")
    if env:
        return resolve_binary(env, "engine binary from $VTM_ACCEL_ENGINE")
    for d in _install_dirs():
        p = d / ENGINE_NAME
        if p.is_file() and os.access(p, os.X_OK):
            return p
    on_path = shutil.which(ENGINE_NAME)
    if on_path:
        return Path(on_path)
    root = Path(repo_root) if repo_root else _REPO
    patterns = (f"build*/{ENGINE_NAME}", f"build/*/{ENGINE_NAME}", f"engine/build*/{ENGINE_NAME}")
    found = sorted(
        (p for pat in patterns for p in root.glob(pat) if p.is_file() and os.access(p, os.X_OK)),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    if found:
        return found[0]
    raise HarnessError(f"the engine binary {ENGINE_NAME} was not found: {_BUILD_HINT}")


def _install_dirs() -> list[Path]:
    """Where pip put this package's scripts: beside ``sys.executable`` (a venv's bin, used
    without activating it) and the interpreter's scripts directory (unresolved paths: a venv's
    python is a symlink to the base interpreter)."""
    dirs = [Path(sys.executable).parent] if sys.executable else []
    try:
        dirs.append(Path(sysconfig.get_path("scripts")))
    except KeyError:
        pass
    return list(dict.fromkeys(dirs))


_NN_SUMMARY = re.compile(r"^nn: level (\d+), (\d+) of (\d+) pictures pruned by the CNN")
_NN_FALLBACK = re.compile(r"^nn: (.*); falling back to exhaustive search")


def read_nn_outcome(console_log: Path, level: int, frames: int) -> dict[str, object]:
    """Whether the CNN answered, from the engine's console: the pictures it pruned, and the
    reason it gave when it fell back to the exhaustive search (none of this is in the JSON
    log, so without it a failed CNN would go unnoticed)."""
    out: dict[str, object] = {
        "requested": True,
        "level": level,
        "pictures": frames,
        "predicted": None,
        "fell_back": False,
        "reason": None,
    }
    if level <= 0:  # level 0 is the exhaustive search: the service is never started
        out.update(predicted=0)
        return out
    try:
        lines = console_log.read_text(errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        if m := _NN_FALLBACK.match(line):
            out.update(fell_back=True, reason=out["reason"] or m.group(1))
        elif m := _NN_SUMMARY.match(line):
            out.update(predicted=int(m.group(2)), pictures=int(m.group(3)))
    if out["predicted"] is None:
        out.update(fell_back=True, reason=out["reason"] or "the engine reported no CNN summary")
    elif out["predicted"] < out["pictures"]:  # type: ignore[operator]
        out.update(fell_back=True)
    return out


def read_engine_log(path: Path) -> list[dict]:
    pictures = []
    if not Path(path).is_file():
        return pictures
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        if line.strip():
            try:
                pictures.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise HarnessError(f"{path}:{n}: bad JSON line in the engine log: {e}") from e
    return pictures


def engine_command(
    binary: str | os.PathLike[str],
    source: str | os.PathLike[str],
    *,
    frames: int,
    qp: int,
    bitstream: str | os.PathLike[str],
    raw_size: tuple[int, int, int] | None = None,
    fps: float | None = None,
    frame_skip: int = 0,
    intra_period: int | None = None,
    recon: str | os.PathLike[str] | None = None,
    log: str | os.PathLike[str] | None = None,
    split_log: str | os.PathLike[str] | None = None,
    config: str | None = None,
    options: Mapping[str, str] | None = None,
    flags: Sequence[str] = (),
) -> list[str]:
    """The engine's command line (its CLI contract is spelled here only): ``raw_size`` is
    (width, height, bit depth) of a raw .yuv (a .y4m header carries them), ``config`` the
    coding structure (ai, ra, ldb), ``options`` further ``--key value`` pairs (the spec's), and
    ``flags`` bare ``--flag`` switches."""
    argv = [str(binary), "--input", str(source)]
    if raw_size is not None:
        w, h, depth = raw_size
        argv += ["--width", str(w), "--height", str(h), "--input-bit-depth", str(depth)]
    if fps is not None:
        argv += ["--fps", f"{fps:g}"]
    argv += ["--frames", str(frames)]
    if frame_skip:
        argv += ["--frame-skip", str(frame_skip)]
    argv += ["--qp", str(qp)]
    if intra_period is not None:
        argv += ["--intra-period", str(intra_period)]
    argv += ["--bitstream", str(bitstream)]
    for name, path in (("--recon", recon), ("--log", log), ("--split-log", split_log)):
        if path is not None:
            argv += [name, str(path)]
    if config is not None:
        argv += ["--config", config]
    for k, val in (options or {}).items():
        argv += [f"--{k}", str(val)]
    argv += [f"--{f}" for f in flags]
    return argv


class EngineEncoder:
    name = "engine"
    supports_qp_fraction = False

    def __init__(
        self,
        binary: str | Path | None = None,
        options: Mapping[str, str] | None = None,
        flags: Sequence[str] = (),
        repo_root: Path | None = None,
    ) -> None:
        self.binary = (
            resolve_binary(binary, "engine binary (engine:bin=PATH)")
            if binary
            else find_engine(repo_root)
        )
        self.options = {k.replace("_", "-"): str(v) for k, v in (options or {}).items()}
        self.flags = [f.replace("_", "-") for f in flags]
        self._id: str | None = None

    def identity(self) -> str:
        if self._id is None:
            opts = "".join(f",{k}={v}" for k, v in sorted(self.options.items()))
            opts += "".join(f",{f}" for f in sorted(self.flags))
            model = Path(self.options.get("nn", ""))
            if model.is_file():  # the same path with other weights is another encoder
                opts += f",nn-digest={file_digest(model)}"
            self._id = f"engine:{file_digest(self.binary)}{opts}"
        return self._id

    def check_input(self, video: VideoInfo, frames: int, intra_period: int) -> None:
        """What the engine's reader and options take (checked before any encode starts)."""
        if video.bit_depth not in (8, 10):
            raise HarnessError(
                f"{video.path}: the engine reads 8- or 10-bit sources, not {video.bit_depth}-bit; "
                f"convert it, e.g. ffmpeg -i IN -pix_fmt yuv420p10le OUT.y4m"
            )
        if intra_period > 100_000:
            raise HarnessError(f"the engine takes an intra period up to 100000, not {intra_period}")
        if frames > 1_000_000:
            raise HarnessError(f"the engine codes at most 1000000 frames, not {frames}")

    def argv(self, job: EncodeJob, paths: OutputPaths) -> list[str]:
        v = job.video
        options = dict(self.options)
        # Coding structure: all intra for intra period 1, else random access (GOP 32, a CRA
        # every intra period); ``engine:config=ra|ldb|ai`` picks it explicitly.
        config = options.pop("config", "ai" if job.intra_period == 1 else "ra")
        return engine_command(
            self.binary,
            v.path,
            frames=job.frames,
            qp=job.qp,
            bitstream=paths.bitstream,
            raw_size=None if v.container == "y4m" else (v.width, v.height, v.bit_depth),
            fps=v.fps,
            frame_skip=job.frame_skip,
            intra_period=job.intra_period,
            recon=paths.recon,
            log=paths.jsonl,
            config=config,
            options=options,
            flags=self.flags,
        )

    def env(self) -> dict[str, str] | None:
        """The engine's environment: what a spawned predictor service needs (None: inherit)."""
        if "nn" not in self.options:
            return None
        env = dict(os.environ)
        env.setdefault("VTM_ACCEL_PYTHON", sys.executable)
        pkg_parent = str(Path(__file__).resolve().parents[2])
        paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        if pkg_parent not in paths:
            env["PYTHONPATH"] = os.pathsep.join([pkg_parent, *paths])
        return env

    def encode(self, job: EncodeJob, timeout_s: float | None = None) -> EncodeResult:
        if job.qp_fraction:
            raise HarnessError("the engine takes integer QPs only (qp_fraction must be 0)")
        paths = output_paths(job)
        for p in (paths.bitstream, paths.recon, paths.jsonl):
            p.unlink(missing_ok=True)
        try:
            stats = run_timed(
                self.argv(job, paths), paths.log, core=job.core, timeout_s=timeout_s, env=self.env()
            )
        finally:
            if "nn" in self.options:  # a channel left by an engine that had to be killed
                cleanup_stale_segments()
        if not paths.bitstream.is_file() or paths.bitstream.stat().st_size == 0:
            raise HarnessError(f"the engine wrote no bitstream (log: {paths.log})")
        pictures = read_engine_log(paths.jsonl)
        extra: dict[str, object] = {
            "pictures": pictures,
            "bits": sum(int(p.get("bits", 0)) for p in pictures),
            "bytes": paths.bitstream.stat().st_size,
            "jsonl": str(paths.jsonl),
        }
        if "nn" in self.options:
            level = int(self.options.get("nn-level", DEFAULT_NN_LEVEL))
            extra["nn"] = read_nn_outcome(paths.log, level, job.frames)
        return EncodeResult(
            job=job,
            bitstream=paths.bitstream,
            recon=paths.recon if paths.recon.is_file() else None,
            stats=stats,
            qp_used=float(job.qp),
            intra_period=job.intra_period,
            encoder_id=self.identity(),
            log=paths.log,
            extra=extra,
        )
