"""A test's recording fed directly: threads feed it concurrently, each command keeps the phase
it was sent in."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from pytest_redis_boundary.core.events import CallSite
from pytest_redis_boundary.core.policy import Policy, default_policy
from pytest_redis_boundary.pytest_plugin.recording import (
    HELD_ARGS,
    HELD_BYTES,
    HELD_LIMIT,
    Recording,
)

SITE = CallSite("app/jobs.py", 7, "mark_done")


def _recording() -> Recording:
    recording = Recording("tests/test_x.py::test_x", default_policy())
    recording.phase = "call"
    return recording


def _send(recording: Recording, *args: object, reply: object = 1) -> None:
    recording.feed_parts(args, reply, "fakeredis:1", 0, 1, SITE, False, 1_790_000_000_000.0)


def _send_while_judging(
    monkeypatch: pytest.MonkeyPatch, key: str, send: Callable[[], None]
) -> None:
    """Run ``send`` once, from inside the Judge, the first time it looks up the policy facts of
    ``key`` (as a finalizer would, whenever the garbage collector runs)."""
    is_rq_key = Policy.is_rq_key
    sent: list[bool] = []

    def is_rq_key_and_send(policy: Policy, seen: str) -> bool:
        if seen == key and not sent:
            sent.append(True)
            send()
        return is_rq_key(policy, seen)

    monkeypatch.setattr(Policy, "is_rq_key", is_rq_key_and_send)


def test_commands_from_many_threads_are_all_judged() -> None:
    recording = _recording()

    def send(thread: int) -> None:
        for i in range(1_000):
            _send(recording, "SET", f"t:acme:cache:{thread}:{i % 50}", b"v", reply=b"OK")

    threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert recording.call_count == 4_000
    assert len(recording.keys_written) == 200
    assert sum(recording.site_calls.values()) == 4_000


def test_phase_is_the_one_at_send_time_not_at_judging_time() -> None:
    recording = _recording()
    _send(recording, "SET", "t:acme:cache:x", b"v", reply=b"OK")
    recording.phase = "teardown"
    _send(recording, "SET", "t:acme:cache:y", b"v", reply=b"OK")
    assert [(c.phase, c.keys) for c in recording.calls()] == [
        ("call", ("t:acme:cache:x",)),
        ("teardown", ("t:acme:cache:y",)),
    ]


@pytest.mark.parametrize(
    "nested_reply",
    [b"OK", [b"OK"]],
    ids=["nested-held", "nested-judged-at-once"],  # a list reply is never held
)
def test_a_command_sent_while_one_is_judged_on_the_same_thread_does_not_hang(
    nested_reply: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a Pipeline's __del__ (UNWATCH) does when the garbage collector runs mid-judging.
    recording = _recording()
    _send_while_judging(
        monkeypatch, "t:acme:cache:x", lambda: _send(recording, "UNWATCH", reply=nested_reply)
    )

    def send_and_judge() -> None:
        _send(recording, "SET", "t:acme:cache:x", b"v", reply=b"OK")
        recording.catch_up()  # judged on this thread, which sends UNWATCH mid-judging

    worker = threading.Thread(target=send_and_judge, daemon=True)  # a plain Lock hangs for good
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert recording.judge.calls == 2  # both judged on the worker thread


def test_held_commands_are_judged_before_any_read_and_in_order() -> None:
    recording = _recording()
    _send(recording, "SET", "t:acme:cache:a", b"v", reply=b"OK")  # held
    _send(recording, "HSET", "t:acme:cache:b", "f", b"x" * (HELD_BYTES + 1), reply=1)  # too long
    _send(recording, "DEL", "t:acme:cache:a", reply=1)  # held
    assert recording.judge.calls == 2  # the long one judged what was held before it, then itself
    assert [c.name for c in recording.calls()] == ["SET", "HSET", "DEL"]
    assert recording.judge.calls == 3


def test_a_full_batch_is_judged_without_a_read() -> None:
    recording = _recording()
    for i in range(HELD_LIMIT):
        _send(recording, "SET", f"t:acme:cache:{i}", b"v", reply=b"OK")
    assert recording.judge.calls == HELD_LIMIT


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        (("SET", "t:acme:cache:a", memoryview(bytearray(b"v"))), b"OK"),  # may be rewritten
        (("SET", "t:acme:cache:a", b"v" * (HELD_BYTES + 1)), b"OK"),  # too long
        (("GET", "t:acme:cache:a"), b"v" * (HELD_BYTES + 1)),  # long reply
        (("EXEC",), [b"OK"]),  # a list redis-py rewrites in place
        (("MSET", *(f"t:acme:cache:{i}" for i in range(HELD_ARGS))), b"OK"),  # too many
        (("SET", "t:acme:cache:a", b"v"), RuntimeError("refused")),
    ],
    ids=["memoryview", "long-arg", "long-reply", "list-reply", "many-args", "error-reply"],
)
def test_commands_that_are_not_held(args: tuple[object, ...], reply: object) -> None:
    recording = _recording()
    _send(recording, *args, reply=reply)
    assert recording.judge.calls == 1


def test_a_held_command_is_judged_in_the_phase_that_sent_it_even_from_a_thread() -> None:
    recording = _recording()
    thread = threading.Thread(
        target=_send, args=(recording, "SET", "t:acme:cache:t", b"v"), kwargs={"reply": b"OK"}
    )
    thread.start()
    thread.join()
    recording.phase = "teardown"
    assert [(c.phase, c.name) for c in recording.calls()] == [("call", "SET")]


def test_a_command_judged_at_once_mid_judging_waits_for_its_turn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A finalizer sending a command whose reply cannot be held, while a held command is being
    # judged, must not judge the rest of the batch in the middle of that command.
    recording = _recording()
    _send_while_judging(
        monkeypatch,
        "t:acme:cache:a",
        lambda: _send(recording, "UNWATCH", reply=ConnectionError("gone")),
    )
    _send(recording, "SET", "t:acme:cache:a", b"v", reply=b"OK")
    _send(recording, "SET", "t:acme:cache:b", b"v", reply=b"OK")
    _send(recording, "DEL", "t:acme:cache:a", reply=1)
    _send(recording, "MGET", "t:acme:cache:a", "t:acme:cache:b", reply=[None, b"v"])  # not held
    names = [(c.name, c.keys[:1]) for c in recording.calls()]
    assert names[:4] == [
        ("SET", ("t:acme:cache:a",)),
        ("SET", ("t:acme:cache:b",)),
        ("DEL", ("t:acme:cache:a",)),
        ("MGET", ("t:acme:cache:a",)),
    ]
    assert recording.judge.keyspace.state("t:acme:cache:a", server="fakeredis:1") is None


def test_calls_per_site_count_each_site_when_one_command_alternates_between_sites() -> None:
    recording = _recording()
    other = CallSite("app/cache.py", 12, "warm")
    equal_to_site = CallSite(SITE.path, SITE.line, SITE.function)  # equal, another object
    for site in (SITE, other, SITE, SITE, equal_to_site, other, None):
        recording.feed_parts(("GET", "t:acme:cache:x"), b"v", "fakeredis:1", 0, 1, site, False, 1.0)
    recording.feed_parts(("EXISTS", "t:acme:cache:x"), 1, "fakeredis:1", 0, 1, SITE, False, 1.0)
    assert recording.site_calls == {SITE: 5, other: 2, None: 1}
