"""Governance: marker and register exceptions, validation, expiry, matching, visibility.

Every test runs pytest in a subprocess (``run``): only one recorder may be installed per process.
The example application's ``jobs.mark_done`` writes ``t:<tenant>:job:<id>`` with a business
``status`` field and no TTL, so each call is one RB101 and one RB201 finding.
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

import pytest

from tests.plugin.common import (
    MARK_DONE_SITE,
    TODAY,
    assert_findings,
    collect_with_marker,
    run,
)

JOBS = """
    import pytest
    from examples.app import jobs, cache

"""

GOVERNANCE = {
    "owner": "platform-team",
    "exception_reason": "legacy status mirror",
    "expiry_date": "2027-01-31",
    "removal_issue": "PLAT-812",
}


def marker(**fields: object) -> str:
    """``@pytest.mark.redis_boundary_exception(...)`` source: the governance fields, overridable;
    a field given as None is left out."""
    merged = {**GOVERNANCE, "rules": ["RB101", "RB201"], **fields}
    args = ", ".join(f"{name}={value!r}" for name, value in merged.items() if value is not None)
    return f"pytest.mark.redis_boundary_exception({args})"


def entry(exc_id: str, **fields: object) -> str:
    """One register entry (YAML, indented under ``exceptions:``)."""
    merged: dict[str, object] = {"id": exc_id, **GOVERNANCE, "rules": ["RB101", "RB201"]}
    merged.update(fields)
    lines = []
    for name, value in merged.items():
        if value is None:
            continue
        text = json.dumps(value) if isinstance(value, list) else str(value)
        lines.append(f"{name}: {text}")
    return "  - " + "\n    ".join(lines) + "\n"


def policy(pytester: pytest.Pytester, *entries: str) -> None:
    pytester.path.joinpath("redis-boundary.yaml").write_text(
        "version: 1\nexceptions:\n" + "".join(entries)
    )


def report(pytester: pytest.Pytester, name: str = "report.json") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((pytester.path / name).read_text())
    return data


def findings_of(data: dict[str, Any], test_suffix: str) -> list[tuple[str, str, str | None]]:
    """(rule, verdict, exception) of the findings of the test whose nodeid ends so, sorted."""
    return sorted(
        (f["rule"], f["verdict"], f["exception"])
        for f in data["findings"]
        if f["test"] is not None and f["test"].endswith(test_suffix)
    )


def exceptions_of(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in data["exceptions"]}


def summary(result: pytest.RunResult) -> list[str]:
    """The lines of the terminal summary's ``redis-boundary`` section."""
    lines = result.stdout.lines
    start = next(i for i, line in enumerate(lines) if re.match(r"^=+ redis-boundary =+$", line))
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith(("=", "-"))), len(lines)
    )
    return lines[start + 1 : end]


# --- markers: module, class, function; the closest wins ------------------------------------------


def test_module_level_pytestmark_excepts_every_test_of_the_module(app: pytest.Pytester) -> None:
    app.makepyfile(
        test_legacy=JOBS
        + f"""
    pytestmark = {marker(keys=["t:*:job:*"])}

    def test_one(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 1)

    def test_two(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 2)
    """
    )
    result = run(app, "--redis-boundary-report=report.json")
    result.assert_outcomes(passed=2)
    data = report(app)
    for name in ("test_one", "test_two"):
        exc_id = f"marker:test_legacy.py::{name}"
        assert findings_of(data, f"::{name}") == [
            ("RB101", "excepted", exc_id),
            ("RB201", "excepted", exc_id),
        ]
        assert exceptions_of(data)[exc_id]["status"] == "active"
        assert exceptions_of(data)[exc_id]["matched"] == 2
    assert data["summary"]["violations"] == 0 and data["summary"]["excepted"] == 4


def test_class_level_marker_excepts_the_tests_of_the_class_only(app: pytest.Pytester) -> None:
    app.makepyfile(
        test_legacy=JOBS
        + f"""
    @{marker()}
    class TestLegacy:
        def test_in_class(self, redis_boundary_client):
            jobs.mark_done(redis_boundary_client, "acme", 1)

    def test_outside(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 2)
    """
    )
    result = run(app, "--redis-boundary-report=report.json")
    assert_findings(result, "RB101", "RB101", "RB201", "RB201", passed=1, failed=1)
    result.stdout.fnmatch_lines(["FAILED test_legacy.py::test_outside*"])
    data = report(app)
    exc_id = "marker:test_legacy.py::TestLegacy::test_in_class"
    assert findings_of(data, "::test_in_class") == [
        ("RB101", "excepted", exc_id),
        ("RB201", "excepted", exc_id),
    ]
    assert findings_of(data, "::test_outside") == [
        ("RB101", "violation", None),
        ("RB201", "violation", None),
    ]
    assert list(exceptions_of(data)) == [exc_id]


def test_the_closest_marker_wins_function_over_class_over_module(app: pytest.Pytester) -> None:
    app.makepyfile(
        test_levels=JOBS
        + f"""
    pytestmark = {marker(owner="module-team")}

    def test_module(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 1)

    @{marker(owner="class-team")}
    class TestC:
        def test_class(self, redis_boundary_client):
            jobs.mark_done(redis_boundary_client, "acme", 2)

        @{marker(owner="function-team")}
        def test_function(self, redis_boundary_client):
            jobs.mark_done(redis_boundary_client, "acme", 3)

        @{marker(owner="narrow-team", rules=["RB101"])}
        def test_narrow(self, redis_boundary_client):
            jobs.mark_done(redis_boundary_client, "acme", 4)
    """
    )
    result = run(app, "--redis-boundary-report=report.json")
    # The closest marker replaces the outer ones: test_narrow's RB201 is not excepted by the
    # class's or the module's marker.
    assert_findings(result, *("RB101",) * 4, *("RB201",) * 4, passed=3, failed=1)
    result.stdout.fnmatch_lines(["FAILED test_levels.py::TestC::test_narrow*"])
    data = report(app)
    owners = {e["id"]: e["owner"] for e in data["exceptions"]}
    assert owners == {
        "marker:test_levels.py::test_module": "module-team",
        "marker:test_levels.py::TestC::test_class": "class-team",
        "marker:test_levels.py::TestC::test_function": "function-team",
        "marker:test_levels.py::TestC::test_narrow": "narrow-team",
    }
    for name in ("test_module", "TestC::test_class", "TestC::test_function"):
        exc_id = f"marker:test_levels.py::{name}"
        assert findings_of(data, f"::{name}") == [
            ("RB101", "excepted", exc_id),
            ("RB201", "excepted", exc_id),
        ]
    assert findings_of(data, "::test_narrow") == [
        ("RB101", "excepted", "marker:test_levels.py::TestC::test_narrow"),
        ("RB201", "violation", None),
    ]


def test_an_exception_for_rb101_does_not_cover_rb201(app: pytest.Pytester) -> None:
    app.makepyfile(
        test_partial=JOBS
        + f"""
    @{marker(rules=["RB101"])}
    def test_done(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 42)
    """
    )
    result = run(app, "--redis-boundary-report=report.json")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "redis-boundary (strict): 1 violation of the Redis/RQ boundary in this test",
            "RB201 missing-ttl: HSET t:acme:job:42 *",
            "not failing this test:",
            "  [[]excepted by marker:test_partial.py::test_done] RB101 business-write: HSET "
            "t:acme:job:42 *",
            "how to fix:",
            "  RB201 missing-ttl: *",
        ]
    )
    assert "  RB101 business-write: keep" not in result.stdout.str()
    assert findings_of(report(app), "::test_done") == [
        ("RB101", "excepted", "marker:test_partial.py::test_done"),
        ("RB201", "violation", None),
    ]


# --- the register: keys and tests scopes ---------------------------------------------------------


def test_register_entry_scoped_by_keys(app: pytest.Pytester) -> None:
    policy(app, entry("EXC-KEYS", keys=["t:*:job:*"]))
    app.makepyfile(
        test_keys=JOBS
        + """
    def test_job_key(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 1)

    def test_other_key(redis_boundary_client):
        redis_boundary_client.hset("t:acme:cache:pinned", "status", "done")
    """
    )
    result = run(app, "--redis-boundary-report=report.json")
    assert_findings(result, "RB101", "RB101", "RB201", "RB201", passed=1, failed=1)
    result.stdout.fnmatch_lines(["FAILED test_keys.py::test_other_key*"])
    data = report(app)
    assert findings_of(data, "::test_job_key") == [
        ("RB101", "excepted", "EXC-KEYS"),
        ("RB201", "excepted", "EXC-KEYS"),
    ]
    assert findings_of(data, "::test_other_key") == [
        ("RB101", "violation", None),
        ("RB201", "violation", None),
    ]
    assert exceptions_of(data)["EXC-KEYS"]["matched"] == 2


def test_register_entry_scoped_by_test_nodeid_globs(app: pytest.Pytester) -> None:
    policy(app, entry("EXC-TESTS", tests=["test_legacy.py::*"]))
    body = """
    def test_done(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 1)
    """
    app.makepyfile(test_legacy=JOBS + body, test_new=JOBS + body)
    result = run(app, "--redis-boundary-report=report.json")
    assert_findings(result, "RB101", "RB101", "RB201", "RB201", passed=1, failed=1)
    result.stdout.fnmatch_lines(["FAILED test_new.py::test_done*"])
    data = report(app)
    assert findings_of(data, "test_legacy.py::test_done") == [
        ("RB101", "excepted", "EXC-TESTS"),
        ("RB201", "excepted", "EXC-TESTS"),
    ]
    assert findings_of(data, "test_new.py::test_done") == [
        ("RB101", "violation", None),
        ("RB201", "violation", None),
    ]


def test_a_marker_comes_before_the_register(app: pytest.Pytester) -> None:
    policy(app, entry("EXC-KEYS", keys=["t:*:job:*"]))
    app.makepyfile(
        test_both=JOBS
        + f"""
    @{marker(rules=["RB101"])}
    def test_done(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 1)
    """
    )
    result = run(app, "--redis-boundary-report=report.json")
    result.assert_outcomes(passed=1)
    data = report(app)
    assert findings_of(data, "::test_done") == [
        ("RB101", "excepted", "marker:test_both.py::test_done"),
        ("RB201", "excepted", "EXC-KEYS"),
    ]


# --- expiry --------------------------------------------------------------------------------------

EXPIRING = """
    def test_done(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 1)
"""


def test_an_exception_is_valid_on_its_expiry_day(app: pytest.Pytester) -> None:
    policy(app, entry("EXC-7", keys=["t:*:job:*"], expiry_date="2026-12-31"))
    app.makepyfile(test_expiry=JOBS + EXPIRING)
    result = run(app, "--redis-boundary-today=2026-12-31", "--redis-boundary-report=report.json")
    result.assert_outcomes(passed=1)
    assert "RB902" not in result.stdout.str()
    assert (
        "  EXC-7: active, matched 2, owner platform-team, expires 2026-12-31 (0 days left, "
        "EXPIRING SOON)" in summary(result)
    )
    data = report(app)
    assert data["today"] == "2026-12-31"
    assert exceptions_of(data)["EXC-7"]["status"] == "active"
    assert findings_of(data, "::test_done") == [
        ("RB101", "excepted", "EXC-7"),
        ("RB201", "excepted", "EXC-7"),
    ]


def test_the_day_after_expiry_is_rb902_and_the_findings_count_again(
    app: pytest.Pytester,
) -> None:
    policy(app, entry("EXC-7", keys=["t:*:job:*"], expiry_date="2026-12-31"))
    app.makepyfile(test_expiry=JOBS + EXPIRING)
    result = run(app, "--redis-boundary-today=2027-01-01", "--redis-boundary-report=report.json")
    assert_findings(result, "RB101", "RB201", "RB902", failed=1)
    result.stdout.fnmatch_lines(
        [
            "redis-boundary (strict): 3 violations of the Redis/RQ boundary in this test",
            "RB902 exception-expired: EXC-7 (owner platform-team, removal PLAT-812) expired on "
            "2026-12-31; its RB101, RB201 findings count again*",
            "  RB902 exception-expired: renew the exception with a new expiry_date*",
        ]
    )
    assert (
        "  EXC-7: expired, matched 2, owner platform-team, expires 2026-12-31 (expired 1 day "
        "ago)" in summary(result)
    )
    data = report(app)
    assert findings_of(data, "::test_done") == [
        ("RB101", "violation", None),
        ("RB201", "violation", None),
        ("RB902", "violation", None),
    ]
    [rb902] = [f for f in data["findings"] if f["rule"] == "RB902"]
    assert "owner platform-team" in rb902["message"] and "PLAT-812" in rb902["message"]
    assert rb902["test"] == "test_expiry.py::test_done"
    # Where the first finding it would have covered is.
    assert (rb902["phase"], rb902["site"], rb902["function"]) == (
        "call",
        MARK_DONE_SITE,
        "mark_done",
    )
    assert exceptions_of(data)["EXC-7"] == {
        "id": "EXC-7",
        "owner": "platform-team",
        "expiry_date": "2026-12-31",
        "removal_issue": "PLAT-812",
        "status": "expired",
        "matched": 2,
    }
    assert data["summary"]["violations"] == 3 and data["summary"]["excepted"] == 0


def test_an_expired_marker_is_rb902_on_its_test(app: pytest.Pytester) -> None:
    app.makepyfile(
        test_expired=JOBS
        + f"""
    @{marker(expiry_date="2026-11-27", removal_issue="PLAT-9")}
    def test_done(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 1)
    """
    )
    result = run(app, "--redis-boundary-report=report.json")  # today 2026-11-28
    assert_findings(result, "RB101", "RB201", "RB902", failed=1)
    result.stdout.fnmatch_lines(
        [
            "RB902 exception-expired: marker:test_expired.py::test_done (owner platform-team, "
            "removal PLAT-9) expired on 2026-11-27*"
        ]
    )
    data = report(app)
    assert exceptions_of(data)["marker:test_expired.py::test_done"]["status"] == "expired"
    [rb902] = [f for f in data["findings"] if f["rule"] == "RB902"]
    assert (rb902["phase"], rb902["site"], rb902["function"]) == (
        "call",
        MARK_DONE_SITE,
        "mark_done",
    )


def test_today_comes_from_the_environment_without_the_option(
    app: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy(app, entry("EXC-7", keys=["t:*:job:*"], expiry_date="2026-12-31"))
    app.makepyfile(test_expiry=JOBS + EXPIRING)
    monkeypatch.setenv("REDIS_BOUNDARY_TODAY", "2027-01-01")
    result = app.runpytest_subprocess("-p", "no:cacheprovider")
    assert_findings(result, "RB101", "RB201", "RB902", failed=1)
    result.stdout.fnmatch_lines(["redis-boundary: mode strict, policy *, today 2027-01-01*"])
    # The option wins over the environment.
    result = run(app, "--redis-boundary-today=2026-12-31")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["redis-boundary: mode strict, policy *, today 2026-12-31*"])


# --- unused exceptions ---------------------------------------------------------------------------


def test_an_unused_register_entry_is_rb903(app: pytest.Pytester) -> None:
    policy(app, entry("EXC-UNUSED", keys=["t:*:job:*"]))
    app.makepyfile(
        test_clean=JOBS
        + """
    def test_clean(redis_boundary_client):
        cache.cache_profile(redis_boundary_client, "acme", 1, b"x")
    """
    )
    result = run(app, "--redis-boundary-report=report.json")
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    lines = summary(result)
    assert "  RB903 exception-unused  1 warning" in lines
    assert (
        "  EXC-UNUSED: unused, matched 0, owner platform-team, expires 2027-01-31 (64 days left)"
        in lines
    )
    data = report(app)
    [rb903] = [f for f in data["findings"] if f["rule"] == "RB903"]
    assert rb903["test"] is None and rb903["verdict"] == "warning"
    assert rb903["message"].startswith(
        "RB903 exception-unused: EXC-UNUSED (owner platform-team, redis-boundary.yaml:3) "
        "matched nothing in this run"
    )
    assert exceptions_of(data)["EXC-UNUSED"]["status"] == "unused"
    assert exceptions_of(data)["EXC-UNUSED"]["matched"] == 0
    assert data["summary"]["warnings"] == 1

    strict = run(app, "--redis-boundary-strict-exceptions")
    strict.assert_outcomes(passed=1)
    assert strict.ret == 1
    strict.stdout.fnmatch_lines(
        [
            "--redis-boundary-strict-exceptions: unused exceptions fail the session:",
            "  RB903 exception-unused: EXC-UNUSED *",
        ]
    )


def test_strict_exceptions_from_the_ini_file(app: pytest.Pytester) -> None:
    policy(app, entry("EXC-UNUSED", keys=["t:*:job:*"]))
    app.makeini("[pytest]\nredis_boundary_strict_exceptions = true\n")
    app.makepyfile(test_clean="def test_clean():\n    pass\n")
    result = run(app)
    result.assert_outcomes(passed=1)
    assert result.ret == 1


def test_a_used_exception_does_not_fail_strict_exceptions(app: pytest.Pytester) -> None:
    policy(app, entry("EXC-USED", keys=["t:*:job:*"]))
    app.makepyfile(test_used=JOBS + EXPIRING)
    result = run(app, "--redis-boundary-strict-exceptions")
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    assert "RB903" not in result.stdout.str()


def test_the_marker_of_a_skipped_test_is_not_unused(app: pytest.Pytester) -> None:
    app.makepyfile(
        test_skipped=JOBS
        + f"""
    @pytest.mark.skip(reason="not on this platform")
    @{marker()}
    def test_skipped(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 1)

    @{marker()}
    def test_unused(redis_boundary_client):
        cache.cache_profile(redis_boundary_client, "acme", 1, b"x")
    """
    )
    result = run(app, "--redis-boundary-strict-exceptions", "--redis-boundary-report=report.json")
    result.assert_outcomes(passed=1, skipped=1)
    assert result.ret == 1  # test_unused's marker ran and matched nothing
    assert list(exceptions_of(report(app))) == ["marker:test_skipped.py::test_unused"]
    assert "test_skipped.py::test_skipped (owner" not in result.stdout.str()


# --- xdist ---------------------------------------------------------------------------------------


def test_matched_counts_across_xdist_workers(app: pytest.Pytester) -> None:
    policy(app, entry("EXC-7", keys=["t:*:job:*"]), entry("EXC-UNUSED", keys=["t:*:nothing:*"]))
    body = """
    def test_done(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 1)
        jobs.mark_done(redis_boundary_client, "acme", 2)
    """
    app.makepyfile(test_a=JOBS + body, test_b=JOBS + body)
    serial = run(app, "--redis-boundary-report=serial.json")
    serial.assert_outcomes(passed=2)
    xdist = run(app, "-n", "2", "--dist=loadfile", "--redis-boundary-report=xdist.json")
    xdist.assert_outcomes(passed=2)
    one, two = report(app, "serial.json"), report(app, "xdist.json")
    # matched counts occurrences: each test's two RB101 (and two RB201) findings at one site
    # and key shape are reported once with count 2, and match EXC-7 twice.
    assert exceptions_of(one)["EXC-7"]["matched"] == 8
    assert one["summary"]["excepted"] == 4
    assert one["exceptions"] == two["exceptions"]
    assert one["findings"] == two["findings"]
    assert summary(serial) == summary(xdist)
    assert exceptions_of(two)["EXC-UNUSED"]["status"] == "unused"


# --- validation (RB901) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"owner": None},
            "owner: the required field 'owner' is missing. Fix: name the owning team or person",
        ),
        (
            {"exception_reason": ""},
            "exception_reason: expected a non-empty string, got an empty one. Fix: say why the "
            "exception is needed",
        ),
        (
            {"expiry_date": "31.01.2027"},
            "expiry_date: expected a date as YYYY-MM-DD, got '31.01.2027'. Fix: give the last "
            "day the exception is valid as YYYY-MM-DD",
        ),
        (
            {"expiry_date": "2027-02-30"},
            "expiry_date: '2027-02-30' is not a real date (day is out of range for month). "
            "Fix: give the last day",
        ),
        (
            {"rules": ["RB999"]},
            "rules[0]: unknown rule id 'RB999'. Fix: use ids from: RB101, RB102",
        ),
        (
            {"rules": ["RB101", "RB901"]},
            "rules[1]: RB901 (exception-invalid) cannot be excepted: no exception can cover "
            "RB9xx. Fix: remove RB901",
        ),
        (
            {"rules": None},
            "rules: the required field 'rules' is missing. Fix: list the rule ids it covers",
        ),
        (
            {"keys": ["[abc"]},
            "keys[0]: bad key pattern '[abc': unclosed '[' at column 1. Fix: close the set with "
            "']'",
        ),
        (
            {"removal_issue": "  "},
            "removal_issue: expected a non-empty string, got an empty one. Fix: link the issue",
        ),
        (
            {"tests": ["tests/*"]},
            "tests: unknown field 'tests' in a marker exception; a marker's scope is its own "
            "test, so it takes no id, tests or imports. Fix: remove it",
        ),
    ],
    ids=[
        "missing-owner",
        "empty-reason",
        "bad-date-format",
        "impossible-date",
        "unknown-rule",
        "rb9xx-rule",
        "missing-rules",
        "bad-key-glob",
        "blank-removal-issue",
        "marker-with-tests",
    ],
)
def test_an_invalid_marker_is_a_collection_error_of_that_test(
    pytester: pytest.Pytester, fields: dict[str, object], message: str
) -> None:
    result = collect_with_marker(pytester, f"@{marker(**fields)}", "test_bad")
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting test_bad.py*",
            "redis-boundary: invalid marker on test_bad.py::test_x:",
            "RB901 exception-invalid: test_bad.py::test_x: *",
            "ERROR test_bad.py::test_x*",
        ]
    )
    # The test, the field, the problem and the fix (compared as text: the messages hold '[').
    expected = (
        f"RB901 exception-invalid: test_bad.py::test_x: exception 'marker:test_bad.py::test_x': "
        f"{message}"
    )
    assert any(line.startswith(expected) for line in result.stdout.lines), result.stdout.str()
    # Without --continue-on-collection-errors, the session stops: an invalid exception never
    # silently lets findings through.
    assert run(pytester).ret == pytest.ExitCode.INTERRUPTED


def test_an_invalid_class_marker_is_an_error_of_each_test_of_the_class(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_bad=f"""
        import pytest

        @{marker(owner=None)}
        class TestBad:
            def test_a(self):
                pass

            def test_b(self):
                pass
        """
    )
    result = run(pytester, "--continue-on-collection-errors")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "redis-boundary: invalid marker on test_bad.py::TestBad::test_a:",
            "RB901 exception-invalid: test_bad.py::TestBad::test_a: *owner: the required field "
            "'owner' is missing*",
        ]
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"keys": ["t:*:job:*"], "removal_issue": None},
            "exceptions[1].removal_issue",
            "RB901 invalid exception 'EXC-BAD': the required field 'removal_issue' is missing",
        ),
        (
            {},
            "exceptions[1].scope",
            "RB901 invalid exception 'EXC-BAD': the exception has an empty scope: none of keys, "
            "tests or imports is given",
        ),
        (
            {"keys": ["t:*:job:*"], "rules": ["RB101", "RB903"]},
            "exceptions[1].rules[1]",
            "RB901 invalid exception 'EXC-BAD': RB903 (exception-unused) cannot be excepted: no "
            "exception can cover RB9xx",
        ),
        (
            {"keys": ["t:*:job:*"], "expiry_date": "2027-02-30"},
            "exceptions[1].expiry_date",
            "RB901 invalid exception 'EXC-BAD': '2027-02-30' is not a real date",
        ),
        (
            {"keys": ["t:*:job:*"], "owner": '""'},
            "exceptions[1].owner",
            "RB901 invalid exception 'EXC-BAD': expected a non-empty string, got an empty one",
        ),
    ],
    ids=["missing-removal-issue", "empty-scope", "rb9xx-rule", "impossible-date", "empty-owner"],
)
def test_an_invalid_register_entry_is_a_usage_error(
    pytester: pytest.Pytester, fields: dict[str, object], field: str, message: str
) -> None:
    policy(pytester, entry("EXC-OK", keys=["t:*:cache:*"]), entry("EXC-BAD", **fields))
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "redis-boundary: the policy file redis-boundary.yaml is invalid:" in err
    # file:line of the entry (or of its field), the field path, the entry id and the problem
    match = re.search(r"redis-boundary\.yaml:(\d+)(?::\d+)?: " + re.escape(field) + r": (.*)", err)
    assert match is not None, err
    assert int(match.group(1)) >= 10  # EXC-BAD starts on line 10, after EXC-OK's 7 lines
    assert match.group(2).startswith(message), err
    assert "Fix:" in err or "fix:" in err.lower()


# --- visibility: summary and JSON ----------------------------------------------------------------

WINDOW = """
    def test_a(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 1)

    def test_b(redis_boundary_client):
        redis_boundary_client.hset("t:acme:job:2", "owner", "x")
        redis_boundary_client.expire("t:acme:job:2", 60)
"""


@pytest.fixture
def window(app: pytest.Pytester) -> pytest.Pytester:
    """EXC-SOON expires in 7 days (covering test_a's RB101 and RB201), EXC-LATER in 64 (covering
    test_b's two RB101: HSET of a business field, EXPIRE of a business key)."""
    policy(
        app,
        entry("EXC-SOON", tests=["*::test_a"], expiry_date="2026-12-05", removal_issue="PLAT-1"),
        entry("EXC-LATER", tests=["*::test_b"], rules=["RB101"], owner="jobs-team"),
    )
    app.makepyfile(test_window=JOBS + WINDOW)
    return app


def test_summary_lists_active_exceptions_with_days_left_and_flags_expiring(
    window: pytest.Pytester,
) -> None:
    result = run(window)
    result.assert_outcomes(passed=2)
    lines = summary(window_result := result)
    assert f"mode strict, policy redis-boundary.yaml, today {TODAY}" in lines
    assert "2 tests, 3 Redis calls, 0 violations, 4 excepted, 0 warnings" in lines
    start = lines.index("exceptions:")
    assert lines[start + 1 : start + 3] == [
        "  EXC-LATER: active, matched 2, owner jobs-team, expires 2027-01-31 (64 days left)",
        "  EXC-SOON: active, matched 2, owner platform-team, expires 2026-12-05 (7 days left, "
        "EXPIRING SOON)",
    ]
    assert window_result.ret == 0


@pytest.mark.parametrize(
    ("args", "ini", "soon"),
    [
        ([], "", {"EXC-SOON"}),
        (["--redis-boundary-expiry-warning-days=6"], "", set()),
        (["--redis-boundary-expiry-warning-days=7"], "", {"EXC-SOON"}),
        (["--redis-boundary-expiry-warning-days=64"], "", {"EXC-SOON", "EXC-LATER"}),
        ([], "redis_boundary_expiry_warning_days = 90", {"EXC-SOON", "EXC-LATER"}),
        (
            ["--redis-boundary-expiry-warning-days=0"],
            "redis_boundary_expiry_warning_days = 90",
            set(),
        ),
    ],
)
def test_the_expiry_warning_window_is_configurable(
    window: pytest.Pytester, args: list[str], ini: str, soon: set[str]
) -> None:
    if ini:
        window.makeini(f"[pytest]\n{ini}\n")
    result = run(window, *args)
    result.assert_outcomes(passed=2)
    flagged = {
        line.split(":")[0].strip() for line in summary(result) if line.endswith("EXPIRING SOON)")
    }
    assert flagged == soon


@pytest.mark.parametrize(
    ("args", "ini", "message"),
    [
        (
            ["--redis-boundary-expiry-warning-days=-1"],
            "",
            "--redis-boundary-expiry-warning-days: invalid number of days '-1': expected an "
            "integer >= 0, e.g. 14.",
        ),
        (
            ["--redis-boundary-expiry-warning-days=two"],
            "",
            "--redis-boundary-expiry-warning-days: invalid number of days 'two': expected an "
            "integer >= 0, e.g. 14.",
        ),
        (
            [],
            "redis_boundary_expiry_warning_days = 1.5",
            "ini redis_boundary_expiry_warning_days: invalid number of days '1.5': expected an "
            "integer >= 0, e.g. 14.",
        ),
    ],
)
def test_an_invalid_expiry_warning_window_is_a_usage_error(
    pytester: pytest.Pytester, args: list[str], ini: str, message: str
) -> None:
    if ini:
        pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = run(pytester, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()


def test_the_expiry_warning_window_is_in_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--help")
    out = result.stdout.str()
    assert "--redis-boundary-expiry-warning-days=N" in out
    result.stdout.fnmatch_lines(["  redis_boundary_expiry_warning_days *"])
    group = out.split("Redis/RQ retirement boundary (pytest-redis-boundary):")[1].split("\n\n")[0]
    assert "--redis-boundary-expiry-warning-days" in group


def test_json_exceptions_array_shape(window: pytest.Pytester) -> None:
    policy(
        window,
        entry("EXC-SOON", tests=["*::test_a"], expiry_date="2026-12-05", removal_issue="PLAT-1"),
        entry("EXC-LATER", tests=["*::test_b"], rules=["RB101"], owner="jobs-team"),
        entry("EXC-OLD", keys=["t:*:gone:*"], expiry_date="2026-01-01", removal_issue="PLAT-3"),
        entry("EXC-IDLE", keys=["t:*:idle:*"], removal_issue="PLAT-4"),
    )
    window.makepyfile(
        test_marked=JOBS
        + f"""
    @{marker(owner="marker-team", removal_issue="PLAT-5", expiry_date="2027-03-01")}
    def test_marked(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 3)
    """
    )
    result = run(window, "--redis-boundary-report=report.json")
    result.assert_outcomes(passed=3)
    data = report(window)
    assert data["schema"] == "redis-boundary-report/1" and data["today"] == TODAY
    assert data["exceptions"] == [
        {
            "id": "EXC-IDLE",
            "owner": "platform-team",
            "expiry_date": "2027-01-31",
            "removal_issue": "PLAT-4",
            "status": "unused",
            "matched": 0,
        },
        {
            "id": "EXC-LATER",
            "owner": "jobs-team",
            "expiry_date": "2027-01-31",
            "removal_issue": "PLAT-812",
            "status": "active",
            "matched": 2,
        },
        {
            "id": "EXC-OLD",
            "owner": "platform-team",
            "expiry_date": "2026-01-01",
            "removal_issue": "PLAT-3",
            "status": "expired",
            "matched": 0,
        },
        {
            "id": "EXC-SOON",
            "owner": "platform-team",
            "expiry_date": "2026-12-05",
            "removal_issue": "PLAT-1",
            "status": "active",
            "matched": 2,
        },
        {
            "id": "marker:test_marked.py::test_marked",
            "owner": "marker-team",
            "expiry_date": "2027-03-01",
            "removal_issue": "PLAT-5",
            "status": "active",
            "matched": 2,
        },
    ]
    # An expired exception that matched nothing is reported expired, not unused: RB903 only
    # for EXC-IDLE.
    assert [f["message"].split(" (")[0] for f in data["findings"] if f["rule"] == "RB903"] == [
        "RB903 exception-unused: EXC-IDLE"
    ]


def test_register_errors_name_every_problem_of_the_file(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("redis-boundary.yaml").write_text(
        textwrap.dedent(
            """\
            version: 1
            exceptions:
              - id: EXC-1
                owner: platform-team
                exception_reason: why
                expiry_date: 2027-13-01
                removal_issue: PLAT-1
                rules: [RB101]
              - id: EXC-2
                owner: platform-team
                exception_reason: why
                expiry_date: 2027-01-01
                removal_issue: PLAT-2
                rules: [RB101]
                keys: ["t:*:job:*"]
            """
        )
    )
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    assert "redis-boundary.yaml:6" in err and "exceptions[0].expiry_date" in err
    assert "exceptions[0].scope" in err
    assert "EXC-2" not in err
