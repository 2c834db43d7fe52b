"""``with redis_boundary.expect("RB101"):`` blocks, and the findings they take from the test.

A block must produce findings of each expected rule. The findings of the expected rules
produced inside the block are removed from the test's findings (and so from its outcome and the
reports). RB201/RB202 are judged at block exit on the keys written inside the block, as if the
call phase ended there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from types import TracebackType

from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.pytest_plugin.recording import Recording

__all__ = ["Expectation", "Expectations"]


class Expectations:
    """A test's ``expect`` blocks, and how many of each finding they removed."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self._removed: dict[tuple[object, ...], int] = {}  # merge key -> count removed

    def expect(self, rules: tuple[str, ...]) -> Expectation:
        return Expectation(self, rules)

    def remove(self, findings: list[Finding]) -> None:
        for finding in findings:
            key = finding.merge_key()
            self._removed[key] = self._removed.get(key, 0) + finding.count

    def subtract(self, found: list[Finding]) -> list[Finding]:
        """``found`` without what the blocks removed (merged findings: one per merge key)."""
        if not self._removed:
            return found
        out = []
        for finding in found:
            gone = self._removed.get(finding.merge_key(), 0)
            if gone >= finding.count:
                continue
            out.append(replace(finding, count=finding.count - gone) if gone else finding)
        return out


class Expectation:
    """One ``expect`` block: ``found`` holds the expected findings it produced."""

    def __init__(self, expectations: Expectations, rules: tuple[str, ...]) -> None:
        self._expectations = expectations
        self._recording = expectations.recording
        self._rules = rules
        self._counts_before: dict[tuple[object, ...], int] = {}
        self._keys_written: set[str] = set()
        self.found: list[Finding] = []

    def __enter__(self) -> Expectation:
        self._counts_before = {f.merge_key(): f.count for f in self._recording.findings()}
        self._keys_written = self._recording.open_block()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        __tracebackhide__ = True
        self._recording.close_block(self._keys_written)
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
        self._expectations.remove(self.found)

    def _produced(self) -> Iterator[Finding]:
        for finding in self._recording.findings():
            before = self._counts_before.get(finding.merge_key(), 0)
            if finding.count > before:
                yield replace(finding, count=finding.count - before)
        yield from self._recording.provisional_ttl(self._keys_written)
