"""Command-line options and ini keys, read once into a frozen ``Settings`` in ``config.stash``.

Every option has an ini key of the same name (dashes become underscores); the command line
wins over the ini file. ``--redis-boundary-today`` also reads the environment variable
``REDIS_BOUNDARY_TODAY`` (command line, then the variable, then the ini key, then the local date).
Invalid values raise ``pytest.UsageError`` (exit code 4) naming the option and what was expected.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import pytest

from pytest_redis_boundary.core.policy import (
    Policy,
    PolicyErrors,
    default_policy,
    load_policy,
)

__all__ = [
    "EXPIRY_WARNING_DAYS",
    "MODES",
    "POLICY_FILE",
    "SETTINGS_KEY",
    "TODAY_ENV",
    "Mode",
    "Settings",
    "add_options",
    "read_settings",
]

Mode = Literal["strict", "warn", "off"]
MODES: Final[tuple[Mode, ...]] = ("strict", "warn", "off")
TODAY_ENV: Final = "REDIS_BOUNDARY_TODAY"
POLICY_FILE: Final = "redis-boundary.yaml"
EXPIRY_WARNING_DAYS: Final = 14
"""The default of ``--redis-boundary-expiry-warning-days``."""


@dataclass(frozen=True, slots=True)
class Settings:
    """The session's redis-boundary settings, settled once in ``pytest_configure``."""

    mode: Mode
    policy: Policy
    policy_source: str  # the file read, or "<built-in default>"
    today: datetime.date
    report: Path | None
    sarif: Path | None
    url: str | None
    contracts: bool
    strict_exceptions: bool
    rootdir: Path
    expiry_warning_days: int = EXPIRY_WARNING_DAYS  # the summary flags exceptions this close


SETTINGS_KEY: Final = pytest.StashKey[Settings]()


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup(
        "redis-boundary", "Redis/RQ retirement boundary (pytest-redis-boundary)"
    )

    def add(option: str, help: str, *, ini_type: str = "string", **kwargs: object) -> None:
        dest = option.lstrip("-").replace("-", "_")
        group.addoption(option, dest=dest, help=help, **kwargs)
        if ini_type == "bool":
            parser.addini(dest, help, type="bool", default=False)
        else:
            parser.addini(dest, help, default=None)

    add(
        "--redis-boundary",
        "strict: a test with a violation fails; warn: findings become warnings; off: record "
        "nothing (default: strict)",
        metavar="strict|warn|off",
        default=None,
    )
    add(
        "--redis-boundary-policy",
        "policy file (default: redis-boundary.yaml in the rootdir, else the built-in policy)",
        metavar="PATH",
        default=None,
    )
    add(
        "--redis-boundary-report",
        "write the JSON report (schema redis-boundary-report/1) to PATH",
        metavar="PATH",
        default=None,
    )
    add(
        "--redis-boundary-sarif",
        "write the findings as SARIF 2.1.0 to PATH",
        metavar="PATH",
        default=None,
    )
    add(
        "--redis-boundary-today",
        f"the date exception expiry is judged against, YYYY-MM-DD (also env {TODAY_ENV}; "
        "default: the local date)",
        metavar="YYYY-MM-DD",
        default=None,
    )
    add(
        "--redis-boundary-url",
        "the redis_boundary_client fixtures use this real server instead of fakeredis",
        metavar="redis://...",
        default=None,
    )
    add(
        "--redis-boundary-contracts",
        "collect each contract of the rootdir's .importlinter as a test item",
        ini_type="bool",
        action="store_true",
        default=None,
    )
    add(
        "--redis-boundary-strict-exceptions",
        "fail the session when an exception matched nothing in the run (RB903)",
        ini_type="bool",
        action="store_true",
        default=None,
    )
    add(
        "--redis-boundary-expiry-warning-days",
        "the terminal summary flags active exceptions expiring within N days "
        f"(default: {EXPIRY_WARNING_DAYS}; 0: only those on their last day)",
        metavar="N",
        default=None,
    )


def _usage(option: str, problem: str) -> pytest.UsageError:
    return pytest.UsageError(f"{option}: {problem}")


def _text(config: pytest.Config, name: str) -> tuple[str | None, str]:
    """The option's value and where it came from (command line first, then the ini key)."""
    dest = name.replace("-", "_")
    value = config.getoption(dest, None)
    if value is not None:
        return str(value), f"--{name}"
    ini = config.getini(dest)
    if isinstance(ini, str) and ini.strip():
        return ini.strip(), f"ini {dest}"
    return None, f"--{name}"


def _flag(config: pytest.Config, name: str) -> bool:
    dest = name.replace("-", "_")
    value = config.getoption(dest, None)
    if value is not None:
        return bool(value)
    return bool(config.getini(dest))


def _path(config: pytest.Config, name: str) -> Path | None:
    """A path option: relative to the invocation dir on the command line, to the rootdir in ini."""
    value, source = _text(config, name)
    if value is None:
        return None
    base = config.invocation_params.dir if source.startswith("--") else config.rootpath
    return (base / os.path.expanduser(value)).resolve()


def _mode(config: pytest.Config) -> Mode:
    value, source = _text(config, "redis-boundary")
    if value is None:
        return "strict"
    if value not in MODES:
        raise _usage(source, f"invalid value {value!r}: expected 'strict', 'warn' or 'off'.")
    return value


def _today(config: pytest.Config) -> datetime.date:
    value = config.getoption("redis_boundary_today", None)
    source = "--redis-boundary-today"
    if value is None and os.environ.get(TODAY_ENV, "").strip():
        value, source = os.environ[TODAY_ENV].strip(), f"environment variable {TODAY_ENV}"
    if value is None:
        ini = config.getini("redis_boundary_today")
        if isinstance(ini, str) and ini.strip():
            value, source = ini.strip(), "ini redis_boundary_today"
    if value is None:
        return datetime.date.today()
    try:
        if len(str(value)) != 10:
            raise ValueError("not YYYY-MM-DD")
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise _usage(
            source, f"invalid date {value!r}: expected YYYY-MM-DD, e.g. 2026-11-28."
        ) from None


def _policy(config: pytest.Config) -> Policy:
    """The policy file (docs/reference/policy.md): the option, the ini key, redis-boundary.yaml in
    the rootdir, else the built-in default."""
    path = _path(config, "redis-boundary-policy")
    if path is None:
        candidate = config.rootpath / POLICY_FILE
        if not candidate.is_file():
            return default_policy()
        path = candidate
    try:
        return load_policy(_display(path, config))
    except PolicyErrors as errors:
        raise pytest.UsageError(
            f"redis-boundary: the policy file {_display(path, config)} is invalid:\n\n{errors}"
        ) from None


def _display(path: Path, config: pytest.Config) -> str:
    """A path relative to the current directory when it is under it (file:line messages)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _expiry_warning_days(config: pytest.Config) -> int:
    value, source = _text(config, "redis-boundary-expiry-warning-days")
    if value is None:
        return EXPIRY_WARNING_DAYS
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        raise _usage(
            source, f"invalid number of days {value!r}: expected an integer >= 0, e.g. 14."
        )
    return int(text)


def _url(config: pytest.Config) -> str | None:
    value, source = _text(config, "redis-boundary-url")
    if value is None:
        return None
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise _usage(
            source, f"invalid URL {value!r}: expected redis://, rediss:// or unix:// (redis-py)."
        )
    return value


def read_settings(config: pytest.Config) -> Settings:
    """Read and check every option; raises ``pytest.UsageError`` on the first bad one."""
    mode = _mode(config)
    today = _today(config)
    policy = _policy(config)
    return Settings(
        mode=mode,
        policy=policy,
        policy_source=policy.source,
        today=today,
        report=_path(config, "redis-boundary-report"),
        sarif=_path(config, "redis-boundary-sarif"),
        url=_url(config),
        contracts=_flag(config, "redis-boundary-contracts"),
        strict_exceptions=_flag(config, "redis-boundary-strict-exceptions"),
        rootdir=config.rootpath,
        expiry_warning_days=_expiry_warning_days(config),
    )
