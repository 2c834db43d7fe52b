"""``redis-boundary merge A.json B.json ... --output MERGED.json``: the JSON reports of CI shards
as the report of one run over all their tests."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from .common import EXIT_OK, Subparsers, usage


def add_merge_command(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "merge",
        help="merge the JSON reports of CI shards into one",
        description="Combine the JSON reports of CI shards (or several pytest runs, each "
        "written by pytest --redis-boundary-report) into the report one run over all their "
        "tests would write. Exit 0 when it is written (whatever it holds: diff and report judge "
        "it), 2 when a report is missing, malformed or judged on another day.",
    )
    parser.add_argument("reports", nargs="+", metavar="REPORT.json", help="the shards' reports")
    parser.add_argument(
        "--output", metavar="MERGED.json", required=True, help="where to write the merged report"
    )
    parser.set_defaults(handler=_merge)


def _merge(args: argparse.Namespace) -> int:
    from .. import __version__
    from ..core.reports import ReportInvalid, load_report, save_report
    from ..core.reports.merging import merge_reports

    names: list[str] = args.reports
    seen: dict[str, str] = {}
    for name in names:
        real = os.path.realpath(name)
        if real in seen:
            return usage(
                f"{name}: given twice (also as {seen[real]}), so its tests would count twice; "
                "name each shard's report once."
            )
        seen[real] = name
    try:
        loaded = [(name, load_report(name)) for name in names]
        merged = merge_reports(loaded, version=__version__)
    except ReportInvalid as err:
        return usage(str(err))
    output = Path(args.output)
    try:
        save_report(merged, output)
    except OSError as err:
        return usage(
            f"{output}: cannot write the merged report: {err.strerror or err}; "
            "pass an --output path in a folder you can write to."
        )
    summary = merged["summary"]
    print(
        f"redis-boundary: merged {len(loaded)} report(s) into {output}: {summary['tests']} "
        f"tests, {summary['violations']} violations, {summary['excepted']} excepted, "
        f"{summary['warnings']} warnings"
    )
    return EXIT_OK
