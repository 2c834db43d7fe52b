"""The rule catalogue: every rule's id, name and how-to-fix text, in the rules table's order.

One place for what a person reads about a rule: failure messages, the summary, the JSON, SARIF
and markdown reports, and the docs' rule pages all take their words from here, so a rule cannot
be called one thing in a failure and another in a report.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = ["HOW_TO_FIX", "REFERENCE_HINT", "RULE_NAMES"]

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

HOW_TO_FIX: Final[Mapping[str, str]] = MappingProxyType(
    {
        "RB101": "keep business state (job status, result metadata, tenant ownership, queue "
        "policy) in its durable owner; Redis may only cache it under a cache key with a TTL.",
        "RB102": "read authoritative state from its durable owner, not from Redis.",
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

REFERENCE_HINT: Final = (
    "see pytest-redis-boundary's docs, reference/rules.md (the rules) and "
    "reference/exceptions.md (markers, the register); a temporary, owned exception goes in @pytest.mark.redis_boundary_exception(...) "
    "or the policy's exceptions register"
)
"""The last line of a strict failure: where the rules are explained, and how to except."""
