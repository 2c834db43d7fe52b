"""``redis-boundary scorecard``: exit codes, surfaces, contracts, history, chart and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from pathlib import Path

import pytest

from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.runtime_context import RQ_JOB, RuntimeContext
from tests.report_samples import CACHE_SHAPE, finding, report, run_cli, write_report
from tests.rq_projects import rq_contract_config

CACHE = replace(CACHE_SHAPE, sites=("shopcard/cache.py:9",))
IMPORTLINTER = rq_contract_config("shopcard", "shopcard.cache")
SURFACE = """\
---
surface: profile-cache
owner: web-team
modules: ["shopcard.cache"]
keys: ["t:{tenant}:cache:*"]
---
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "shopcard").mkdir()
    (tmp_path / "shopcard" / "__init__.py").write_text("")
    (tmp_path / "shopcard" / "cache.py").write_text("")
    (tmp_path / ".importlinter").write_text(IMPORTLINTER)
    (tmp_path / "docs" / "contracts").mkdir(parents=True)
    (tmp_path / "docs" / "contracts" / "cache.md").write_text(SURFACE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_card_report(path: Path, *findings: Finding) -> Path:
    return write_report(path, report(*findings, tests=2, calls=5, inventory=(CACHE,)))


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "scorecard", "--no-cache", *args)


def test_a_migrated_project_is_complete(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = cli(capsys, str(write_card_report(project / "r.json")))
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "redis-boundary scorecard: retirement complete: all 4 criteria pass",
        "C1 pass    No write path where RQ workers determine final business state",
        "C2 pass    No user-visible endpoint reading authoritative job state from Redis",
        "C3 pass    All runtime paths covered by contract surfaces in docs/contracts/",
        "C4 pass    Redis keys used only for bounded-TTL operational concerns",
    ]


def test_a_job_write_fails_c1_and_c4_with_its_test_and_site(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write = finding(context=RuntimeContext(RQ_JOB, "shopcard.tasks.finish"))
    status, out, _ = cli(capsys, str(write_card_report(project / "r.json", write)))
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == "redis-boundary scorecard: retirement NOT complete: 2 of 4 criteria pass"
    assert lines[1] == "C1 FAIL    No write path where RQ workers determine final business state"
    assert lines[2] == (
        "    RB101 business-write: HSET t:{tenant}:job:* field 'status' at app/jobs.py:17 in "
        "mark_done() during rq job shopcard.tasks.finish [violation] in "
        "tests/test_jobs.py::test_done"
    )
    assert "C4 FAIL    Redis keys used only for bounded-TTL operational concerns" in lines


def test_c3_unknown_without_the_default_surfaces_folder(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "docs" / "contracts" / "cache.md").unlink()
    (project / "docs" / "contracts").rmdir()
    status, out, _ = cli(capsys, str(write_card_report(project / "r.json")))
    assert status == 1
    assert "C3 unknown All runtime paths covered by contract surfaces in docs/contracts/" in out
    assert "    surfaces: no docs/contracts folder here (pass --surfaces DIR)" in out
    assert "1 unknown" in out.splitlines()[0]


def test_c3_fails_on_an_unclaimed_runtime_module(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "shopcard" / "admin.py").write_text("")
    config = project / ".importlinter"
    config.write_text(config.read_text() + "    shopcard.admin\n")
    status, out, _ = cli(capsys, str(write_card_report(project / "r.json")), "--format", "json")
    document = json.loads(out)
    assert status == 1
    c3 = document["criteria"][2]
    assert (c3["status"], c3["evidence"]) == (
        "fail",
        [{"kind": "unclaimed", "text": "unclaimed module: shopcard.admin", "of": "modules",
          "path": "shopcard.admin"}],
    )  # fmt: skip


def test_history_over_two_runs_and_a_chart(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = project / "history.jsonl"
    chart = project / "burndown.svg"
    before = write_card_report(project / "before.json", finding(), finding(key="t:acme:job:7"))
    status, out, _ = cli(capsys, str(before), "--history", str(history))
    assert status == 1
    assert "Burndown over 1 recorded run" in out
    after = write_card_report(project / "after.json")
    status, out, _ = cli(capsys, str(after), "--history", str(history), "--chart", str(chart))
    assert status == 0
    runs = [json.loads(line) for line in history.read_text().splitlines()]
    assert [run["complete"] for run in runs] == [False, True]
    assert [run["counts"] for run in runs] == [{"RB101": {"violation": 2}}, {}]
    burndown = out[out.index("Burndown over 2 recorded runs") :].splitlines()
    assert burndown[2].split() == ["RB101", "business-write", "2", "0"]
    assert burndown[-1].split() == ["criteria", "passed", "(of", "4)", "3", "4"]
    root = ElementTree.fromstring(chart.read_text())
    assert len(root.findall("{http://www.w3.org/2000/svg}polyline")) == 3


def test_the_chart_alone_shows_this_run(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chart = project / "out" / "chart.svg"
    status, _, err = cli(capsys, str(write_card_report(project / "r.json")), "--chart", str(chart))
    assert (status, err) == (0, "")
    assert chart.read_text().startswith("<svg ")


def test_contracts_exceptions_are_listed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contracts = project / "check.json"
    contracts.write_text(
        json.dumps(
            {
                "schema": "redis-boundary-contracts/1",
                "contracts": [
                    {"name": "Runtime must not depend on rq", "kept": True, "findings": [
                        {"verdict": "frozen", "exception": "baseline",
                         "message": "shopcard.cache -> rq is frozen in the baseline"}]},
                ],
            }
        )
    )  # fmt: skip
    status, out, _ = cli(
        capsys, str(write_card_report(project / "r.json")), "--contracts", "check.json"
    )
    assert status == 0
    assert (
        "    baseline (matched 1), import contract: shopcard.cache -> rq is frozen in the "
        "baseline" in out
    )


def test_markdown_format(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = cli(capsys, str(write_card_report(project / "r.json")), "--format", "markdown")
    assert status == 0
    assert out.startswith("## Redis/RQ retirement scorecard\n")
    assert (
        "| C3 | All runtime paths covered by contract surfaces in docs/contracts/ | ✅ pass" in out
    )


@pytest.mark.parametrize(
    ("setup", "args", "expected"),
    [
        ("", ["missing.json"], "redis-boundary: missing.json"),
        ("", ["r.json", "--contracts", "nope.json"], "nope.json: no such file; write it with"),
        ("check", ["r.json", "--contracts", "check.json"], "check.json: schema is 'other/1'"),
        ("history", ["r.json", "--history", "h.jsonl"], "h.jsonl:1: not JSON"),
        ("", ["r.json", "--surfaces", "nowhere"], "nowhere: no such folder"),
        ("surface", ["r.json"], "docs/contracts/bad.md:2: owner: the required field"),
        ("", ["r.json", "--chart", "r.json/x.svg"], "r.json/x.svg: cannot write the chart"),
        (
            "history",
            ["r.json", "--history", "h.jsonl", "--chart", "r.json/x.svg"],
            "h.jsonl:1: not JSON",
        ),
        ("ok-history", ["r.json", "--history", "h.jsonl", "--chart", "r.json/x.svg"], "x.svg"),
        ("contracts:[1]", ["r.json", "--contracts", "c.json"], "c.json: contracts[0]: expected"),
        (
            'contracts:[{"findings": [1]}]',
            ["r.json", "--contracts", "c.json"],
            "c.json: contracts[0].findings[0]: expected an object",
        ),
        (
            'contracts:[{"findings": "ab"}]',
            ["r.json", "--contracts", "c.json"],
            "c.json: contracts[0].findings: expected a list or null",
        ),
        (
            'contracts:[{"kept": "yes"}]',
            ["r.json", "--contracts", "c.json"],
            "c.json: contracts[0].kept: expected true or false",
        ),
    ],
)
def test_bad_input_is_a_usage_error_and_writes_nothing(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    setup: str,
    args: list[str],
    expected: str,
) -> None:
    write_card_report(project / "r.json")
    if setup == "check":
        (project / "check.json").write_text('{"schema": "other/1"}')
    if setup == "history":
        (project / "h.jsonl").write_text("{broken\n")
    if setup.startswith("contracts:"):
        listed = setup.removeprefix("contracts:")
        (project / "c.json").write_text(
            f'{{"schema": "redis-boundary-contracts/1", "contracts": {listed}}}'
        )
    before = sorted(p.name for p in project.iterdir())
    if setup == "surface":
        (project / "docs" / "contracts" / "bad.md").write_text("---\nsurface: b\nkeys: [x]\n---\n")
    status, out, err = cli(capsys, *args)
    assert (status, out) == (2, "")
    assert expected in err
    assert "Traceback" not in err
    if setup == "history":
        assert (project / "h.jsonl").read_text() == "{broken\n"
    # Nothing written: no chart, and no history line for a run that failed.
    assert sorted(p.name for p in project.iterdir()) == before


def test_bad_input_through_the_console_script_is_one_message(
    project: Path,
) -> None:
    write_card_report(project / "r.json")
    (project / "c.json").write_text('{"schema": "redis-boundary-contracts/1", "contracts": ["x"]}')
    script = Path(sys.executable).parent / "redis-boundary"
    done = subprocess.run(
        [str(script), "scorecard", "r.json", "--contracts", "c.json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("redis-boundary: c.json: contracts[0]: expected an object")
    assert len(done.stderr.splitlines()) == 1


def test_c1_and_c2_are_unknown_for_findings_without_contexts(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_card_report(project / "old.json", finding(), finding(rule="RB102"))
    data = json.loads(path.read_text())
    for entry in data["findings"]:
        del entry["context"]  # as a report written before 1.1
    path.write_text(json.dumps(data))
    status, out, _ = cli(capsys, "old.json")
    assert status == 1
    assert "C1 unknown No write path where RQ workers determine final business state" in out
    assert "C2 unknown No user-visible endpoint reading authoritative job state from Redis" in out
    assert "the report's RB101 findings carry no runtime context (written before 1.1)" in out
