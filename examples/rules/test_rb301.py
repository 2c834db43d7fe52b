import redis


def cache_rates(client: redis.Redis) -> None:
    client.set("cache:exchange-rates", "{}", ex=600)


def test_rates_cache(redis_boundary_client: redis.Redis) -> None:
    cache_rates(redis_boundary_client)


# pytest says:
# RB301 tenant-unscoped: SET cache:exchange-rates at test_rb301.py:5 in cache_rates()
