"""The rule catalogue: every rule's id, name and how-to-fix text, in the rules table's order.

One place for what a person reads about a rule: failure messages, the summary, the JSON, SARIF
and markdown reports, and the docs' rule pages all take their words from here, so a rule cannot
be called one thing in a failure and another in a report.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

__all__ = [
    "CONTRACT_CLAUSES",
    "HOW_TO_FIX",
    "REFERENCE_HINT",
    "RULE_DESCRIPTIONS",
    "RULE_NAMES",
    "baseline_unused_message",
    "expired_message",
    "unused_message",
]

RULE_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "RB101": "business-write",
        "RB102": "business-read",
        "RB103": "rq-runtime",
        "RB201": "missing-ttl",
        "RB202": "ttl-over-limit",
        "RB203": "unclassified-key",
        "RB301": "tenant-unscoped",
        "RB302": "cross-tenant",
        "RB401": "observability-fields",
        "RB501": "rq-import",
        "RB502": "rq-import-new",
        "RB901": "exception-invalid",
        "RB902": "exception-expired",
        "RB903": "exception-unused",
    }
)
"""Rule id -> rule name (docs/reference/rules.md), in the rules table's order."""

RULE_DESCRIPTIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "RB101": "A command writes a business key or a business field: Redis must not own "
        "business state.",
        "RB102": "A command reads a business key or field: authoritative state read from Redis.",
        "RB103": "A command touches the RQ namespace (enqueue, job hash, registries, workers).",
        "RB201": "A key written in the test is left without a TTL at the end of its call phase.",
        "RB202": "A written key's TTL exceeds its key class's max_ttl_seconds.",
        "RB203": "A written key matches no key class (cache, lease, dedup) of the policy.",
        "RB301": "A touched key carries no tenant.",
        "RB302": "A test that declared one tenant touched a key of another tenant.",
        "RB401": "A log record about a Redis key lacks a required observability field.",
        "RB501": "A runtime module imports rq, directly or through a chain.",
        "RB502": "An rq import chain that is not in the frozen baseline.",
        "RB901": "A governed exception lacks a field, has a malformed date or an empty scope.",
        "RB902": "A governed exception is past its expiry date; what it covered counts again.",
        "RB903": "A governed exception matched nothing.",
    }
)
"""One sentence per rule id (docs/reference/rules.md): SARIF rule descriptions."""

HOW_TO_FIX: Final[Mapping[str, str]] = MappingProxyType(
    {
        "RB101": "keep business state (job status, result metadata, tenant ownership, queue "
        "policy) in its durable owner. A cache of it counts too (strict by default); only a "
        "class declaring read_through: true holds copies read through from the owner, with a "
        "TTL, never written back.",
        "RB102": "read authoritative state from its durable owner, not from Redis; a TTL-bounded "
        "copy read through from the owner belongs in a class declaring read_through: true.",
        "RB103": "do not build on RQ: submit work through the execution stack, or declare a "
        "temporary exception (redis_boundary_exception) with an expiry date.",
        "RB201": "give the key a TTL in the same write (SET ... EX, SETEX, or EXPIRE in the same "
        "pipeline); PERSIST, a plain SET over a key, GETSET and RENAME of a persistent key drop "
        "it.",
        "RB202": "lower the TTL to the class's max_ttl_seconds, or move the key to a class that "
        "allows it in the policy.",
        "RB203": "use a key that matches a class (cache, lease, dedup) in the policy, or add a "
        "class for it.",
        "RB301": "put the tenant in the key (e.g. t:{tenant}:cache:...), as tenant.key_patterns "
        "say.",
        "RB302": "touch only keys of the test's declared tenant (redis_tenant marker).",
        "RB401": "log the required observability fields (trace_id, tenant_id, key_ttl_seconds) "
        "with every record about a Redis key.",
        "RB902": "renew the exception with a new expiry_date and removal plan, or remove the "
        "usage.",
    }
)
"""Rule id -> what to change, for the rules a test's own code can break."""

CONTRACT_CLAUSES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "RB101": (
            "Forbidden usage",
            "Redis as durable owner for business fields (`job status`, `result metadata`, "
            "`tenant ownership`, `queue policy`)",
        ),
        "RB102": (
            "Acceptance criteria for retirement completion",
            "No user-visible endpoint reading authoritative job state from Redis",
        ),
        "RB103": ("Forbidden usage", "New runtime features built on RQ execution pipelines"),
        "RB201": ("Allowed transitional usage", "Redis as short-lived cache with explicit TTL"),
        "RB202": (
            "Acceptance criteria for retirement completion",
            "Redis keys used only for bounded-TTL operational concerns",
        ),
        "RB203": (
            "Acceptance criteria for retirement completion",
            "Redis keys used only for bounded-TTL operational concerns",
        ),
        "RB301": (
            "Tenant and security boundary",
            "Transitional Redis usage must remain tenant-scoped and non-authoritative.",
        ),
        "RB302": (
            "Tenant and security boundary",
            "No cross-tenant business authority may be derived from Redis keys.",
        ),
        "RB401": (
            "Observability fields",
            "For remaining transitional Redis keys/logs, include at minimum:",
        ),
        "RB501": ("Forbidden usage", "New runtime features built on RQ execution pipelines"),
        "RB502": (
            "Enforcement checklist for PR review",
            "Did this PR introduce new RQ runtime dependency?",
        ),
        "RB901": (
            "Required fields",
            "Required governance fields for exceptions are:",
        ),
        "RB902": (
            "Enforcement checklist for PR review",
            "PR must be rejected unless this document is explicitly updated with a temporary "
            "expiry-bound exception.",
        ),
        "RB903": (
            "Enforcement checklist for PR review",
            "PR must be rejected unless this document is explicitly updated with a temporary "
            "expiry-bound exception.",
        ),
    }
)
"""Rule id -> (the contract's section, the clause of it the rule enforces, word for word) in
docs/redis-rq-retirement-boundary.md: each rule page quotes its clause."""

REFERENCE_HINT: Final = (
    "each rule has a page in pytest-redis-boundary's docs, rules/<id> (what it catches, a "
    "failing example, how to fix, how to except; reference/exceptions.md for markers and the "
    "register); a temporary, owned exception goes in "
    "@pytest.mark.redis_boundary_exception(...) or the policy's exceptions register"
)
"""The last line of a strict failure: where the rules are explained, and how to except."""


def expired_message(
    exception_id: str,
    *,
    owner: str,
    removal_issue: str,
    expiry_date: datetime.date,
    rules: Iterable[str],
) -> str:
    """RB902: an exception past its expiry date, and the rules whose findings count again."""
    covered = ", ".join(sorted(set(rules)))
    return (
        f"RB902 {RULE_NAMES['RB902']}: {exception_id} (owner {owner}, removal {removal_issue}) "
        f"expired on {expiry_date.isoformat()}; its {covered} findings count again"
    )


def unused_message(exception_id: str, *, owner: str, marker: bool, where: str) -> str:
    """RB903: an exception that matched nothing (``where``: the marker's test, or the register
    entry's file:line, "" if unknown), and what to do about it."""
    if marker:
        where, advice = f"marker on {where}", "remove the redis_boundary_exception marker"
    else:
        where = where or "the policy's exceptions register"
        advice = "remove it from the register"
    return (
        f"RB903 {RULE_NAMES['RB903']}: {exception_id} (owner {owner}, {where}) "
        f"matched nothing in this run; {advice}"
    )


def unused_prefix(exception_id: str) -> str:
    """How every RB903 message about ``exception_id`` starts (``unused_message`` and
    ``baseline_unused_message`` alike): how a reader of reports tells which exception an RB903
    finding names."""
    return f"RB903 {RULE_NAMES['RB903']}: {exception_id} ("


def baseline_unused_message(count: int, *, path: str) -> str:
    """RB903 for the runtime baseline: ``count`` frozen entries (in the baseline file ``path``)
    that matched nothing in the whole run (all xdist workers, all merged shards)."""
    entries = "entry" if count == 1 else "entries"
    return (
        f"RB903 {RULE_NAMES['RB903']}: baseline ({path}) holds {count} frozen {entries} that "
        "matched nothing in this run; run redis-boundary freeze --report to drop them"
    )
