"""The example application's tests, judged by pytest-redis-boundary (``make demo``).

Clean tests pass as they are. Tests that exercise a violation on purpose say so with
``redis_boundary.expect(...)``, and the legacy paths run under expiry-bound exceptions (a marker
here, the register in ``redis-boundary.yaml``), so the strict run passes while the summary and
the report show every finding.
"""

from __future__ import annotations

import pytest
import redis

from examples.app import cache, jobs, locks
from examples.app.workers import legacy
from pytest_redis_boundary.pytest_plugin.fixtures import RedisBoundary


def test_cache_profile_has_a_ttl(redis_boundary_client: redis.Redis) -> None:
    cache.cache_profile(redis_boundary_client, "acme", 7, b"{}")
    assert cache.cached_profile(redis_boundary_client, "acme", 7) == b"{}"


def test_hit_counter_expires_in_the_same_pipeline(redis_boundary_client: redis.Redis) -> None:
    cache.count_hit(redis_boundary_client, "acme", "home")


def test_report_lease_has_a_timeout(redis_boundary_client: redis.Redis) -> None:
    assert locks.build_report(redis_boundary_client, "acme", 42)


def test_pinning_a_profile_drops_its_ttl(
    redis_boundary_client: redis.Redis, redis_boundary: RedisBoundary
) -> None:
    cache.cache_profile(redis_boundary_client, "acme", 8, b"{}")
    with redis_boundary.expect("RB201"):
        cache.pin_profile(redis_boundary_client, "acme", 8)


def test_lock_without_timeout_never_expires(
    redis_boundary_client: redis.Redis, redis_boundary: RedisBoundary
) -> None:
    with redis_boundary.expect("RB201"):
        locks.hold_forever(redis_boundary_client, "acme", 1)


@pytest.mark.redis_tenant("acme")
def test_job_status_mirror_runs_under_the_register_exception(
    redis_boundary_client: redis.Redis,
) -> None:
    # EXC-2 in redis-boundary.yaml excepts RB101 and RB201 on t:*:job:* keys until 2027-03-31.
    jobs.mark_done(redis_boundary_client, "acme", 42)
    assert jobs.job_status(redis_boundary_client, "acme", 42) == b"done"


@pytest.mark.redis_boundary_exception(
    owner="reports-team",
    exception_reason="report exports still go through the legacy RQ worker",
    expiry_date="2027-03-31",
    removal_issue="REP-17",
    rules=["RB103"],
)
def test_legacy_report_enqueue(redis_boundary_client: redis.Redis) -> None:
    assert legacy.send_report(redis_boundary_client, 5)
