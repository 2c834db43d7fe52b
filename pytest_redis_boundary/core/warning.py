"""The warning category the pytest plugin gives findings in ``warn`` mode (and recording problems).

Pure (a ``UserWarning`` subclass), so the package root can export it without importing pytest.
"""

from __future__ import annotations

__all__ = ["RedisBoundaryWarning"]


class RedisBoundaryWarning(UserWarning):
    """A redis-boundary finding that does not fail the test (``--redis-boundary=warn``).

    Filter it like any warning, e.g. ``-W error::pytest_redis_boundary.RedisBoundaryWarning``.
    """

    __module__ = "pytest_redis_boundary"
