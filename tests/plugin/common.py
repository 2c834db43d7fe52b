"""Shared helpers for the pytester-based plugin tests (run in subprocesses: the outer suite
runs with ``-p no:redis_boundary``, and only one recorder can be installed per process)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", f"--redis-boundary-today={TODAY}", *args
    )


def assert_findings(
    result: pytest.RunResult,
    *rules: str,
    failed: int = 0,
    passed: int = 0,
    errors: int = 0,
    absent: tuple[str, ...] = (),
) -> None:
    """The run's outcomes, every rule id printed as a finding line, and none of ``absent``."""
    __tracebackhide__ = True
    result.assert_outcomes(failed=failed, passed=passed, errors=errors)
    out = result.stdout.str()
    for rule in rules:
        assert f"{rule} " in out, f"{rule} not in the output:\n{out}"
    for rule in absent:
        assert f"\n{rule} " not in out and f"  {rule} " not in out, f"{rule} in:\n{out}"


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
