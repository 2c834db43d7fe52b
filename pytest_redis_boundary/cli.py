"""The ``redis-boundary`` command line (work in progress)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("redis-boundary: no subcommands yet", file=sys.stderr)
    return 2
