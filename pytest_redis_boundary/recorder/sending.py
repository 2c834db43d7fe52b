"""The wrappers on a connection's sending methods, sync and asyncio side by side.

* sync ``send_command`` (every command a client sends alone) passes its arguments, in one call,
  to ``command_path.send_command``, compiled in the wheel. It stages a command that is not
  ordinary (pub/sub, script, MULTI/EXEC, SELECT/RESET, AUTH/READONLY); an ordinary one becomes
  pending once the original returns, as a ``SingleEntry``. When ``send_command`` is redis-py's own
  code and the class's ``send_packed_command`` has redis-py's signature (``recorder/redis_py.py``;
  not replaced on the connection object itself, as a test double would be), the compiled path
  packs the command and calls the unwrapped ``send_packed_command`` itself: one wrapper layer
  instead of three for every single command.
* asyncio ``pack_command`` (called by its ``send_command``, by ``pack_commands`` and directly by
  the async cluster) stages the command it packs.
* ``send_packed_command``, sync and asyncio: once the bytes are written, the staged commands
  become pending (``Delivery.take_staged``, ``written``); pub/sub commands (and anything sent on
  a connection in pub/sub mode) are delivered at once with ``reply=NO_REPLY``.

An error before ``send_packed_command`` was entered (an encoding error) drops the command; one
after delivers it with that error, since the command may have run.

Pipelines' ``pack_commands`` is in ``recorder/pipelines.py``.
"""

from __future__ import annotations

from typing import Any

from pytest_redis_boundary.recorder import command_path
from pytest_redis_boundary.recorder.callsite import HintTable
from pytest_redis_boundary.recorder.command_path import CommandPath
from pytest_redis_boundary.recorder.connections import (
    ATTR,
    SENDING_SINGLE,
    WRITING_SINGLE,
    kind_of,
    state_of,
)
from pytest_redis_boundary.recorder.delivery import Delivery
from pytest_redis_boundary.recorder.redis_py import (
    has_send_packed_signature,
    is_known_send_command,
)

__all__ = ["pack_command_async", "send_command", "send_packed", "send_packed_async"]


def send_command(path: CommandPath, orig: Any) -> Any:
    """The wrapper of a sync connection's ``send_command``."""
    inline = is_known_send_command(orig)
    hints = HintTable()
    send = command_path.send_command

    def send_command(conn: Any, *args: Any, **kwargs: Any) -> Any:
        return send(path, orig, inline, hints, conn, args, kwargs)

    return send_command


def pack_command_async(delivery: Delivery, orig: Any) -> Any:
    """The wrapper of an asyncio connection's ``pack_command``: the asyncio twin of
    ``send_command``'s staging (an asyncio command is always staged)."""
    path = delivery.path
    stage = delivery.stage
    site_here = path.resolver.site_hinted
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
        stage(st, conn, args, kind_of(args[0]), site_here(hints.hint(args[0])))
        try:
            return orig(conn, *args)
        except BaseException:
            st.staged.pop()
            raise

    return pack_command


def send_packed(delivery: Delivery, orig: Any) -> Any:
    """The wrapper of a sync connection's ``send_packed_command``."""
    staged = _send_staged(delivery, orig)
    if not has_send_packed_signature(orig):
        return staged

    # redis-py's own signature: a single command passes through without packing the
    # arguments into a tuple and a dict and out again (this runs for every command).
    def send_packed_command(conn: Any, command: Any, check_health: Any = True) -> Any:
        st = getattr(conn, ATTR, None)
        if st is not None and st.sending is SENDING_SINGLE:
            st.sending = WRITING_SINGLE
            return orig(conn, command, check_health)
        return staged(conn, command, check_health)

    delivery.path.packed_originals[send_packed_command] = orig
    return send_packed_command


def _send_staged(delivery: Delivery, orig: Any) -> Any:
    take_staged = delivery.take_staged
    written = delivery.written
    not_written = delivery.not_written

    def send_packed_command(conn: Any, *args: Any, **kwargs: Any) -> Any:
        st = getattr(conn, ATTR, None)
        if st is None or not st.staged or st.sending is not None or st.suppress:
            if st is not None and st.sending is SENDING_SINGLE:
                st.sending = WRITING_SINGLE
            return orig(conn, *args, **kwargs)
        batch = st.staged
        token = take_staged(st)
        try:
            result = orig(conn, *args, **kwargs)
        except BaseException as exc:
            not_written(st, batch, token, exc, conn)
            raise
        written(st, batch, token, conn)
        return result

    return send_packed_command


def send_packed_async(delivery: Delivery, orig: Any) -> Any:
    """The wrapper of an asyncio connection's ``send_packed_command``: the twin of the sync
    one's staged path (an asyncio connection sends no single command)."""
    take_staged = delivery.take_staged
    written = delivery.written
    not_written = delivery.not_written

    async def send_packed_command(conn: Any, *args: Any, **kwargs: Any) -> Any:
        st = getattr(conn, ATTR, None)
        if st is None or not st.staged or st.sending is not None or st.suppress:
            return await orig(conn, *args, **kwargs)
        batch = st.staged
        token = take_staged(st)
        try:
            result = await orig(conn, *args, **kwargs)
        except BaseException as exc:
            not_written(st, batch, token, exc, conn)
            raise
        written(st, batch, token, conn)
        return result

    return send_packed_command
