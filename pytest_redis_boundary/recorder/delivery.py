"""The delivery state machine: how a command goes from staged to pending to delivered, with its
reply, and what a connection's state does meanwhile.

A command is *staged* (``stage``) when a wrapper sees it about to be written; once its bytes are
written it is *pending* in its connection's FIFO (``ConnState.push``); a reply read off the
connection pairs with the FIFO's head and the command is *delivered* (``deliver``): handed to the
parts sink with its reply, after the commands a script it ran ran (``recorder/scripts/``). A
single command skips staging (``recorder/command_path.py``). Each connection gets a
``connection`` id per socket session (a reconnect starts a new one, since MULTI and SELECT state
do not survive it); ``db`` follows a successful ``SELECT``/``RESET``. docs/reference/recording.md
lists what is delivered when, and what never is.

Nothing here keeps arguments or replies after the sink returns. Sink exceptions, and those of
the script capture, are caught and appended to ``errors`` as ``RecordingProblem``s (which part,
server, database and command name); the application's call proceeds as if no recorder were
there.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from contextvars import Token
from typing import Any

from pytest_redis_boundary.core.events import NO_REPLY, CallSite, CommandEvent
from pytest_redis_boundary.recorder.callsite import CallSiteResolver
from pytest_redis_boundary.recorder.command_path import CommandPath
from pytest_redis_boundary.recorder.connections import (
    ACTS_ON_REPLY,
    ATTR,
    K_EXEC,
    K_EXEC_SCRIPT,
    K_HIDDEN,
    K_MULTI,
    K_NOWAIT,
    K_ORDINARY,
    K_PUBSUB,
    K_RESET,
    K_SCRIPT,
    K_SELECT,
    ConnState,
    Entry,
    SingleEntry,
    mark_ignored,
    new_conn_id,
    reset_db,
)
from pytest_redis_boundary.recorder.event_factory import make_event
from pytest_redis_boundary.recorder.problem import RecordingProblem, command_name
from pytest_redis_boundary.recorder.scripts import (
    FAKE_BATCH,
    FakeBatch,
    FakeScriptHooks,
    RealScriptCapture,
)

__all__ = ["Delivery"]


class Delivery:
    """Stages, holds and delivers the commands of every connection for one ``Recorder``.

    ``sink`` receives a ``CommandEvent`` for each command a script ran, and for every client
    command while no other parts sink is set (``path.parts``). ``path`` is what the compiled
    per-command functions read: it holds this object's methods.
    """

    def __init__(
        self,
        sink: Callable[[CommandEvent], None],
        resolver: CallSiteResolver,
        fake_scripts: FakeScriptHooks,
    ) -> None:
        self._sink = sink
        self._fake_scripts = fake_scripts
        self.errors: list[RecordingProblem] = []
        # The script command whose capture is running on this thread (its calls never await).
        self._capturing = threading.local()
        self.scripts = RealScriptCapture(mark_ignored=mark_ignored, on_error=self._script_error)
        self.path = CommandPath(
            resolver, self.event_from_parts, self.stage, self.deliver, self.flush, self.error
        )

    def error(
        self, exc: BaseException, st: ConnState | None = None, args: tuple[object, ...] = ()
    ) -> None:
        """Keep ``exc``, raised while handing the command ``args`` sent on ``st``'s connection to
        the sink, for the caller to report (reduced: ``recorder/problem.py``)."""
        self._keep("recording", exc, st, args)

    def _script_error(self, exc: BaseException) -> None:
        st, args = getattr(self._capturing, "command", (None, ()))
        self._keep("script capture", exc, st, args)

    def _keep(
        self, part: str, exc: BaseException, st: ConnState | None, args: tuple[object, ...]
    ) -> None:
        server, db = (st.server, st.db) if st is not None else (None, None)
        self.errors.append(
            RecordingProblem(part, exc, server=server, db=db, command=command_name(args))
        )

    def event_from_parts(self, *parts: Any) -> None:
        """The parts sink of a recorder given none: one ``CommandEvent`` for ``sink``."""
        args, reply, server, db, connection, site, in_script, time_ms = parts
        origin = "script" if in_script else "client"
        self._sink(make_event(args, reply, server, db, connection, site, origin, time_ms))

    def _emit(self, event: CommandEvent) -> None:
        try:
            self._sink(event)
        except Exception as exc:
            self.errors.append(
                RecordingProblem(
                    "recording",
                    exc,
                    server=event.server,
                    db=event.db,
                    command=command_name(event.args),
                )
            )

    # -- staged -> pending --------------------------------------------------------------------

    def stage(
        self, st: ConnState, conn: Any, args: tuple[object, ...], kind: int, site: CallSite | None
    ) -> None:
        """A command is about to be written on ``conn``: it waits in ``st.staged`` until the
        write (``take_staged``), and changes the connection's state as its kind says."""
        entry = Entry(args, site, time.time() * 1000.0, K_ORDINARY)
        st.used = True
        if kind or st.pubsub:
            if kind == K_PUBSUB or st.pubsub:
                st.pubsub = True
                entry.kind = K_NOWAIT
            elif kind == K_SCRIPT:
                st.fake_scripts = st.is_fake
                if st.in_multi:
                    st.multi_script = True
                else:
                    entry.kind = K_SCRIPT
                if not st.is_fake and self.scripts.active:
                    self._capturing.command = (st, args)
                    try:
                        self.scripts.ensure(st.server, conn)
                    finally:
                        self._capturing.command = (None, ())
            elif kind == K_MULTI:
                st.in_multi = True
                st.multi_script = False
            elif kind == K_EXEC:
                st.fake_scripts = st.is_fake
                if st.in_multi and st.multi_script:
                    entry.kind = K_EXEC_SCRIPT
                st.in_multi = False
                st.multi_script = False
            else:
                entry.kind = kind
        st.staged.append(entry)

    def take_staged(self, st: ConnState) -> Token[FakeBatch | None] | None:
        """The staged commands are being written (``st.sending`` holds them from now on). On
        fakeredis, where a script among them runs during the write, this also publishes them
        for ``recorder/scripts/`` and returns the token to hand ``written`` or ``not_written``."""
        batch = st.staged
        st.staged = []
        st.sending = batch
        if not st.fake_scripts:
            return None
        st.fake_scripts = False
        self._fake_scripts.acquire()
        return FAKE_BATCH.set(FakeBatch(st, batch))

    def written(
        self,
        st: ConnState,
        batch: list[Entry],
        token: Token[FakeBatch | None] | None,
        conn: Any,
    ) -> None:
        """``batch``, which ``take_staged`` took, is written: it awaits its replies (pub/sub
        commands get none: they are delivered now)."""
        st.sending = None
        if token is not None:
            FAKE_BATCH.reset(token)
            self._fake_scripts.release()
        if st.pubsub:
            for entry in batch:
                if entry.kind == K_NOWAIT:
                    self.deliver(st, entry, NO_REPLY, conn)
                else:
                    st.push(entry)
        else:
            st.push_all(batch)

    def not_written(
        self,
        st: ConnState,
        batch: list[Entry],
        token: Token[FakeBatch | None] | None,
        exc: BaseException,
        conn: Any,
    ) -> None:
        """Writing ``batch``, which ``take_staged`` took, raised ``exc``: each command is
        delivered with it, since its bytes may have reached the server."""
        st.sending = None
        if token is not None:
            FAKE_BATCH.reset(token)
            self._fake_scripts.release()
        for entry in batch:
            self.deliver(st, entry, exc, conn)

    # -- pending -> delivered -------------------------------------------------------------

    def deliver(self, st: ConnState, entry: Entry | SingleEntry, reply: object, conn: Any) -> None:
        """``entry``'s reply is ``reply`` (an exception if none came): hand it to the sink."""
        if type(entry) is tuple:
            args, site, time_ms = entry
            try:
                self.path.parts(args, reply, st.server, st.db, st.conn_id, site, False, time_ms)
            except Exception as exc:
                self.error(exc, st, args)
            return
        assert isinstance(entry, Entry)
        kind = entry.kind
        if kind == K_HIDDEN:
            return
        if kind >= ACTS_ON_REPLY:
            self._collect_script_commands(st, entry, reply, conn)
        events = entry.script_events
        if events:
            entry.script_events = None
            for args, inner_reply, db in events:
                self._emit(
                    make_event(
                        args,
                        inner_reply,
                        st.server,
                        st.db if db is None else db,
                        st.conn_id,
                        entry.site,
                        "script",
                        entry.time_ms,
                    )
                )
        try:
            self.path.parts(
                entry.args, reply, st.server, st.db, st.conn_id, entry.site, False, entry.time_ms
            )
        except Exception as exc:
            self.error(exc, st, entry.args)
        if kind >= ACTS_ON_REPLY:
            self._apply_reply(st, entry, reply)

    def _collect_script_commands(
        self, st: ConnState, entry: Entry, reply: object, conn: Any
    ) -> None:
        """On a real server, what a script command (or an EXEC running scripts) ran."""
        kind = entry.kind
        if st.is_fake or not self.scripts.active:
            return
        if kind != K_SCRIPT and kind != K_EXEC_SCRIPT:
            return
        self._capturing.command = (st, entry.args)
        try:
            if kind == K_SCRIPT:
                refused = type(reply).__name__ == "NoScriptError"
                found = self.scripts.collect(st.server, conn, entry.args, refused=refused)
            else:
                found = self.scripts.collect(st.server, conn, None)
        finally:
            self._capturing.command = (None, ())
        if found:
            entry.script_events = found + (entry.script_events or [])

    def _apply_reply(self, st: ConnState, entry: Entry, reply: object) -> None:
        """What a successful ``SELECT`` or ``RESET`` changes on the connection."""
        kind = entry.kind
        ok = reply in (b"OK", "OK", True)
        if kind == K_SELECT and ok and len(entry.args) > 1:
            with contextlib.suppress(TypeError, ValueError):
                st.db = int(entry.args[1])  # type: ignore[call-overload]
        elif kind == K_RESET:
            st.db = 0
            st.pubsub = False
            st.in_multi = False

    def flush(self, st: ConnState, exc: BaseException, conn: Any) -> None:
        """No reply will come on this connection: every pending command gets ``exc``."""
        while st.waiting():
            self.deliver(st, st.pop(), exc, conn)

    def disconnecting(self, conn: Any) -> None:
        """``conn`` is being disconnected (not from inside a read: that read flushes): pending
        commands get a ``ConnectionError``, and the next socket session gets a new id."""
        st: ConnState | None = getattr(conn, ATTR, None)
        if st is None or st.reading or st.ignored:
            return
        if st.waiting():
            import redis

            self.flush(st, redis.ConnectionError("connection closed before the reply"), conn)
        if st.used:
            st.used = False
            st.conn_id = new_conn_id()
            st.db = reset_db(conn)
            st.pubsub = False
            st.in_multi = False
            st.multi_script = False
