"""``--redis-boundary-contracts``: each contract of the rootdir's ``.importlinter`` as a test item.

Node ids read ``.importlinter::<contract name>`` (``-k`` also matches the contract's id and
type). The items are collected whatever paths pytest collects: when the rootdir itself is
collected, ``pytest_collect_file`` picks the file up; otherwise (``testpaths = tests``, explicit
paths) ``pytest_collection_modifyitems`` appends them, before ``-k``, ``-m`` and ``--deselect``
select. Collection only reads the config and builds (so validates) each contract, as
import-linter does; the graph is built once, when the first contract item runs, and every
contract is checked then through import-linter's own runner (``contracts.run.run_contracts``,
which ``redis-boundary check`` uses too). Each item then reports its own contract: kept
passes, and its warnings (e.g. RB903 unused allowances) become RedisBoundaryWarning warnings
pointing at the contract's section of ``.importlinter``; broken fails with the contract's
rendering, as ``lint-imports`` prints it. A missing or unreadable ``.importlinter`` or a
misconfigured contract gives one error item, ``.importlinter::configuration``, with
import-linter's message. The contracts run in the rootdir
(as ``lint-imports`` run there would) with ``--redis-boundary-today`` as the expiry date, whatever
the ``--redis-boundary`` mode is.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest

from pytest_redis_boundary.contracts.run import (
    ContractInfo,
    ContractsRun,
    UsageProblem,
    list_contracts,
    run_contracts,
)
from pytest_redis_boundary.pytest_plugin.boundary_warning import warn_boundary
from pytest_redis_boundary.pytest_plugin.options import TODAY_ENV, Settings

__all__ = [
    "CONFIGURATION_ITEM",
    "CONFIG_FILE",
    "ContractItem",
    "ContractsFile",
    "register_contract_items",
]

CONFIG_FILE: Final = ".importlinter"
CONFIGURATION_ITEM: Final = "configuration"
PLUGIN_NAME: Final = "redis-boundary-contracts"
_UNWRAPPED: Final = 100_000
_ANSI: Final = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def register_contract_items(config: pytest.Config, settings: Settings) -> None:
    """Collect the contracts this session (``--redis-boundary-contracts`` is on)."""
    plugin = _ContractsPlugin(settings.rootdir / CONFIG_FILE, settings)
    config.pluginmanager.register(plugin, PLUGIN_NAME)
    config.add_cleanup(lambda: config.pluginmanager.unregister(plugin, PLUGIN_NAME))


class _ContractsPlugin:
    """The session's contracts: listed once at collection, checked once when the first runs."""

    def __init__(self, path: Path, settings: Settings) -> None:
        self.path = path
        self.settings = settings
        self._catalog: tuple[ContractInfo, ...] | UsageProblem | None = None
        self._run: ContractsRun | UsageProblem | None = None

    # Hooks
    # -----

    def pytest_collect_file(
        self, file_path: Path, parent: pytest.Collector
    ) -> ContractsFile | None:
        if file_path == self.path:
            return ContractsFile.from_parent(parent, path=file_path)
        return None

    @pytest.hookimpl(tryfirst=True)  # before -k, -m, --deselect and --lf look at the items
    def pytest_collection_modifyitems(
        self, session: pytest.Session, items: list[pytest.Item]
    ) -> None:
        if any(isinstance(item, _ContractsNode) for item in items):
            return  # collected as a file (the rootdir, or .importlinter, was a collected path)
        contracts_file = ContractsFile.from_parent(session, path=self.path)
        collected = contracts_file.collect()
        # Reported as a file's collection is, so "collected N items" counts them.
        report = pytest.CollectReport(contracts_file.nodeid, "passed", None, [*collected])
        session.ihook.pytest_collectreport(report=report)
        items.extend(collected)

    # State
    # -----

    def catalog(self) -> tuple[ContractInfo, ...] | UsageProblem:
        if self._catalog is None:
            try:
                with self._context():
                    if not self.path.is_file():
                        raise UsageProblem(
                            f"{CONFIG_FILE} not found in the rootdir {self.settings.rootdir}; "
                            "--redis-boundary-contracts checks the contracts of that file."
                        )
                    self._catalog = list_contracts(str(self.path))
            except UsageProblem as problem:
                self._catalog = problem
        return self._catalog

    def run(self) -> ContractsRun | UsageProblem:
        if self._run is None:
            try:
                with self._context():
                    # Not wrapped: pytest prints the failure as is, and CI logs are wide.
                    self._run = run_contracts(str(self.path), quiet=True, width=_UNWRAPPED)
            except UsageProblem as problem:
                self._run = problem
        return self._run

    @contextlib.contextmanager
    def _context(self) -> Iterator[None]:
        """In the rootdir (as lint-imports run there), judging expiry at the session's date."""
        cwd = os.getcwd()
        previous = os.environ.get(TODAY_ENV)
        os.environ[TODAY_ENV] = self.settings.today.isoformat()
        try:
            os.chdir(self.settings.rootdir)
            yield
        finally:
            os.chdir(cwd)
            if previous is None:
                os.environ.pop(TODAY_ENV, None)
            else:
                os.environ[TODAY_ENV] = previous


def _plugin(config: pytest.Config) -> _ContractsPlugin:
    plugin = config.pluginmanager.get_plugin(PLUGIN_NAME)
    assert isinstance(plugin, _ContractsPlugin), "--redis-boundary-contracts is not active"
    return plugin


class ContractsFile(pytest.File):
    """The rootdir's ``.importlinter``: one item per contract, or one configuration error."""

    def collect(self) -> list[pytest.Item]:
        catalog = _plugin(self.config).catalog()
        if isinstance(catalog, UsageProblem):
            return [ConfigurationItem.from_parent(self, name=CONFIGURATION_ITEM, problem=catalog)]
        lines = _section_lines(self.path)
        items: list[pytest.Item] = []
        seen: set[str] = set()
        for index, info in enumerate(catalog):
            name = info.name if info.name not in seen else f"{info.name} ({info.id})"
            seen.add(name)
            items.append(
                ContractItem.from_parent(
                    self, name=name, info=info, index=index, line=lines.get(info.id)
                )
            )
        return items


class _ContractsNode(pytest.Item):
    def _problem(self, problem: UsageProblem) -> None:
        pytest.fail(
            f"redis-boundary: cannot check the contracts of {CONFIG_FILE}:\n{problem}",
            pytrace=False,
        )


class ConfigurationItem(_ContractsNode):
    """The configuration could not be read or a contract is misconfigured: an error at setup."""

    def __init__(self, *, problem: UsageProblem, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problem = problem

    def setup(self) -> None:
        self._problem(self.problem)

    def runtest(self) -> None:  # pragma: no cover - setup always fails
        self._problem(self.problem)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{CONFIG_FILE} configuration"


class ContractItem(_ContractsNode):
    """One contract: passes when kept, fails with the contract's rendering when broken."""

    def __init__(self, *, info: ContractInfo, index: int, line: int | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.info = info
        self.index = index
        self.line = line  # 1-based line of the contract's section, when found
        self.extra_keyword_matches.update(k for k in (info.id, info.type) if k)

    def setup(self) -> None:
        run = _plugin(self.config).run()
        if isinstance(run, UsageProblem):
            self._problem(run)

    def runtest(self) -> None:
        run = _plugin(self.config).run()
        assert isinstance(run, ContractsRun)  # setup failed otherwise
        result = run.contracts[self.index] if self.index < len(run.contracts) else None
        if result is None or result.name != self.info.name:
            pytest.fail(
                f"redis-boundary: {CONFIG_FILE} changed during the session; run pytest again.",
                pytrace=False,
            )
        for text in result.warnings:
            warn_boundary(
                f'contract "{result.name}": {_plain(text)}', str(self.path), self.line or 1
            )
        if not result.kept:
            kind = f"{result.id}, {result.type}" if result.id else result.type
            pytest.fail(
                f'{CONFIG_FILE}: contract "{result.name}" ({kind}) is BROKEN\n\n'
                + _plain(result.details).rstrip(),
                pytrace=False,
            )

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None if self.line is None else self.line - 1, f"contract {self.name}"


def _plain(text: str) -> str:
    """Without the terminal colours rich adds when a CI sets FORCE_COLOR."""
    return _ANSI.sub("", text)


def _section_lines(path: Path) -> dict[str, int]:
    """The 1-based line of each ``[importlinter:contract:ID]`` section, by id."""
    lines: dict[str, int] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return lines
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.fullmatch(r"\s*\[importlinter:contract:([^\]]+)\]\s*", line)
        if match:
            lines.setdefault(match.group(1).strip(), number)
    return lines
