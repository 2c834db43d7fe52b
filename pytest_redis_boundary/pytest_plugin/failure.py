"""The text of a strict failure (and of a failing test's ``redis-boundary`` report section).

One line per violation (the first ``SHOWN_FINDINGS``, then how many more and where they all are),
then what does not fail the test (capped the same way), how to fix each rule broken (from the
catalogue) and where the rules are explained; with ``-v``, the recorded commands (names and keys,
never values).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

from pytest_redis_boundary.core.catalogue import HOW_TO_FIX, REFERENCE_HINT, RULE_NAMES
from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.pytest_plugin.recording import RecordedCall

__all__ = ["SHOWN_FINDINGS", "failure_text"]

SHOWN_FINDINGS: Final = 10
"""Violations listed in one failure (and as many of its other findings); the rest are counted."""


def _more(left_out: int, what: str, report: Path | None) -> str:
    where = (
        f"all are in the JSON report {report}"
        if report is not None
        else "list them all with --redis-boundary-report=PATH"
    )
    return f"... and {left_out} more {what} ({where})"


def failure_text(
    judged: Sequence[Finding],
    *,
    mode: str,
    calls: Sequence[RecordedCall] | None = None,
    call_count: int = 0,
    report: Path | None = None,
) -> str:
    """``calls``: the recorded commands kept (the last of ``call_count``), or None to leave
    them out; ``report``: the JSON report's path, where the findings left out can be read."""
    violations = [f for f in judged if f.verdict == "violation"]
    others = [f for f in judged if f.verdict != "violation"]
    lines = [
        f"redis-boundary ({mode}): {len(violations)} violation"
        f"{'' if len(violations) == 1 else 's'} of the Redis/RQ boundary in this test"
    ]
    lines.extend(f.line() for f in violations[:SHOWN_FINDINGS])
    if len(violations) > SHOWN_FINDINGS:
        lines.append(_more(len(violations) - SHOWN_FINDINGS, "violations", report))
    if others:
        lines.append("not failing this test:")
        for finding in others[:SHOWN_FINDINGS]:
            how = f"excepted by {finding.exception}" if finding.exception else finding.verdict
            lines.append(f"  [{how}] {finding.line()}")
        if len(others) > SHOWN_FINDINGS:
            lines.append("  " + _more(len(others) - SHOWN_FINDINGS, "findings", report))
    rules = sorted({f.rule for f in violations})
    if rules:
        lines.append("how to fix:")
        for rule in rules:
            lines.append(f"  {rule} {RULE_NAMES.get(rule, '')}: {HOW_TO_FIX.get(rule, '')}")
        lines.append(REFERENCE_HINT)
    if calls is not None:
        kept = f", the last {len(calls)} shown" if call_count > len(calls) else ""
        lines.append(f"recorded commands ({call_count}{kept}; names and keys only):")
        lines.extend(f"  {call}" for call in calls)
    return "\n".join(lines)
