"""Script capture on a real server while many threads run scripts at once."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from pytest_redis_boundary.core.events import CommandEvent
from tests.recorder.conftest import Capture, name, real_options

WORKERS = 8
SCRIPT = "redis.call('set', KEYS[1], ARGV[1]); redis.call('hset', KEYS[2], 'n', ARGV[1]); return 1"


@pytest.fixture
def clients(redis_server_url: str) -> Iterator[list[redis.Redis]]:
    made = [redis.Redis(**real_options(redis_server_url)) for _ in range(WORKERS)]
    try:
        yield made
    finally:
        for client in made:
            client.close()


def run_scripts(client: redis.Redis, prefix: str, worker: int, first: int, count: int) -> None:
    for n in range(first, first + count):
        key = f"{prefix}{worker}:{n}"
        assert client.eval(SCRIPT, 2, key, key + ":h", n) == 1
    client.delete(
        *(f"{prefix}{worker}:{n}{end}" for n in range(first, first + count) for end in ("", ":h"))
    )


def by_connection(events: list[CommandEvent]) -> dict[int, list[CommandEvent]]:
    grouped: dict[int, list[CommandEvent]] = defaultdict(list)
    for event in events:
        if name(event) != "DEL":
            grouped[event.connection].append(event)
    return grouped


def test_every_script_run_from_many_threads_gets_its_own_commands(
    capture: Capture, clients: list[redis.Redis], prefix: str
) -> None:
    capture.recorder.start_script_capture()
    rounds, per_round = 4, 25
    with ThreadPoolExecutor(WORKERS) as pool:
        for r in range(rounds):
            futures = [
                pool.submit(run_scripts, client, prefix, w, r * per_round, per_round)
                for w, client in enumerate(clients)
            ]
            for future in futures:
                future.result()
    assert capture.recorder.errors == []
    grouped = by_connection(capture.take())
    assert len(grouped) == WORKERS
    for events in grouped.values():
        assert len(events) == 3 * rounds * per_round
        for i in range(0, len(events), 3):
            inner_set, inner_hset, outer = events[i : i + 3]
            assert (name(inner_set), name(inner_hset), name(outer)) == ("SET", "HSET", "EVAL")
            assert (inner_set.origin, inner_hset.origin, outer.origin) == (
                "script",
                "script",
                "client",
            )
            key, hkey = outer.args[3], outer.args[4]
            assert isinstance(key, str) and isinstance(hkey, str)
            assert inner_set.args[1] == key.encode()
            assert inner_hset.args[1:3] == (hkey.encode(), b"n")
            assert inner_set.site == inner_hset.site == outer.site


def test_capture_stopped_and_restarted_while_threads_run_scripts(
    capture: Capture, clients: list[redis.Redis], prefix: str
) -> None:
    """What happens between two tests when a test leaves threads running scripts: stopping
    capture must not break a thread's read, nor that thread disable the next test's capture."""
    recorder = capture.recorder
    recorder.start_script_capture()
    done = threading.Event()

    def keep_running(worker: int) -> None:
        n = 0
        while not done.is_set():
            run_scripts(clients[worker], prefix, worker, n, 5)
            n += 5

    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(keep_running, w) for w in range(WORKERS)]
        try:
            for _ in range(60):
                done.wait(0.003)
                recorder.stop_script_capture()
                recorder.start_script_capture()
        finally:
            done.set()
        for future in futures:
            future.result()
    assert recorder.errors == []
    capture.take()
    for worker, client in enumerate(clients):
        run_scripts(client, prefix + "after:", worker, 0, 1)
    grouped = by_connection(capture.take())
    assert [[name(e) for e in events] for events in grouped.values()] == [
        ["SET", "HSET", "EVAL"]
    ] * WORKERS
    recorder.stop_script_capture()
