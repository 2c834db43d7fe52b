"""Finding rq chains in a grimp graph, honouring allowances exactly.

For each runtime entry ``R`` (a module and its submodules) and each forbidden module ``F``:

* every module of ``R`` that reaches ``F`` is a *start*, and gets one chain: the shortest route,
  ties broken alphabetically (so the same graph always gives the same chains, and a baseline does
  not flap);
* as in import-linter's ``forbidden`` contract, a chain does not pass through another module of
  ``R``: that module has a chain of its own, which is the one to fix;
* except through an *allowed start*: a module of ``R`` that an active allowance names as its first
  module. Its allowed chain is exempt as its own dependency, and nobody else's: a module that
  reaches ``F`` through it is reported with its full chain. This is the hole ``ignore_imports``
  has (it deletes the edge from the whole graph) and the reason this contract exists;
* an allowed start's own chain is its shortest route that is not one of the chains its
  allowances name, so a second route it opens to ``F`` is still caught.

The search walks backwards from ``F`` once, without barriers (one grimp call per module that
reaches ``F``), and reads every entry's chains off it; only an entry where one of those chains
passes through another of its own modules gets a breadth-first pass of its own. Every module
that reaches ``F`` through a direct importer of ``F`` shares that importer's last hop, so the
report groups chains by it (``group_by_edge``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from grimp import ImportGraph

from ..core.imports import Chain, ChainId, ImportLine, Link, is_in_module

__all__ = ["ChainDescriber", "ChainSearch", "find_chains"]


@dataclass(frozen=True, slots=True)
class ChainSearch:
    chains: tuple[ChainId, ...]  # sorted, deduplicated
    present_allowances: frozenset[ChainId]  # allowed chains that exist in the graph (used)


def find_chains(
    graph: ImportGraph,
    *,
    runtime_modules: Sequence[str],
    forbidden_modules: Sequence[str],
    allowed: Iterable[ChainId] = (),
) -> ChainSearch:
    """Every chain from the runtime modules to the forbidden modules (see the module docstring).

    ``runtime_modules`` must be in the graph; forbidden modules that are not (an external package
    nobody imports) have no chains.
    """
    allowed_chains = frozenset(allowed)
    importers = _Importers(graph)
    chains: set[ChainId] = set()
    present: set[ChainId] = set()
    for forbidden in sorted(set(forbidden_modules)):
        if forbidden not in graph.modules:
            continue
        targets = frozenset({forbidden} | _descendants(graph, forbidden))
        shared: dict[str, str] | None = None
        for runtime in sorted(set(runtime_modules)):
            if is_in_module(runtime, forbidden) or is_in_module(forbidden, runtime):
                continue  # overlapping pair: nothing to forbid (as import-linter's forbidden)
            members = frozenset({runtime} | _descendants(graph, runtime))
            mine = {c for c in allowed_chains if c[0] in members and c[-1] in targets}
            allowed_starts = frozenset(c[0] for c in mine)
            barriers = members - allowed_starts
            if shared is None:
                shared = _reverse_bfs(importers, targets, ())
            found = _chains_avoiding(sorted(barriers & shared.keys()), shared, targets, barriers)
            if found is None:
                next_hop = _reverse_bfs(importers, targets, barriers)
                found = [_walk(s, next_hop, targets) for s in sorted(barriers & next_hop.keys())]
            chains.update(found)
            for start in sorted(allowed_starts):
                excluded = {c for c in mine if c[0] == start}
                present.update(c for c in excluded if _exists(graph, c, targets, barriers))
                own = _own_chain(graph, importers, start, excluded, targets, barriers)
                if own is not None:
                    chains.add(own)
    return ChainSearch(chains=tuple(sorted(chains)), present_allowances=frozenset(present))


class ChainDescriber:
    """``Chain.later`` for a graph: each hop's import lines read once, when first printed.

    Chains of a dense graph share most of their hops (every chain through an importer of rq
    ends with the same hop), so a hop's ``Link`` is built once and shared.
    """

    def __init__(self, graph: ImportGraph) -> None:
        self._graph = graph
        self._links: dict[tuple[str, str], Link] = {}

    def __call__(self, chain: ChainId) -> Chain:
        return Chain.later(chain, self._describe)

    def _describe(self, chain: ChainId) -> tuple[Link, ...]:
        return tuple(self._link(a, b) for a, b in itertools.pairwise(chain))

    def _link(self, importer: str, imported: str) -> Link:
        link = self._links.get((importer, imported))
        if link is None:
            link = _link(self._graph, importer, imported)
            self._links[(importer, imported)] = link
        return link


def _link(graph: ImportGraph, importer: str, imported: str) -> Link:
    """A direct import with its lines, sorted by line number."""
    details = graph.get_import_details(importer=importer, imported=imported)
    lines = sorted(
        {ImportLine(d["line_number"], d["line_contents"].strip()) for d in details},
        key=lambda line: (line.number is None, line.number or 0, line.text),
    )
    return Link(importer, imported, tuple(lines))


def _descendants(graph: ImportGraph, module: str) -> set[str]:
    if graph.is_module_squashed(module):
        return set()
    return set(graph.find_descendants(module))


class _Importers:
    """``find_modules_that_directly_import``, sorted and asked of grimp once per module."""

    def __init__(self, graph: ImportGraph) -> None:
        self._graph = graph
        self._memo: dict[str, tuple[str, ...]] = {}

    def __call__(self, module: str) -> tuple[str, ...]:
        found = self._memo.get(module)
        if found is None:
            found = tuple(sorted(self._graph.find_modules_that_directly_import(module)))
            self._memo[module] = found
        return found


def _reverse_bfs(
    importers: _Importers, targets: frozenset[str], barriers: Iterable[str]
) -> dict[str, str]:
    """Map each module that reaches ``targets`` to its next hop on its chosen chain.

    Levels are visited in name order, so a module's next hop is the alphabetically first one at
    the shortest distance: the chain is the lexicographically smallest shortest chain. Barrier
    modules are given a next hop (they are starts) but never passed through.
    """
    blocked = frozenset(barriers)
    next_hop: dict[str, str] = {}
    seen = set(targets)
    frontier = sorted(targets)
    while frontier:
        reached: list[str] = []
        for module in frontier:
            for importer in importers(module):
                if importer in seen:
                    continue
                seen.add(importer)
                next_hop[importer] = module
                if importer not in blocked:
                    reached.append(importer)
        frontier = sorted(reached)
    return next_hop


def _chains_avoiding(
    starts: Sequence[str],
    next_hop: Mapping[str, str],
    targets: frozenset[str],
    barriers: frozenset[str],
) -> list[ChainId] | None:
    """The entry's chains read off the search with no barriers, or ``None`` when one passes
    through a barrier (then the entry needs a search of its own).

    When a start's chain in the unrestricted search passes no barrier, it is also its chain in
    the entry's own search: every module on it keeps its distance there, and the alphabetically
    first next hop at that distance is still available. A barrier module that reaches the
    targets only through another barrier is not a start of the entry's search; it is found out
    by the same test, since its unrestricted chain passes through that barrier.
    """
    found = []
    for start in starts:
        chain = _walk(start, next_hop, targets)
        if any(module in barriers for module in chain[1:-1]):
            return None
        found.append(chain)
    return found


def _walk(start: str, next_hop: Mapping[str, str], targets: frozenset[str]) -> ChainId:
    chain = [start]
    while chain[-1] not in targets:
        chain.append(next_hop[chain[-1]])
    return tuple(chain)


def _exists(
    graph: ImportGraph, chain: ChainId, targets: frozenset[str], barriers: frozenset[str]
) -> bool:
    """Whether the named chain is a real chain: every hop imported, ending at a target, simple,
    and not passing through a barrier module."""
    return (
        chain[-1] in targets
        and len(set(chain)) == len(chain)
        and not any(m in barriers or m in targets for m in chain[1:-1])
        and all(
            graph.direct_import_exists(importer=a, imported=b) for a, b in itertools.pairwise(chain)
        )
    )


def _own_chain(
    graph: ImportGraph,
    importers: _Importers,
    start: str,
    excluded: set[ChainId],
    targets: frozenset[str],
    barriers: frozenset[str],
) -> ChainId | None:
    """The shortest chain from an allowed start that none of its allowances name.

    Any other chain leaves the named ones at some hop: for each proper prefix of a named chain,
    try every import of its last module that no named chain takes at that point, and complete
    it with the shortest route that does not revisit the prefix.
    """
    prefixes = sorted({c[:i] for c in excluded for i in range(1, len(c))})
    best: ChainId | None = None
    for prefix in prefixes:
        if any(m in barriers or m in targets for m in prefix[1:]):
            continue  # a named chain through a barrier or past a target: nothing to deviate from
        taken = {c[len(prefix)] for c in excluded if c[: len(prefix)] == prefix}
        on_path = frozenset(prefix)
        next_hop: dict[str, str] | None = None
        for imported in sorted(graph.find_modules_directly_imported_by(prefix[-1])):
            if imported in taken or imported in on_path:
                continue
            if imported in targets:
                candidate: ChainId = (*prefix, imported)
            elif imported in barriers:
                continue
            else:
                if next_hop is None:
                    next_hop = _reverse_bfs(importers, targets, barriers | on_path)
                if imported not in next_hop:
                    continue
                candidate = (*prefix, *_walk(imported, next_hop, targets))
            if best is None or (len(candidate), candidate) < (len(best), best):
                best = candidate
    return best
