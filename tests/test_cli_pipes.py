"""A reader that stops early (``redis-boundary ... | head``) ends the command quietly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pytest_redis_boundary.core.reports import build_report
from tests.report_samples import TODAY, finding


def test_a_closed_pipe_gives_no_traceback(tmp_path: Path) -> None:
    # freeze prints a line per frozen identity: far more lines than a pipe buffers, so the
    # command is still printing when the reader goes.
    findings = [finding(function=f"step_{n}") for n in range(20_000)]
    report = tmp_path / "report.json"
    report.write_text(
        json.dumps(
            build_report(
                findings=findings, exceptions=(), tests=1, calls=1, today=TODAY,
                version="1.1.0",
            )
        )
    )  # fmt: skip
    script = Path(sys.executable).parent / "redis-boundary"
    governance = ["--owner", "platform-team", "--exception-reason", "legacy",
                  "--expiry-date", "2099-01-01", "--removal-issue", "PLAT-1"]  # fmt: skip
    process = subprocess.Popen(
        [str(script), "freeze", "--report", str(report), *governance,
         "--output", str(tmp_path / "baseline.json")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith(b"redis-boundary: wrote ")
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert errors == ""
