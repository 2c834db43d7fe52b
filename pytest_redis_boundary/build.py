"""Which build runs: the modules a wheel compiles with mypyc (``setup.py``), and whether they
loaded compiled. They judge every command a test sends; everything else is plain Python."""

from __future__ import annotations

import importlib
import sys
from importlib.machinery import EXTENSION_SUFFIXES

__all__ = ["COMPILED_MODULES", "engine_build"]

COMPILED_MODULES = (
    "pytest_redis_boundary.core.commands",
    "pytest_redis_boundary.core.keyspace",
    "pytest_redis_boundary.core.hotpath",
    "pytest_redis_boundary.core.rules",
    "pytest_redis_boundary.pytest_plugin.recording",
)


def engine_build() -> str:
    """``"compiled"`` when the modules load as mypyc-compiled extensions (a wheel), ``"pure
    Python"`` when they run from source (an editable or a pure install)."""
    suffixes = tuple(EXTENSION_SUFFIXES)
    for name in COMPILED_MODULES:
        module = sys.modules.get(name) or importlib.import_module(name)
        if not (getattr(module, "__file__", None) or "").endswith(suffixes):
            return "pure Python"
    return "compiled"
