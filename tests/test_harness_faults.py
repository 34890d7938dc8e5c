"""The harness under faults (issue 18): results that can be trusted, one-line errors, no
process or file left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from vtm_accel.report import write_reports

REPO = Path(__file__).resolve().parents[1]


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


# ------------------------------------------------------------- results.json file mode --


def test_results_json_has_the_mode_of_the_other_reports(tmp_path: Path) -> None:
    from test_report import _results

    old = os.umask(0o022)
    try:
        files = write_reports(_results(tmp_path), tmp_path / "out")
    finally:
        os.umask(old)
    assert _mode(files.results_json) == 0o644
    assert _mode(files.results_json) == _mode(files.report_md) == _mode(files.results_csv)
