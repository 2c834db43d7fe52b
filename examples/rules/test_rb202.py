import redis


def remember_profile(client: redis.Redis, tenant: str, user_id: int) -> None:
    client.set(f"t:{tenant}:cache:profile:{user_id}", "{}", ex=7 * 86400)


def test_profile_cache(redis_boundary_client: redis.Redis) -> None:
    remember_profile(redis_boundary_client, "acme", 7)


# pytest says:
# RB202 ttl-over-limit: SET t:acme:cache:profile:7 at test_rb202.py:5 in remember_profile() (TTL 604800s > cache.max_ttl_seconds 86400)
