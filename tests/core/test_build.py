"""Which build of the engine runs: the compiled wheel (``make test``'s second run) or source."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from pytest_redis_boundary.build import COMPILED_MODULES, engine_build
from tests.conftest import BUILD_ENV

SETUP_PY = Path(__file__).parents[2] / "setup.py"


def test_engine_build_names_the_build_under_test() -> None:
    expected = "compiled" if os.environ.get(BUILD_ENV) else "pure Python"
    assert engine_build() == expected


def _setup_py_sources() -> list[str]:
    """What setup.py hands mypyc: its ``_compiled_sources()`` run alone (running setup.py
    would run setuptools)."""
    tree = ast.parse(SETUP_PY.read_text())
    function = next(
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name == "_compiled_sources"
    )
    namespace: dict[str, object] = {"__file__": str(SETUP_PY), "Path": Path}
    exec("import importlib.util", namespace)
    exec(compile(ast.Module(body=[function], type_ignores=[]), str(SETUP_PY), "exec"), namespace)
    sources = namespace["_compiled_sources"]
    assert callable(sources)
    result = sources()
    assert isinstance(result, list)
    return [str(source) for source in result]


def test_setup_py_compiles_the_modules_build_py_lists() -> None:
    root = SETUP_PY.parent
    sources = _setup_py_sources()
    assert len(sources) == len(COMPILED_MODULES)
    for name, source in zip(COMPILED_MODULES, sources, strict=True):
        assert (root / source).is_file(), source
        module = source.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        assert module == name


def test_setup_py_keeps_no_copy_of_the_module_list() -> None:
    assert '"pytest_redis_boundary/' not in SETUP_PY.read_text()


def test_every_engine_module_is_compiled() -> None:
    """A module added to the engine's packages is compiled too (or it would run as source)."""
    root = SETUP_PY.parent
    package = root / "pytest_redis_boundary" / "core" / "keyspace"
    found = {
        ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        for path in package.glob("*.py")
    }
    assert found <= set(COMPILED_MODULES)


def test_version_says_which_engine_build_runs() -> None:
    done = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "redis-boundary"), "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip().endswith(f"(engine: {engine_build()})")
