"""The key inventory: every key shape a run wrote or read (docs/reference/inventory.md).

One test's commands are tallied per key shape by ``inventory_tally.InventoryTally`` (never per
key or per command, so memory grows with the shapes an application uses); a run's tallies, an xdist
worker's and a report's ``inventory`` are lists of ``InventoryEntry`` that ``merge_entries``
combines. Merging is order-free (sums, maxima, unions, the first sites in file order), so a
serial run, an xdist run and merged shards give the same inventory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from .findings import key_shape
from .policy import Policy

__all__ = [
    "BUSINESS",
    "ENTRY_FIELDS",
    "RQ",
    "SITES_PER_SHAPE",
    "InventoryEntry",
    "KeyKind",
    "describe_key",
    "entry_problem",
    "first_sites",
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


def first_sites(sites: Iterable[str]) -> tuple[str, ...]:
    """The first ``SITES_PER_SHAPE`` distinct sites in (file, numeric line) order: the same
    whichever order the tests, workers or shards saw them in."""
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
        sites=first_sites((*a.sites, *b.sites)),
        tests=a.tests + b.tests,
    )
