"""What to do first: per rule, the key shapes with the most violations and the change that
addresses each (docs/reference/pytest.md#the-terminal-summary).

A first run on a suite that predates the policy drowns in a few rules (RB301, RB203) repeated over
a few key shapes; a person needs the handful of policy or code changes that clear most of them,
not thousands of lines. The rules themselves are unchanged: a change proposed here is one the
policy already allows (a tenant pattern, a class).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from pytest_redis_boundary.core.catalogue import HOW_TO_FIX
from pytest_redis_boundary.core.findings import Finding

__all__ = [
    "STARTER_POLICY",
    "TOP_SHAPES",
    "RuleAdvice",
    "ShapeAdvice",
    "advise",
    "class_name",
    "key_pattern",
]

TOP_SHAPES: Final = 3

STARTER_POLICY: Final[str | None] = None
"""Where a generated starter policy can be had, once a command writes one: shown after the
advice. The one place to point at it."""


@dataclass(frozen=True, slots=True)
class ShapeAdvice:
    shape: str
    violations: int
    change: str  # one sentence: what to change, in the policy or the code


@dataclass(frozen=True, slots=True)
class RuleAdvice:
    rule: str
    violations: int  # of the rule, every shape
    shapes: tuple[ShapeAdvice, ...]  # the TOP_SHAPES with the most violations


def advise(findings: Sequence[Finding]) -> list[RuleAdvice]:
    """Rules with violations on keys, the most violations first; each with its top shapes."""
    by_rule: dict[str, dict[str, list[Finding]]] = {}
    for finding in findings:
        shape = finding.shape
        if finding.verdict == "violation" and shape is not None:
            by_rule.setdefault(finding.rule, {}).setdefault(shape, []).append(finding)
    unexpiring = {f.shape for f in findings if f.rule == "RB201" and f.verdict == "violation"}
    advice = []
    for rule, shapes in by_rule.items():
        ranked = sorted(shapes.items(), key=lambda item: (-len(item[1]), item[0]))[:TOP_SHAPES]
        advice.append(
            RuleAdvice(
                rule=rule,
                violations=sum(len(group) for group in shapes.values()),
                shapes=tuple(
                    ShapeAdvice(shape, len(group), _change(rule, shape, group, unexpiring))
                    for shape, group in ranked
                ),
            )
        )
    return sorted(advice, key=lambda entry: (-entry.violations, entry.rule))


def _change(rule: str, shape: str, group: Sequence[Finding], unexpiring: set[str | None]) -> str:
    write = _CHANGES.get(rule)
    if write is None:
        return HOW_TO_FIX.get(rule, f"see the rule's page, rules/{rule} in the docs")
    return write(shape, group, shape in unexpiring)


def _tenant_pattern(shape: str, group: Sequence[Finding], unexpiring: bool) -> str:
    return (
        "if these keys carry a tenant, add a pattern to tenant.key_patterns with {tenant} where "
        f"it sits; if not, put the tenant in the key (t:{{tenant}}:{shape})"
    )


def _class(shape: str, group: Sequence[Finding], unexpiring: bool) -> str:
    ttls = [f.key_ttl_seconds for f in group if f.key_ttl_seconds is not None]
    bound = str(math.ceil(max(ttls))) if ttls else "N"
    change = (
        f'add a class: classes.{class_name(shape)}: {{keys: ["{key_pattern(shape)}"], '
        f"max_ttl_seconds: {bound}}}"
    )
    if not ttls:
        change += " (N: the longest TTL these keys need)"
    if unexpiring:
        change += "; they are also left without a TTL (RB201): give them one in the write"
    return change


def _ttl(shape: str, group: Sequence[Finding], unexpiring: bool) -> str:
    return (
        "give these keys a TTL in the write that creates them (SET ... EX, or EXPIRE in the "
        "same pipeline)"
    )


def _ttl_limit(shape: str, group: Sequence[Finding], unexpiring: bool) -> str:
    ttls = [f.key_ttl_seconds for f in group if f.key_ttl_seconds is not None]
    longest = f" ({math.ceil(max(ttls))} seen)" if ttls else ""
    return f"lower their TTL, or raise their class's max_ttl_seconds{longest}"


def _business(shape: str, group: Sequence[Finding], unexpiring: bool) -> str:
    return (
        "move this state to its durable owner (no policy change covers it; an exception with an "
        "owner and an expiry date can, for a time)"
    )


def _rq(shape: str, group: Sequence[Finding], unexpiring: bool) -> str:
    return (
        "submit this work through the execution stack, or declare a temporary exception: "
        f'rules: [RB103], keys: ["{shape}"], with an owner and an expiry date'
    )


_CHANGES: Final[dict[str, Callable[[str, Sequence[Finding], bool], str]]] = {
    "RB101": _business,
    "RB102": _business,
    "RB103": _rq,
    "RB201": _ttl,
    "RB202": _ttl_limit,
    "RB203": _class,
    "RB301": _tenant_pattern,
}

_NOT_A_NAME: Final = re.compile(r"[^0-9a-zA-Z_]+")
_GLOB_SPECIAL: Final = re.compile(r"[\\\[\]?]|\{(?!tenant\})")


def key_pattern(shape: str) -> str:
    """The policy pattern matching a shape's keys: its ``*`` and ``{tenant}`` kept, any other
    glob character escaped."""
    return _GLOB_SPECIAL.sub(lambda match: "\\" + match.group(0), shape)


def class_name(shape: str) -> str:
    """A class name from a key shape: its fixed segments (``cache:user:*`` → ``cache_user``)."""
    fixed = [part for part in shape.split(":") if part not in ("*", "{tenant}", "t", "tenant")]
    name = _NOT_A_NAME.sub("_", "_".join(fixed)).strip("_").lower()
    if not name or name[0].isdigit():
        name = f"keys_{name}".rstrip("_")
    return name
