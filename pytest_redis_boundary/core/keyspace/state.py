"""What the model knows of one key (``KeyState``) and of one database (``Database``)."""

from __future__ import annotations

from typing import Final, Literal

__all__ = ["MAX_MS", "TTL_UNKNOWN", "UNKNOWN_KIND", "Database", "KeyState", "TtlClass"]

TTL_UNKNOWN: Final = float("-inf")  # an expiry deadline nobody can know (never parsed from a reply)
MAX_MS: Final = 2**63 - 1  # a deadline past this overflows: the server refuses it
UNKNOWN_KIND: Final = "unknown"  # a key the model learnt of from a reply only: its type is unseen

TtlClass = Literal["absent", "persistent", "ttl", "unknown"]


class KeyState:
    """One existing key. ``expires_at`` is epoch milliseconds, None (persistent) or TTL_UNKNOWN."""

    __slots__ = ("expires_at", "fields", "kind", "maybe_absent", "size")

    def __init__(
        self,
        kind: str,
        expires_at: float | None = None,
        size: int | None = None,
        fields: set[str] | None = None,
    ) -> None:
        self.kind = kind
        self.expires_at = expires_at
        self.size = size  # members of a container when known; None: unknown (non-empty)
        self.fields = fields  # a hash's field names when known
        self.maybe_absent = False

    def copy(self) -> KeyState:
        twin = KeyState(
            self.kind,
            self.expires_at,
            self.size,
            set(self.fields) if self.fields is not None else None,
        )
        twin.maybe_absent = self.maybe_absent
        return twin

    def __repr__(self) -> str:
        return (
            f"KeyState({self.kind!r}, expires_at={self.expires_at!r}, size={self.size!r}, "
            f"maybe_absent={self.maybe_absent!r})"
        )


class Database:
    """The keys of one database of one server. Keys never seen are taken to be absent."""

    __slots__ = ("keys",)

    def __init__(self) -> None:
        self.keys: dict[str, KeyState] = {}

    def get(self, key: str, now: float | None) -> KeyState | None:
        state = self.keys.get(key)
        if state is None:
            return None
        deadline = state.expires_at
        if deadline is not None and deadline != TTL_UNKNOWN and now is not None and deadline <= now:
            del self.keys[key]  # lazily expired, as on the server
            return None
        return state

    def put(self, key: str, state: KeyState) -> None:
        self.keys[key] = state

    def delete(self, key: str) -> None:
        self.keys.pop(key, None)
