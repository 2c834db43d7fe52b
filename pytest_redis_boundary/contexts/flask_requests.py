"""Flask: a request's handlers (before-request functions, the view, after-request functions)
run inside ``Flask.full_dispatch_request``, after the request context matched the URL rule."""

from __future__ import annotations

from typing import Any

from pytest_redis_boundary.core.runtime_context import ENDPOINT, RuntimeContext, route_template
from pytest_redis_boundary.recorder.patching import Patches

from .current import running

__all__ = ["hook"]


def hook(patches: Patches) -> None:
    import flask

    patches.apply_to_all(flask.Flask, "full_dispatch_request", _wrap_dispatch)


def _wrap_dispatch(original: Any) -> Any:
    from flask import request

    def full_dispatch_request(self: Any) -> Any:
        rule = request.url_rule
        template = rule.rule if rule is not None else request.path  # unmatched: the path
        with running(RuntimeContext(ENDPOINT, route_template(request.method, template))):
            return original(self)

    return full_dispatch_request
