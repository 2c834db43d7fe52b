"""Emitting a ``RedisBoundaryWarning``: shown as a warning whatever a general filter says.

A finding that does not fail a test must not fail it through the warning that shows it: a filter
that turns every warning into an error (``-W error``, ``filterwarnings = error``,
``error::UserWarning``) shows a ``RedisBoundaryWarning`` as a warning instead. Only a filter
naming ``RedisBoundaryWarning`` itself makes it an error (or ``ignore`` hides it), as the user
asked (docs/reference/pytest.md#warnings-and-warning-filters).
"""

from __future__ import annotations

import warnings
from typing import Literal

from pytest_redis_boundary.core.warning import RedisBoundaryWarning

__all__ = ["filter_action", "warn_boundary"]

Action = Literal["show", "error", "ignore"]


def filter_action(message: str, path: str, lineno: int) -> Action:
    """What the active warning filters do with a ``RedisBoundaryWarning`` of this text, at this
    place: ``error`` only from a filter that names the category itself."""
    module = path[:-3] if path.lower().endswith(".py") else path  # as warn_explicit derives it
    for action, text, category, module_pattern, line in warnings.filters:
        if (
            (text is None or text.match(message))
            and issubclass(RedisBoundaryWarning, category)
            and (module_pattern is None or module_pattern.match(module))
            and (line == 0 or line == lineno)
        ):
            if action == "ignore":
                return "ignore"
            if action == "error":
                return "error" if category is RedisBoundaryWarning else "show"
            return "show"
    return "show"


def warn_boundary(message: str, path: str, lineno: int) -> None:
    """Warn at ``path:lineno``; raises the warning only where a filter naming it says ``error``."""
    warning = RedisBoundaryWarning(message)
    if filter_action(message, path, lineno) != "show":
        warnings.warn_explicit(warning, RedisBoundaryWarning, path, lineno)
        return
    with warnings.catch_warnings():  # keeps pytest's capture; only the filters are restored
        warnings.simplefilter("always", RedisBoundaryWarning)
        warnings.warn_explicit(warning, RedisBoundaryWarning, path, lineno)
