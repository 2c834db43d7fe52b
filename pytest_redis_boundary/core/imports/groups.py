"""Chain violations grouped by the direct import of the forbidden module: the edge to cut.

On a dense graph thousands of runtime modules reach rq through a handful of legacy modules; a
person fixes that by cutting those few imports, not by reading every chain. Each chain ends with
one such edge, so the groups split the chains: the counts add up to the number of chains.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .chains import Chain
from .judgement import ImportFinding

__all__ = ["ChainGroup", "group_violations"]

GROUPED_RULES = frozenset({"RB501", "RB502"})


@dataclass(frozen=True, slots=True)
class ChainGroup:
    """The chain violations of one rule that end with the same direct import."""

    rule: str
    importer: str
    imported: str
    findings: tuple[ImportFinding, ...]  # in ``sort_key`` order

    @property
    def example(self) -> Chain:
        """The shortest chain, ties broken alphabetically."""
        chains = [f.chain for f in self.findings if f.chain is not None]
        return min(chains, key=lambda chain: (len(chain.id), chain.id))

    @property
    def starts(self) -> tuple[str, ...]:
        return tuple(f.chain.start for f in self.findings if f.chain is not None)

    @property
    def sort_key(self) -> tuple[str, int, str, str]:
        """Rule, then the edge that most modules reach rq through first."""
        return (self.rule, -len(self.findings), self.importer, self.imported)


def group_violations(findings: Iterable[ImportFinding]) -> tuple[ChainGroup, ...]:
    """The RB501/RB502 violations grouped by their chain's last hop, in ``sort_key`` order."""
    grouped: dict[tuple[str, str, str], list[ImportFinding]] = {}
    for finding in sorted(findings, key=lambda f: f.sort_key):
        if finding.verdict != "violation" or finding.rule not in GROUPED_RULES:
            continue
        if finding.chain is None:
            continue
        importer, imported = finding.chain.last_link
        grouped.setdefault((finding.rule, importer, imported), []).append(finding)
    groups = [
        ChainGroup(rule, importer, imported, tuple(members))
        for (rule, importer, imported), members in grouped.items()
    ]
    return tuple(sorted(groups, key=lambda g: g.sort_key))
