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
