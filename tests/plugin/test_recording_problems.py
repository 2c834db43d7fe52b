"""Recording problems: which part failed, for which command on which server, what to do; at the
test's line, never quoting a value, and never changing the test's outcome."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis

from tests.plugin.common import WITHOUT_ASYNCIO, run

SECRET = "stored-value-3f9a"

# A judge that fails the way a bug in it would: on the one command whose key it classifies.
FAILING_JUDGE = f"""
from pytest_redis_boundary.core.policy import Policy

def classify(self, key):
    raise ValueError("cannot classify {SECRET}")

Policy.classify = classify
"""

JUDGED_TEST = f"""
def test_writes(redis_boundary_client):
    redis_boundary_client.set("t:acme:cache:1", "{SECRET}", ex=60)
"""

JUDGE_PROBLEM = (
    "redis-boundary could not judge a command (SET on fakeredis:*/0): builtins.ValueError at "
    "conftest.py:4 in classify(); the command is not judged, so this test's findings may be "
    "incomplete; this is a redis-boundary bug: please report this line with your redis-py and "
    "fakeredis versions"
)


def test_a_judge_failure_says_which_part_command_and_server_at_the_test(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(FAILING_JUDGE)
    pytester.makepyfile(test_judged=JUDGED_TEST)
    result = run(pytester)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "test_judged.py::test_writes",
            f"  test_judged.py:1: RedisBoundaryWarning: {JUDGE_PROBLEM}",
            "recording problems (1):",
            f"  {JUDGE_PROBLEM}",
        ]
    )
    out = result.stdout.str()
    assert SECRET not in out
    assert "session.py" not in out and "problems.py" not in out


def test_a_recording_problem_under_a_general_error_filter_is_a_warning(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(FAILING_JUDGE)
    pytester.makepyfile(test_judged=JUDGED_TEST)
    result = run(pytester, *WITHOUT_ASYNCIO, "-W", "error")
    result.assert_outcomes(passed=1, warnings=1)  # shown as a warning, not raised
    result.stdout.fnmatch_lines(
        [
            "*warnings summary*",
            "*RedisBoundaryWarning*",
            "recording problems (1):",
            f"  {JUDGE_PROBLEM}",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_a_recording_problem_made_an_error_by_its_own_filter_leaves_the_outcome_alone(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(FAILING_JUDGE)
    pytester.makepyfile(test_judged=JUDGED_TEST)
    result = run(
        pytester, *WITHOUT_ASYNCIO, "-W", "error::pytest_redis_boundary.RedisBoundaryWarning"
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["recording problems (1):", f"  {JUDGE_PROBLEM}"])


@pytest.fixture
def no_monitor_url(redis_server_url: str) -> Iterator[str]:
    """The real server's URL as an ACL user that may run anything but MONITOR."""
    admin = redis.Redis.from_url(redis_server_url)
    user, password = f"rb-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    admin.acl_setuser(
        user,
        enabled=True,
        passwords=[f"+{password}"],
        keys=["*"],
        channels=["*"],
        commands=["+@all", "-monitor"],
    )
    parts = urlsplit(redis_server_url)
    netloc = f"{user}:{password}@{parts.hostname}:{parts.port}"
    try:
        yield urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    finally:
        admin.acl_deluser(user)
        admin.close()


@pytest.mark.redis_server
def test_a_script_capture_without_monitor_rights_says_what_to_grant(
    pytester: pytest.Pytester, no_monitor_url: str
) -> None:
    password = urlsplit(no_monitor_url).password
    assert password is not None
    pytester.makepyfile(
        test_scripted=f"""
        import redis

        def test_script():
            client = redis.Redis.from_url({no_monitor_url!r})
            script = "return redis.call('SET', KEYS[1], ARGV[1], 'EX', 60)"
            client.eval(script, 1, "t:acme:cache:9", "{SECRET}")
            client.delete("t:acme:cache:9")
            client.close()
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=1)
    host = urlsplit(no_monitor_url)
    problem = (
        f"redis-boundary could not watch what Lua scripts run (MONITOR) (EVAL on "
        f"{host.hostname}:{host.port}/0): redis.exceptions.NoPermissionError at *: this user "
        "has no permissions to run the 'monitor' command; the commands scripts run on this "
        "server are not judged for the rest of this test; let the connection's user run "
        "MONITOR (ACL +monitor) over a plain TCP or unix socket connection (TLS is not "
        "supported), or send the scripts to fakeredis"
    )
    result.stdout.fnmatch_lines(
        [f"  test_scripted.py:3: RedisBoundaryWarning: {problem}", "recording problems (1):"]
    )
    out = result.stdout.str()
    assert SECRET not in out and password not in out
