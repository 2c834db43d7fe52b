"""Allowances: the ``imports:`` entries of governed exceptions, split into active and expired."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .chain_ids import ChainId, is_in_module

if TYPE_CHECKING:  # at run time the contract module needs none of the register's parsing
    from ..governance import GovernedException, ImportAllowance

__all__ = ["Allowance", "AllowanceSplit", "split_allowances"]


@dataclass(frozen=True, slots=True)
class Allowance:
    """One ``imports:`` entry of a governed exception."""

    exception: GovernedException
    allowance: ImportAllowance

    @property
    def chain(self) -> ChainId:
        return self.allowance.modules

    @property
    def start(self) -> str:
        return self.allowance.modules[0]

    @property
    def text(self) -> str:
        return self.allowance.text

    def describe(self) -> str:
        exc = self.exception
        return (
            f"{exc.id} ({exc.location or 'policy'}; owner {exc.owner}, "
            f"expiry {exc.expiry_date.isoformat()}, removal issue {exc.removal_issue})"
        )


@dataclass(frozen=True, slots=True)
class AllowanceSplit:
    active: tuple[Allowance, ...]
    expired: tuple[Allowance, ...]


def split_allowances(
    exceptions: Iterable[GovernedException],
    forbidden_modules: Sequence[str],
    *,
    today: datetime.date,
) -> AllowanceSplit:
    """The allowances that concern these forbidden modules, split into active and expired.

    An allowance concerns a contract when its last module is one of the contract's forbidden
    modules (or inside one); others belong to another contract and are left alone.
    """
    active: list[Allowance] = []
    expired: list[Allowance] = []
    for exception in exceptions:
        for allowance in exception.imports:
            if not any(is_in_module(allowance.modules[-1], f) for f in forbidden_modules):
                continue
            item = Allowance(exception, allowance)
            (expired if exception.is_expired(today) else active).append(item)
    key = _allowance_key
    return AllowanceSplit(
        active=tuple(sorted(active, key=key)), expired=tuple(sorted(expired, key=key))
    )


def _allowance_key(allowance: Allowance) -> tuple[ChainId, str]:
    return (allowance.chain, allowance.exception.id)
