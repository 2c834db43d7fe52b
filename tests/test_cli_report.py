"""``redis-boundary diff`` and ``redis-boundary report``."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs in the dev extra
import pytest

from pytest_redis_boundary.cli import main
from pytest_redis_boundary.core.reports import to_markdown, to_text
from tests.report_samples import (
    CANARY,
    NEW_READ,
    SCHEMA_PATH,
    finding,
    judged_with_canary,
    report,
)

VENV_BIN = Path(sys.executable).parent


@dataclass
class Run:
    status: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Any:
    def run(*args: str) -> Run:
        capsys.readouterr()
        status = main(list(args))
        captured = capsys.readouterr()
        return Run(status, captured.out, captured.err)

    return run


def write(path: Path, data: Any) -> str:
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


# --- diff ------------------------------------------------------------------------------------


def test_diff_clean(tmp_path: Path, cli: Any) -> None:
    base = write(tmp_path / "base.json", report(finding()))
    head = write(tmp_path / "head.json", report(finding(site="app/jobs.py:60", key="t:b:job:9",
                                                        tenant_id="b")))  # fmt: skip
    run = cli("diff", base, head)
    assert (run.status, run.err) == (0, "")
    assert run.out.startswith("redis-boundary diff: clean:")
    assert "- Did this PR add or expand Redis business semantics? no\n" in run.out
    assert "- Did this PR introduce new RQ runtime dependency? no\n" in run.out
    assert (
        "- Are ownership and contract docs updated for changed runtime behavior? "
        "not checked (pass --changed-files FILE" in run.out
    )


def test_diff_of_two_runs_with_fresh_ids_is_clean(tmp_path: Path, cli: Any) -> None:
    """Two runs of unchanged code: the same findings on keys with other UUIDs and timestamps."""

    def run_of(uuid: str, stamp: str, job: str) -> dict[str, Any]:
        return report(
            finding(rule="RB203", key=f"t:acme:temp.{uuid}", field=None),
            finding(rule="RB203", key=f"t:acme:note:timestamp.absolute.{stamp}", field=None),
            finding(key=f"t:acme:job:v-{job}"),
        )

    base = write(tmp_path / "base.json", run_of("550e8400-e29b-41d4-a716-446655440000",
                                                 "1733140000.123", "12"))  # fmt: skip
    head = write(tmp_path / "head.json", run_of("9b2f0c4e-7d1a-4e8b-bc3f-0a1b2c3d4e5f",
                                                 "1733149999.87", "7"))  # fmt: skip
    run = cli("diff", base, head)
    assert (run.status, run.err) == (0, "")
    assert run.out.startswith("redis-boundary diff: clean:")


def test_diff_new_business_finding_blocks(tmp_path: Path, cli: Any) -> None:
    base = write(tmp_path / "base.json", report(finding()))
    head = write(tmp_path / "head.json", report(finding(), NEW_READ))
    run = cli("diff", base, head)
    assert (run.status, run.err) == (1, "")
    assert "BLOCKED: 1 new finding" in run.out
    assert "- Did this PR add or expand Redis business semantics? yes\n" in run.out
    assert "- Did this PR introduce new RQ runtime dependency? no\n" in run.out


def test_diff_covered_finding_does_not_block(tmp_path: Path, cli: Any) -> None:
    base = write(tmp_path / "base.json", report(finding()))
    head = write(
        tmp_path / "head.json", report(finding(), NEW_READ.with_verdict("excepted", "EXC-7"))
    )
    run = cli("diff", base, head)
    assert run.status == 0
    assert "New, covered by an active exception (not blocking): 1" in run.out
    assert "[exception EXC-7]" in run.out


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "no such report file"),
        ("{", "not valid JSON"),
        ('{"schema": "other/1"}', "not a redis-boundary report: \"schema\" is 'other/1'"),
        ('{"schema": "redis-boundary-report/1"}', 'missing "tool", "today", "summary"'),
    ],
)
@pytest.mark.parametrize("which", ["base", "head"])
def test_diff_bad_file_exits_2(
    tmp_path: Path, cli: Any, content: str | None, problem: str, which: str
) -> None:
    good = write(tmp_path / "good.json", report(finding()))
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    args = (str(bad), good) if which == "base" else (good, str(bad))
    run = cli("diff", *args)
    assert (run.status, run.out) == (2, "")
    assert run.err.startswith(f"redis-boundary: {bad}: {problem}")
    assert run.err.count("\n") == 1  # one paragraph
    assert "Traceback" not in run.err


def test_diff_needs_two_files(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["diff", "only.json"])
    assert info.value.code == 2
    assert "HEAD.json" in capsys.readouterr().err


# --- report ----------------------------------------------------------------------------------


def test_report_text_is_the_default(tmp_path: Path, cli: Any) -> None:
    data = report(finding(), NEW_READ)
    path = write(tmp_path / "r.json", data)
    run = cli("report", path)
    assert (run.status, run.err) == (0, "")
    assert run.out == to_text(data)
    assert cli("report", path, "--format", "text").out == run.out


def test_report_markdown(tmp_path: Path, cli: Any) -> None:
    data = report(finding())
    run = cli("report", write(tmp_path / "r.json", data), "--format", "markdown")
    assert (run.status, run.out) == (0, to_markdown(data))


def test_report_sarif_validates(tmp_path: Path, cli: Any) -> None:
    path = write(tmp_path / "r.json", report(finding(), *judged_with_canary()))
    run = cli("report", path, "--format", "sarif")
    assert run.status == 0
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert list(jsonschema.Draft4Validator(schema).iter_errors(json.loads(run.out))) == []


@pytest.mark.parametrize("fmt", ["text", "markdown", "sarif"])
def test_report_never_prints_a_value(tmp_path: Path, cli: Any, fmt: str) -> None:
    path = write(tmp_path / "r.json", report(*judged_with_canary()))
    run = cli("report", path, "--format", fmt)
    assert run.status == 0
    assert "RB101" in run.out
    assert CANARY not in run.out


def test_report_bad_file_exits_2(tmp_path: Path, cli: Any) -> None:
    run = cli("report", str(tmp_path / "missing.json"))
    assert (run.status, run.out) == (2, "")
    assert run.err == (
        f"redis-boundary: {tmp_path / 'missing.json'}: no such report file "
        "(write one with pytest --redis-boundary-report=PATH).\n"
    )


def test_report_rejects_an_unknown_format(tmp_path: Path, cli: Any) -> None:
    with pytest.raises(SystemExit) as info:
        main(["report", write(tmp_path / "r.json", report()), "--format", "html"])
    assert info.value.code == 2


def test_help_lists_diff_and_report(cli: Any, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "diff" in out
    assert "report" in out


# --- the console script ----------------------------------------------------------------------


def test_console_script(tmp_path: Path) -> None:
    base = write(tmp_path / "base.json", report(finding()))
    head = write(tmp_path / "head.json", report(finding(), NEW_READ))
    done = subprocess.run(
        [str(VENV_BIN / "redis-boundary"), "diff", base, head],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (1, "")
    assert "- Did this PR add or expand Redis business semantics? yes" in done.stdout
    missing = subprocess.run(
        [str(VENV_BIN / "redis-boundary"), "report", str(tmp_path / "nope.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
    assert "no such report file" in missing.stderr
