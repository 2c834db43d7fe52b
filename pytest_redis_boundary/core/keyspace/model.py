"""``Keyspace``: the key states of every server and database a test touched, fed one command at
a time (connection state first, then the command's handler)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from pytest_redis_boundary.core.events import NO_REPLY
from pytest_redis_boundary.core.keyspace.state import TTL_UNKNOWN, Database, KeyState, TtlClass
from pytest_redis_boundary.core.keyspace.table import HANDLERS, apply_command
from pytest_redis_boundary.core.keyspace.transactions import (
    TRANSACTION_COMMANDS,
    ConnectionState,
    apply_connection_command,
)
from pytest_redis_boundary.core.per_database import PerDatabase

__all__ = ["Keyspace"]


class Keyspace:
    """Key states of every server and database a test touched, fed one command at a time."""

    # Commands that can change the model; any other command only needs ``apply`` while a
    # connection has MULTI or SELECT state (``has_connection_state``).
    AFFECTING: Final = frozenset(HANDLERS) | TRANSACTION_COMMANDS | {"SELECT"}
    # Commands with a handler of their own (the rest of AFFECTING is connection state).
    HANDLED: Final = frozenset(HANDLERS)

    __slots__ = ("connections", "per_database")

    def __init__(self) -> None:
        self.per_database: PerDatabase[Database] = PerDatabase(Database)
        # (server, connection) -> state, only while a connection has MULTI or SELECT state: the
        # judge's fast path reads it (empty: no command needs the transaction logic).
        self.connections: dict[tuple[str, int], ConnectionState] = {}

    @property
    def has_connection_state(self) -> bool:
        return bool(self.connections)

    def database(self, server: str, db: int) -> Database:
        return self.per_database.get(server, db)

    def databases(self) -> list[tuple[tuple[str, int], Database]]:
        return self.per_database.items()

    def swap(self, server: str, a: int, b: int) -> None:
        self.per_database.swap(server, a, b)

    def apply(
        self,
        name: str,
        argv: Sequence[object],
        reply: object = NO_REPLY,
        *,
        server: str = "default",
        db: int = 0,
        connection: int = 0,
        now: float | None = None,
        in_script: bool = False,
    ) -> bool:
        """Apply one command. Returns False when its TTL effect is unknown (not curated)."""
        return self.apply_positional(name, argv, reply, server, db, connection, now, in_script)

    def apply_positional(
        self,
        name: str,
        argv: Sequence[object],
        reply: object,
        server: str,
        db: int,
        connection: int,
        now: float | None,
        in_script: bool,
    ) -> bool:
        """``apply`` without keywords, for the per-command hot path."""
        if in_script:
            return apply_command(self.per_database, name, argv, reply, server, db, now)
        connections = self.connections
        conn = connections.get((server, connection)) if connections else None
        if (
            name in TRANSACTION_COMMANDS
            or name == "SELECT"
            or (conn is not None and conn.queue is not None)
        ):
            if conn is None:
                conn = connections[(server, connection)] = ConnectionState()
            known = apply_connection_command(
                conn, self.per_database, name, argv, reply, server, db, now
            )
            if conn.queue is None and conn.db is None and not conn.failed:
                # Nothing left to remember: later commands take the fast path again.
                del connections[(server, connection)]
            return known
        if conn is not None and conn.db is not None:
            db = conn.db
        return apply_command(self.per_database, name, argv, reply, server, db, now)

    def state(
        self, key: str, *, server: str = "default", db: int = 0, now: float | None = None
    ) -> KeyState | None:
        return self.database(server, db).get(key, now)

    def ttl_class(
        self, key: str, *, server: str = "default", db: int = 0, now: float | None = None
    ) -> TtlClass:
        state = self.state(key, server=server, db=db, now=now)
        if state is None:
            return "absent"
        if state.maybe_absent or state.expires_at == TTL_UNKNOWN:
            return "unknown"
        return "persistent" if state.expires_at is None else "ttl"

    def ttl_seconds(
        self, key: str, *, server: str = "default", db: int = 0, now: float | None = None
    ) -> float | None:
        """Remaining TTL in seconds, None when absent, persistent or unknown."""
        state = self.state(key, server=server, db=db, now=now)
        if state is None or state.maybe_absent or state.expires_at in (None, TTL_UNKNOWN):
            return None
        if now is None or state.expires_at is None:
            return None
        return max(state.expires_at - now, 0.0) / 1000.0
