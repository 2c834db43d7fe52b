"""The pull-request gate (docs/reference/cli.md, ``redis-boundary diff BASE.json HEAD.json``).

Two JSON reports in, one ``GateResult`` out. Findings are compared by identity
``(rule, key shape, site file, function)``, so a line move, another id or another tenant in a key
is not new. Only the rules the retirement contract gates take part: RB1xx, RB2xx, RB3xx (Redis
business semantics, TTLs, tenants) and the rq import rules RB501/RB502.

For each identity in HEAD but not in BASE, all its HEAD findings together decide:

* any ``violation`` → ``new``, and the pull request is blocked;
* otherwise any ``excepted`` → ``covered`` (an active exception covers it): listed, not blocking;
* otherwise (``warning`` only, e.g. a TTL effect the model cannot know) → ``warned``: listed, not
  blocking, as a warning never fails a test by itself.

Identities in BASE and gone from HEAD are ``fixed``. Each identity is listed once, through its
first finding in report order.

The contract's enforcement checklist has three questions. The first two are answered from the
blocking findings: business semantics = a new RB1xx/RB2xx/RB3xx violation other than RB103, rq
dependency = a new RB103, RB501 or RB502 violation. The third ("are ownership and contract docs
updated?") is about documents this tool never reads, so its answer is ``None``: "not checked by
this tool", for the reviewer to answer. It is never a silent "no" or "yes".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.reports import findings_of

__all__ = [
    "BUSINESS_QUESTION",
    "DOCS_QUESTION",
    "RQ_QUESTION",
    "GateResult",
    "diff_reports",
    "is_gated",
    "render",
]

RQ_DEPENDENCY_RULES: Final = frozenset({"RB103", "RB501", "RB502"})
_GATED_FAMILIES: Final = ("RB1", "RB2", "RB3")

BUSINESS_QUESTION: Final = "Did this PR add or expand Redis business semantics?"
RQ_QUESTION: Final = "Did this PR introduce new RQ runtime dependency?"
DOCS_QUESTION: Final = "Are ownership and contract docs updated for changed runtime behavior?"
NOT_CHECKED: Final = "not checked by this tool (answer it in the review)"

Identity = tuple[str, str | None, str | None, str | None]


def is_gated(rule: str) -> bool:
    """Whether the gate compares this rule's findings: RB1xx/RB2xx/RB3xx, RB501, RB502."""
    return rule.startswith(_GATED_FAMILIES) or rule in RQ_DEPENDENCY_RULES


@dataclass(frozen=True, slots=True)
class GateResult:
    """What HEAD adds to and removes from BASE, one finding per identity, in report order."""

    new: tuple[Finding, ...] = ()
    covered: tuple[Finding, ...] = ()
    warned: tuple[Finding, ...] = ()
    fixed: tuple[Finding, ...] = ()

    @property
    def blocking(self) -> bool:
        """True when the pull request must not merge: a new finding no exception covers."""
        return bool(self.new)

    @property
    def new_business(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.new if f.rule not in RQ_DEPENDENCY_RULES)

    @property
    def new_rq(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.new if f.rule in RQ_DEPENDENCY_RULES)

    def checklist(self) -> list[tuple[str, bool | None]]:
        """The contract's enforcement checklist; ``None`` is "not checked by this tool"."""
        return [
            (BUSINESS_QUESTION, bool(self.new_business)),
            (RQ_QUESTION, bool(self.new_rq)),
            (DOCS_QUESTION, None),
        ]


def diff_reports(base: Mapping[str, Any], head: Mapping[str, Any]) -> GateResult:
    """Compare two loaded reports (``load_report``) by finding identity."""
    base_groups = _by_identity(findings_of(base))
    head_groups = _by_identity(findings_of(head))
    new: list[Finding] = []
    covered: list[Finding] = []
    warned: list[Finding] = []
    for identity, group in head_groups.items():
        if identity in base_groups:
            continue
        for verdict, bucket in (("violation", new), ("excepted", covered), ("warning", warned)):
            first = next((f for f in group if f.verdict == verdict), None)
            if first is not None:
                bucket.append(first)
                break
    fixed = [group[0] for identity, group in base_groups.items() if identity not in head_groups]
    return GateResult(tuple(new), tuple(covered), tuple(warned), tuple(fixed))


def _by_identity(findings: Sequence[Finding]) -> dict[Identity, list[Finding]]:
    groups: dict[Identity, list[Finding]] = {}
    for finding in sorted(findings, key=Finding.sort_key):
        if is_gated(finding.rule):
            groups.setdefault(finding.identity(), []).append(finding)
    return groups


def render(result: GateResult) -> str:
    """The gate's verdict, its findings and the enforcement checklist, for a terminal or CI log."""
    if result.blocking:
        head = (
            f"redis-boundary diff: BLOCKED: {_count(len(result.new), 'new finding')} "
            "without an exception."
        )
    else:
        head = "redis-boundary diff: clean: no new Redis business semantics or rq dependency."
    lines = [head]
    sections = (
        ("New (blocking)", result.new),
        ("New, covered by an active exception (not blocking)", result.covered),
        ("New warnings (not blocking)", result.warned),
        ("Fixed (in BASE, gone from HEAD)", result.fixed),
    )
    for title, findings in sections:
        if findings:
            lines += ["", f"{title}: {len(findings)}"]
            lines += [_line(finding) for finding in findings]
    lines += ["", "Enforcement checklist (Redis/RQ retirement boundary contract):"]
    for question, answer in result.checklist():
        lines.append(f"- {question} {_answer(answer)}")
    if result.blocking:
        lines += [
            "",
            "A yes to either of the first two questions rejects the pull request unless a "
            "temporary, expiry-bound exception (owner, exception_reason, expiry_date, "
            "removal_issue) is registered for it.",
        ]
    return "\n".join(lines) + "\n"


def _line(finding: Finding) -> str:
    shape = f" {finding.shape}" if finding.shape else ""
    where = finding.site or "(no call site)"
    if finding.function:
        where = f"{where} in {finding.function}()"
    text = f"  - {finding.rule}{shape} at {where}"
    if finding.exception:
        text += f" [exception {finding.exception}]"
    return f"{text}\n      {finding.line()}\n      first seen in {finding.test or '(session)'}"


def _answer(answer: bool | None) -> str:
    if answer is None:
        return NOT_CHECKED
    return "yes" if answer else "no"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
