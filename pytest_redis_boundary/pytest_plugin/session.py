"""The session plugin: attributes every recorded command to the running test and phase, judges
each test at the end of its call phase, and gathers the run's totals.

Precedence of a test's mode (``_mode_of``): its closest ``redis_boundary`` marker, then
``--redis-boundary``/ini. The current test is one pointer, not thread-local: commands sent by
threads and asyncio tasks the test starts count for it. Commands sent while no test runs
(collection, between tests, session teardown after the last test) are not judged; a module- or
session-scoped fixture's Redis traffic counts for the test during whose setup or teardown it runs.
"""

from __future__ import annotations

import os
import time
import traceback
import warnings
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pytest

from pytest_redis_boundary.core.catalogue import HOW_TO_FIX, REFERENCE_HINT, RULE_NAMES
from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.governance import ExceptionInvalid, GovernedException
from pytest_redis_boundary.core.verdicts import Ledger, expiring_soon
from pytest_redis_boundary.core.warning import RedisBoundaryWarning
from pytest_redis_boundary.pytest_plugin.markers import (
    MarkerProblem,
    TestMarks,
    exception_from_raw,
    read_marks,
)
from pytest_redis_boundary.pytest_plugin.observability import ObservabilityWatch
from pytest_redis_boundary.pytest_plugin.options import Mode, Settings
from pytest_redis_boundary.pytest_plugin.probes import Prober, server_id_of_url
from pytest_redis_boundary.pytest_plugin.recording import Recording
from pytest_redis_boundary.pytest_plugin.summary import SummaryInput, render_summary
from pytest_redis_boundary.pytest_plugin.totals import RunTotals, key_class_name
from pytest_redis_boundary.recorder.hooks import Recorder

__all__ = [
    "MARKS_KEY",
    "RECORDING_KEY",
    "InvalidMarkers",
    "RedisBoundaryPlugin",
]

RECORDING_KEY: Final = pytest.StashKey[Recording]()
MARKS_KEY: Final = pytest.StashKey[TestMarks]()
_SECTION_KEY: Final = pytest.StashKey[str]()
WORKER_OUTPUT: Final = "redis_boundary"


class InvalidMarkers(pytest.Collector):
    """Stands in for a test whose redis-boundary markers are invalid: a collection error."""

    def __init__(self, *, problem: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problem = problem

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        raise self.CollectError(self.problem)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the controller (or a serial run) knows at the end of the session."""

    findings: list[Finding]
    unused: list[Finding]
    summary: SummaryInput


def _order(finding: Finding) -> tuple[object, ...]:
    return (*finding.sort_key(), finding.message, finding.verdict, finding.phase or "")


def describe_error(exc: BaseException) -> str:
    """A recording problem without its message, which might quote a stored value — unless it is
    a connection-level error."""
    name = f"{type(exc).__module__}.{type(exc).__qualname__}"
    where = ""
    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    if frames:
        last = frames[-1]
        where = f" at {os.path.basename(last.filename)}:{last.lineno} in {last.name}()"
    detail = ""
    if isinstance(exc, (OSError, TimeoutError)) or type(exc).__name__ in (
        "ConnectionError",
        "TimeoutError",
        "AuthenticationError",
    ):
        detail = f": {exc}"
    return f"{name}{where}{detail}"


def _dropped(*parts: object) -> None:
    """Where commands go while no test is running (collection, between tests)."""


class RedisBoundaryPlugin:
    """Registered as ``redis-boundary-session`` when redis-py is importable."""

    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self.is_worker = hasattr(config, "workerinput")
        self.ledger = Ledger(settings.policy.exceptions, today=settings.today)
        self.totals = RunTotals()
        self.current: Recording | None = None
        self.prober = Prober(settings.url)
        self.url_server = server_id_of_url(settings.url) if settings.url else None
        self.watch = ObservabilityWatch(settings.policy, settings.rootdir)
        self.recorder: Recorder | None = None
        self.outcome: Outcome | None = None
        if settings.mode != "off":
            self.recorder = Recorder(self.sink, rootdir=settings.rootdir, parts_sink=_dropped)

    # --- lifecycle --------------------------------------------------------------------------

    def install(self) -> None:
        if self.recorder is not None:
            self.recorder.install()
            self.config.add_cleanup(self.recorder.uninstall)
        self.config.add_cleanup(self.prober.close)

    def sink(self, event: Any) -> None:
        recording = self.current
        if recording is not None:
            recording.feed(event)

    # --- collection: markers are checked once, per test -------------------------------------

    @pytest.hookimpl(wrapper=True)
    def pytest_pycollect_makeitem(
        self, collector: pytest.Module | pytest.Class, name: str, obj: object
    ) -> Generator[None, Any, Any]:
        result = yield
        items = result if isinstance(result, list) else [result]
        for item in items:
            if not isinstance(item, pytest.Item):
                continue
            try:
                item.stash[MARKS_KEY] = read_marks(item)
            except (MarkerProblem, ExceptionInvalid) as problem:
                message = f"redis-boundary: invalid marker on {item.nodeid}:\n{problem}"
                return InvalidMarkers.from_parent(collector, name=name, problem=message)
        return result

    # --- running a test ---------------------------------------------------------------------

    def _marks(self, item: pytest.Item) -> TestMarks:
        marks = item.stash.get(MARKS_KEY, None)
        if marks is None:
            marks = item.stash[MARKS_KEY] = read_marks(item)
        return marks

    def _mode_of(self, item: pytest.Item) -> Mode:
        return self._marks(item).mode or self.settings.mode

    def _exceptions_of(self, item: pytest.Item) -> list[GovernedException]:
        exception = self._marks(item).exception
        return [exception] if exception is not None else []

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        if self.recorder is None:
            return (yield)
        invalid: str | None = None
        try:
            marks = self._marks(item)
        except (MarkerProblem, ExceptionInvalid) as problem:
            invalid = f"redis-boundary: invalid marker on {item.nodeid}:\n{problem}"
        if invalid is not None:
            # Items not built by pytest's Python collector (unittest.TestCase) are first seen
            # here: let every other setup run, then error with the message, not a traceback.
            yield
            pytest.fail(invalid, pytrace=False)
        policy = self.settings.policy
        today = self.settings.today
        recording = Recording(
            item.nodeid,
            policy,
            declared_tenant=marks.tenant,
            exception=marks.exception,
            register=policy.exceptions,
            probe=self.prober,
            today_ok=lambda e: not e.is_expired(today),
        )
        recording.active = self._mode_of(item) != "off"
        recording.track_server = self.url_server
        item.stash[RECORDING_KEY] = recording
        if recording.active:
            self.current = recording
            self.recorder.set_parts_sink(recording.feed_parts)
            self.watch.start(recording)
            self.recorder.start_script_capture()
        try:
            return (yield)
        finally:
            self._drain_errors(recording)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        recording = item.stash.get(RECORDING_KEY, None)
        if recording is None or not recording.active:
            return (yield)
        recording.phase = "call"
        try:
            result = yield
        except BaseException:
            self._end_call(item, recording, failed=True)
            raise
        self._end_call(item, recording, failed=False)
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, None, None]:
        recording = item.stash.get(RECORDING_KEY, None)
        if recording is None:
            return (yield)
        recording.phase = "teardown"
        try:
            return (yield)
        finally:
            # Detach first: a thread the test left running may still send commands.
            if self.current is recording:
                self.current = None
                if self.recorder is not None:
                    self.recorder.set_parts_sink(_dropped)
            try:
                if recording.active:
                    self._end_test(item, recording)
            finally:
                if recording.active:
                    self.watch.stop()
                    if self.recorder is not None:
                        self.recorder.stop_script_capture()
                del item.stash[RECORDING_KEY]

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if call.when == "call":
            section = item.stash.get(_SECTION_KEY, None)
            if section is not None:
                report.sections.append(("redis-boundary", section))
                del item.stash[_SECTION_KEY]
        return report

    # --- judging ----------------------------------------------------------------------------

    def _end_call(self, item: pytest.Item, recording: Recording, *, failed: bool) -> None:
        """The end of the call phase: TTLs, governance, then the mode decides the outcome."""
        __tracebackhide__ = True
        recording.finish_call(time.time() * 1000.0, self.prober)
        raw = recording.raw_findings()
        judged = self.ledger.judge(raw, test_exceptions=self._exceptions_of(item))
        recording.verdicts = {
            r.merge_key(): (j.verdict, j.exception) for r, j in zip(raw, judged, strict=False)
        }
        recording.extra = judged[len(raw) :]
        recording.judged = judged
        self._drain_errors(recording)
        mode = self._mode_of(item)
        violations = [f for f in judged if f.verdict == "violation"]
        raised: list[str] = []
        for finding in judged:
            if finding.verdict == "warning" or (mode == "warn" and finding.verdict == "violation"):
                try:
                    self._warn(item, finding)
                except RedisBoundaryWarning:  # -W error::...: the warning became an error
                    raised.append(finding.line())
        if raised and not failed:
            pytest.fail("\n".join(["RedisBoundaryWarning raised as an error:", *raised]), False)
        if failed:
            if judged:
                item.stash[_SECTION_KEY] = self._failure_text(recording, judged, violations, mode)
        elif mode == "strict" and violations:
            pytest.fail(self._failure_text(recording, judged, violations, mode), pytrace=False)

    def _end_test(self, item: pytest.Item, recording: Recording) -> None:
        """After teardown: judge what teardown added, and add the test to the run's totals."""
        self._drain_errors()
        raw = recording.raw_findings()
        # A test that never reached its call phase (skipped, or an error in setup) and recorded
        # nothing says nothing about its marker exception: it is neither matched nor unused.
        ran = recording.judged is not None or bool(raw)
        exceptions = self._exceptions_of(item) if ran else []
        if recording.judged is None:
            final = self.ledger.judge(raw, test_exceptions=exceptions)
        else:
            known = recording.verdicts
            new = [f for f in raw if f.merge_key() not in known]
            judged_new = self.ledger.judge(new, test_exceptions=exceptions) if new else []
            seen = {f.message for f in recording.extra}
            final = [f.with_verdict(*known[f.merge_key()]) for f in raw if f.merge_key() in known]
            final.extend(recording.extra)
            final.extend(f for f in judged_new if f.rule != "RB902" or f.message not in seen)
        policy = self.settings.policy
        keys_written, site_calls, call_count = recording.tallies()
        self._drain_errors(recording)
        by_class: dict[str, set[str]] = {}
        for key in keys_written:
            by_class.setdefault(key_class_name(policy, key), set()).add(key)
        self.totals.add_test(final, call_count, site_calls, by_class)
        raw_marker = self._marks(item).exception_raw
        if raw_marker is not None and ran:
            self.totals.markers[item.nodeid] = dict(raw_marker)

    def _warn(self, item: pytest.Item, finding: Finding) -> None:
        if finding.site is not None:
            path, _, line = finding.site.rpartition(":")
            lineno = int(line) if line.isdigit() else 0
        else:
            location = item.location
            path, lineno = location[0], (location[1] or 0) + 1
        warnings.warn_explicit(
            RedisBoundaryWarning(finding.line()), RedisBoundaryWarning, path, lineno
        )

    def _failure_text(
        self, recording: Recording, judged: list[Finding], violations: list[Finding], mode: str
    ) -> str:
        others = [f for f in judged if f.verdict != "violation"]
        lines = [
            f"redis-boundary ({mode}): {len(violations)} violation"
            f"{'' if len(violations) == 1 else 's'} of the Redis/RQ boundary in this test"
        ]
        lines.extend(f.line() for f in violations)
        if others:
            lines.append("not failing this test:")
            for finding in others:
                how = f"excepted by {finding.exception}" if finding.exception else finding.verdict
                lines.append(f"  [{how}] {finding.line()}")
        rules = sorted({f.rule for f in violations})
        if rules:
            lines.append("how to fix:")
            for rule in rules:
                fix = HOW_TO_FIX.get(rule, "")
                lines.append(f"  {rule} {RULE_NAMES.get(rule, '')}: {fix}")
            lines.append(REFERENCE_HINT)
        if self.config.get_verbosity() >= 1:
            calls = recording.calls()
            total = recording.call_count
            kept = f", the last {len(calls)} shown" if total > len(calls) else ""
            lines.append(f"recorded commands ({total}{kept}; names and keys only):")
            lines.extend(f"  {call}" for call in calls)
        return "\n".join(lines)

    def _drain_errors(self, recording: Recording | None = None) -> None:
        recorder = self.recorder
        errors: list[BaseException] = []
        if recorder is not None and recorder.errors:
            errors, recorder.errors = recorder.errors, []
        if recording is not None and recording.errors:
            # Swapped before it is read: a thread the test started may still append to it.
            judged, recording.errors = recording.errors, []
            errors.extend(judged)
        for exc in errors:
            text = describe_error(exc)
            self.totals.problems.append(text)
            warnings.warn(
                RedisBoundaryWarning(
                    f"redis-boundary could not record or judge a command ({text}); "
                    "this test's findings may be incomplete"
                ),
                stacklevel=2,
            )

    # --- end of the session -----------------------------------------------------------------

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """xdist controller: take a worker's totals and exception match counts."""
        data = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT)
        if not data:
            return
        self.totals.merge_wire(data["totals"])
        self.ledger.merge(data["counts"])

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.is_worker:
            workeroutput: dict[str, Any] = self.config.workeroutput  # type: ignore[attr-defined]
            workeroutput[WORKER_OUTPUT] = {
                "totals": self.totals.to_wire(),
                "counts": self.ledger.counts(),
            }
            return
        if self.recorder is None and not self.totals.tests:
            return
        self.outcome = self._finalize()
        if self.outcome.summary.strict_unused and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def _finalize(self) -> Outcome:
        settings = self.settings
        markers = []
        for nodeid, raw in sorted(self.totals.markers.items()):
            try:
                markers.append(exception_from_raw(nodeid, raw))
            except ExceptionInvalid:  # checked at collection; cannot happen
                continue
        self.ledger.add(markers)
        unused = self.ledger.unused_findings()
        findings = sorted([*self.totals.findings, *unused], key=_order)
        statuses = self.ledger.statuses()
        reports = self._write_reports(findings, statuses)
        summary = SummaryInput(
            mode=settings.mode,
            policy_source=settings.policy_source,
            today=settings.today,
            totals=self.totals,
            findings=findings,
            statuses=statuses,
            expiring=expiring_soon(
                self.ledger.exceptions,
                today=settings.today,
                within_days=settings.expiry_warning_days,
            ),
            strict_unused=unused if settings.strict_exceptions else [],
            reports=reports,
        )
        return Outcome(findings=findings, unused=unused, summary=summary)

    def _write_reports(
        self, findings: list[Finding], statuses: Sequence[Any]
    ) -> list[tuple[str, Path]]:
        settings = self.settings
        if settings.report is None and settings.sarif is None:
            return []
        from pytest_redis_boundary.pytest_plugin.reporting import write_reports

        return write_reports(
            findings=findings,
            statuses=statuses,
            totals=self.totals,
            today=settings.today,
            json_path=settings.report,
            sarif_path=settings.sarif,
            problems=self.totals.problems,
        )

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.outcome is None:
            return
        verbosity = self.config.get_verbosity()
        if verbosity < -1:
            return
        render_summary(terminalreporter, self.outcome.summary, verbosity=verbosity)
