"""One command being applied to a database (``Call``), the shape of a handler, and how
handlers read replies."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pytest_redis_boundary.core.commands import text
from pytest_redis_boundary.core.events import NO_REPLY
from pytest_redis_boundary.core.keyspace.state import TTL_UNKNOWN, Database
from pytest_redis_boundary.core.per_database import PerDatabase

__all__ = ["Call", "Handler", "element_count", "no_effect", "pair_count", "reply_int"]


class Call:
    """One command being applied to the database ``db`` of ``server``. Only ``__slots__``: one
    is built for every write, so it is kept cheap."""

    __slots__ = ("argv", "databases", "db", "has_reply", "now", "reply", "server")

    def __init__(
        self,
        databases: PerDatabase[Database],
        server: str,
        db: Database,
        argv: Sequence[object],
        reply: object,
        now: float | None,
    ) -> None:
        self.databases = databases  # every database (COPY DB, MOVE, FLUSHALL, SWAPDB)
        self.server = server
        self.db = db
        self.argv = argv
        self.reply = reply
        self.now = now
        self.has_reply = reply is not NO_REPLY

    def deadline(self, amount: object, unit_ms: int, absolute: bool) -> float | None:
        value = int(text(amount))
        if absolute:
            return float(value * unit_ms)
        if self.now is None:
            return TTL_UNKNOWN
        return self.now + value * unit_ms

    def past(self, deadline: float | None) -> bool:
        if deadline is None or deadline == TTL_UNKNOWN or self.now is None:
            return False
        return deadline <= self.now


def reply_int(reply: object) -> int | None:
    if isinstance(reply, bool):
        return int(reply)
    if isinstance(reply, int):
        return reply
    if isinstance(reply, (bytes, str)):
        try:
            return int(reply)
        except ValueError:
            return None
    return None


def element_count(reply: object) -> int | None:
    """How many elements a pop reply carries (one element, a list, or nil)."""
    if reply is None:
        return 0
    if isinstance(reply, (list, tuple)):
        return len(reply)
    if reply is NO_REPLY:
        return None
    return 1


def pair_count(reply: object) -> int | None:
    """Members in a ZPOP reply: RESP2 flat [m, s, ...] or RESP3 [[m, s], ...]."""
    if reply is None:
        return 0
    if not isinstance(reply, (list, tuple)):
        return None
    if reply and isinstance(reply[0], (list, tuple)):
        return len(reply)
    return len(reply) // 2


def no_effect(call: Call) -> None:
    """Writes that keep both the key's existence and its TTL."""


Handler = Callable[[Call], None]
