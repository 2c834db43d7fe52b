import pytest
import redis


@pytest.mark.redis_boundary_exception(
    owner="platform-team",
    exception_reason="legacy status mirror until the product store migration ships",
    expiry_date="2027-01-31",
    removal_issue="PLAT-812",
    rules=["RB101", "RB201"],
)
def test_status_now_comes_from_the_product_store(redis_boundary_client: redis.Redis) -> None:
    redis_boundary_client.set("t:acme:cache:profile:42", "{}", ex=60)


# pytest says:
# RB903 exception-unused: marker:test_rb903.py::test_status_now_comes_from_the_product_store (owner platform-team, marker on test_rb903.py::test_status_now_comes_from_the_product_store) matched nothing in this run; remove the redis_boundary_exception marker
