"""Which build of the engine runs: the compiled wheel (``make test``'s second run) or source."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pytest_redis_boundary.build import COMPILED_MODULES, engine_build
from tests.conftest import BUILD_ENV


def test_engine_build_names_the_build_under_test() -> None:
    expected = "compiled" if os.environ.get(BUILD_ENV) else "pure Python"
    assert engine_build() == expected


def test_the_compiled_modules_are_the_ones_setup_py_compiles() -> None:
    setup = (Path(__file__).parents[2] / "setup.py").read_text()
    paths = [f'"{name.replace(".", "/")}.py"' for name in COMPILED_MODULES]
    assert all(path in setup for path in paths)
    assert setup.count('"pytest_redis_boundary/') == len(COMPILED_MODULES)


def test_version_says_which_engine_build_runs() -> None:
    done = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "redis-boundary"), "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip().endswith(f"(engine: {engine_build()})")
