"""``redis-boundary check --format json|sarif``: the contracts run as documents.

JSON (``schema: redis-boundary-contracts/1``)::

    {"schema": "redis-boundary-contracts/1",
     "tool": {"name": "pytest-redis-boundary", "version": "1.0.0"},
     "config": ".importlinter", "today": "2026-11-28",
     "summary": {"contracts": 2, "kept": 1, "broken": 1, "violations": 1, "warnings": 0},
     "contracts": [
       {"id": "no-rq", "name": "Runtime must not depend on rq", "type": "rq_retirement",
        "kept": false, "warnings": [],
        "findings": [
          {"rule": "RB501", "name": "rq-import", "verdict": "violation", "message": "...",
           "chain": ["app.api.x", "app.workers.legacy", "rq"],
           "links": [{"importer": "app.api.x", "imported": "app.workers.legacy",
                      "lines": [{"line": 2, "text": "from app.workers import legacy"}]}, ...],
           "site": "app/api/x.py:2", "exception": null, "location": null}],
        "groups": [
          {"rule": "RB501", "importer": "app.workers.legacy", "imported": "rq",
           "lines": [{"line": 1, "text": "import rq"}], "count": 1,
           "example": ["app.api.x", "app.workers.legacy", "rq"], "modules": ["app.api.x"]}],
        "details": "..."}]}

``findings`` (every chain) and ``groups`` (the chain violations by the direct import of the
forbidden module they end with: the edge to cut, how many runtime modules reach it through that
edge, their names, and the shortest of their chains) are present for ``rq_retirement`` contracts
only (``null`` for others); ``details`` is
the broken contract's text as ``lint-imports`` prints it (``""`` when kept), so a broken built-in
contract is described too. ``verdict`` is ``violation`` (breaks), ``warning`` (RB903, stale
baseline entries), ``excepted`` (an active exception names the chain) or ``frozen`` (the baseline
lists it). ``site`` is the importing file and line of the chain's first import, relative to the
current directory.

SARIF 2.1.0: one run whose driver is ``pytest-redis-boundary`` with the rules RB501, RB502,
RB901, RB902, RB903; a result per violation (``error``) and warning (``warning``), located at the
importing file and line (register findings at the policy file and line); excepted and frozen
chains are results with a ``suppressions`` entry. Broken contracts of other types are not SARIF
results (they have no rule id of ours); they still make ``check`` exit 1.
"""

from __future__ import annotations

import datetime
import importlib.util
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.imports import ChainGroup, ImportFinding, group_violations
from ..core.reports import TOOL_NAME, sarif_location, sarif_log, sarif_rules
from .run import ContractsRun

__all__ = ["JSON_SCHEMA", "ModuleFiles", "to_json", "to_sarif"]

JSON_SCHEMA = "redis-boundary-contracts/1"
CONTRACT_RULES = ("RB501", "RB502", "RB901", "RB902", "RB903")


class ModuleFiles:
    """Module name to source file, found from the root package's folder without importing it."""

    def __init__(self) -> None:
        self._roots: dict[str, Path | None] = {}

    def __call__(self, module: str) -> str | None:
        root, *rest = module.split(".")
        if root not in self._roots:
            self._roots[root] = _package_folder(root)
        folder = self._roots[root]
        if folder is None:
            return None
        base = folder.joinpath(*rest)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if rest and candidate.is_file():
                return _relative(candidate)
        if not rest and (folder / "__init__.py").is_file():
            return _relative(folder / "__init__.py")
        return None


def _package_folder(root: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(root)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return None


def _relative(path: Path) -> str:
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:
        return path.as_posix()


def _site(finding: ImportFinding, files: Callable[[str], str | None]) -> tuple[str, int] | None:
    """File and line of the finding: the chain's first import, or the register entry."""
    if finding.chain is not None:
        link = finding.chain.links[0]
        path = files(link.importer)
        if path is not None:
            line = next((ln.number for ln in link.lines if ln.number is not None), 1)
            return path, line
    if finding.location:
        where, _, number = finding.location.rpartition(":")
        if where and number.isdigit():
            return _relative(Path(where)), int(number)
        return _relative(Path(finding.location)), 1
    return None


def _finding_json(finding: ImportFinding, files: Callable[[str], str | None]) -> dict[str, Any]:
    site = _site(finding, files)
    chain = finding.chain
    return {
        "rule": finding.rule,
        "name": finding.name,
        "verdict": finding.verdict,
        "message": finding.message,
        "chain": list(chain.id) if chain is not None else None,
        "links": [
            {
                "importer": link.importer,
                "imported": link.imported,
                "lines": [{"line": ln.number, "text": ln.text} for ln in link.lines],
            }
            for link in chain.links
        ]
        if chain is not None
        else None,
        "site": f"{site[0]}:{site[1]}" if site else None,
        "exception": finding.exception_id,
        "location": finding.location,
    }


def _group_json(group: ChainGroup) -> dict[str, Any]:
    example = group.example
    return {
        "rule": group.rule,
        "importer": group.importer,
        "imported": group.imported,
        "lines": [{"line": ln.number, "text": ln.text} for ln in example.links[-1].lines],
        "count": len(group.findings),
        "example": list(example.id),
        "modules": list(group.starts),
    }


def to_json(
    run: ContractsRun, *, today: datetime.date, files: Callable[[str], str | None] | None = None
) -> dict[str, Any]:
    resolve = files or ModuleFiles()
    contracts = []
    violations = warnings = 0
    for result in run.contracts:
        findings = groups = None
        if result.judgement is not None:
            findings = [_finding_json(f, resolve) for f in result.judgement.findings]
            groups = [_group_json(g) for g in group_violations(result.judgement.findings)]
            violations += len(result.judgement.violations)
        warnings += len(result.warnings)
        contracts.append(
            {
                "id": result.id,
                "name": result.name,
                "type": result.type,
                "kept": result.kept,
                "warnings": list(result.warnings),
                "findings": findings,
                "groups": groups,
                "details": result.details,
            }
        )
    kept = sum(1 for c in run.contracts if c.kept)
    return {
        "schema": JSON_SCHEMA,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "config": run.config,
        "today": today.isoformat(),
        "summary": {
            "contracts": len(run.contracts),
            "kept": kept,
            "broken": len(run.contracts) - kept,
            "violations": violations,
            "warnings": warnings,
        },
        "contracts": contracts,
    }


def to_sarif(
    run: ContractsRun, *, files: Callable[[str], str | None] | None = None
) -> dict[str, Any]:
    resolve = files or ModuleFiles()
    results: list[dict[str, Any]] = []
    for contract in run.contracts:
        if contract.judgement is None:
            continue
        for finding in contract.judgement.findings:
            result: dict[str, Any] = {
                "ruleId": finding.rule,
                "ruleIndex": CONTRACT_RULES.index(finding.rule),
                "level": "warning" if finding.verdict == "warning" else "error",
                "message": {"text": _sarif_message(finding, contract.name)},
            }
            site = _site(finding, resolve)
            if site is not None:
                result["locations"] = [sarif_location(*site)]
            if finding.verdict in ("excepted", "frozen"):
                result["suppressions"] = [{"kind": "external", "justification": finding.message}]
            results.append(result)
    return sarif_log(version=__version__, rules=sarif_rules(CONTRACT_RULES), results=results)


def _sarif_message(finding: ImportFinding, contract: str) -> str:
    text = f"{finding.rule} {finding.name}: {finding.message}"
    if finding.chain is not None:
        text = f"{text.rstrip(':')} {finding.chain.text}"
    return f"{text} [{contract}]"
