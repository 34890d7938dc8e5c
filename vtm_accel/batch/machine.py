"""Which machine timed a point: stored with every point record, because a stored CPU time is
only comparable with times measured on the same kind of machine (a shared store may hold
points that another host, or this one before a hardware change, computed)."""

from __future__ import annotations

import functools
import os
import platform
import socket
from pathlib import Path


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


@functools.cache
def machine_identity() -> dict[str, object]:
    """Host name, CPU model, logical CPU count, architecture and kernel of this machine."""
    return {
        "host": socket.gethostname(),
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "arch": platform.machine(),
        "kernel": platform.release(),
    }


def same_machine(a: dict | None, b: dict | None) -> bool:
    """Whether two identities name the same machine: host and CPU model (the kernel and the
    CPU count a container sees may change between runs on one host)."""
    if not a or not b:
        return False
    return a.get("host") == b.get("host") and a.get("cpu") == b.get("cpu")


def describe_machine(m: dict | None) -> str:
    """One short phrase: ``host (CPU model)``; ``unknown machine`` for records without one."""
    if not m:
        return "unknown machine"
    cpu = m.get("cpu")
    return f"{m.get('host')} ({cpu})" if cpu else str(m.get("host"))
