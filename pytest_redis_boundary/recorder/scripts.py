"""Commands run inside Lua (EVAL, EVALSHA, FCALL and their ``_RO`` forms).

No client-side hook sees what a script does, so the recorder gets it from the server:

* **fakeredis** runs scripts in-process. ``BaseFakeSocket._process_command`` (one call per
  command a client sent) and ``BaseFakeSocket._run_command`` (which ``redis.call`` inside Lua
  reaches with ``from_script=True``) are wrapped, only while a batch holding a script command or
  an EXEC is being written. fakeredis executes a command synchronously while
  the client writes it, so while the recorder's send hook writes a batch it publishes that batch in
  :data:`FAKE_BATCH` (a ``ContextVar``, so threads and asyncio tasks do not see each other's); the
  ``_process_command`` wrapper moves a cursor over the batch, and every script command run meanwhile
  is attached, with its reply, to the entry being processed. The recorder delivers those before
  the entry's own event. Inside ``EXEC`` the scripts run while EXEC is processed, so their
  commands come before the EXEC event, matching when their effects apply.

* **A real server** is observed through ``MONITOR``, not keyspace notifications: notifications
  carry an event name and a key, not the command or its arguments (hash fields, TTL arguments),
  need ``CONFIG SET notify-keyspace-events`` (a server-wide side effect), and arrive on a pubsub
  channel with no ordering guarantee relative to the client's replies. MONITOR shows each script
  command line followed by its ``[db lua]`` lines (Redis executes a script atomically, so they are
  contiguous), with the calling client's address. :class:`RealScriptCapture` opens one MONITOR
  connection per server on demand, the first time a script command is about to be sent to it while
  capture is on (so the MONITOR is live before the script runs). When a script command's reply
  arrives, it sends ``ECHO <uuid>`` on a side connection and reads the MONITOR stream up to that
  sentinel: everything the server ran before the reply is then in hand. Lua lines are grouped under
  their script line and routed by client address; the entry takes the first group whose script line
  has its arguments (an EXEC takes the groups of scripts run inside its MULTI). The MONITOR and
  sentinel connections are marked ignored, so the recorder never records their traffic. Capture is
  meant to be switched on per test (``Recorder.start_script_capture`` /
  ``stop_script_capture``): the MONITOR connections are closed at stop, so the server never
  buffers a whole session's command stream.
"""

from __future__ import annotations

import contextlib
import re
import threading
import uuid
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Protocol

from pytest_redis_boundary.core.events import NO_REPLY

__all__ = [
    "FAKE_BATCH",
    "SCRIPT_COMMANDS",
    "FakeBatch",
    "FakeScriptHooks",
    "RealScriptCapture",
    "parse_monitor_line",
]

SCRIPT_COMMANDS = frozenset({"EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"})

ScriptEvent = tuple[tuple[object, ...], object, int | None]
"""(args, reply, db) of one command a script ran; db None = the calling connection's."""


class _Entry(Protocol):
    script_events: list[ScriptEvent] | None


class _Suppressible(Protocol):
    suppress: int


class FakeBatch:
    """Entries being written to a fakeredis socket right now, and which one it is processing."""

    __slots__ = ("current", "cursor", "entries", "state")

    def __init__(self, state: _Suppressible, entries: list[Any]) -> None:
        self.state = state
        self.entries = entries
        self.cursor = 0
        self.current: _Entry | None = None


FAKE_BATCH: ContextVar[FakeBatch | None] = ContextVar("redis_boundary_fake_batch", default=None)


def _fake_socket_class() -> type | None:
    """fakeredis's server-side socket base class (location differs across versions)."""
    for module_name in ("fakeredis._socket._base", "fakeredis._basefakesocket"):
        try:
            module = __import__(module_name, fromlist=["BaseFakeSocket"])
        except ImportError:
            continue
        cls = getattr(module, "BaseFakeSocket", None)
        if isinstance(cls, type):
            return cls
    return None


class FakeScriptHooks:
    """Wraps fakeredis's server side to see commands run inside Lua.

    The wrappers are put on the class only while a batch that may run a script (a script
    command, or an EXEC) is being written (``acquire``/``release``, reference-counted across
    threads and tasks), so ordinary commands on fakeredis pay nothing for them.
    """

    def __init__(self) -> None:
        self._cls: type | None = None
        self._originals: dict[str, Any] = {}
        self._wrappers: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._users = 0

    @property
    def installed(self) -> bool:
        return bool(self._wrappers)

    def install(self) -> None:
        """Prepare the wrappers (nothing is patched until ``acquire``)."""
        if self._wrappers:
            return
        cls = _fake_socket_class()
        if cls is None:
            return
        process = cls.__dict__.get("_process_command")
        run = cls.__dict__.get("_run_command")
        if process is None or run is None:
            return

        def _process_command(sock: Any, fields: Any) -> Any:
            batch = FAKE_BATCH.get()
            if batch is None or batch.state.suppress:
                return process(sock, fields)
            if batch.cursor < len(batch.entries):
                entry = batch.entries[batch.cursor]
                batch.cursor += 1
            else:
                entry = None
            outer = batch.current
            batch.current = entry
            try:
                return process(sock, fields)
            finally:
                batch.current = outer

        def _run_command(sock: Any, func: Any, sig: Any, args: Any, from_script: bool) -> Any:
            if not from_script:
                return run(sock, func, sig, args, from_script)
            batch = FAKE_BATCH.get()
            entry = batch.current if batch is not None else None
            if entry is None:
                return run(sock, func, sig, args, from_script)
            name = str(getattr(sig, "name", "?")).upper()
            argv = (name, *args)
            result = run(sock, func, sig, args, from_script)
            decode = getattr(sock, "_decode_result", None)
            try:
                reply = decode(result) if decode is not None else result
            except Exception:  # a reply we cannot convert is still a command that ran
                reply = result
            if entry.script_events is None:
                entry.script_events = []
            entry.script_events.append((argv, reply, None))
            return result

        self._cls = cls
        self._originals = {"_process_command": process, "_run_command": run}
        self._wrappers = {"_process_command": _process_command, "_run_command": _run_command}

    def acquire(self) -> None:
        """Put the wrappers in place (first user)."""
        with self._lock:
            self._users += 1
            if self._users == 1 and self._cls is not None:
                for name, wrapper in self._wrappers.items():
                    setattr(self._cls, name, wrapper)

    def release(self) -> None:
        """Take them off again (last user), unless someone wrapped over them meanwhile."""
        with self._lock:
            self._users = max(0, self._users - 1)
            if self._users == 0:
                self._restore()

    def _restore(self) -> None:
        cls = self._cls
        if cls is None:
            return
        for name, wrapper in self._wrappers.items():
            if cls.__dict__.get(name) is wrapper:
                setattr(cls, name, self._originals[name])

    def uninstall(self) -> None:
        with self._lock:
            self._users = 0
            self._restore()
        self._cls = None
        self._originals = {}
        self._wrappers = {}


# --- real server: MONITOR -----------------------------------------------------------------

_LINE = re.compile(rb"^\+?(\d+\.\d+) \[(\d+) ([^\]]*)\] ?(.*)$", re.DOTALL)
_ESCAPES = {
    ord("n"): b"\n",
    ord("r"): b"\r",
    ord("t"): b"\t",
    ord("a"): b"\a",
    ord("b"): b"\b",
    ord('"'): b'"',
    ord("\\"): b"\\",
}


def _parse_args(text: bytes) -> tuple[bytes, ...]:
    """Split MONITOR's ``"a" "b\\x00"`` rendering (sdscatrepr) back into raw arguments."""
    out: list[bytes] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] != 0x22:  # '"'
            i += 1
            continue
        i += 1
        buf = bytearray()
        while i < n and text[i] != 0x22:
            ch = text[i]
            if ch == 0x5C and i + 1 < n:  # backslash
                nxt = text[i + 1]
                if nxt == ord("x") and i + 3 < n:
                    try:
                        buf.append(int(text[i + 2 : i + 4], 16))
                        i += 4
                        continue
                    except ValueError:
                        pass
                buf += _ESCAPES.get(nxt, bytes((nxt,)))
                i += 2
                continue
            buf.append(ch)
            i += 1
        out.append(bytes(buf))
        i += 1
    return tuple(out)


def parse_monitor_line(line: bytes | str) -> tuple[int, str, tuple[bytes, ...]] | None:
    """``(db, source, args)`` of one MONITOR line; source is ``"lua"`` or the client address."""
    raw = line.encode("utf-8", "surrogateescape") if isinstance(line, str) else line
    match = _LINE.match(raw)
    if match is None:
        return None
    return int(match.group(2)), match.group(3).decode("ascii", "replace"), _parse_args(match[4])


class _Unit:
    """One script command seen on MONITOR and the Lua commands it ran."""

    __slots__ = ("args", "events", "in_multi")

    def __init__(self, args: tuple[bytes, ...], in_multi: bool) -> None:
        self.args = args
        self.in_multi = in_multi
        self.events: list[ScriptEvent] = []


def as_wire_bytes(value: object) -> bytes:
    """How redis-py's encoder puts a command argument on the wire (for matching MONITOR lines)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if isinstance(value, bool):
        return str(int(value)).encode()
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, float):
        return repr(value).encode()
    if isinstance(value, memoryview):
        return value.tobytes()
    return str(value).encode("utf-8", "surrogateescape")


class _Tap:
    """A MONITOR connection plus a side connection for the sentinel, to one server."""

    def __init__(self, monitor: Any, side: Any) -> None:
        self.monitor = monitor
        self.side = side
        self.lock = threading.Lock()
        self.units: dict[str, deque[_Unit]] = {}
        self.in_multi: dict[str, bool] = {}
        self.last: _Unit | None = None

    def close(self) -> None:
        for conn in (self.monitor, self.side):
            with contextlib.suppress(Exception):
                conn.disconnect()
        self.units.clear()

    def drain(self) -> None:
        token = "redis-boundary-" + uuid.uuid4().hex
        self.side.send_command("ECHO", token)
        self.side.read_response()
        needle = token.encode()
        while True:
            line = self.monitor.read_response()
            if isinstance(line, str):
                line = line.encode("utf-8", "surrogateescape")
            parsed = parse_monitor_line(line)
            if parsed is None:
                continue
            db, source, args = parsed
            if source == "lua":
                if self.last is not None and args:
                    self.last.events.append(
                        ((args[0].decode("ascii", "replace").upper(), *args[1:]), NO_REPLY, db)
                    )
                continue
            name = args[0].upper() if args else b""
            if name == b"ECHO" and len(args) > 1 and args[1] == needle:
                self.last = None
                return
            if name == b"MULTI":
                self.in_multi[source] = True
                self.last = None
            elif name in (b"EXEC", b"DISCARD"):
                self.in_multi[source] = False
                self.last = None
            elif name.decode("ascii", "replace") in SCRIPT_COMMANDS:
                unit = _Unit(args, self.in_multi.get(source, False))
                self.units.setdefault(source, deque()).append(unit)
                self.last = unit
            else:
                self.last = None

    def take(
        self, address: str, wanted: tuple[bytes, ...] | None, *, refused: bool = False
    ) -> list[ScriptEvent]:
        """Events of the unit matching ``wanted`` (None: all units run inside a MULTI).

        ``refused``: the command was answered NOSCRIPT, so it ran nothing; Redis 7 still logs
        it, so take its (empty) unit, but never a unit that ran commands.
        """
        queue = self.units.get(address)
        if not queue:
            return []
        events: list[ScriptEvent] = []
        if wanted is None:
            keep = deque(unit for unit in queue if not unit.in_multi)
            for unit in queue:
                if unit.in_multi:
                    events.extend(unit.events)
            self.units[address] = keep
            return events
        for index, unit in enumerate(queue):
            if unit.in_multi or (refused and unit.events):
                continue
            if unit.args[:1] and unit.args[0].upper() == wanted[0] and unit.args[1:] == wanted[1:]:
                for _ in range(index + 1):
                    earlier = queue.popleft()
                    if not earlier.in_multi:
                        events.extend(earlier.events)
                    else:
                        queue.append(earlier)  # keep MULTI units for their EXEC
                return events
        return []


def _local_address(conn: Any) -> str | None:
    """The app connection's address as the server prints it in MONITOR (``ip:port``)."""
    name: Any = None
    sock = getattr(conn, "_sock", None)
    if sock is not None and hasattr(sock, "getsockname"):
        try:
            name = sock.getsockname()
        except OSError:
            name = None
    if name is None:
        writer = getattr(conn, "_writer", None)
        if writer is not None:
            try:
                name = writer.get_extra_info("sockname")
            except Exception:
                name = None
    if isinstance(name, tuple) and len(name) >= 2:
        host = str(name[0])
        if host.startswith("::ffff:"):
            host = host[7:]
        return f"{host}:{name[1]}"
    return None


class RealScriptCapture:
    """Per-server MONITOR taps that recover what scripts ran on a real Redis server."""

    def __init__(
        self,
        *,
        mark_ignored: Callable[[object], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self._mark_ignored = mark_ignored
        self._on_error = on_error
        self._lock = threading.Lock()
        self._taps: dict[str, _Tap | None] = {}
        self.active = False

    def start(self) -> None:
        self.active = True

    def stop(self) -> None:
        self.active = False
        with self._lock:
            taps, self._taps = self._taps, {}
        for tap in taps.values():
            if tap is not None:
                tap.close()

    def _open(self, conn: Any) -> _Tap:
        import redis.connection as connections

        connection_class: Any = connections.Connection
        unix_class: Any = connections.UnixDomainSocketConnection
        common: dict[str, Any] = {
            "username": getattr(conn, "username", None),
            "password": getattr(conn, "password", None),
            "credential_provider": getattr(conn, "credential_provider", None),
            "socket_timeout": 10,
            "socket_connect_timeout": 10,
        }
        path = getattr(conn, "path", None)
        made: list[Any] = []
        for _ in range(2):
            if path:
                c: Any = unix_class(path=path, **common)
            else:
                c = connection_class(host=conn.host, port=conn.port, **common)
            self._mark_ignored(c)
            made.append(c)
        monitor, side = made
        monitor.connect()
        monitor.send_command("MONITOR")
        reply = monitor.read_response()
        if reply not in (b"OK", "OK"):
            raise RuntimeError(f"MONITOR answered {reply!r}")
        side.connect()
        return _Tap(monitor, side)

    def ensure(self, server: str, conn: Any) -> None:
        """Open the MONITOR for ``server`` (before a script command is sent to it)."""
        if not self.active or server in self._taps:
            return
        with self._lock:
            if server in self._taps:
                return
            try:
                self._taps[server] = self._open(conn)
            except Exception as exc:  # no MONITOR rights, TLS, ...: record once, go on
                self._taps[server] = None
                self._on_error(exc)

    def collect(
        self,
        server: str,
        conn: Any,
        args: tuple[object, ...] | None,
        *,
        refused: bool = False,
    ) -> list[ScriptEvent]:
        """Lua commands run by the script command ``args`` (None: by an EXEC) on ``conn``."""
        tap = self._taps.get(server)
        if tap is None or not self.active:
            return []
        address = _local_address(conn)
        if address is None:
            return []
        wanted: tuple[bytes, ...] | None = None
        if args is not None:
            wanted = (as_wire_bytes(args[0]).upper(), *(as_wire_bytes(a) for a in args[1:]))
        with tap.lock:
            try:
                tap.drain()
            except Exception as exc:
                self._on_error(exc)
                with self._lock:
                    self._taps[server] = None
                tap.close()
                return []
            return tap.take(address, wanted, refused=refused)
