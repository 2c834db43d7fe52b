import pytest
import redis


def cached_profile(client: redis.Redis, tenant: str, user_id: int) -> bytes | None:
    return client.get(f"t:{tenant}:cache:profile:{user_id}")


@pytest.mark.redis_tenant("acme")
def test_profile_lookup(redis_boundary_client: redis.Redis) -> None:
    assert cached_profile(redis_boundary_client, "globex", 7) is None


# pytest says:
# RB302 cross-tenant: GET t:globex:cache:profile:7 at test_rb302.py:6 in cached_profile() (key of tenant 'globex', test declared 'acme')
