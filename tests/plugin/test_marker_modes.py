"""The ``redis_boundary`` marker's mode: a bad one is a collection error of that test alone,
quoting the value given and naming the modes allowed."""

from __future__ import annotations

import pytest

from tests.plugin.common import collect_with_marker

FIX = 'Fix: use @pytest.mark.redis_boundary(mode="strict"), "warn" or "off".'


@pytest.mark.parametrize(
    ("marker", "problem"),
    [
        ('redis_boundary(mode="loud")', "invalid mode 'loud': expected 'strict', 'warn' or 'off'"),
        ('redis_boundary("loud")', "invalid mode 'loud': expected 'strict', 'warn' or 'off'"),
        ('redis_boundary(mode="WARN")', "invalid mode 'WARN': expected 'strict', 'warn' or 'off'"),
        ("redis_boundary(mode=1)", "invalid mode 1: expected 'strict', 'warn' or 'off'"),
        ("redis_boundary", "no mode given: expected 'strict', 'warn' or 'off'"),
        (
            'redis_boundary(mode="warn", level=2)',
            "expected one argument, mode ('strict', 'warn' or 'off')",
        ),
    ],
    ids=["keyword", "positional", "upper-case", "not-a-string", "bare", "extra-argument"],
)
def test_a_bad_mode_quotes_the_value_and_the_allowed_modes(
    pytester: pytest.Pytester, marker: str, problem: str
) -> None:
    result = collect_with_marker(pytester, f"@pytest.mark.{marker}", "test_mode")
    expected = f"test_mode.py::test_x: @pytest.mark.redis_boundary: {problem}. {FIX}"
    # The whole line, compared as text.
    assert expected in result.stdout.lines, result.stdout.str()
    assert "Traceback" not in result.stdout.str()


def test_a_good_mode_is_taken(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_mode="""
        import pytest

        @pytest.mark.redis_boundary(mode="off")
        def test_x(redis_boundary_client):
            redis_boundary_client.hset("t:acme:job:1", "status", "done")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
