import redis


def remember_last_visit(client: redis.Redis, tenant: str, user_id: int) -> None:
    client.set(f"t:{tenant}:visits:last:{user_id}", "home", ex=300)


def test_last_visit(redis_boundary_client: redis.Redis) -> None:
    remember_last_visit(redis_boundary_client, "acme", 7)


# pytest says:
# RB203 unclassified-key: SET t:acme:visits:last:7 at test_rb203.py:5 in remember_last_visit() (matches no key class)
