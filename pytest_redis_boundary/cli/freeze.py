"""``redis-boundary freeze``: write the baseline, the ratchet that only shrinks.

Without ``--report``: the current rq chains of each rq_retirement contract (RB502). With
``--report REPORT.json``: the runtime baseline (``redis-boundary-baseline/2``), the report's
violations by identity under one owner and expiry date, plus the chains when ``--config`` is
given (docs/reference/baseline.md).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Final

from .common import EXIT_OK, Subparsers, add_config_options, usage

# Flag -> how to fix it, for a missing or bad governance flag.
_GOVERNANCE_FLAGS: Final = {
    "owner": "pass --owner TEAM, the team or person who owns the baseline, e.g. "
    "--owner platform-team",
    "exception_reason": "pass --exception-reason TEXT saying why the frozen usage is tolerated, "
    'e.g. --exception-reason "adoption: existing Redis job state until PLAT-900 ships"',
    "expiry_date": "pass --expiry-date YYYY-MM-DD, the last day the baseline is valid, e.g. "
    "--expiry-date 2027-06-30",
    "removal_issue": "pass --removal-issue ISSUE, the issue that empties the baseline, e.g. "
    "--removal-issue PLAT-900",
}


def add_freeze_command(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "freeze",
        help="write the baseline: rq chains (RB502), or a report's violations (--report)",
        description="Without --report: rewrite each rq_retirement contract's baseline file to "
        "the chains found now (chains active exceptions allow are left out). With --report: "
        "write the runtime baseline (redis-boundary-baseline/2) of the report's violations, "
        "under the governance flags, which are then required; with --config too, the chains "
        "as well. Prints what was added and removed.",
    )
    add_config_options(parser)
    parser.add_argument(
        "--output",
        metavar="PATH",
        default=None,
        help="write here instead of each contract's baseline = file (with --report: instead "
        "of .redis-boundary-baseline.json)",
    )
    parser.add_argument(
        "--report",
        metavar="REPORT.json",
        default=None,
        help="freeze this JSON report's violations (pytest --redis-boundary-report)",
    )
    parser.add_argument("--owner", default=None, help="with --report: who owns the baseline")
    parser.add_argument(
        "--exception-reason", default=None, help="with --report: why the frozen usage is tolerated"
    )
    parser.add_argument(
        "--expiry-date",
        metavar="YYYY-MM-DD",
        default=None,
        help="with --report: the last day the baseline covers anything",
    )
    parser.add_argument(
        "--removal-issue", default=None, help="with --report: the issue that empties it"
    )
    parser.set_defaults(handler=_freeze)


def _freeze(args: argparse.Namespace) -> int:
    if args.report is not None:
        return _freeze_report(args)
    given = [name for name in _GOVERNANCE_FLAGS if getattr(args, name) is not None]
    if given:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        return usage(
            f"freeze: {flags} only apply to the runtime baseline; add --report REPORT.json to "
            "freeze a report's violations, or leave them out to freeze the rq chains alone."
        )
    from ..contracts.run import UsageProblem, freeze

    try:
        written = freeze(
            args.config,
            output_path=args.output,
            no_cache=args.no_cache,
            cache_dir=args.cache_dir,
        )
    except UsageProblem as err:
        return usage(str(err))
    for result in written:
        print("\n".join(result.summary()))
    return EXIT_OK


def _freeze_report(args: argparse.Namespace) -> int:
    from ..core.governance import validate_governance
    from ..core.imports import BaselineInvalid, parse_baseline
    from ..core.reports import ReportInvalid, findings_of, load_report
    from ..core.runtime_baseline import (
        BASELINE_FILE,
        BASELINE_ID,
        BaselineChanges,
        RuntimeBaseline,
        dump_runtime_baseline,
        frozen_identities,
        parse_runtime_baseline,
    )

    raw = {name: getattr(args, name) for name in _GOVERNANCE_FLAGS if getattr(args, name)}
    governance, problems = validate_governance(raw, where="freeze", exception_id=BASELINE_ID)
    if problems:
        first = problems[0]
        flag = "--" + first.field.replace("_", "-")
        what = (
            f"{flag} is required with --report"
            if "missing" in first.problem
            else f"{flag}: {first.problem}"
        )
        return usage(
            f"freeze: {what}; a runtime baseline is an exception like any other and "
            f"carries an owner, a reason, an expiry date and a removal issue. Fix: "
            f"{_GOVERNANCE_FLAGS[first.field]}."
        )
    assert governance is not None
    try:
        report = load_report(args.report)
    except ReportInvalid as err:
        return usage(str(err))
    chains: frozenset[tuple[str, ...]] = frozenset()
    if args.config is not None:
        from ..contracts.run import UsageProblem, current_chains

        try:
            found = current_chains(
                args.config,
                output_path=args.output or BASELINE_FILE,
                no_cache=args.no_cache,
                cache_dir=args.cache_dir,
            )
        except UsageProblem as err:
            return usage(str(err))
        chains = frozenset(c for each in found.values() for c in each)
    path = Path(args.output or BASELINE_FILE)
    baseline = RuntimeBaseline(
        source=str(path),
        governance=governance,
        findings=frozen_identities(findings_of(report)),
        chains=chains,
    )
    old_findings: frozenset[tuple[str, str | None, str | None, str | None]] = frozenset()
    old_chains: frozenset[tuple[str, ...]] = frozenset()
    existed = path.exists()
    if existed:
        try:
            text = path.read_text(encoding="utf-8")
            try:
                previous = parse_runtime_baseline(text, source=str(path))
                old_findings, old_chains = previous.findings, previous.chains
            except BaselineInvalid:
                old_chains = parse_baseline(text, source=str(path)).chains  # a /1 file
        except (OSError, UnicodeDecodeError, BaselineInvalid):
            pass  # unreadable: rewritten from scratch, and everything in it counts as added
    from ..core.atomic_files import write_atomically

    try:
        write_atomically(path, dump_runtime_baseline(baseline))
    except OSError as err:
        return usage(f"cannot write the baseline {path}: {err.strerror or err}.")
    changes = BaselineChanges.between(old_findings, old_chains, baseline)
    verb = "rewrote" if existed else "wrote"
    print(
        f"redis-boundary: {verb} {os.path.relpath(path)}: {len(baseline.findings)} frozen "
        f"finding(s), {len(baseline.chains)} chain(s), expiring after "
        f"{governance.expiry_date.isoformat()} (+{len(changes.added)} added, "
        f"-{len(changes.removed)} removed"
        + (
            f"; chains +{len(changes.chains_added)}, -{len(changes.chains_removed)})"
            if changes.chains_added or changes.chains_removed
            else ")"
        )
    )
    for line in changes.lines():
        print(line)
    return EXIT_OK
