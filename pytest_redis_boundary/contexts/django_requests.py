"""Django: ``BaseHandler.get_response`` handles a request (middleware and view) and
``resolve_request`` finds its route; the context is set once the route is known, and the one
before the request comes back when ``get_response`` returns."""

from __future__ import annotations

from typing import Any

from pytest_redis_boundary.core.runtime_context import ENDPOINT, RuntimeContext, route_template
from pytest_redis_boundary.recorder.patching import Patches

from .current import RUNTIME_CONTEXT, enter, running

__all__ = ["hook"]


def hook(patches: Patches) -> None:
    from django.core.handlers.base import BaseHandler

    patches.apply(BaseHandler, "get_response", _wrap_get_response)
    patches.apply(BaseHandler, "get_response_async", _wrap_get_response_async)
    patches.apply(BaseHandler, "resolve_request", _wrap_resolve_request)


def _wrap_get_response(original: Any) -> Any:
    def get_response(self: Any, request: Any) -> Any:
        with running(RUNTIME_CONTEXT.get()):  # resolve_request's context ends with the request
            return original(self, request)

    return get_response


def _wrap_get_response_async(original: Any) -> Any:
    async def get_response_async(self: Any, request: Any) -> Any:
        with running(RUNTIME_CONTEXT.get()):
            return await original(self, request)

    return get_response_async


def _wrap_resolve_request(original: Any) -> Any:
    def resolve_request(self: Any, request: Any) -> Any:
        match = original(self, request)
        route = getattr(match, "route", None) or request.path_info
        enter(RuntimeContext(ENDPOINT, route_template(request.method, route)))
        return match

    return resolve_request
