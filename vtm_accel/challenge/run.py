"""The challenge pipeline: sequences x QPs x {anchor, candidate} -> checks, BD-rates, reports.

Phase 1 runs every anchor point (and every candidate point when rates are not matched) as
independent tasks; with ``--match-anchor`` phase 2 runs each candidate point as a QP search
towards its anchor's rate. Points are stored as they finish (``batch.store``), so an interrupted
run resumes where it stopped. ``assemble`` turns the point records into results.json (schema in
docs/results-schema.md) and is pure: reports can be rebuilt from stored results.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import vtm_accel
from vtm_accel.batch import run_tasks
from vtm_accel.batch.store import ResultStore, ensure_writable_dir, exclusive_out_dir
from vtm_accel.challenge import backends
from vtm_accel.challenge.points import MatchTask, PointTask, run_any
from vtm_accel.challenge.rules import (
    RULES,
    IntraPeriodVerdict,
    RuleSummary,
    check_intra_period,
    check_rate,
    check_time,
    unmeasured_intra_period,
)
from vtm_accel.codecs.base import HarnessError, VideoInfo
from vtm_accel.report import write_reports
from vtm_accel.report.results import SCHEMA

DEFAULT_QPS: tuple[int, ...] = (22, 27, 32, 37)
PSNR_CONVENTION = (
    "PSNR per component between source and decoded output at the decoded bit depth B "
    "(lower-bit sources scaled up by left shift), peak 2^B-1 (1023 at 10 bits; VTM uses 1020), "
    "mean over frames of frame PSNR, a lossless plane of N samples counting as "
    "10*log10(peak^2*N) (one sample off by one; not 999.99); PSNR-YUV = (6*Y+U+V)/8; "
    "BD-rate/BD-PSNR by pchip (bjontegaard) on PSNR-YUV, points that add rate without adding "
    "PSNR dropped; kbps = bytes*8*fps/frames/1000"
)


@dataclass(frozen=True)
class SequenceSpec:
    """One test sequence: the source, how many frames to code and the intra period."""

    name: str
    video: VideoInfo
    frames: int
    intra_period: int
    frame_skip: int = 0  # source frames skipped before the first coded one


@dataclass(frozen=True)
class ChallengeConfig:
    anchor: str
    candidate: str
    decoder: str = "ffmpeg"
    qps: tuple[int, ...] = DEFAULT_QPS
    match_anchor: bool = False
    jobs: int = 1
    scheduler: str | None = None
    timeout_s: float | None = None
    max_extra_encodes: int = 6
    progress: bool = False
    allow_nn_fallback: bool = False  # accept points whose CNN fell back to the full search


@dataclass
class ChallengeOutcome:
    results: dict
    out_dir: Path
    files: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return bool(self.results["summary"]["passed"])


def default_intra_period(fps: float) -> int:
    """JVET CTC random access: 32 for <= 30 fps, 48 for 50 fps, 64 for 60 fps (about 1 s)."""
    from vtm_accel.sequences import ctc_intra_period

    return ctc_intra_period(fps)


def validate_sequences(sequences: Sequence[SequenceSpec]) -> None:
    if not sequences:
        raise HarnessError("the sequence list is empty")
    names = [s.name for s in sequences]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise HarnessError(f"duplicate sequence names in the list: {', '.join(dup)}")
    for s in sequences:
        if s.frames <= 0:
            raise HarnessError(f"sequence {s.name}: frames must be positive, got {s.frames}")
        have = s.video.num_frames
        if have is not None and have < s.frame_skip + s.frames:
            raise HarnessError(
                f"sequence {s.name}: {s.video.path} has {have} frames, "
                f"{s.frames} requested after skipping {s.frame_skip}"
            )


def check_backends(
    config: ChallengeConfig, sequences: Sequence[SequenceSpec] = ()
) -> dict[str, str]:
    """Build every backend once up front, so a missing binary stops the run with a clear error,
    and check every sequence against every encoder, so a source one of them cannot code stops
    the run before the first encode rather than after hours of others."""
    ids = {}
    for role in ("anchor", "candidate"):
        spec = getattr(config, role)
        encoder = backends.make_encoder(spec)
        ids[f"{role}_identity"] = encoder.identity()
        for s in sequences:
            try:
                backends.check_input(encoder, s.video, s.frames, s.intra_period)
            except HarnessError as e:
                raise HarnessError(f"sequence {s.name} ({role} {spec}): {e}") from e
    ids["decoder_identity"] = backends.decoder_identity(backends.make_decoder(config.decoder))
    return ids


def run_challenge(
    sequences: Sequence[SequenceSpec], config: ChallengeConfig, out_dir: Path
) -> ChallengeOutcome:
    """Run (or resume) the whole challenge and write every report into ``out_dir``."""
    validate_sequences(sequences)
    if not config.qps:
        raise HarnessError("no QPs given (--qps)")
    ensure_writable_dir(out_dir)
    ids = check_backends(config, sequences)
    with exclusive_out_dir(out_dir):
        return _run(sequences, config, out_dir, ids)


def _run(
    sequences: Sequence[SequenceSpec], config: ChallengeConfig, out_dir: Path, ids: dict[str, str]
) -> ChallengeOutcome:
    store = ResultStore(out_dir)

    def task(seq: SequenceSpec, role: str, qp: int) -> PointTask:
        return PointTask(
            sequence=seq.name,
            role=role,
            video=seq.video,
            frames=seq.frames,
            intra_period=seq.intra_period,
            frame_skip=seq.frame_skip,
            qp=qp,
            encoder_spec=getattr(config, role),
            decoder_spec=config.decoder,
            store_root=store.root,
            timeout_s=config.timeout_s,
            allow_nn_fallback=config.allow_nn_fallback,
        )

    grid = [(s, qp) for s in sequences for qp in config.qps]
    phase1: list[PointTask | MatchTask] = [task(s, "anchor", qp) for s, qp in grid]
    same = config.anchor == config.candidate  # same key: never run one point twice at once
    if not config.match_anchor and not same:
        phase1 += [task(s, "candidate", qp) for s, qp in grid]
    recs = run_tasks(
        run_any,
        phase1,
        jobs=config.jobs,
        scheduler=config.scheduler,
        progress=config.progress,
        description="encode+decode",
    )
    records: dict[tuple[str, int, str], dict] = {
        (r["sequence"], r["qp"], r["role"]): r for r in recs
    }
    if same and not config.match_anchor:
        for (name, qp, _), r in list(records.items()):
            records[(name, qp, "candidate")] = {**r, "role": "candidate"}
    if config.match_anchor:
        phase2: list[PointTask | MatchTask] = []
        for s, qp in grid:
            a = records[(s.name, qp, "anchor")]
            if a.get("status") == "ok" and a.get("kbps"):
                phase2.append(
                    MatchTask(task(s, "candidate", qp), a["kbps"], config.max_extra_encodes)
                )
            else:
                phase2.append(task(s, "candidate", qp))
        for r in run_tasks(
            run_any,
            phase2,
            jobs=config.jobs,
            scheduler=config.scheduler,
            progress=config.progress,
            description="rate matching",
        ):
            records[(r["sequence"], r["qp"], r["role"])] = r
    results = assemble(sequences, config, records, ids)
    files = write_reports(results, out_dir)
    return ChallengeOutcome(
        results, out_dir, {k: str(v) for k, v in asdict(files).items() if v is not None}
    )


def _bd(points: list[dict]) -> tuple[float | None, float | None, str | None]:
    from vtm_accel.metrics import bd_psnr, bd_rate

    ok = [
        p
        for p in points
        if all((p.get(r) or {}).get("status") == "ok" for r in ("anchor", "candidate"))
    ]
    if len(ok) < 2 or len(ok) < len(points):
        return None, None, f"BD needs every rate point; {len(points) - len(ok)} failed"
    curves = [
        ([p[r]["kbps"] for p in ok], [p[r]["psnr_yuv"] for p in ok])
        for r in ("anchor", "candidate")
    ]
    try:
        rate = bd_rate(*curves[0], *curves[1])
        psnr = bd_psnr(*curves[0], *curves[1])
    except (HarnessError, ValueError) as e:
        return None, None, f"BD failed: {e}"
    if math.isnan(rate) or math.isnan(psnr):
        return None, None, "BD undefined (curves do not overlap)"
    return rate, psnr, None


def _intra_period_verdict(anchor: dict, candidate: dict) -> IntraPeriodVerdict:
    """Rule 5 on what the two bitstreams code; it fails when either could not be read."""
    got = [(r.get("irap") or {}).get("intra_period") for r in (candidate, anchor)]
    if None in got:
        why = "; ".join(
            f"{role}: {(r.get('irap') or {}).get('error') or 'not read'}"
            for role, r in (("candidate", candidate), ("anchor", anchor))
            if (r.get("irap") or {}).get("intra_period") is None
        )
        return unmeasured_intra_period(f"IRAP positions unknown ({why})")
    return check_intra_period(int(got[0]), int(got[1]), measured=True)


def assemble(
    sequences: Sequence[SequenceSpec],
    config: ChallengeConfig,
    records: dict[tuple[str, int, str], dict],
    identities: dict[str, str],
) -> dict:
    """Build the results.json document from point records (pure)."""
    summaries = {r: RuleSummary(r, True) for r in RULES}

    def note(name: str, passed: bool, where: str) -> None:
        s = summaries[name]
        s.checked += 1
        if not passed:
            s.failed += 1
            s.passed = False
            s.failures.append(where)

    seqs_out = []
    total_a = total_c = 0.0
    for seq in sequences:
        points = []
        seq_a = seq_c = 0.0
        for qp in config.qps:
            a = records.get((seq.name, qp, "anchor")) or {}
            c = records.get((seq.name, qp, "candidate")) or {}
            where = f"{seq.name} QP{qp}"
            checks: dict[str, dict] = {}
            for role, rec in (("anchor", a), ("candidate", c)):
                if "decodable" not in (rec.get("checks") or {}):  # no bitstream to decode
                    note("decodable", False, f"{where} {role}: {rec.get('error') or 'missing'}")
                for name in ("decodable", "recon_match"):
                    v = (rec.get("checks") or {}).get(name)
                    if v is not None and v.get("compared", True):  # recon: only when written
                        note(name, bool(v["passed"]), f"{where} {role}: {v['detail']}")
            if a.get("kbps") is not None and c.get("kbps") is not None:
                v = check_rate(c["kbps"], a["kbps"])
                checks["rate_window"] = v.to_dict()
                note("rate_window", v.passed, f"{where}: {v.detail}")
            else:
                note("rate_window", False, f"{where}: no rate (failed point)")
            if a.get("cpu_s") is not None and c.get("cpu_s") is not None:
                checks["time_ratio"] = check_time(c["cpu_s"], a["cpu_s"]).to_dict()
                seq_a += a["cpu_s"]
                seq_c += c["cpu_s"]
            if a.get("bitstream") and c.get("bitstream"):
                v = _intra_period_verdict(a, c)
                checks["intra_period"] = v.to_dict()
                note("intra_period", v.passed, f"{where}: {v.detail}")
            points.append({"qp": qp, "anchor": a or None, "candidate": c or None, "checks": checks})
        rate, psnr, err = _bd(points)
        t = check_time(seq_c, seq_a)
        total_a += seq_a
        total_c += seq_c
        seqs_out.append(
            {
                "name": seq.name,
                "input": str(seq.video.path),
                "width": seq.video.width,
                "height": seq.video.height,
                "fps": seq.video.fps,
                "bit_depth": seq.video.bit_depth,
                "frames": seq.frames,
                "frame_skip": seq.frame_skip,
                "intra_period": seq.intra_period,
                "points": points,
                "bd_rate": rate,
                "bd_psnr": psnr,
                "bd_error": err,
                "time": t.to_dict(),
            }
        )
    total = check_time(total_c, total_a)
    summaries["time_ratio"].checked = 1
    summaries["time_ratio"].passed = total.passed
    summaries["time_ratio"].failed = 0 if total.passed else 1
    if not total.passed:
        summaries["time_ratio"].failures.append(f"total: {total.detail}")
    bds = [s["bd_rate"] for s in seqs_out if s["bd_rate"] is not None]
    bdp = [s["bd_psnr"] for s in seqs_out if s["bd_psnr"] is not None]
    complete = len(bds) == len(seqs_out)
    failed_points = sum(
        1
        for s in seqs_out
        for p in s["points"]
        for r in ("anchor", "candidate")
        if (p.get(r) or {}).get("status") != "ok"
    )
    return {
        "schema": SCHEMA,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "tool": {"name": "vtm-accel", "version": getattr(vtm_accel, "__version__", "unknown")},
        "config": {
            "anchor": config.anchor,
            "candidate": config.candidate,
            "decoder": config.decoder,
            "qps": list(config.qps),
            "match_anchor": config.match_anchor,
            "max_extra_encodes": config.max_extra_encodes,
            "timeout_s": config.timeout_s,
            "allow_nn_fallback": config.allow_nn_fallback,
            **identities,
        },
        "psnr": {"convention": PSNR_CONVENTION, "peak": "2^B-1", "yuv_weights": [6, 1, 1]},
        "sequences": seqs_out,
        "summary": {
            "bd_rate": sum(bds) / len(bds) if bds else None,
            "bd_psnr": sum(bdp) / len(bdp) if bdp else None,
            "bd_complete": complete,
            "sequences": len(seqs_out),
            "failed_points": failed_points,
            "time": total.to_dict(),
            "rules": {k: v.to_dict() for k, v in summaries.items()},
            "passed": all(v.passed for v in summaries.values()) and complete,
        },
    }
