"""One ``MONITOR`` connection to a server, and what it shows the scripts ran.

The tap reads the MONITOR stream up to a sentinel it sends itself (``ECHO <uuid>`` on a side
connection): everything the server ran before the sentinel is then in hand. Redis executes a
script atomically, so a script command's line is followed by its ``[db lua]`` lines, which are
grouped under it (a *unit*) and queued by the calling client's address; a script command's reply
then takes its unit (an EXEC takes the units of the scripts run inside its MULTI).

Application threads deliver replies concurrently, so one lock serialises reading the stream,
taking units and closing the tap: a thread never reads a connection another thread is closing,
and a tap closed while a thread waited for it (capture stopped at the end of a test while a
thread the test left running still runs scripts) answers nothing instead of failing.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections import deque
from typing import Any, Final

from pytest_redis_boundary.core.events import NO_REPLY
from pytest_redis_boundary.recorder.scripts.monitor_lines import (
    command_name,
    every_argument,
    judged_arguments,
    split_monitor_line,
)
from pytest_redis_boundary.recorder.scripts.script_events import SCRIPT_COMMANDS, ScriptEvent

__all__ = ["MonitorTap"]

_SCRIPT_NAMES: Final = frozenset(name.encode() for name in SCRIPT_COMMANDS)


class _Unit:
    """One script command seen on MONITOR and the commands it ran."""

    __slots__ = ("args", "events", "in_multi")

    def __init__(self, args: tuple[bytes, ...], in_multi: bool) -> None:
        self.args = args
        self.in_multi = in_multi
        self.events: list[ScriptEvent] = []


class MonitorTap:
    """A MONITOR connection plus a side connection for the sentinel, to one server."""

    def __init__(self, monitor: Any, side: Any) -> None:
        self._monitor = monitor
        self._side = side
        self._lock = threading.Lock()
        self._closed = False
        self._units: dict[str, deque[_Unit]] = {}
        self._in_multi: dict[str, bool] = {}
        self._last: _Unit | None = None

    def close(self) -> None:
        """Disconnect both connections, once any thread reading the stream is done."""
        with self._lock:
            self._close()

    def _close(self) -> None:
        self._closed = True
        for conn in (self._monitor, self._side):
            with contextlib.suppress(Exception):
                conn.disconnect()
        self._units.clear()
        self._last = None

    def collect(
        self, address: str, wanted: tuple[bytes, ...] | None, *, refused: bool = False
    ) -> list[ScriptEvent]:
        """What the script command ``wanted`` sent on ``address`` ran (None: what the scripts
        of its EXEC ran); [] once the tap is closed. A failure to read closes the tap and
        is raised."""
        with self._lock:
            if self._closed:
                return []
            try:
                self._drain()
            except BaseException:
                self._close()
                raise
            return self._take(address, wanted, refused=refused)

    def _drain(self) -> None:
        token = "redis-boundary-" + uuid.uuid4().hex
        sentinel = b'"ECHO" "' + token.encode() + b'"'
        self._side.send_command("ECHO", token)
        self._side.read_response()
        read = self._monitor.read_response
        while True:
            line = read()
            if isinstance(line, str):
                line = line.encode("utf-8", "surrogateescape")
            parsed = split_monitor_line(line)
            if parsed is None:
                continue
            db, source, arguments = parsed
            if source == "lua":
                last = self._last
                if last is not None:
                    args = judged_arguments(arguments)
                    if args:
                        command = args[0].decode("ascii", "replace").upper()
                        last.events.append(((command, *args[1:]), NO_REPLY, db))
                continue
            if arguments == sentinel:
                self._last = None
                return
            # Only a script command's arguments are read whole: every other client command
            # the server ran meanwhile matters by its name alone.
            name = command_name(arguments)
            if name == b"MULTI":
                self._in_multi[source] = True
                self._last = None
            elif name in (b"EXEC", b"DISCARD"):
                self._in_multi[source] = False
                self._last = None
            elif name in _SCRIPT_NAMES:
                unit = _Unit(every_argument(arguments), self._in_multi.get(source, False))
                self._units.setdefault(source, deque()).append(unit)
                self._last = unit
            else:
                self._last = None

    def _take(
        self, address: str, wanted: tuple[bytes, ...] | None, *, refused: bool
    ) -> list[ScriptEvent]:
        """Events of the unit matching ``wanted`` (None: all units run inside a MULTI).

        ``refused``: the command was answered NOSCRIPT, so it ran nothing; Redis 7 still logs
        it, so take its (empty) unit, but never a unit that ran commands.
        """
        queue = self._units.get(address)
        if not queue:
            return []
        events: list[ScriptEvent] = []
        if wanted is None:
            keep = deque(unit for unit in queue if not unit.in_multi)
            for unit in queue:
                if unit.in_multi:
                    events.extend(unit.events)
            self._units[address] = keep
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
