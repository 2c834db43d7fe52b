"""The path every command sent through a sync redis-py connection takes: ``send_command`` and
``read_response``, behind the recorder's wrappers (``recorder/sending.py``,
``recorder/replies.py``).

The wheel compiles this module with mypyc (``build.COMPILED_MODULES``). The wrappers on the
connection classes stay Python functions (a compiled function does not bind as a method, and a
compiled callable object or closure costs more to call than a Python function); each passes its
arguments here as they are, in one call. The asyncio wrappers do the same work in Python beside
their sync twins: a coroutine must ``await`` the original between the steps, so their bodies
cannot be a call here; they share what comes after a failed read (``read_failed``).
docs/reference/recording.md describes what is recorded and when.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pytest_redis_boundary.core.events import CallSite, PartsSink
from pytest_redis_boundary.recorder.callsite import CallSiteResolver, HintTable
from pytest_redis_boundary.recorder.connections import (
    ATTR,
    K_ORDINARY,
    KINDS,
    SENDING_SINGLE,
    WRITING_SINGLE,
    ConnState,
    Entry,
    SingleEntry,
    kind_of,
    state_of,
)

__all__ = ["CommandPath", "read_failed", "read_response", "send_command"]


class CommandPath:
    """What the per-command functions share with their ``Recorder``: whether it is on, where
    commands go, and the delivery's methods (``recorder/delivery.py``) for everything but a
    single command."""

    def __init__(
        self,
        resolver: CallSiteResolver,
        parts: PartsSink,
        stage: Callable[[ConnState, Any, tuple[object, ...], int, CallSite | None], None],
        deliver: Callable[[ConnState, Entry | SingleEntry, object, Any], None],
        flush: Callable[[ConnState, BaseException, Any], None],
        error: Callable[[BaseException, ConnState, tuple[object, ...]], None],
    ) -> None:
        self.on = False
        self.resolver = resolver
        self.parts = parts
        self.stage = stage
        self.deliver = deliver
        self.flush = flush
        self.error = error
        # Our send_packed_command wrappers of redis-py's own signature -> the wrapped method.
        self.packed_originals: dict[object, Callable[[Any, object, object], object]] = {}
        self.response_error: type[BaseException] = Exception  # redis's, set by install()


def send_command(
    path: CommandPath,
    orig: Callable[..., object],
    inline: bool,
    hints: HintTable,
    conn: Any,
    args: tuple[object, ...],
    kwargs: dict[str, Any],
) -> object:
    """A connection's ``send_command(*args, **kwargs)``: stages a command that is not ordinary
    (pub/sub, script, MULTI/EXEC, SELECT/RESET, AUTH/READONLY) for ``send_packed_command``;
    makes an ordinary one pending once it is written, as a ``SingleEntry``. ``inline``: ``orig``
    is redis-py's own ``send_command``, which this packs and writes itself when the class's
    ``send_packed_command`` is ours over redis-py's signature (one wrapper layer, not three).
    ``hints``: the wrapper's own call-site depth hints."""
    st = state_of(conn)
    if st.suppress or st.sending is not None or st.ignored or not path.on or not args:
        return orig(conn, *args, **kwargs)
    head = args[0]
    try:
        hint = hints[head]
        kind = KINDS.get(head, K_ORDINARY)
    except (TypeError, ValueError):  # unhashable, or a writable memoryview
        hint = hints.shared
        kind = kind_of(head)
    if kind or st.pubsub:
        path.stage(st, conn, args, kind, path.resolver.site_hinted(hint))
        try:
            return orig(conn, *args, **kwargs)
        finally:
            if st.staged:  # never reached the socket (e.g. an encoding error)
                st.staged.clear()
    entry: SingleEntry = (args, path.resolver.site_hinted(hint), time.time() * 1000.0)
    st.used = True
    write = (
        path.packed_originals.get(type(conn).send_packed_command)
        if inline and "send_packed_command" not in conn.__dict__  # not patched on it
        else None
    )
    if write is not None:
        # redis-py's send_command, with the unwrapped send_packed_command of the class.
        packed = conn._command_packer.pack(*args)  # an encoding error: never sent
        st.sending = WRITING_SINGLE
        try:
            write(conn, packed, kwargs.get("check_health", True))
        except BaseException as exc:
            st.sending = None
            path.deliver(st, entry, exc, conn)  # the command may have run
            raise
        st.sending = None
        st.push(entry)
        return None
    st.sending = SENDING_SINGLE
    try:
        result = orig(conn, *args, **kwargs)
    except BaseException as exc:
        written = st.sending is WRITING_SINGLE
        st.sending = None
        if written:  # the bytes may have reached the server: the command may have run
            path.deliver(st, entry, exc, conn)
        raise
    st.sending = None
    st.push(entry)
    return result


def read_response(
    path: CommandPath,
    orig: Callable[..., object],
    conn: Any,
    args: tuple[object, ...],
    kwargs: dict[str, Any],
) -> object:
    """A connection's ``read_response(*args, **kwargs)``: a reply (or a ``ResponseError``)
    pairs with the oldest pending command; any other error delivers every pending one with it."""
    st: ConnState | None = getattr(conn, ATTR, None)
    if st is None or not st.waiting() or st.reading or st.suppress or st.sending is not None:
        return orig(conn, *args, **kwargs)
    st.reading = True
    try:
        # redis-py calls read_response() without arguments; passing none here builds no
        # tuple and no dict for the call.
        reply = orig(conn, *args, **kwargs) if args or kwargs else orig(conn)
    except BaseException as exc:
        st.reading = False
        read_failed(path, st, exc, conn)
        raise
    st.reading = False
    if st.waiting():
        entry = st.pop()
        if isinstance(entry, Entry):
            path.deliver(st, entry, reply, conn)
        else:
            try:
                path.parts(entry[0], reply, st.server, st.db, st.conn_id, entry[1], False, entry[2])
            except Exception as sink_error:
                path.error(sink_error, st, entry[0])
    return reply


def read_failed(path: CommandPath, st: ConnState, exc: BaseException, conn: Any) -> None:
    """A read raised ``exc``: a ``ResponseError`` is the reply of the oldest pending command;
    anything else (a lost connection, a timeout) delivers every pending command with it, since
    each may have run. Shared by the sync path and its asyncio twin."""
    if isinstance(exc, path.response_error):
        if st.waiting():
            path.deliver(st, st.pop(), exc, conn)
    else:
        path.flush(st, exc, conn)
