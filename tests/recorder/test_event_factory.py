from __future__ import annotations

import dataclasses

from pytest_redis_boundary.core.events import NO_REPLY, CallSite, CommandEvent
from pytest_redis_boundary.recorder.event_factory import make_event


def test_make_event_builds_the_event_its_constructor_builds() -> None:
    site = CallSite("app/jobs.py", 17, "mark_done")
    fields = ((b"SET", b"k", b"v"), b"OK", "fakeredis:1", 3, 7, site, "script", 1.5)
    made = make_event(*fields)
    assert type(made) is CommandEvent
    assert made == CommandEvent(*fields)  # type: ignore[arg-type]
    assert dataclasses.astuple(made) == fields


def test_make_event_sets_the_slots_itself_while_the_shape_allows() -> None:
    # The fast path is taken (not the constructor): its gain is lost silently otherwise.
    assert make_event is not CommandEvent
    made = make_event(("GET", "k"), NO_REPLY, "default", 0, 0, None, "client", None)
    assert made.reply is NO_REPLY and made.site is None and made.time_ms is None
