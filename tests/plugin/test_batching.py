"""A test's commands wait in a batch before they are judged: nothing that reads the recording
may see the batch unjudged, threads may feed it concurrently, and a judging error is reported."""

from __future__ import annotations

import threading

import pytest

from pytest_redis_boundary.core.events import CallSite
from pytest_redis_boundary.core.policy import default_policy
from pytest_redis_boundary.pytest_plugin.recording import BATCH, Recording

SITE = CallSite("app/jobs.py", 7, "mark_done")


def _recording() -> Recording:
    recording = Recording(
        "tests/test_x.py::test_x",
        default_policy(),
        declared_tenant=None,
        exception=None,
        register=(),
        probe=None,
        today_ok=lambda exception: True,
    )
    recording.phase = "call"
    return recording


def _send(recording: Recording, *args: object, reply: object = 1) -> None:
    recording.feed_parts(args, reply, "fakeredis:1", 0, 1, SITE, False, 1_790_000_000_000.0)


def test_a_partial_batch_is_judged_before_it_is_read() -> None:
    recording = _recording()
    _send(recording, "HSET", "t:acme:job:1", "status", b"done")
    assert len(recording._waiting) == 1  # fewer than BATCH: still waiting
    assert [f.rule for f in recording.raw_findings()] == ["RB101"]
    assert recording.call_count == 1
    assert [c.name for c in recording.calls()] == ["HSET"]
    assert not recording._waiting


def test_a_full_batch_is_judged_as_it_fills() -> None:
    recording = _recording()
    for i in range(BATCH):
        _send(recording, "SET", f"t:acme:cache:{i}", b"v", "EX", 60, reply=b"OK")
    assert not recording._waiting
    assert recording.judge.calls == BATCH


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


def test_an_error_while_judging_is_kept_and_the_rest_judged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recording = _recording()
    feed = recording.judge.feed_parts

    def fails_on_del(args: tuple[object, ...], *rest: object) -> object:
        if args[0] == "DEL":
            raise RuntimeError("judge bug")
        return feed(args, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(recording.judge, "feed_parts", fails_on_del)
    _send(recording, "DEL", "t:acme:cache:x")
    _send(recording, "GET", "t:acme:cache:x", reply=None)
    assert recording.call_count == 1
    assert [str(e) for e in recording.errors] == ["judge bug"]
    assert recording.errors[0].__traceback__ is None  # its frames held the command's values
