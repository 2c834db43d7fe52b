"""A starter ``redis-boundary.yaml`` written from a run's key inventory
(docs/reference/inventory.md#the-starter-policy).

The file keeps a base policy's (the built-in default's) tenant, business and rq rules and its
classes, and proposes one class per observed operational shape that no class holds: its keys are
the shape as a key pattern, its ``max_ttl_seconds`` the largest TTL observed rounded up to the
next whole minute, and a comment gives what was seen (writes, reads, tests, sites) so a person
can review it. A shape seen without any TTL gets its class commented out with a ``TODO``: no
bound was observed, and the file must not invent one. The text is valid as it stands.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from .inventory import BUSINESS, RQ, InventoryEntry
from .patterns import KeyPattern
from .policy import KeyClass, Policy, default_policy

__all__ = [
    "TTL_ROUNDING_SECONDS",
    "proposed_bound",
    "sample_key",
    "shape_pattern",
    "starter_policy",
]

TTL_ROUNDING_SECONDS: Final = 60
"""A proposed bound is the observed TTL rounded up to a multiple of this (a whole minute)."""

_TENANT: Final = "{tenant}"
_GLOB_SPECIAL: Final = frozenset("?[]\\{")
# YAML 1.1 reads these plain words as booleans or null, never as a class name.
_YAML_WORDS: Final = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"})
_PLAIN_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WORD: Final = re.compile(r"[A-Za-z0-9]+")


def proposed_bound(max_ttl_seconds: float) -> int:
    """``max_ttl_seconds`` rounded up to the next whole minute (at least one): 90 → 120,
    300 → 300, 0.5 → 60."""
    minutes = math.ceil(max_ttl_seconds / TTL_ROUNDING_SECONDS)
    return max(1, minutes) * TTL_ROUNDING_SECONDS


def shape_pattern(shape: str) -> str:
    """The key pattern for a shape's keys: ``{tenant}`` stays the placeholder (a second one
    becomes ``*``, as a pattern holds one), ``*`` stays the wildcard, and the glob's other special
    characters are escaped so they match themselves."""
    out: list[str] = []
    seen_tenant = False
    i = 0
    while i < len(shape):
        if shape.startswith(_TENANT, i):
            out.append("*" if seen_tenant else _TENANT)
            seen_tenant = True
            i += len(_TENANT)
            continue
        char = shape[i]
        out.append("\\" + char if char in _GLOB_SPECIAL else char)
        i += 1
    return "".join(out)


def sample_key(shape: str) -> str:
    """A key of the shape: the tenant ``acme``, each id ``1``."""
    return shape.replace(_TENANT, "acme").replace("*", "1")


@dataclass(frozen=True, slots=True)
class _Proposal:
    name: str
    entries: tuple[InventoryEntry, ...]  # each gives the class a pattern
    run_class: str | None  # the run's policy class the shapes were in, absent from the base
    # Unclassified shapes whose keys the entries' patterns already hold (``cache:spam`` under
    # ``cache:*``): observed and bounded with the class, without patterns of their own.
    covered: tuple[InventoryEntry, ...] = ()

    @property
    def observed(self) -> tuple[InventoryEntry, ...]:
        return (*self.entries, *self.covered)

    @property
    def bound(self) -> int | None:
        ttls = [e.max_ttl_seconds for e in self.observed if e.max_ttl_seconds is not None]
        return proposed_bound(max(ttls)) if ttls else None


def starter_policy(
    entries: Sequence[InventoryEntry], *, source: str, base: Policy | None = None
) -> str:
    """The starter policy for a run's inventory ``entries`` (from the report named ``source``),
    keeping ``base``'s rules (default: the built-in policy)."""
    base = base or default_policy()
    ordered = sorted(entries, key=lambda entry: entry.shape)
    proposals = _proposals(ordered, base)
    lines = [
        "# A starter redis-boundary.yaml, written by `redis-boundary inventory --format policy`",
        f"# from {_quoted(source)} ({_count(len(ordered), 'key shape')}).",
        "# Review it before you commit it: a class allows its keys as transitional Redis usage",
        "# with a TTL bound. A proposed bound is the largest TTL observed, rounded up to the next",
        "# whole minute; a shape seen without any TTL gets its class commented out with a TODO.",
        "# The sections left out (observability, callsite) keep the built-in defaults.",
        f"version: {base.version}",
        "tenant:",
        f"  key_patterns: {_flow(str(p) for p in base.tenant.key_patterns)}",
        f"  required: {'true' if base.tenant.required else 'false'}",
        "classes:",
    ]
    for key_class in base.classes:
        lines += _base_class(key_class, [e for e in ordered if e.key_class == key_class.name])
    if proposals:
        lines.append("  # Proposed from the inventory: one class per shape no class holds.")
    for proposal in proposals:
        lines += _proposed_class(proposal, ordered, base)
    lines += [
        "business:",
        *_observed(ordered, BUSINESS, "business truth in Redis: move it to its durable owner"),
        f"  keys: {_flow(str(p) for p in base.business.keys)}",
        f"  fields: {_flow(sorted(base.business.fields))}",
        "rq:",
        *_observed(ordered, RQ, "RQ's namespace, being retired"),
        f"  prefixes: {_flow(base.rq.prefixes)}",
        "exceptions: []",
    ]
    return "\n".join(lines) + "\n"


def _proposals(entries: Sequence[InventoryEntry], base: Policy) -> list[_Proposal]:
    """One proposal per unclassified operational shape, and one per class of the run's policy
    that the base lacks (its shapes together). More literal patterns come first, so that a
    broad one does not take the keys of a narrower one (a key's class is the first that
    matches)."""
    taken = {key_class.name for key_class in base.classes}
    by_run_class: dict[str, list[InventoryEntry]] = {}
    single: list[InventoryEntry] = []
    for entry in entries:
        if entry.key_class in (BUSINESS, RQ) or (
            entry.key_class is not None and base.class_named(entry.key_class) is not None
        ):
            continue
        if entry.key_class is None:
            single.append(entry)
        else:
            by_run_class.setdefault(entry.key_class, []).append(entry)
    proposals = []
    for run_class, group in by_run_class.items():
        usable = run_class.isascii() and run_class.isidentifier() and run_class not in taken
        name = run_class if usable else _unique(_name_for(group[0].shape), taken)
        taken.add(name)
        proposals.append(_Proposal(name, tuple(group), run_class))
    covered = _covered_by_broader(single)
    for entry in single:
        if any(entry in held for held in covered.values()):
            continue
        name = _unique(_name_for(entry.shape), taken)
        taken.add(name)
        proposals.append(_Proposal(name, (entry,), None, covered.get(entry.shape, ())))
    return sorted(proposals, key=lambda p: (-_specificity(p), p.name))


def _covered_by_broader(
    entries: Sequence[InventoryEntry],
) -> dict[str, tuple[InventoryEntry, ...]]:
    """For each unclassified shape, the narrower unclassified shapes whose keys its pattern
    holds: one class for ``temp:*`` rather than one each for ``temp:a``, ``temp:b`` and
    ``temp:*``. The broadest pattern takes them; a narrower one it holds takes none. A shape
    with no word after its tenant (``t:{tenant}:*``) is a catch-all, not a family: it takes
    none, and the narrower shapes keep classes of their own, listed first."""
    broadest_first = sorted(entries, key=lambda e: (_literal_length(e.shape), e.shape))
    covered: dict[str, tuple[InventoryEntry, ...]] = {}
    taken: set[str] = set()
    for broad in broadest_first:
        if broad.shape in taken or _name_for(broad.shape) == _NO_WORDS:
            continue
        pattern = KeyPattern(shape_pattern(broad.shape))
        held = tuple(
            other
            for other in broadest_first
            if other.shape != broad.shape
            and other.shape not in taken
            and _literal_length(other.shape) > _literal_length(broad.shape)
            and pattern.match(sample_key(other.shape))
        )
        if held:
            covered[broad.shape] = held
            taken.update(other.shape for other in held)
    return covered


def _literal_length(shape: str) -> int:
    return len(shape.replace(_TENANT, "").replace("*", ""))


def _specificity(proposal: _Proposal) -> int:
    """The fewest literal characters among the proposal's patterns."""
    return min(_literal_length(e.shape) for e in proposal.entries)


_NO_WORDS: Final = "keys"  # _name_for's name for a shape with no word after its tenant


def _name_for(shape: str) -> str:
    """A class name from a shape's words after its tenant: ``t:{tenant}:session:*`` → ``session``,
    ``temp.*`` → ``temp``."""
    if _TENANT in shape:
        shape = shape.split(_TENANT, 1)[1]
    words = [word.lower() for word in _WORD.findall(shape.replace("*", " "))][:4]
    name = "_".join(words) or _NO_WORDS
    return f"k_{name}" if name[0].isdigit() else name


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    n = 2
    while f"{name}_{n}" in taken:
        n += 1
    return f"{name}_{n}"


def _base_class(key_class: KeyClass, observed: Sequence[InventoryEntry]) -> list[str]:
    lines = [f"  {_name(key_class.name)}:"]
    lines += [f"    # observed: {_seen(entry)}" for entry in observed]
    lines.append(f"    keys: {_flow(str(p) for p in key_class.keys)}")
    ttl = key_class.max_ttl_seconds
    lines.append(f"    max_ttl_seconds: {'null' if ttl is None else ttl}")
    if key_class.read_through:
        lines.append("    read_through: true")
    return lines


def _proposed_class(
    proposal: _Proposal, entries: Sequence[InventoryEntry], base: Policy
) -> list[str]:
    patterns = [shape_pattern(entry.shape) for entry in proposal.entries]
    compiled = [KeyPattern(text) for text in patterns]
    for entry, pattern in zip(proposal.entries, compiled, strict=True):
        # Escaping is ours to get right: the pattern must hold the keys it was made from.
        assert pattern.match(sample_key(entry.shape)), (entry.shape, pattern)
    notes = [f"observed: {_seen(entry)}" for entry in proposal.observed]
    if proposal.run_class is not None:
        notes.append(
            f"the run's policy called it {_quoted(proposal.run_class)}, which the default lacks"
        )
    bound = proposal.bound
    if bound is not None:
        largest = max(e.max_ttl_seconds or 0 for e in proposal.observed)
        notes.append(
            f"max_ttl_seconds: the largest TTL seen ({_seconds(largest)} s), rounded up to the "
            "next whole minute"
        )
    if any(entry.persistent for entry in proposal.observed):
        notes.append("some write left a key without a TTL: RB201 until the code sets one")
    if not all(entry.tenant for entry in proposal.observed) and base.tenant.required:
        notes.append("its keys carry no tenant: RB301 until they do (or a tenant pattern)")
    if any(base.is_business_key(sample_key(e.shape)) for e in proposal.observed):
        notes.append(
            "its keys match business patterns: only a class of TTL-bounded copies read through "
            "from the durable owner may say read_through: true"
        )
    others = [
        entry.shape
        for entry in entries
        if entry not in proposal.observed
        and any(pattern.match(sample_key(entry.shape)) for pattern in compiled)
    ]
    if others:
        notes.append("also matches keys of " + ", ".join(_quoted(shape) for shape in others))
    body = [
        f"{_name(proposal.name)}:",
        f"  keys: {_flow(patterns)}",
        f"  max_ttl_seconds: {bound if bound is not None else 'TODO'}",
    ]
    if bound is None:
        todo = "TODO: no TTL was observed, so no bound is proposed: set max_ttl_seconds, uncomment"
        return [f"  # {todo}", *(f"  # {note}" for note in notes), *(f"  # {b}" for b in body)]
    return [*(f"  # {note}" for note in notes), *(f"  {b}" for b in body)]


def _observed(entries: Sequence[InventoryEntry], key_class: str, why: str) -> list[str]:
    seen = [entry for entry in entries if entry.key_class == key_class]
    if not seen:
        return []
    return [f"  # observed ({why}):", *(f"  #   {_seen(entry)}" for entry in seen)]


def _seen(entry: InventoryEntry) -> str:
    ttl = (
        "no TTL"
        if entry.max_ttl_seconds is None
        else f"max TTL {_seconds(entry.max_ttl_seconds)} s"
    )
    sites = ", ".join(_comment_text(site) for site in entry.sites) or "no site"
    return (
        f"{_quoted(entry.shape)}: {_count(entry.writes, 'write')}, {_count(entry.reads, 'read')}, "
        f"{_count(entry.tests, 'test')}, {ttl}; sites {sites}"
    )


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _name(name: str) -> str:
    """A class name as a YAML key: plain when YAML reads it back as that string."""
    if _PLAIN_NAME.fullmatch(name) and name.lower() not in _YAML_WORDS:
        return name
    return json.dumps(name)


def _flow(items: Iterable[str]) -> str:
    """A YAML flow list of double-quoted strings (JSON's escapes are YAML's)."""
    return "[" + ", ".join(json.dumps(item) for item in items) + "]"


def _quoted(text: str) -> str:
    """Text quoted for a comment line: a newline in a key shape must not end the comment."""
    return json.dumps(text)


def _comment_text(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
