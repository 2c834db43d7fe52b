"""Rules RB101 to RB302: a command stream, a policy and a declared tenant in; findings out.

``Judge`` watches one test. Each command is analysed (``commands``), applied to the key-state
model (``keyspace``) and checked at once for business keys and fields, the RQ namespace, key
classes and tenants. The TTL rules (RB201, RB202) are judged once, on the key state at the end of
the test's call phase, for every key written in setup or call.

What is kept: counts, findings, and per written key its state and last write site. Never the
arguments or replies of a command, so never a stored value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Final, NamedTuple

from pytest_redis_boundary.core.catalogue import RULE_NAMES
from pytest_redis_boundary.core.commands import (
    HOUSEKEEPING,
    VALUE_READS,
    CommandUse,
    analyse_argv,
    plain_name,
    split_argv,
    text,
)
from pytest_redis_boundary.core.events import CallSite, CommandEvent
from pytest_redis_boundary.core.findings import Finding, Verdict, key_shape
from pytest_redis_boundary.core.hotpath import BY_HEAD as _HOT
from pytest_redis_boundary.core.hotpath import hot_handler
from pytest_redis_boundary.core.keyspace import Keyspace, PerDatabase, TtlClass
from pytest_redis_boundary.core.policy import Policy

_FACTS_LIMIT: Final = 1_048_576  # per test; grows with distinct keys, like the key state
_NO_FIELDS: Final[list[str]] = []


class _Draft(NamedTuple):
    """A finding before it is one: what ``_emit`` and ``_finding`` are given."""

    rule: str
    command: str
    key: str | None
    field: str | None
    site: CallSite | None
    phase: str
    tenant: str | None
    verdict: Verdict = "violation"
    ttl: float | None = None
    limit: int | None = None
    class_name: str | None = None


class _Write(NamedTuple):
    """The last write of a key. A class, not a bare tuple type: compiled, a bare tuple type is
    unboxed into a C struct, and boxed again as a new tuple wherever it is stored."""

    command: str
    site: CallSite | None
    phase: str
    ttl_unknown: bool  # whether the write's effect on the TTL is unknown


# A probe asks the server for a key's TTL class when the model cannot know it.
Probe = Callable[[str, int, str], "tuple[TtlClass, float | None]"]


class Judge:
    """Judges the Redis commands of one test against a policy."""

    def __init__(
        self,
        policy: Policy,
        *,
        test: str | None = None,
        declared_tenant: str | None = None,
    ) -> None:
        self.policy = policy
        self.test = test
        self.declared_tenant = declared_tenant
        self.keyspace = Keyspace()
        self._apply = self.keyspace.apply_positional
        self.calls = 0
        # The last write of each key, per (server, db), and the keys in the order first written.
        # Kept apart (not one dict by (server, db, key)): a key's string hashes once, a tuple
        # of three would hash on every write.
        self._written: PerDatabase[dict[str, _Write]] = PerDatabase(dict)
        self._written_order: list[tuple[str, int, str]] = []
        # One tuple per distinct last write (bounded by the code's call sites), shared by every
        # key it wrote: one object for the garbage collector to walk, not one per key. The one
        # made last for each command is tried first, by identity: hashing a write hashes its
        # CallSite's three fields.
        self._writes: dict[_Write, _Write] = {}
        self._last_write: dict[str, _Write] = {}
        self._business_fields: dict[tuple[str, int, str], set[str]] = {}
        self._groups: dict[tuple[object, ...], tuple[object, ...]] = {}
        self._found: dict[tuple[object, ...], Finding] = {}
        self._counts: dict[tuple[object, ...], int] = {}
        self._finished = False
        self._facts: dict[str, tuple[bool, str | None, bool, bool]] = {}
        self._tenant_required = policy.tenant.required
        self._clean: dict[object, str] = {}
        self._clean_fields: dict[object, str] = {}
        self._dirty: set[object] = set()
        self.hot = True  # False: every command takes the general path (tests compare both)

    # --- one command -------------------------------------------------------------------------

    def feed(self, event: CommandEvent, phase: str = "call") -> CommandUse | None:
        """Judge one command and apply it to the model. Returns what it touched (None: skipped)."""
        return self.feed_parts(
            event.args,
            event.reply,
            event.server,
            event.db,
            event.connection,
            event.site,
            event.origin == "script",
            event.time_ms,
            phase,
        )

    def feed_parts(
        self,
        args: tuple[object, ...],
        reply: object,
        server: str,
        db: int,
        connection: int,
        site: CallSite | None,
        in_script: bool,
        time_ms: float | None,
        phase: str,
    ) -> CommandUse | None:
        """``feed`` with the event's fields as arguments: the recorder's hot path builds no
        ``CommandEvent``."""
        if not args:
            return None
        if self.hot and not in_script:
            try:
                handler = _HOT[args[0]]
            except (KeyError, TypeError, ValueError):
                handler = hot_handler(args[0])
            if handler is not None:
                connections = self.keyspace._connections
                conn = connections.get((server, connection)) if connections else None
                if conn is None:
                    use = handler(self, args, reply, server, db, site, time_ms, phase)
                    if use is not None:
                        return use
                elif conn.queue is not None and (reply == b"QUEUED" or reply == "QUEUED"):
                    use = self._queue_clean(args, server, db, site, phase, conn.queue)
                    if use is not None:
                        return use
        name = plain_name(args[0])
        if name is None:
            name, argv = split_argv(args)
            if name in HOUSEKEEPING or name.partition(" ")[0] in HOUSEKEEPING:
                return None
        elif not name:
            return None  # housekeeping
        else:
            argv = args
        self.calls += 1
        use = analyse_argv(name, argv)
        keyspace = self.keyspace
        if name in keyspace.AFFECTING or keyspace.has_connection_state:
            curated = self._apply(name, argv, reply, server, db, connection, time_ms, in_script)
        else:
            curated = name.startswith("JSON.")  # reads and no-ops change nothing
        if isinstance(reply, Exception):
            return use  # the server refused it: nothing was written or read
        self._check(use, server, db, site, phase, curated)
        return use

    def _queue_clean(
        self,
        args: tuple[object, ...],
        server: str,
        db: int,
        site: CallSite | None,
        phase: str,
        queue: list[tuple[str, Sequence[object]]],
    ) -> CommandUse | None:
        """A command the hot path knows, queued inside MULTI on clean keys without fields: the
        general path's effect (queued for EXEC, writes noted) without its detour."""
        name = plain_name(args[0])
        if not name:
            return None
        use = analyse_argv(name, args)
        if use.fields_written or use.fields_read or use.declared_only or not use.known:
            return None
        held = self._business_fields if name in VALUE_READS else None
        for key, _, _ in use.keys:
            if self.clean_key(key) is None or (held and (server, db, key) in held):
                return None
        queue.append((name, args))
        self.calls += 1
        for key, _, write in use.keys:
            if write:
                self.note_write(server, db, key, name, site, phase, False)
        return use

    # --- what the hot path needs ------------------------------------------------------------

    def clean_key(self, raw: object) -> str | None:
        """The key ``raw`` names when nothing about it alone is a finding: not RQ's, not
        business, in a key class, with an acceptable tenant. None otherwise."""
        try:
            return self._clean[raw]
        except KeyError:
            pass
        except (TypeError, ValueError):  # unhashable, or a writable memoryview
            return None
        if (type(raw) is not str and type(raw) is not bytes) or raw in self._dirty:
            return None
        key = text(raw)
        rq, tenant, business, classified = self._key_facts(key)
        if (
            rq
            or business
            or not classified
            or (tenant is None and self._tenant_required)
            or (tenant is not None and self.declared_tenant not in (None, tenant))
        ):
            if len(self._dirty) >= _FACTS_LIMIT:
                self._dirty.clear()
            self._dirty.add(raw)
            return None
        if len(self._clean) >= _FACTS_LIMIT:
            self._clean.clear()
        self._clean[raw] = key
        return key

    def clean_fields(self, args: tuple[object, ...], start: int, step: int) -> list[str] | None:
        """The field names at ``args[start::step]``, or None when one is a business field."""
        clean = self._clean_fields
        fields = []
        for raw in args[start::step]:
            cacheable = type(raw) is str or type(raw) is bytes
            field = clean.get(raw) if cacheable else None
            if field is None:
                field = text(raw)
                if self.policy.is_business_field(field):
                    return None
                if cacheable:
                    if len(clean) >= _FACTS_LIMIT:
                        clean.clear()
                    clean[raw] = field
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
        written = self._written.get(server, db)
        write = self._last_write.get(command)
        if write is None or write[1] is not site or write[2] != phase or write[3] != ttl_unknown:
            made = _Write(command, site, phase, ttl_unknown)
            write = self._last_write[command] = self._writes.setdefault(made, made)
        size = len(written)
        if written.setdefault(key, write) is not write:  # one lookup when it is unchanged
            written[key] = write
        elif len(written) != size:
            self._written_order.append((server, db, key))

    def last_writes(self) -> list[tuple[tuple[str, int, str], _Write]]:
        """((server, db, key), last write) of every key written, in the order first written."""
        written = self._written
        return [
            ((server, db, key), written.get(server, db)[key])
            for server, db, key in self._written_order
        ]

    def _key_facts(self, key: str) -> tuple[bool, str | None, bool, bool]:
        """(rq, tenant, business, classified) of a key: one lookup per key, memoized."""
        facts = self._facts.get(key)
        if facts is None:
            policy = self.policy
            facts = (
                policy.is_rq_key(key),
                policy.tenant_of(key),
                policy.is_business_key(key),
                policy.classify(key) is not None,
            )
            if len(self._facts) >= _FACTS_LIMIT:
                self._facts.clear()
            self._facts[key] = facts
        return facts

    def _check(
        self,
        use: CommandUse,
        server: str,
        db: int,
        site: CallSite | None,
        phase: str,
        curated: bool,
    ) -> None:
        policy = self.policy
        name = use.name
        fields_written = use.fields_written
        for key, read, write in use.keys:
            rq, tenant, business, classified = self._key_facts(key)
            if rq:
                self._emit("RB103", name, key, None, site, phase, None)
                continue
            if tenant is None:
                if self._tenant_required:
                    self._emit("RB301", name, key, None, site, phase, None)
            elif self.declared_tenant is not None and tenant != self.declared_tenant:
                self._emit("RB302", name, key, None, site, phase, tenant)
            if use.declared_only:
                continue
            if write:
                self.note_write(server, db, key, name, site, phase, not curated)
                fields = (
                    [f for k, f in fields_written if k == key and policy.is_business_field(f)]
                    if fields_written
                    else _NO_FIELDS
                )
                if business or fields:
                    for field in _or_none(fields):
                        self._emit("RB101", name, key, field, site, phase, tenant)
                    if fields:
                        self._business_fields.setdefault((server, db, key), set()).update(fields)
                elif not classified:
                    self._emit("RB203", name, key, None, site, phase, tenant)
            elif read:
                fields = [f for k, f in use.fields_read if k == key and policy.is_business_field(f)]
                if not fields and name in VALUE_READS and self._business_fields:
                    # A whole-value read of a key holding business fields reads them too.
                    held = self._business_fields.get((server, db, key), ())
                    fields = sorted(held)
                if business or fields:
                    for field in _or_none(fields):
                        self._emit("RB102", name, key, field, site, phase, tenant)
        if not use.known and not curated:
            self._emit("RB201", name, None, None, site, phase, None, verdict="warning")

    # --- end of the call phase ---------------------------------------------------------------

    def finish(self, now_ms: float | None, probe: Probe | None = None) -> None:
        """Judge TTLs on the key state at the end of the call phase (once)."""
        if self._finished:
            return
        self._finished = True
        for draft in self._ttl_verdicts(now_ms, probe, None):
            self._emit(*draft)

    def ttl_preview(
        self, now_ms: float | None, probe: Probe | None = None, keys: set[str] | None = None
    ) -> list[Finding]:
        """RB201/RB202 as if the call phase ended now, for the written ``keys`` (default all),
        without recording them: what ``expect`` blocks and ``assert_clean`` need mid-test."""
        return [self._finding(draft) for draft in self._ttl_verdicts(now_ms, probe, keys)]

    def _ttl_verdicts(
        self, now_ms: float | None, probe: Probe | None, keys: set[str] | None
    ) -> Iterator[_Draft]:
        policy = self.policy
        for (server, db, key), (command, site, phase, ttl_unknown) in self.last_writes():
            if phase == "teardown" or policy.is_rq_key(key):
                continue
            if keys is not None and key not in keys:
                continue
            tenant = policy.tenant_of(key)
            cls: TtlClass = self.keyspace.ttl_class(key, server=server, db=db, now=now_ms)
            ttl = self.keyspace.ttl_seconds(key, server=server, db=db, now=now_ms)
            if (ttl_unknown or cls == "unknown") and probe is not None:
                cls, ttl = probe(server, db, key)
            if cls == "absent":
                continue
            draft = _Draft("RB201", command, key, None, site, phase, tenant)
            if cls == "unknown" or (ttl_unknown and probe is None):
                yield draft._replace(verdict="warning")
            elif cls == "persistent":
                yield draft
            else:
                key_class = policy.classify(key)
                limit = key_class.max_ttl_seconds if key_class is not None else None
                if key_class is not None and limit is not None and ttl is not None and ttl > limit:
                    yield draft._replace(
                        rule="RB202", ttl=round(ttl, 3), limit=limit, class_name=key_class.name
                    )

    # --- findings ----------------------------------------------------------------------------

    def _emit(
        self,
        rule: str,
        command: str,
        key: str | None,
        field: str | None,
        site: CallSite | None,
        phase: str,
        tenant: str | None,
        verdict: Verdict = "violation",
        ttl: float | None = None,
        limit: int | None = None,
        class_name: str | None = None,
    ) -> None:
        exact = (rule, site, key, field, verdict)
        group = self._groups.get(exact)
        if group is not None:
            self._counts[group] += 1
            return
        # Repeats at one site fold by key shape (t:acme:job:1 and t:acme:job:2 are one finding).
        group = (rule, site, key_shape(key, tenant), field, verdict)
        self._groups[exact] = group
        if group in self._found:
            self._counts[group] += 1
            return
        self._counts[group] = 1
        self._found[group] = self._finding(
            _Draft(rule, command, key, field, site, phase, tenant, verdict, ttl, limit, class_name)
        )

    def _finding(self, draft: _Draft) -> Finding:
        rule, command, key, field, site, phase, tenant, verdict, ttl, limit, class_name = draft
        return Finding(
            rule=rule,
            verdict=verdict,
            message=describe(
                rule,
                command,
                key,
                field,
                site,
                tenant,
                self.declared_tenant,
                ttl=ttl,
                limit=limit,
                class_name=class_name,
                verdict=verdict,
            ),
            test=self.test,
            phase=phase,
            command=command,
            key=key,
            field=field,
            site=str(site) if site is not None else None,
            function=site.function if site is not None else None,
            tenant_id=tenant,
            key_ttl_seconds=ttl,
        )

    def findings(self) -> list[Finding]:
        """Merged (same rule, site, key shape, field) and sorted."""
        found = [replace(f, count=self._counts[k]) for k, f in self._found.items()]
        return sorted(found, key=Finding.sort_key)


def describe(
    rule: str,
    command: str,
    key: str | None,
    field: str | None,
    site: CallSite | None,
    tenant: str | None,
    declared_tenant: str | None,
    *,
    ttl: float | None = None,
    limit: int | None = None,
    class_name: str | None = None,
    verdict: Verdict = "violation",
) -> str:
    """One line: ``RB101 business-write: HSET t:acme:job:42 field 'status' at
    app/jobs.py:17 in mark_done()``."""
    parts = [f"{rule} {RULE_NAMES[rule]}: {command}"]
    if key is not None:
        parts.append(f" {key}")
    if field is not None:
        parts.append(f" field '{field}'")
    if site is not None:
        parts.append(f" at {site} in {site.function}()")
    detail = ""
    if rule == "RB201":
        detail = (
            " (its TTL effect is unknown to the model)"
            if verdict == "warning"
            else " (left without a TTL at the end of the test)"
        )
    elif rule == "RB202":
        detail = f" (TTL {ttl:g}s > {class_name}.max_ttl_seconds {limit})"
    elif rule == "RB302":
        detail = f" (key of tenant '{tenant}', test declared '{declared_tenant}')"
    elif rule == "RB203":
        detail = " (matches no key class)"
    return "".join(parts) + detail


def _or_none(fields: list[str]) -> list[str | None]:
    """The fields to report, or one finding without a field."""
    return list(fields) if fields else [None]
