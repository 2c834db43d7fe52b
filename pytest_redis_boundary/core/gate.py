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
updated?") needs the pull request's changed files and the contract surfaces: the caller answers
it with ``surfaces.check_docs`` and puts the answer in ``GateResult.docs``. Without it the answer
is ``None``, "not checked", for the reviewer to answer: never a silent "no" or "yes".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.reports import findings_of
from pytest_redis_boundary.core.surfaces.changes import RuntimeChange
from pytest_redis_boundary.core.surfaces.document import Surface
from pytest_redis_boundary.core.surfaces.updates import DocsCheck

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
NOT_CHECKED: Final = (
    "not checked (pass --changed-files FILE to check it, or answer it in the review)"
)
_CAUSES_SHOWN: Final = 3

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
    docs: DocsCheck | None = None  # the third question, when the changed files are known
    docs_not_checked: str | None = None  # why the third question was not checked, if it was asked

    @property
    def blocking(self) -> bool:
        """True when the pull request must not merge: a new finding no exception covers."""
        return bool(self.new)

    @property
    def added(self) -> tuple[Finding, ...]:
        """The finding of every new identity, whatever its verdict: what changed at runtime."""
        return (*self.new, *self.covered, *self.warned)

    @property
    def new_business(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.new if f.rule not in RQ_DEPENDENCY_RULES)

    @property
    def new_rq(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.new if f.rule in RQ_DEPENDENCY_RULES)

    def checklist(self) -> list[tuple[str, bool | None]]:
        """The contract's enforcement checklist; ``None`` is "not checked"."""
        return [
            (BUSINESS_QUESTION, bool(self.new_business)),
            (RQ_QUESTION, bool(self.new_rq)),
            (DOCS_QUESTION, None if self.docs is None else self.docs.answer),
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


def render(result: GateResult, *, require_docs: bool = False) -> str:
    """The gate's verdict, its findings and the enforcement checklist, for a terminal or CI log.

    ``require_docs``: a "no" to the third question fails the diff, and the text says so."""
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
        if question == DOCS_QUESTION and result.docs is not None:
            lines += _docs_lines(result.docs)
        elif question == DOCS_QUESTION and result.docs_not_checked is not None:
            lines.append(f"- {question} not checked ({result.docs_not_checked})")
        else:
            lines.append(f"- {question} {_answer(answer)}")
    if result.blocking:
        lines += [
            "",
            "A yes to either of the first two questions rejects the pull request unless a "
            "temporary, expiry-bound exception (owner, exception_reason, expiry_date, "
            "removal_issue) is registered for it.",
        ]
    if result.docs is not None and not result.docs.answer:
        effect = (
            "With --require-docs this fails the diff (exit 1)."
            if require_docs
            else "It does not change the exit status (pass --require-docs for that)."
        )
        lines += [
            "",
            "A no to the third question: update each surface named above in this pull request "
            "(its owner reviews it), and claim each unclaimed change in the front matter "
            f"(modules, endpoints, keys) of a surface in {result.docs.folder}. {effect}",
        ]
    return "\n".join(lines) + "\n"


def _docs_lines(docs: DocsCheck) -> list[str]:
    """The third question's answer, then what it rests on, indented under it."""
    if not docs.changes:
        lines = [f"- {DOCS_QUESTION} yes (no runtime behavior changed)"]
        return lines + [f"    {note}" for note in docs.notes]
    lines = [f"- {DOCS_QUESTION} {_answer(docs.answer)}"]
    changed = _count(len(docs.changes), "runtime change")
    if docs.answer:
        them = "it" if len(docs.changes) == 1 else "them"
        lines.append(f"    {changed}; every surface claiming {them} is updated:")
    else:
        problems = [_count(len(docs.stale), "surface") + " to update"] if docs.stale else []
        if docs.unclaimed:
            problems.append(f"{len(docs.unclaimed)} unclaimed")
        lines.append(f"    {changed}: {', '.join(problems)}.")
    if docs.stale:
        lines.append("    Surfaces to update (their files are not among the changed files):")
        for stale in docs.stale:
            lines.append(f"      {_surface(stale.surface)}")
            lines += [f"        {_change(change)}" for change in stale.changes]
    if docs.unclaimed:
        lines.append(f"    Unclaimed (no surface in {docs.folder} claims it; add one):")
        lines += [f"      {_change(change)}" for change in docs.unclaimed]
    if docs.updated:
        if not docs.answer:
            lines.append("    Updated:")
        lines += [f"      {_surface(surface)}" for surface in docs.updated]
    return lines + [f"    {note}" for note in docs.notes]


def _surface(surface: Surface) -> str:
    return f"{surface.name} (owner {surface.owner}): {surface.path}"


def _change(change: RuntimeChange) -> str:
    causes = list(change.causes[:_CAUSES_SHOWN])
    if len(change.causes) > _CAUSES_SHOWN:
        causes.append(f"and {len(change.causes) - _CAUSES_SHOWN} more")
    return f"{change.label()}: {'; '.join(causes)}"


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
