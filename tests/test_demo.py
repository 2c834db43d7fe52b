"""``make demo`` (scripts/demo.py), the README's first command: it runs and shows both services."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_demo_compares_the_legacy_and_the_migrated_service() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "demo.py")],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    start = next(n for n, line in enumerate(lines) if "side by side" in line)
    side_by_side = lines[start:]
    rows = {line[:36].strip(): line[36:].split() for line in side_by_side[3:12]}
    assert rows["tests passed"] == ["yes", "yes"]
    assert rows["import contracts"] == ["broken", "kept"]
    assert rows["C1 no RQ job writes business state"] == ["fail", "pass"]
    assert rows["C2 no endpoint reads job state"] == ["fail", "pass"]
    assert rows["C4 keys bounded-TTL operational"] == ["fail", "pass"]
    assert rows["retirement complete"] == ["no", "yes"]
    assert int(rows["findings"][0]) > 0 and rows["findings"][1] == "0"
    by_rule = [line.split()[0] for line in side_by_side if line.startswith("  RB")]
    assert by_rule == ["RB101", "RB102", "RB103", "RB201", "RB202", "RB203", "RB301", "RB302"]
    assert "retirement complete: all 4 criteria pass" in done.stdout
