"""Redis client libraries the recorder does not hook: commands they send are never judged.

The recorder hooks redis-py (and what is built on it: fakeredis, rq, walrus, pottery). A suite
whose tests talk to Redis through another client looks clean when nothing was judged, so the
summary names each of these imported by the end of the run (docs/reference/recording.md).
"""

from __future__ import annotations

import sys
from collections.abc import Container
from typing import Final

__all__ = ["UNRECORDED_CLIENTS", "unrecorded_client_modules"]

UNRECORDED_CLIENTS: Final = (
    "aioredis",
    "aredis",
    "asyncio_redis",
    "coredis",
    "glide",  # valkey-glide
    "valkey",  # valkey-py, a fork of redis-py with its own classes
)
"""Top-level modules of Redis clients that do not send through redis-py."""


def unrecorded_client_modules(modules: Container[str] = sys.modules) -> list[str]:
    """The unrecorded clients imported in this process, sorted."""
    return [name for name in UNRECORDED_CLIENTS if name in modules]
