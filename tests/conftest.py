"""Shared test fixtures: the real redis-server that .ci/run starts; and which build is tested.

With ``REDIS_BOUNDARY_TEST_BUILD`` naming a folder the package was installed into
(``pip install --target``; ``make test`` does this with the mypyc-compiled wheel), the suite
runs against that build instead of the source tree, in this process and in the pytest
subprocesses it starts, and stops at once if the modules it compiles are not compiled there.
"""

from __future__ import annotations

import os
import sys

import pytest

pytest_plugins = ["pytester"]

REDIS_URL_ENV = "REDIS_BOUNDARY_TEST_URL"
BUILD_ENV = "REDIS_BOUNDARY_TEST_BUILD"


def _use_build(folder: str) -> None:
    """Import the package from ``folder``: before the source tree pytest put first on the path."""
    folder = os.path.abspath(folder)
    sys.path.insert(0, folder)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (folder, os.environ.get("PYTHONPATH")) if p
    )
    from pytest_redis_boundary.build import is_compiled, module_files

    for name, where in module_files().items():
        if not where.startswith(folder) or not is_compiled(where):
            raise pytest.UsageError(
                f"{BUILD_ENV}={folder}: {name} was imported from "
                f"{where}, not compiled from that folder. Install the compiled wheel there "
                "(make compiled) or unset the variable to test the source tree."
            )


if os.environ.get(BUILD_ENV):
    _use_build(os.environ[BUILD_ENV])


@pytest.fixture(scope="session")
def redis_server_url() -> str:
    """URL of the real redis-server; CI must provide it, so there it fails instead of skipping."""
    url = os.environ.get(REDIS_URL_ENV)
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(f"{REDIS_URL_ENV} is not set: .ci/run must start redis-server", pytrace=False)
    pytest.skip(f"no real redis-server: set {REDIS_URL_ENV} (see .ci/run)")
