"""Putting the context hooks on the frameworks the application has imported, and taking them
off at the end of the session."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Final

from pytest_redis_boundary.recorder.patching import Patches

from . import django_requests, flask_requests, rq_jobs, starlette_routes

__all__ = ["ContextHooks"]

# The module whose presence in sys.modules says the framework is imported, and its hook. A
# framework is never imported here: the application has, or it needs no hook.
_FRAMEWORKS: Final[tuple[tuple[str, Callable[[Patches], None]], ...]] = (
    ("starlette.routing", starlette_routes.hook),
    ("flask", flask_requests.hook),
    ("django.core.handlers.base", django_requests.hook),
    ("rq.job", rq_jobs.hook),
)


class ContextHooks:
    """The hooks put on so far; each framework is hooked once."""

    def __init__(self) -> None:
        self._patches = Patches()
        self._hooked: set[str] = set()

    @property
    def active(self) -> bool:
        return bool(self._hooked)

    def hook_imported(self) -> bool:
        """Hook each framework imported since the last call (the session calls this before
        every test); true when any framework is hooked."""
        for module, hook in _FRAMEWORKS:
            if module not in self._hooked and module in sys.modules:
                hook(self._patches)
                self._hooked.add(module)
        return bool(self._hooked)

    def restore(self) -> None:
        self._patches.restore()
        self._hooked.clear()
