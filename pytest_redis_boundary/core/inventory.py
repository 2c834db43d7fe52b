"""The key inventory: every key shape a run wrote or read (docs/reference/inventory.md).

One test's commands are tallied into an ``InventoryTally`` (per key shape, never per key or per
command, so memory grows with the shapes an application uses); a run's tallies, an xdist
worker's and a report's ``inventory`` are lists of ``InventoryEntry`` that ``merge_entries``
combines. Merging is order-free (sums, maxima, unions, the first sites in file order), so a
serial run, an xdist run and merged shards give the same inventory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from .cache_limits import INVENTORY_KEYS_LIMIT
from .events import CallSite
from .findings import key_shape
from .policy import Policy

__all__ = [
    "BUSINESS",
    "ENTRY_FIELDS",
    "RQ",
    "SITES_PER_SHAPE",
    "InventoryEntry",
    "InventoryTally",
    "KeyKind",
    "describe_key",
    "entry_problem",
    "key_class_name",
    "merge_entries",
]

SITES_PER_SHAPE: Final = 5
"""The call sites an entry lists: the first ones in (file, line) order."""

BUSINESS: Final = "business"
RQ: Final = "rq"
UNCLASSIFIED: Final = "unclassified"

ENTRY_FIELDS: Final = (
    "shape",
    "class",
    "writes",
    "reads",
    "tenant",
    "max_ttl_seconds",
    "persistent",
    "commands",
    "sites",
    "tests",
)
"""An entry's fields in a report, in the order docs/reference/reports.md shows them."""


def key_class_name(policy: Policy, key: str) -> str:
    """What a key is: ``rq``, ``business``, the name of its policy class, or ``unclassified``.

    A read-through class holds copies of business state, so its keys count as the class's."""
    if policy.is_rq_key(key):
        return RQ
    key_class = policy.classify(key)
    if policy.is_business_key(key) and not (key_class is not None and key_class.read_through):
        return BUSINESS
    return key_class.name if key_class is not None else UNCLASSIFIED


KeyKind = tuple[str, str | None, bool]
"""(key shape, class or None when unclassified, whether the key carries a tenant)."""


def describe_key(policy: Policy, key: str) -> KeyKind:
    tenant = policy.tenant_of(key)
    name = key_class_name(policy, key)
    shape = key_shape(key, tenant)
    assert shape is not None
    return shape, None if name == UNCLASSIFIED else name, tenant is not None


@dataclass(frozen=True, slots=True)
class InventoryEntry:
    """One key shape: what it is, how often it was written and read, and how it expires."""

    shape: str
    key_class: str | None  # "class" in a report
    writes: int
    reads: int
    tenant: bool
    max_ttl_seconds: float | None
    persistent: bool  # some write left a key of this shape without a TTL
    commands: tuple[str, ...]  # sorted
    sites: tuple[str, ...]  # "path:line", at most SITES_PER_SHAPE, in (file, line) order
    tests: int

    def to_json(self) -> dict[str, Any]:
        return {
            "shape": self.shape,
            "class": self.key_class,
            "writes": self.writes,
            "reads": self.reads,
            "tenant": self.tenant,
            "max_ttl_seconds": self.max_ttl_seconds,
            "persistent": self.persistent,
            "commands": list(self.commands),
            "sites": list(self.sites),
            "tests": self.tests,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> InventoryEntry:
        """An entry from a report; check it first with ``entry_problem``."""
        return cls(
            shape=data["shape"],
            key_class=data["class"],
            writes=data["writes"],
            reads=data["reads"],
            tenant=data["tenant"],
            max_ttl_seconds=data["max_ttl_seconds"],
            persistent=data["persistent"],
            commands=tuple(data["commands"]),
            sites=tuple(data["sites"]),
            tests=data["tests"],
        )


def entry_problem(data: Any) -> str | None:
    """What keeps ``data`` from being an inventory entry (as ``: ...`` or ``.field: ...``)."""
    if not isinstance(data, dict):
        return ": expected an object."
    if not isinstance(data.get("shape"), str) or not data["shape"]:
        return ".shape: expected a non-empty string."
    if data.get("class") is not None and not isinstance(data.get("class"), str):
        return ".class: expected a string or null."
    for name in ("writes", "reads", "tests"):
        value = data.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return f".{name}: expected an integer >= 0."
    for name in ("tenant", "persistent"):
        if not isinstance(data.get(name), bool):
            return f".{name}: expected true or false."
    ttl = data.get("max_ttl_seconds", False)
    if ttl is not None and (not isinstance(ttl, (int, float)) or isinstance(ttl, bool)):
        return ".max_ttl_seconds: expected a number or null."
    for name in ("commands", "sites"):
        value = data.get(name)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return f".{name}: expected a list of strings."
    return None


def _site_order(site: str) -> tuple[str, int]:
    path, _, line = site.rpartition(":")
    return (path, int(line)) if path and line.isdigit() else (site, 0)


def _first_sites(sites: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(sites), key=_site_order)[:SITES_PER_SHAPE])


def _class_rank(name: str | None) -> tuple[int, str]:
    """Which class a shape whose keys were classified differently reports: the one that needs
    a decision first (business, then rq, then a class by name, then unclassified)."""
    if name == BUSINESS:
        return (0, "")
    if name == RQ:
        return (1, "")
    return (2, name) if name is not None else (3, "")


def merge_entries(groups: Iterable[Iterable[InventoryEntry]]) -> list[InventoryEntry]:
    """Entries of several tests, workers or reports as one list, sorted by shape."""
    by_shape: dict[str, InventoryEntry] = {}
    for group in groups:
        for entry in group:
            seen = by_shape.get(entry.shape)
            by_shape[entry.shape] = entry if seen is None else _merged(seen, entry)
    return [by_shape[shape] for shape in sorted(by_shape)]


def _merged(a: InventoryEntry, b: InventoryEntry) -> InventoryEntry:
    ttls = [t for t in (a.max_ttl_seconds, b.max_ttl_seconds) if t is not None]
    return InventoryEntry(
        shape=a.shape,
        key_class=min(a.key_class, b.key_class, key=_class_rank),
        writes=a.writes + b.writes,
        reads=a.reads + b.reads,
        tenant=a.tenant or b.tenant,
        max_ttl_seconds=max(ttls) if ttls else None,
        persistent=a.persistent or b.persistent,
        commands=tuple(sorted({*a.commands, *b.commands})),
        sites=_first_sites((*a.sites, *b.sites)),
        tests=a.tests + b.tests,
    )


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
                max_ttl_seconds=None if t.max_ttl is None else round(t.max_ttl, 3),
                persistent=t.persistent,
                commands=tuple(sorted(t.commands)),
                sites=_first_sites(f"{s.path}:{s.line}" for s in t.sites),
                tests=1,
            )
            for t in sorted(self._shapes.values(), key=lambda t: t.shape)
        ]
