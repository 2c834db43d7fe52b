"""The date expiry is judged against: ``REDIS_BOUNDARY_TODAY`` or the local date."""

from __future__ import annotations

import datetime

__all__ = ["parse_today"]


def parse_today(raw: str | None, *, default: datetime.date) -> datetime.date:
    """The date expiry is judged against: ``REDIS_BOUNDARY_TODAY`` (YYYY-MM-DD) or ``default``."""
    if raw is None or not raw.strip():
        return default
    try:
        return datetime.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(
            f"REDIS_BOUNDARY_TODAY: expected a date as YYYY-MM-DD, got {raw!r}"
        ) from None
