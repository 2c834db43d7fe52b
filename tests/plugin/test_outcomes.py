"""Test outcomes by mode, markers, governance and the redis_boundary fixture."""

from __future__ import annotations

import pytest

from tests.plugin.common import (
    CACHE_PROFILE_SITE,
    MARK_DONE_SITE,
    PIN_PROFILE_SITE,
    assert_findings,
    collect_with_marker,
    run,
)

JOBS = """
    import pytest
    from examples.app import jobs, cache

"""

# One test that writes a job status (RB101) and leaves the key without a TTL (RB201).
MARK_DONE = (
    JOBS
    + """
    def test_done(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 42)
    """
)


def test_strict_fails_the_call_phase_listing_findings_and_fixes(app: pytest.Pytester) -> None:
    app.makepyfile(MARK_DONE)
    result = run(app)
    assert_findings(result, "RB101", "RB201", failed=1)
    result.stdout.fnmatch_lines(
        [
            "redis-boundary (strict): 2 violations of the Redis/RQ boundary in this test",
            f"RB101 business-write: HSET t:acme:job:42 field 'status' at {MARK_DONE_SITE} "
            "in mark_done()",
            f"RB201 missing-ttl: HSET t:acme:job:42 at {MARK_DONE_SITE} in mark_done() "
            "(left without a TTL at the end of the test)",
            "how to fix:",
            "  RB101 business-write: keep business state*",
            "  RB201 missing-ttl: give the key a TTL*",
            "each rule has a page in pytest-redis-boundary's docs, rules/<id> (*",
            "FAILED test_strict_fails_the_call_phase_listing_findings_and_fixes.py::test_done*",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    assert "recorded commands" not in result.stdout.str()


def test_verbose_failure_lists_the_recorded_commands(app: pytest.Pytester) -> None:
    app.makepyfile(
        JOBS
        + """
    def test_done(redis_boundary_client):
        cache.cache_profile(redis_boundary_client, "acme", 7, b"secret")
        jobs.mark_done(redis_boundary_client, "acme", 42)
    """
    )
    result = run(app, "-v")
    result.stdout.fnmatch_lines(
        [
            "recorded commands (2; names and keys only):",
            f"  call     SET t:acme:cache:profile:7  {CACHE_PROFILE_SITE} in cache_profile()",
            f"  call     HSET t:acme:job:42  {MARK_DONE_SITE} in mark_done()",
        ]
    )


def test_a_failing_test_keeps_its_own_failure(app: pytest.Pytester) -> None:
    app.makepyfile(
        JOBS
        + """
    def test_done(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 42)
        assert 1 == 2, "own failure"
    """
    )
    result = run(app)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       AssertionError: own failure",
            "*- redis-boundary -*",
            "redis-boundary (strict): 2 violations*",
            "RB101 business-write: HSET t:acme:job:42*",
        ]
    )


def test_warn_mode_turns_findings_into_warnings(app: pytest.Pytester) -> None:
    app.makepyfile(MARK_DONE)
    result = run(app, "--redis-boundary=warn")
    result.assert_outcomes(passed=1, warnings=2)
    result.stdout.fnmatch_lines(
        [
            "*warnings summary*",
            f"  {MARK_DONE_SITE}: RedisBoundaryWarning: RB101 business-write: HSET "
            f"t:acme:job:42 field 'status' at {MARK_DONE_SITE} in mark_done()",
            "*redis-boundary*",
            "mode warn, *",
            "1 test, 1 Redis call, 2 violations, 0 excepted, 0 warnings",
        ]
    )


def test_warnings_are_catchable_by_category(app: pytest.Pytester) -> None:
    app.makepyfile(MARK_DONE)
    result = run(
        app, "--redis-boundary=warn", "-W", "error::pytest_redis_boundary.RedisBoundaryWarning"
    )
    result.assert_outcomes(failed=1)


def test_per_test_mode_marker_overrides_the_option(app: pytest.Pytester) -> None:
    app.makepyfile(
        JOBS
        + """
    @pytest.mark.redis_boundary(mode="warn")
    def test_warned(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 1)

    @pytest.mark.redis_boundary(mode="off")
    def test_off(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 2)

    pytestmark = pytest.mark.redis_boundary(mode="warn")

    class TestStrict:
        @pytest.mark.redis_boundary("strict")
        def test_strict(self, redis_boundary_client):
            jobs.mark_done(redis_boundary_client, "acme", 3)
    """
    )
    result = run(app)
    result.assert_outcomes(passed=2, failed=1, warnings=2)
    result.stdout.fnmatch_lines(["FAILED *::TestStrict::test_strict*"])
    assert "t:acme:job:2" not in result.stdout.str()


def test_verdicts_do_not_depend_on_the_mode(app: pytest.Pytester) -> None:
    app.makepyfile(MARK_DONE)
    strict = run(app, "--redis-boundary-report=strict.json")
    warn = run(app, "--redis-boundary=warn", "--redis-boundary-report=warn.json")
    assert strict.ret == 1 and warn.ret == 0
    assert (app.path / "strict.json").read_text() == (app.path / "warn.json").read_text()


def test_teardown_findings_are_reported_never_fail(app: pytest.Pytester) -> None:
    app.makepyfile(
        JOBS
        + """
    @pytest.fixture
    def leftover(redis_boundary_client):
        yield
        jobs.mark_done(redis_boundary_client, "acme", 9)

    def test_clean(leftover):
        pass
    """
    )
    result = run(app)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*RB101 business-write  1 violation"])


def test_setup_findings_fail_the_test_in_its_call_phase(app: pytest.Pytester) -> None:
    app.makepyfile(
        JOBS
        + """
    @pytest.fixture
    def seeded(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 9)

    def test_uses_seed(seeded):
        pass
    """
    )
    result = run(app)
    result.assert_outcomes(failed=1)
    assert "ERROR" not in result.stdout.str()


def test_a_marker_exception_excepts_its_rules(app: pytest.Pytester) -> None:
    app.makepyfile(
        JOBS
        + """
    @pytest.mark.redis_boundary_exception(
        owner="platform-team", exception_reason="legacy mirror", expiry_date="2027-01-31",
        removal_issue="PLAT-812", rules=["RB101", "RB201"], keys=["t:*:job:*"],
    )
    def test_excepted(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 42)

    @pytest.mark.redis_boundary_exception(
        owner="platform-team", exception_reason="legacy mirror", expiry_date="2026-11-01",
        removal_issue="PLAT-813", rules=["RB101", "RB201"],
    )
    def test_expired(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 43)
    """
    )
    result = run(app)
    assert_findings(result, "RB101", "RB101", "RB201", "RB201", "RB902", failed=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "RB902 exception-expired: marker:*::test_expired (owner platform-team, removal "
            "PLAT-813) expired on 2026-11-01*",
            "  marker:*::test_excepted: active, matched 2, owner platform-team, expires "
            "2027-01-31 (64 days left)",
        ]
    )


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            '@pytest.mark.redis_boundary_exception(owner="me", exception_reason="why", '
            'expiry_date="2027-01-01", rules=["RB101"])',
            "*RB901 exception-invalid: *::test_x: exception 'marker:*::test_x': removal_issue: "
            "the required field 'removal_issue' is missing. Fix: *",
        ),
        (
            '@pytest.mark.redis_boundary_exception(owner="me", exception_reason="why", '
            'expiry_date="31.01.2027", removal_issue="X-1", rules=["RB101"])',
            "*expiry_date: expected a date as YYYY-MM-DD, got '31.01.2027'*",
        ),
        ('@pytest.mark.redis_boundary(mode="loud")', "*redis_boundary: invalid mode 'loud'*"),
        ("@pytest.mark.redis_tenant()", "*redis_tenant: expected one non-empty tenant id*"),
    ],
)
def test_invalid_markers_are_collection_errors_for_that_test(
    pytester: pytest.Pytester, marker: str, message: str
) -> None:
    result = collect_with_marker(pytester, marker, pytester.path.name)
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting *",
            "redis-boundary: invalid marker on *::test_x:",
            message,
            "ERROR test_*.py::test_x",
        ]
    )


def test_redis_tenant_marks_cross_tenant_keys(app: pytest.Pytester) -> None:
    app.makepyfile(
        JOBS
        + """
    @pytest.mark.redis_tenant("acme")
    def test_tenant(redis_boundary_client):
        cache.cache_profile(redis_boundary_client, "acme", 1, b"x")
        cache.cache_profile(redis_boundary_client, "globex", 1, b"x")
    """
    )
    result = run(app)
    assert_findings(result, "RB302", failed=1)
    result.stdout.fnmatch_lines(
        [
            "RB302 cross-tenant: SET t:globex:cache:profile:1 * (key of tenant 'globex', test "
            "declared 'acme')"
        ]
    )


def test_the_redis_boundary_fixture(app: pytest.Pytester) -> None:
    app.makepyfile(
        JOBS
        + f"""
    @pytest.mark.redis_boundary(mode="warn")
    def test_calls_and_findings(redis_boundary, redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 42)
        [call] = redis_boundary.calls
        assert (call.name, call.keys, call.phase) == ("HSET", ("t:acme:job:42",), "call")
        assert str(call.site) == "{MARK_DONE_SITE}" and call.site.function == "mark_done"
        [finding] = redis_boundary.findings  # RB201 is judged at the end of the call phase
        assert (finding.rule, finding.command, finding.key, finding.field) == (
            "RB101", "HSET", "t:acme:job:42", "status")
        assert finding.site == "{MARK_DONE_SITE}"
        assert finding.message.startswith("RB101 business-write: HSET")

    def test_expect_removes_what_it_expected(redis_boundary, redis_boundary_client):
        with redis_boundary.expect("RB101", "RB201") as expected:
            jobs.mark_done(redis_boundary_client, "acme", 43)
        assert sorted(f.rule for f in expected.found) == ["RB101", "RB201"]
        assert redis_boundary.findings == []

    def test_expect_without_the_finding_fails(redis_boundary, redis_boundary_client):
        with redis_boundary.expect("RB101"):
            cache.cache_profile(redis_boundary_client, "acme", 1, b"x")

    def test_assert_clean(redis_boundary, redis_boundary_client):
        cache.cache_profile(redis_boundary_client, "acme", 1, b"x")
        redis_boundary.assert_clean()
        cache.pin_profile(redis_boundary_client, "acme", 1)
        redis_boundary.assert_clean()

    def test_expected_ttl_finding(redis_boundary, redis_boundary_client):
        cache.cache_profile(redis_boundary_client, "acme", 2, b"x")
        with redis_boundary.expect("RB201"):
            cache.pin_profile(redis_boundary_client, "acme", 2)
    """
    )
    result = run(app)
    result.assert_outcomes(passed=3, failed=2, warnings=2)
    result.stdout.fnmatch_lines(
        [
            "*redis_boundary.expect: the block produced no RB101 finding",
            "*it produced no finding",
            "*AssertionError: redis-boundary: 1 violation(s) so far:",
            f"*RB201 missing-ttl: PERSIST t:acme:cache:profile:1 at {PIN_PROFILE_SITE}*",
        ]
    )
    summary = result.stdout.str().split("short test summary")[-1]
    assert "test_expect_removes_what_it_expected" not in summary
    assert "test_expected_ttl_finding" not in summary


def test_rb401_observability_fields(app: pytest.Pytester) -> None:
    app.path.joinpath("redis-boundary.yaml").write_text(
        "version: 1\nobservability:\n  loggers: [app]\n"
        "  required_fields: [trace_id, tenant_id, key_ttl_seconds]\n"
    )
    app.makepyfile(
        app_log="""
        import logging

        logging.getLogger("app").setLevel(logging.INFO)
        log = logging.getLogger("app.cache")

        def cached(key, secret):
            log.info("cached %s", secret, extra={"redis_key": key, "trace_id": "t1"})

        def cached_well(key):
            log.info("ok", extra={"redis_key": key, "trace_id": "t", "tenant_id": "acme",
                                  "key_ttl_seconds": 30})

        def quiet(secret):
            log.debug("value is %s", secret, extra={"redis_key": "t:acme:cache:3"})
        """,
        test_log="""
        import app_log

        def test_logs():
            app_log.cached("t:acme:cache:1", "CANARY-LOG-VALUE")
            app_log.cached_well("t:acme:cache:2")

        def test_levels_are_left_alone():
            # Below the logger's level: not emitted, so not checked and not captured either.
            app_log.quiet("CANARY-" + "DEBUG-VALUE")  # split: pytest quotes this line
            assert False
        """,
    )
    result = run(app, "--redis-boundary=warn")
    assert_findings(result, "RB401", passed=1, failed=1)
    assert "CANARY-DEBUG-VALUE" not in result.stdout.str()
    assert "t:acme:cache:3" not in result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*RedisBoundaryWarning: RB401 observability-fields: log record about t:acme:cache:1 "
            "from logger 'app.cache' lacks tenant_id, key_ttl_seconds at app_log.py:7 in cached()"
        ]
    )
    assert "CANARY-LOG-VALUE" not in result.stdout.str()
    assert "t:acme:cache:2" not in result.stdout.str()


def test_an_invalid_marker_on_a_unittest_case_is_a_clean_setup_error(app: pytest.Pytester) -> None:
    """unittest items are not built by pytest's Python collector: checked at setup instead."""
    app.makepyfile(
        """
        import unittest
        import pytest

        @pytest.mark.redis_boundary(mode="bogus")
        class Case(unittest.TestCase):
            def test_a(self):
                pass
        """
    )
    result = run(app)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*redis-boundary: invalid marker on *Case::test_a:*"])
    out = result.stdout.str()
    assert "During handling" not in out and "KeyError" not in out and "Traceback" not in out


def test_warnings_made_errors_fail_the_test_cleanly(app: pytest.Pytester) -> None:
    """``-W error::RedisBoundaryWarning`` in warn mode: every finding listed, no traceback."""
    app.makepyfile(
        """
        from examples.app import jobs

        def test_status(redis_boundary_client):
            jobs.mark_done(redis_boundary_client, "acme", 1)
        """
    )
    result = run(
        app,
        "--redis-boundary=warn",
        "-W",
        "error::pytest_redis_boundary.RedisBoundaryWarning",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*RedisBoundaryWarning raised as an error:*",
            "*RB101 business-write: HSET t:acme:job:1 field 'status'*",
            "*RB201 missing-ttl: HSET t:acme:job:1*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


MANY_SHAPES = """
    import string

    def test_many(redis_boundary_client):
        for letter in string.ascii_lowercase[:12]:
            redis_boundary_client.hset(f"t:acme:job:x{letter}", "status", "done")
"""


def test_a_strict_failure_lists_the_first_findings_and_names_the_report(
    app: pytest.Pytester,
) -> None:
    """12 keys x (RB101, RB201): the first 10 violations, then how many more and where."""
    app.makepyfile(MANY_SHAPES)
    result = run(app, "--redis-boundary-report=out/rb.json")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    # Under CI=true pytest's short summary repeats the whole message uncut.
    failure_section = out.split("short test summary info")[0]
    assert "24 violations of the Redis/RQ boundary in this test" in out
    assert failure_section.count("business-write: HSET t:acme:job:x") == 10
    assert "missing-ttl: HSET" not in out
    result.stdout.fnmatch_lines(
        ["... and 14 more violations (all are in the JSON report */out/rb.json)"]
    )


def test_without_a_report_the_failure_says_how_to_write_one(app: pytest.Pytester) -> None:
    app.makepyfile(MANY_SHAPES)
    result = run(app)
    result.stdout.fnmatch_lines(
        ["... and 14 more violations (list them all with --redis-boundary-report=PATH)"]
    )
