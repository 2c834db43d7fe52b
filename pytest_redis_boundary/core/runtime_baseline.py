"""The runtime baseline (the adoption ratchet): the violations a codebase had when it adopted
the plugin, frozen by identity under one owner and expiry date, so that only new ones fail.

One file, schema ``redis-boundary-baseline/2`` (docs/reference/baseline.md): the four governance
fields, the frozen findings (each a ``Finding.identity()``: rule, key shape, site file, function,
the identity the pull-request gate compares) and the frozen rq chains. ``freeze`` writes it from
a JSON report; the policy's ``baseline:`` key makes the plugin honour it (``verdicts.Ledger``).
Identities only, never a key or a value, so a file is stable across runs and ids.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from .catalogue import RULE_NAMES
from .findings import Finding
from .governance import GOVERNANCE_FIELDS, Governance, validate_governance
from .imports.baseline import RUNTIME_BASELINE_SCHEMA, BaselineInvalid, parse_chain_lists
from .imports.chain_ids import ChainId

__all__ = [
    "BASELINE_FILE",
    "BASELINE_ID",
    "RUNTIME_BASELINE_SCHEMA",
    "BaselineChanges",
    "FrozenFinding",
    "RuntimeBaseline",
    "describe_identity",
    "dump_runtime_baseline",
    "frozen_identities",
    "identity_json",
    "is_freezable",
    "parse_runtime_baseline",
]

BASELINE_FILE: Final = ".redis-boundary-baseline.json"
"""Where ``redis-boundary freeze --report`` writes by default."""

BASELINE_ID: Final = "baseline"
"""The baseline's id as an exception: a covered finding's ``exception``, its ``exceptions`` row."""

FrozenFinding = tuple[str, str | None, str | None, str | None]
"""A frozen finding: ``(rule, key shape, site file, function)``, as ``Finding.identity()``."""

_FINDING_KEYS: Final = ("rule", "key_shape", "site_file", "function")
_TOP_KEYS: Final = ("schema", "note", *GOVERNANCE_FIELDS, "findings", "chains")
_NOTE: Final = (
    "Frozen violations (the adoption ratchet): a violation whose identity (rule, key shape, site "
    "file, function) is listed here is excepted until expiry_date; any other fails. Rewrite it "
    "with `redis-boundary freeze --report REPORT.json`, which also drops entries that no longer "
    "occur; never add entries by hand."
)


def is_freezable(rule: str) -> bool:
    """Runtime rules only: import chains (RB5xx) are frozen as chains, and nothing covers RB9xx."""
    return not rule.startswith(("RB5", "RB9"))


def frozen_identities(findings: Iterable[Finding]) -> frozenset[FrozenFinding]:
    """The identities a report freezes: its violations, and what a baseline already excepted
    (so freezing a run made under the baseline keeps what still occurs)."""
    return frozenset(
        f.identity()
        for f in findings
        if is_freezable(f.rule)
        and (f.verdict == "violation" or (f.verdict == "excepted" and f.exception == BASELINE_ID))
    )


def _order(identity: FrozenFinding) -> tuple[tuple[bool, str], ...]:
    return tuple((part is not None, part or "") for part in identity)


def sorted_identities(identities: Iterable[FrozenFinding]) -> list[FrozenFinding]:
    return sorted(set(identities), key=_order)


def identity_json(identity: FrozenFinding) -> dict[str, str | None]:
    return dict(zip(_FINDING_KEYS, identity, strict=True))


def describe_identity(identity: FrozenFinding) -> str:
    """``RB101 t:{tenant}:job:* at app/jobs.py in mark_done()``, for people."""
    rule, shape, site_file, function = identity
    text = rule + (f" {shape}" if shape else "")
    text += f" at {site_file}" if site_file else " (no call site)"
    return text + (f" in {function}()" if function else "")


@dataclass(frozen=True, slots=True)
class RuntimeBaseline:
    """A validated baseline file. ``source`` is its path as the policy (or the user) gave it."""

    source: str
    governance: Governance
    findings: frozenset[FrozenFinding] = frozenset()
    chains: frozenset[ChainId] = field(default=frozenset())

    def is_expired(self, today: datetime.date) -> bool:
        """Expired once ``today`` is past ``expiry_date`` (the day itself is still valid)."""
        return self.governance.is_expired(today)

    def holds(self, finding: Finding) -> bool:
        """Whether the finding is a violation whose identity is frozen here (dates aside)."""
        return (
            finding.verdict == "violation"
            and is_freezable(finding.rule)
            and finding.identity() in self.findings
        )


def dump_runtime_baseline(baseline: RuntimeBaseline) -> str:
    """The file's text: entries sorted and deduplicated, so equal baselines are equal bytes."""
    gov = baseline.governance
    data: dict[str, Any] = {
        "schema": RUNTIME_BASELINE_SCHEMA,
        "note": _NOTE,
        "owner": gov.owner,
        "exception_reason": gov.exception_reason,
        "expiry_date": gov.expiry_date.isoformat(),
        "removal_issue": gov.removal_issue,
        "findings": [identity_json(i) for i in sorted_identities(baseline.findings)],
        "chains": [list(chain) for chain in sorted(baseline.chains)],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def parse_runtime_baseline(text: str, *, source: str) -> RuntimeBaseline:
    """Read a ``redis-boundary-baseline/2`` file; raises ``BaselineInvalid`` naming the file,
    the field and the fix."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise BaselineInvalid(
            source, f"not valid JSON ({err.msg} at line {err.lineno}, column {err.colno})"
        ) from None
    if not isinstance(data, Mapping):
        raise BaselineInvalid(source, "expected a JSON object")
    schema = data.get("schema")
    if schema != RUNTIME_BASELINE_SCHEMA:
        older = (
            " (a chains-only file; it has no frozen findings or governance fields)"
            if schema == "redis-boundary-baseline/1"
            else ""
        )
        raise BaselineInvalid(
            source,
            f"expected schema {RUNTIME_BASELINE_SCHEMA!r}, got {schema!r}{older}; write it with "
            "`redis-boundary freeze --report REPORT.json --owner ... --exception-reason ... "
            "--expiry-date YYYY-MM-DD --removal-issue ...`",
        )
    unknown = [str(k) for k in data if k not in _TOP_KEYS]
    if unknown:
        raise BaselineInvalid(
            source, f"unknown field {unknown[0]!r}; the fields are {', '.join(_TOP_KEYS)}"
        )
    governance, problems = validate_governance(data, where=source, exception_id=BASELINE_ID)
    if problems:
        first = problems[0]
        raise BaselineInvalid(
            source,
            f"RB901 {RULE_NAMES['RB901']}: {first.field}: {first.problem}; "
            f"fix: {first.fix.rstrip('.')}",
        )
    assert governance is not None
    return RuntimeBaseline(
        source=source,
        governance=governance,
        findings=_findings(data.get("findings", []), source),
        chains=parse_chain_lists(data.get("chains", []), source),
    )


def _findings(raw: object, source: str) -> frozenset[FrozenFinding]:
    example = (
        '{"rule": "RB101", "key_shape": "t:{tenant}:job:*", "site_file": ..., "function": ...}'
    )
    if not isinstance(raw, list):
        raise BaselineInvalid(source, f"'findings' must be a list of objects like {example}")
    out: set[FrozenFinding] = set()
    for index, entry in enumerate(raw):
        where = f"findings[{index}]"
        if not isinstance(entry, Mapping) or set(entry) != set(_FINDING_KEYS):
            raise BaselineInvalid(
                source, f"{where}: expected an object with exactly {', '.join(_FINDING_KEYS)}"
            )
        rule = entry["rule"]
        if not isinstance(rule, str) or rule not in RULE_NAMES or not is_freezable(rule):
            raise BaselineInvalid(
                source,
                f"{where}.rule: {rule!r} is not a runtime rule id (RB1xx-RB4xx); regenerate the "
                "file with `redis-boundary freeze --report`",
            )
        parts: list[str | None] = []
        for name in _FINDING_KEYS[1:]:
            value = entry[name]
            if value is not None and not isinstance(value, str):
                raise BaselineInvalid(
                    source, f"{where}.{name}: expected a string or null, got {value!r}"
                )
            parts.append(value)
        out.add((rule, parts[0], parts[1], parts[2]))
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class BaselineChanges:
    """What rewriting a baseline changed: the lines ``freeze`` prints."""

    added: tuple[FrozenFinding, ...]
    removed: tuple[FrozenFinding, ...]
    chains_added: tuple[ChainId, ...]
    chains_removed: tuple[ChainId, ...]

    @classmethod
    def between(
        cls,
        old_findings: frozenset[FrozenFinding],
        old_chains: frozenset[ChainId],
        new: RuntimeBaseline,
    ) -> BaselineChanges:
        return cls(
            added=tuple(sorted_identities(new.findings - old_findings)),
            removed=tuple(sorted_identities(old_findings - new.findings)),
            chains_added=tuple(sorted(new.chains - old_chains)),
            chains_removed=tuple(sorted(old_chains - new.chains)),
        )

    def lines(self) -> Sequence[str]:
        out = [f"  + {describe_identity(i)}" for i in self.added]
        out += [f"  - {describe_identity(i)}" for i in self.removed]
        out += [f"  + chain {' -> '.join(c)}" for c in self.chains_added]
        out += [f"  - chain {' -> '.join(c)}" for c in self.chains_removed]
        return out
