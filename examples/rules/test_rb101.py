import redis


def mark_done(client: redis.Redis, tenant: str, job_id: int) -> None:
    client.hset(f"t:{tenant}:job:{job_id}", "status", "done")


def test_finishing_a_job(redis_boundary_client: redis.Redis) -> None:
    mark_done(redis_boundary_client, "acme", 42)


# pytest says:
# RB101 business-write: HSET t:acme:job:42 field 'status' at test_rb101.py:5 in mark_done()
# RB201 missing-ttl: HSET t:acme:job:42 at test_rb101.py:5 in mark_done() (left without a TTL at the end of the test)
