"""The challenge pipeline: sequences x QPs x {anchor, candidate} -> checks, BD-rates, reports.

Phase 1 runs every anchor point, every ``--reference`` point (and every candidate point when
rates are not matched) as independent tasks; with ``--match-anchor`` phase 2 runs each candidate
point as a QP search towards its anchor's rate. Reference encoders are coded, decoded and
checked like the others and get a BD-rate against the anchor, but stand outside the five rules:
they are there to be compared with, never to fail the run. Points are stored as they finish
(``batch.store``), so an interrupted run resumes where it stopped. ``assemble`` turns the point
records into results.json (schema in docs/results-schema.md) and is pure: reports can be rebuilt
from stored results.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import vtm_accel
from vtm_accel.batch import run_tasks
from vtm_accel.batch.machine import machine_identity
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
from vtm_accel.core import HarnessError, VideoInfo
from vtm_accel.report import write_reports
from vtm_accel.report.results import SCHEMA
from vtm_accel.report.reuse import iter_records, reuse_summary

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

    def fields(self) -> dict:
        """What a results document says of the sequence: name, source, geometry, frames."""
        v = self.video
        return {
            "name": self.name,
            "input": str(v.path),
            "width": v.width,
            "height": v.height,
            "fps": v.fps,
            "bit_depth": v.bit_depth,
            "frames": self.frames,
            "frame_skip": self.frame_skip,
            "intra_period": self.intra_period,
        }


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
    references: tuple[str, ...] = ()  # encoders compared with the anchor, outside the rules
    point_lines: bool = False  # a line per finished point on stderr even without a terminal
    store: Path | None = None  # the point store shared between runs (default: the --out folder)


@dataclass
class ChallengeOutcome:
    """What a run writes and returns: its results (results.json), its folder and the files its
    reports wrote; the batch command returns the same."""

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


def validate_references(config: ChallengeConfig) -> None:
    """A reference is a third encoder: the same spec twice, or the anchor's or the candidate's
    spec again, would only code the same points twice under another name."""
    seen: set[str] = set()
    for spec in config.references:
        if not spec.strip():
            raise HarnessError("--reference needs an encoder spec, e.g. --reference vvenc:slower")
        for role in ("anchor", "candidate"):
            if spec == getattr(config, role):
                raise HarnessError(f"--reference {spec} is the {role} already; drop it")
        if spec in seen:
            raise HarnessError(f"--reference {spec} is given twice")
        seen.add(spec)


def check_encoder(role: str, spec: str, sequences: Sequence[SequenceSpec] = ()) -> str:
    """Build one encoder (a missing binary stops the run with a clear error) and check every
    sequence against it, so a source it cannot code stops the run before the first encode
    rather than after hours of others; returns its identity."""
    encoder = backends.make_encoder(spec)
    for s in sequences:
        try:
            backends.check_input(encoder, s.video, s.frames, s.intra_period)
        except HarnessError as e:
            raise HarnessError(f"sequence {s.name} ({role} {spec}): {e}") from e
    return encoder.identity()


def check_backends(
    config: ChallengeConfig, sequences: Sequence[SequenceSpec] = ()
) -> dict[str, object]:
    """``check_encoder`` for every encoder of the run (references included: a typo in one is
    bad input, not a reference that failed), and the decoder."""
    ids: dict[str, object] = {
        f"{role}_identity": check_encoder(role, getattr(config, role), sequences)
        for role in ("anchor", "candidate")
    }
    ids["decoder_identity"] = backends.decoder_identity(backends.make_decoder(config.decoder))
    ids["reference_identities"] = [
        check_encoder("reference", spec, sequences) for spec in config.references
    ]
    return ids


def point_line(rec: dict) -> str:
    """One finished point for the progress display: where, what, rate, quality, time, verdict."""
    from vtm_accel.report.labels import short_label

    role = str(rec.get("role"))
    who = f"{role} {short_label(str(rec.get('encoder')))}"
    used = rec.get("qp_used")
    qp = f"QP{rec.get('qp')}"
    if used is not None and float(used) != float(rec.get("qp") or 0):
        qp += f" (coded at {float(used):g})"
    if rec.get("status") == "ok":
        what = (
            f"{rec.get('kbps'):.1f} kbps, {rec.get('psnr_yuv'):.2f} dB PSNR-YUV, "
            f"{rec.get('cpu_s'):.1f} s CPU"
        )
        what += ", stored earlier" if rec.get("cached") else ""
    else:
        first = (str(rec.get("error") or "").splitlines() or [""])[0]
        what = f"FAILED ({first})" if first else "FAILED"
    return f"{rec.get('sequence')} {qp} {who}: {what}"


def store_dir(store: Path | None, out_dir: Path) -> Path:
    """The point store's root: ``--store DIR`` (absolute, so the records' file paths hold from
    any working directory of the runs that share it) or the output folder itself."""
    if store is None:
        return out_dir
    return ensure_writable_dir(store.resolve(), flag="--store")


def run_challenge(
    sequences: Sequence[SequenceSpec], config: ChallengeConfig, out_dir: Path
) -> ChallengeOutcome:
    """Run (or resume) the whole challenge and write every report into ``out_dir``."""
    validate_sequences(sequences)
    if not config.qps:
        raise HarnessError("no QPs given (--qps)")
    validate_references(config)
    ensure_writable_dir(out_dir)
    store_dir(config.store, out_dir)
    ids = check_backends(config, sequences)
    with exclusive_out_dir(out_dir):
        return _run(sequences, config, out_dir, ids)


def _run(
    sequences: Sequence[SequenceSpec],
    config: ChallengeConfig,
    out_dir: Path,
    ids: dict[str, object],
) -> ChallengeOutcome:
    store = ResultStore(store_dir(config.store, out_dir))

    def task(seq: SequenceSpec, role: str, qp: int, spec: str | None = None) -> PointTask:
        return PointTask(
            sequence=seq.name,
            role=role,
            video=seq.video,
            frames=seq.frames,
            intra_period=seq.intra_period,
            frame_skip=seq.frame_skip,
            qp=qp,
            encoder_spec=spec if spec is not None else getattr(config, role),
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
    # references in phase 1: they need no anchor rate, and they fill the cores beside it
    ref_slots = [(s.name, qp, i) for i in range(len(config.references)) for s, qp in grid]
    n_main = len(phase1)
    phase1 += [task(s, "reference", qp, spec) for spec in config.references for s, qp in grid]
    progress = {
        "jobs": config.jobs,
        "scheduler": config.scheduler,
        "progress": config.progress,
        "describe": point_line,
        "lines": config.point_lines,
    }
    recs = run_tasks(run_any, phase1, description="encode+decode", **progress)
    records: dict[tuple[str, int, str], dict] = {
        (r["sequence"], r["qp"], r["role"]): r for r in recs[:n_main]
    }
    # by slot, not by the record's spec: a stored record may carry another spelling of the
    # same encoder (the key is its identity)
    ref_records = dict(zip(ref_slots, recs[n_main:], strict=True))
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
        for r in run_tasks(run_any, phase2, description="rate matching", **progress):
            records[(r["sequence"], r["qp"], r["role"])] = r
    ids = {**ids, "store": str(store.root), "machine": machine_identity()}
    results = assemble(sequences, config, records, ids, ref_records)
    files = write_reports(results, out_dir)
    return ChallengeOutcome(
        results, out_dir, {k: str(v) for k, v in asdict(files).items() if isinstance(v, Path)}
    )


def _bd(pairs: Sequence[tuple[dict, dict]]) -> tuple[float | None, float | None, str | None]:
    """BD-rate and BD-PSNR of the test curve against the anchor's, from (anchor, test) point
    records per QP; None with the reason when a point failed or the curves do not overlap."""
    from vtm_accel.metrics import bd_psnr, bd_rate

    ok = [(a, t) for a, t in pairs if a.get("status") == "ok" and t.get("status") == "ok"]
    if len(ok) < 2 or len(ok) < len(pairs):
        return None, None, f"BD needs every rate point; {len(pairs) - len(ok)} failed"
    curves = [([p[side]["kbps"] for p in ok], [p[side]["psnr_yuv"] for p in ok]) for side in (0, 1)]
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


def _cpu(recs: Iterable[dict]) -> float | None:
    """Total encoder CPU time of the records, None when one of them has none."""
    total = 0.0
    seen = False
    for r in recs:
        t = r.get("cpu_s")
        if t is None:
            return None
        total, seen = total + float(t), True
    return total if seen else None


def _reference_summary(
    spec: str, pairs: Sequence[tuple[dict, dict]], bd: tuple[float | None, ...]
) -> dict:
    """A reference encoder against the anchor over some points: BD, CPU time, failed points
    (informational: outside the rules)."""
    a_cpu, r_cpu = _cpu(a for a, _ in pairs), _cpu(r for _, r in pairs)
    return {
        "encoder": spec,
        "bd_rate": bd[0],
        "bd_psnr": bd[1],
        "failed_points": sum(1 for _, r in pairs if r.get("status") != "ok"),
        "cpu_s": r_cpu,
        "anchor_cpu_s": a_cpu,
        "cpu_ratio": r_cpu / a_cpu if r_cpu is not None and a_cpu else None,
    }


def assemble(
    sequences: Sequence[SequenceSpec],
    config: ChallengeConfig,
    records: dict[tuple[str, int, str], dict],
    identities: dict[str, object],
    reference_records: dict[tuple[str, int, int], dict] | None = None,
) -> dict:
    """Build the results.json document from point records (pure); ``reference_records`` by
    (sequence, QP, index of the reference in ``config.references``)."""
    refs = reference_records or {}
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
            points.append(
                {
                    "qp": qp,
                    "anchor": a or None,
                    "candidate": c or None,
                    "checks": checks,
                    "references": [
                        refs.get((seq.name, qp, i)) for i in range(len(config.references))
                    ],
                }
            )
        rate, psnr, err = _bd([(p["anchor"] or {}, p["candidate"] or {}) for p in points])
        seq_refs = []
        for i, spec in enumerate(config.references):
            pairs = [(p["anchor"] or {}, p["references"][i] or {}) for p in points]
            bd = _bd(pairs)
            seq_refs.append({**_reference_summary(spec, pairs, bd), "bd_error": bd[2]})
        t = check_time(seq_c, seq_a)
        total_a += seq_a
        total_c += seq_c
        seqs_out.append(
            {
                **seq.fields(),
                "points": points,
                "bd_rate": rate,
                "bd_psnr": psnr,
                "bd_error": err,
                "time": t.to_dict(),
                "references": seq_refs,
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
    ref_summaries = []
    for i, spec in enumerate(config.references):
        per_seq = [s["references"][i] for s in seqs_out]
        pairs = [
            (p["anchor"] or {}, p["references"][i] or {}) for s in seqs_out for p in s["points"]
        ]
        rbd = [r["bd_rate"] for r in per_seq if r["bd_rate"] is not None]
        rbp = [r["bd_psnr"] for r in per_seq if r["bd_psnr"] is not None]
        mean = (sum(rbd) / len(rbd) if rbd else None, sum(rbp) / len(rbp) if rbp else None)
        ref_summaries.append(
            {**_reference_summary(spec, pairs, mean), "bd_complete": len(rbd) == len(per_seq)}
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
            "references": list(config.references),
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
            # references are outside the rules: a failed reference point never fails the run
            "passed": all(v.passed for v in summaries.values()) and complete,
            "references": ref_summaries,
            "reuse": reuse_summary(
                (r for *_, r in iter_records({"sequences": seqs_out})),
                identities.get("machine") or {},
            ),
        },
    }
