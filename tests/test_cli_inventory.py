"""``redis-boundary inventory``: exit codes and bad input (the formats over real runs are in
tests/plugin/test_inventory_cli.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pytest_redis_boundary.core.inventory import InventoryEntry
from pytest_redis_boundary.core.reports import build_report
from tests.report_samples import CACHE_SHAPE, TODAY, run_cli

VENV_BIN = Path(sys.executable).parent

CACHE = CACHE_SHAPE


def write(path: Path, *entries: InventoryEntry, drop: str | None = None) -> Path:
    data = build_report(
        findings=(), exceptions=(), tests=1, calls=1, today=TODAY, version="1.1.0",
        inventory=entries,
    )  # fmt: skip
    if drop is not None:
        del data[drop]
    path.write_text(json.dumps(data))
    return path


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "inventory", *args)


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "policy"])
def test_exit_0_when_no_shape_needs_a_decision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    status, out, err = cli(capsys, str(write(tmp_path / "r.json", CACHE)), "--format", fmt)
    assert (status, err) == (0, "")
    assert "t:{tenant}:cache:profile:*" in out


@pytest.mark.parametrize(
    ("change", "need"),
    [
        ({"key_class": "business"}, "business"),
        ({"key_class": "rq"}, "rq"),
        ({"persistent": True}, "persistent"),
        ({"key_class": None}, "unclassified"),
        ({"tenant": False}, "untenanted"),
    ],
)
def test_exit_1_when_a_shape_needs_a_decision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, Any], need: str
) -> None:
    entry = InventoryEntry(**{**_fields(CACHE), **change})
    status, out, err = cli(capsys, str(write(tmp_path / "r.json", CACHE, entry)))
    assert (status, err) == (1, "")
    assert out.splitlines()[3].split()[0] == need


def _fields(entry: InventoryEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in entry.__slots__}


def test_an_empty_inventory_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = cli(capsys, str(write(tmp_path / "r.json")))
    assert (status, err) == (0, "")
    assert out.startswith("redis-boundary inventory: 0 key shapes, 0 need a decision\n")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "no such report file (write one with pytest --redis-boundary-report=PATH)."),
        ("{", "not valid JSON: Expecting property name enclosed in double quotes at line 1"),
        ('{"schema": "other/1"}', "not a redis-boundary report: \"schema\" is 'other/1'"),
        ("drop-inventory", 'the report has no "inventory" (a report written before 1.1 lacks '
         "it): rerun pytest with --redis-boundary-report=PATH"),
        ("bad-entry", "inventory[0].writes: expected an integer >= 0."),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_one_paragraph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, problem: str
) -> None:
    path = tmp_path / "r.json"
    if content == "drop-inventory":
        write(path, CACHE, drop="inventory")
    elif content == "bad-entry":
        data = json.loads(write(path, CACHE).read_text())
        data["inventory"][0]["writes"] = "many"
        path.write_text(json.dumps(data))
    elif content is not None:
        path.write_text(content)
    status, out, err = cli(capsys, str(path), "--format", "policy")
    assert (status, out) == (2, "")
    assert err.startswith(f"redis-boundary: {path}: {problem}")
    assert err.count("\n") == 1  # one paragraph, no traceback


def test_the_console_script_reports_bad_input_without_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path / "old.json", drop="inventory")
    done = subprocess.run(
        [str(VENV_BIN / "redis-boundary"), "inventory", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert "Traceback" not in done.stderr
    assert '"inventory"' in done.stderr and str(path) in done.stderr
