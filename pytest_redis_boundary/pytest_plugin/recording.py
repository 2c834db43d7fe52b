"""One test's recording: every command it sends, judged in the order sent, in batches.

The recorder's sink feeds the current test's ``Recording`` from whichever thread or asyncio task
sent the command (a lock keeps the Judge consistent). What the judge loop writes for each command
lives beside it, one class per job: the last ``CALL_WINDOW`` calls (``CallWindow``), the calls
per call site (``SiteCounts``), the keys written. They share this module because mypyc compiles
it (``build.COMPILED_MODULES``): attribute access on a compiled class is a direct field access,
on a Python class a dictionary lookup, for every command.

Commands are judged in batches of up to ``HELD_LIMIT``: judging one command right after the
client library ran it finds the Judge's code and data evicted from the CPU caches, and judging a
batch in a row takes about half the wall time. A command is *held* only when holding it cannot
change its judgment or keep much memory: a client command (not one run inside a script) whose
arguments are all ``str``/``bytes`` of at most ``HELD_BYTES`` or numbers (never a
``memoryview``, whose bytes the caller may rewrite), at most ``HELD_ARGS`` of them, and whose
reply is nil, a number or such a short ``str``/``bytes`` (never a list: redis-py rewrites a
transaction's reply list in place after reading it). Any other command first judges everything
held, then itself, so the Judge always sees commands in the order they were sent. Everything
that reads the recording (findings, calls, written keys, a phase change, an ``expect`` block)
judges what is held first.

Governance (exceptions, verdicts) is not the recording's business: see ``governed``.
"""

from __future__ import annotations

import threading
import time
from contextvars import ContextVar
from typing import Final, NamedTuple

from pytest_redis_boundary.core.commands import CommandUse
from pytest_redis_boundary.core.events import CallSite, CommandEvent
from pytest_redis_boundary.core.findings import Finding, merge
from pytest_redis_boundary.core.inventory import InventoryEntry, describe_key
from pytest_redis_boundary.core.inventory_tally import InventoryTally
from pytest_redis_boundary.core.policy import Policy
from pytest_redis_boundary.core.rules import Judge, Probe
from pytest_redis_boundary.core.runtime_context import RuntimeContext
from pytest_redis_boundary.recorder.problem import RecordingProblem, command_name

__all__ = [
    "CALL_WINDOW",
    "HELD_ARGS",
    "HELD_BYTES",
    "HELD_LIMIT",
    "CallWindow",
    "RecordedCall",
    "Recording",
    "SiteCounts",
]

CALL_WINDOW: Final = 1_000
"""How many of a test's most recent calls ``redis_boundary.calls`` keeps."""

HELD_LIMIT: Final = 256
"""Commands held before they are judged together."""
HELD_BYTES: Final = 512
"""The longest ``str``/``bytes`` argument or reply a held command may carry."""
HELD_ARGS: Final = 16
"""The most arguments a held command may carry (so at most 2 MB is ever held)."""

_Held = tuple[
    tuple[object, ...],
    object,
    str,
    int,
    int,
    CallSite | None,
    bool,
    float | None,
    RuntimeContext | None,
]


class RecordedCall(NamedTuple):
    """One recorded command: its name, keys, phase and call site. Never its arguments' values."""

    name: str
    keys: tuple[str, ...]
    phase: str
    site: CallSite | None

    def __str__(self) -> str:
        keys = " ".join(self.keys)
        where = f"  {self.site} in {self.site.function}()" if self.site is not None else ""
        return f"{self.phase:<8} {self.name}{' ' + keys if keys else ''}{where}"


class CallWindow:
    """The last ``CALL_WINDOW`` judged calls, in preallocated ring buffers (the Judge's own
    ``CommandUse`` and the call site), and where each phase began."""

    def __init__(self) -> None:
        self.uses: list[CommandUse | None] = [None] * CALL_WINDOW
        self.sites: list[CallSite | None] = [None] * CALL_WINDOW
        self.total = 0  # calls ever written; the next one goes to slot total % CALL_WINDOW
        self.phase_starts: list[tuple[int, str]] = [(0, "setup")]  # (first call, phase)

    def start_phase(self, phase: str) -> None:
        self.phase_starts.append((self.total, phase))

    def calls(self) -> list[RecordedCall]:
        """The calls kept, oldest first."""
        total = self.total
        out = []
        for index in range(max(0, total - CALL_WINDOW), total):
            slot = index % CALL_WINDOW
            use = self.uses[slot]
            if use is None:
                continue
            keys = tuple(key for key, _, _ in use.keys)
            phase = next(p for first, p in reversed(self.phase_starts) if first <= index)
            out.append(RecordedCall(use.name, keys, phase, self.sites[slot]))
        return out


class SiteCount:
    """Calls judged at one call site."""

    def __init__(self, site: CallSite | None) -> None:
        self.site = site
        self.calls = 0


class SiteCounts:
    """Calls judged per call site. The judge loop updates the counts itself (see
    ``Recording._judge_loop``): a method call per command would cost more than the update."""

    def __init__(self) -> None:
        self.by_site: dict[CallSite | None, SiteCount] = {}
        self.last_by_name: dict[str, SiteCount] = {}  # the count each command name used last

    def calls_per_site(self) -> dict[CallSite | None, int]:
        return {site: count.calls for site, count in self.by_site.items()}


class Recording:
    """What one test sent: judged by its Judge, with its calls, call sites and written keys."""

    def __init__(
        self,
        nodeid: str,
        policy: Policy,
        *,
        declared_tenant: str | None = None,
        probe: Probe | None = None,
    ) -> None:
        """A test's recording; the keywords default to no tenant and no probe (a recording used
        outside a pytest session: tests, benchmarks)."""
        self.nodeid = nodeid
        self.judge = Judge(policy, test=nodeid, declared_tenant=declared_tenant)
        self.probe = probe
        self.active = True  # False: mode "off" for this test, nothing is fed
        self.call_ended = False  # the call phase ended: the TTLs of its keys are judged
        self._phase = "setup"
        # Re-entrant: the garbage collector can finalize a watching Pipeline while a command is
        # judged, and its __del__ sends UNWATCH, which reaches this recording on the same thread.
        self.lock = threading.RLock()
        # A list, not a deque: appending to a list and indexing it are direct calls when compiled.
        self._held: list[_Held] = []
        self._held_judged = 0  # how many of them the running judge loop has judged
        self._judging = False  # this recording's lock holder is in _judge_held
        self.errors: list[RecordingProblem] = []  # raised while judging held commands
        self.window = CallWindow()
        self.site_counts = SiteCounts()
        self.keys_written: set[str] = set()
        self.inventory = InventoryTally(lambda key: describe_key(policy, key))
        self.tracked_server: str | None = None  # a real server whose written keys are deleted
        self.tracked_writes: set[tuple[int, str]] = set()  # (db, key) written on tracked_server
        self.log_findings: list[Finding] = []  # RB401, from log records (``observability``)
        self._open_blocks: list[set[str]] = []  # keys written inside each open expect block
        # Where the sending thread or task says which endpoint or RQ job runs (contexts/);
        # None until a framework is hooked, so a suite without one reads no context variable.
        self.context_source: ContextVar[RuntimeContext | None] | None = None

    # --- the sink ---------------------------------------------------------------------------

    def feed(self, event: CommandEvent) -> None:
        self.feed_parts(
            event.args,
            event.reply,
            event.server,
            event.db,
            event.connection,
            event.site,
            event.origin == "script",
            event.time_ms,
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
    ) -> None:
        # Inline rather than a helper: this runs for every command the application sends.
        source = self.context_source
        context = source.get() if source is not None else None  # read on the sending thread
        held = self._held
        held.append((args, reply, server, db, connection, site, in_script, time_ms, context))
        kind = type(reply)
        if (
            not in_script
            and (
                reply is None
                or kind is int
                or ((kind is bytes or kind is str) and len(reply) <= HELD_BYTES)  # type: ignore[arg-type]
            )
            and len(args) <= HELD_ARGS
        ):
            for arg in args:
                kind = type(arg)
                if kind is str or kind is bytes:
                    if len(arg) > HELD_BYTES:  # type: ignore[arg-type]
                        break
                elif kind is not int and kind is not float:
                    break
            else:
                if len(held) - self._held_judged < HELD_LIMIT:
                    return  # held (while another thread judges, what it judged counts out)
        with self.lock:
            self._judge_held()

    def catch_up(self) -> None:
        """Judge every held command now."""
        if self._held:
            with self.lock:
                self._judge_held()

    def _judge_held(self) -> None:
        """Judge the held commands in the order they were sent (the lock is held)."""
        if self._judging:
            # Re-entered on this thread (a finalizer sent a command mid-judging): the loop
            # below judges it in its turn, after the command being judged.
            return
        self._judging = True
        try:
            self._judge_loop()
        finally:
            self._judging = False

    def _judge_loop(self) -> None:
        held = self._held
        judge = self.judge  # called as a method: compiled, a direct call
        phase = self._phase
        window = self.window
        uses = window.uses
        sites = window.sites
        by_site = self.site_counts.by_site
        last_by_name = self.site_counts.last_by_name
        keys_written = self.keys_written
        note_key = self.inventory.note
        tracked_server = self.tracked_server
        open_blocks = self._open_blocks
        context_now = judge.context
        done = 0
        try:
            while done < len(held):  # a command held while judging (a finalizer's) is judged too
                args, reply, server, db, connection, site, in_script, time_ms, context = held[done]
                done += 1
                if context is not context_now:  # contexts change per request or job, not often
                    judge.context = context_now = context
                self._held_judged = done
                try:
                    use = judge.feed_parts(
                        args, reply, server, db, connection, site, in_script, time_ms, phase
                    )
                except Exception as exc:  # reported like the recorder's sink errors
                    self.errors.append(
                        RecordingProblem(
                            "judge", exc, server=server, db=db, command=command_name(args)
                        )
                    )
                    continue
                if use is None:
                    continue
                slot = window.total % CALL_WINDOW
                uses[slot] = use
                sites[slot] = site
                window.total += 1
                # The count this command's name used last is tried first, by the site's
                # identity: hashing a CallSite hashes its three fields.
                count = last_by_name.get(use[0])
                if count is None or count.site is not site:
                    count = by_site.get(site)
                    if count is None:
                        count = by_site[site] = SiteCount(site)
                    last_by_name[use[0]] = count
                count.calls += 1
                kind = type(reply)
                if (
                    kind is not bytes
                    and kind is not int
                    and reply is not None
                    and isinstance(reply, Exception)  # a generic call: the usual kinds first
                ):
                    continue
                name = use[0]
                for key, read, write in use[1]:  # .keys: by index, a NamedTuple's field is a lookup
                    note_key(key, name, read, write, site)
                    if write:
                        keys_written.add(key)
                        if server == tracked_server:
                            self.tracked_writes.add((db, key))
                        for block in open_blocks:
                            block.add(key)
        finally:
            del held[:done]  # one call: a command another thread holds meanwhile stays
            self._held_judged = 0

    # --- phases -----------------------------------------------------------------------------

    @property
    def phase(self) -> str:
        return self._phase

    @phase.setter
    def phase(self, phase: str) -> None:
        """Commands held so far belong to the phase that sent them."""
        with self.lock:
            self._judge_held()
            self._phase = phase
            self.window.start_phase(phase)

    def finish_call(self, now_ms: float, probe: Probe | None) -> None:
        """The call phase ended: judge what is held, then the TTLs of the keys written."""
        with self.lock:
            self._judge_held()
            self.judge.finish(now_ms, probe)
            self.call_ended = True
            note_ttl = self.inventory.note_ttl
            for key, ttl in self.judge.final_ttls:
                note_ttl(key, ttl)
            self.judge.final_ttls.clear()

    # --- reading ----------------------------------------------------------------------------

    @property
    def call_count(self) -> int:
        self.catch_up()
        return self.judge.calls

    @property
    def site_calls(self) -> dict[CallSite | None, int]:
        """Calls judged so far per call site."""
        with self.lock:
            self._judge_held()
            return self.site_counts.calls_per_site()

    def calls(self) -> list[RecordedCall]:
        """The last ``CALL_WINDOW`` calls, oldest first."""
        with self.lock:
            self._judge_held()
            return self.window.calls()

    def tallies(self) -> tuple[list[str], dict[CallSite | None, int], int]:
        """(keys written, calls per call site, calls) for the run's totals."""
        with self.lock:  # a thread the test started may still be feeding it
            self._judge_held()
            return list(self.keys_written), self.site_counts.calls_per_site(), self.judge.calls

    def inventory_entries(self) -> list[InventoryEntry]:
        """The key shapes this test wrote or read, for the run's inventory."""
        with self.lock:
            self._judge_held()
            return self.inventory.entries()

    def take_tracked_writes(self) -> list[tuple[int, str]]:
        """The (db, key) pairs written on ``tracked_server`` since the last call, sorted."""
        with self.lock:
            self._judge_held()
            written = sorted(self.tracked_writes)
            self.tracked_writes.clear()
            return written

    def findings(self) -> list[Finding]:
        """The Judge's findings so far plus RB401, merged (same rule, site, key shape, field)
        and sorted; before expect blocks and governance."""
        with self.lock:
            self._judge_held()
            return merge([*self.judge.findings(), *self.log_findings])

    def provisional_ttl(self, keys: set[str] | None = None) -> list[Finding]:
        """RB201/RB202 as if the call phase ended now, for the written ``keys`` (default all)."""
        if self.call_ended:
            return []
        with self.lock:
            self._judge_held()
            return self.judge.ttl_preview(time.time() * 1000.0, self.probe, keys)

    # --- expect blocks ----------------------------------------------------------------------

    def open_block(self) -> set[str]:
        """Start collecting the keys written from now on (an ``expect`` block's)."""
        block: set[str] = set()
        with self.lock:
            self._judge_held()  # commands sent before the block are not the block's
            self._open_blocks.append(block)
        return block

    def close_block(self, block: set[str]) -> None:
        with self.lock:
            self._judge_held()
            self._open_blocks.remove(block)
