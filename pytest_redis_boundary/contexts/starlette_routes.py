"""Starlette and FastAPI: a matched route handles its request in ``handle`` (FastAPI's
``APIRoute`` overrides it); the context is the method and the route's template, with the prefix
of the mounts and included routers it sits under."""

from __future__ import annotations

import sys
from typing import Any

from pytest_redis_boundary.core.runtime_context import ENDPOINT, RuntimeContext, route_template
from pytest_redis_boundary.recorder.patching import Patches

from .current import RUNTIME_CONTEXT, running

__all__ = ["hook"]


def hook(patches: Patches) -> None:
    from starlette.routing import Route

    patches.apply_to_all(Route, "handle", _wrap_handle)


def _wrap_handle(original: Any) -> Any:
    async def handle(self: Any, scope: Any, receive: Any, send: Any) -> None:
        current = RUNTIME_CONTEXT.get()
        if scope.get("type") != "http" or (current is not None and current.kind == ENDPOINT):
            # A subclass's handle calling its base's: the outer one named the request.
            await original(self, scope, receive, send)
            return
        name = route_template(scope["method"], _template(self, scope))
        with running(RuntimeContext(ENDPOINT, name)):
            await original(self, scope, receive, send)

    return handle


def _template(route: Any, scope: Any) -> str:
    """The route's template under its mounts (``root_path``). FastAPI releases that keep an
    included router's routes as they are (not copied with the prefix) keep the full template in
    the scope's effective route context instead."""
    path = str(getattr(route, "path", ""))
    fastapi_routing = sys.modules.get("fastapi.routing")
    effective = getattr(fastapi_routing, "_get_scope_effective_route_context", None)
    if effective is not None:
        try:
            full = getattr(effective(scope), "path", None)
        except Exception:  # a FastAPI release whose private helper works otherwise
            full = None
        if isinstance(full, str) and full:
            path = full
    return str(scope.get("root_path", "")) + path
