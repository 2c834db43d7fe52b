"""Verdicts: which findings an exception covers, and the state of every exception in a run.

(Work in progress: the matching and ledger are being written; ``ExceptionStatus`` is fixed.)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Literal

ExceptionState = Literal["active", "expired", "unused", "invalid"]


@dataclass(frozen=True, slots=True)
class ExceptionStatus:
    """One exception's line in a report (SPEC section 7, ``exceptions`` array)."""

    id: str
    owner: str
    expiry_date: datetime.date | None
    removal_issue: str
    status: ExceptionState
    matched: int
    location: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "owner": self.owner,
            "expiry_date": self.expiry_date.isoformat() if self.expiry_date else None,
            "removal_issue": self.removal_issue,
            "status": self.status,
            "matched": self.matched,
        }
