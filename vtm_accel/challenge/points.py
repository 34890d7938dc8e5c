"""One test point: encode, decode, measure and check, stored as it finishes.

A point is (source, frames, QP, intra period, encoder, decoder). ``run_point`` is a picklable
top-level function so the local (joblib) and Dask runners can ship it to workers; it never
raises for a failing point: the record says ``status: "failed"`` with the error (and the tail
of the program's log), so a batch keeps going past it. Only finished, successful points are
stored, so a resumed batch retries failed ones.
"""

from __future__ import annotations

import datetime as dt
import traceback
from dataclasses import dataclass, replace
from pathlib import Path

from vtm_accel.analysis.pictures import read_pictures
from vtm_accel.analysis.records import pictures_record
from vtm_accel.batch.machine import machine_identity
from vtm_accel.batch.pinning import pinned_core
from vtm_accel.batch.store import ResultStore, input_fingerprint, point_key
from vtm_accel.challenge import backends
from vtm_accel.challenge.ratematch import match_rate
from vtm_accel.challenge.rules import (
    IRAP_TYPES,
    FrameLayout,
    check_decode,
    check_recon,
    coded_intra_period,
    frame_md5s,
)
from vtm_accel.codecs.base import Decoder, DecodeResult, EncodeJob, Encoder, EncodeResult
from vtm_accel.core import HarnessError, VideoInfo
from vtm_accel.metrics import bitrate_kbps, video_psnr

RECORD_VERSION = 3  # 2: the input's key hashes the whole file; 3: irap from the bitstream


@dataclass(frozen=True)
class PointTask:
    """Everything a worker needs to run one point (picklable)."""

    sequence: str
    role: str  # "anchor" or "candidate" (or "encode" for the single-point command)
    video: VideoInfo
    frames: int
    intra_period: int
    qp: int  # the nominal QP of the point (the rate point it belongs to)
    encoder_spec: str
    decoder_spec: str
    store_root: Path
    timeout_s: float | None = None
    qp_encode: int | None = None  # the QP actually coded (rate matching); default ``qp``
    qp_fraction: float = 0.0
    frame_skip: int = 0
    allow_nn_fallback: bool = False  # accept a point whose CNN fell back (not part of the key)

    @property
    def coded_qp(self) -> int:
        return self.qp if self.qp_encode is None else self.qp_encode


@dataclass(frozen=True)
class MatchTask:
    """A candidate point whose QP is searched until its rate is in the anchor's window."""

    point: PointTask
    target_kbps: float
    max_extra: int = 6


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _key_fields(task: PointTask, encoder_id: str, decoder_id: str) -> dict[str, object]:
    v = task.video
    return {
        "v": RECORD_VERSION,
        "input": input_fingerprint(v.path, task.store_root / "digests"),
        "container": v.container,
        "width": v.width,
        "height": v.height,
        "fps": v.fps,
        "bit_depth": v.bit_depth,
        "frames": task.frames,
        "frame_skip": task.frame_skip,
        "qp": task.coded_qp,
        "qp_fraction": task.qp_fraction,
        "intra_period": task.intra_period,
        "encoder": encoder_id,
        "decoder": decoder_id,
    }


def nn_verdict(nn: dict | None, allow_fallback: bool) -> dict | None:
    """Did the CNN that the encoder was asked to use run? None when none was asked for (or
    level 0, the exhaustive search). A fallback fails the point unless it is allowed: timed
    without its CNN, a candidate would be judged as something it is not."""
    if not nn or not nn.get("requested") or int(nn.get("level") or 0) <= 0:
        return None
    n, k = nn.get("pictures"), nn.get("predicted") or 0
    if not nn.get("fell_back"):
        return {"rule": "nn", "passed": True, "detail": f"the CNN answered for all {n} pictures"}
    detail = (
        f"the CNN answered for {k} of {n} pictures, the rest were searched exhaustively "
        f"({nn.get('reason') or 'no reason given'})"
    )
    if allow_fallback:
        return {"rule": "nn", "passed": True, "detail": f"{detail}; allowed"}
    return {"rule": "nn", "passed": False, "detail": f"{detail}; --allow-nn-fallback accepts it"}


def _decorate(record: dict, task: PointTask, cached: bool) -> dict:
    out = dict(record)
    out.update(sequence=task.sequence, role=task.role, qp=task.qp, cached=cached)
    return out


def _empty_record(task: PointTask) -> dict:
    return {
        "status": "failed",
        "stage": None,
        "error": None,
        "encoder": task.encoder_spec,
        "encoder_id": None,
        "decoder": task.decoder_spec,
        "decoder_id": None,
        "qp_used": task.coded_qp + task.qp_fraction,
        "intra_period": task.intra_period,
        "frames": task.frames,
        "frame_skip": task.frame_skip,
        "bytes": None,
        "kbps": None,
        "psnr_y": None,
        "psnr_u": None,
        "psnr_v": None,
        "psnr_yuv": None,
        "psnr_bit_depth": None,
        "psnr_peak": None,
        "cpu_s": None,
        "wall_s": None,
        "max_rss": None,
        "decode_cpu_s": None,
        "decode_wall_s": None,
        "bitstream": None,
        "decoded": None,
        "recon": None,
        "log": None,
        "core": None,
        "machine": None,
        "checks": {},
        "nn": None,
        "irap": None,
        "pictures": None,
        "key": None,
        "finished": None,
    }


def run_point(task: PointTask) -> dict:
    """Run (or fetch from the store) one point; returns its record (see docs/results-schema.md)."""
    rec = _empty_record(task)
    rec["stage"] = "setup"
    try:
        encoder = backends.make_encoder(task.encoder_spec)
        decoder = backends.make_decoder(task.decoder_spec)
        rec["encoder_id"] = encoder.identity()
        rec["decoder_id"] = backends.decoder_identity(decoder)
        store = ResultStore(task.store_root)
        key = point_key(_key_fields(task, rec["encoder_id"], rec["decoder_id"]))
        rec["key"] = key
        # one computation per key at a time (same point reached by two tasks): the second
        # waits, then finds the first one's record
        with store.key_lock(key):
            hit = store.get(key)
            if hit is not None and hit.get("status") == "ok":
                # a fallback stored when it was allowed is computed again when it is not
                nn = nn_verdict(hit.get("nn"), task.allow_nn_fallback)
                if nn is None or nn["passed"]:
                    if "pictures" not in hit:
                        _add_pictures(store, key, hit, task)
                    if nn is not None:
                        hit["checks"] = {**hit.get("checks", {}), "nn": nn}
                    return _decorate(hit, task, cached=True)
            _compute(task, rec, encoder, decoder, store.work_dir(key))
            if rec["status"] == "ok":
                store.put(key, rec)
    except HarnessError as e:
        rec["error"] = f"{rec['stage']} failed: {e}"
    except Exception as e:  # noqa: BLE001 - a point never takes the batch down
        rec["error"] = f"{rec['stage']} failed unexpectedly: {e!r}\n{traceback.format_exc(limit=5)}"
    return _decorate(rec, task, cached=False)


def _add_pictures(store: ResultStore, key: str, hit: dict, task: PointTask) -> None:
    """Give a stored record from before ``pictures`` existed its per-picture list, once: the
    list is written back (under the key's lock), so the next run reads it."""
    try:
        pictures = stored_pictures(hit, task)
    except (HarnessError, OSError):
        pictures = None
    hit["pictures"] = pictures
    if pictures is not None:
        store.put(key, hit)


def _compute(task: PointTask, rec: dict, encoder: Encoder, decoder: Decoder, work: Path) -> None:
    """Encode (timed, pinned to a free core), decode, measure, check; fills ``rec``."""
    work.mkdir(parents=True, exist_ok=True)
    with pinned_core() as core:
        rec["core"] = core
        rec["machine"] = machine_identity()  # a stored time is read with the machine it ran on
        job = EncodeJob(
            video=task.video,
            frames=task.frames,
            qp=task.coded_qp,
            intra_period=task.intra_period,
            out_dir=work,
            qp_fraction=task.qp_fraction,
            core=core,
            frame_skip=task.frame_skip,
        )
        rec["stage"] = "encode"
        enc = encoder.encode(job, timeout_s=task.timeout_s)
        _fill_encode(rec, enc, task)
        rec["stage"] = "decode"
        try:
            dec = decoder.decode(enc.bitstream, work / "decoded.yuv", timeout_s=task.timeout_s)
        except HarnessError as e:
            rec["checks"]["decodable"] = check_decode(task.frames, 0, str(e)).to_dict()
            raise
    rec["stage"] = "metrics"
    per_frame = _fill_decode(rec, enc, dec, task)
    rec["irap"], rec["pictures"] = picture_facts(enc.bitstream, per_frame)
    nn = nn_verdict(rec["nn"], task.allow_nn_fallback)
    if nn is not None:
        rec["checks"]["nn"] = nn
    rec["finished"] = _now()
    failed = [k for k, v in rec["checks"].items() if not v.get("passed")]
    if failed:
        rec["stage"] = "checks"
        rec["error"] = "; ".join(f"{k}: {rec['checks'][k]['detail']}" for k in failed)
    else:
        rec["status"] = "ok"
        rec["stage"] = None


def read_irap(bitstream: Path) -> dict:
    """Where a bitstream codes IRAP pictures (output order) and the intra period that makes
    (``rules.coded_intra_period``), read from its NAL unit types; rule 5 is judged on these."""
    return picture_facts(bitstream, None)[0]


def picture_facts(
    bitstream: Path, per_frame_psnr: list[tuple[float, float, float]] | None
) -> tuple[dict, dict | None]:
    """The record's ``irap`` and ``pictures`` fields from one read of the bitstream
    (``analysis.pictures``) and the per-frame PSNR of its decode (output order)."""
    try:
        pics = read_pictures(bitstream)
    except HarnessError as e:
        error = str(e).splitlines()[0]
        return {"error": error, "positions": None, "intra_period": None}, None
    flags = [p.nal_type in IRAP_TYPES for p in sorted(pics, key=lambda p: (p.cvs, p.poc))]
    irap = {
        "error": None,
        "pictures": len(pics),
        "positions": [i for i, f in enumerate(flags) if f],
        "intra_period": coded_intra_period(flags),
    }
    return irap, pictures_record(pics, per_frame_psnr)


def stored_pictures(rec: dict, task: PointTask) -> dict | None:
    """The ``pictures`` field of a stored record that lacks it (stored before the field
    existed), from its bitstream and decoded output in the store; None when they are gone."""
    stream = Path(rec["bitstream"]) if rec.get("bitstream") else None
    if stream is None or not stream.is_file():
        return None
    per_frame = None
    decoded = Path(rec["decoded"]) if rec.get("decoded") else None
    if decoded is not None and decoded.is_file() and rec.get("psnr_bit_depth"):
        v = task.video
        info = VideoInfo(decoded, v.width, v.height, v.fps, int(rec["psnr_bit_depth"]), "yuv")
        try:
            per_frame = video_psnr(
                v, info, frames=task.frames, start=task.frame_skip, keep_frames=True
            ).per_frame
        except HarnessError:
            per_frame = None  # the rows keep bits and QPs
    return picture_facts(stream, per_frame)[1]


def _fill_encode(rec: dict, enc: EncodeResult, task: PointTask) -> None:
    size = enc.bitstream.stat().st_size
    rec.update(
        qp_used=float(enc.qp_used),
        intra_period=int(enc.intra_period),
        bytes=size,
        kbps=bitrate_kbps(size, task.video.fps, task.frames),
        cpu_s=enc.stats.cpu_s,
        wall_s=enc.stats.wall_s,
        max_rss=enc.stats.max_rss,
        bitstream=str(enc.bitstream),
        recon=str(enc.recon) if enc.recon else None,
        log=str(enc.log) if enc.log else None,
        encoder_id=enc.encoder_id or rec["encoder_id"],
        nn=enc.extra.get("nn"),
    )


def _fill_decode(
    rec: dict, enc: EncodeResult, dec: DecodeResult, task: PointTask
) -> list[tuple[float, float, float]] | None:
    """Checks and PSNR of the decode; returns the per-frame PSNR (output order)."""
    rec.update(
        decoded=str(dec.decoded), decode_cpu_s=dec.stats.cpu_s, decode_wall_s=dec.stats.wall_s
    )
    rec["checks"]["decodable"] = check_decode(task.frames, dec.frames).to_dict()
    layout = FrameLayout(dec.width, dec.height, 1 if dec.bit_depth <= 8 else 2)
    decoded_md5 = frame_md5s(dec.decoded, layout)
    recon_md5 = frame_md5s(enc.recon, layout) if enc.recon and enc.recon.exists() else None
    rec["checks"]["recon_match"] = check_recon(recon_md5, decoded_md5).to_dict()
    n = min(dec.frames, task.frames)
    if n > 0:
        info = VideoInfo(
            path=dec.decoded,
            width=dec.width,
            height=dec.height,
            fps=task.video.fps,
            bit_depth=dec.bit_depth,
            container="yuv",
            num_frames=dec.frames,
        )
        p = video_psnr(task.video, info, frames=n, start=task.frame_skip, keep_frames=True)
        rec.update(
            psnr_y=p.y,
            psnr_u=p.u,
            psnr_v=p.v,
            psnr_yuv=p.yuv,
            psnr_bit_depth=p.bit_depth,
            psnr_peak=p.peak,
        )
        return p.per_frame
    return None


class _TrialFailed(Exception):
    def __init__(self, record: dict) -> None:
        super().__init__(record.get("error"))
        self.record = record


def run_matched_point(task: MatchTask) -> dict:
    """Search the candidate's QP (``challenge.ratematch``); every trial is a stored point."""
    probe = backends.make_encoder(task.point.encoder_spec)
    fractional = backends.supports_qp_fraction(probe)
    records: dict[tuple[int, float], dict] = {}

    def encode(qp: int, frac: float) -> float:
        rec = run_point(replace(task.point, qp_encode=qp, qp_fraction=frac))
        records[(qp, frac)] = rec
        if rec.get("kbps") is None or rec.get("status") != "ok":
            raise _TrialFailed(rec)
        return float(rec["kbps"])

    try:
        m = match_rate(
            encode,
            task.target_kbps,
            task.point.qp,
            max_extra=task.max_extra,
            fractional=fractional,
        )
    except _TrialFailed as e:
        rec = dict(e.record)
        rec["rate_match"] = {
            "target_kbps": task.target_kbps,
            "matched": False,
            "error": rec.get("error"),
            "trials": [
                {"qp": q, "qp_fraction": f, "kbps": r.get("kbps")} for (q, f), r in records.items()
            ],
        }
        return rec
    rec = dict(records[(m.qp, m.qp_fraction)])
    rec["rate_match"] = m.to_dict()
    return rec


def run_any(task: PointTask | MatchTask) -> dict:
    """Dispatch for the batch runners (one picklable entry point)."""
    if isinstance(task, MatchTask):
        return run_matched_point(task)
    return run_point(task)
