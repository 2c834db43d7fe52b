"""One test's verdicts: its findings judged against its marker exception and the register.

The run's ``Ledger`` judges a test's findings once at the end of its call phase (the outcome
depends on these verdicts), and again after teardown for what teardown added: findings already
judged keep their verdicts, and an RB902 the call phase already reported is not repeated.
Exceptions and dates are documented in docs/reference/exceptions.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from pytest_redis_boundary.core.findings import Finding, Verdict, merge
from pytest_redis_boundary.core.governance import GovernedException
from pytest_redis_boundary.core.verdicts import Ledger, covers
from pytest_redis_boundary.pytest_plugin.expectations import Expectations
from pytest_redis_boundary.pytest_plugin.recording import Recording

__all__ = ["GovernedTest"]


class GovernedTest:
    """A test's findings as governance sees them: the recording's, minus what its ``expect``
    blocks removed, with verdicts once its call phase ended."""

    def __init__(
        self,
        recording: Recording,
        expectations: Expectations,
        ledger: Ledger,
        *,
        marker_exception: GovernedException | None = None,
        register: Sequence[GovernedException] = (),
    ) -> None:
        self._recording = recording
        self._expectations = expectations
        self._ledger = ledger
        self._marker_exceptions = [] if marker_exception is None else [marker_exception]
        self._register = tuple(register)
        self.judged: list[Finding] | None = None  # with verdicts, from the end of the call phase
        self._call_verdicts: dict[tuple[object, ...], tuple[Verdict, str | None]] = {}
        self._call_rb902: list[Finding] = []  # what the ledger added at the end of the call
        self.ran = False  # set by judge_final: the test judged something (its marker counts)

    def unjudged(self) -> list[Finding]:
        """The findings so far, before governance."""
        return self._expectations.subtract(self._recording.findings())

    def judge_call(self) -> list[Finding]:
        """Judge the findings at the end of the call phase: they decide the test's outcome."""
        raw = self.unjudged()
        judged = self._ledger.judge(raw, test_exceptions=self._marker_exceptions)
        self._call_verdicts = {
            r.merge_key(): (j.verdict, j.exception) for r, j in zip(raw, judged, strict=False)
        }
        self._call_rb902 = judged[len(raw) :]
        self.judged = judged
        return judged

    def judge_final(self) -> list[Finding]:
        """After teardown: every finding of the test with its verdict, for the run's totals."""
        raw = self.unjudged()
        # A test that never reached its call phase (skipped, or an error in setup) and recorded
        # nothing says nothing about its marker exception: it is neither matched nor unused.
        self.ran = self.judged is not None or bool(raw)
        exceptions = self._marker_exceptions if self.ran else []
        if self.judged is None:
            return self._ledger.judge(raw, test_exceptions=exceptions)
        known = self._call_verdicts
        new = [f for f in raw if f.merge_key() not in known]
        judged_new = self._ledger.judge(new, test_exceptions=exceptions) if new else []
        reported = {f.message for f in self._call_rb902}
        final = [f.with_verdict(*known[f.merge_key()]) for f in raw if f.merge_key() in known]
        final.extend(self._call_rb902)
        final.extend(f for f in judged_new if f.rule != "RB902" or f.message not in reported)
        return final

    def findings_now(self) -> list[Finding]:
        """What ``redis_boundary.findings`` shows: governed findings once the call phase ended,
        else the findings so far (TTL findings only exist once the call phase ended)."""
        if self.judged is not None:
            return list(self.judged)
        return self.unjudged()

    def violations_now(self) -> list[Finding]:
        """Violations so far, TTLs judged as of now, not covered by an active exception."""
        found = self.findings_now()
        if not self._recording.call_ended:
            preview = self._expectations.subtract(merge(self._recording.provisional_ttl()))
            found = merge([*found, *preview])
        today = self._ledger.today
        active = [e for e in (*self._marker_exceptions, *self._register) if not e.is_expired(today)]
        ledger = self._ledger
        return [
            f
            for f in found
            if f.verdict == "violation"
            and not any(covers(e, f) for e in active)
            and not ledger.covered_by_baseline(f)
        ]
