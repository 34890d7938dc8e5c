"""Encoder and decoder spec strings -> backend objects.

Grammar: ``KIND[:ITEM,ITEM,...]`` where an item is ``key=value`` or a bare word (the rest of a
``template:`` spec is taken verbatim).

Encoders:
- ``vvenc`` / ``vvenc:medium`` / ``vvenc:preset=slower`` -- VVenC via FFmpeg (presets faster,
  fast, medium (default), slow, slower). Bare word ``ai`` (or ``mode=ai``) = all-intra;
  ``ffmpeg=PATH`` another FFmpeg; any other ``Key=value`` is passed to VVenC
  (``-vvenc-params``), e.g. ``vvenc:slower,ALF=1``.
- ``vtm:encoder=PATH,cfg=PATH[,cfg=PATH2][,args=--Level=4.1 --SEIDecodedPictureHash=1]`` --
  stock VTM EncoderApp with its CTC cfg(s) (``args`` is split with shlex).
- ``engine`` / ``engine:preset=NAME,nn=MODEL,level=2[,md5-sei][,bin=PATH]`` -- the
  project's engine; items become engine flags (see ``codecs.engine``).
- ``template:PATH.json`` (a JSON argv list, or ``{"argv": [...], "name": ...}``) or
  ``template:ARGV STRING`` (shlex-split) -- see ``codecs.template`` for the placeholders.

Decoders: ``ffmpeg`` (default; ``ffmpeg:PATH`` for another binary), ``vtm:PATH`` (or
``vtm:decoder=PATH[,bitdepth=10]``).

Public API: ``parse_spec(spec) -> (kind, positional, options)``,
``make_encoder(spec, repo_root=None) -> Encoder``, ``make_decoder(spec="ffmpeg") -> Decoder``,
``ENCODER_KINDS``, ``DECODER_KINDS``.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from vtm_accel.codecs.base import Decoder, Encoder
from vtm_accel.core import HarnessError

ENCODER_KINDS = ("vvenc", "vtm", "engine", "template")
DECODER_KINDS = ("ffmpeg", "vtm")


def parse_spec(spec: str) -> tuple[str, list[str], dict[str, list[str]]]:
    """Split ``kind:a,b=c,b=d`` into ("kind", ["a"], {"b": ["c", "d"]})."""
    kind, _, rest = spec.strip().partition(":")
    kind = kind.strip().lower()
    positional: list[str] = []
    options: dict[str, list[str]] = {}
    if kind == "template":
        return kind, [rest.strip()] if rest.strip() else [], options
    for item in (i.strip() for i in rest.split(",")) if rest else ():
        if not item:
            continue
        key, eq, val = item.partition("=")
        if eq:
            options.setdefault(key.strip(), []).append(val.strip())
        else:
            positional.append(item)
    return kind, positional, options


def _one(options: dict[str, list[str]], key: str, spec: str) -> str | None:
    vals = options.pop(key, None)
    if not vals:
        return None
    if len(vals) > 1:
        raise HarnessError(f"{key}= given twice in {spec!r}")
    return vals[0]


def make_encoder(spec: str, repo_root: Path | None = None) -> Encoder:
    """Build the encoder a spec names; HarnessError with the fix when it is wrong."""
    kind, pos, opts = parse_spec(spec)
    if kind == "vvenc":
        from vtm_accel.codecs.ffmpeg_vvenc import VvencEncoder

        preset = _one(opts, "preset", spec)
        mode = _one(opts, "mode", spec)
        ffmpeg = _one(opts, "ffmpeg", spec)
        all_intra = mode == "ai"
        for p in pos:
            if p.lower() in ("ai", "all_intra", "intra"):
                all_intra = True
            elif preset is None:
                preset = p
            else:
                raise HarnessError(f"unexpected {p!r} in {spec!r} (preset already {preset!r})")
        if mode not in (None, "ai", "ra"):
            raise HarnessError(f"vvenc mode must be ai or ra, not {mode!r}")
        params = {}
        for k, vals in opts.items():
            if len(vals) > 1:
                raise HarnessError(f"{k}= given twice in {spec!r}")
            params[k] = vals[0]
        return VvencEncoder(preset or "medium", all_intra, params, ffmpeg)
    if kind == "vtm":
        from vtm_accel.codecs.vtm import VtmEncoder

        exe = _one(opts, "encoder", spec) or (pos.pop(0) if pos else None)
        cfgs = opts.pop("cfg", [])
        args = _one(opts, "args", spec)
        if exe is None or not cfgs:
            raise HarnessError(
                f"incomplete VTM encoder spec {spec!r}: use "
                f"vtm:encoder=/path/EncoderApp,cfg=/path/encoder_randomaccess_vtm.cfg"
            )
        if pos or opts:
            raise HarnessError(f"unknown items {pos + list(opts)} in {spec!r}")
        return VtmEncoder(exe, cfgs, shlex.split(args) if args else ())
    if kind == "engine":
        from vtm_accel.codecs.engine import EngineEncoder

        binary = _one(opts, "bin", spec) or _one(opts, "binary", spec)
        options = {}
        for k, vals in opts.items():
            if len(vals) > 1:
                raise HarnessError(f"{k}= given twice in {spec!r}")
            options[k] = vals[0]
        return EngineEncoder(binary, options, pos, repo_root)
    if kind == "template":
        from vtm_accel.codecs.template import TemplateEncoder, load_template

        if not pos:
            raise HarnessError("template encoder needs an argv: template:FILE.json|ARGV")
        argv, name = load_template(pos[0])
        return TemplateEncoder(argv, name)
    if "/" in spec or Path(spec).exists():
        # A bare path: say how to name a binary instead of listing the kinds only.
        raise HarnessError(
            f"{spec!r} looks like a path, not an encoder spec: use engine:bin={spec} for an "
            f"engine build, vtm:encoder={spec},cfg=CFG for VTM's EncoderApp, or "
            f"template:FILE.json for another encoder"
        )
    raise HarnessError(
        f"unknown encoder {kind!r} in {spec!r}: use one of {', '.join(ENCODER_KINDS)} "
        f"(e.g. vvenc:medium, engine, vtm:encoder=PATH,cfg=PATH)"
    )


def make_decoder(spec: str = "ffmpeg") -> Decoder:
    """Build the decoder a spec names (``ffmpeg`` by default)."""
    kind, pos, opts = parse_spec(spec or "ffmpeg")
    if kind == "ffmpeg":
        from vtm_accel.codecs.ffmpeg_decoder import FfmpegDecoder

        exe = _one(opts, "ffmpeg", spec) or _one(opts, "bin", spec) or (pos[0] if pos else None)
        return FfmpegDecoder(exe)
    if kind == "vtm":
        from vtm_accel.codecs.vtm import VtmDecoder

        exe = _one(opts, "decoder", spec) or (pos[0] if pos else None)
        if exe is None:
            raise HarnessError(f"incomplete VTM decoder spec {spec!r}: use vtm:/path/DecoderApp")
        bd = _one(opts, "bitdepth", spec)
        return VtmDecoder(exe, int(bd) if bd else 10)
    raise HarnessError(
        f"unknown decoder {kind!r} in {spec!r}: use ffmpeg (default) or vtm:/path/DecoderApp"
    )
