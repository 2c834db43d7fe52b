"""What the renderings for people share: findings grouped by rule or folded by identity, and a
rule's title."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pytest_redis_boundary.core.catalogue import RULE_NAMES
from pytest_redis_boundary.core.findings import Finding


def by_rule(findings: Sequence[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings grouped by rule, rules in table order (unknown ids last), findings in order."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.rule, []).append(finding)
    order = list(RULE_NAMES)
    return sorted(
        groups.items(),
        key=lambda item: (order.index(item[0]) if item[0] in order else len(order), item[0]),
    )


@dataclass(frozen=True, slots=True)
class Fold:
    """The findings of one identity (rule, key shape, site file, function) and verdict."""

    first: Finding  # the first in report order: its site's line and its exception
    findings: int
    occurrences: int  # the findings' counts summed
    tests: int


def by_identity(findings: Sequence[Finding]) -> list[Fold]:
    """Findings folded by verdict and identity, the most frequent first (then by identity)."""
    groups: dict[tuple[object, ...], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.verdict, *finding.identity()), []).append(finding)
    folds = [
        Fold(
            first=group[0],
            findings=len(group),
            occurrences=sum(f.count for f in group),
            tests=len({f.test for f in group}),
        )
        for group in groups.values()
    ]
    return sorted(
        folds,
        key=lambda fold: (
            -fold.occurrences,
            fold.first.verdict,
            *(part or "" for part in fold.first.identity()),
        ),
    )


def rule_title(rule: str) -> str:
    """``RB101 business-write``."""
    name = RULE_NAMES.get(rule)
    return f"{rule} {name}" if name else rule
