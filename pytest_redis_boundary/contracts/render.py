"""Text for the rq contract's findings: pure functions from findings to lines."""

from __future__ import annotations

from collections.abc import Iterable

from ..core.imports import ChainGroup, ImportFinding, group_violations

__all__ = ["render_findings", "warning_text"]


def render_findings(findings: Iterable[ImportFinding], *, verbose: bool = False) -> list[str]:
    """The broken contract's text, in an order that is the same on every run.

    Chain violations (RB501, RB502) come one entry per direct import of the forbidden module
    (the edge to cut), the edge that most runtime modules go through first: how many runtime
    modules reach it through that import, and the shortest of their chains; ``verbose`` lists
    every chain of the entry too. An edge only one chain ends with is that chain's own entry,
    its message then its chain. Other violations (RB901, RB902) follow, each message then its
    chain. Each entry ends with a blank line.
    """
    ordered = sorted(findings, key=lambda f: f.sort_key)
    lines: list[str] = []
    groups = group_violations(ordered)
    for group in groups:
        if len(group.findings) == 1:
            lines.extend(_finding_lines(group.findings[0]))
        else:
            lines.extend(_group_lines(group, verbose))
    grouped = {id(f) for g in groups for f in g.findings}
    for finding in ordered:
        if finding.verdict == "violation" and id(finding) not in grouped:
            lines.extend(_finding_lines(finding))
    return lines


def _finding_lines(finding: ImportFinding) -> list[str]:
    lines = [f"{finding.rule} {finding.name}: {finding.message}"]
    if finding.chain is not None:
        lines.append("")
        lines.extend(finding.chain.render())
    lines.append("")
    return lines


def _group_lines(group: ChainGroup, verbose: bool) -> list[str]:
    first = group.findings[0]
    example = group.example
    edge = example.links[-1].render()
    new = ", in chains not frozen in the baseline" if group.rule == "RB502" else ""
    count = len(group.findings)
    lines = [
        f"{group.rule} {first.name}: {count} runtime modules must not depend on "
        f"{group.imported} through {edge}{new}; the shortest chain, from {example.start}:",
        "",
        *example.render(),
        "",
    ]
    if verbose:
        lines.append(f"All {count} chains through {group.importer} -> {group.imported}:")
        lines.append("")
        for finding in group.findings:
            assert finding.chain is not None
            lines.extend(finding.chain.render())
        lines.append("")
    else:
        lines.append(f"(lint-imports --verbose lists all {count} chains)")
        lines.append("")
    return lines


def warning_text(finding: ImportFinding) -> str:
    """One line for ``ContractCheck.warnings`` (RB903, stale baseline entries)."""
    return f"{finding.rule} {finding.name}: {finding.message}"
