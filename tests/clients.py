"""What the tests need of redis-py's API across its supported releases."""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["pooled_connection"]


def pooled_connection(pool: Any) -> Any:
    """A connection from ``pool``: redis-py before 5.1 requires a command name for it."""
    parameter = inspect.signature(pool.get_connection).parameters.get("command_name")
    if parameter is not None and parameter.default is inspect.Parameter.empty:
        return pool.get_connection("PING")
    return pool.get_connection()
