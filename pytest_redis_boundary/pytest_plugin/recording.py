"""One test's recording: its Judge, phase, recent calls, written keys and expected findings.

The recorder's sink feeds the current test's ``Recording`` from whichever thread or asyncio task
sent the command (a lock keeps the Judge consistent). The sink path does the Judge's work plus a
few slot stores: the last ``CALL_WINDOW`` calls are kept in preallocated ring buffers as the
Judge's own ``CommandUse`` (name and keys, never values), the phase and the call site.
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


class Recording:
    """What the plugin knows about one test while it runs (``item.stash``)."""

    def __init__(
        self,
        nodeid: str,
        policy: Policy,
        *,
        declared_tenant: str | None,
        exception: GovernedException | None,
        register: tuple[GovernedException, ...],
        probe: Probe | None,
        today_ok: Callable[[GovernedException], bool],
    ) -> None:
        self.nodeid = nodeid
        self.judge = Judge(policy, test=nodeid, declared_tenant=declared_tenant)
        self.phase = "setup"
        # Re-entrant: the garbage collector can finalize a watching Pipeline while a command is
        # judged, and its __del__ sends UNWATCH, which reaches this recording on the same thread.
        self.lock = threading.RLock()
        self.probe = probe
        self._exceptions = tuple(e for e in (exception, *register) if e is not None)
        self._active = today_ok
        self._uses: list[CommandUse | None] = [None] * CALL_WINDOW
        self._phases: list[str] = [""] * CALL_WINDOW
        self._sites: list[CallSite | None] = [None] * CALL_WINDOW
        self._next = 0
        self.site_calls: dict[CallSite | None, int] = {}
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
        with self.lock:
            phase = self.phase
            use = self.judge.feed_parts(
                args, reply, server, db, connection, site, in_script, time_ms, phase
            )
            if use is None:
                return
            slot = self._next % CALL_WINDOW
            self._uses[slot] = use
            self._phases[slot] = phase
            self._sites[slot] = site
            self._next += 1
            site_calls = self.site_calls
            site_calls[site] = site_calls.get(site, 0) + 1
            if isinstance(reply, Exception):
                return
            for key_use in use.keys:
                if key_use.write:
                    key = key_use.key
                    self.keys_written.add(key)
                    if server == self.track_server:
                        self.written.add((db, key))
                    for block in self._blocks:
                        block.add(key)

    # --- reading ----------------------------------------------------------------------------

    @property
    def call_count(self) -> int:
        return self.judge.calls

    def calls(self) -> list[RecordedCall]:
        """The last ``CALL_WINDOW`` calls, oldest first."""
        with self.lock:
            total = self._next
            start = max(0, total - CALL_WINDOW)
            out = []
            for index in range(start, total):
                slot = index % CALL_WINDOW
                use = self._uses[slot]
                if use is None:
                    continue
                keys = tuple(k.key for k in use.keys)
                out.append(RecordedCall(use.name, keys, self._phases[slot], self._sites[slot]))
            return out

    def raw_findings(self) -> list[Finding]:
        """The Judge's findings so far plus RB401, before governance, minus expected ones;
        merged (same rule, site, key shape, field) and sorted."""
        return self._subtract(self._merged())

    def _merged(self) -> list[Finding]:
        with self.lock:
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
            self._blocks.append(block)
        return block

    def _close_block(self, block: set[str]) -> None:
        with self.lock:
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
