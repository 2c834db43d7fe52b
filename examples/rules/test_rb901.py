import pytest
import redis


@pytest.mark.redis_boundary_exception(
    owner="platform-team",
    exception_reason="legacy status mirror until the product store migration ships",
    expiry_date="2027-01-31",
    rules=["RB101", "RB201"],
)
def test_legacy_status_mirror(redis_boundary_client: redis.Redis) -> None:
    redis_boundary_client.hset("t:acme:job:42", "status", "done")


# pytest says:
# RB901 exception-invalid: test_rb901.py::test_legacy_status_mirror: exception 'marker:test_rb901.py::test_legacy_status_mirror': removal_issue: the required field 'removal_issue' is missing. Fix: link the issue that removes the exception, e.g. removal_issue: PLAT-812.
