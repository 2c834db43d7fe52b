"""Findings: what a rule says about one place, their identity, key shape, merging and order."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any, Final, Literal

from pytest_redis_boundary.core.catalogue import RULE_NAMES
from pytest_redis_boundary.core.runtime_context import RuntimeContext

Verdict = Literal["violation", "excepted", "warning"]

_ALNUM = "0-9A-Za-z"
_HEX = "0-9A-Fa-f"
# An id-like token: a run between two characters that are not letters or digits (or the key's
# ends), so ids are found inside a segment too (``temp.<uuid>``, ``job:v-12``). Tried in this
# order, so a UUID, a date-time or a float is folded whole, not piece by piece.
_ID_TOKEN: Final = re.compile(
    rf"""(?<![{_ALNUM}])(?:
        [{_HEX}]{{8}}-[{_HEX}]{{4}}-[{_HEX}]{{4}}-[{_HEX}]{{4}}-[{_HEX}]{{12}}   # a UUID
      | \d{{4}}-\d\d-\d\d(?:[T\ ]\d\d(?::\d\d(?::\d\d(?:[.,]\d+)?)?)?)?
        (?:Z|[+-]\d\d(?::?\d\d)?)?                            # an ISO 8601 date or date-time
      | -?\d+(?:\.\d+)?[eE][+-]?\d+ | -?\d+\.\d+              # a float
      | -?\d+                                                 # an integer, a timestamp
      | (?=[A-Fa-f]*\d)[{_HEX}]{{6,}}                         # hex of 6 or more with a digit
      | (?=[A-Za-z]*\d)[{_ALNUM}]{{16,}}                      # 16 or more with a digit (ULIDs)
    )(?![{_ALNUM}])""",
    re.VERBOSE,
)


def key_shape(key: str | None, tenant: str | None = None) -> str | None:
    """The key with its tenant segment as ``{tenant}`` and every id-like token as ``*``.

    ``t:acme:job:42`` → ``t:{tenant}:job:*``, ``temp.3f2a9c0d`` → ``temp.*``,
    ``note:ts.1733140000.123`` → ``note:ts.*``: line moves, fresh ids and tenants do not make a
    finding new. A token of letters only is a word and is kept (``user:name``, ``deadbeef``);
    docs/reference/reports.md lists what counts as an id.
    """
    if key is None:
        return None
    if tenant is not None and tenant in key:
        key = ":".join("{tenant}" if part == tenant else part for part in key.split(":"))
    return _ID_TOKEN.sub("*", key)


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
    context: RuntimeContext | None = None  # the endpoint or RQ job that sent the command

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
        """Repeats of one finding in one test: same rule, site, key shape and field (and
        context: the same code run by an endpoint and by a job is two findings)."""
        return (self.test, self.rule, self.site, self.shape, self.field, self.verdict, self.context)

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
        data = asdict(self)
        data["context"] = None if self.context is None else self.context.as_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        """A finding from its JSON form (a report written before 1.1 has no ``context``);
        ``ValueError`` on a malformed context."""
        known: dict[str, Any] = {k: data[k] for k in _FIELDS if k in data}
        known["context"] = RuntimeContext.from_json(data.get("context"))
        return cls(**known)

    def line(self) -> str:
        """The one-line human form, as a failing test prints it."""
        times = f" (x{self.count})" if self.count > 1 else ""
        return f"{self.message}{times}"


_FIELDS: Final = tuple(Finding.__dataclass_fields__)


def report_order(finding: Finding) -> tuple[object, ...]:
    """A report's order of findings: ``sort_key``, then message, verdict and phase, so findings
    alike in ``sort_key`` come in one order whichever order tests, workers or shards ran in."""
    return (*finding.sort_key(), finding.message, finding.verdict, finding.phase or "")


def merge(findings: list[Finding]) -> list[Finding]:
    """Fold repeats (same test, rule, site, key shape, field) into one with a count; sort."""
    merged: dict[tuple[object, ...], Finding] = {}
    for finding in findings:
        key = finding.merge_key()
        seen = merged.get(key)
        merged[key] = finding if seen is None else replace(seen, count=seen.count + finding.count)
    return sorted(merged.values(), key=Finding.sort_key)
