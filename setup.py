"""Build: compile the engine's hot modules with mypyc; everything else (and the fallback) is
the same pure Python.

The modules in ``COMPILED_MODULES`` of ``pytest_redis_boundary/build.py`` (read from that file)
judge every Redis command a test sends; mypyc compiles them to C extension modules beside their
``.py`` sources, which Python imports first. Nothing changes in behaviour: the same test suite
runs against both builds (``make test``). The build stays pure:

* for an editable install (``pip install -e``): a compiled module would shadow its source, so an
  edit would silently not take effect;
* with ``REDIS_BOUNDARY_PURE=1`` in the environment;
* when compiling fails: when mypyc rejects the modules (a newer mypy finding a type error), or
  the C compiler fails (the extensions are optional: setuptools skips them with a warning).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from setuptools import setup


def _compiled_sources() -> list[str]:
    """The source file of each module in ``COMPILED_MODULES``, read from ``build.py`` by path:
    importing the package here would need its dependencies at build time."""
    root = Path(__file__).parent
    spec = importlib.util.spec_from_file_location(
        "_redis_boundary_build", root / "pytest_redis_boundary" / "build.py"
    )
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    sources = []
    for name in build.COMPILED_MODULES:
        path = Path(*name.split("."))
        package = path / "__init__.py"
        sources.append(str(package if (root / package).is_file() else path.with_suffix(".py")))
    return sources


COMPILED = _compiled_sources()


def _extensions() -> list[object]:
    if os.environ.get("REDIS_BOUNDARY_PURE") == "1" or "editable_wheel" in sys.argv:
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:  # built without the build requirements (an old pip, --no-build-isolation)
        print("pytest-redis-boundary: mypyc not found, building pure Python", file=sys.stderr)
        return []
    try:
        extensions = mypycify(COMPILED, opt_level="3", group_name="pytest_redis_boundary_engine")
    except (Exception, SystemExit) as exc:  # mypyc exits when this mypy finds a type error
        print(
            f"pytest-redis-boundary: mypyc could not compile the engine ({exc!r}); "
            "building pure Python",
            file=sys.stderr,
        )
        return []
    for extension in extensions:
        extension.optional = True
    return list(extensions)


setup(ext_modules=_extensions())
