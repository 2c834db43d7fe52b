"""Build: compile the engine's hot modules with mypyc; everything else (and the fallback) is
the same pure Python.

The modules in ``COMPILED_MODULES`` of ``pytest_redis_boundary/build.py`` (read from that file)
judge every Redis command a test sends; mypyc compiles them to C extension modules beside their
``.py`` sources, which Python imports first. Nothing changes in behaviour: the same test suite
runs against both builds (``make test``). mypyc type-checks with ``MYPY_CONFIG`` below, not the
lint's settings. The build stays pure:

* for an editable install (``pip install -e``): a compiled module would shadow its source, so an
  edit would silently not take effect;
* with ``REDIS_BOUNDARY_PURE=1`` in the environment;
* when compiling fails: when mypyc rejects the modules (a newer mypy finding a type error), or
  the C compiler fails (the extensions are optional: setuptools skips them with a warning).

A pure build says why on stderr (pip shows it only with ``-v``) and in the built package, where
``redis-boundary --version`` and the pytest header read it (``build.py``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent
PACKAGE = "pytest_redis_boundary"

# mypyc's type check, for the build only. It reports errors in the compiled modules alone
# (strict, as the lint): every other module of the package is followed silently for the types
# the compiled ones read, so what those import need not be installed to build (the contracts'
# import-linter and rich; the lint checks all of it). What the compiled modules' types come from
# is a build requirement in pyproject.toml: redis-py (the recorder's connection state) and
# types-PyYAML (the policy the recording reads).
MYPY_CONFIG = f"""\
[mypy]
strict = True

[mypy-{PACKAGE}.*]
follow_imports = silent
"""


def _build_module() -> ModuleType:
    """``build.py``, loaded by path: importing the package here would need its dependencies at
    build time."""
    spec = importlib.util.spec_from_file_location(
        "_redis_boundary_build", ROOT / PACKAGE / "build.py"
    )
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    return build


def _compiled_sources() -> list[str]:
    """The source file of each module in ``COMPILED_MODULES``."""
    sources = []
    for name in _build_module().COMPILED_MODULES:
        path = Path(*name.split("."))
        package = path / "__init__.py"
        sources.append(str(package if (ROOT / package).is_file() else path.with_suffix(".py")))
    return sources


COMPILED = _compiled_sources()
EDITABLE = "editable_wheel" in sys.argv
# pip runs this file once per build step; only the steps that build extensions compile (mypyc
# takes a while), not those that read the metadata or make the sdist.
BUILDS_EXTENSIONS = not {"build", "build_ext", "bdist_wheel", "bdist", "install"}.isdisjoint(
    sys.argv[1:]
)


def _say_pure(reason: str) -> str:
    """Print why the build is pure Python where a build log shows it; return the reason."""
    rule = "*" * 78
    print(
        f"{rule}\npytest-redis-boundary: building the engine as PURE PYTHON, not compiled:\n"
        f"  {reason}\n(redis-boundary --version and the pytest header say so)\n{rule}",
        file=sys.stderr,
    )
    return reason


def _first_errors(log: str, shown: int = 3) -> str:
    """The first of mypy's error lines in ``log``, and how many more there were."""
    errors = [line.strip() for line in log.splitlines() if ": error:" in line]
    if not errors:
        return log.strip().splitlines()[-1] if log.strip() else "no message"
    more = len(errors) - shown
    return "; ".join(errors[:shown]) + (f" (and {more} more)" if more > 0 else "")


def _extensions() -> tuple[list[Any], str | None]:
    """The compiled extensions, or none and why the build is pure Python."""
    if os.environ.get("REDIS_BOUNDARY_PURE") == "1":
        return [], "built with REDIS_BOUNDARY_PURE=1"
    if EDITABLE:
        return [], "an editable install: the modules run from their sources"
    if not BUILDS_EXTENSIONS:
        return [], None
    try:
        from mypyc.build import mypycify
    except ImportError as exc:  # built without the build requirements (--no-build-isolation)
        return [], _say_pure(f"mypyc was not importable at build time ({exc})")
    log = io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "mypy.ini"
        config.write_text(MYPY_CONFIG)
        try:
            with contextlib.redirect_stdout(log):  # mypyc prints mypy's errors, then exits
                extensions = mypycify(
                    ["--config-file", str(config), *COMPILED],
                    opt_level="3",
                    group_name="pytest_redis_boundary_engine",
                )
        except (Exception, SystemExit) as exc:
            print(log.getvalue(), file=sys.stderr)
            detail = _first_errors(log.getvalue()) if isinstance(exc, SystemExit) else repr(exc)
            return [], _say_pure(f"mypyc could not compile the engine: {detail}")
    print(log.getvalue(), end="")
    for extension in extensions:
        extension.optional = True
    return list(extensions), None


EXTENSIONS, PURE_REASON = _extensions()


class BuildPy(build_py):  # type: ignore[misc]  # setuptools has no types here
    """Also writes the build record: why the engine is pure Python, or that it was compiled."""

    def run(self) -> None:
        super().run()
        if not EDITABLE:
            _build_module().write_record(Path(self.build_lib) / PACKAGE, PURE_REASON)


class BuildExt(build_ext):  # type: ignore[misc]
    """Records a C compiler failure, which setuptools only warns of (the extensions are
    optional), in the build record."""

    failures: list[str]

    def run(self) -> None:
        self.failures = []
        super().run()
        if self.failures and not self.inplace:
            first = self.failures[0]
            if len(first) > 160:  # the rest is the compiler's command line
                first = first[:160] + "..."
            count = f"{len(self.failures)} of {len(self.extensions)} extensions"
            reason = _say_pure(f"the C compiler failed on {count}, first {first}")
            _build_module().write_record(Path(self.build_lib) / PACKAGE, reason)

    def build_extension(self, ext: Any) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            self.failures.append(f"{ext.name}: {exc}")
            raise


setup(ext_modules=EXTENSIONS, cmdclass={"build_py": BuildPy, "build_ext": BuildExt})
