"""Warn mode never fails a test: general error filters show findings as warnings; only a filter
naming RedisBoundaryWarning decides otherwise. And one warning per finding identity."""

from __future__ import annotations

import pytest

from tests.plugin.common import WITHOUT_ASYNCIO, run

# Three tests writing the same job status: two identities (RB101, RB201), six findings.
THREE_TESTS = """
    import pytest
    from examples.app import jobs

    @pytest.mark.parametrize("job", [1, 2, 3])
    def test_done(redis_boundary_client, job):
        jobs.mark_done(redis_boundary_client, "acme", job)
"""

NAMED = "pytest_redis_boundary.RedisBoundaryWarning"


@pytest.mark.parametrize(
    ("ini", "args"),
    [
        ("filterwarnings = error", ()),
        ("", ("-W", "error")),
        ("filterwarnings =\n    error::UserWarning", ()),
    ],
    ids=["ini-error", "W-error", "ini-error-UserWarning"],
)
def test_a_general_error_filter_leaves_warn_mode_tests_passing(
    app: pytest.Pytester, ini: str, args: tuple[str, ...]
) -> None:
    app.makeini(f"[pytest]\n{ini}\n")
    app.makepyfile(THREE_TESTS)
    result = run(app, "--redis-boundary=warn", *WITHOUT_ASYNCIO, *args)
    result.assert_outcomes(passed=3, warnings=2)
    result.stdout.fnmatch_lines(
        ["*warnings summary*", "*RedisBoundaryWarning: RB101 business-write: HSET t:acme:job:1*"]
    )
    assert "raised as an error" not in result.stdout.str()


@pytest.mark.parametrize(
    ("ini", "args"),
    [
        (f"filterwarnings =\n    error\n    error::{NAMED}", ()),
        ("filterwarnings = error", ("-W", f"error::{NAMED}")),
    ],
    ids=["ini-named", "W-named"],
)
def test_a_filter_naming_the_warning_makes_every_test_fail(
    app: pytest.Pytester, ini: str, args: tuple[str, ...]
) -> None:
    app.makeini(f"[pytest]\n{ini}\n")
    app.makepyfile(THREE_TESTS)
    result = run(app, "--redis-boundary=warn", *WITHOUT_ASYNCIO, *args)
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(["*RedisBoundaryWarning raised as an error:*"])


def test_an_ignore_filter_naming_the_warning_hides_it(app: pytest.Pytester) -> None:
    app.makeini(f"[pytest]\nfilterwarnings =\n    error\n    ignore::{NAMED}\n")
    app.makepyfile(THREE_TESTS)
    result = run(app, "--redis-boundary=warn", *WITHOUT_ASYNCIO)
    result.assert_outcomes(passed=3)
    assert "RedisBoundaryWarning: RB101" not in result.stdout.str()


def test_warn_mode_warns_once_per_finding_identity(app: pytest.Pytester) -> None:
    app.makepyfile(THREE_TESTS)
    result = run(app, "--redis-boundary=warn")
    result.assert_outcomes(passed=3, warnings=2)
    result.stdout.fnmatch_lines(
        [
            "*redis-boundary*",
            "3 tests, 3 Redis calls, 6 violations, 0 excepted, 0 warnings",
            "*RedisBoundaryWarning: one per finding identity*2 shown, 4 repeats*",
        ]
    )
