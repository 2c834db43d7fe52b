"""Rules RB101 to RB302: a command stream, a policy and a declared tenant in; findings out.

``Judge`` watches one test. Each command is analysed (``commands``), applied to the key-state
model (``keyspace``) and checked at once for business keys and fields, the RQ namespace, key
classes and tenants. The TTL rules (RB201, RB202) are judged once, on the key state at the end of
the test's call phase, for every key written in setup or call; a command that only removes keys
(``only_removes``) writes none.

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
    single_word_name,
    split_argv,
)
from pytest_redis_boundary.core.events import CallSite, CommandEvent
from pytest_redis_boundary.core.fast_judge import HANDLER_BY_HEAD, fast_handler
from pytest_redis_boundary.core.findings import Finding, Verdict, key_shape
from pytest_redis_boundary.core.judge_state import MAY_ONLY_REMOVE, JudgeState, only_removes
from pytest_redis_boundary.core.keyspace import TtlClass
from pytest_redis_boundary.core.policy import Policy
from pytest_redis_boundary.core.runtime_context import RuntimeContext

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
    context: RuntimeContext | None = None


# ``_emit``'s default: the context of the command being judged (``JudgeState.context``).
_SENDING: Final = RuntimeContext("", "")

# A probe asks the server for a key's TTL class when the model cannot know it.
Probe = Callable[[str, int, str], "tuple[TtlClass, float | None]"]


class Judge(JudgeState):
    """Judges the Redis commands of one test against a policy."""

    def __init__(
        self,
        policy: Policy,
        *,
        test: str | None = None,
        declared_tenant: str | None = None,
    ) -> None:
        super().__init__(policy, declared_tenant)
        self.test = test
        # The general path calls this bound method on every command that can change the key
        # state: looked up once here, not as self.keyspace.apply_positional each time.
        self._apply_to_keyspace = self.keyspace.apply_positional
        self._groups: dict[tuple[object, ...], tuple[object, ...]] = {}
        self._found: dict[tuple[object, ...], Finding] = {}
        self._counts: dict[tuple[object, ...], int] = {}
        self._finished = False
        # Each written key's TTL at the end of the call phase (None: none), set by ``finish``.
        self.final_ttls: list[tuple[str, float | None]] = []
        self.fast_path_enabled = True  # False: every command takes the general path (tests)

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
        if self.fast_path_enabled and not in_script:
            # The table first, inline: a call to fast_handler costs more than the lookup.
            try:
                handler = HANDLER_BY_HEAD[args[0]]
            except (KeyError, TypeError, ValueError):
                handler = fast_handler(args[0])
            if handler is not None:
                connections = self.keyspace.connections
                conn = connections.get((server, connection)) if connections else None
                if conn is None:
                    use = handler(self, args, reply, server, db, site, time_ms, phase)
                    if use is not None:
                        return use
                elif conn.queue is not None and (reply == b"QUEUED" or reply == "QUEUED"):
                    use = self._queue_finding_free(
                        args, server, db, site, time_ms, phase, conn.queue
                    )
                    if use is not None:
                        return use
        name = single_word_name(args[0])
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
            curated = self._apply_to_keyspace(
                name, argv, reply, server, db, connection, time_ms, in_script
            )
        else:
            curated = name.startswith("JSON.")  # reads and no-ops change nothing
        if isinstance(reply, Exception):
            return use  # the server refused it: nothing was written or read
        removes = name in MAY_ONLY_REMOVE and only_removes(name, argv, time_ms)
        self._check(use, server, db, site, phase, curated, removes)
        return use

    def _queue_finding_free(
        self,
        args: tuple[object, ...],
        server: str,
        db: int,
        site: CallSite | None,
        time_ms: float | None,
        phase: str,
        queue: list[tuple[str, Sequence[object]]],
    ) -> CommandUse | None:
        """A command the fast path knows, queued inside MULTI on keys without findings of their
        own and without fields: the general path's effect (queued for EXEC, writes noted)
        without its detour."""
        name = single_word_name(args[0])
        if not name:
            return None
        use = analyse_argv(name, args)
        if use.fields_written or use.fields_read or use.declared_only or not use.known:
            return None
        held = self.business_fields_held if name in VALUE_READS else None
        for key, _, _ in use.keys:
            if self.finding_free_key(key) is None or (held and (server, db, key) in held):
                return None
        queue.append((name, args))
        self.calls += 1
        if name in MAY_ONLY_REMOVE and only_removes(name, args, time_ms):
            return use
        for key, _, write in use.keys:
            if write:
                self.note_write(server, db, key, name, site, phase, False)
        return use

    def _check(
        self,
        use: CommandUse,
        server: str,
        db: int,
        site: CallSite | None,
        phase: str,
        curated: bool,
        removes: bool,
    ) -> None:
        policy = self.policy
        name = use.name
        fields_written = use.fields_written
        for key, read, write in use.keys:
            rq, tenant, business, classified = self.policy_facts(key)
            if rq:
                self._emit("RB103", name, key, None, site, phase, None)
                continue
            if tenant is None:
                if self.tenant_required:
                    self._emit("RB301", name, key, None, site, phase, None)
            elif self.declared_tenant is not None and tenant != self.declared_tenant:
                self._emit("RB302", name, key, None, site, phase, tenant)
            if use.declared_only:
                continue
            if write:
                if not removes:
                    self.note_write(server, db, key, name, site, phase, not curated)
                fields = (
                    [f for k, f in fields_written if k == key and policy.is_business_field(f)]
                    if fields_written
                    else _NO_FIELDS
                )
                if fields and classified and policy.is_read_through(key):
                    fields = _NO_FIELDS  # a read-through class holds copies, not truth
                if business or fields:
                    for field in _or_none(fields):
                        self._emit("RB101", name, key, field, site, phase, tenant)
                    if fields:
                        self.business_fields_held.setdefault((server, db, key), set()).update(
                            fields
                        )
                elif not classified and not removes:
                    self._emit("RB203", name, key, None, site, phase, tenant)
            elif read:
                fields = [f for k, f in use.fields_read if k == key and policy.is_business_field(f)]
                if not fields and name in VALUE_READS and self.business_fields_held:
                    # A whole-value read of a key holding business fields reads them too.
                    held = self.business_fields_held.get((server, db, key), ())
                    fields = sorted(held)
                if fields and classified and policy.is_read_through(key):
                    fields = _NO_FIELDS
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
        for draft in self._ttl_verdicts(now_ms, probe, None, self.final_ttls):
            self._emit(*draft)

    def ttl_preview(
        self, now_ms: float | None, probe: Probe | None = None, keys: set[str] | None = None
    ) -> list[Finding]:
        """RB201/RB202 as if the call phase ended now, for the written ``keys`` (default all),
        without recording them: what ``expect`` blocks and ``assert_clean`` need mid-test."""
        return [self._finding(draft) for draft in self._ttl_verdicts(now_ms, probe, keys, None)]

    def _ttl_verdicts(
        self,
        now_ms: float | None,
        probe: Probe | None,
        keys: set[str] | None,
        observed: list[tuple[str, float | None]] | None,
    ) -> Iterator[_Draft]:
        """The TTL findings of the written ``keys``; each key's known TTL at the end (None: it
        has none) goes to ``observed`` too, so the inventory needs no second probe."""
        policy = self.policy
        for (server, db, key), write in self.last_writes():
            command, site, phase, ttl_unknown, context = write
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
            if observed is not None and cls != "unknown" and not (ttl_unknown and probe is None):
                observed.append((key, None if cls == "persistent" else ttl))
            draft = _Draft("RB201", command, key, None, site, phase, tenant, context=context)
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
        context: RuntimeContext | None = _SENDING,
    ) -> None:
        if context is _SENDING:
            context = self.context
        exact = (rule, site, key, field, verdict, context)
        group = self._groups.get(exact)
        if group is not None:
            self._counts[group] += 1
            return
        # Repeats at one site fold by key shape (t:acme:job:1 and t:acme:job:2 are one finding).
        group = (rule, site, key_shape(key, tenant), field, verdict, context)
        self._groups[exact] = group
        if group in self._found:
            self._counts[group] += 1
            return
        self._counts[group] = 1
        self._found[group] = self._finding(
            _Draft(
                rule,
                command,
                key,
                field,
                site,
                phase,
                tenant,
                verdict,
                ttl,
                limit,
                class_name,
                context,
            )
        )

    def _finding(self, draft: _Draft) -> Finding:
        rule, command, key, field, site, phase, tenant, verdict, ttl, limit, class_name = draft[:11]
        context = draft.context
        message = describe(
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
        )
        if context is not None:
            message = f"{message} during {context.label()}"
        return Finding(
            rule=rule,
            verdict=verdict,
            message=message,
            test=self.test,
            phase=phase,
            command=command,
            key=key,
            field=field,
            site=str(site) if site is not None else None,
            function=site.function if site is not None else None,
            tenant_id=tenant,
            key_ttl_seconds=ttl,
            context=context,
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
