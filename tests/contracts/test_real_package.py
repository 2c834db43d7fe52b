"""The contract over a real third-party package: rq itself, with ``redis`` as the forbidden module.

Each child of ``rq`` is a runtime entry, so there are direct and indirect chains. Without
allowances our contract must find exactly the importers import-linter's ``forbidden`` contract
finds on the same graph.
"""

from __future__ import annotations

import copy
from pathlib import Path

import grimp
import pytest
from importlinter import configuration
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.domain.contract import ContractCheck

from pytest_redis_boundary.contracts import RQRetirementContract
from pytest_redis_boundary.contracts.chains import find_chains
from pytest_redis_boundary.contracts.rq_retirement import RESULT_KEY
from pytest_redis_boundary.core.imports import ImportJudgement


def _graph(package: str) -> grimp.ImportGraph:
    configuration.configure()
    return grimp.build_graph(package, include_external_packages=True, cache_dir=None)


def _both_contracts(
    graph: grimp.ImportGraph, package: str, forbidden_module: str, *, ours_default: bool = False
) -> tuple[ContractCheck, set[tuple[str, ...]], ContractCheck, set[tuple[str, ...]]]:
    """import-linter's forbidden contract and ours over the same graph, each child of
    ``package`` a runtime module: (their check, their chains, our check, our chains).
    ``ours_default``: our contract is not told the forbidden module (its default, rq)."""
    runtime = sorted(graph.find_children(package))
    session = {"root_packages": [package], "include_external_packages": "True"}
    forbidden = ForbiddenContract(
        name="forbidden",
        session_options=session,
        contract_options={"source_modules": runtime, "forbidden_modules": [forbidden_module]},
    )
    theirs = forbidden.check(copy.deepcopy(graph), verbose=False)
    their_chains = {
        tuple([c[0]["importer"], *(link["imported"] for link in c)])
        for data in theirs.metadata["invalid_chains"]
        for c in data["chains"]
    }
    options: dict[str, object] = {"runtime_modules": runtime}
    if not ours_default:
        options["forbidden_modules"] = forbidden_module
    ours = RQRetirementContract(name="ours", session_options=session, contract_options=options)
    check = ours.check(copy.deepcopy(graph), verbose=False)
    judgement: ImportJudgement = check.metadata[RESULT_KEY]
    our_chains = {f.chain.id for f in judgement.findings if f.chain is not None}
    return theirs, their_chains, check, our_chains


@pytest.fixture(scope="module")
def rq_graph() -> grimp.ImportGraph:
    return _graph("rq")


def test_same_importers_as_the_forbidden_contract(
    rq_graph: grimp.ImportGraph, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    theirs, their_chains, check, our_chains = _both_contracts(rq_graph, "rq", "redis")

    assert theirs.kept is False and check.kept is False
    assert len(their_chains) > 5
    assert {c[0] for c in our_chains} == {c[0] for c in their_chains}
    # import-linter lists several routes per importer; ours is one, and the shortest of them.
    assert len(our_chains) == len({c[0] for c in our_chains})
    for chain in our_chains:
        assert len(chain) == min(len(c) for c in their_chains if c[0] == chain[0])
    assert any(len(c) > 2 for c in our_chains), "expected indirect chains too"


def test_an_allowance_never_hides_another_importer(rq_graph: grimp.ImportGraph) -> None:
    """Allow each direct importer of redis in turn: every other importer is still reported."""
    runtime = sorted(rq_graph.find_children("rq"))
    baseline = find_chains(rq_graph, runtime_modules=runtime, forbidden_modules=["redis"])
    direct = sorted(c for c in baseline.chains if len(c) == 2)
    assert direct
    for allowed in direct:
        search = find_chains(
            rq_graph, runtime_modules=runtime, forbidden_modules=["redis"], allowed=[allowed]
        )
        starts = {c[0] for c in search.chains}
        assert starts >= {c[0] for c in baseline.chains} - {allowed[0]}
        assert allowed not in search.chains
        assert allowed in search.present_allowances


@pytest.fixture(scope="module")
def scheduler_graph() -> grimp.ImportGraph:
    """rq-scheduler (from PyPI, in the dev extra): a real package that imports rq."""
    return _graph("rq_scheduler")


def test_rq_scheduler_importers_of_rq_match_the_forbidden_contract(
    scheduler_graph: grimp.ImportGraph, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The default forbidden module, rq, over a package that really depends on it."""
    monkeypatch.chdir(tmp_path)
    theirs, their_chains, check, our_chains = _both_contracts(scheduler_graph, "rq_scheduler", "rq")
    our_importers = {c[0] for c in our_chains}

    assert theirs.kept is False and check.kept is False
    assert "rq_scheduler.scheduler" in our_importers
    assert our_importers == {c[0] for c in their_chains}
    judgement: ImportJudgement = check.metadata[RESULT_KEY]
    assert {f.rule for f in judgement.findings} == {"RB501"}
