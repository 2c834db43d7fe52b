"""Shared helpers for the pytester-based plugin tests (run in subprocesses: the outer suite
runs with ``-p no:redis_boundary``, and only one recorder can be installed per process)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Final

import pytest

from pytest_redis_boundary.core.catalogue import RULE_NAMES

REPO = Path(__file__).resolve().parents[2]
TODAY = "2026-11-28"
HEADER = "redis-boundary: mode strict, policy <built-in default>, today 2026-11-28*"


def add_app(pytester: pytest.Pytester) -> None:
    """Copy examples/app into the pytester dir, so call sites read examples/app/...py:N."""
    target = pytester.path / "examples"
    if not target.exists():
        shutil.copytree(
            REPO / "examples" / "app",
            target / "app",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        (target / "__init__.py").write_text("")


# pytest-asyncio (a dev dependency, for the asyncio tests) warns at configure time unless its ini
# key is set, and a run with a general error filter then stops before any test: such runs go
# without it.
WITHOUT_ASYNCIO: Final = ("-p", "no:asyncio")


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", f"--redis-boundary-today={TODAY}", *args
    )


def line_of(path: str, statement: str) -> int:
    """The line (1-based) of the one line of ``path`` (relative to the repository) that starts,
    once stripped, with ``statement``."""
    lines = (REPO / path).read_text(encoding="utf-8").splitlines()
    found = [n for n, line in enumerate(lines, 1) if line.strip().startswith(statement)]
    assert len(found) == 1, f"{statement!r} is on lines {found} of {path}, not on one"
    return found[0]


def app_site(module: str, statement: str) -> str:
    """``examples/app/<module>:<line>``: where the example application runs ``statement``."""
    path = f"examples/app/{module}"
    return f"{path}:{line_of(path, statement)}"


# The example application's call sites that the tests' findings point at.
MARK_DONE_SITE: Final = app_site("jobs.py", "client.hset(")
CACHE_PROFILE_SITE: Final = app_site("cache.py", "client.set(")
PIN_PROFILE_SITE: Final = app_site("cache.py", "client.persist(")
SEND_REPORT_SITE: Final = app_site("workers/legacy.py", "job = Queue(")

_SUMMARY_RULE: Final = re.compile(r"^  (RB\d{3}) (\S*) +(.+)$")


def findings_per_rule(result: pytest.RunResult) -> dict[str, tuple[str, int]]:
    """The summary's "findings per rule" lines: rule -> (name, number of findings)."""
    lines = result.stdout.lines
    if "findings per rule:" not in lines:
        return {}
    out: dict[str, tuple[str, int]] = {}
    for line in lines[lines.index("findings per rule:") + 1 :]:
        match = _SUMMARY_RULE.match(line)
        if match is None:
            break
        counts = sum(int(part.split()[0]) for part in match.group(3).split(", "))
        out[match.group(1)] = (match.group(2), counts)
    return out


def _finding_line(rule: str) -> re.Pattern[str]:
    """A finding's own line (a failure's line, a "not failing" line, a warning), not a how-to-fix
    line: ``RB101 business-write: HSET ...`` at the start, after ``] `` or after ``Warning: ``."""
    name = re.escape(f"{rule} {RULE_NAMES[rule]}: ")
    return re.compile(rf"(?:^|\] |Warning: ){name}", re.MULTILINE)


def assert_findings(
    result: pytest.RunResult,
    *rules: str,
    failed: int = 0,
    passed: int = 0,
    errors: int = 0,
    absent: tuple[str, ...] = (),
) -> None:
    """The run's outcomes; its findings are exactly ``rules`` (a rule listed n times: n findings
    of it), each under its catalogue name in the summary and printed as a finding line; and
    none of ``absent``."""
    __tracebackhide__ = True
    result.assert_outcomes(failed=failed, passed=passed, errors=errors)
    out = result.stdout.str()
    expected = {rule: (RULE_NAMES[rule], rules.count(rule)) for rule in rules}
    assert findings_per_rule(result) == expected, f"findings per rule are not {expected}:\n{out}"
    for rule in expected:
        assert _finding_line(rule).search(out), f"no {rule} finding line in the output:\n{out}"
    for rule in absent:
        assert rule not in findings_per_rule(result), f"{rule} in the summary:\n{out}"
        assert not _finding_line(rule).search(out), f"a {rule} finding line in:\n{out}"


def collect_with_marker(pytester: pytest.Pytester, marker: str, name: str) -> pytest.RunResult:
    """Run ``name``.py holding ``test_x`` under ``marker`` and a plain ``test_other``, past
    collection errors: an invalid marker errors ``test_x`` alone."""
    pytester.makepyfile(
        **{
            name: f"""
        import pytest

        {marker}
        def test_x():
            pass

        def test_other():
            pass
        """
        }
    )
    result = run(pytester, "--continue-on-collection-errors")
    result.assert_outcomes(passed=1, errors=1)
    return result
