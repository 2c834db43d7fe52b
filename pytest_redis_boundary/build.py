"""Which build runs: the modules a wheel compiles with mypyc (``setup.py``), whether they
loaded compiled, and why not. They judge every command a test sends; everything else is pure
Python.

``setup.py`` loads this file by path (not as part of the package) and writes the build record
with ``write_record``: a small JSON file in the built package, never in the source tree, that
says why a build is pure Python (mypyc failed, ``REDIS_BOUNDARY_PURE=1``, the C compiler failed).
"""

from __future__ import annotations

import importlib
import json
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

__all__ = [
    "COMPILED_MODULES",
    "RECORD_NAME",
    "engine_build",
    "engine_summary",
    "is_compiled",
    "module_files",
    "pure_reason",
    "write_record",
]

RECORD_NAME = "_build.json"
_RECORD_KEY = "pure_reason"

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
    "pytest_redis_boundary.core.inventory_tally",
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


def write_record(package_folder: Path, reason: str | None) -> None:
    """Record in a built package why its engine is pure Python (``None``: it was compiled)."""
    package_folder.mkdir(parents=True, exist_ok=True)
    (package_folder / RECORD_NAME).write_text(json.dumps({_RECORD_KEY: reason}) + "\n")


def pure_reason(files: dict[str, str], record: Path | None = None) -> str:
    """Why the modules in ``files`` (name to loaded file) are not all compiled: the reason the
    build recorded, or what the record's absence or a module's file shows."""
    record = record or Path(__file__).with_name(RECORD_NAME)
    try:
        recorded = json.loads(record.read_text()).get(_RECORD_KEY)
    except FileNotFoundError:
        return "running from the source tree: an editable install or a checkout on the path"
    except (OSError, ValueError, AttributeError) as exc:
        return f"its build record {record} is unreadable ({exc})"
    if recorded:
        return str(recorded)
    name, where = next(
        ((name, where) for name, where in files.items() if not is_compiled(where)),
        ("", "?"),
    )
    return f"the build compiled the engine, but {name} was imported from {where}"


def engine_summary() -> str:
    """``"compiled"``, or ``"pure Python (<why>)"``: what ``--version`` and the pytest header
    say."""
    files = module_files()
    if all(map(is_compiled, files.values())):
        return "compiled"
    return f"pure Python ({pure_reason(files)})"
