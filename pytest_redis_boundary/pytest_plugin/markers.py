"""The markers: registration (``pytest --markers``) and reading them off an item.

Problems with a marker's arguments are collection errors for that one test (see ``session``):
``MarkerProblem`` for ``redis_boundary``/``redis_tenant``, ``ExceptionInvalid`` (RB901) for
``redis_boundary_exception``. When a marker is given at several levels, the closest one wins
(function, then class, then the module's ``pytestmark``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, cast

import pytest

from pytest_redis_boundary.core.governance import (
    ExceptionInvalid,
    GovernedException,
    parse_exception,
)
from pytest_redis_boundary.pytest_plugin.options import MODES, Mode

__all__ = [
    "MARKERS",
    "MARKS_KEY",
    "InvalidMarkers",
    "MarkerProblem",
    "TestMarks",
    "exception_from_raw",
    "invalid_marker_message",
    "marks_of",
    "read_marks",
    "read_marks_of_items",
    "register_markers",
]

MARKERS: Final = (
    'redis_boundary(mode="strict"|"warn"|"off"): this test\'s redis-boundary mode, overriding '
    "--redis-boundary (off: its Redis commands are not judged).",
    "redis_boundary_exception(owner, exception_reason, expiry_date, removal_issue, rules, "
    "keys=None): a temporary, owned exception for this test: findings of the listed rules "
    "(on keys matching the globs, default all keys) are reported as excepted until "
    "expiry_date (YYYY-MM-DD, inclusive).",
    'redis_tenant(tenant): the tenant this test acts for, e.g. redis_tenant("acme"); touching '
    "another tenant's key is RB302 cross-tenant.",
)


class MarkerProblem(ValueError):
    """A marker with arguments the plugin cannot use."""

    def __init__(self, nodeid: str, marker: str, problem: str, fix: str) -> None:
        self.nodeid = nodeid
        self.marker = marker
        self.problem = problem
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.nodeid}: @pytest.mark.{self.marker}: {self.problem}. Fix: {self.fix}."

    def __reduce__(self) -> tuple[type[MarkerProblem], tuple[str, str, str, str]]:
        return (MarkerProblem, (self.nodeid, self.marker, self.problem, self.fix))


@dataclass(frozen=True, slots=True)
class TestMarks:
    """What one test's markers say (None: not given)."""

    __test__ = False  # not a test class, whatever pytest's python_classes say

    mode: Mode | None
    tenant: str | None
    exception: GovernedException | None  # the closest redis_boundary_exception
    exception_raw: Mapping[str, object] | None  # its arguments, for the xdist controller


def register_markers(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)


# "'strict', 'warn' or 'off'": the modes as the option's own error names them.
_ALLOWED_MODES: Final = ", ".join(repr(m) for m in MODES[:-1]) + f" or {MODES[-1]!r}"


def _mode(item: pytest.Item) -> Mode | None:
    mark = item.get_closest_marker("redis_boundary")
    if mark is None:
        return None
    fix = 'use @pytest.mark.redis_boundary(mode="strict"), "warn" or "off"'
    extra = set(mark.kwargs) - {"mode"}
    if extra or len(mark.args) > 1 or (mark.args and "mode" in mark.kwargs):
        raise MarkerProblem(
            item.nodeid, "redis_boundary", f"expected one argument, mode ({_ALLOWED_MODES})", fix
        )
    if not mark.args and "mode" not in mark.kwargs:
        raise MarkerProblem(
            item.nodeid, "redis_boundary", f"no mode given: expected {_ALLOWED_MODES}", fix
        )
    value = mark.kwargs.get("mode", mark.args[0] if mark.args else None)
    if value not in MODES:
        raise MarkerProblem(
            item.nodeid, "redis_boundary", f"invalid mode {value!r}: expected {_ALLOWED_MODES}", fix
        )
    return cast(Mode, value)


def _tenant(item: pytest.Item) -> str | None:
    mark = item.get_closest_marker("redis_tenant")
    if mark is None:
        return None
    value = mark.args[0] if len(mark.args) == 1 and not mark.kwargs else mark.kwargs.get("tenant")
    if len(mark.args) + len(mark.kwargs) != 1 or not isinstance(value, str) or not value.strip():
        raise MarkerProblem(
            item.nodeid,
            "redis_tenant",
            "expected one non-empty tenant id",
            'use @pytest.mark.redis_tenant("acme")',
        )
    return value.strip()


def exception_from_raw(nodeid: str, raw: Mapping[str, object]) -> GovernedException:
    """A marker exception from its keyword arguments; raises ``ExceptionInvalid`` (RB901)."""
    return parse_exception(raw, where=nodeid, default_id=f"marker:{nodeid}", require_scope=False)


def _exception(item: pytest.Item) -> tuple[GovernedException | None, Mapping[str, object] | None]:
    mark = item.get_closest_marker("redis_boundary_exception")
    if mark is None:
        return None, None
    if mark.args:
        raise MarkerProblem(
            item.nodeid,
            "redis_boundary_exception",
            "takes keyword arguments only",
            "write owner=..., exception_reason=..., expiry_date=..., removal_issue=..., "
            "rules=[...] and optionally keys=[...]",
        )
    raw = dict(mark.kwargs)
    return exception_from_raw(item.nodeid, raw), raw


def read_marks(item: pytest.Item) -> TestMarks:
    """Read and check the item's markers; raises ``MarkerProblem`` or ``ExceptionInvalid``."""
    exception, raw = _exception(item)
    return TestMarks(mode=_mode(item), tenant=_tenant(item), exception=exception, exception_raw=raw)


MARKS_KEY: Final = pytest.StashKey[TestMarks]()
"""A test's marks, read once: at collection, or at setup for items pytest's Python collector
did not build (``unittest.TestCase``)."""


def marks_of(item: pytest.Item) -> TestMarks:
    """The item's marks; raises ``MarkerProblem`` or ``ExceptionInvalid`` if they are invalid."""
    marks = item.stash.get(MARKS_KEY, None)
    if marks is None:
        marks = item.stash[MARKS_KEY] = read_marks(item)
    return marks


def invalid_marker_message(item: pytest.Item, problem: Exception) -> str:
    return f"redis-boundary: invalid marker on {item.nodeid}:\n{problem}"


class InvalidMarkers(pytest.Collector):
    """Stands in for a test whose redis-boundary markers are invalid: a collection error."""

    def __init__(self, *, problem: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problem = problem

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        raise self.CollectError(self.problem)


def read_marks_of_items(collector: pytest.Module | pytest.Class, name: str, collected: Any) -> Any:
    """What ``pytest_pycollect_makeitem`` made for ``name``, each item's marks read into its
    stash; an ``InvalidMarkers`` collector instead if one of them has invalid markers."""
    items = collected if isinstance(collected, list) else [collected]
    for item in items:
        if not isinstance(item, pytest.Item):
            continue
        try:
            item.stash[MARKS_KEY] = read_marks(item)
        except (MarkerProblem, ExceptionInvalid) as problem:
            message = invalid_marker_message(item, problem)
            return InvalidMarkers.from_parent(collector, name=name, problem=message)
    return collected
