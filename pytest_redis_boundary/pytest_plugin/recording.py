"""One test's recording: its Judge, phase, recent calls, written keys and expected findings.

The recorder's sink feeds the current test's ``Recording`` from whichever thread or asyncio task
sent the command (a lock keeps the Judge consistent). The last ``CALL_WINDOW`` calls are kept in
preallocated ring buffers as the Judge's own ``CommandUse`` (name and keys, never values) and
the call site; the phase of each call follows from where each phase began.

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
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from types import TracebackType
from typing import Final, NamedTuple

from pytest_redis_boundary.core.commands import CommandUse
from pytest_redis_boundary.core.events import CallSite, CommandEvent
from pytest_redis_boundary.core.findings import Finding, Verdict, merge
from pytest_redis_boundary.core.governance import GovernedException
from pytest_redis_boundary.core.policy import Policy
from pytest_redis_boundary.core.rules import Judge, Probe
from pytest_redis_boundary.core.verdicts import covers

__all__ = ["CALL_WINDOW", "Expectation", "RecordedCall", "Recording"]

CALL_WINDOW: Final = 1_000
"""How many of a test's most recent calls ``redis_boundary.calls`` keeps."""

HELD_LIMIT: Final = 256
"""Commands held before they are judged together."""
HELD_BYTES: Final = 512
"""The longest ``str``/``bytes`` argument or reply a held command may carry."""
HELD_ARGS: Final = 16
"""The most arguments a held command may carry (so at most 2 MB is ever held)."""

_Held = tuple[tuple[object, ...], object, str, int, int, CallSite | None, bool, float | None]


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


class _SiteCount:
    """Calls judged at one call site."""

    def __init__(self, site: CallSite | None) -> None:
        self.site = site
        self.calls = 0


class Recording:
    """What the plugin knows about one test while it runs (``item.stash``)."""

    def __init__(
        self,
        nodeid: str,
        policy: Policy,
        *,
        declared_tenant: str | None = None,
        exception: GovernedException | None = None,
        register: tuple[GovernedException, ...] = (),
        probe: Probe | None = None,
        today_ok: Callable[[GovernedException], bool] = lambda exception: True,
    ) -> None:
        """A test's recording; the keywords default to no tenant, no exceptions and no probe
        (a recording used outside a pytest session: tests, benchmarks)."""
        self.nodeid = nodeid
        self.judge = Judge(policy, test=nodeid, declared_tenant=declared_tenant)
        self._phase = "setup"
        # A list, not a deque: appending to a list and indexing it are direct calls when compiled.
        self._held: list[_Held] = []
        self._held_judged = 0  # how many of them the running judge loop has judged
        self._judging = False  # this recording's lock holder is in _judge_held
        self.errors: list[Exception] = []  # raised while judging held commands
        # Re-entrant: the garbage collector can finalize a watching Pipeline while a command is
        # judged, and its __del__ sends UNWATCH, which reaches this recording on the same thread.
        self.lock = threading.RLock()
        self.probe = probe
        self._exceptions = tuple(e for e in (exception, *register) if e is not None)
        self._active = today_ok
        self._uses: list[CommandUse | None] = [None] * CALL_WINDOW
        self._phase_starts: list[tuple[int, str]] = [(0, "setup")]  # (first call, phase)
        self._sites: list[CallSite | None] = [None] * CALL_WINDOW
        self._next = 0
        self._site_counts: dict[CallSite | None, _SiteCount] = {}
        self._last_counts: dict[str, _SiteCount] = {}  # by command name: see _judge_loop
        self.keys_written: set[str] = set()
        self.track_server: str | None = None  # a real server whose written keys are deleted
        self.written: set[tuple[int, str]] = set()  # (db, key) written on track_server
        self.logged: list[Finding] = []  # RB401
        self._blocks: list[set[str]] = []
        self._removed: dict[tuple[object, ...], int] = {}
        self.active = True  # False: mode "off" for this test, nothing is fed
        self.finished = False
        self.judged: list[Finding] | None = None  # with verdicts, once governed
        self.verdicts: dict[tuple[object, ...], tuple[Verdict, str | None]] = {}
        self.extra: list[Finding] = []  # RB902 added by governance at the end of the call

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
        held = self._held
        held.append((args, reply, server, db, connection, site, in_script, time_ms))
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
        uses = self._uses
        sites = self._sites
        site_counts = self._site_counts
        last_counts = self._last_counts
        keys_written = self.keys_written
        track_server = self.track_server
        blocks = self._blocks
        done = 0
        try:
            while done < len(held):  # a command held while judging (a finalizer's) is judged too
                args, reply, server, db, connection, site, in_script, time_ms = held[done]
                done += 1
                self._held_judged = done
                try:
                    use = judge.feed_parts(
                        args, reply, server, db, connection, site, in_script, time_ms, phase
                    )
                except Exception as exc:  # reported like the recorder's sink errors
                    # Without its traceback, whose frames hold the command's arguments and reply.
                    exc.__context__ = exc.__cause__ = None
                    self.errors.append(exc.with_traceback(None))
                    continue
                if use is None:
                    continue
                slot = self._next % CALL_WINDOW
                uses[slot] = use
                sites[slot] = site
                self._next += 1
                # The count this command's name used last is tried first, by the site's
                # identity: hashing a CallSite hashes its three fields.
                count = last_counts.get(use[0])
                if count is None or count.site is not site:
                    count = site_counts.get(site)
                    if count is None:
                        count = site_counts[site] = _SiteCount(site)
                    last_counts[use[0]] = count
                count.calls += 1
                kind = type(reply)
                if (
                    kind is not bytes
                    and kind is not int
                    and reply is not None
                    and isinstance(reply, Exception)  # a generic call: the usual kinds first
                ):
                    continue
                for key, _, write in use[1]:  # .keys: by index, a NamedTuple's field is a lookup
                    if write:
                        keys_written.add(key)
                        if server == track_server:
                            self.written.add((db, key))
                        for block in blocks:
                            block.add(key)
        finally:
            del held[:done]  # one call: a command another thread holds meanwhile stays
            self._held_judged = 0

    @property
    def site_calls(self) -> dict[CallSite | None, int]:
        """Calls judged so far per call site."""
        with self.lock:
            self._judge_held()
            return {site: count.calls for site, count in self._site_counts.items()}

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
            self._phase_starts.append((self._next, phase))

    def finish_call(self, now_ms: float, probe: Probe | None) -> None:
        """The call phase ended: judge what is held, then the TTLs of the keys written."""
        with self.lock:
            self._judge_held()
            self.judge.finish(now_ms, probe)
            self.finished = True

    def tallies(self) -> tuple[list[str], dict[CallSite | None, int], int]:
        """(keys written, calls per call site, calls) for the run's totals."""
        with self.lock:  # a thread the test started may still be feeding it
            self._judge_held()
            return list(self.keys_written), self.site_calls, self.judge.calls

    def take_written(self) -> list[tuple[int, str]]:
        """The (db, key) pairs written on ``track_server`` since the last call, sorted."""
        with self.lock:
            self._judge_held()
            written = sorted(self.written)
            self.written.clear()
            return written

    # --- reading ----------------------------------------------------------------------------

    @property
    def call_count(self) -> int:
        self.catch_up()
        return self.judge.calls

    def calls(self) -> list[RecordedCall]:
        """The last ``CALL_WINDOW`` calls, oldest first."""
        with self.lock:
            self._judge_held()
            total = self._next
            start = max(0, total - CALL_WINDOW)
            out = []
            for index in range(start, total):
                slot = index % CALL_WINDOW
                use = self._uses[slot]
                if use is None:
                    continue
                keys = tuple(key for key, _, _ in use.keys)
                phase = next(p for first, p in reversed(self._phase_starts) if first <= index)
                out.append(RecordedCall(use.name, keys, phase, self._sites[slot]))
            return out

    def raw_findings(self) -> list[Finding]:
        """The Judge's findings so far plus RB401, before governance, minus expected ones;
        merged (same rule, site, key shape, field) and sorted."""
        return self._subtract(self._merged())

    def _merged(self) -> list[Finding]:
        with self.lock:
            self._judge_held()
            return merge([*self.judge.findings(), *self.logged])

    def _subtract(self, found: list[Finding]) -> list[Finding]:
        if not self._removed:
            return found
        out = []
        for finding in found:
            gone = self._removed.get(finding.merge_key(), 0)
            if gone >= finding.count:
                continue
            out.append(replace(finding, count=finding.count - gone) if gone else finding)
        return out

    def provisional_ttl(self, keys: set[str] | None = None) -> list[Finding]:
        """RB201/RB202 as if the call phase ended now, for the written ``keys`` (default all)."""
        if self.finished:
            return []
        with self.lock:
            self._judge_held()
            return self.judge.ttl_preview(time.time() * 1000.0, self.probe, keys)

    def current(self) -> list[Finding]:
        """What ``redis_boundary.findings`` shows: governed findings once the call phase ended,
        else the findings so far (TTL findings only exist once the call phase ended)."""
        if self.judged is not None:
            return list(self.judged)
        return self.raw_findings()

    def violations_now(self) -> list[Finding]:
        """Violations so far, TTLs judged as of now, not covered by an active exception."""
        found = self.current()
        if not self.finished:
            found = merge([*found, *self._subtract(merge(self.provisional_ttl()))])
        return [
            f
            for f in found
            if f.verdict == "violation"
            and not any(self._active(e) and covers(e, f) for e in self._exceptions)
        ]

    # --- expect blocks ----------------------------------------------------------------------

    def expect(self, rules: tuple[str, ...]) -> Expectation:
        return Expectation(self, rules)

    def _open_block(self) -> set[str]:
        block: set[str] = set()
        with self.lock:
            self._judge_held()  # commands sent before the block are not the block's
            self._blocks.append(block)
        return block

    def _close_block(self, block: set[str]) -> None:
        with self.lock:
            self._judge_held()
            self._blocks.remove(block)

    def _remove(self, findings: list[Finding]) -> None:
        for finding in findings:
            key = finding.merge_key()
            self._removed[key] = self._removed.get(key, 0) + finding.count


class Expectation:
    """``with redis_boundary.expect("RB101"):`` — the block must produce such findings.

    Findings of the expected rules produced inside the block are removed from the test's
    findings (and so from its outcome and the reports). RB201/RB202 are judged at block exit
    on the keys written inside the block, as if the call phase ended there.
    """

    def __init__(self, recording: Recording, rules: tuple[str, ...]) -> None:
        self._rec = recording
        self._rules = rules
        self._before: dict[tuple[object, ...], int] = {}
        self._block: set[str] = set()
        self.found: list[Finding] = []

    def __enter__(self) -> Expectation:
        self._before = {f.merge_key(): f.count for f in self._rec._merged()}
        self._block = self._rec._open_block()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        __tracebackhide__ = True
        self._rec._close_block(self._block)
        if exc_type is not None:
            return
        produced = list(self._produced())
        self.found = [f for f in produced if f.rule in self._rules]
        missing = [r for r in self._rules if not any(f.rule == r for f in self.found)]
        if missing:
            lines = [f"redis_boundary.expect: the block produced no {', '.join(missing)} finding"]
            if produced:
                lines.append("it produced:")
                lines.extend(f"  {f.line()}" for f in produced)
            else:
                lines.append("it produced no finding")
            raise AssertionError("\n".join(lines))
        self._rec._remove(self.found)

    def _produced(self) -> Iterator[Finding]:
        for finding in self._rec._merged():
            before = self._before.get(finding.merge_key(), 0)
            if finding.count > before:
                yield replace(finding, count=finding.count - before)
        yield from self._rec.provisional_ttl(self._block)
