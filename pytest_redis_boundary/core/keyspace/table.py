"""The handler of every command that can change keys or TTLs, and how one is applied."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from pytest_redis_boundary.core.keyspace.call import Call, Handler
from pytest_redis_boundary.core.keyspace.generic import KEY_HANDLERS
from pytest_redis_boundary.core.keyspace.hashes import HASH_HANDLERS
from pytest_redis_boundary.core.keyspace.lists import LIST_HANDLERS
from pytest_redis_boundary.core.keyspace.other_types import STREAM_HLL_JSON_HANDLERS
from pytest_redis_boundary.core.keyspace.sets import SET_AND_ZSET_HANDLERS
from pytest_redis_boundary.core.keyspace.state import Database
from pytest_redis_boundary.core.keyspace.strings import STRING_HANDLERS
from pytest_redis_boundary.core.per_database import PerDatabase

__all__ = ["HANDLERS", "apply_command"]

HANDLERS: Final[dict[str, Handler]] = {
    **STRING_HANDLERS,
    **KEY_HANDLERS,
    **HASH_HANDLERS,
    **LIST_HANDLERS,
    **SET_AND_ZSET_HANDLERS,
    **STREAM_HLL_JSON_HANDLERS,
}

# Every other JSON.* write changes a document in place: TTL and existence stay.
_IN_PLACE_PREFIXES: Final = ("JSON.",)


def apply_command(
    databases: PerDatabase[Database],
    name: str,
    argv: Sequence[object],
    reply: object,
    server: str,
    db: int,
    now: float | None,
) -> bool:
    """Apply one command to database ``db`` of ``server`` (connection state already settled).
    Returns False when its TTL effect is unknown (not curated, or malformed arguments)."""
    if isinstance(reply, Exception):
        return True  # the server refused it: nothing changed
    handler = HANDLERS.get(name)
    if handler is None:
        return name.startswith(_IN_PLACE_PREFIXES)
    if len(argv) < 2 and name not in ("FLUSHDB", "FLUSHALL"):
        return True
    call = Call(databases, server, databases.get(server, db), argv, reply, now)
    try:
        handler(call)
    except (ValueError, IndexError):
        return False  # malformed arguments the server would have refused
    return True
