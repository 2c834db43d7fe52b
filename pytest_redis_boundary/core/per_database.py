"""``PerDatabase``: one value per (server, database), for the key-state model (its databases)
and the judge (the last write of each key)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["PerDatabase"]

_Value = TypeVar("_Value")


class PerDatabase(Generic[_Value]):
    """One value per database of a server, made on first use. The one found last is
    remembered by the identity of its server's name (a connection names its server with one
    string object on every command), so finding it again builds and hashes no tuple."""

    __slots__ = ("_by_place", "_last", "_last_db", "_last_server", "_make")

    def __init__(self, make: Callable[[], _Value]) -> None:
        self._by_place: dict[tuple[str, int], _Value] = {}
        self._make = make
        self._last_server: str | None = None
        self._last_db = 0
        self._last: _Value | None = None

    def get(self, server: str, db: int) -> _Value:
        last = self._last
        if server is self._last_server and db == self._last_db and last is not None:
            return last
        found = self._by_place.get((server, db))
        if found is None:
            found = self._by_place[(server, db)] = self._make()
        self._last_server = server
        self._last_db = db
        self._last = found
        return found

    def items(self) -> list[tuple[tuple[str, int], _Value]]:
        return list(self._by_place.items())

    def swap(self, server: str, a: int, b: int) -> None:
        first, second = self.get(server, a), self.get(server, b)
        self._by_place[(server, a)], self._by_place[(server, b)] = second, first
        self._last_server = None
