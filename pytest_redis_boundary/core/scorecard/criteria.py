"""The contract's four acceptance criteria for retirement completion, judged on one run.

Each criterion is ``pass``, ``fail`` or ``unknown`` (an input it needs was not given), with the
evidence a reviewer can follow: the findings (test, site, context), the unclaimed paths, the
inventory shapes. The criteria follow the contract's wording and judge exactly this:

* C1 fails on an RB101 finding (any verdict) sent during an RQ job;
* C2 fails on an RB102 finding (any verdict) sent during an endpoint;
* C3 fails on a runtime path no surface claims; unknown while a kind of path was not checked;
* C4 fails on an RB1xx/RB2xx/RB3xx finding that is a violation or excepted, or an inventory
  shape that is business, unclassified or persistent; unknown without an inventory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ..findings import Finding
from ..inventory import BUSINESS, InventoryEntry
from ..runtime_context import ENDPOINT, RQ_JOB
from ..surfaces import SurfacesCheck
from ..surfaces.claims import CLAIM_KINDS, CLAIM_NOUNS

__all__ = [
    "CRITERIA",
    "FAIL",
    "PASS",
    "UNKNOWN",
    "Criterion",
    "Evidence",
    "RemainingException",
    "Scorecard",
    "judge_scorecard",
]

PASS: Final = "pass"
FAIL: Final = "fail"
UNKNOWN: Final = "unknown"

CRITERIA: Final[Mapping[str, str]] = {
    "C1": "No write path where RQ workers determine final business state",
    "C2": "No user-visible endpoint reading authoritative job state from Redis",
    "C3": "All runtime paths covered by contract surfaces in docs/contracts/",
    "C4": "Redis keys used only for bounded-TTL operational concerns",
}
"""Criterion id -> the contract's own words."""

_KEY_RULE_FAMILIES: Final = ("RB1", "RB2", "RB3")
_COUNTED_VERDICTS: Final = frozenset({"violation", "excepted"})


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason a criterion is not met: a finding, an unclaimed path, a shape, or a gap."""

    kind: str  # "finding", "unclaimed", "shape" or "not-checked"
    text: str  # one line for people
    data: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, **self.data}


@dataclass(frozen=True, slots=True)
class Criterion:
    id: str
    title: str
    status: str
    evidence: tuple[Evidence, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "evidence": [item.to_json() for item in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class RemainingException:
    """An exception still in force: what keeps the retirement from being complete on time."""

    id: str
    owner: str | None
    expiry_date: str | None
    removal_issue: str | None
    matched: int | None
    source: str  # "report" or "contracts"
    detail: str | None = None  # an import contract's own words on it (it names owner and expiry)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "owner": self.owner,
            "expiry_date": self.expiry_date,
            "removal_issue": self.removal_issue,
            "matched": self.matched,
            "source": self.source,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class Scorecard:
    today: str
    criteria: tuple[Criterion, ...]
    exceptions: tuple[RemainingException, ...]
    counts: Mapping[str, Mapping[str, int]]  # rule -> verdict -> findings (as the summary counts)
    broken_contracts: tuple[str, ...] = ()  # names, from the contracts document
    read_through: tuple[Mapping[str, Any], ...] = ()  # the report's read-through classes

    @property
    def complete(self) -> bool:
        return all(criterion.status == PASS for criterion in self.criteria)

    def status_of(self, criterion_id: str) -> str:
        return next(c.status for c in self.criteria if c.id == criterion_id)


def judge_scorecard(
    *,
    today: str,
    findings: Sequence[Finding],
    inventory: Sequence[InventoryEntry] | None,
    surfaces: SurfacesCheck | None,
    surfaces_missing: str | None = None,
    report_exceptions: Sequence[Mapping[str, Any]] = (),
    contracts: Mapping[str, Any] | None = None,
    read_through: Sequence[Mapping[str, Any]] = (),
    contexts_known: bool = True,
) -> Scorecard:
    """``inventory`` is ``None`` for a report without one; ``surfaces`` is ``None`` when no
    surfaces folder was found (``surfaces_missing`` says why); ``contexts_known`` is false for
    a report whose findings carry no runtime context (written before 1.1)."""
    criteria = (
        _context_criterion("C1", findings, "RB101", RQ_JOB, contexts_known),
        _context_criterion("C2", findings, "RB102", ENDPOINT, contexts_known),
        _coverage_criterion(surfaces, surfaces_missing),
        _keys_criterion(findings, inventory),
    )
    return Scorecard(
        today=today,
        criteria=criteria,
        exceptions=_remaining(report_exceptions, contracts),
        counts=_counts(findings),
        broken_contracts=tuple(
            str(c.get("name") or c.get("id"))
            for c in (contracts or {}).get("contracts", ())
            if c.get("kept") is False
        ),
        read_through=tuple(read_through),
    )


def _context_criterion(
    criterion: str, findings: Sequence[Finding], rule: str, kind: str, contexts_known: bool
) -> Criterion:
    evidence = tuple(
        _finding_evidence(f)
        for f in findings
        if f.rule == rule and f.context is not None and f.context.kind == kind
    )
    if not evidence and not contexts_known and any(f.rule == rule for f in findings):
        gap = Evidence(
            "not-checked",
            f"contexts: the report's {rule} findings carry no runtime context (written before "
            "1.1); rerun the suite with pytest-redis-boundary 1.1 or later",
            {"input": "context"},
        )
        return Criterion(criterion, CRITERIA[criterion], UNKNOWN, (gap,))
    return Criterion(criterion, CRITERIA[criterion], FAIL if evidence else PASS, evidence)


def _coverage_criterion(surfaces: SurfacesCheck | None, missing: str | None) -> Criterion:
    title = CRITERIA["C3"]
    if surfaces is None:
        gap = Evidence("not-checked", f"surfaces: {missing or 'not given'}", {"input": "surfaces"})
        return Criterion("C3", title, UNKNOWN, (gap,))
    evidence: list[Evidence] = []
    for kind in CLAIM_KINDS:
        for path in surfaces.unclaimed.of(kind):
            evidence.append(
                Evidence(
                    "unclaimed",
                    f"unclaimed {CLAIM_NOUNS[kind]}: {path}",
                    {"of": kind, "path": path},
                )
            )
    gaps = [
        Evidence("not-checked", f"{kind}: not checked: {why}", {"input": kind})
        for kind, why in sorted(surfaces.paths.not_checked.items())
    ]
    status = FAIL if evidence else UNKNOWN if gaps else PASS
    return Criterion("C3", title, status, (*evidence, *gaps))


def _keys_criterion(
    findings: Sequence[Finding], inventory: Sequence[InventoryEntry] | None
) -> Criterion:
    evidence = [
        _finding_evidence(f)
        for f in findings
        if f.rule.startswith(_KEY_RULE_FAMILIES) and f.verdict in _COUNTED_VERDICTS
    ]
    for entry in inventory or ():
        why = _shape_problem(entry)
        if why is not None:
            sites = ", ".join(entry.sites[:2])
            evidence.append(
                Evidence(
                    "shape",
                    f"key shape {entry.shape}: {why}; {', '.join(entry.commands)} at {sites}",
                    {"shape": entry.shape, "problem": why},
                )
            )
    if inventory is None and not evidence:
        gap = Evidence(
            "not-checked",
            "inventory: the report has none (written before 1.1)",
            {"input": "inventory"},
        )
        return Criterion("C4", CRITERIA["C4"], UNKNOWN, (gap,))
    return Criterion("C4", CRITERIA["C4"], FAIL if evidence else PASS, tuple(evidence))


def _shape_problem(entry: InventoryEntry) -> str | None:
    if entry.key_class == BUSINESS:
        return "business"
    if entry.persistent:
        return "persistent (written without a TTL)"
    if entry.key_class is None:
        return "unclassified"
    return None


def _finding_evidence(finding: Finding) -> Evidence:
    """A finding, named by its identity (the key shape, not the key), so the views can fold the
    same write seen in many tests into one line."""
    parts = [f"{finding.rule} {finding.name}:"]
    if finding.command:
        parts.append(finding.command)
    if finding.shape:
        parts.append(finding.shape)
    if finding.field:
        parts.append(f"field {finding.field!r}")
    if finding.site:
        parts.append(f"at {finding.site}")
    if finding.function:
        parts.append(f"in {finding.function}()")
    if finding.context is not None:
        parts.append(f"during {finding.context.label()}")
    parts.append(f"[{finding.verdict}]")
    return Evidence("finding", " ".join(parts), finding.to_json())


def _remaining(
    report_exceptions: Sequence[Mapping[str, Any]], contracts: Mapping[str, Any] | None
) -> tuple[RemainingException, ...]:
    remaining = [
        _exception(entry, "report")
        for entry in report_exceptions
        if entry.get("status") == "active"
    ]
    for contract in (contracts or {}).get("contracts", ()):
        held: dict[str, list[str]] = {}
        for finding in contract.get("findings") or ():
            exception = finding.get("exception")
            if finding.get("verdict") in ("excepted", "frozen") and exception:
                held.setdefault(str(exception), []).append(str(finding.get("message", "")))
        for exception_id, messages in sorted(held.items()):
            remaining.append(
                RemainingException(
                    exception_id, None, None, None, len(messages), "contracts", messages[0]
                )
            )
    return tuple(remaining)


def _exception(entry: Mapping[str, Any], source: str) -> RemainingException:
    def text(name: str) -> str | None:
        value = entry.get(name)
        return None if value is None else str(value)

    matched = entry.get("matched")
    return RemainingException(
        id=str(entry.get("id")),
        owner=text("owner"),
        expiry_date=text("expiry_date"),
        removal_issue=text("removal_issue"),
        matched=matched if isinstance(matched, int) else None,
        source=source,
    )


def _counts(findings: Sequence[Finding]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for finding in findings:
        verdicts = counts.setdefault(finding.rule, {})
        verdicts[finding.verdict] = verdicts.get(finding.verdict, 0) + 1
    return {rule: dict(sorted(v.items())) for rule, v in sorted(counts.items())}
