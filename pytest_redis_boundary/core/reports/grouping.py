"""What the renderings for people share: findings grouped by rule, and a rule's title."""

from __future__ import annotations

from collections.abc import Sequence

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


def rule_title(rule: str) -> str:
    """``RB101 business-write``."""
    name = RULE_NAMES.get(rule)
    return f"{rule} {name}" if name else rule
