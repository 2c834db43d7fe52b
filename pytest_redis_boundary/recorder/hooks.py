"""Connection-level capture of every command redis-py sends, paired with its raw reply.

Where commands flow (research/NOTES.md): every redis-py client, fakeredis included, ends in a
connection object. The recorder wraps, on every connection class that defines them:

* sync ``send_command`` (single commands) and ``pack_commands`` (pipelines, MULTI/EXEC);
  asyncio ``pack_command`` (called by its ``send_command``, by ``pack_commands`` and directly by
  the async cluster) and ``pack_commands``. These *stage* an entry (args, call site, send time),
  except a plain sync command (not pub/sub, script, MULTI/EXEC, SELECT/RESET, AUTH/READONLY):
  ``send_command`` makes it pending itself once the original returns, as a bare tuple. An error
  before ``send_packed_command`` was entered (an encoding error) drops it; one after delivers it
  with that error, since the command may have run. When ``send_command`` is redis-py's own code
  (its bytecode is compared with the known two lines) and the connection's class has redis-py's
  ``send_packed_command`` signature (not replaced on the connection object itself, as a test
  double would be), the wrapper packs the command and calls the unwrapped
  ``send_packed_command`` itself: one wrapper layer instead of three for every plain command.
* ``send_packed_command``: once the bytes are written, staged entries become *pending*, a FIFO per
  connection. Entries for pubsub commands (and anything sent on a connection in pubsub mode) are
  delivered at once with ``reply=NO_REPLY`` and never enter the FIFO.
* ``read_response``: a read that returns (or raises a ``ResponseError``) pairs with the FIFO's
  head; the event goes to the sink then, with the raw reply (before response callbacks) or the
  ``ResponseError`` instance, which is re-raised unchanged. RESP3 push messages are consumed by
  redis-py's parser inside ``read_response`` and never surface as replies.
* Housekeeping never reaches the sink: ``on_connect``/``on_connect_check_health`` (HELLO, AUTH,
  CLIENT SETNAME/SETINFO, SELECT, maintenance notifications) and the health-check
  ``_send_ping`` run with the connection's capture suppressed; any command sent while an outer
  send is in progress on the same connection (a connect triggered by it, its health check, connect
  callbacks) is housekeeping too; ``READONLY`` (the cluster's connect callback) and ``AUTH``
  (``re_auth``) keep their reply slot but are never delivered.
* Connection errors: when a read raises anything but a ``ResponseError``, or the connection is
  disconnected, or a write fails, every event still waiting for its reply is delivered with
  ``reply`` = that exception (a ``redis.ConnectionError`` made by the recorder for a plain
  disconnect), since the command may have run. A retried command is then delivered again.
* ``CacheProxyConnection`` is not wrapped (it is not an ``AbstractConnection``): it delegates to
  a wrapped connection, so a command served from the client-side cache is not delivered (it never
  reached Redis) and one that went to the server is delivered once.

Each connection gets a ``connection`` id per socket session (a reconnect starts a new one, since
MULTI and SELECT state do not survive it); ``db`` follows a successful ``SELECT``/``RESET``.

Pipelined commands: the pipeline classes' ``execute_command`` is wrapped to note the call site of
each queued command (keyed by the identity of the args tuple the pipeline stores), and
``execute`` publishes that map in a ``ContextVar`` for ``pack_commands`` to use; commands with no
noted site (MULTI, EXEC, commands a cluster pipeline rebuilt) get the frame calling ``execute()``.

Where the code lives: ``recorder/plain.py`` has the sync ``send_command`` and ``read_response``
that every plain command runs (the wrappers here pass their arguments there in one call), and
``recorder/connections.py`` the per-connection state; the wheel compiles both, with the call-site
lookup (``recorder/callsite.py``). Everything else here stays Python.

Nothing here keeps arguments or replies after the sink returns. Sink exceptions are caught and
appended to ``Recorder.errors``; the application's call proceeds as if no recorder were there.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from types import CodeType
from typing import Any

from pytest_redis_boundary.core.events import NO_REPLY, CallSite, CommandEvent
from pytest_redis_boundary.recorder import plain
from pytest_redis_boundary.recorder.callsite import CallSiteResolver, HintTable
from pytest_redis_boundary.recorder.connections import (
    ATTR,
    K_EXEC,
    K_EXEC_SCRIPT,
    K_HIDDEN,
    K_MULTI,
    K_NOWAIT,
    K_PLAIN,
    K_PUBSUB,
    K_RESET,
    K_SCRIPT,
    K_SELECT,
    PLAIN,
    PLAIN_WRITTEN,
    ConnState,
    Entry,
    Plain,
    fake_server,
    kind_of,
    mark_ignored,
    new_conn_id,
    reset_db,
    state_of,
    without_frames,
)
from pytest_redis_boundary.recorder.plain import PartsSink, PlainPath
from pytest_redis_boundary.recorder.scripts import (
    FAKE_BATCH,
    FakeBatch,
    FakeScriptHooks,
    RealScriptCapture,
)

__all__ = ["PartsSink", "Recorder", "fake_server"]

_SITES_ATTR = "_redis_boundary_sites"

_PIPE_SITES: ContextVar[dict[int, CallSite] | None] = ContextVar(
    "redis_boundary_pipeline_sites", default=None
)
_installed: Recorder | None = None


# CommandEvent is a frozen slotted dataclass; its generated __init__ costs ~0.9 µs (one
# object.__setattr__ per field). Setting the slots through their member descriptors builds the
# very same object in about half the time; fall back to the constructor if the shape changes.
_EVENT_FIELDS = ("args", "reply", "server", "db", "connection", "site", "origin", "time_ms")


def _fast_event_factory() -> Callable[..., CommandEvent]:
    import dataclasses

    try:
        fields = tuple(f.name for f in dataclasses.fields(CommandEvent))
        descriptors = tuple(CommandEvent.__dict__[n] for n in fields)
    except (KeyError, AttributeError, TypeError):
        return CommandEvent
    if fields != _EVENT_FIELDS or hasattr(CommandEvent, "__post_init__"):
        return CommandEvent
    if not all(type(d).__name__ == "member_descriptor" for d in descriptors):
        return CommandEvent
    d_args, d_reply, d_server, d_db, d_conn, d_site, d_origin, d_time = descriptors
    new = object.__new__

    def make(
        args: tuple[object, ...],
        reply: object,
        server: str,
        db: int,
        connection: int,
        site: CallSite | None,
        origin: str,
        time_ms: float | None,
    ) -> CommandEvent:
        ev: CommandEvent = new(CommandEvent)
        d_args.__set__(ev, args)
        d_reply.__set__(ev, reply)
        d_server.__set__(ev, server)
        d_db.__set__(ev, db)
        d_conn.__set__(ev, connection)
        d_site.__set__(ev, site)
        d_origin.__set__(ev, origin)
        d_time.__set__(ev, time_ms)
        return ev

    return make


_make_event = _fast_event_factory()


def _has_send_packed_signature(function: Any) -> bool:
    """Whether ``function`` takes ``(self, command, check_health=True)``, as redis-py's own
    ``send_packed_command`` does, all positional-or-keyword."""
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return False
    return (
        [p.name for p in parameters] == ["self", "command", "check_health"]
        and all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in parameters)
        and parameters[2].default is True
    )


# redis-py's own ``AbstractConnection.send_command`` (4.x to 8.x). When the installed method is
# this very code, a plain command is packed and written by the recorder's wrapper itself, which
# saves two wrapper layers per command; any other ``send_command`` is called as it is.
_KNOWN_SEND_COMMAND = """
def send_command(self, *args, **kwargs):
    'Pack and send a command to the Redis server'
    self.send_packed_command(
        self._command_packer.pack(*args),
        check_health=kwargs.get("check_health", True),
    )
"""


def _is_known_send_command(function: Any) -> bool:
    code = getattr(function, "__code__", None)
    if not isinstance(code, CodeType):
        return False
    namespace: dict[str, Any] = {}
    exec(compile(_KNOWN_SEND_COMMAND, "<redis-py>", "exec", dont_inherit=True), namespace)
    known: CodeType = namespace["send_command"].__code__
    return (
        code.co_code == known.co_code
        and code.co_names == known.co_names
        and code.co_varnames == known.co_varnames
        and code.co_flags == known.co_flags
        and code.co_consts == known.co_consts
    )


def _all_subclasses(root: type) -> Iterator[type]:
    seen: set[type] = set()
    stack = [root]
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        yield cls
        stack.extend(cls.__subclasses__())


def _defining_classes(root: type, name: str) -> list[type]:
    """Every class in the MRO of ``root`` or a subclass that defines ``name`` concretely."""
    found: list[type] = []
    for cls in _all_subclasses(root):
        for base in cls.__mro__:
            func = base.__dict__.get(name)
            if func is None or base is object or base in found:
                continue
            if getattr(func, "__isabstractmethod__", False):
                continue
            found.append(base)
    return found


def _pipeline_queue(pipe: Any) -> list[Any] | None:
    """The list a pipeline appends queued commands to (differs across redis-py versions)."""
    strategy = pipe.__dict__.get("_execution_strategy")
    if strategy is not None:
        queue = getattr(strategy, "_command_queue", None)
        if isinstance(queue, list):
            return queue
    for attr in ("_command_stack", "command_stack"):
        queue = pipe.__dict__.get(attr)
        if isinstance(queue, list):
            return queue
    return None


def _queued_args(item: Any) -> object:
    args = getattr(item, "args", None)
    if args is None and isinstance(item, tuple) and item:
        args = item[0]
    return args


class Recorder:
    """Records every command redis-py clients send, after its reply is known.

    ``sink`` receives one ``CommandEvent`` per command. ``rootdir`` makes call-site paths relative.
    Only one recorder can be installed at a time. Exceptions raised by the sink (or by the
    recorder's own machinery, e.g. opening a MONITOR) never reach the application: they are
    appended to ``errors`` for the caller to report.
    """

    def __init__(
        self,
        sink: Callable[[CommandEvent], None],
        *,
        rootdir: str | os.PathLike[str] | None = None,
        parts_sink: PartsSink | None = None,
    ) -> None:
        self._sink = sink
        self._site = CallSiteResolver(rootdir)
        # Whether it is on and where commands go live here only: the compiled path reads them.
        self._path = PlainPath(
            self._site, self._event_from_parts, self._stage, self._deliver, self._flush, self._error
        )
        self.set_parts_sink(parts_sink)
        self.errors: list[BaseException] = []
        self._patches: list[tuple[type, str, Any, Any]] = []
        self._fake_scripts = FakeScriptHooks()
        self._scripts = RealScriptCapture(mark_ignored=mark_ignored, on_error=self._error)

    # -- public API -----------------------------------------------------------------------

    @property
    def installed(self) -> bool:
        return self._path.on

    def install(self) -> None:
        """Patch redis-py's (and fakeredis's) connection classes. Idempotent."""
        global _installed
        if self._path.on:
            return
        if _installed is not None and _installed is not self:
            raise RuntimeError("another redis-boundary Recorder is already installed")
        from redis.exceptions import ResponseError

        self._path.response_error = ResponseError
        self._patch_all()
        self._fake_scripts.install()
        self._path.on = True
        _installed = self

    def uninstall(self) -> None:
        """Restore every patched attribute that still holds our wrapper. Idempotent."""
        global _installed
        self._path.on = False
        self._scripts.stop()
        for cls, name, original, wrapper in reversed(self._patches):
            if cls.__dict__.get(name) is wrapper:
                setattr(cls, name, original)
        self._patches = []
        self._path.packed_originals.clear()
        self._fake_scripts.uninstall()
        if _installed is self:
            _installed = None

    def set_parts_sink(self, parts_sink: PartsSink | None) -> None:
        """Where plain client commands go from now on, as parts (None: built into a
        ``CommandEvent`` for ``sink``). A plugin points it at the running test's recording."""
        self._path.parts = parts_sink if parts_sink is not None else self._event_from_parts

    def start_script_capture(self) -> None:
        """Start recovering Lua-internal commands on real servers (MONITOR, opened lazily)."""
        self._scripts.start()

    def stop_script_capture(self) -> None:
        """Stop it and close every MONITOR connection."""
        self._scripts.stop()

    @staticmethod
    def ignore_connection(connection: object) -> None:
        """Never record commands sent on ``connection`` (e.g. a fixture's own cleanup)."""
        mark_ignored(connection)

    # -- delivery -------------------------------------------------------------------------

    def _error(self, exc: BaseException) -> None:
        self.errors.append(without_frames(exc))

    def _event_from_parts(self, *parts: Any) -> None:
        """The parts sink of a recorder given none: one ``CommandEvent`` for ``sink``."""
        args, reply, server, db, connection, site, in_script, time_ms = parts
        origin = "script" if in_script else "client"
        self._sink(_make_event(args, reply, server, db, connection, site, origin, time_ms))

    def _emit(self, event: CommandEvent) -> None:
        try:
            self._sink(event)
        except Exception as exc:
            self.errors.append(without_frames(exc))

    def _deliver(self, st: ConnState, entry: Entry | Plain, reply: object, conn: Any) -> None:
        if type(entry) is tuple:
            args, site, time_ms = entry
            try:
                self._path.parts(args, reply, st.server, st.db, st.conn_id, site, False, time_ms)
            except Exception as exc:
                self.errors.append(without_frames(exc))
            return
        assert isinstance(entry, Entry)
        kind = entry.kind
        if kind == K_HIDDEN:
            return
        if kind >= K_SCRIPT:
            self._before(st, entry, reply, conn)
        events = entry.script_events
        if events:
            entry.script_events = None
            for args, inner_reply, db in events:
                self._emit(
                    _make_event(
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
            self._path.parts(
                entry.args, reply, st.server, st.db, st.conn_id, entry.site, False, entry.time_ms
            )
        except Exception as exc:
            self.errors.append(without_frames(exc))
        if kind >= K_SCRIPT:
            self._after(st, entry, reply)

    def _before(self, st: ConnState, entry: Entry, reply: object, conn: Any) -> None:
        kind = entry.kind
        if st.is_fake or not self._scripts.active:
            return
        if kind == K_SCRIPT:
            refused = type(reply).__name__ == "NoScriptError"
            found = self._scripts.collect(st.server, conn, entry.args, refused=refused)
        elif kind == K_EXEC_SCRIPT:
            found = self._scripts.collect(st.server, conn, None)
        else:
            return
        if found:
            entry.script_events = found + (entry.script_events or [])

    def _after(self, st: ConnState, entry: Entry, reply: object) -> None:
        kind = entry.kind
        ok = reply in (b"OK", "OK", True)
        if kind == K_SELECT and ok and len(entry.args) > 1:
            with contextlib.suppress(TypeError, ValueError):
                st.db = int(entry.args[1])  # type: ignore[call-overload]
        elif kind == K_RESET:
            st.db = 0
            st.pubsub = False
            st.in_multi = False

    def _flush(self, st: ConnState, exc: BaseException, conn: Any) -> None:
        while st.waiting():
            self._deliver(st, st.pop(), exc, conn)

    def _reset(self, st: ConnState, conn: Any) -> None:
        if st.waiting():
            import redis

            self._flush(st, redis.ConnectionError("connection closed before the reply"), conn)
        if st.used:
            st.used = False
            st.conn_id = new_conn_id()
            st.db = reset_db(conn)
            st.pubsub = False
            st.in_multi = False
            st.multi_script = False

    def _stage(
        self, st: ConnState, conn: Any, args: tuple[object, ...], kind: int, site: CallSite | None
    ) -> None:
        entry = Entry(args, site, time.time() * 1000.0, K_PLAIN)
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
                if not st.is_fake and self._scripts.active:
                    self._scripts.ensure(st.server, conn)
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

    def _sent(self, st: ConnState, batch: list[Entry], conn: Any) -> None:
        for entry in batch:
            if entry.kind == K_NOWAIT:
                self._deliver(st, entry, NO_REPLY, conn)
            else:
                st.push(entry)

    def _send_failed(
        self, st: ConnState, batch: list[Entry], exc: BaseException, conn: Any
    ) -> None:
        for entry in batch:
            self._deliver(st, entry, exc, conn)

    # -- patching -------------------------------------------------------------------------

    def _patch(self, cls: type, name: str, make: Callable[[Any], Any]) -> None:
        original = cls.__dict__.get(name)
        if original is None:
            return
        wrapper = make(original)
        wrapper.__name__ = getattr(original, "__name__", name)
        wrapper.__qualname__ = getattr(original, "__qualname__", name)
        wrapper.__doc__ = getattr(original, "__doc__", None)
        wrapper.__wrapped__ = original
        setattr(cls, name, wrapper)
        self._patches.append((cls, name, original, wrapper))

    def _patch_all(self) -> None:
        import redis.asyncio.connection as aconn
        import redis.connection as sconn

        for optional in (
            "redis.sentinel",
            "redis.asyncio.sentinel",
            "redis.cluster",
            "redis.asyncio.cluster",
            "fakeredis",
        ):
            with contextlib.suppress(ImportError):
                __import__(optional)

        sync_root: type = sconn.AbstractConnection
        async_root: type = aconn.AbstractConnection
        for root, is_async in ((sync_root, False), (async_root, True)):
            for name in ("on_connect", "on_connect_check_health", "_send_ping"):
                for cls in _defining_classes(root, name):
                    self._patch(cls, name, self._suppressing(is_async))
            for cls in _defining_classes(root, "read_response"):
                self._patch(cls, "read_response", self._read_async if is_async else self._read)
            for cls in _defining_classes(root, "disconnect"):
                self._patch(
                    cls, "disconnect", self._disconnect_async if is_async else self._disconnect
                )
            for cls in _defining_classes(root, "send_packed_command"):
                self._patch(
                    cls,
                    "send_packed_command",
                    self._send_packed_async if is_async else self._send_packed,
                )
            for cls in _defining_classes(root, "pack_commands"):
                self._patch(cls, "pack_commands", self._pack_commands(is_async))
            if is_async:
                for cls in _defining_classes(root, "pack_command"):
                    self._patch(cls, "pack_command", self._pack_command_async)
            else:
                for cls in _defining_classes(root, "send_command"):
                    self._patch(cls, "send_command", self._send_command)

        for module_name, class_name in (
            ("redis.client", "Pipeline"),
            ("redis.asyncio.client", "Pipeline"),
            ("redis.cluster", "ClusterPipeline"),
            ("redis.asyncio.cluster", "ClusterPipeline"),
        ):
            try:
                module = __import__(module_name, fromlist=[class_name])
            except ImportError:
                continue
            pipeline = getattr(module, class_name, None)
            if not isinstance(pipeline, type):
                continue
            for pipe_cls in _defining_classes(pipeline, "execute_command"):
                if issubclass(pipe_cls, pipeline):
                    self._patch(pipe_cls, "execute_command", self._queue_wrapper)
            for pipe_cls in _defining_classes(pipeline, "execute"):
                if issubclass(pipe_cls, pipeline):
                    self._patch(pipe_cls, "execute", self._execute_wrapper)

    # -- wrapper factories ----------------------------------------------------------------

    def _suppressing(self, is_async: bool) -> Callable[[Any], Any]:
        def make(orig: Any) -> Any:
            if is_async:

                async def suppressed_async(conn: Any, *args: Any, **kwargs: Any) -> Any:
                    st = state_of(conn)
                    st.suppress += 1
                    try:
                        return await orig(conn, *args, **kwargs)
                    finally:
                        st.suppress -= 1

                return suppressed_async

            def suppressed(conn: Any, *args: Any, **kwargs: Any) -> Any:
                st = state_of(conn)
                st.suppress += 1
                try:
                    return orig(conn, *args, **kwargs)
                finally:
                    st.suppress -= 1

            return suppressed

        return make

    def _send_command(self, orig: Any) -> Any:
        path = self._path
        inline = _is_known_send_command(orig)
        hints = HintTable()
        send = plain.send_command

        def send_command(conn: Any, *args: Any, **kwargs: Any) -> Any:
            return send(path, orig, inline, hints, conn, args, kwargs)

        return send_command

    def _pack_command_async(self, orig: Any) -> Any:
        rec = self
        path = self._path
        site_here = self._site.site_hinted
        hints = HintTable()

        def pack_command(conn: Any, *args: Any) -> Any:
            st = state_of(conn)
            if (
                not path.on
                or st.suppress
                or st.ignored
                or st.in_pack
                or st.sending is not None
                or not args
            ):
                return orig(conn, *args)
            rec._stage(st, conn, args, kind_of(args[0]), site_here(hints.hint(args[0])))
            try:
                return orig(conn, *args)
            except BaseException:
                st.staged.pop()
                raise

        return pack_command

    def _pack_commands(self, is_async: bool) -> Callable[[Any], Any]:
        rec = self
        path = self._path
        site_of = self._site.site_of_frame
        getframe = sys._getframe

        def make(orig: Any) -> Any:
            def pack_commands(conn: Any, commands: Any) -> Any:
                st = state_of(conn)
                if not path.on or st.suppress or st.ignored or st.sending is not None:
                    return orig(conn, commands)
                cmds = list(commands)
                sites = _PIPE_SITES.get()
                fallback: CallSite | None = None
                have_fallback = False
                before = len(st.staged)
                for cmd in cmds:
                    site = sites.get(id(cmd)) if sites else None
                    if site is None:
                        if not have_fallback:
                            fallback = site_of(getframe())
                            have_fallback = True
                        site = fallback
                    args = cmd if type(cmd) is tuple else tuple(cmd)
                    if args:
                        rec._stage(st, conn, args, kind_of(args[0]), site)
                st.in_pack = True
                try:
                    return orig(conn, cmds)
                except BaseException:
                    del st.staged[before:]
                    raise
                finally:
                    st.in_pack = False

            return pack_commands

        return make

    def _send_packed(self, orig: Any) -> Any:
        staged = self._send_staged(orig)
        if not _has_send_packed_signature(orig):
            return staged

        # redis-py's own signature: a plain command passes through without packing the
        # arguments into a tuple and a dict and out again (this runs for every command).
        def send_packed_command(conn: Any, command: Any, check_health: Any = True) -> Any:
            st = getattr(conn, ATTR, None)
            if st is not None and st.sending is PLAIN:
                st.sending = PLAIN_WRITTEN
                return orig(conn, command, check_health)
            return staged(conn, command, check_health)

        self._path.packed_originals[send_packed_command] = orig
        return send_packed_command

    def _send_staged(self, orig: Any) -> Any:
        rec = self

        def send_packed_command(conn: Any, *args: Any, **kwargs: Any) -> Any:
            st = getattr(conn, ATTR, None)
            if st is None or not st.staged or st.sending is not None or st.suppress:
                if st is not None and st.sending is PLAIN:
                    st.sending = PLAIN_WRITTEN
                return orig(conn, *args, **kwargs)
            batch = st.staged
            st.staged = []
            st.sending = batch
            token = None
            if st.fake_scripts:
                st.fake_scripts = False
                rec._fake_scripts.acquire()
                token = FAKE_BATCH.set(FakeBatch(st, batch))
            try:
                result = orig(conn, *args, **kwargs)
            except BaseException as exc:
                st.sending = None
                if token is not None:
                    FAKE_BATCH.reset(token)
                    rec._fake_scripts.release()
                rec._send_failed(st, batch, exc, conn)
                raise
            st.sending = None
            if token is not None:
                FAKE_BATCH.reset(token)
                rec._fake_scripts.release()
            if st.pubsub:
                rec._sent(st, batch, conn)
            else:
                st.push_all(batch)
            return result

        return send_packed_command

    def _send_packed_async(self, orig: Any) -> Any:
        rec = self

        async def send_packed_command(conn: Any, *args: Any, **kwargs: Any) -> Any:
            st = getattr(conn, ATTR, None)
            if st is None or not st.staged or st.sending is not None or st.suppress:
                return await orig(conn, *args, **kwargs)
            batch = st.staged
            st.staged = []
            st.sending = batch
            token = None
            if st.fake_scripts:
                st.fake_scripts = False
                rec._fake_scripts.acquire()
                token = FAKE_BATCH.set(FakeBatch(st, batch))
            try:
                result = await orig(conn, *args, **kwargs)
            except BaseException as exc:
                st.sending = None
                if token is not None:
                    FAKE_BATCH.reset(token)
                    rec._fake_scripts.release()
                rec._send_failed(st, batch, exc, conn)
                raise
            st.sending = None
            if token is not None:
                FAKE_BATCH.reset(token)
                rec._fake_scripts.release()
            if st.pubsub:
                rec._sent(st, batch, conn)
            else:
                st.push_all(batch)
            return result

        return send_packed_command

    def _read(self, orig: Any) -> Any:
        path = self._path
        read = plain.read_response

        def read_response(conn: Any, *args: Any, **kwargs: Any) -> Any:
            return read(path, orig, conn, args, kwargs)

        return read_response

    def _read_async(self, orig: Any) -> Any:
        rec = self
        from redis.exceptions import ResponseError

        async def read_response(conn: Any, *args: Any, **kwargs: Any) -> Any:
            st = getattr(conn, ATTR, None)
            if (
                st is None
                or not st.waiting()
                or st.reading
                or st.suppress
                or st.sending is not None
            ):
                return await orig(conn, *args, **kwargs)
            st.reading = True
            try:
                reply = await orig(conn, *args, **kwargs)
            except ResponseError as exc:
                st.reading = False
                if st.waiting():
                    rec._deliver(st, st.pop(), exc, conn)
                raise
            except BaseException as exc:
                st.reading = False
                rec._flush(st, exc, conn)
                raise
            st.reading = False
            if st.waiting():
                rec._deliver(st, st.pop(), reply, conn)
            return reply

        return read_response

    def _disconnect(self, orig: Any) -> Any:
        rec = self

        def disconnect(conn: Any, *args: Any, **kwargs: Any) -> Any:
            st = getattr(conn, ATTR, None)
            if st is not None and not st.reading and not st.ignored:
                rec._reset(st, conn)
            return orig(conn, *args, **kwargs)

        return disconnect

    def _disconnect_async(self, orig: Any) -> Any:
        rec = self

        async def disconnect(conn: Any, *args: Any, **kwargs: Any) -> Any:
            st = getattr(conn, ATTR, None)
            if st is not None and not st.reading and not st.ignored:
                rec._reset(st, conn)
            return await orig(conn, *args, **kwargs)

        return disconnect

    def _queue_wrapper(self, orig: Any) -> Any:
        path = self._path
        site_here = self._site.site_hinted
        hints = HintTable()

        def note(pipe: Any, before: int, site: CallSite | None) -> None:
            queue = _pipeline_queue(pipe)
            if queue is None or len(queue) != before + 1 or site is None:
                return
            args = _queued_args(queue[-1])
            if args is None:
                return
            sites = pipe.__dict__.get(_SITES_ATTR)
            if sites is None:
                sites = {}
                setattr(pipe, _SITES_ATTR, sites)
            sites[id(args)] = site

        if inspect.iscoroutinefunction(orig):

            async def execute_command_async(pipe: Any, *args: Any, **kwargs: Any) -> Any:
                if not path.on:
                    return await orig(pipe, *args, **kwargs)
                site = site_here(hints.hint(args[0] if args else None))
                queue = _pipeline_queue(pipe)
                before = len(queue) if queue is not None else -1
                result = await orig(pipe, *args, **kwargs)
                note(pipe, before, site)
                return result

            return execute_command_async

        def execute_command(pipe: Any, *args: Any, **kwargs: Any) -> Any:
            if not path.on:
                return orig(pipe, *args, **kwargs)
            queue = _pipeline_queue(pipe)
            before = len(queue) if queue is not None else -1
            result = orig(pipe, *args, **kwargs)
            if before >= 0:
                note(pipe, before, site_here(hints.hint(args[0] if args else None)))
            return result

        return execute_command

    def _execute_wrapper(self, orig: Any) -> Any:
        if inspect.iscoroutinefunction(orig):

            async def execute_async(pipe: Any, *args: Any, **kwargs: Any) -> Any:
                sites = pipe.__dict__.get(_SITES_ATTR)
                token = _PIPE_SITES.set(sites)
                try:
                    return await orig(pipe, *args, **kwargs)
                finally:
                    _PIPE_SITES.reset(token)
                    if sites:
                        sites.clear()

            return execute_async

        def execute(pipe: Any, *args: Any, **kwargs: Any) -> Any:
            sites = pipe.__dict__.get(_SITES_ATTR)
            token = _PIPE_SITES.set(sites)
            try:
                return orig(pipe, *args, **kwargs)
            finally:
                _PIPE_SITES.reset(token)
                if sites:
                    sites.clear()

        return execute
