"""Text for the rq contract's findings: pure functions from findings to lines."""

from __future__ import annotations

from collections.abc import Iterable

from ..core.imports import ImportFinding

__all__ = ["render_findings", "warning_text"]


def render_findings(findings: Iterable[ImportFinding]) -> list[str]:
    """The broken contract's text: each violation's message, then its chain, then a blank line.

    Violations come in ``sort_key`` order (rule, then chain), so the output is the same on every
    run and a diff of two runs shows only real changes.
    """
    lines: list[str] = []
    for finding in sorted(findings, key=lambda f: f.sort_key):
        if finding.verdict != "violation":
            continue
        lines.append(f"{finding.rule} {finding.name}: {finding.message}")
        if finding.chain is not None:
            lines.append("")
            lines.extend(finding.chain.render())
        lines.append("")
    return lines


def warning_text(finding: ImportFinding) -> str:
    """One line for ``ContractCheck.warnings`` (RB903, stale baseline entries)."""
    return f"{finding.rule} {finding.name}: {finding.message}"
