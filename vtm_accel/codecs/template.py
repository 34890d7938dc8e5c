"""Any encoder given as an argv template (never run through a shell).

Each argv element may hold placeholders, filled with ``str.format``:
``{input}`` ``{width}`` ``{height}`` ``{fps}`` (as given, e.g. ``50`` or ``59.94``) ``{fps_int}``
``{frames}`` ``{frame_skip}`` ``{qp}`` ``{bitdepth}`` (source bit depth) ``{intra_period}``
``{bitstream}`` ``{recon}`` ``{log}`` ``{out_dir}``. An unknown placeholder is an error when the
encoder is created. When the template names ``{recon}`` the result's ``recon`` is that file (a
10-bit LE 4:2:0 reconstruction is expected), else None.

Spec forms (see ``registry``): ``template:/path/enc.json`` (a JSON file holding the argv list, or
``{"argv": [...], "name": "myenc"}``) or ``template:ARGV STRING`` (split with ``shlex``, e.g.
``template:x266 --in {input} -s {width}x{height} --qp {qp} -o {bitstream}``).

Public API: ``class TemplateEncoder(argv_template, name="template")``, ``load_template(text)
-> (argv_template, name)``, ``fill_template(argv_template, values) -> list[str]``.
"""

from __future__ import annotations

import json
import shlex
import string
from collections.abc import Mapping, Sequence
from pathlib import Path

from vtm_accel.codecs.base import EncodeJob, EncodeResult
from vtm_accel.codecs.common import file_digest, output_paths, resolve_binary
from vtm_accel.core import HarnessError
from vtm_accel.timing import run_timed

PLACEHOLDERS = (
    "input",
    "width",
    "height",
    "fps",
    "fps_int",
    "frames",
    "frame_skip",
    "qp",
    "bitdepth",
    "intra_period",
    "bitstream",
    "recon",
    "log",
    "out_dir",
)


def _fields(argv_template: Sequence[str]) -> set[str]:
    names: set[str] = set()
    for part in argv_template:
        try:
            parsed = list(string.Formatter().parse(part))
        except ValueError as e:
            raise HarnessError(f"bad placeholder syntax in template element {part!r}: {e}") from e
        names |= {f for _, f, _, _ in parsed if f is not None}
    return names


def fill_template(argv_template: Sequence[str], values: Mapping[str, object]) -> list[str]:
    """Substitute placeholders in every element; HarnessError for an unknown one."""
    unknown = _fields(argv_template) - set(values)
    if unknown:
        raise HarnessError(
            f"unknown placeholder(s) {sorted(unknown)} in the encoder template; "
            f"allowed: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}"
        )
    return [part.format_map(values) for part in argv_template]


def load_template(text: str) -> tuple[list[str], str]:
    """A JSON file path (argv list or {"argv": [...], "name": ...}) or a shlex argv string."""
    p = Path(text)
    if text.endswith(".json") or (p.suffix == ".json" and p.is_file()):
        if not p.is_file():
            raise HarnessError(f"encoder template file not found: {p}")
        data = json.loads(p.read_text())
        name = "template"
        if isinstance(data, dict):
            name = str(data.get("name", name))
            data = data.get("argv")
        if not isinstance(data, list) or not data or not all(isinstance(a, str) for a in data):
            raise HarnessError(
                f"{p}: expected a JSON list of strings (the argv) or {{'argv': [...]}}"
            )
        return list(data), name
    argv = shlex.split(text)
    if not argv:
        raise HarnessError("empty encoder template: give template:ARGV or template:FILE.json")
    return argv, "template"


class TemplateEncoder:
    supports_qp_fraction = False

    def __init__(self, argv_template: Sequence[str], name: str = "template") -> None:
        self.argv_template = list(argv_template)
        if not self.argv_template:
            raise HarnessError("empty encoder template")
        self.name = name
        unknown = _fields(self.argv_template) - set(PLACEHOLDERS)
        if unknown:
            raise HarnessError(
                f"unknown placeholder(s) {sorted(unknown)} in the encoder template; "
                f"allowed: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}"
            )
        if "bitstream" not in _fields(self.argv_template):
            raise HarnessError("the encoder template must name the output as {bitstream}")
        self.exe = resolve_binary(self.argv_template[0], f"encoder template program ({name})")
        self.writes_recon = "recon" in _fields(self.argv_template)
        self._id: str | None = None

    def identity(self) -> str:
        if self._id is None:
            self._id = (
                f"template:{self.name}:{self.exe.name}#{file_digest(self.exe)}:"
                f"{' '.join(self.argv_template[1:])}"
            )
        return self._id

    def argv(self, job: EncodeJob) -> list[str]:
        paths = output_paths(job)
        v = job.video
        values = {
            "input": str(v.path),
            "width": v.width,
            "height": v.height,
            "fps": f"{v.fps:g}",
            "fps_int": max(1, round(v.fps)),
            "frames": job.frames,
            "frame_skip": job.frame_skip,
            "qp": job.qp,
            "bitdepth": v.bit_depth,
            "intra_period": job.intra_period,
            "bitstream": str(paths.bitstream),
            "recon": str(paths.recon),
            "log": str(paths.jsonl),
            "out_dir": str(Path(job.out_dir)),
        }
        return [str(self.exe)] + fill_template(self.argv_template[1:], values)

    def encode(self, job: EncodeJob, timeout_s: float | None = None) -> EncodeResult:
        if job.qp_fraction:
            raise HarnessError("template encoders take integer QPs only (qp_fraction must be 0)")
        paths = output_paths(job)
        paths.bitstream.unlink(missing_ok=True)
        stats = run_timed(self.argv(job), paths.log, core=job.core, timeout_s=timeout_s)
        if not paths.bitstream.is_file() or paths.bitstream.stat().st_size == 0:
            raise HarnessError(
                f"encoder template {self.name} wrote no bitstream at {paths.bitstream} "
                f"(log: {paths.log}):\n{stats.log_tail}"
            )
        recon = paths.recon if self.writes_recon and paths.recon.is_file() else None
        return EncodeResult(
            job=job,
            bitstream=paths.bitstream,
            recon=recon,
            stats=stats,
            qp_used=float(job.qp),
            intra_period=job.intra_period,
            encoder_id=self.identity(),
            log=paths.log,
            extra={"bytes": paths.bitstream.stat().st_size},
        )
