"""The key inventory for people: what each shape needs, as an aligned table or a markdown one
(docs/reference/inventory.md).

A shape *needs a decision* for the first of these that applies, in this order: ``business``
(business truth kept in Redis), ``rq`` (RQ's namespace, being retired), ``persistent`` (a key
left without a TTL), ``unclassified`` (no class), ``untenanted`` (no tenant). The views list the
shapes that need one first, in that order, then the rest by shape.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pytest_redis_boundary.core.inventory import BUSINESS, RQ, InventoryEntry

__all__ = [
    "INVENTORY_MARKDOWN_LIMIT",
    "NEEDS",
    "decision_order",
    "inventory_json",
    "inventory_markdown",
    "inventory_text",
    "need_of",
]

NEEDS: Final = (BUSINESS, RQ, "persistent", "unclassified", "untenanted")
"""What a shape can need, the most pressing first."""

INVENTORY_MARKDOWN_LIMIT: Final = 60_000
"""Characters in one pull-request comment (GitHub takes 65,536): the table stops before it."""

_NO_NEED: Final = "-"


def need_of(entry: InventoryEntry) -> str | None:
    """The first of ``NEEDS`` that applies to the shape, or None when it needs nothing."""
    if entry.key_class == BUSINESS:
        return BUSINESS
    if entry.key_class == RQ:
        return RQ
    if entry.persistent:
        return "persistent"
    if entry.key_class is None:
        return "unclassified"
    if not entry.tenant:
        return "untenanted"
    return None


def decision_order(entries: Sequence[InventoryEntry]) -> list[InventoryEntry]:
    """Shapes that need a decision first (in ``NEEDS`` order), then the rest; by shape within."""

    def rank(entry: InventoryEntry) -> tuple[int, str]:
        need = need_of(entry)
        return (len(NEEDS) if need is None else NEEDS.index(need), entry.shape)

    return sorted(entries, key=rank)


def inventory_json(entries: Sequence[InventoryEntry]) -> str:
    """The inventory as the report holds it: a JSON list of entries, sorted by shape."""
    ordered = sorted(entries, key=lambda entry: entry.shape)
    return json.dumps([entry.to_json() for entry in ordered], indent=2) + "\n"


def _summary(entries: Sequence[InventoryEntry]) -> str:
    counts = {need: 0 for need in NEEDS}
    for entry in entries:
        need = need_of(entry)
        if need is not None:
            counts[need] += 1
    needing = sum(counts.values())
    text = f"{_count(len(entries), 'key shape')}, {needing} need a decision"
    detail = ", ".join(f"{n} {need}" for need, n in counts.items() if n)
    return f"{text} ({detail})" if detail else text


def _ttl(entry: InventoryEntry) -> str:
    if entry.max_ttl_seconds is None:
        return "none"
    ttl = entry.max_ttl_seconds
    return str(int(ttl)) if float(ttl).is_integer() else str(ttl)


def _sites(entry: InventoryEntry) -> str:
    return ", ".join(entry.sites)


def _cells(entry: InventoryEntry) -> list[str]:
    return [
        need_of(entry) or _NO_NEED,
        entry.shape,
        entry.key_class or _NO_NEED,
        str(entry.writes),
        str(entry.reads),
        "yes" if entry.tenant else "no",
        _ttl(entry),
        "yes" if entry.persistent else "no",
        str(entry.tests),
        ", ".join(entry.commands),
        _sites(entry),
    ]


_HEADERS: Final = (
    "needs",
    "shape",
    "class",
    "writes",
    "reads",
    "tenant",
    "max TTL",
    "persistent",
    "tests",
    "commands",
    "sites",
)
_NUMERIC: Final = frozenset({"writes", "reads", "max TTL", "tests"})


def read_through_lines(classes: Sequence[Mapping[str, Any]], prefix: str = "  ") -> list[str]:
    """A report's read-through classes, each with its keys and TTL bound: business state is
    cached there without RB101 or RB102, so a reviewer sees every one."""
    if not classes:
        return []
    lines = ["read-through classes (copies of business state, no RB101/RB102 inside):"]
    for key_class in classes:
        limit = key_class.get("max_ttl_seconds")
        bound = "no TTL limit" if limit is None else f"max {limit} s"
        keys = ", ".join(str(k) for k in key_class.get("keys", ()))
        lines.append(f"{prefix}{key_class['name']}: {keys} ({bound})")
    return lines


def inventory_text(
    entries: Sequence[InventoryEntry], read_through: Sequence[Mapping[str, Any]] = ()
) -> str:
    """The inventory for a terminal: a summary line, then one aligned row per shape, then the
    read-through classes."""
    lines = [f"redis-boundary inventory: {_summary(entries)}"]
    if not entries:
        return "\n".join([*lines, "", "no key shapes (no judged test wrote or read a key)"]) + "\n"
    rows = [list(_HEADERS), *(_cells(entry) for entry in decision_order(entries))]
    widths = [max(len(_printable(row[i])) for row in rows) for i in range(len(_HEADERS))]
    lines.append("")
    for row in rows:
        cells = []
        for i, (header, cell) in enumerate(zip(_HEADERS, row, strict=True)):
            cell = _printable(cell)
            if i == len(_HEADERS) - 1:
                cells.append(cell)  # the last column is not padded: no trailing spaces
            elif header in _NUMERIC and row is not rows[0]:
                cells.append(cell.rjust(widths[i]))
            else:
                cells.append(cell.ljust(widths[i]))
        lines.append("  ".join(cells).rstrip())
    through = read_through_lines(read_through)
    if through:
        lines += ["", *through]
    return "\n".join(lines) + "\n"


def _printable(text: str) -> str:
    """A key shape can hold any byte: control characters would break the table's rows."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def inventory_markdown(
    entries: Sequence[InventoryEntry], read_through: Sequence[Mapping[str, Any]] = ()
) -> str:
    """The inventory as a pull-request comment: a summary, the read-through classes, then a
    table of the shapes, cut (with a note saying how many were left out) before
    ``INVENTORY_MARKDOWN_LIMIT``."""
    lines = ["## Redis key inventory", "", _summary(entries) + ".", ""]
    through = read_through_lines(read_through, prefix="- ")
    if through:
        lines += [through[0][0].upper() + through[0][1:], "", *through[1:], ""]
    if not entries:
        return "\n".join([*lines, "No key shapes: no judged test wrote or read a key."]) + "\n"
    lines += [
        "| " + " | ".join(_HEADERS) + " |",
        "| " + " | ".join("---:" if h in _NUMERIC else "---" for h in _HEADERS) + " |",
    ]
    ordered = decision_order(entries)
    used = sum(len(line) + 1 for line in lines)
    slack = 200  # the left-out note
    for shown, entry in enumerate(ordered):
        row = _markdown_row(entry)
        if used + len(row) + 1 > INVENTORY_MARKDOWN_LIMIT - slack:
            left = len(ordered) - shown
            lines += [
                "",
                f"_... and {_count(left, 'more key shape')} left out for length; "
                "`redis-boundary inventory --format json` lists them all._",
            ]
            break
        lines.append(row)
        used += len(row) + 1
    return "\n".join(lines) + "\n"


def _markdown_row(entry: InventoryEntry) -> str:
    cells = _cells(entry)
    need, shape, key_class = cells[0], cells[1], cells[2]
    rest = cells[3:9]
    commands = _escape(cells[9])
    sites = ", ".join(_code(site) for site in entry.sites)
    out = [
        f"**{need}**" if need != _NO_NEED else need,
        _code(shape),
        _code(key_class) if key_class != _NO_NEED else key_class,
        *rest,
        commands,
        sites,
    ]
    return "| " + " | ".join(out) + " |"


def _escape(text: str) -> str:
    """Text safe in a markdown table cell."""
    return _printable(text).replace("\\", "\\\\").replace("|", "\\|")


def _code(text: str) -> str:
    """Inline code in a table cell (backticks inside get a wider fence)."""
    text = _printable(text).replace("|", "\\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"
