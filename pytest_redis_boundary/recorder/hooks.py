"""``Recorder``: installs the recorder's wrappers on redis-py's (and fakeredis's) classes, and
takes them out again.

Every redis-py client, fakeredis included, ends in a connection object. The recorder wraps, on
every connection class that defines them, the methods that send a command, read its reply and
run housekeeping, and on every pipeline class the methods that queue and execute commands; the
table is ``Recorder._patch_all``. docs/reference/recording.md describes what is recorded and when;
each concern has its module, with each asyncio wrapper beside its sync twin:

* ``sending``: ``send_command``, ``pack_command``, ``send_packed_command``;
* ``replies``: ``read_response``, ``disconnect``;
* ``housekeeping``: connect callbacks and health checks, never recorded;
* ``pipelines``: call sites of queued commands, and ``pack_commands``;
* ``tasks``: asyncio's ``create_task``, for the call site of a command sent from a task;
* ``delivery``: staged, pending and delivered commands, and the connection's state changes;
* ``command_path``: what every sync command runs (compiled in the wheel, with ``connections``
  and ``callsite``); the Python wrappers pass their arguments there in one call;
* ``redis_py``: what the recorder recognises of redis-py's own code across its versions;
* ``patching``: which classes define a method, and the wrappers put on them;
* ``scripts``: the commands Lua scripts run.

``CacheProxyConnection`` is not wrapped (it is not an ``AbstractConnection``): it delegates to
a wrapped connection, so a command served from the client-side cache is not delivered (it never
reached Redis) and one that went to the server is delivered once.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from pytest_redis_boundary.core.events import CommandEvent, PartsSink
from pytest_redis_boundary.recorder import housekeeping, pipelines, replies, sending, tasks
from pytest_redis_boundary.recorder.callsite import CallSiteResolver, module_prefixes
from pytest_redis_boundary.recorder.connections import fake_server, mark_ignored
from pytest_redis_boundary.recorder.delivery import Delivery
from pytest_redis_boundary.recorder.patching import Patches, defining_classes
from pytest_redis_boundary.recorder.problem import RecordingProblem
from pytest_redis_boundary.recorder.scripts import FakeScriptHooks

__all__ = ["PartsSink", "Recorder", "fake_server"]

_installed: Recorder | None = None


class Recorder:
    """Records every command redis-py clients send, after its reply is known.

    ``sink`` receives one ``CommandEvent`` per command. ``rootdir`` makes call-site paths relative.
    ``skip_modules`` (the policy's ``callsite.skip_modules``) are never a call site, like
    redis-py; those not found here are in ``skip_modules_not_found``.
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
        skip_modules: Sequence[str] = (),
    ) -> None:
        self._fake_scripts = FakeScriptHooks()
        skipped, self.skip_modules_not_found = module_prefixes(skip_modules)
        self._resolver = CallSiteResolver(rootdir, extra_internal=skipped)
        self._delivery = Delivery(sink, self._resolver, self._fake_scripts)
        # Whether it is on and where commands go live here only: the compiled path reads them.
        self._path = self._delivery.path
        self.set_parts_sink(parts_sink)
        self._patches = Patches()

    @property
    def errors(self) -> list[RecordingProblem]:
        """What the sink and the recorder raised since the caller last took them."""
        return self._delivery.errors

    @errors.setter
    def errors(self, errors: list[RecordingProblem]) -> None:
        self._delivery.errors = errors

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
        self._delivery.scripts.stop()
        self._patches.restore()
        self._path.packed_originals.clear()
        self._fake_scripts.uninstall()
        if _installed is self:
            _installed = None

    def set_parts_sink(self, parts_sink: PartsSink | None) -> None:
        """Where client commands go from now on, as parts (None: built into a
        ``CommandEvent`` for ``sink``). A plugin points it at the running test's recording."""
        self._path.parts = parts_sink if parts_sink is not None else self._delivery.event_from_parts

    def start_script_capture(self) -> None:
        """Start recovering Lua-internal commands on real servers (MONITOR, opened lazily)."""
        self._delivery.scripts.start()

    def stop_script_capture(self) -> None:
        """Stop it and close every MONITOR connection."""
        self._delivery.scripts.stop()

    @staticmethod
    def ignore_connection(connection: object) -> None:
        """Never record commands sent on ``connection`` (e.g. a fixture's own cleanup)."""
        mark_ignored(connection)

    def _patch_all(self) -> None:
        import asyncio.base_events

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

        delivery = self._delivery
        path = self._path
        sync_wrappers: list[tuple[str, Callable[[Any], Any]]] = [
            *((name, housekeeping.suppressing) for name in housekeeping.HOUSEKEEPING),
            ("read_response", partial(replies.read_response, path)),
            ("disconnect", partial(replies.disconnect, delivery)),
            ("send_packed_command", partial(sending.send_packed, delivery)),
            ("pack_commands", partial(pipelines.pack_commands, delivery)),
            ("send_command", partial(sending.send_command, path)),
        ]
        async_wrappers: list[tuple[str, Callable[[Any], Any]]] = [
            *((name, housekeeping.suppressing_async) for name in housekeeping.HOUSEKEEPING),
            ("read_response", partial(replies.read_response_async, path)),
            ("disconnect", partial(replies.disconnect_async, delivery)),
            ("send_packed_command", partial(sending.send_packed_async, delivery)),
            ("pack_commands", partial(pipelines.pack_commands, delivery)),
            ("pack_command", partial(sending.pack_command_async, delivery)),
        ]
        for root, wrappers in (
            (sconn.AbstractConnection, sync_wrappers),
            (aconn.AbstractConnection, async_wrappers),
        ):
            for name, make in wrappers:
                self._patches.apply_to_all(root, name, make)

        self._patches.apply(
            asyncio.base_events.BaseEventLoop,
            "create_task",
            partial(tasks.create_task, self._resolver),
        )

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
            for pipe_cls in defining_classes(pipeline, "execute_command"):
                if issubclass(pipe_cls, pipeline):
                    self._patches.apply(
                        pipe_cls, "execute_command", partial(pipelines.execute_command, delivery)
                    )
            for pipe_cls in defining_classes(pipeline, "execute"):
                if issubclass(pipe_cls, pipeline):
                    self._patches.apply(pipe_cls, "execute", pipelines.execute)
