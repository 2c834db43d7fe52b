"""Commands run inside Lua on fakeredis, seen on its server side.

fakeredis runs scripts in-process. ``BaseFakeSocket._process_command`` (one call per command a
client sent) and ``BaseFakeSocket._run_command`` (which ``redis.call`` inside Lua reaches with
``from_script=True``) are wrapped, only while a batch holding a script command or an EXEC is being
written. fakeredis executes a command synchronously while the client writes it, so while the
recorder's send hook writes a batch it publishes that batch in :data:`FAKE_BATCH` (a
``ContextVar``, so threads and asyncio tasks do not see each other's); the ``_process_command``
wrapper moves a cursor over the batch, and every script command run meanwhile is attached, with its
reply, to the entry being processed. The recorder delivers those before the entry's own event.
Inside ``EXEC`` the scripts run while EXEC is processed, so their commands come before the EXEC
event, matching when their effects apply.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar
from typing import Any, Protocol

from pytest_redis_boundary.recorder.scripts.script_events import ScriptEvent

__all__ = ["FAKE_BATCH", "FakeBatch", "FakeScriptHooks"]


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
