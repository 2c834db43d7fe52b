"""The commands every plugin benchmark sends: an application's cache traffic over 1,000 keys."""

from __future__ import annotations

from typing import Any

KEYS = [f"t:acme:cache:item:{i}" for i in range(1000)]


def cache_traffic(client: Any, commands: int, first: int = 0) -> None:
    """``commands`` commands (SET EX, GET, EXPIRE, EXISTS on one key, in turn), continuing the
    sequence from command ``first``."""
    keys = KEYS
    for i in range(first // 4, (first + commands) // 4):
        key = keys[i % 1000]
        client.set(key, b"v" * 16, ex=300)
        client.get(key)
        client.expire(key, 300)
        client.exists(key)
