import pytest
import redis


@pytest.mark.redis_boundary_exception(
    owner="platform-team",
    exception_reason="legacy status mirror until the product store migration ships",
    expiry_date="2026-10-31",
    removal_issue="PLAT-812",
    rules=["RB101", "RB201"],
)
def test_legacy_status_mirror(redis_boundary_client: redis.Redis) -> None:
    redis_boundary_client.hset("t:acme:job:42", "status", "done")


# pytest says:
# RB902 exception-expired: marker:test_rb902.py::test_legacy_status_mirror (owner platform-team, removal PLAT-812) expired on 2026-10-31; its RB101, RB201 findings count again
