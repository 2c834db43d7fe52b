"""What the recorder keeps per redis-py connection, and what a command name means to it.

The wheel compiles this module with mypyc (``build.COMPILED_MODULES``), so the per-command path
(``recorder/command_path.py``) reads a connection's state as struct fields; the rest of the
recorder uses it as any Python object.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from typing import Any, Final

from pytest_redis_boundary.core.commands import spellings
from pytest_redis_boundary.core.events import CallSite
from pytest_redis_boundary.recorder.scripts import ScriptEvent

__all__ = [
    "ACTS_ON_REPLY",
    "ATTR",
    "KINDS",
    "SENDING_SINGLE",
    "WRITING_SINGLE",
    "ConnState",
    "Entry",
    "SingleEntry",
    "fake_server",
    "kind_of",
    "mark_ignored",
    "new_conn_id",
    "new_state",
    "reset_db",
    "state_of",
]

ATTR: Final = "_redis_boundary_state"

# What a command name means to the recorder (looked up once per command, as sent).
K_ORDINARY: Final = 0  # a read or a write the recorder only records: nothing to act on
K_PUBSUB: Final = 1
K_HIDDEN: Final = 2  # occupies a reply slot, never delivered
K_SCRIPT: Final = 3
K_MULTI: Final = 4
K_EXEC: Final = 5
K_SELECT: Final = 6
K_RESET: Final = 7
# entry-only kinds
K_NOWAIT: Final = 8
K_EXEC_SCRIPT: Final = 9
# Delivery acts on the reply of every kind from K_SCRIPT on (scripts, transactions, SELECT,
# RESET, their entry-only forms) and of none below it. It tests that with one integer comparison
# per command instead of a set lookup, so the numbering above must keep that split:
# tests/recorder/test_connections.py checks it.
ACTS_ON_REPLY: Final = K_SCRIPT


def _name_table() -> dict[object, int]:
    names = {
        **dict.fromkeys(
            (
                "SUBSCRIBE",
                "PSUBSCRIBE",
                "SSUBSCRIBE",
                "UNSUBSCRIBE",
                "PUNSUBSCRIBE",
                "SUNSUBSCRIBE",
            ),
            K_PUBSUB,
        ),
        "READONLY": K_HIDDEN,
        "AUTH": K_HIDDEN,
        **dict.fromkeys(
            ("EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"), K_SCRIPT
        ),
        "MULTI": K_MULTI,
        "EXEC": K_EXEC,
        "DISCARD": K_EXEC,
        "SELECT": K_SELECT,
        "RESET": K_RESET,
    }
    table: dict[object, int] = {}
    for name, kind in names.items():
        table.update(dict.fromkeys(spellings(name), kind))
    return table


KINDS: Final = _name_table()


def kind_of(head: object) -> int:
    """What a command name means to the recorder, for any name redis-py can send (a writable
    memoryview is not hashable: it is looked up by its bytes)."""
    try:
        return KINDS.get(head, K_ORDINARY)
    except (TypeError, ValueError):
        if isinstance(head, memoryview):
            return KINDS.get(head.tobytes(), K_ORDINARY)
        return K_ORDINARY


_conn_ids = itertools.count(1)


def new_conn_id() -> int:
    """A connection id no socket session has had."""
    return next(_conn_ids)


# A single command awaiting its reply: an ordinary command (kind K_ORDINARY) that a sync
# connection's ``send_command`` sent on its own (not staged: no pipeline, not in pub/sub mode), as
# a bare tuple (args, call site, send time in ms), which costs less to build than an ``Entry``.
SingleEntry = tuple[tuple[object, ...], CallSite | None, float]


class Entry:
    """A command written (or about to be) on a connection, awaiting its reply."""

    __slots__ = ("args", "kind", "script_events", "site", "time_ms")

    def __init__(
        self, args: tuple[object, ...], site: CallSite | None, time_ms: float, kind: int
    ) -> None:
        self.args = args
        self.site = site
        self.time_ms = time_ms
        self.kind = kind
        self.script_events: list[ScriptEvent] | None = None


class ConnState:
    """Per-connection bookkeeping, stored on the connection object."""

    __slots__ = (
        "_head",
        "_pending",
        "conn_id",
        "db",
        "fake_scripts",
        "ignored",
        "in_multi",
        "in_pack",
        "is_fake",
        "multi_script",
        "pubsub",
        "reading",
        "sending",
        "server",
        "staged",
        "suppress",
        "used",
    )

    def __init__(self, server: str, db: int, is_fake: bool, ignored: bool = False) -> None:
        self.server = server
        self.db = db
        self.is_fake = is_fake
        self.ignored = ignored
        self.conn_id = new_conn_id()
        # The commands written and awaiting their replies, oldest first, from ``_head`` on: a
        # list and an index rather than a deque, whose methods a compiled caller reaches only
        # through generic calls (this runs for every command).
        self._pending: list[Entry | SingleEntry | None] = []  # None: read, not yet dropped
        self._head = 0
        self.staged: list[Entry] = []
        self.sending: list[Entry] | None = None
        self.suppress = 0
        self.reading = False
        self.pubsub = False
        self.in_multi = False
        self.multi_script = False
        self.in_pack = False
        self.used = False
        self.fake_scripts = False  # the staged batch may run a script on fakeredis

    def waiting(self) -> bool:
        """Whether a command written on this connection awaits its reply."""
        return self._head < len(self._pending)

    def push(self, entry: Entry | SingleEntry) -> None:
        """``entry`` was written: it awaits its reply after those before it."""
        self._pending.append(entry)

    def push_all(self, entries: list[Entry]) -> None:
        self._pending.extend(entries)

    def pop(self) -> Entry | SingleEntry:
        """The oldest command awaiting its reply, no longer waiting (``waiting()`` first)."""
        pending = self._pending
        head = self._head
        entry = pending[head]
        assert entry is not None
        pending[head] = None  # its args and call site are not kept past its reply
        head += 1
        if head == len(pending):
            pending.clear()
            head = 0
        elif head >= 64 and head * 2 >= len(pending):  # a long pipeline: drop what was read
            del pending[:head]
            head = 0
        self._head = head
        return entry


# What a connection's ``sending`` holds while a single command is sent, and once its bytes are
# being written (an error after that point may come after the server ran the command). Compared
# by identity: a staged batch in ``sending`` is another list.
SENDING_SINGLE: Final[list[Entry]] = []
WRITING_SINGLE: Final[list[Entry]] = []


_fake_ids: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
_fake_counter = itertools.count(1)
_fake_lock = threading.Lock()


def fake_server(server: str) -> Any | None:
    """The live fakeredis ``FakeServer`` an event's ``server`` ("fakeredis:<n>") names, if any."""
    kind, _, ident = server.partition(":")
    if kind != "fakeredis":
        return None
    with _fake_lock:
        return next((fake for fake, n in list(_fake_ids.items()) if str(n) == ident), None)


def _server_of(conn: Any) -> tuple[str, bool]:
    fake = conn.__dict__.get("_server")
    if fake is not None and type(fake).__name__ == "FakeServer":
        with _fake_lock:
            try:
                ident = _fake_ids.get(fake)
                if ident is None:
                    ident = _fake_ids[fake] = next(_fake_counter)
            except TypeError:  # not weak-referenceable
                ident = id(fake)
        return f"fakeredis:{ident}", True
    path = getattr(conn, "path", None)
    if path and not hasattr(conn, "port"):
        return f"unix:{path}", False
    host = getattr(conn, "host", "?")
    port = getattr(conn, "port", "?")
    return f"{host}:{port}", False


def reset_db(conn: Any) -> int:
    """The database a connection selects when it (re)connects."""
    try:
        return int(getattr(conn, "db", 0) or 0)
    except (TypeError, ValueError):
        return 0


def new_state(conn: Any) -> ConnState:
    """A connection's state, made on its first command and stored on it."""
    server, is_fake = _server_of(conn)
    st = ConnState(server, reset_db(conn), is_fake)
    setattr(conn, ATTR, st)
    return st


def state_of(conn: Any) -> ConnState:
    """A connection's state, made on its first command."""
    st: ConnState | None = getattr(conn, ATTR, None)
    return st if st is not None else new_state(conn)


def mark_ignored(conn: object) -> None:
    setattr(conn, ATTR, ConnState("ignored", 0, False, ignored=True))
