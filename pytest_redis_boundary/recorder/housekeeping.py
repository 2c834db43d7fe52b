"""The wrappers that keep a connection's housekeeping out of the recording, sync and asyncio.

The methods in ``HOUSEKEEPING``, ``on_connect``/``on_connect_check_health`` (HELLO, AUTH, CLIENT
SETNAME/SETINFO, SELECT, maintenance notifications) and the health check's ``_send_ping``, run
with the connection's capture suppressed: nothing they send is staged or delivered. Any command
sent while an outer send is in progress on the same connection (a connect it triggered, its
health check, connect callbacks) is housekeeping too (``ConnState.sending`` is set), and
``READONLY`` (the cluster's connect callback) and ``AUTH`` (``re_auth``) keep their reply slot
but are never delivered (``K_HIDDEN``).
"""

from __future__ import annotations

from typing import Any

from pytest_redis_boundary.recorder.connections import state_of

__all__ = ["HOUSEKEEPING", "suppressing", "suppressing_async"]

HOUSEKEEPING = ("on_connect", "on_connect_check_health", "_send_ping")


def suppressing(orig: Any) -> Any:
    """The wrapper of a sync connection's housekeeping method."""

    def suppressed(conn: Any, *args: Any, **kwargs: Any) -> Any:
        st = state_of(conn)
        st.suppress += 1
        try:
            return orig(conn, *args, **kwargs)
        finally:
            st.suppress -= 1

    return suppressed


def suppressing_async(orig: Any) -> Any:
    """The wrapper of an asyncio connection's housekeeping method."""

    async def suppressed_async(conn: Any, *args: Any, **kwargs: Any) -> Any:
        st = state_of(conn)
        st.suppress += 1
        try:
            return await orig(conn, *args, **kwargs)
        finally:
            st.suppress -= 1

    return suppressed_async
