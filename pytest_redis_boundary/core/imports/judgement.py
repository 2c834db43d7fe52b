"""The contract's findings from the chains found: RB501/RB502, frozen, RB902 and RB903."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from ..catalogue import RULE_NAMES
from .allowances import AllowanceSplit
from .baseline import Baseline, diff_baseline
from .chain_ids import ChainId, format_chain_id, is_in_module
from .chains import Chain

__all__ = ["ImportFinding", "ImportJudgement", "Verdict", "judge_chains"]


Verdict = Literal["violation", "warning", "excepted", "frozen"]


@dataclass(frozen=True, slots=True)
class ImportFinding:
    """One thing the contract says: a chain (RB501/RB502) or a register problem (RB90x).

    ``verdict``: ``violation`` breaks the contract; ``warning`` (RB903, stale baseline entries)
    never does; ``excepted`` (an active allowance names the chain) and ``frozen`` (the baseline
    lists it) are reported for the record.
    """

    rule: str
    verdict: Verdict
    message: str
    chain: Chain | None = None
    exception_id: str | None = None
    location: str | None = None  # "redis-boundary.yaml:23" for register findings

    @property
    def name(self) -> str:
        return RULE_NAMES.get(self.rule, "baseline")

    @property
    def sort_key(self) -> tuple[int, str, ChainId, str]:
        order = {"violation": 0, "warning": 1, "excepted": 2, "frozen": 3}[self.verdict]
        chain = self.chain.id if self.chain is not None else ()
        return (order, self.rule, chain, self.message)


@dataclass(frozen=True, slots=True)
class ImportJudgement:
    """What the contract concluded: findings in ``sort_key`` order, and whether it is kept."""

    findings: tuple[ImportFinding, ...]

    @property
    def kept(self) -> bool:
        return not any(f.verdict == "violation" for f in self.findings)

    @property
    def violations(self) -> tuple[ImportFinding, ...]:
        return tuple(f for f in self.findings if f.verdict == "violation")

    @property
    def warnings(self) -> tuple[ImportFinding, ...]:
        return tuple(f for f in self.findings if f.verdict == "warning")


def judge_chains(
    chains: Sequence[ChainId],
    *,
    describe: Callable[[ChainId], Chain],
    runtime_modules: Sequence[str],
    allowances: AllowanceSplit,
    present_allowances: frozenset[ChainId],
    baseline: Baseline | None,
    invalid: Sequence[tuple[str, str]] = (),
) -> ImportJudgement:
    """Turn the chains found (allowed ones already left out) into findings.

    ``present_allowances``: the active allowances' chains that exist in the graph (each exempted
    its chain). ``invalid``: ``(location, message)`` of register entries that failed validation
    (RB901); they break the contract. Without a baseline each chain is RB501; with one, chains it
    lists are ``frozen``, others RB502, and frozen chains that are gone are warnings.
    """
    findings: list[ImportFinding] = []
    for location, message in invalid:
        findings.append(ImportFinding("RB901", "violation", message, location=location))

    if baseline is None:
        for chain_id in chains:
            findings.append(
                ImportFinding(
                    "RB501",
                    "violation",
                    f"{chain_id[0]} must not depend on {chain_id[-1]}:",
                    chain=describe(chain_id),
                )
            )
    else:
        relevant = [
            c for c in baseline.chains if any(is_in_module(c[0], r) for r in runtime_modules)
        ]
        diff = diff_baseline(chains, baseline.chains, relevant=relevant)
        for chain_id in diff.new:
            findings.append(
                ImportFinding(
                    "RB502",
                    "violation",
                    f"{chain_id[0]} must not depend on {chain_id[-1]}: a new chain, "
                    f"not frozen in {baseline.source}:",
                    chain=describe(chain_id),
                )
            )
        for chain_id in diff.frozen:
            findings.append(
                ImportFinding(
                    "RB502",
                    "frozen",
                    f"{format_chain_id(chain_id)} is frozen in {baseline.source}",
                    chain=describe(chain_id),
                )
            )
        for chain_id in diff.stale:
            findings.append(
                ImportFinding(
                    "RB502",
                    "warning",
                    f"{format_chain_id(chain_id)!r} is frozen in {baseline.source} but no longer "
                    "exists; remove it with `redis-boundary freeze`",
                )
            )

    found = set(chains)
    for allowance in allowances.expired:
        exc = allowance.exception
        named = allowance.chain if allowance.chain in found else None
        findings.append(
            ImportFinding(
                "RB902",
                "violation",
                f"{exc.id} expired on {exc.expiry_date.isoformat()} ({exc.location or 'policy'}; "
                f"owner {exc.owner}, removal issue {exc.removal_issue}): it no longer allows "
                f"{allowance.text}, which counts again; renew the exception or remove the import",
                chain=describe(named) if named is not None else None,
                exception_id=exc.id,
                location=exc.location or None,
            )
        )
    for allowance in allowances.active:
        exc = allowance.exception
        if allowance.chain in present_allowances:
            findings.append(
                ImportFinding(
                    "RB501",
                    "excepted",
                    f"{allowance.text} is allowed by {allowance.describe()}",
                    chain=describe(allowance.chain),
                    exception_id=exc.id,
                    location=exc.location or None,
                )
            )
            continue
        if not any(is_in_module(allowance.start, r) for r in runtime_modules):
            why = f"{allowance.start} is not in runtime_modules"
        else:
            why = "no such chain exists"
        findings.append(
            ImportFinding(
                "RB903",
                "warning",
                f"{exc.id} ({exc.location or 'policy'}) allows {allowance.text}, which matched "
                f"no chain ({why}); remove it from the register",
                exception_id=exc.id,
                location=exc.location or None,
            )
        )
    return ImportJudgement(tuple(sorted(findings, key=lambda f: f.sort_key)))
