"""``vtm-accel batch``: one encoder over a set of sequences at every QP, no anchor.

Every point goes through the challenge's own path (``challenge.points.run_point`` on
``batch.run_tasks``): the same store and key, so a later challenge finds these points as its
anchor's (and a batch resumes as a challenge does), the same timing, decoding and checks. The
results document has its own schema tag (docs/results-schema.md, "Batch results"); its points
carry one record each. The bitstreams are linked (copied across filesystems) into
``DIR/bitstreams/`` under readable names.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import vtm_accel
from vtm_accel.batch import run_tasks
from vtm_accel.batch.machine import machine_identity
from vtm_accel.batch.store import ResultStore, ensure_writable_dir, exclusive_out_dir
from vtm_accel.challenge import backends
from vtm_accel.challenge.points import PointTask, run_any
from vtm_accel.challenge.run import (
    DEFAULT_QPS,
    PSNR_CONVENTION,
    ChallengeOutcome,
    SequenceSpec,
    check_encoder,
    point_line,
    store_dir,
    validate_sequences,
)
from vtm_accel.core import HarnessError
from vtm_accel.report.batch import BATCH_SCHEMA
from vtm_accel.report.reuse import iter_records, reuse_summary

ROLE = "batch"  # the role of a batch's point records (the store key does not include it)
BITSTREAMS = "bitstreams"  # the report names it too (report.render.BITSTREAMS_DIR)


@dataclass(frozen=True)
class BatchConfig:
    encoder: str
    decoder: str = "ffmpeg"
    qps: tuple[int, ...] = DEFAULT_QPS
    jobs: int = 1
    scheduler: str | None = None
    timeout_s: float | None = None
    progress: bool = False
    allow_nn_fallback: bool = False
    point_lines: bool = False  # a line per finished point on stderr even without a terminal
    store: Path | None = None  # the point store shared between runs (default: the --out folder)


def bitstream_name(sequence: str, qp: int, source: Path) -> str:
    """``<sequence>_qp<QP><suffix of the encoder's bitstream>`` (.266 for every backend)."""
    return f"{sequence}_qp{qp}{source.suffix or '.266'}"


def publish_bitstream(source: Path, dest: Path) -> None:
    """Put a stored bitstream at ``dest``: a hard link where the store and ``--out`` share a
    filesystem (no copy of a store's worth of streams), else a copy; atomic either way."""
    tmp = dest.with_name(f".{dest.name}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copyfile(source, tmp)
    os.replace(tmp, dest)


def run_batch(
    sequences: Sequence[SequenceSpec], config: BatchConfig, out_dir: Path
) -> ChallengeOutcome:
    """Run (or resume) the batch and write results.json, results.csv, the reports, the RD
    plot and the bitstreams into ``out_dir``."""
    validate_sequences(sequences)
    if not config.qps:
        raise HarnessError("no QPs given (--qps)")
    ensure_writable_dir(out_dir)
    root = store_dir(config.store, out_dir)
    ids = {
        "encoder_identity": check_encoder("encoder", config.encoder, sequences),
        "decoder_identity": backends.decoder_identity(backends.make_decoder(config.decoder)),
    }
    with exclusive_out_dir(out_dir):
        return _run(sequences, config, out_dir, ResultStore(root), ids)


def _run(
    sequences: Sequence[SequenceSpec],
    config: BatchConfig,
    out_dir: Path,
    store: ResultStore,
    ids: dict[str, object],
) -> ChallengeOutcome:
    from vtm_accel.report import write_reports

    tasks: list[PointTask] = [
        PointTask(
            sequence=s.name,
            role=ROLE,
            video=s.video,
            frames=s.frames,
            intra_period=s.intra_period,
            frame_skip=s.frame_skip,
            qp=qp,
            encoder_spec=config.encoder,
            decoder_spec=config.decoder,
            store_root=store.root,
            timeout_s=config.timeout_s,
            allow_nn_fallback=config.allow_nn_fallback,
        )
        for s in sequences
        for qp in config.qps
    ]
    recs = run_tasks(
        run_any,
        tasks,
        jobs=config.jobs,
        scheduler=config.scheduler,
        progress=config.progress,
        description="encode+decode",
        describe=point_line,
        lines=config.point_lines,
    )
    records = {(r["sequence"], r["qp"]): r for r in recs}
    streams = out_dir / BITSTREAMS
    streams.mkdir(exist_ok=True)
    published: dict[tuple[str, int], str] = {}
    for (name, qp), r in records.items():
        if r.get("status") == "ok" and r.get("bitstream"):
            src = Path(r["bitstream"])
            dest = streams / bitstream_name(name, qp, src)
            publish_bitstream(src, dest)
            published[(name, qp)] = str(dest.relative_to(out_dir))
    ids = {**ids, "store": str(store.root), "machine": machine_identity()}
    results = assemble_batch(sequences, config, records, ids, published)
    files = write_reports(results, out_dir)
    return ChallengeOutcome(
        results, out_dir, {k: str(v) for k, v in asdict(files).items() if isinstance(v, Path)}
    )


def _total(recs: Sequence[dict], key: str) -> float | None:
    vals = [r.get(key) for r in recs]
    return None if not vals or None in vals else float(sum(vals))


def assemble_batch(
    sequences: Sequence[SequenceSpec],
    config: BatchConfig,
    records: dict[tuple[str, int], dict],
    identities: dict[str, object],
    bitstreams: dict[tuple[str, int], str] | None = None,
) -> dict:
    """The batch results document from point records by (sequence, QP) (pure)."""
    streams = bitstreams or {}
    seqs_out = []
    for seq in sequences:
        points = []
        for qp in config.qps:
            rec = records.get((seq.name, qp)) or {}
            points.append(
                {"qp": qp, "record": rec or None, "bitstream": streams.get((seq.name, qp))}
            )
        recs = [p["record"] or {} for p in points]
        seqs_out.append(
            {
                **seq.fields(),
                "points": points,
                "failed_points": sum(1 for r in recs if r.get("status") != "ok"),
                "cpu_s": _total(recs, "cpu_s"),
                "decode_cpu_s": _total(recs, "decode_cpu_s"),
            }
        )
    failed = sum(s["failed_points"] for s in seqs_out)
    all_recs = [r for *_, r in iter_records({"sequences": seqs_out})]
    return {
        "schema": BATCH_SCHEMA,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "tool": {"name": "vtm-accel", "version": getattr(vtm_accel, "__version__", "unknown")},
        "config": {
            "encoder": config.encoder,
            "decoder": config.decoder,
            "qps": list(config.qps),
            "timeout_s": config.timeout_s,
            "allow_nn_fallback": config.allow_nn_fallback,
            **identities,
        },
        "psnr": {"convention": PSNR_CONVENTION, "peak": "2^B-1", "yuv_weights": [6, 1, 1]},
        "sequences": seqs_out,
        "summary": {
            "sequences": len(seqs_out),
            "points": len(seqs_out) * len(config.qps),
            "failed_points": failed,
            "cpu_s": _total([{"cpu_s": s["cpu_s"]} for s in seqs_out], "cpu_s"),
            "decode_cpu_s": _total(
                [{"decode_cpu_s": s["decode_cpu_s"]} for s in seqs_out], "decode_cpu_s"
            ),
            "passed": failed == 0,
            "reuse": reuse_summary(all_recs, identities.get("machine") or {}),
        },
    }
