import logging

import redis

log = logging.getLogger("app.cache")
log.setLevel(logging.INFO)


def remember_profile(client: redis.Redis, tenant: str, user_id: int) -> None:
    key = f"t:{tenant}:cache:profile:{user_id}"
    client.set(key, "{}", ex=300)
    log.info("cached a profile", extra={"redis_key": key, "tenant_id": tenant})


def test_profile_cache(redis_boundary_client: redis.Redis) -> None:
    remember_profile(redis_boundary_client, "acme", 7)


# pytest says:
# RB401 observability-fields: log record about t:acme:cache:profile:7 from logger 'app.cache' lacks trace_id, key_ttl_seconds at test_rb401.py:12 in remember_profile()
