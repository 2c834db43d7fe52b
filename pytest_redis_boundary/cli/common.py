"""What every ``redis-boundary`` command shares: exit codes, the usage-error message, options."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

__all__ = [
    "EXIT_OK",
    "EXIT_USAGE",
    "EXIT_VIOLATIONS",
    "Handler",
    "Subparsers",
    "add_config_options",
    "usage",
]

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2

Subparsers = Any  # argparse's _SubParsersAction, which has no public name
Handler = Callable[[argparse.Namespace], int]


def usage(message: str) -> int:
    """Print one usage-error line on stderr (never a traceback) and return ``EXIT_USAGE``."""
    print(f"redis-boundary: {message}", file=sys.stderr)
    return EXIT_USAGE


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """The import-linter config and grimp cache options of ``check`` and ``freeze``."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=None,
        help="the import-linter config file (default: import-linter's own search for "
        "setup.cfg, .importlinter, then pyproject.toml in the current directory)",
    )
    parser.add_argument("--no-cache", action="store_true", help="do not use grimp's graph cache")
    parser.add_argument("--cache-dir", metavar="DIR", default=None, help="grimp's cache directory")
