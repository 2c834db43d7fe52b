"""A connection's state between commands: the database SELECT chose, the commands queued inside
MULTI, and what EXEC does with them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from pytest_redis_boundary.core.commands import text
from pytest_redis_boundary.core.events import NO_REPLY
from pytest_redis_boundary.core.keyspace.state import Database
from pytest_redis_boundary.core.keyspace.table import apply_command
from pytest_redis_boundary.core.per_database import PerDatabase

__all__ = ["TRANSACTION_COMMANDS", "ConnectionState", "apply_connection_command"]

TRANSACTION_COMMANDS: Final = frozenset({"MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH"})


@dataclass(slots=True)
class ConnectionState:
    """What one connection remembers; none of it: the connection is forgotten."""

    db: int | None = None  # set by SELECT on this connection
    queue: list[tuple[str, Sequence[object]]] | None = None  # inside MULTI
    failed: bool = False  # a queued command was rejected: EXEC will abort


def apply_connection_command(
    conn: ConnectionState,
    databases: PerDatabase[Database],
    name: str,
    argv: Sequence[object],
    reply: object,
    server: str,
    db: int,
    now: float | None,
) -> bool:
    """Apply SELECT, a transaction command, or a command queued inside MULTI, on a connection
    of ``server`` (``db``: its database before any SELECT). Returns False when a command EXEC
    ran has an unknown TTL effect."""
    if conn.db is not None:
        db = conn.db
    if name == "SELECT":
        if not isinstance(reply, Exception) and len(argv) > 1:
            if conn.queue is not None:
                conn.queue.append((name, argv))
            elif text(argv[1]).lstrip("-").isdigit():
                conn.db = int(text(argv[1]))
        return True
    if name == "MULTI":
        if not isinstance(reply, Exception):
            conn.queue, conn.failed = [], False
        return True
    if conn.queue is None:
        return True  # EXEC/DISCARD without MULTI, WATCH, UNWATCH
    if name == "DISCARD":
        conn.queue, conn.failed = None, False
        return True
    if name == "EXEC":
        queued, failed = conn.queue, conn.failed
        conn.queue, conn.failed = None, False
        if failed or reply is None or isinstance(reply, Exception):
            return True
        replies: Sequence[object] = (
            list(reply) if isinstance(reply, (list, tuple)) else [NO_REPLY] * len(queued)
        )
        known = True
        for (queued_name, queued_argv), queued_reply in zip(queued, replies, strict=False):
            if queued_name == "SELECT":
                index = text(queued_argv[1])
                if not isinstance(queued_reply, Exception) and index.lstrip("-").isdigit():
                    db = conn.db = int(index)
                continue
            known = (
                apply_command(databases, queued_name, queued_argv, queued_reply, server, db, now)
                and known
            )
        return known
    if isinstance(reply, Exception):
        conn.failed = True  # rejected while queueing: EXEC aborts with EXECABORT
        return True
    conn.queue.append((name, argv))
    return True
