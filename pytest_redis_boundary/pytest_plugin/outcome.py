"""How a test's verdicts end its call phase: warnings, a strict failure, or a report section.

Warning verdicts are always warned; violations too in warn mode, once per finding identity and
session (a suite repeating one finding in every test gets one warning, not thousands; the summary
counts the repeats). In strict mode a violation fails the test (``pytest.fail``, no traceback); a
test that already failed on its own keeps its own failure, and its findings go to a
``redis-boundary`` section of its report. Only a filter naming ``RedisBoundaryWarning`` turns the
warnings into errors (``boundary_warning``); it then fails the test with every such finding
listed, and every occurrence counts, not only the first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

import pytest

from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.warning import RedisBoundaryWarning
from pytest_redis_boundary.pytest_plugin.boundary_warning import filter_action, warn_boundary
from pytest_redis_boundary.pytest_plugin.options import Mode
from pytest_redis_boundary.pytest_plugin.stash import FAILURE_SECTION_KEY

__all__ = ["add_failure_section", "settle_call"]

WarnedIdentity = tuple[object, ...]

# The finding identities this process has warned about (per xdist worker: one each).
_WARNED_KEY: Final = pytest.StashKey[set[WarnedIdentity]]()


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
    warned = item.config.stash.setdefault(_WARNED_KEY, set())
    for finding in judged:
        if finding.verdict == "warning" or (mode == "warn" and finding.verdict == "violation"):
            path, lineno = _place(item, finding)
            text = finding.line()
            if filter_action(text, path, lineno) != "error":
                identity = (finding.verdict, *finding.identity())
                if identity in warned:
                    continue
                warned.add(identity)
            try:
                warn_boundary(text, path, lineno)
            except RedisBoundaryWarning:  # a filter naming it said error
                raised_as_errors.append(text)
    if raised_as_errors and not failed:
        lines = ["RedisBoundaryWarning raised as an error:", *raised_as_errors]
        pytest.fail("\n".join(lines), pytrace=False)
    if failed:
        if judged:
            item.stash[FAILURE_SECTION_KEY] = failure_text()
    elif mode == "strict" and any(f.verdict == "violation" for f in judged):
        pytest.fail(failure_text(), pytrace=False)


def _place(item: pytest.Item, finding: Finding) -> tuple[str, int]:
    """Where the warning points: the finding's call site, else the test."""
    if finding.site is not None:
        path, _, line = finding.site.rpartition(":")
        return path, int(line) if line.isdigit() else 0
    location = item.location
    return location[0], (location[1] or 0) + 1


def add_failure_section(item: pytest.Item, report: pytest.TestReport) -> None:
    """Move a failed test's findings (kept by ``settle_call``) into its call report."""
    section = item.stash.get(FAILURE_SECTION_KEY, None)
    if section is not None:
        report.sections.append(("redis-boundary", section))
        del item.stash[FAILURE_SECTION_KEY]
