"""The session plugin: attributes every recorded command to the running test and phase, judges
each test at the end of its call phase, and gathers the run's totals.

Precedence of a test's mode (``_mode_of``): its closest ``redis_boundary`` marker, then
``--redis-boundary``/ini. The current test is one pointer, not thread-local: commands sent by
threads and asyncio tasks the test starts count for it. Commands sent while no test runs
(collection, between tests, session teardown after the last test) are not judged; a module- or
session-scoped fixture's Redis traffic counts for the test during whose setup or teardown it runs.

Each hook is short and delegates: markers (``markers``), the recording (``recording``), expect
blocks (``expectations``), verdicts (``governed``), how a test ends (``outcome``, ``failure``),
recording errors (``problems``), the end of the run (``session_end``, ``summary``).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Generator, Iterator
from typing import Any, Final

import pytest

from pytest_redis_boundary.contexts import RUNTIME_CONTEXT, ContextHooks, handled_endpoints
from pytest_redis_boundary.core.governance import ExceptionInvalid
from pytest_redis_boundary.core.inventory import key_class_name
from pytest_redis_boundary.core.verdicts import Ledger
from pytest_redis_boundary.pytest_plugin.expectations import Expectations
from pytest_redis_boundary.pytest_plugin.failure import failure_text
from pytest_redis_boundary.pytest_plugin.governed import GovernedTest
from pytest_redis_boundary.pytest_plugin.markers import (
    MarkerProblem,
    TestMarks,
    invalid_marker_message,
    marks_of,
    read_marks_of_items,
)
from pytest_redis_boundary.pytest_plugin.observability import ObservabilityWatch
from pytest_redis_boundary.pytest_plugin.options import Mode, Settings
from pytest_redis_boundary.pytest_plugin.other_clients import unrecorded_client_modules
from pytest_redis_boundary.pytest_plugin.outcome import add_failure_section, settle_call
from pytest_redis_boundary.pytest_plugin.probes import Prober, server_id_of_url
from pytest_redis_boundary.pytest_plugin.problems import RecordingProblems
from pytest_redis_boundary.pytest_plugin.recording import Recording
from pytest_redis_boundary.pytest_plugin.session_end import conclude_session
from pytest_redis_boundary.pytest_plugin.stash import TEST_KEY, BoundaryTest
from pytest_redis_boundary.pytest_plugin.summary import SummaryInput, render_summary
from pytest_redis_boundary.pytest_plugin.totals import RunTotals
from pytest_redis_boundary.recorder.hooks import Recorder

__all__ = ["RedisBoundaryPlugin"]

WORKER_OUTPUT: Final = "redis_boundary"


def _drop_parts(*parts: object) -> None:
    """Where commands go while no test is running (collection, between tests)."""


class RedisBoundaryPlugin:
    """Registered as ``redis-boundary-session`` when redis-py is importable."""

    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self.is_worker = hasattr(config, "workerinput")
        self.ledger = Ledger(
            settings.policy.exceptions, today=settings.today, baseline=settings.policy.baseline
        )
        self.totals = RunTotals()
        self.current_recording: Recording | None = None
        self.prober = Prober(settings.url)
        self.url_server = server_id_of_url(settings.url) if settings.url else None
        self.observability = ObservabilityWatch(settings.policy, settings.rootdir)
        self.recorder: Recorder | None = None
        self.context_hooks = ContextHooks()
        self.summary: SummaryInput | None = None
        if settings.mode != "off":
            self.recorder = Recorder(
                self.sink,
                rootdir=settings.rootdir,
                parts_sink=_drop_parts,
                skip_modules=settings.policy.callsite.skip_modules,
            )
        self.problems = RecordingProblems(self.recorder, self.totals.problems)

    # --- lifecycle --------------------------------------------------------------------------

    def install(self) -> None:
        if self.recorder is not None:
            self.recorder.install()
            self.config.add_cleanup(self.recorder.uninstall)
            self.config.add_cleanup(self.context_hooks.restore)
        self.config.add_cleanup(self.prober.close)

    def sink(self, event: Any) -> None:
        recording = self.current_recording
        if recording is not None:
            recording.feed(event)

    # --- the hooks --------------------------------------------------------------------------

    @pytest.hookimpl(wrapper=True)
    def pytest_pycollect_makeitem(
        self, collector: pytest.Module | pytest.Class, name: str, obj: object
    ) -> Generator[None, Any, Any]:
        return read_marks_of_items(collector, name, (yield))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        with self._setup_phase(item):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        with self._call_phase(item):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, None, None]:
        with self._teardown_phase(item):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if call.when == "call":
            add_failure_section(item, report)
        return report

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """xdist controller: take a worker's totals and exception (and baseline) match counts."""
        data = getattr(node, "workeroutput", {}).get(WORKER_OUTPUT)
        if data:
            self.totals.merge_wire(data["totals"])
            self.ledger.merge(data["counts"])
            self.ledger.merge_frozen(data.get("frozen", ()))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.totals.unrecorded_clients.update(unrecorded_client_modules())
        # Requests handled after the last test ended (a session fixture's teardown) count too.
        self.totals.endpoints.update(handled_endpoints())
        if self.is_worker:
            workeroutput: dict[str, Any] = self.config.workeroutput  # type: ignore[attr-defined]
            workeroutput[WORKER_OUTPUT] = {
                "totals": self.totals.to_wire(),
                "counts": self.ledger.counts(),
                "frozen": self.ledger.frozen_counts(),
            }
            return
        if self.recorder is None and not self.totals.tests:
            return
        self.summary = conclude_session(self.settings, self.totals, self.ledger)
        if self.summary.strict_unused and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        verbosity = self.config.get_verbosity()
        if self.summary is not None and verbosity >= -1:
            render_summary(terminalreporter, self.summary, verbosity=verbosity)

    # --- the phases of one test -------------------------------------------------------------

    @contextlib.contextmanager
    def _setup_phase(self, item: pytest.Item) -> Iterator[None]:
        if self.recorder is None:
            yield
            return
        invalid: str | None = None
        try:
            marks = marks_of(item)
        except (MarkerProblem, ExceptionInvalid) as problem:
            invalid = invalid_marker_message(item, problem)
        if invalid is not None:
            # Items not built by pytest's Python collector (unittest.TestCase) are first seen
            # here: let every other setup run, then error with the message, not a traceback.
            yield
            pytest.fail(invalid, pytrace=False)
        test = self._start_test(item, marks)
        try:
            yield
        finally:
            self.problems.drain(item, test.recording)

    @contextlib.contextmanager
    def _call_phase(self, item: pytest.Item) -> Iterator[None]:
        test = item.stash.get(TEST_KEY, None)
        if test is None or not test.recording.active:
            yield
            return
        test.recording.phase = "call"
        try:
            yield
        except BaseException:
            self._end_call(item, test, failed=True)
            raise
        self._end_call(item, test, failed=False)

    @contextlib.contextmanager
    def _teardown_phase(self, item: pytest.Item) -> Iterator[None]:
        test = item.stash.get(TEST_KEY, None)
        if test is None:
            yield
            return
        recording = test.recording
        recording.phase = "teardown"
        try:
            yield
        finally:
            # Detach first: a thread the test left running may still send commands.
            if self.current_recording is recording:
                self._detach()
            try:
                if recording.active:
                    self._end_test(item, test)
            finally:
                if recording.active:
                    self.observability.stop()
                    if self.recorder is not None:
                        self.recorder.stop_script_capture()
                del item.stash[TEST_KEY]

    # --- what the phases do -----------------------------------------------------------------

    def _mode_of(self, item: pytest.Item) -> Mode:
        return marks_of(item).mode or self.settings.mode

    def _start_test(self, item: pytest.Item, marks: TestMarks) -> BoundaryTest:
        policy = self.settings.policy
        recording = Recording(item.nodeid, policy, declared_tenant=marks.tenant, probe=self.prober)
        if self.context_hooks.hook_imported():
            recording.context_source = RUNTIME_CONTEXT
        recording.active = self._mode_of(item) != "off"
        recording.tracked_server = self.url_server
        expectations = Expectations(recording)
        governed = GovernedTest(
            recording,
            expectations,
            self.ledger,
            marker_exception=marks.exception,
            register=policy.exceptions,
        )
        test = item.stash[TEST_KEY] = BoundaryTest(recording, expectations, governed)
        if recording.active:
            self._attach(recording)
        return test

    def _attach(self, recording: Recording) -> None:
        assert self.recorder is not None
        self.current_recording = recording
        self.recorder.set_parts_sink(recording.feed_parts)
        self.observability.start(recording)
        self.recorder.start_script_capture()

    def _detach(self) -> None:
        self.current_recording = None
        if self.recorder is not None:
            self.recorder.set_parts_sink(_drop_parts)

    def _end_call(self, item: pytest.Item, test: BoundaryTest, *, failed: bool) -> None:
        """The end of the call phase: TTLs, governance, then the mode decides the outcome."""
        __tracebackhide__ = True
        recording = test.recording
        recording.finish_call(time.time() * 1000.0, self.prober)
        judged = test.governed.judge_call()
        self.problems.drain(item, recording)
        mode = self._mode_of(item)

        def text() -> str:
            report = self.settings.report
            if self.config.get_verbosity() < 1:
                return failure_text(judged, mode=mode, report=report)
            return failure_text(
                judged,
                mode=mode,
                calls=recording.calls(),
                call_count=recording.call_count,
                report=report,
            )

        settle_call(item, judged, mode=mode, failed=failed, failure_text=text)

    def _end_test(self, item: pytest.Item, test: BoundaryTest) -> None:
        """After teardown: judge what teardown added, and add the test to the run's totals."""
        self.problems.drain(item)
        final = test.governed.judge_final()
        policy = self.settings.policy
        keys_written, site_calls, call_count = test.recording.tallies()
        self.problems.drain(item, test.recording)
        by_class: dict[str, set[str]] = {}
        for key in keys_written:
            by_class.setdefault(key_class_name(policy, key), set()).add(key)
        self.totals.add_test(final, call_count, site_calls, by_class)
        self.totals.add_inventory(test.recording.inventory_entries())
        self.totals.endpoints.update(handled_endpoints())
        raw_marker = marks_of(item).exception_raw
        if raw_marker is not None and test.governed.ran:
            self.totals.markers[item.nodeid] = dict(raw_marker)
