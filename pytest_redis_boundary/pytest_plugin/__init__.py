"""The pytest plugin, registered as ``redis_boundary`` (``-p no:redis_boundary`` disables it).

The hooks pytest loads from this module: options and ini keys (``options``), markers
(``markers``), the session plugin that records and judges each test (``session``), the fixtures
(``fixtures``), the ``.importlinter`` contracts as items (``contract_items``). Without an
importable redis-py the plugin is inert and says so in the header (the contract items still run).
"""

from __future__ import annotations

from typing import Final

import pytest

from pytest_redis_boundary.build import engine_summary
from pytest_redis_boundary.core.warning import RedisBoundaryWarning
from pytest_redis_boundary.pytest_plugin.fixtures import (
    _redis_boundary_backend,
    redis_boundary,
    redis_boundary_async_client,
    redis_boundary_client,
)
from pytest_redis_boundary.pytest_plugin.markers import register_markers
from pytest_redis_boundary.pytest_plugin.options import SETTINGS_KEY, add_options, read_settings

__all__ = [
    "RedisBoundaryWarning",
    "pytest_addoption",
    "pytest_configure",
    "pytest_report_header",
    "redis_boundary",
    "redis_boundary_async_client",
    "redis_boundary_client",
]

PLUGIN_NAME: Final = "redis-boundary-session"
_INERT_KEY: Final = pytest.StashKey[str]()

# Fixtures are found on this module by pytest; keep the private backend one referenced.
_FIXTURES: Final = (
    _redis_boundary_backend,
    redis_boundary,
    redis_boundary_client,
    redis_boundary_async_client,
)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def _redis_missing() -> str | None:
    try:
        import redis  # noqa: F401
    except ImportError as err:
        return str(err) or "No module named 'redis'"
    return None


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    register_markers(config)
    settings = read_settings(config)  # pytest.UsageError (exit code 4) on a bad option or policy
    config.stash[SETTINGS_KEY] = settings
    if settings.contracts:  # independent of redis-py and of the mode
        from pytest_redis_boundary.pytest_plugin.contract_items import register_contract_items

        register_contract_items(config, settings)
    missing = _redis_missing()
    if missing is not None:
        config.stash[_INERT_KEY] = missing
        return
    from pytest_redis_boundary.pytest_plugin.session import RedisBoundaryPlugin

    plugin = RedisBoundaryPlugin(config, settings)
    config.pluginmanager.register(plugin, PLUGIN_NAME)
    config.add_cleanup(lambda: config.pluginmanager.unregister(plugin, PLUGIN_NAME))
    plugin.install()


def pytest_report_header(config: pytest.Config) -> str | None:
    missing = config.stash.get(_INERT_KEY, None)
    if missing is not None:
        return f"redis-boundary: inert, redis-py is not importable ({missing})"
    settings = config.stash.get(SETTINGS_KEY, None)
    if settings is None:
        return None
    return (
        f"redis-boundary: mode {settings.mode}, policy {settings.policy_source}, "
        f"today {settings.today.isoformat()}"
        + (f", server {_server(settings.url)}" if settings.url else ", fixtures on fakeredis")
        + f", engine {engine_summary()}"
        + _skipped_modules(config, settings.policy.callsite.skip_modules)
    )


def _skipped_modules(config: pytest.Config, names: tuple[str, ...]) -> str:
    """The header's note on ``callsite.skip_modules``: a name not found here would silently
    leave call sites inside that library, so it is named."""
    if not names:
        return ""
    plugin = config.pluginmanager.get_plugin(PLUGIN_NAME)
    recorder = getattr(plugin, "recorder", None)
    missing: tuple[str, ...] = getattr(recorder, "skip_modules_not_found", ())
    note = f", call sites skip {', '.join(names)}"
    if missing:
        note += (
            f" ({', '.join(missing)}: not importable here, so not skipped; check the policy's "
            "callsite.skip_modules)"
        )
    return note


def _server(url: str) -> str:
    """The URL's server without credentials."""
    from pytest_redis_boundary.pytest_plugin.probes import server_id_of_url

    return server_id_of_url(url)
