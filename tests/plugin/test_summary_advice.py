"""The summary leads with what to do: the key shapes with the most violations, per rule."""

from __future__ import annotations

import pytest

from tests.plugin.common import run


def test_the_summary_leads_with_the_top_shapes_and_their_policy_change(
    app: pytest.Pytester,
) -> None:
    app.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", range(4))
        def test_models(redis_boundary_client, n):
            redis_boundary_client.set(f"walrus:model:{n}", b"x", ex=30)
            if n < 2:
                redis_boundary_client.set(f"walrus:index:{n}", b"x", ex=30)
        """
    )
    result = run(app, "--redis-boundary=warn")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        [
            "*= redis-boundary =*",
            "mode warn, *",
            "4 tests, 6 Redis calls, 12 violations, 0 excepted, 0 warnings",
            "what to do first (the key shapes with the most violations, per rule):",
            "  RB203 unclassified-key: 6 violations",
            '    4  walrus:model:*: add a class: classes.walrus_model: {keys: ["walrus:model:*"],'
            " max_ttl_seconds: N} (N: the longest TTL these keys need)",
            "    2  walrus:index:*: add a class: classes.walrus_index: *",
            "  RB301 tenant-unscoped: 6 violations",
            "    4  walrus:model:*: if these keys carry a tenant, add a pattern to "
            "tenant.key_patterns with {tenant} where it sits; if not, put the tenant in the key "
            "(t:{tenant}:walrus:model:*)",
            "    2  walrus:index:*: *",
            "  policy keys: pytest-redis-boundary's docs, reference/policy.md*",
            "*findings per rule:",
        ]
    )


def test_a_clean_run_gives_no_advice(app: pytest.Pytester) -> None:
    app.makepyfile(
        """
        def test_cache(redis_boundary_client):
            redis_boundary_client.set("t:acme:cache:x", b"1", ex=5)
        """
    )
    assert "what to do first" not in run(app).stdout.str()


def test_warned_repeats_and_teardown_findings_add_up(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_repeats="""
        import fakeredis
        import pytest

        client = fakeredis.FakeRedis()


        def write(n):
            client.hset(f"t:acme:job:{n}", "status", "done")


        @pytest.fixture
        def seeded():
            yield
            client.hset("t:acme:job:99", "status", "gone")  # teardown: reported, never warned


        @pytest.mark.parametrize("n", [1, 2, 3])
        def test_writes(n, seeded):
            write(n)
        """
    )
    result = run(pytester, "--redis-boundary=warn", "-p", "no:randomly")
    result.assert_outcomes(passed=3)
    # Each test's call phase gives RB101 and RB201, its teardown one RB101: 9 violations, of
    # which 2 identities warned, 4 repeats of them, 3 in teardown.
    result.stdout.fnmatch_lines(
        [
            "*3 tests, * Redis calls, 9 violations, 0 excepted, 0 warnings",
            "RedisBoundaryWarning: one per finding identity (rule, key shape, file, function): "
            "2 shown, 4 repeats not warned again, 3 in teardown (reported, not warned) "
            "(counted here and in the reports)",
        ]
    )
