"""The wrappers where replies come back, or never will: ``read_response`` and ``disconnect``,
sync and asyncio side by side.

A read that returns (or raises a ``ResponseError``) pairs with the oldest pending command on
the connection, delivered with the raw reply (before redis-py's response callbacks) or the
``ResponseError`` instance, which is re-raised unchanged. RESP3 push messages are consumed by
redis-py's parser inside ``read_response`` and never surface as replies. When a read raises
anything else, or the connection is disconnected, every pending command is delivered with that
exception (a ``redis.ConnectionError`` made by the recorder for a disconnect), since each may
have run; a retried command is then delivered again.

The sync ``read_response`` passes its arguments, in one call, to ``command_path.read_response``,
compiled in the wheel; its asyncio twin does the same steps around an ``await`` and shares the
failure path (``command_path.read_failed``).
"""

from __future__ import annotations

from typing import Any

from pytest_redis_boundary.recorder import command_path
from pytest_redis_boundary.recorder.command_path import CommandPath
from pytest_redis_boundary.recorder.connections import ATTR
from pytest_redis_boundary.recorder.delivery import Delivery

__all__ = ["disconnect", "disconnect_async", "read_response", "read_response_async"]


def read_response(path: CommandPath, orig: Any) -> Any:
    """The wrapper of a sync connection's ``read_response``."""
    read = command_path.read_response

    def read_response(conn: Any, *args: Any, **kwargs: Any) -> Any:
        return read(path, orig, conn, args, kwargs)

    return read_response


def read_response_async(path: CommandPath, orig: Any) -> Any:
    """The wrapper of an asyncio connection's ``read_response``."""
    read_failed = command_path.read_failed

    async def read_response(conn: Any, *args: Any, **kwargs: Any) -> Any:
        st = getattr(conn, ATTR, None)
        if st is None or not st.waiting() or st.reading or st.suppress or st.sending is not None:
            return await orig(conn, *args, **kwargs)
        st.reading = True
        try:
            reply = await orig(conn, *args, **kwargs)
        except BaseException as exc:
            st.reading = False
            read_failed(path, st, exc, conn)
            raise
        st.reading = False
        if st.waiting():
            path.deliver(st, st.pop(), reply, conn)
        return reply

    return read_response


def disconnect(delivery: Delivery, orig: Any) -> Any:
    """The wrapper of a sync connection's ``disconnect``."""
    disconnecting = delivery.disconnecting

    def disconnect(conn: Any, *args: Any, **kwargs: Any) -> Any:
        disconnecting(conn)
        return orig(conn, *args, **kwargs)

    return disconnect


def disconnect_async(delivery: Delivery, orig: Any) -> Any:
    """The wrapper of an asyncio connection's ``disconnect``."""
    disconnecting = delivery.disconnecting

    async def disconnect(conn: Any, *args: Any, **kwargs: Any) -> Any:
        disconnecting(conn)
        return await orig(conn, *args, **kwargs)

    return disconnect
