"""timing: CPU time of the whole process tree, pinning, timeouts, logs and errors."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from vtm_accel.core import HarnessError
from vtm_accel.timing import RunFailed, RunTimeout, available_cores, run_timed

BURN = """
import subprocess, sys, time
def burn(seconds):
    t = time.process_time()
    while time.process_time() - t < seconds:
        pass
if sys.argv[1] == "grandchild":
    burn(0.3)
    print("grandchild burned")
else:
    # the child itself sleeps; all CPU is spent in a grandchild it waits for
    subprocess.run([sys.executable, __file__, "grandchild"], check=True)
    time.sleep(0.05)
    print("child done")
"""


def test_grandchild_cpu_is_counted(tmp_path: Path) -> None:
    script = tmp_path / "burn.py"
    script.write_text(BURN)
    core = available_cores()[-1]
    stats = run_timed([sys.executable, str(script), "child"], tmp_path / "log.txt", core=core)
    assert stats.returncode == 0
    assert stats.cpu_s >= 0.3  # the grandchild's 0.3 s (plus two interpreter start-ups)
    assert stats.cpu_s < 3.0
    assert stats.wall_s >= 0.3
    assert stats.max_rss > 1 << 20
    log = (tmp_path / "log.txt").read_text()
    assert "grandchild burned" in log and "child done" in log
    assert stats.log_tail.endswith("child done")


def test_pinned_to_the_given_core_and_single_thread_env(tmp_path: Path) -> None:
    core = available_cores()[0]
    code = (
        "import os; print(sorted(os.sched_getaffinity(0)), os.environ['OMP_NUM_THREADS'],"
        " os.environ['OPENBLAS_NUM_THREADS'])"
    )
    stats = run_timed([sys.executable, "-c", code], tmp_path / "a.log", core=core)
    assert stats.log_tail.strip() == f"[{core}] 1 1"


def test_unknown_core_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="not available"):
        run_timed(["true"], tmp_path / "x.log", core=100000)


def test_timeout_kills_the_whole_group(tmp_path: Path) -> None:
    marker = tmp_path / "survivor"
    # the child starts a grandchild that would touch a file after 2 s
    code = (
        "import subprocess, sys, time;"
        f"subprocess.Popen(['sh', '-c', 'sleep 2; touch {marker}']);"
        "print('started', flush=True); time.sleep(30)"
    )
    t0 = time.monotonic()
    with pytest.raises(RunTimeout, match="ran past its 0.5 s limit") as err:
        run_timed([sys.executable, "-c", code], tmp_path / "t.log", timeout_s=0.5)
    assert time.monotonic() - t0 < 5
    assert err.value.stats.returncode in (-15, -9)  # SIGTERM, then SIGKILL after a grace
    assert "started" in str(err.value)
    time.sleep(2.5)
    assert not marker.exists()  # the grandchild was killed with the group


def test_failure_reports_status_and_tail(tmp_path: Path) -> None:
    code = "import sys; print('line1'); print('the real reason', file=sys.stderr); sys.exit(3)"
    with pytest.raises(RunFailed, match="exit status 3") as err:
        run_timed([sys.executable, "-c", code], tmp_path / "f.log")
    assert "the real reason" in str(err.value)
    assert err.value.stats.returncode == 3
    stats = run_timed([sys.executable, "-c", code], tmp_path / "f.log", check=False)
    assert stats.returncode == 3


def test_missing_program(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="not found"):
        run_timed([str(tmp_path / "nope")], tmp_path / "m.log")


def test_no_shell(tmp_path: Path) -> None:
    stats = run_timed(["echo", "$HOME", ";", "ls"], tmp_path / "e.log")
    assert stats.log_tail.strip() == "$HOME ; ls"
