"""The context variable the hooks set and the recording reads, and the one way hooks set it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from pytest_redis_boundary.core.runtime_context import ENDPOINT, RuntimeContext

__all__ = ["RUNTIME_CONTEXT", "enter", "handled_endpoints", "running"]

RUNTIME_CONTEXT: ContextVar[RuntimeContext | None] = ContextVar(
    "pytest_redis_boundary_runtime_context", default=None
)

# Every endpoint a hook saw handled since the last handled_endpoints() call: the report's
# "endpoints", which contract surfaces must claim whether or not they sent a command. Once per
# request, not per command.
_HANDLED: set[str] = set()


def enter(context: RuntimeContext) -> None:
    """Make ``context`` the current one until the framework's own context ends (for hooks that
    learn the route only once the request is already running)."""
    if context.kind == ENDPOINT:
        _HANDLED.add(context.name)
    RUNTIME_CONTEXT.set(context)


def handled_endpoints() -> set[str]:
    """The endpoints handled since the last call, and forget them."""
    handled = set()
    while _HANDLED:  # set.pop is atomic: a name a serving thread adds meanwhile is not lost
        handled.add(_HANDLED.pop())
    return handled


@contextlib.contextmanager
def running(context: RuntimeContext | None) -> Iterator[None]:
    """``context`` is the current one inside the block; the one before it comes back after."""
    if context is not None and context.kind == ENDPOINT:
        _HANDLED.add(context.name)
    token = RUNTIME_CONTEXT.set(context)
    try:
        yield
    finally:
        # The block may end in another context (a framework that resumes a request in a copy of
        # it): that copy is dropped with its value, and the original never saw the set.
        with contextlib.suppress(ValueError):
            RUNTIME_CONTEXT.reset(token)
