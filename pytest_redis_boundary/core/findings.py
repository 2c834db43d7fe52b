"""Findings: what a rule says about one place, their identity, key shape, merging and order."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any, Final, Literal

from pytest_redis_boundary.core.catalogue import RULE_NAMES

Verdict = Literal["violation", "excepted", "warning"]

_ID_SEGMENT: Final = re.compile(
    r"""\A(?:
        \d+                                                   # numbers
      | [0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}  # UUIDs
      | (?=[0-9a-fA-F]*\d)[0-9a-fA-F]{6,}                     # hex ids with a digit
    )\Z""",
    re.VERBOSE,
)


def key_shape(key: str | None, tenant: str | None = None) -> str | None:
    """The key with its tenant segment as ``{tenant}`` and id-like segments as ``*``.

    ``t:acme:job:42`` → ``t:{tenant}:job:*``: line moves, ids and tenants do not make a finding new.
    """
    if key is None:
        return None
    parts = key.split(":")
    out = []
    for part in parts:
        if tenant is not None and part == tenant:
            out.append("{tenant}")
        elif _ID_SEGMENT.match(part):
            out.append("*")
        else:
            out.append(part)
    return ":".join(out)


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's verdict on one place. Carries names, keys, fields and TTLs, never a value."""

    rule: str
    verdict: Verdict
    message: str
    test: str | None = None
    phase: str | None = None
    command: str | None = None
    key: str | None = None
    field: str | None = None
    site: str | None = None  # "path:line"
    function: str | None = None
    tenant_id: str | None = None
    key_ttl_seconds: float | None = None
    exception: str | None = None
    count: int = 1

    @property
    def name(self) -> str:
        return RULE_NAMES.get(self.rule, "")

    @property
    def shape(self) -> str | None:
        return key_shape(self.key, self.tenant_id)

    @property
    def site_file(self) -> str | None:
        return None if self.site is None else self.site.rpartition(":")[0] or self.site

    @property
    def site_line(self) -> int:
        if self.site is None:
            return 0
        tail = self.site.rpartition(":")[2]
        return int(tail) if tail.isdigit() else 0

    def merge_key(self) -> tuple[object, ...]:
        """Repeats of one finding in one test: same rule, site, key shape and field."""
        return (self.test, self.rule, self.site, self.shape, self.field, self.verdict)

    def identity(self) -> tuple[str, str | None, str | None, str | None]:
        """What the pull-request gate compares: (rule, key shape, site file, function)."""
        return (self.rule, self.shape, self.site_file, self.function)

    def sort_key(self) -> tuple[object, ...]:
        return (
            self.test or "",
            self.site_file or "",
            self.site_line,
            self.rule,
            self.key or "",
            self.field or "",
        )

    def with_verdict(self, verdict: Verdict, exception: str | None = None) -> Finding:
        return replace(self, verdict=verdict, exception=exception)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        known: dict[str, Any] = {k: data[k] for k in _FIELDS if k in data}
        return cls(**known)

    def line(self) -> str:
        """The one-line human form, as a failing test prints it."""
        times = f" (x{self.count})" if self.count > 1 else ""
        return f"{self.message}{times}"


_FIELDS: Final = tuple(Finding.__dataclass_fields__)


def merge(findings: list[Finding]) -> list[Finding]:
    """Fold repeats (same test, rule, site, key shape, field) into one with a count; sort."""
    merged: dict[tuple[object, ...], Finding] = {}
    for finding in findings:
        key = finding.merge_key()
        seen = merged.get(key)
        merged[key] = finding if seen is None else replace(seen, count=seen.count + finding.count)
    return sorted(merged.values(), key=Finding.sort_key)
