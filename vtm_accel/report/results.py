"""results.json (schema in docs/results-schema.md) and results.csv: loading, saving, flattening."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from vtm_accel.batch.store import write_json_atomic
from vtm_accel.core import HarnessError
from vtm_accel.report.batch import BATCH_CSV_COLUMNS, BATCH_SCHEMA, is_batch, iter_batch_rows
from vtm_accel.report.render import nn_cell

SCHEMA = "vtm-accel/results/1"
ROLES = ("anchor", "candidate")

#: Columns of results.csv, one row per sequence x QP x encoder (role anchor, candidate or
#: reference; ``encoder`` is the spec, which tells references apart).
CSV_COLUMNS = (
    "sequence",
    "role",
    "qp",
    "qp_used",
    "status",
    "kbps",
    "psnr_y",
    "psnr_u",
    "psnr_v",
    "psnr_yuv",
    "cpu_s",
    "wall_s",
    "max_rss",
    "frames",
    "intra_period",
    "decodable",
    "recon_match",
    "rate_window",
    "time_ratio",
    "intra_period_check",
    "nn",
    "bitstream",
    "decoded",
    "error",
    "encoder",
)


def save_results(results: dict, out_dir: Path) -> Path:
    path = out_dir / "results.json"
    write_json_atomic(path, results)
    return path


def load_results(path: Path) -> dict:
    """Read results.json (or ``DIR/results.json``), checking the schema tag."""
    if path.is_dir():
        path = path / "results.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as e:
        raise HarnessError(
            f"{path} not found: run `vtm-accel challenge --out DIR` or `batch --out DIR` first"
        ) from e
    except (OSError, ValueError) as e:
        raise HarnessError(f"cannot read {path}: {e}") from e
    if not isinstance(data, dict) or data.get("schema") not in (SCHEMA, BATCH_SCHEMA):
        raise HarnessError(
            f"{path} is not a vtm-accel results file (schema {SCHEMA} or {BATCH_SCHEMA})"
        )
    return data


def iter_rows(results: dict) -> Iterator[dict[str, object]]:
    """Flatten results into the rows of results.csv."""
    cfg = results.get("config") or {}
    refs = list(cfg.get("references") or [])
    for seq in results.get("sequences", []):
        for point in seq.get("points", []):
            pair_checks = point.get("checks", {})
            ref_recs = list(point.get("references") or [])
            # the spec as the run named it (a stored record may spell the same encoder
            # otherwise: its key is the encoder's identity)
            sides = [(role, point.get(role) or {}, cfg.get(role)) for role in ROLES]
            sides += [
                ("reference", (ref_recs[i] if i < len(ref_recs) else None) or {}, spec)
                for i, spec in enumerate(refs)
            ]
            for role, rec, spec in sides:
                checks = rec.get("checks", {})

                def verdict(d: dict, name: str) -> str:
                    v = d.get(name)
                    if not v:
                        return ""
                    return "pass" if v.get("passed") else "fail"

                row: dict[str, object] = {c: rec.get(c, "") for c in CSV_COLUMNS}
                row.update(
                    sequence=seq.get("name", ""),
                    role=role,
                    qp=point.get("qp", ""),
                    decodable=verdict(checks, "decodable"),
                    recon_match=verdict(checks, "recon_match"),
                    rate_window=verdict(pair_checks, "rate_window") if role == "candidate" else "",
                    time_ratio=verdict(pair_checks, "time_ratio") if role == "candidate" else "",
                    intra_period_check=(
                        verdict(pair_checks, "intra_period") if role == "candidate" else ""
                    ),
                    nn=nn_cell(rec) if rec.get("nn") else "",
                    encoder=spec or rec.get("encoder"),
                )
                yield {k: ("" if v is None else v) for k, v in row.items()}


def write_csv(results: dict, out_dir: Path) -> Path:
    """results.csv; floats keep full precision (repr) so BD-rates recomputed from it match."""
    path = out_dir / "results.csv"
    tmp = path.with_suffix(".csv.tmp")
    batch = is_batch(results)
    with tmp.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(BATCH_CSV_COLUMNS if batch else CSV_COLUMNS))
        w.writeheader()
        for row in iter_batch_rows(results) if batch else iter_rows(results):
            w.writerow({k: repr(v) if isinstance(v, float) else v for k, v in row.items()})
    tmp.replace(path)
    return path
