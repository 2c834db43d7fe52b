"""The policy's ``callsite.skip_modules``: a Redis wrapper library's frames are never a site."""

from __future__ import annotations

import pytest

from tests.plugin.common import run

WRAPPER = """\
def remember(client, key):
    client.set(key, "1")
"""

TEST = """\
import wrapperlib

def test_through_the_wrapper(redis_boundary_client):
    wrapperlib.remember(redis_boundary_client, "t:acme:cache:x")
"""


@pytest.fixture
def wrapped(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.mkpydir("wrapperlib").joinpath("__init__.py").write_text(WRAPPER)
    pytester.makepyfile(test_wrapped=TEST)
    return pytester


def test_without_skip_modules_the_site_is_inside_the_wrapper(wrapped: pytest.Pytester) -> None:
    result = run(wrapped)
    result.stdout.fnmatch_lines(
        ["*RB201 missing-ttl: SET t:acme:cache:x at wrapperlib/__init__.py:2*"]
    )


def test_skip_modules_moves_the_site_to_the_application(wrapped: pytest.Pytester) -> None:
    wrapped.makefile(".yaml", **{"redis-boundary": "callsite:\n  skip_modules: [wrapperlib]\n"})
    result = run(wrapped, "--redis-boundary-policy=redis-boundary.yaml")
    result.stdout.fnmatch_lines(
        [
            "redis-boundary: *, call sites skip wrapperlib",
            "*RB201 missing-ttl: SET t:acme:cache:x at test_wrapped.py:4 in "
            "test_through_the_wrapper()*",
        ]
    )
    assert "wrapperlib/__init__.py" not in result.stdout.str()


def test_a_module_not_found_is_named_in_the_header(wrapped: pytest.Pytester) -> None:
    wrapped.makefile(
        ".yaml", **{"redis-boundary": "callsite:\n  skip_modules: [wrapperlib, wrapperlibb]\n"}
    )
    result = run(wrapped, "--redis-boundary-policy=redis-boundary.yaml")
    result.stdout.fnmatch_lines(
        [
            "redis-boundary: *, call sites skip wrapperlib, wrapperlibb (wrapperlibb: not "
            "importable here, so not skipped; check the policy's callsite.skip_modules)"
        ]
    )
