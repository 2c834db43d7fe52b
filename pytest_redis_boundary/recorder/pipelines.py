"""Call sites of pipelined commands, and the wrapper that stages a pipeline's commands.

A pipeline's ``execute_command`` is wrapped to note the call site of each queued command, keyed
by the identity of the args tuple the pipeline stores; ``execute`` publishes that map in a
``ContextVar`` for ``pack_commands`` (sync and asyncio) to use when it stages the commands.
Commands with no noted site (MULTI, EXEC, commands a cluster pipeline rebuilt) get the frame
calling ``execute()``. Each async wrapper stands beside its sync twin.
"""

from __future__ import annotations

import inspect
import sys
from contextvars import ContextVar, Token
from typing import Any

from pytest_redis_boundary.core.events import CallSite
from pytest_redis_boundary.recorder.callsite import HintTable
from pytest_redis_boundary.recorder.connections import kind_of, state_of
from pytest_redis_boundary.recorder.delivery import Delivery
from pytest_redis_boundary.recorder.redis_py import pipeline_queue, queued_args

__all__ = ["execute", "execute_command", "pack_commands"]

_SITES_ATTR = "_redis_boundary_sites"

_PIPE_SITES: ContextVar[dict[int, CallSite] | None] = ContextVar(
    "redis_boundary_pipeline_sites", default=None
)


def pack_commands(delivery: Delivery, orig: Any) -> Any:
    """The wrapper of a connection's ``pack_commands`` (the same for sync and asyncio: it
    returns what it packs): stages every command, with its noted call site."""
    path = delivery.path
    stage = delivery.stage
    site_of = path.resolver.site_of_frame
    getframe = sys._getframe

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
                stage(st, conn, args, kind_of(args[0]), site)
        st.in_pack = True
        try:
            return orig(conn, cmds)
        except BaseException:
            del st.staged[before:]
            raise
        finally:
            st.in_pack = False

    return pack_commands


def _note(pipe: Any, before: int, site: CallSite | None) -> None:
    """Remember ``site`` for the command a pipeline just queued (its queue grew by one)."""
    queue = pipeline_queue(pipe)
    if queue is None or len(queue) != before + 1 or site is None:
        return
    args = queued_args(queue[-1])
    if args is None:
        return
    sites = pipe.__dict__.get(_SITES_ATTR)
    if sites is None:
        sites = {}
        setattr(pipe, _SITES_ATTR, sites)
    sites[id(args)] = site


def execute_command(delivery: Delivery, orig: Any) -> Any:
    """The wrapper of a pipeline's ``execute_command`` (it queues the command)."""
    path = delivery.path
    site_here = path.resolver.site_hinted
    hints = HintTable()

    if inspect.iscoroutinefunction(orig):

        async def execute_command_async(pipe: Any, *args: Any, **kwargs: Any) -> Any:
            if not path.on:
                return await orig(pipe, *args, **kwargs)
            site = site_here(hints.hint(args[0] if args else None))
            queue = pipeline_queue(pipe)
            before = len(queue) if queue is not None else -1
            result = await orig(pipe, *args, **kwargs)
            _note(pipe, before, site)
            return result

        return execute_command_async

    def execute_command(pipe: Any, *args: Any, **kwargs: Any) -> Any:
        if not path.on:
            return orig(pipe, *args, **kwargs)
        queue = pipeline_queue(pipe)
        before = len(queue) if queue is not None else -1
        result = orig(pipe, *args, **kwargs)
        if before >= 0:
            _note(pipe, before, site_here(hints.hint(args[0] if args else None)))
        return result

    return execute_command


def _publish(pipe: Any) -> tuple[dict[int, CallSite] | None, Token[dict[int, CallSite] | None]]:
    sites = pipe.__dict__.get(_SITES_ATTR)
    return sites, _PIPE_SITES.set(sites)


def _withdraw(sites: dict[int, CallSite] | None, token: Token[dict[int, CallSite] | None]) -> None:
    _PIPE_SITES.reset(token)
    if sites:
        sites.clear()


def execute(orig: Any) -> Any:
    """The wrapper of a pipeline's ``execute``: publishes the sites noted for its commands
    while it runs."""
    if inspect.iscoroutinefunction(orig):

        async def execute_async(pipe: Any, *args: Any, **kwargs: Any) -> Any:
            sites, token = _publish(pipe)
            try:
                return await orig(pipe, *args, **kwargs)
            finally:
                _withdraw(sites, token)

        return execute_async

    def execute(pipe: Any, *args: Any, **kwargs: Any) -> Any:
        sites, token = _publish(pipe)
        try:
            return orig(pipe, *args, **kwargs)
        finally:
            _withdraw(sites, token)

    return execute
