"""The context variable the hooks set and the recording reads, and the one way hooks set it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from pytest_redis_boundary.core.runtime_context import RuntimeContext

__all__ = ["RUNTIME_CONTEXT", "running"]

RUNTIME_CONTEXT: ContextVar[RuntimeContext | None] = ContextVar(
    "pytest_redis_boundary_runtime_context", default=None
)


@contextlib.contextmanager
def running(context: RuntimeContext | None) -> Iterator[None]:
    """``context`` is the current one inside the block; the one before it comes back after."""
    token = RUNTIME_CONTEXT.set(context)
    try:
        yield
    finally:
        # The block may end in another context (a framework that resumes a request in a copy of
        # it): that copy is dropped with its value, and the original never saw the set.
        with contextlib.suppress(ValueError):
            RUNTIME_CONTEXT.reset(token)
