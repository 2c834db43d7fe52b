"""How a test's verdicts end its call phase: warnings, a strict failure, or a report section.

Warning verdicts are always warned; violations too in warn mode. In strict mode a violation fails
the test (``pytest.fail``, no traceback); a test that already failed on its own keeps its own
failure, and its findings go to a ``redis-boundary`` section of its report. A warning turned into
an error (``-W error::...RedisBoundaryWarning``) fails the test with every such finding listed.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import pytest

from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.warning import RedisBoundaryWarning
from pytest_redis_boundary.pytest_plugin.options import Mode
from pytest_redis_boundary.pytest_plugin.stash import FAILURE_SECTION_KEY

__all__ = ["add_failure_section", "settle_call"]


def settle_call(
    item: pytest.Item,
    judged: Sequence[Finding],
    *,
    mode: Mode,
    failed: bool,
    failure_text: Callable[[], str],
) -> None:
    """Warn, fail or keep the failure text, as the mode and the verdicts say."""
    __tracebackhide__ = True
    raised_as_errors: list[str] = []
    for finding in judged:
        if finding.verdict == "warning" or (mode == "warn" and finding.verdict == "violation"):
            try:
                warn(item, finding)
            except RedisBoundaryWarning:  # -W error::...: the warning became an error
                raised_as_errors.append(finding.line())
    if raised_as_errors and not failed:
        lines = ["RedisBoundaryWarning raised as an error:", *raised_as_errors]
        pytest.fail("\n".join(lines), pytrace=False)
    if failed:
        if judged:
            item.stash[FAILURE_SECTION_KEY] = failure_text()
    elif mode == "strict" and any(f.verdict == "violation" for f in judged):
        pytest.fail(failure_text(), pytrace=False)


def warn(item: pytest.Item, finding: Finding) -> None:
    """A ``RedisBoundaryWarning`` at the finding's call site (else at the test)."""
    if finding.site is not None:
        path, _, line = finding.site.rpartition(":")
        lineno = int(line) if line.isdigit() else 0
    else:
        location = item.location
        path, lineno = location[0], (location[1] or 0) + 1
    warnings.warn_explicit(RedisBoundaryWarning(finding.line()), RedisBoundaryWarning, path, lineno)


def add_failure_section(item: pytest.Item, report: pytest.TestReport) -> None:
    """Move a failed test's findings (kept by ``settle_call``) into its call report."""
    section = item.stash.get(FAILURE_SECTION_KEY, None)
    if section is not None:
        report.sections.append(("redis-boundary", section))
        del item.stash[FAILURE_SECTION_KEY]
