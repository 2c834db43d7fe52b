"""``redis-boundary scorecard REPORT.json``: is the retirement complete? The contract's four
acceptance criteria, with evidence, history and a burndown chart."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .common import EXIT_OK, EXIT_VIOLATIONS, Subparsers, add_config_options, usage
from .runtime_paths import SurfacesProblem, add_surfaces_option, check_surfaces, surfaces_folder

CONTRACTS_SCHEMA = "redis-boundary-contracts/1"


def add_scorecard_command(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "scorecard",
        help="judge the contract's four acceptance criteria for retirement completion",
        description="Judge the retirement's acceptance criteria on a JSON report: C1 no RQ job "
        "writes business state, C2 no endpoint reads it from Redis, C3 every runtime path is "
        "claimed by a contract surface, C4 Redis keys are bounded-TTL operational only. Exit 0 "
        "only when all four pass, 1 otherwise, 2 on bad input.",
    )
    parser.add_argument("file", metavar="REPORT.json", help="the JSON report")
    parser.add_argument(
        "--contracts",
        metavar="CHECK.json",
        default=None,
        help="redis-boundary check --format json output: lists the import contracts' "
        "exceptions still active",
    )
    add_surfaces_option(parser, when_missing="; C3 is unknown when it does not exist")
    add_config_options(parser)
    parser.add_argument(
        "--history",
        metavar="FILE",
        default=None,
        help="append this run to FILE (one JSON line per run) and show the burndown over it",
    )
    parser.add_argument(
        "--chart", metavar="FILE.svg", default=None, help="write the burndown as an SVG chart"
    )
    parser.add_argument(
        "--format", choices=("text", "markdown", "json"), default="text", help="output format"
    )
    parser.set_defaults(handler=_scorecard)


def _scorecard(args: argparse.Namespace) -> int:
    from ..core.atomic_files import write_atomically
    from ..core.reports import ReportInvalid, load_report
    from ..core.reports.document import findings_of, inventory_of
    from ..core.scorecard import (
        HistoryInvalid,
        HistoryRun,
        burndown_svg,
        judge_scorecard,
        parse_history,
        run_of,
        scorecard_json,
        scorecard_markdown,
        scorecard_text,
    )

    try:
        report = load_report(args.file)
    except ReportInvalid as err:
        return usage(str(err))
    contracts: dict[str, Any] | None = None
    if args.contracts is not None:
        loaded = _contracts(args.contracts)
        if isinstance(loaded, str):
            return usage(loaded)
        contracts = loaded
    folder, absent = surfaces_folder(args)
    surfaces = None
    missing = None
    if absent is not None:
        missing = f"{absent} (pass --surfaces DIR)"
    else:
        try:
            surfaces = check_surfaces(
                folder,
                config=args.config,
                report=report,
                report_name=args.file,
                no_cache=args.no_cache,
                cache_dir=args.cache_dir,
            )
        except SurfacesProblem as err:
            return usage(str(err))
    card = judge_scorecard(
        today=str(report["today"]),
        findings=findings_of(report),
        inventory=inventory_of(report) if "inventory" in report else None,
        surfaces=surfaces,
        surfaces_missing=missing,
        report_exceptions=report.get("exceptions", ()),
        contracts=contracts,
        read_through=report.get("read_through_classes", ()),
        # A report written before 1.1 has no context on its findings: C1 and C2 cannot tell.
        contexts_known=all("context" in finding for finding in report["findings"]),
    )
    history: list[HistoryRun] | None = None
    old_text = ""
    if args.history is not None:
        path = Path(args.history)
        try:
            old_text = path.read_text("utf-8") if path.exists() else ""
        except (OSError, UnicodeDecodeError) as err:
            return usage(f"{path}: cannot read the history: {err}")
        try:
            history = [*parse_history(old_text, str(path)), run_of(card)]
        except HistoryInvalid as err:
            return usage(str(err))
    # The chart first: a chart that cannot be written must not leave this run in the history
    # (a retry would record it twice).
    if args.chart is not None:
        try:
            write_atomically(args.chart, burndown_svg(history or [run_of(card)]))
        except OSError as err:
            return usage(f"{args.chart}: cannot write the chart: {err.strerror or err}")
    if history is not None:
        prefix = old_text if not old_text or old_text.endswith("\n") else old_text + "\n"
        try:
            write_atomically(args.history, prefix + history[-1].to_line())
        except OSError as err:
            return usage(f"{args.history}: cannot write the history: {err.strerror or err}")
    render = {"json": scorecard_json, "markdown": scorecard_markdown}.get(
        args.format, scorecard_text
    )
    print(render(card, history), end="")
    return EXIT_OK if card.complete else EXIT_VIOLATIONS


def _contracts(path: str) -> dict[str, Any] | str:
    """The contracts document, or the usage error to print."""
    fix = "write it with redis-boundary check --format json > CHECK.json"
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        return f"{path}: no such file; {fix}."
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        return f"{path}: not a readable JSON document ({err}); {fix}."
    if not isinstance(data, dict) or data.get("schema") != CONTRACTS_SCHEMA:
        got = data.get("schema") if isinstance(data, dict) else None
        return f"{path}: schema is {got!r}, expected {CONTRACTS_SCHEMA!r}; {fix}."
    if not isinstance(data.get("contracts"), list):
        return f'{path}: "contracts" must be a list; {fix}.'
    for index, contract in enumerate(data["contracts"]):
        where = f"{path}: contracts[{index}]"
        if not isinstance(contract, dict):
            return f"{where}: expected an object; {fix}."
        if "kept" in contract and not isinstance(contract["kept"], bool):
            return f"{where}.kept: expected true or false; {fix}."
        findings = contract.get("findings")
        if findings is None:
            continue
        if not isinstance(findings, list):
            return f"{where}.findings: expected a list or null; {fix}."
        for number, finding in enumerate(findings):
            if not isinstance(finding, dict):
                return f"{where}.findings[{number}]: expected an object; {fix}."
    return data
