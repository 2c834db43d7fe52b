"""A connection's queue of commands awaiting their replies (``ConnState``)."""

from __future__ import annotations

import gc
import random
import weakref
from collections import deque

from pytest_redis_boundary.recorder import connections
from pytest_redis_boundary.recorder.connections import ACTS_ON_REPLY, ConnState, SingleEntry


def _single(n: int) -> SingleEntry:
    return (("GET", f"k{n}"), None, float(n))


def test_replies_pair_with_commands_in_the_order_they_were_written() -> None:
    st = ConnState("fakeredis:1", 0, True)
    assert not st.waiting()
    for n in range(3):
        st.push(_single(n))
    assert [st.pop() for _ in range(3)] == [_single(0), _single(1), _single(2)]
    assert not st.waiting()


def test_a_long_pipeline_read_while_more_is_written_keeps_its_order() -> None:
    # Pushes and pops interleaved at random, past the point where the queue drops what was
    # read: the queue must behave exactly as a FIFO would.
    rng = random.Random(7)
    st = ConnState("fakeredis:1", 0, True)
    model: deque[SingleEntry] = deque()
    sent = 0
    for _ in range(5_000):
        if model and rng.random() < 0.45:
            assert st.waiting()
            assert st.pop() == model.popleft()
        else:
            batch = [_single(sent + i) for i in range(rng.randint(1, 40))]
            sent += len(batch)
            for entry in batch:
                st.push(entry)
            model.extend(batch)
    while model:
        assert st.pop() == model.popleft()
    assert not st.waiting()


class _Key:
    """An argument the test can watch being freed."""


def test_a_command_read_is_not_kept_while_later_ones_await_their_replies() -> None:
    st = ConnState("fakeredis:1", 0, True)
    key = _Key()
    watch = weakref.ref(key)
    st.push((("GET", key), None, 0.0))
    st.push(_single(1))
    st.pop()
    del key
    gc.collect()
    assert watch() is None  # the reply was read: the state no longer holds its arguments
    assert st.waiting()
    assert st.pop() == _single(1)


def test_only_the_kinds_whose_reply_delivery_acts_on_are_numbered_from_acts_on_reply() -> None:
    """Delivery compares ``kind >= ACTS_ON_REPLY`` instead of looking the kind up in a set: the
    numbering must put exactly the kinds with a reply to act on at or above it."""
    kinds = {name: value for name, value in vars(connections).items() if name.startswith("K_")}
    acting = {"K_SCRIPT", "K_MULTI", "K_EXEC", "K_SELECT", "K_RESET", "K_NOWAIT", "K_EXEC_SCRIPT"}
    assert len(set(kinds.values())) == len(kinds)
    assert {name for name, value in kinds.items() if value >= ACTS_ON_REPLY} == acting
