"""Build: compile the engine's hot modules with mypyc; everything else (and the fallback) is
the same pure Python.

The modules in ``COMPILED`` (``pytest_redis_boundary.build.COMPILED_MODULES``) judge every Redis
command a test sends; mypyc compiles them to C extension modules beside their ``.py`` sources,
which Python imports first. Nothing changes in behaviour: the same test suite runs against both
builds (``make test``). The build stays pure:

* for an editable install (``pip install -e``): a compiled module would shadow its source, so an
  edit would silently not take effect;
* with ``REDIS_BOUNDARY_PURE=1`` in the environment;
* when compiling fails: when mypyc rejects the modules (a newer mypy finding a type error), or
  the C compiler fails (the extensions are optional: setuptools skips them with a warning).
"""

from __future__ import annotations

import os
import sys

from setuptools import setup

COMPILED = [
    "pytest_redis_boundary/core/commands.py",
    "pytest_redis_boundary/core/keyspace.py",
    "pytest_redis_boundary/core/hotpath.py",
    "pytest_redis_boundary/core/rules.py",
    "pytest_redis_boundary/pytest_plugin/recording.py",
    "pytest_redis_boundary/recorder/callsite.py",
    "pytest_redis_boundary/recorder/connections.py",
    "pytest_redis_boundary/recorder/command_path.py",
]


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
