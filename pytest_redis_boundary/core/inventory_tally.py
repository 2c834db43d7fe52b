"""One test's key inventory, tallied as the judge loop walks each command's keys.

Compiled with the judge loop that calls it (``build.COMPILED_MODULES``): ``note`` runs once per
key of every command, and a compiled call and attribute update cost a fraction of Python's.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .cache_limits import INVENTORY_KEYS_LIMIT
from .events import CallSite
from .inventory import InventoryEntry, KeyKind, first_sites

__all__ = ["InventoryTally"]


class _ShapeTally:
    """One shape's counts in one test (mutable: updated for every command on such a key)."""

    __slots__ = (
        "commands",
        "key_class",
        "last_site",
        "max_ttl",
        "persistent",
        "reads",
        "shape",
        "sites",
        "tenant",
        "writes",
    )

    def __init__(self, kind: KeyKind) -> None:
        self.shape, self.key_class, self.tenant = kind
        self.writes = 0
        self.reads = 0
        self.max_ttl: float | None = None
        self.persistent = False
        self.commands: set[str] = set()
        self.sites: set[CallSite] = set()  # bounded by the application's code, not its keys
        self.last_site: CallSite | None = None


class InventoryTally:
    """One test's inventory, fed once per key a command touches.

    What a key's shape is, is remembered per key in a capped memo (cleared when full, like the
    engine's caches): the shape's regular expression runs once per distinct key, not per
    command, and memory stays bounded by the shapes plus the memo's cap.
    """

    __slots__ = ("_describe", "_memo", "_shapes")

    def __init__(self, describe: Callable[[str], KeyKind]) -> None:
        self._describe = describe
        self._memo: dict[str, _ShapeTally] = {}
        self._shapes: dict[str, _ShapeTally] = {}

    def _tally(self, key: str) -> _ShapeTally:
        tally = self._memo.get(key)
        if tally is None:
            kind = self._describe(key)
            tally = self._shapes.get(kind[0])
            if tally is None:
                tally = self._shapes[kind[0]] = _ShapeTally(kind)
            if len(self._memo) >= INVENTORY_KEYS_LIMIT:
                self._memo.clear()
            self._memo[key] = tally
        return tally

    def note(self, key: str, command: str, read: bool, write: bool, site: CallSite | None) -> None:
        """A command touched ``key`` (reading it, writing it or both) from ``site``."""
        tally = self._tally(key)
        if write:
            tally.writes += 1
        if read:
            tally.reads += 1
        tally.commands.add(command)
        # By identity first: a key is mostly touched again from the site that touched it last,
        # and hashing a CallSite hashes its three fields.
        if site is not tally.last_site and site is not None:
            tally.sites.add(site)
            tally.last_site = site

    def note_ttl(self, key: str, ttl_seconds: float | None) -> None:
        """A written key's TTL at the end of the call phase (None: it has none)."""
        tally = self._tally(key)
        if ttl_seconds is None:
            tally.persistent = True
        elif tally.max_ttl is None or ttl_seconds > tally.max_ttl:
            tally.max_ttl = ttl_seconds

    def entries(self) -> list[InventoryEntry]:
        """This test's entries (``tests`` is 1), sorted by shape."""
        return [
            InventoryEntry(
                shape=t.shape,
                key_class=t.key_class,
                writes=t.writes,
                reads=t.reads,
                tenant=t.tenant,
                # Whole seconds, rounded up: what is left of a TTL depends on when the test
                # ended, and runs of the same code (serial, xdist, shards) must agree.
                max_ttl_seconds=None if t.max_ttl is None else math.ceil(t.max_ttl),
                persistent=t.persistent,
                commands=tuple(sorted(t.commands)),
                sites=first_sites(f"{s.path}:{s.line}" for s in t.sites),
                tests=1,
            )
            for t in sorted(self._shapes.values(), key=lambda t: t.shape)
        ]
