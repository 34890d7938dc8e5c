"""Which points of a run came from the point store instead of being computed by it, when and
where they were computed: a reused anchor's CPU time was measured then, on that machine, and
the time ratio compares it with times measured now."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from vtm_accel.batch.machine import describe_machine, same_machine
from vtm_accel.report.labels import short_label


def iter_records(results: dict) -> Iterator[tuple[str, int, str, dict]]:
    """(sequence, QP, role, record) of every point of a challenge or batch results document;
    role is anchor, candidate, reference (challenge) or the record's own (batch)."""
    for seq in results.get("sequences", []):
        name = str(seq.get("name"))
        for p in seq.get("points", []):
            qp = int(p.get("qp", 0))
            if "record" in p:  # batch: one encoder
                if p["record"]:
                    yield name, qp, str(p["record"].get("role", "batch")), p["record"]
                continue
            for role in ("anchor", "candidate"):
                if p.get(role):
                    yield name, qp, role, p[role]
            for r in p.get("references") or []:
                if r:
                    yield name, qp, "reference", r


def reuse_summary(records: Iterable[dict], here: dict) -> dict:
    """Counts over point records: how many, how many reused from the store, how many of those
    were timed on another machine than ``here``, and the span of their finishing times."""
    recs = [r for r in records if r]
    reused = [r for r in recs if r.get("cached")]
    times = sorted(str(r["finished"]) for r in reused if r.get("finished"))
    return {
        "points": len(recs),
        "reused": len(reused),
        "other_machine": sum(
            1 for r in reused if r.get("machine") and not same_machine(r["machine"], here)
        ),
        "earliest": times[0] if times else None,
        "latest": times[-1] if times else None,
    }


def reuse_line(results: dict) -> str | None:
    """The report's header line on reuse; None when nothing was reused."""
    s = (results.get("summary") or {}).get("reuse") or {}
    if not s.get("reused"):
        return None
    line = f"{s['reused']} of {s['points']} points, computed {s['earliest']}"
    if s.get("latest") != s.get("earliest"):
        line += f" to {s['latest']}"
    other = s.get("other_machine") or 0
    store = (results.get("config") or {}).get("store")
    line += f" (store {store})" if store else ""
    if other:
        line += f"; {other} timed on another machine than this run's: their CPU times compare "
        line += "with this run's only as far as the machines do"
    return line


def reuse_rows(results: dict) -> list[list[str]]:
    """One row per reused point: sequence, QP, role, encoder, when computed, where, CPU s."""
    here = (results.get("config") or {}).get("machine")
    rows = []
    for name, qp, role, rec in iter_records(results):
        if not rec.get("cached"):
            continue
        m = rec.get("machine")
        where = describe_machine(m)
        if m and not same_machine(m, here):
            where += " (another machine)"
        cpu = rec.get("cpu_s")
        rows.append(
            [
                name,
                str(qp),
                role,
                short_label(str(rec.get("encoder"))),
                str(rec.get("finished") or "-"),
                where,
                "-" if cpu is None else f"{cpu:.3f}",
            ]
        )
    return rows


REUSE_HEADER = ["sequence", "QP", "role", "encoder", "computed (UTC)", "machine", "CPU s"]
