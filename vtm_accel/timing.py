"""Run one external program the way the challenge times encoders.

- argv list, never a shell; stdout and stderr go to a log file (kept whole) and the last lines
  are kept as ``RunStats.log_tail`` for error messages;
- pinned to one CPU core when ``core`` is given (``os.sched_setaffinity`` in the child before
  exec, so every thread and descendant inherits it); ``core=None`` leaves the affinity alone;
- single-threaded libraries: OMP/MKL/OpenBLAS/numexpr/TBB thread counts forced to 1 in the
  child's environment (unless the caller's ``env`` sets them);
- its own session / process group; on timeout, and when the harness is interrupted (Ctrl-C,
  SIGTERM), the group gets SIGTERM, then SIGKILL after ``STOP_GRACE_S`` (time for an engine to
  remove its shared memory and reap its predictor service), and ``RunTimeout`` (or the
  interrupt) is raised; processes left in the group after the main child exits are killed too;
- the child dies with the thread that started it (``procs.die_with_parent``): a harness killed
  with SIGKILL leaves no encoder running on a core whose lock it no longer holds;
- CPU time = user + sys of the whole process tree, from ``os.wait4`` on the child: the kernel
  adds to a process's rusage the rusage of every descendant it (recursively) waited for, so an
  encoder that runs helpers and waits for them is fully counted. ``RUSAGE_CHILDREN`` deltas are
  NOT used: they are process-wide and would mix concurrent runs of a threaded orchestrator.
  A descendant that is orphaned (its parent never waits for it) is not counted; the test-suite
  checks that a waited-for grandchild is.
- max RSS = ``ru_maxrss`` from the same wait4: the peak of the largest single process in that
  tree (bytes).

Public API:
- ``single_thread_env(base=None) -> dict[str, str]``
- ``available_cores() -> list[int]``
- ``run_timed(argv, log_path, core=None, timeout_s=None, env=None, cwd=None, check=True,
  tail_lines=40) -> RunStats``
- exceptions ``RunFailed(HarnessError)`` (non-zero exit, has ``.stats``) and
  ``RunTimeout(HarnessError)`` (has ``.stats``)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from vtm_accel.core import HarnessError, RunStats
from vtm_accel.procs import die_with_parent, die_with_parent_supported, raise_if_stopped

_THREAD_VARS = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "TBB_NUM_THREADS",
    "BLIS_NUM_THREADS",
)


class RunFailed(HarnessError):
    """The program exited with a non-zero status."""

    def __init__(self, message: str, stats: RunStats) -> None:
        super().__init__(message)
        self.stats = stats


class RunTimeout(HarnessError):
    """The program ran past its time limit and its process group was killed."""

    def __init__(self, message: str, stats: RunStats) -> None:
        super().__init__(message)
        self.stats = stats


def single_thread_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """A copy of ``base`` (default: os.environ) with thread-pool sizes set to 1."""
    env = dict(os.environ if base is None else base)
    for var in _THREAD_VARS:
        env.setdefault(var, "1")
    return env


def available_cores() -> list[int]:
    """CPU cores this process may run on (pin each concurrent job to a different one)."""
    return sorted(os.sched_getaffinity(0))


def _tail(path: Path, lines: int, max_bytes: int = 16384) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - max_bytes))
            data = fh.read()
    except OSError:
        return ""
    text = data.decode("utf-8", "replace").replace("\r", "\n")
    return "\n".join(text.splitlines()[-lines:])


STOP_GRACE_S = 2.0


def _kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# A guard per run: it waits for SIGTERM, the signal it gets when the thread that ran the encoder
# ends (the harness killed, even with SIGKILL), then kills the encoder's whole process group.
# The encoder itself dies with that thread too, but its own children (a predictor service, the
# programs a script starts) would not: the parent-death signal is not inherited across fork.
_GUARD = (
    "import os,signal,sys\n"
    "signal.sigwait({signal.SIGTERM})\n"
    "try:\n os.killpg(int(sys.argv[1]),signal.SIGKILL)\n"
    "except OSError:\n pass\n"
)


def _start_guard(pgid: int, parent: int) -> subprocess.Popen[bytes] | None:
    def setup() -> None:
        # blocked before exec, so a SIGTERM that comes during start-up waits for sigwait
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        die_with_parent(parent, signal.SIGTERM)

    if not die_with_parent_supported():
        return None
    try:
        return subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _GUARD, str(pgid)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # no Ctrl-C from the terminal: the harness stops the run
            preexec_fn=setup,
        )
    except OSError:
        return None


def _stop_group(pgid: int, proc: subprocess.Popen[bytes], grace_s: float = STOP_GRACE_S) -> None:
    """SIGTERM the group, give its leader ``grace_s`` to exit, then SIGKILL what is left."""
    _kill_group(pgid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        pass
    finally:
        _kill_group(pgid)
        proc.wait()


def run_timed(
    argv: Sequence[str | os.PathLike[str]],
    log_path: str | os.PathLike[str],
    core: int | None = None,
    timeout_s: float | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    check: bool = True,
    tail_lines: int = 40,
) -> RunStats:
    """Run ``argv`` to completion and measure it (see the module docstring)."""
    args = [os.fspath(a) for a in argv]
    if not args:
        raise HarnessError("run_timed: empty command")
    if core is not None and core not in os.sched_getaffinity(0):
        raise HarnessError(
            f"core {core} is not available to this process (allowed: {available_cores()})"
        )
    log = Path(log_path)
    log.parent.mkdir(parents=True, exist_ok=True)
    child_env = single_thread_env(env)

    parent = os.getpid()

    def setup() -> None:  # runs in the child between fork and exec
        die_with_parent(parent)
        if core is not None:
            os.sched_setaffinity(0, {core})

    with log.open("wb") as log_fh:
        t0 = time.perf_counter()
        try:
            proc = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=log_fh,
                stderr=subprocess.STDOUT,
                env=child_env,
                cwd=os.fspath(cwd) if cwd is not None else None,
                start_new_session=True,
                preexec_fn=setup,
            )
        except FileNotFoundError as e:
            raise HarnessError(f"cannot run {args[0]}: program not found") from e
        except PermissionError as e:
            raise HarnessError(f"cannot run {args[0]}: not executable") from e
        pgid = proc.pid  # start_new_session: the child leads its own group
        guard: subprocess.Popen[bytes] | None = None
        lock = threading.Lock()
        state = {"done": False, "timed_out": False}

        def on_timeout() -> None:
            with lock:
                if state["done"]:
                    return
                state["timed_out"] = True
                _kill_group(pgid, signal.SIGTERM)
            time.sleep(STOP_GRACE_S)
            with lock:
                if not state["done"]:
                    _kill_group(pgid)

        timer = threading.Timer(timeout_s, on_timeout) if timeout_s else None
        try:  # from here on, an interrupt (even while the guard starts) stops the run
            guard = _start_guard(pgid, parent)
            raise_if_stopped()  # a stop signal whose exception a finalizer swallowed
            if timer:
                timer.daemon = True
                timer.start()
            while True:
                try:
                    _, status, ru = os.wait4(proc.pid, 0)
                    break
                except InterruptedError:
                    continue
        except BaseException:  # Ctrl-C or a signal in the harness: take the run down with it
            _stop_group(pgid, proc)
            raise
        finally:
            wall = time.perf_counter() - t0
            with lock:
                state["done"] = True
            if timer:
                timer.cancel()
            if guard is not None:
                guard.kill()
                guard.wait()
        # Tell Popen the child is reaped so it never waits on a recycled pid.
        proc.returncode = os.waitstatus_to_exitcode(status)
        _kill_group(pgid)  # leftovers (daemons, orphans) must not outlive the measured run
    stats = RunStats(
        cpu_s=ru.ru_utime + ru.ru_stime,
        wall_s=wall,
        max_rss=int(ru.ru_maxrss) * 1024,
        returncode=proc.returncode,
        log_tail=_tail(log, tail_lines),
    )
    if state["timed_out"]:
        raise RunTimeout(
            f"{Path(args[0]).name} ran past its {timeout_s:g} s limit and was killed "
            f"(log: {log}); raise the timeout or use fewer frames.\n{stats.log_tail}",
            stats,
        )
    if check and stats.returncode != 0:
        raise RunFailed(
            f"{Path(args[0]).name} failed with exit status {stats.returncode} (log: {log}):\n"
            f"{stats.log_tail}",
            stats,
        )
    return stats
