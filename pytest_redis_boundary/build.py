"""Which build runs: the modules a wheel compiles with mypyc (``setup.py``), and whether they
loaded compiled. They judge every command a test sends; everything else is pure Python."""

from __future__ import annotations

import importlib
from importlib.machinery import EXTENSION_SUFFIXES

__all__ = ["COMPILED_MODULES", "engine_build", "is_compiled", "module_files"]

COMPILED_MODULES = (
    "pytest_redis_boundary.core.commands",
    "pytest_redis_boundary.core.commands.arguments",
    "pytest_redis_boundary.core.commands.use",
    "pytest_redis_boundary.core.commands.names",
    "pytest_redis_boundary.core.commands.table",
    "pytest_redis_boundary.core.commands.argv",
    "pytest_redis_boundary.core.commands.keys",
    "pytest_redis_boundary.core.commands.fields",
    "pytest_redis_boundary.core.commands.analysis",
    "pytest_redis_boundary.core.per_database",
    "pytest_redis_boundary.core.keyspace",
    "pytest_redis_boundary.core.keyspace.state",
    "pytest_redis_boundary.core.keyspace.call",
    "pytest_redis_boundary.core.keyspace.containers",
    "pytest_redis_boundary.core.keyspace.strings",
    "pytest_redis_boundary.core.keyspace.generic",
    "pytest_redis_boundary.core.keyspace.hashes",
    "pytest_redis_boundary.core.keyspace.lists",
    "pytest_redis_boundary.core.keyspace.sets",
    "pytest_redis_boundary.core.keyspace.other_types",
    "pytest_redis_boundary.core.keyspace.table",
    "pytest_redis_boundary.core.keyspace.transactions",
    "pytest_redis_boundary.core.keyspace.model",
    "pytest_redis_boundary.core.judge_state",
    "pytest_redis_boundary.core.fast_judge",
    "pytest_redis_boundary.core.rules",
    "pytest_redis_boundary.pytest_plugin.recording",
    "pytest_redis_boundary.recorder.callsite",
    "pytest_redis_boundary.recorder.connections",
    "pytest_redis_boundary.recorder.command_path",
)


def module_files() -> dict[str, str]:
    """The file each of ``COMPILED_MODULES`` was loaded from (importing it if need be)."""
    return {name: importlib.import_module(name).__file__ or "" for name in COMPILED_MODULES}


def is_compiled(path: str) -> bool:
    """Whether a module's file is an extension module (what mypyc builds), not source."""
    return path.endswith(tuple(EXTENSION_SUFFIXES))


def engine_build() -> str:
    """``"compiled"`` when the modules load as mypyc-compiled extensions (a wheel), ``"pure
    Python"`` when they run from source (an editable or a pure install)."""
    return "compiled" if all(map(is_compiled, module_files().values())) else "pure Python"
