"""What is recorded and judged, on fakeredis and on a real server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from tests.cluster import LocalCluster
from tests.plugin.common import MARK_DONE_SITE, SEND_REPORT_SITE, assert_findings, run


@pytest.fixture(params=["fakeredis", "real"])
def backend(request: pytest.FixtureRequest) -> list[str]:
    """Extra pytest arguments: fixtures on fakeredis, or on the real server."""
    if request.param == "fakeredis":
        return []
    url = request.getfixturevalue("redis_server_url")
    return [f"--redis-boundary-url={url}"]


def _id() -> int:
    return uuid.uuid4().int % 10**12


def test_pipeline_set_and_expire_is_clean(app: pytest.Pytester, backend: list[str]) -> None:
    app.makepyfile(
        f"""
        from examples.app import cache

        def test_hits(redis_boundary_client):
            cache.count_hit(redis_boundary_client, "acme", "home{_id()}")
            cache.cache_profile(redis_boundary_client, "acme", {_id()}, b"x")
        """
    )
    result = run(app, *backend)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["1 test, * Redis calls, 0 violations, 0 excepted, 0 warnings"])


def test_a_lost_set_nx_in_a_transaction_keeps_the_keys_ttl(
    app: pytest.Pytester, backend: list[str]
) -> None:
    # redis-py rewrites the EXEC reply list in place after reading it: the judge must see the
    # reply as read (nil: SET NX lost, the key keeps its TTL), not a rewritten one.
    key = f"t:acme:cache:lease:{_id()}"
    app.makepyfile(
        f"""
        def test_lease(redis_boundary_client):
            redis_boundary_client.set("{key}", b"a", ex=60)
            for _ in range(300):  # more commands than one batch of held ones
                pipe = redis_boundary_client.pipeline()
                pipe.set("{key}", b"b", nx=True)
                pipe.get("{key}")
                assert pipe.execute() == [None, b"a"]
        """
    )
    result = run(app, *backend)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["1 test, 1201 Redis calls, 0 violations, 0 excepted, 0 warnings"])


def test_setex_then_persist_is_rb201(app: pytest.Pytester, backend: list[str]) -> None:
    key = f"t:acme:cache:profile:{_id()}"
    app.makepyfile(
        f"""
        def test_pin(redis_boundary_client):
            redis_boundary_client.setex("{key}", 60, b"x")
            redis_boundary_client.persist("{key}")
        """
    )
    result = run(app, *backend)
    assert_findings(result, "RB201", failed=1)
    result.stdout.fnmatch_lines(
        [
            f"RB201 missing-ttl: PERSIST {key} at test_setex_then_persist_is_rb201.py:3 "
            "in test_pin()*"
        ]
    )


def test_an_app_created_client_is_recorded(
    app: pytest.Pytester, backend: list[str], request: pytest.FixtureRequest
) -> None:
    if backend:
        make = f"redis.Redis.from_url({request.getfixturevalue('redis_server_url')!r})"
    else:
        make = "fakeredis.FakeRedis()"
    job = _id()
    app.makepyfile(
        f"""
        import fakeredis, redis
        from examples.app import jobs

        def test_app_client():
            client = {make}
            try:
                jobs.mark_done(client, "acme", {job})
            finally:
                client.delete("t:acme:job:{job}")
        """
    )
    result = run(app, *backend)
    assert_findings(result, "RB101", "RB101", failed=1, absent=("RB201",))  # HSET, then DEL
    result.stdout.fnmatch_lines(
        [
            f"RB101 business-write: HSET t:acme:job:{job} field 'status' at "
            f"{MARK_DONE_SITE} in mark_done()"
        ]
    )


def test_threads_and_asyncio_tasks_count_for_the_test(
    app: pytest.Pytester, backend: list[str]
) -> None:
    job1, job2 = _id(), _id()
    app.makepyfile(
        f"""
        import asyncio, threading
        from examples.app import jobs

        def test_thread(redis_boundary_client):
            args = (redis_boundary_client, "acme", {job1})
            thread = threading.Thread(target=jobs.mark_done, args=args)
            thread.start()
            thread.join()

        def test_async(redis_boundary_async_client):
            async def main():
                await asyncio.gather(
                    redis_boundary_async_client.hset("t:acme:job:{job2}", "status", "done"),
                    redis_boundary_async_client.set("t:acme:cache:x:{job2}", "v", ex=30),
                )
            asyncio.run(main())
        """
    )
    result = run(app, *backend)
    assert_findings(result, "RB101", "RB101", "RB201", "RB201", failed=2)
    result.stdout.fnmatch_lines(
        [
            f"RB101 business-write: HSET t:acme:job:{job1} field 'status' at {MARK_DONE_SITE}*",
            # a coroutine run by gather() has its own task stack: the site is the frame that
            # started the event loop (the recorder's call-site rule), not main()
            f"RB101 business-write: HSET t:acme:job:{job2} field 'status' at "
            "test_threads_and_asyncio_tasks_count_for_the_test.py:*",
        ]
    )
    assert f"t:acme:cache:x:{job2} at" not in result.stdout.str()


def test_a_thread_still_writing_after_its_test_ended(app: pytest.Pytester) -> None:
    """The recording is detached before the test's totals are taken: no crash, no lost test."""
    app.makepyfile(
        """
        import threading
        import pytest

        stop = threading.Event()

        @pytest.mark.parametrize("n", range(4))
        def test_background(redis_boundary_client, n):
            busy = threading.Event()

            def loop():
                i = 0
                while not stop.is_set():  # a new key each time: the written-key set grows
                    redis_boundary_client.set(f"t:acme:cache:bg:{n}:{i}", "v", ex=30)
                    i += 1
                    if i == 1_000:
                        busy.set()
            threading.Thread(target=loop, daemon=True).start()
            assert busy.wait(timeout=30)  # the test ends while the thread is still writing

        def test_last():
            stop.set()
        """
    )
    result = run(app, "--redis-boundary=warn")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(["5 tests, * Redis calls, *"])
    assert "RuntimeError" not in result.stdout.str()


def test_lua_script_commands_are_judged(app: pytest.Pytester, backend: list[str]) -> None:
    key = f"t:acme:cache:lua:{_id()}"
    app.makepyfile(
        f"""
        def test_script(redis_boundary_client):
            redis_boundary_client.eval("redis.call('SET', KEYS[1], 'v')", 1, "{key}")

        def test_script_with_ttl(redis_boundary_client):
            redis_boundary_client.eval(
                "redis.call('SET', KEYS[1], 'v', 'EX', 30)", 1, "{key}:ttl"
            )
        """
    )
    result = run(app, *backend)
    assert_findings(result, "RB201", failed=1, passed=1)
    result.stdout.fnmatch_lines([f"RB201 missing-ttl: SET {key} at *.py:2 in test_script()*"])


def test_rq_enqueue_is_rb103_at_the_application_site(
    app: pytest.Pytester, backend: list[str]
) -> None:
    app.makepyfile(
        """
        from examples.app.workers import legacy

        def test_enqueue(redis_boundary_client):
            legacy.send_report(redis_boundary_client, 5)
        """
    )
    result = run(app, *backend)
    assert_findings(result, "RB103", "RB103", "RB103", failed=1, absent=("RB201", "RB301"))
    result.stdout.fnmatch_lines(
        [f"RB103 rq-runtime: * rq:* at {SEND_REPORT_SITE} in send_report()*"]
    )


def test_lock_without_timeout_is_rb201_with_timeout_clean(
    app: pytest.Pytester, backend: list[str]
) -> None:
    n = _id()
    app.makepyfile(
        f"""
        from redis.lock import Lock

        def test_forever(redis_boundary_client):
            lock = Lock(redis_boundary_client, "t:acme:lock:export:{n}", timeout=None)
            lock.acquire(blocking=False)

        def test_leased(redis_boundary_client):
            with Lock(redis_boundary_client, "t:acme:lock:report:{n}", timeout=10):
                pass
        """
    )
    result = run(app, *backend)
    assert_findings(result, "RB201", failed=1, passed=1)
    result.stdout.fnmatch_lines([f"RB201 missing-ttl: SET t:acme:lock:export:{n} at *"])


def test_real_server_keys_written_by_the_test_are_deleted_and_nothing_else(
    app: pytest.Pytester, redis_server_url: str
) -> None:
    n = _id()
    other = f"t:acme:cache:bystander:{n}"
    server = redis.Redis.from_url(redis_server_url)
    server.set(other, b"keep", ex=120)
    try:
        app.makepyfile(
            f"""
            import redis
            from examples.app import jobs, cache

            def test_writes(redis_boundary_client):
                cache.cache_profile(redis_boundary_client, "acme", {n}, b"x")
                app_client = redis.Redis.from_url({redis_server_url!r})
                app_client.hset("t:acme:job:{n}", "status", "done")
                script = "redis.call('SET', KEYS[1], 'v', 'EX', 30)"
                redis_boundary_client.eval(script, 1, "t:acme:cache:s:{n}")
            """
        )
        result = run(app, f"--redis-boundary-url={redis_server_url}")
        assert_findings(result, "RB101", "RB201", failed=1)
        assert (
            server.exists(f"t:acme:cache:profile:{n}", f"t:acme:job:{n}", f"t:acme:cache:s:{n}")
            == 0
        )
        assert server.get(other) == b"keep"
    finally:
        server.delete(other)
        server.close()


@pytest.fixture(scope="module")
def local_cluster(redis_server_url: str) -> Iterator[LocalCluster]:
    cluster = LocalCluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def test_redis_cluster_against_a_real_cluster(
    app: pytest.Pytester, local_cluster: LocalCluster
) -> None:
    n = _id()
    app.makepyfile(
        f"""
        from redis.cluster import RedisCluster
        from examples.app import cache, jobs

        def test_cluster():
            client = RedisCluster(host="{local_cluster.host}", port={local_cluster.port})
            try:
                cache.cache_profile(client, "acme", {n}, b"x")
                jobs.mark_done(client, "acme", {n})
                pipe = client.pipeline()
                pipe.set("t:acme:cache:p:{n}", "v", ex=30)
                pipe.execute()
            finally:
                client.delete("t:acme:job:{n}")
                client.close()
        """
    )
    result = run(app)
    assert_findings(result, "RB101", "RB101", failed=1, absent=("RB201",))  # HSET, DEL
    result.stdout.fnmatch_lines(
        [f"RB101 business-write: HSET t:acme:job:{n} field 'status' at {MARK_DONE_SITE}*"]
    )
