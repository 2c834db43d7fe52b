import redis


def job_status(client: redis.Redis, tenant: str, job_id: int) -> bytes | None:
    return client.hget(f"t:{tenant}:job:{job_id}", "status")


def test_polling_a_job(redis_boundary_client: redis.Redis) -> None:
    assert job_status(redis_boundary_client, "acme", 42) is None


# pytest says:
# RB102 business-read: HGET t:acme:job:42 field 'status' at test_rb102.py:5 in job_status()
