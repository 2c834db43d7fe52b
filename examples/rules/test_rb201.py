import redis


def remember_profile(client: redis.Redis, tenant: str, user_id: int) -> None:
    client.set(f"t:{tenant}:cache:profile:{user_id}", "{}")


def test_profile_cache(redis_boundary_client: redis.Redis) -> None:
    remember_profile(redis_boundary_client, "acme", 7)


# pytest says:
# RB201 missing-ttl: SET t:acme:cache:profile:7 at test_rb201.py:5 in remember_profile() (left without a TTL at the end of the test)
