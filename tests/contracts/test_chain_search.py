"""The shared chain search against a plain per-entry search, over random graphs."""

from __future__ import annotations

import random

import grimp
import pytest

from pytest_redis_boundary.contracts.chains import find_chains


def _random_graph(rng: random.Random) -> tuple[grimp.ImportGraph, list[str]]:
    graph = grimp.ImportGraph()
    graph.add_module("app")
    graph.add_module("rq", is_squashed=True)
    packages = [f"app.p{p}" for p in range(rng.randrange(2, 5))]
    modules = []
    for package in packages:
        graph.add_module(package)
        for m in range(rng.randrange(2, 7)):
            modules.append(f"{package}.m{m}")
            graph.add_module(modules[-1])
    for importer in modules:
        for _ in range(rng.randrange(0, 4)):
            graph.add_import(importer=importer, imported=rng.choice([*modules, "rq"]))
    return graph, rng.sample(packages, rng.randrange(1, len(packages) + 1))


def _reference(graph: grimp.ImportGraph, runtime: list[str]) -> set[tuple[str, ...]]:
    """One breadth-first pass per entry that never passes through the entry's own modules."""
    chains = set()
    for entry in runtime:
        members = {entry, *graph.find_descendants(entry)}
        next_hop: dict[str, str] = {}
        seen = {"rq"}
        frontier = ["rq"]
        while frontier:
            reached = []
            for module in frontier:
                for importer in sorted(graph.find_modules_that_directly_import(module)):
                    if importer not in seen:
                        seen.add(importer)
                        next_hop[importer] = module
                        if importer not in members:
                            reached.append(importer)
            frontier = sorted(reached)
        for start in members & next_hop.keys():
            chain = [start]
            while chain[-1] != "rq":
                chain.append(next_hop[chain[-1]])
            chains.add(tuple(chain))
    return chains


@pytest.mark.parametrize("seed", range(100))
def test_same_chains_as_a_search_per_entry(seed: int) -> None:
    graph, runtime = _random_graph(random.Random(seed))
    search = find_chains(graph, runtime_modules=runtime, forbidden_modules=["rq"])
    assert set(search.chains) == _reference(graph, runtime)
