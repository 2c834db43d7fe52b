import redis
from rq import Queue


def send_report(client: redis.Redis, tenant: str) -> None:
    Queue("reports", connection=client).enqueue("builtins.print", tenant)


def test_sending_a_report(redis_boundary_client: redis.Redis) -> None:
    send_report(redis_boundary_client, "acme")


# pytest says:
# RB103 rq-runtime: HSET rq:job:<id> at test_rb103.py:6 in send_report() (x2)
# RB103 rq-runtime: RPUSH rq:queue:reports at test_rb103.py:6 in send_report()
# RB103 rq-runtime: SADD rq:queues at test_rb103.py:6 in send_report()
