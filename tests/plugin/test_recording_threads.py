"""A test's recording fed directly: threads feed it concurrently, each command keeps the phase
it was sent in."""

from __future__ import annotations

import threading

from pytest_redis_boundary.core.events import CallSite
from pytest_redis_boundary.core.policy import default_policy
from pytest_redis_boundary.pytest_plugin.recording import Recording

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


def test_a_command_sent_while_one_is_judged_on_the_same_thread_does_not_hang() -> None:
    # What a Pipeline's __del__ (UNWATCH) does when the garbage collector runs mid-judging.
    recording = _recording()
    feed = recording.judge.feed_parts
    nested: list[bool] = []

    def feed_and_send(*parts: object) -> object:
        if not nested:
            nested.append(True)
            _send(recording, "UNWATCH", reply=b"OK")
        return feed(*parts)  # type: ignore[arg-type]

    recording.judge.feed_parts = feed_and_send  # type: ignore[method-assign]
    worker = threading.Thread(
        target=_send,
        args=(recording, "SET", "t:acme:cache:x", b"v"),
        kwargs={"reply": b"OK"},
        daemon=True,  # with a plain Lock it hangs for good
    )
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert recording.judge.calls == 2  # both judged: UNWATCH first, then the SET
