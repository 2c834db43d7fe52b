"""The JSON report's key inventory, as a run of the plugin fills it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.plugin.common import CACHE_PROFILE_SITE, MARK_DONE_SITE, app_site, run

SUITE = """
    from examples.app import cache, jobs

    def test_profile(redis_boundary_client):
        cache.cache_profile(redis_boundary_client, "acme", 7, b"v")
        assert cache.cached_profile(redis_boundary_client, "acme", 7) == b"v"

    def test_profiles_of_another_tenant(redis_boundary_client):
        for user in range(3):
            cache.cache_profile(redis_boundary_client, "beta", user, b"v")

    def test_job(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 42)
        jobs.job_status(redis_boundary_client, "acme", 42)

    def test_scratch(redis_boundary_client):
        redis_boundary_client.set("scratch:1733140000.5", b"v")
        redis_boundary_client.set("scratch:1733140001.5", b"v", ex=90)
"""


def inventory_of(run_result: pytest.RunResult, path: Any) -> dict[str, dict[str, Any]]:
    assert run_result.ret in (0, 1), run_result.stdout.str()
    report = json.loads(path.read_text())
    shapes = [entry["shape"] for entry in report["inventory"]]
    assert shapes == sorted(shapes)
    return {entry["shape"]: entry for entry in report["inventory"]}


def test_every_shape_written_or_read_is_one_entry(app: pytest.Pytester) -> None:
    app.makepyfile(test_suite=SUITE)
    result = run(app, "--redis-boundary=warn", "--redis-boundary-report=report.json")
    inventory = inventory_of(result, app.path / "report.json")
    assert set(inventory) == {"t:{tenant}:cache:profile:*", "t:{tenant}:job:*", "scratch:*"}
    assert inventory["t:{tenant}:cache:profile:*"] == {
        "shape": "t:{tenant}:cache:profile:*",
        "class": "cache",
        "writes": 4,
        "reads": 1,
        "tenant": True,
        "max_ttl_seconds": 300,
        "persistent": False,
        "commands": ["GET", "SET"],
        "sites": sorted(
            [CACHE_PROFILE_SITE, app_site("cache.py", "value = client.get(")],
            key=lambda site: int(site.rpartition(":")[2]),
        ),
        "tests": 2,
    }
    job = inventory["t:{tenant}:job:*"]
    assert (job["class"], job["writes"], job["reads"], job["tests"]) == ("business", 1, 1, 1)
    assert (job["persistent"], job["max_ttl_seconds"]) == (True, None)
    assert MARK_DONE_SITE in job["sites"]
    scratch = inventory["scratch:*"]
    # unclassified; one key kept no TTL, the other's is the largest seen
    assert (scratch["class"], scratch["tenant"], scratch["writes"]) == (None, False, 2)
    assert (scratch["persistent"], scratch["max_ttl_seconds"]) == (True, 90)


def test_a_test_in_mode_off_adds_nothing(app: pytest.Pytester) -> None:
    app.makepyfile(
        test_suite="""
        import pytest

        @pytest.mark.redis_boundary(mode="off")
        def test_off(redis_boundary_client):
            redis_boundary_client.set("off:1", b"v")

        def test_on(redis_boundary_client):
            redis_boundary_client.set("on:1", b"v", ex=5)
        """
    )
    result = run(app, "--redis-boundary-report=report.json")
    assert set(inventory_of(result, app.path / "report.json")) == {"on:*"}
