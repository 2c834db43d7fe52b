"""``JudgeState``: what a judge remembers of one test between commands, and the per-key lookups
both of its paths share (``rules.Judge``, the general path, and ``fast_judge``, the fast one).

It remembers, per key: what the policy says of it, whether nothing about the key alone is a
finding, the business fields written to it, and its last write (whose TTL is judged at the end
of the call phase). Never a value. ``only_removes`` tells both paths which commands only remove
keys, and so write none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, NamedTuple

from pytest_redis_boundary.core.cache_limits import KEY_FACTS_LIMIT
from pytest_redis_boundary.core.commands import text
from pytest_redis_boundary.core.events import CallSite
from pytest_redis_boundary.core.keyspace import Keyspace
from pytest_redis_boundary.core.per_database import PerDatabase
from pytest_redis_boundary.core.policy import Policy
from pytest_redis_boundary.core.runtime_context import RuntimeContext

__all__ = ["MAY_ONLY_REMOVE", "JudgeState", "KeyFacts", "LastWrite", "only_removes"]

KeyFacts = tuple[bool, str | None, bool, bool]
"""(rq, tenant, business, classified): what the policy says of one key. ``business`` is false
inside a read-through class, which holds copies, not business truth."""


class LastWrite(NamedTuple):
    """The last write of a key. A class, not a bare tuple type: compiled, a bare tuple type is
    unboxed into a C struct, and boxed again as a new tuple wherever it is stored."""

    command: str
    site: CallSite | None
    phase: str
    ttl_unknown: bool  # whether the write's effect on the TTL is unknown
    context: RuntimeContext | None  # the endpoint or RQ job that wrote it


# Positions of LastWrite's fields, for ``note_write``: compiled, ``write[i]`` on a NamedTuple is
# a C tuple item read, where ``write.site`` is a generic attribute lookup (a property call).
_SITE: Final = 1
_PHASE: Final = 2
_TTL_UNKNOWN: Final = 3
_CONTEXT: Final = 4


# Commands that only remove keys make no key *written* for RB201-RB203: cleanup code adds no
# findings (docs/reference/rules.md). Removing a business key is still RB101.
_REMOVALS: Final = frozenset({"DEL", "UNLINK", "GETDEL"})
# An expiry in the past removes the key: name -> (milliseconds per unit, absolute time).
_EXPIRIES: Final = {
    "EXPIRE": (1000, False),
    "PEXPIRE": (1, False),
    "EXPIREAT": (1000, True),
    "PEXPIREAT": (1, True),
}
MAY_ONLY_REMOVE: Final = _REMOVALS.union(_EXPIRIES)


def only_removes(name: str, argv: Sequence[object], now_ms: float | None) -> bool:
    """Whether the command ``name`` only removes its keys: DEL, UNLINK, GETDEL, or an EXPIRE
    whose deadline is not after ``now_ms`` (which removes the key, or does nothing)."""
    if name in _REMOVALS:
        return True
    expiry = _EXPIRIES.get(name)
    if expiry is None or len(argv) < 3:
        return False
    unit, absolute = expiry
    try:
        amount = int(text(argv[2]))
    except ValueError:
        return False  # the server refuses it
    if not absolute:
        return amount <= 0
    return now_ms is not None and amount * unit <= now_ms


class JudgeState:
    """The memory of one test's judge: per-key policy facts, the keys and fields without a
    finding of their own, business fields held, and the last write of every key."""

    def __init__(self, policy: Policy, declared_tenant: str | None) -> None:
        self.policy = policy
        self.declared_tenant = declared_tenant
        # The endpoint or RQ job sending the commands being judged (the recording sets it).
        self.context: RuntimeContext | None = None
        self.tenant_required = policy.tenant.required
        self.keyspace = Keyspace()
        self.calls = 0
        # Raw key as sent -> its text, for keys nothing about which alone is a finding (not RQ's,
        # not business, in a key class, of an acceptable tenant); the fast path reads it inline.
        self.finding_free_keys: dict[object, str] = {}
        # Raw keys that alone are a finding: the general path judges every command on them.
        self._raw_keys_with_findings: set[object] = set()
        # Raw field name as sent -> its text, for fields that are not business fields.
        self._non_business_fields: dict[object, str] = {}
        # (server, db, key) -> the business fields written to it: a whole-value read reads them.
        self.business_fields_held: dict[tuple[str, int, str], set[str]] = {}
        self._policy_facts: dict[str, KeyFacts] = {}
        # The last write of each key, per (server, db), and the keys in the order first written.
        # Kept apart (not one dict by (server, db, key)): a key's string hashes once, a tuple
        # of three would hash on every write.
        self._last_writes: PerDatabase[dict[str, LastWrite]] = PerDatabase(dict)
        self._written_order: list[tuple[str, int, str]] = []
        # One tuple per distinct last write (bounded by the code's call sites), shared by every
        # key it wrote: one object for the garbage collector to walk, not one per key. The one
        # made last for each command is tried first, by identity: hashing a write hashes its
        # CallSite's three fields.
        self._distinct_writes: dict[LastWrite, LastWrite] = {}
        self._newest_write_of: dict[str, LastWrite] = {}

    def policy_facts(self, key: str) -> KeyFacts:
        """(rq, tenant, business, classified) of a key: one lookup per key, memoized."""
        facts = self._policy_facts.get(key)
        if facts is None:
            policy = self.policy
            key_class = policy.classify(key)
            through = key_class is not None and key_class.read_through
            facts = (
                policy.is_rq_key(key),
                policy.tenant_of(key),
                policy.is_business_key(key) and not through,
                key_class is not None,
            )
            if len(self._policy_facts) >= KEY_FACTS_LIMIT:
                self._policy_facts.clear()
            self._policy_facts[key] = facts
        return facts

    def finding_free_key(self, raw: object) -> str | None:
        """The key ``raw`` names when nothing about it alone is a finding: not RQ's, not
        business, in a key class, with an acceptable tenant. None otherwise."""
        try:
            return self.finding_free_keys[raw]
        except KeyError:
            pass
        except (TypeError, ValueError):  # unhashable, or a writable memoryview
            return None
        if (type(raw) is not str and type(raw) is not bytes) or raw in self._raw_keys_with_findings:
            return None
        key = text(raw)
        rq, tenant, business, classified = self.policy_facts(key)
        if (
            rq
            or business
            or not classified
            or (tenant is None and self.tenant_required)
            or (tenant is not None and self.declared_tenant not in (None, tenant))
        ):
            if len(self._raw_keys_with_findings) >= KEY_FACTS_LIMIT:
                self._raw_keys_with_findings.clear()
            self._raw_keys_with_findings.add(raw)
            return None
        if len(self.finding_free_keys) >= KEY_FACTS_LIMIT:
            self.finding_free_keys.clear()
        self.finding_free_keys[raw] = key
        return key

    def non_business_fields(
        self, args: tuple[object, ...], start: int, step: int
    ) -> list[str] | None:
        """The field names at ``args[start::step]``, or None when one is a business field."""
        known = self._non_business_fields
        fields = []
        for raw in args[start::step]:
            cacheable = type(raw) is str or type(raw) is bytes
            field = known.get(raw) if cacheable else None
            if field is None:
                field = text(raw)
                if self.policy.is_business_field(field):
                    return None
                if cacheable:
                    if len(known) >= KEY_FACTS_LIMIT:
                        known.clear()
                    known[raw] = field
            fields.append(field)
        return fields

    def note_write(
        self,
        server: str,
        db: int,
        key: str,
        command: str,
        site: CallSite | None,
        phase: str,
        ttl_unknown: bool,
    ) -> None:
        """Remember the last write of a key, whose TTL is judged at the end of the call."""
        if phase == "teardown":
            return
        written = self._last_writes.get(server, db)
        write = self._newest_write_of.get(command)
        if (
            write is None
            or write[_SITE] is not site
            or write[_PHASE] != phase
            or write[_TTL_UNKNOWN] != ttl_unknown
            or write[_CONTEXT] is not self.context
        ):
            made = LastWrite(command, site, phase, ttl_unknown, self.context)
            write = self._newest_write_of[command] = self._distinct_writes.setdefault(made, made)
        size = len(written)
        if written.setdefault(key, write) is not write:  # one lookup when it is unchanged
            written[key] = write
        elif len(written) != size:
            self._written_order.append((server, db, key))

    def last_writes(self) -> list[tuple[tuple[str, int, str], LastWrite]]:
        """((server, db, key), last write) of every key written, in the order first written."""
        written = self._last_writes
        return [
            ((server, db, key), written.get(server, db)[key])
            for server, db, key in self._written_order
        ]
