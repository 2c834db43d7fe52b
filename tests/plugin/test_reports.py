"""JSON report, SARIF, secrecy of values, xdist equality, strict exceptions."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]  # no stubs in the dev extra
import pytest

from tests.plugin.common import MARK_DONE_SITE, REPO, TODAY, run

SUITE = """
    import pytest
    from examples.app import jobs, cache, locks
    from examples.app.workers import legacy

    CANARY = b"CANARY-S3CRET-VALUE"

    def test_done(redis_boundary_client):
        redis_boundary_client.set("t:acme:cache:canary", CANARY, ex=30)
        jobs.mark_done(redis_boundary_client, "acme", 42)

    def test_clean(redis_boundary_client):
        cache.cache_profile(redis_boundary_client, "acme", 7, CANARY)
        cache.count_hit(redis_boundary_client, "acme", "home")

    def test_persist(redis_boundary_client):
        redis_boundary_client.setex("t:acme:cache:p", 60, CANARY)
        redis_boundary_client.persist("t:acme:cache:p")

    def test_lock(redis_boundary_client):
        locks.hold_forever(redis_boundary_client, "acme", 1)

    def test_rq(redis_boundary_client):
        legacy.send_report(redis_boundary_client, 5)

    @pytest.mark.redis_boundary_exception(
        owner="platform-team", exception_reason="legacy mirror", expiry_date="2026-12-05",
        removal_issue="PLAT-812", rules=["RB101", "RB201"],
    )
    def test_excepted(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 43)

    @pytest.mark.parametrize("n", range(4))
    def test_many(redis_boundary_client, n):
        redis_boundary_client.hset(f"t:acme:job:{n}", "status", CANARY)
"""

POLICY = """\
version: 1
exceptions:
  - id: EXC-7
    owner: platform-team
    exception_reason: legacy status mirror until the product store migration ships
    expiry_date: 2027-01-31
    removal_issue: PLAT-812
    rules: [RB102]
    keys: ["t:*:job:*"]
"""


@pytest.fixture
def suite(app: pytest.Pytester) -> pytest.Pytester:
    app.makepyfile(test_suite=SUITE)
    app.path.joinpath("redis-boundary.yaml").write_text(POLICY)
    return app


def _summary(result: pytest.RunResult) -> list[str]:
    lines = result.stdout.lines
    start = next(i for i, line in enumerate(lines) if re.match(r"^=+ redis-boundary =+$", line))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(("=", "-")))
    return lines[start:end]


def test_json_report_has_the_spec_shape(suite: pytest.Pytester) -> None:
    result = run(suite, "--redis-boundary-report=out/report.json")
    result.stdout.fnmatch_lines(["*- redis-boundary JSON report: */out/report.json -*"])
    report = json.loads((suite.path / "out" / "report.json").read_text())
    assert list(report) == [
        "schema", "tool", "today", "summary", "findings", "exceptions", "inventory", "endpoints",
        "read_through_classes",
    ]  # fmt: skip
    assert report["schema"] == "redis-boundary-report/1"
    assert report["tool"] == {"name": "pytest-redis-boundary", "version": "1.0.0"}
    assert report["today"] == TODAY
    assert report["summary"]["tests"] == 10
    assert set(report["summary"]) == {"tests", "calls", "violations", "excepted", "warnings"}
    fields = [
        "rule", "verdict", "test", "phase", "command", "key", "field", "site", "function",
        "tenant_id", "key_ttl_seconds", "exception", "count", "message", "context",
    ]  # fmt: skip
    for finding in report["findings"]:
        assert sorted(finding) == sorted(fields)
    done = [f for f in report["findings"] if f["test"] == "test_suite.py::test_done"]
    assert done[0] == {
        "rule": "RB101",
        "verdict": "violation",
        "test": "test_suite.py::test_done",
        "phase": "call",
        "command": "HSET",
        "key": "t:acme:job:42",
        "field": "status",
        "site": MARK_DONE_SITE,
        "function": "mark_done",
        "tenant_id": "acme",
        "key_ttl_seconds": None,
        "exception": None,
        "count": 1,
        "message": "RB101 business-write: HSET t:acme:job:42 field 'status' at "
        f"{MARK_DONE_SITE} in mark_done()",
        "context": None,
    }
    many = [
        f for f in report["findings"] if (f["test"] or "").startswith("test_suite.py::test_many")
    ]
    assert {f["count"] for f in many} == {1}
    assert report["summary"]["violations"] == sum(
        f["verdict"] == "violation" for f in report["findings"]
    )
    excepted = [f for f in report["findings"] if f["verdict"] == "excepted"]
    assert {f["exception"] for f in excepted} == {"marker:test_suite.py::test_excepted"}
    statuses = {e["id"]: e for e in report["exceptions"]}
    assert statuses["EXC-7"] == {
        "id": "EXC-7",
        "owner": "platform-team",
        "expiry_date": "2027-01-31",
        "removal_issue": "PLAT-812",
        "status": "unused",
        "matched": 0,
    }
    assert statuses["marker:test_suite.py::test_excepted"]["status"] == "active"
    rb903 = [f for f in report["findings"] if f["rule"] == "RB903"]
    assert [(f["test"], f["verdict"]) for f in rb903] == [(None, "warning")]


def test_sarif_validates(suite: pytest.Pytester) -> None:
    schema_path = REPO / "tests" / "assets" / "sarif-schema-2.1.0.json"
    if not schema_path.exists():
        pytest.skip("tests/assets/sarif-schema-2.1.0.json is not there yet")
    result = run(suite, "--redis-boundary-sarif=report.sarif")
    result.stdout.fnmatch_lines(["*- redis-boundary SARIF report: */report.sarif -*"])
    sarif = json.loads((suite.path / "report.sarif").read_text())
    jsonschema.validate(sarif, json.loads(schema_path.read_text()))
    assert sarif["version"] == "2.1.0"


def test_values_never_appear_in_output_or_reports(suite: pytest.Pytester) -> None:
    result = run(suite, "-v", "--redis-boundary-report=r.json", "--redis-boundary-sarif=r.sarif")
    assert result.ret == 1
    texts = [
        result.stdout.str(),
        result.stderr.str(),
        (suite.path / "r.json").read_text(),
        (suite.path / "r.sarif").read_text(),
    ]
    for text in texts:
        assert "CANARY-S3CRET-VALUE" not in text


def test_summary_section(suite: pytest.Pytester) -> None:
    result = run(suite)
    summary = "\n".join(_summary(result))
    assert "mode strict, policy redis-boundary.yaml, today 2026-11-28" in summary
    assert re.search(r"10 tests, \d+ Redis calls, \d+ violations, 2 excepted, 1 warning", summary)
    for line in [
        "  RB101 business-write    5 violations, 1 excepted",
        "  RB103 rq-runtime        3 violations",
        "  RB903 exception-unused  1 warning",
        "  EXC-7: unused, matched 0, owner platform-team, expires 2027-01-31 (64 days left)",
        "  marker:test_suite.py::test_excepted: active, matched 2, owner platform-team, "
        "expires 2026-12-05 (7 days left, EXPIRING SOON)",
    ]:
        assert line in summary, summary
    assert "keys written per class: business 6, cache 4, lease 1, rq " in summary


def test_strict_exceptions_fail_the_session(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_suite="def test_ok(): pass")
    assert run(suite).ret == 0
    result = run(suite, "--redis-boundary-strict-exceptions")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "--redis-boundary-strict-exceptions: unused exceptions fail the session:",
            "  RB903 exception-unused: EXC-7 (owner platform-team, redis-boundary.yaml:*) "
            "matched nothing in this run; remove it from the register",
        ]
    )


def test_xdist_equals_a_serial_run(suite: pytest.Pytester) -> None:
    serial = run(suite, "--redis-boundary-report=serial.json")
    parallel = run(suite, "-n", "2", "--redis-boundary-report=parallel.json")
    assert serial.ret == parallel.ret == 1
    # rq job ids are random uuids: the only thing allowed to differ between two runs
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    serial_report = json.loads(uuid.sub("<id>", (suite.path / "serial.json").read_text()))
    parallel_report = json.loads(uuid.sub("<id>", (suite.path / "parallel.json").read_text()))
    assert parallel_report == serial_report
    assert _summary(parallel) == _summary(serial)


def test_reports_are_not_written_on_xdist_workers(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        def pytest_configure(config):
            config.workerinput = {"workerid": "gw0"}
            config.workeroutput = {}
        """
    )
    pytester.makepyfile("def test_ok(): pass")
    result = run(pytester, "--redis-boundary-report=r.json")
    result.assert_outcomes(passed=1)
    assert not Path(pytester.path / "r.json").exists()
