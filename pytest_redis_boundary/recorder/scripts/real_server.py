"""Commands run inside Lua on a real Redis server, recovered through ``MONITOR``.

MONITOR, not keyspace notifications: notifications carry an event name and a key, not the
command or its arguments (hash fields, TTL arguments), need ``CONFIG SET notify-keyspace-events``
(a server-wide side effect), and arrive on a pubsub channel with no ordering guarantee relative to
the client's replies. :class:`RealScriptCapture` opens one :class:`MonitorTap` per server on
demand, the first time a script command is about to be sent to it while capture is on (so the
MONITOR is live before the script runs), and asks it, when a script command's reply arrives, what
that command ran. The tap's connections are marked ignored, so the recorder never records their
traffic. Capture is meant to be switched on per test (``Recorder.start_script_capture`` /
``stop_script_capture``): the taps are closed at stop, so the server never buffers a whole
session's command stream.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from pytest_redis_boundary.recorder.scripts.monitor_tap import MonitorTap
from pytest_redis_boundary.recorder.scripts.script_events import ScriptEvent

__all__ = ["RealScriptCapture", "as_wire_bytes"]


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
    """Per-server MONITOR taps that recover what scripts ran on a real Redis server.

    Safe to use from many threads: taps are opened, replaced and dropped under one lock, and a
    tap serialises its own reads (``MonitorTap``). A thread still running a script when capture
    stops (one a test left running) finds its tap closed and gets nothing; it neither reports an
    error nor disables the next test's capture.
    """

    def __init__(
        self,
        *,
        mark_ignored: Callable[[object], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self._mark_ignored = mark_ignored
        self._on_error = on_error
        self._lock = threading.Lock()
        self._taps: dict[str, MonitorTap | None] = {}
        self.active = False

    def start(self) -> None:
        with self._lock:
            self.active = True

    def stop(self) -> None:
        with self._lock:
            self.active = False
            taps, self._taps = self._taps, {}
        for tap in taps.values():
            if tap is not None:
                tap.close()

    def _open(self, conn: Any) -> MonitorTap:
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
        return MonitorTap(monitor, side)

    def ensure(self, server: str, conn: Any) -> None:
        """Open the MONITOR for ``server`` (before a script command is sent to it)."""
        if not self.active or server in self._taps:
            return
        with self._lock:
            if not self.active or server in self._taps:
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
        try:
            return tap.collect(address, wanted, refused=refused)
        except Exception as exc:
            with self._lock:
                current = self._taps.get(server) is tap
                if current:
                    self._taps[server] = None  # that server's scripts go unjudged from now on
            if current:
                self._on_error(exc)
            return []
