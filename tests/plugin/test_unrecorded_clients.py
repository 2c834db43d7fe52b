"""Tests that sent nothing through redis-py, and other Redis clients, are named in the summary."""

from __future__ import annotations

import pytest

from tests.plugin.common import run


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_the_summary_names_silent_tests_and_unrecorded_clients(
    app: pytest.Pytester, workers: tuple[str, ...]
) -> None:
    app.makepyfile(coredis="class Redis:\n    pass\n")  # a stand-in: only its name matters
    app.makepyfile(
        test_limits="""
        import coredis

        def test_async_limit():
            coredis.Redis()

        def test_another():
            pass

        def test_sync(redis_boundary_client):
            redis_boundary_client.set("t:acme:cache:x", b"1", ex=5)
        """
    )
    result = run(app, *workers)
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "*redis-boundary*",
            "3 tests, 1 Redis call, 0 violations, 0 excepted, 0 warnings",
            "2 of 3 tests sent no command through redis-py: nothing was recorded or judged "
            "for them",
            "imported but not recorded: coredis (their commands are not judged*",
        ]
    )


def test_nothing_is_said_when_every_test_sends_through_redis_py(app: pytest.Pytester) -> None:
    app.makepyfile(
        """
        def test_sync(redis_boundary_client):
            redis_boundary_client.set("t:acme:cache:x", b"1", ex=5)
        """
    )
    out = run(app).stdout.str()
    assert "sent no command" not in out and "imported but not recorded" not in out
