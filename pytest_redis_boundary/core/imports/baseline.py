"""The frozen baseline of rq import chains (the RB502 ratchet): read, written and compared."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from .chain_ids import ChainId, format_chain_id, parse_chain_id

__all__ = [
    "BASELINE_NOTE",
    "BASELINE_SCHEMA",
    "RUNTIME_BASELINE_SCHEMA",
    "Baseline",
    "BaselineDiff",
    "BaselineInvalid",
    "diff_baseline",
    "dump_baseline",
    "parse_baseline",
]


BASELINE_SCHEMA: Final = "redis-boundary-baseline/1"
RUNTIME_BASELINE_SCHEMA: Final = "redis-boundary-baseline/2"
"""The runtime baseline (``core.runtime_baseline``): frozen findings, their governance, and the
chains as lists of module names. The contract reads its chains like a ``/1`` file's."""
BASELINE_NOTE: Final = (
    "Frozen rq import chains (rule RB502, a ratchet). Chains listed here do not break the "
    "rq_retirement contract; any other chain does. Identity is the module names only (no line "
    "numbers). Regenerate with `redis-boundary freeze` after removing a dependency; never add "
    "entries by hand."
)


class BaselineInvalid(ValueError):
    """A baseline file that cannot be read; the message names the file and what is wrong."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")

    def __reduce__(self) -> tuple[type[BaselineInvalid], tuple[str, str]]:
        return (BaselineInvalid, (self.source, self.problem))


@dataclass(frozen=True, slots=True)
class Baseline:
    source: str
    chains: frozenset[ChainId]


def parse_baseline(text: str, *, source: str) -> Baseline:
    """Read the chains of a baseline written by ``dump_baseline`` (``/1``) or by
    ``redis-boundary freeze --report`` (``/2``); raises ``BaselineInvalid``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise BaselineInvalid(source, f"not valid JSON ({err})") from None
    if not isinstance(data, Mapping):
        raise BaselineInvalid(source, "expected a JSON object")
    schema = data.get("schema")
    if schema == RUNTIME_BASELINE_SCHEMA:
        return Baseline(source=source, chains=parse_chain_lists(data.get("chains", []), source))
    if schema != BASELINE_SCHEMA:
        raise BaselineInvalid(
            source,
            f"expected schema {BASELINE_SCHEMA!r} or {RUNTIME_BASELINE_SCHEMA!r}, got "
            f"{schema!r}; write it with `redis-boundary freeze`",
        )
    raw = data.get("chains")
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise BaselineInvalid(source, "'chains' must be a list of strings like 'a.b -> rq'")
    chains: set[ChainId] = set()
    for index, item in enumerate(raw):
        chain = parse_chain_id(item)
        if len(chain) < 2 or not all(_is_dotted(name) for name in chain):
            raise BaselineInvalid(
                source, f"chains[{index}]: {item!r} is not a chain like 'a -> rq'"
            )
        chains.add(chain)
    return Baseline(source=source, chains=frozenset(chains))


def parse_chain_lists(raw: object, source: str) -> frozenset[ChainId]:
    """A ``/2`` file's ``chains``: a list of chains, each a list of 2 or more module names."""
    if not isinstance(raw, list):
        raise BaselineInvalid(source, '\'chains\' must be a list of chains like ["app.api", "rq"]')
    chains: set[ChainId] = set()
    for index, item in enumerate(raw):
        if (
            not isinstance(item, list)
            or len(item) < 2
            or not all(isinstance(name, str) and _is_dotted(name) for name in item)
        ):
            raise BaselineInvalid(
                source,
                f"chains[{index}]: {json.dumps(item)} is not a chain: expected a list of 2 or "
                'more dotted module names, e.g. ["app.api", "rq"]',
            )
        chains.add(tuple(item))
    return frozenset(chains)


def _is_dotted(name: str) -> bool:
    return bool(name) and all(part.isidentifier() for part in name.split("."))


def dump_baseline(chains: Iterable[ChainId]) -> str:
    """The baseline file's text: sorted, one chain per line, stable across runs."""
    data = {
        "schema": BASELINE_SCHEMA,
        "note": BASELINE_NOTE,
        "chains": [format_chain_id(chain) for chain in sorted(set(chains))],
    }
    return json.dumps(data, indent=2) + "\n"


@dataclass(frozen=True, slots=True)
class BaselineDiff:
    new: tuple[ChainId, ...]  # found now, not frozen: RB502
    frozen: tuple[ChainId, ...]  # found now and frozen: tolerated
    stale: tuple[ChainId, ...]  # frozen, no longer found: shrink the file


def diff_baseline(
    current: Iterable[ChainId], frozen: frozenset[ChainId], *, relevant: Iterable[ChainId] = ()
) -> BaselineDiff:
    """Compare the chains found now with the frozen ones.

    ``relevant`` limits which frozen chains can be reported stale (those a contract is in charge
    of); by default every frozen chain is.
    """
    found = set(current)
    owned = set(relevant) if relevant else set(frozen)
    return BaselineDiff(
        new=tuple(sorted(found - frozen)),
        frozen=tuple(sorted(found & frozen)),
        stale=tuple(sorted((frozen & owned) - found)),
    )
