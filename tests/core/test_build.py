"""Which build of the engine runs: the compiled wheel (``make test``'s second run) or source."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_redis_boundary.build import (
    COMPILED_MODULES,
    RECORD_NAME,
    engine_build,
    engine_summary,
    pure_reason,
    write_record,
)
from tests.conftest import BUILD_ENV

SETUP_PY = Path(__file__).parents[2] / "setup.py"


def test_engine_build_names_the_build_under_test() -> None:
    expected = "compiled" if os.environ.get(BUILD_ENV) else "pure Python"
    assert engine_build() == expected


def _setup_py_names() -> dict[str, object]:
    """setup.py's constants and functions up to its ``COMPILED`` list, run alone (running all
    of setup.py would run setuptools)."""
    tree = ast.parse(SETUP_PY.read_text())
    wanted = (ast.FunctionDef, ast.Assign, ast.Import, ast.ImportFrom)
    body: list[ast.stmt] = [
        node
        for node in tree.body
        if isinstance(node, wanted) and "setuptools" not in ast.unparse(node)
    ]
    stop = next(n for n, node in enumerate(body) if "COMPILED = " in ast.unparse(node))
    namespace: dict[str, object] = {"__file__": str(SETUP_PY)}
    module = ast.Module(body=body[:stop], type_ignores=[])
    exec(compile(module, str(SETUP_PY), "exec"), namespace)
    return namespace


def _setup_py_sources() -> list[str]:
    """What setup.py hands mypyc: its ``_compiled_sources()``."""
    sources = _setup_py_names()["_compiled_sources"]
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
    assert " ".join(done.stdout.split()).endswith(f"(engine: {engine_summary()})")


def test_the_build_type_checks_the_compiled_modules_without_their_neighbours_imports(
    tmp_path: Path,
) -> None:
    """mypyc's check with setup.py's settings passes with no third-party package installed
    (``--no-site-packages``): an isolated build has only its build requirements, not the
    contracts' import-linter and rich that the plugin's other modules import."""
    pytest.importorskip("mypy")
    config = tmp_path / "mypy.ini"
    config.write_text(str(_setup_py_names()["MYPY_CONFIG"]))
    check = ["--config-file", str(config), "--no-site-packages", "--no-incremental"]
    done = subprocess.run(
        [sys.executable, "-m", "mypy", *check, *_setup_py_sources()],
        cwd=SETUP_PY.parent,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_engine_summary_says_compiled_or_why_not() -> None:
    if os.environ.get(BUILD_ENV):
        assert engine_summary() == "compiled"
    else:
        assert engine_summary() == (
            "pure Python (running from the source tree: an editable install or a checkout on "
            "the path)"
        )


FILES = {name: name.replace(".", "/") + ".py" for name in COMPILED_MODULES}


def test_the_reason_a_build_recorded_is_the_reason_given(tmp_path: Path) -> None:
    write_record(tmp_path / "pkg", "built with REDIS_BOUNDARY_PURE=1")
    assert pure_reason(FILES, tmp_path / "pkg" / RECORD_NAME) == "built with REDIS_BOUNDARY_PURE=1"


def test_a_compiled_build_whose_modules_run_as_source_names_the_first(tmp_path: Path) -> None:
    write_record(tmp_path, None)
    files = {**FILES, COMPILED_MODULES[0]: "/site/engine.cpython-311-x86_64-linux-gnu.so"}
    assert pure_reason(files, tmp_path / RECORD_NAME) == (
        f"the build compiled the engine, but {COMPILED_MODULES[1]} was imported from "
        f"{FILES[COMPILED_MODULES[1]]}"
    )


def test_no_record_means_the_source_tree(tmp_path: Path) -> None:
    assert pure_reason(FILES, tmp_path / RECORD_NAME).startswith("running from the source tree")


def test_an_unreadable_record_is_named(tmp_path: Path) -> None:
    (tmp_path / RECORD_NAME).write_text("{not json")
    reason = pure_reason(FILES, tmp_path / RECORD_NAME)
    assert reason.startswith(f"its build record {tmp_path / RECORD_NAME} is unreadable (")


def test_the_pytest_header_says_which_engine_runs(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    header = next(line for line in result.outlines if line.startswith("redis-boundary: mode"))
    assert f", engine {engine_summary()}" in header
