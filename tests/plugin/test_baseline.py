"""The runtime baseline end to end: freeze a run's report, then run under ``baseline:``.

pytest runs in a subprocess (``run``); ``redis-boundary freeze`` runs in this process, in the
pytester directory. The example application's ``jobs.mark_done`` gives RB101 and RB201,
``cache.pin_profile`` after ``cache.cache_profile`` gives RB201, ``jobs.job_status`` RB102.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pytest_redis_boundary.cli import main
from pytest_redis_boundary.core.catalogue import baseline_unused_message
from tests.plugin.common import findings_per_rule, run

BASELINE = ".redis-boundary-baseline.json"
GOVERNANCE = (
    "--owner",
    "platform-team",
    "--exception-reason",
    "adoption: Redis job state until the product store ships",
    "--expiry-date",
    "2027-06-30",
    "--removal-issue",
    "PLAT-900",
)
MARK_DONE = """
from examples.app import jobs

def test_done(redis_boundary_client):
    jobs.mark_done(redis_boundary_client, "acme", 1)
"""
PIN = """
from examples.app import cache

def test_pin(redis_boundary_client):
    cache.cache_profile(redis_boundary_client, "acme", 7, b"x")
    cache.pin_profile(redis_boundary_client, "acme", 7)
"""


def report(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def rules(result: pytest.RunResult) -> dict[str, int]:
    """The summary's findings per rule: rule -> how many (whatever their verdicts)."""
    return {rule: count for rule, (_, count) in findings_per_rule(result).items()}


def freeze(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["freeze", *args])
    out, err = capsys.readouterr()
    return code, out, err


def adopt(app: pytest.Pytester, capsys: pytest.CaptureFixture[str]) -> str:
    """Run the suite as it is (it fails), freeze its report, point the policy at the baseline;
    returns what freeze printed."""
    first = run(app, "--redis-boundary-report=before.json")
    first.assert_outcomes(failed=2)
    code, out, err = freeze(capsys, "--report", "before.json", *GOVERNANCE)
    assert (code, err) == (0, "")
    app.path.joinpath("redis-boundary.yaml").write_text(f"version: 1\nbaseline: {BASELINE}\n")
    return out


def test_freeze_then_a_strict_run_passes_and_a_new_violation_fails(
    app: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    app.makepyfile(test_done=MARK_DONE, test_pin=PIN)
    out = adopt(app, capsys)
    assert "3 frozen finding(s), 0 chain(s)" in out
    assert "  + RB101 t:{tenant}:job:* at examples/app/jobs.py in mark_done()" in out
    data = report(app.path / BASELINE)
    assert data["schema"] == "redis-boundary-baseline/2"
    assert [f["rule"] for f in data["findings"]] == ["RB101", "RB201", "RB201"]
    assert data["owner"] == "platform-team"

    passed = run(app, "--redis-boundary-report=after.json")
    passed.assert_outcomes(passed=2)
    assert rules(passed) == {"RB101": 1, "RB201": 2}
    after = report(app.path / "after.json")
    assert {(f["verdict"], f["exception"]) for f in after["findings"]} == {("excepted", "baseline")}
    (row,) = after["exceptions"]
    assert row == {
        "id": "baseline",
        "owner": "platform-team",
        "exception_reason": "adoption: Redis job state until the product store ships",
        "expiry_date": "2027-06-30",
        "removal_issue": "PLAT-900",
        "status": "active",
        "matched": 3,
        "file": BASELINE,
        "unmatched": [],
    }

    # Another tenant and id at the same site are the same identity; a read is new.
    app.makepyfile(
        test_new="""
        from examples.app import jobs

        def test_other_tenant(redis_boundary_client):
            jobs.mark_done(redis_boundary_client, "globex", 99)

        def test_read(redis_boundary_client):
            jobs.job_status(redis_boundary_client, "acme", 1)
        """
    )
    new = run(app)
    new.assert_outcomes(passed=3, failed=1)
    assert "test_new.py::test_read" in new.stdout.str()
    assert "RB102 business-read" in new.stdout.str()


def test_removed_code_is_one_rb903_and_freeze_again_shrinks(
    app: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    app.makepyfile(test_done=MARK_DONE, test_pin=PIN)
    adopt(app, capsys)
    (app.path / "test_pin.py").unlink()
    shrunk = run(app, "--redis-boundary-report=shrunk.json")
    shrunk.assert_outcomes(passed=1)
    assert rules(shrunk) == {"RB101": 1, "RB201": 1, "RB903": 1}
    data = report(app.path / "shrunk.json")
    (rb903,) = [f for f in data["findings"] if f["rule"] == "RB903"]
    assert rb903["test"] is None
    assert (rb903["verdict"], rb903["exception"]) == ("warning", "baseline")
    assert rb903["message"] == baseline_unused_message(1, path=BASELINE)
    assert data["exceptions"][0]["unmatched"] == [
        {
            "rule": "RB201",
            "key_shape": "t:{tenant}:cache:profile:*",
            "site_file": "examples/app/cache.py",
            "function": "pin_profile",
        }
    ]

    code, out, _ = freeze(capsys, "--report", "shrunk.json", *GOVERNANCE)
    assert code == 0
    assert "2 frozen finding(s)" in out and "(+0 added, -1 removed)" in out
    assert "  - RB201 t:{tenant}:cache:profile:* at examples/app/cache.py in pin_profile()" in out
    assert len(report(app.path / BASELINE)["findings"]) == 2
    clean = run(app)
    clean.assert_outcomes(passed=1)
    assert rules(clean) == {"RB101": 1, "RB201": 1}


def test_after_expiry_the_frozen_findings_fail_with_rb902(
    app: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    app.makepyfile(test_done=MARK_DONE, test_pin=PIN)
    adopt(app, capsys)
    on_the_day = run(app, "--redis-boundary-today=2027-06-30")
    on_the_day.assert_outcomes(passed=2)
    expired = run(app, "--redis-boundary-today=2027-07-01", "--redis-boundary-report=late.json")
    expired.assert_outcomes(failed=2)
    assert rules(expired) == {"RB101": 1, "RB201": 2, "RB902": 2}
    data = report(app.path / "late.json")
    assert data["summary"]["violations"] == 5
    assert data["exceptions"][0]["status"] == "expired"
    assert "baseline (owner platform-team, removal PLAT-900) expired on 2027-06-30" in (
        expired.stdout.str()
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot read the baseline file"),
        ("{", "is invalid: not valid JSON"),
        ('{"schema": "redis-boundary-baseline/1", "chains": []}', "expected schema"),
    ],
)
def test_a_bad_baseline_is_a_usage_error(
    app: pytest.Pytester, content: str | None, problem: str
) -> None:
    app.makepyfile(test_done=MARK_DONE)
    if content is not None:
        app.path.joinpath("frozen.json").write_text(content)
    app.path.joinpath("redis-boundary.yaml").write_text("version: 1\nbaseline: frozen.json\n")
    result = run(app)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "redis-boundary.yaml:2: baseline:" in err
    assert "frozen.json" in err and problem in err
    assert "Traceback" not in err


def test_xdist_reports_equal_serial(
    app: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    app.makepyfile(test_done=MARK_DONE, test_pin=PIN)
    adopt(app, capsys)
    (app.path / "test_pin.py").unlink()  # one frozen entry is then seen by no worker
    app.makepyfile(test_more=MARK_DONE.replace("test_done", "test_again"))
    serial = run(app, "--redis-boundary-report=serial.json")
    xdist = run(app, "-n", "2", "--dist=loadfile", "--redis-boundary-report=xdist.json")
    serial.assert_outcomes(passed=2)
    xdist.assert_outcomes(passed=2)
    one, two = report(app.path / "serial.json"), report(app.path / "xdist.json")
    assert one["exceptions"] == two["exceptions"]
    assert one["findings"] == two["findings"]
    assert one["summary"] == two["summary"]
    assert one["exceptions"][0]["matched"] == 4
    assert [f["rule"] for f in two["findings"] if f["test"] is None] == ["RB903"]


@pytest.mark.parametrize(
    ("drop", "replace", "expected"),
    [
        ("--owner", None, "freeze: --owner is required with --report"),
        ("--removal-issue", None, "freeze: --removal-issue is required with --report"),
        (None, ("2027-06-30", "2027-13-01"), "freeze: --expiry-date: '2027-13-01' is not a real"),
        (None, ("2027-06-30", "30/06/2027"), "freeze: --expiry-date: expected a date as"),
    ],
)
def test_freeze_needs_the_governance_flags(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    drop: str | None,
    replace: tuple[str, str] | None,
    expected: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.json").write_text(
        json.dumps(
            {
                "schema": "redis-boundary-report/1",
                "tool": {"name": "pytest-redis-boundary", "version": "1"},
                "today": "2026-11-28",
                "summary": dict.fromkeys(
                    ("tests", "calls", "violations", "excepted", "warnings"), 0
                ),
                "findings": [],
                "exceptions": [],
            }
        )
    )
    args = list(GOVERNANCE)
    if drop is not None:
        del args[args.index(drop) : args.index(drop) + 2]
    if replace is not None:
        args[args.index(replace[0])] = replace[1]
    code, out, err = freeze(capsys, "--report", "r.json", *args)
    assert code == 2
    assert out == ""
    assert err.startswith(f"redis-boundary: {expected}")
    assert "Fix: pass --" in err and err.count("\n") == 1
    assert not (tmp_path / BASELINE).exists()
    # Governance flags without --report are a mistake, not silently ignored.
    code, _, err = freeze(capsys, "--owner", "x")
    assert code == 2 and "--owner only apply to the runtime baseline" in err
    code, _, err = freeze(capsys, "--report", "missing.json", *GOVERNANCE)
    assert code == 2 and "missing.json: no such report file" in err


def test_freeze_with_config_keeps_chains_and_chain_freeze_keeps_findings(
    app: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    app.makepyfile(test_done=MARK_DONE)
    app.path.joinpath(".importlinter").write_text(
        textwrap.dedent(
            f"""
            [importlinter]
            root_packages =
                examples
            include_external_packages = True
            contract_types =
                rq_retirement: pytest_redis_boundary.contracts.RQRetirementContract

            [importlinter:contract:rq]
            name = Runtime must not depend on rq
            type = rq_retirement
            runtime_modules =
                examples.app.workers
            baseline = {BASELINE}
            """
        )
    )
    run(app, "--redis-boundary-report=r.json").assert_outcomes(failed=1)
    code, out, err = freeze(
        capsys, "--report", "r.json", "--config", ".importlinter", "--no-cache", *GOVERNANCE
    )
    assert (code, err) == (0, ""), err
    assert "  + chain examples.app.workers.legacy -> rq" in out
    data = report(app.path / BASELINE)
    assert data["chains"] == [["examples.app.workers.legacy", "rq"]]
    # The contract reads the /2 file's chains: the frozen chain does not break it.
    assert main(["check", "--config", ".importlinter", "--no-cache"]) == 0
    # A chains-only freeze of the same file keeps the frozen findings and the governance.
    code, out, _ = freeze(capsys, "--config", ".importlinter", "--no-cache")
    assert code == 0
    again = report(app.path / BASELINE)
    assert again == data
