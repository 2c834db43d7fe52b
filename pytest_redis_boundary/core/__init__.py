"""The pure core: command semantics, key state, policy, rules and governance.

Nothing here imports pytest, redis, fakeredis, importlinter or grimp.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util

__all__ = ["ENGINE_MODULES", "engine_build"]

ENGINE_MODULES = ("commands", "keyspace", "hotpath", "rules")
"""The modules a wheel compiles with mypyc (setup.py): they judge every command a test sends."""


def engine_build() -> str:
    """``"compiled"`` when the engine modules load as mypyc-compiled extensions (a wheel),
    ``"pure Python"`` when they run from source (an editable or a pure install)."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    for name in ENGINE_MODULES:
        spec = importlib.util.find_spec(f"{__name__}.{name}")
        if spec is None or not (spec.origin or "").endswith(suffixes):
            return "pure Python"
    return "compiled"
