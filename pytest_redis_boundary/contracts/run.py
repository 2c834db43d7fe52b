"""Running a config's contracts through import-linter's own machinery, and freezing chains.

``run_contracts`` is what ``lint-imports`` does (read the config, register the built-in contract
types, build the graph once, check every contract on its own copy), returning the results as
values instead of printing them, so ``redis-boundary check`` can print text, JSON or SARIF.
Configuration problems raise ``UsageProblem`` with a message for people, never a traceback.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

import rich
from importlinter import configuration
from importlinter.application import rendering, use_cases
from importlinter.application.app_config import settings as importlinter_settings
from importlinter.application.output import console
from importlinter.application.ports.reporting import Report
from importlinter.application.sentinels import NotSupplied
from importlinter.domain.contract import (
    Contract,
    ContractCheck,
    InvalidContractOptions,
    registry,
)

from ..core.atomic_files import write_atomically
from ..core.imports import (
    Baseline,
    BaselineInvalid,
    ChainId,
    ImportJudgement,
    dump_baseline,
    format_chain_id,
    parse_baseline,
)
from ..core.runtime_baseline import dump_runtime_baseline, parse_runtime_baseline
from .rq_retirement import _CONFIG_FILE_OPTION, RESULT_KEY, RQRetirementContract, root_packages
from .rq_retirement import find_contract_chains as _find_contract_chains

__all__ = [
    "ContractInfo",
    "ContractResult",
    "ContractsRun",
    "FreezeResult",
    "NoRuntimeModules",
    "UsageProblem",
    "current_chains",
    "default_config_file",
    "freeze",
    "list_contracts",
    "render_text",
    "run_contracts",
    "runtime_module_names",
]


class NoRuntimeModules(Exception):
    """The config has no rq_retirement contract, so it names no runtime modules."""


class UsageProblem(Exception):
    """A configuration, policy or file problem: exit status 2 with this message."""


@dataclass(frozen=True, slots=True)
class ContractResult:
    id: str
    name: str
    type: str
    kept: bool
    warnings: tuple[str, ...]
    judgement: ImportJudgement | None  # rq_retirement contracts only
    details: str  # the broken contract's text as lint-imports prints it ("" when kept)


@dataclass(frozen=True, slots=True)
class ContractsRun:
    config: str  # the config file, relative to the current directory when possible
    contracts: tuple[ContractResult, ...]
    report: Report

    @property
    def kept(self) -> bool:
        return all(c.kept for c in self.contracts)


def _cache(no_cache: bool, cache_dir: str | None) -> Any:
    if no_cache:
        return None
    return NotSupplied if cache_dir is None else cache_dir


@contextlib.contextmanager
def _importlinter(quiet: bool) -> Iterator[None]:
    """Set import-linter up as its CLI does, optionally silencing its console."""
    configuration.configure()
    cwd = os.getcwd()
    # import-linter prints through its console; its progress bar and spinner use rich's global one.
    consoles = (console, rich.get_console())
    previous = [c.quiet for c in consoles]
    for each in consoles:
        each.quiet = quiet
    added_path = cwd not in sys.path
    if added_path:
        sys.path.insert(0, cwd)  # as lint-imports does: the project's packages are importable
    try:
        yield
    finally:
        for each, was in zip(consoles, previous, strict=True):
            each.quiet = was
        if added_path and cwd in sys.path:
            sys.path.remove(cwd)


def _read_options(config: str | None) -> tuple[str, Any]:
    """The user options of ``config`` (or of import-linter's default search), and its name."""
    try:
        options = use_cases.read_user_options(config_filename=config)
    except FileNotFoundError as err:
        where = f"'{config}'" if config else "setup.cfg, .importlinter or pyproject.toml here"
        found = [] if config else [n for n in _CONFIG_FILES if os.path.exists(n)]
        if found:
            # The files are there; what is missing is import-linter's section in them.
            section = " or ".join(_CONFIG_SECTIONS[n] for n in found)
            raise UsageProblem(
                f"{' and '.join(found)} found here, but without an import-linter section "
                f"({section}); add one, or pass --config FILE."
            ) from None
        raise UsageProblem(f"{err} Looked for {where}; pass --config FILE.") from None
    except Exception as err:  # configparser and tomllib errors
        raise UsageProblem(f"cannot read {config or 'the configuration'}: {err}") from None
    if not options.contracts_options:
        raise UsageProblem(f"no contracts found in {config or 'the configuration'}.")
    filename = config or default_config_file()
    if filename:
        # Tell rq_retirement contracts which file they come from (relative paths resolve there).
        options.session_options[_CONFIG_FILE_OPTION] = str(Path(filename).resolve())
    return (os.path.relpath(filename) if filename else "the configuration"), options


_CONFIG_FILES: Final = ("setup.cfg", ".importlinter", "pyproject.toml")
_CONFIG_SECTIONS: Final = {
    "setup.cfg": "[importlinter]",
    ".importlinter": "[importlinter]",
    "pyproject.toml": "[tool.importlinter]",
}


def default_config_file() -> str | None:
    """The file import-linter's own search would read here, ``None`` if there is none."""
    configuration.configure()
    for reader in importlinter_settings.USER_OPTION_READERS.values():
        for name in reader.potential_config_filenames:
            if os.path.exists(name) and reader._read_config_filename(name):
                return str(name)
    return None


def _register_contract_types(options: Any) -> None:
    """Register the built-in and the config's contract types, as ``lint-imports`` does.

    import-linter 2.17 registers a config's own types per config source; earlier releases (the
    newest that runs on Python 3.10 is 2.15) register everything from the user options at once.
    """
    if hasattr(use_cases, "_register_built_in_contract_types"):
        use_cases._register_built_in_contract_types()
    else:
        use_cases._register_contract_types(options)  # type: ignore[attr-defined]


def _contract_classes(options: Any) -> Any:
    """A lookup from contract type name to class, after validating the contract ids."""
    if hasattr(use_cases, "ConfigSource"):
        source = use_cases.ConfigSource(filename=None, user_options=options)
        use_cases._validate_contract_ids(source)
        use_cases._register_built_in_contract_types()
        return lambda contract_type: use_cases._get_contract_class(source, contract_type)
    use_cases._register_contract_types(options)  # type: ignore[attr-defined]
    return registry.get_contract_class


def run_contracts(
    config: str | None,
    *,
    no_cache: bool = False,
    cache_dir: str | None = None,
    quiet: bool,
    width: int | None = None,
) -> ContractsRun:
    """Check every contract of the config, as ``lint-imports`` would; raises ``UsageProblem``.

    ``width``: the columns each broken contract's ``details`` is wrapped at (default: the
    terminal's, as ``lint-imports`` prints it).
    """
    with _importlinter(quiet):
        name, options = _read_options(config)
        try:
            _register_contract_types(options)
            report = use_cases.create_report(options, cache_dir=_cache(no_cache, cache_dir))
        except Exception as err:
            raise UsageProblem(f"{name}: {type(err).__name__}: {err}") from None
    if report.invalid_contract_options:
        raise UsageProblem(_misconfigured(name, report.invalid_contract_options))
    results = []
    for contract, check in report.get_contracts_and_checks():
        results.append(_result(contract, check, width))
    return ContractsRun(config=name, contracts=tuple(results), report=report)


@dataclass(frozen=True, slots=True)
class ContractInfo:
    id: str
    name: str
    type: str


def list_contracts(config: str) -> tuple[ContractInfo, ...]:
    """The config's contracts, each built (so validated) as import-linter builds them, in order.

    No graph is built: this is cheap enough for pytest's collection. Raises ``UsageProblem``
    with ``run_contracts``' messages (unreadable config, unknown type, misconfigured contracts).
    """
    with _importlinter(quiet=True):
        name, options = _read_options(config)
        invalid: dict[str, InvalidContractOptions] = {}
        found: list[ContractInfo] = []
        try:
            contract_class_of = _contract_classes(options)
            for contract_options in options.contracts_options:
                contract_name = str(contract_options.get("name", contract_options.get("id", "")))
                contract_type = str(contract_options.get("type", ""))
                contract_class = contract_class_of(contract_type)
                try:
                    contract_class(
                        name=contract_name,
                        session_options=options.session_options,
                        contract_options=contract_options,
                    )
                except InvalidContractOptions as err:
                    invalid[contract_name] = err
                    continue
                found.append(
                    ContractInfo(
                        id=str(contract_options.get("id", "")),
                        name=contract_name,
                        type=contract_type,
                    )
                )
        except Exception as err:
            raise UsageProblem(f"{name}: {type(err).__name__}: {err}") from None
    if invalid:
        raise UsageProblem(_misconfigured(name, invalid))
    return tuple(found)


def render_text(run: ContractsRun) -> None:
    """Print the run exactly as lint-imports does (without the logo)."""
    rendering.render_report(run.report)


def _result(contract: Contract, check: ContractCheck, width: int | None) -> ContractResult:
    judgement = check.metadata.get(RESULT_KEY)
    details = ""
    if not check.kept:
        previous = console._width
        if width is not None:
            console.width = width
        try:
            with console.capture() as captured:
                contract.render_broken_contract(check)
        finally:
            console._width = previous
        details = captured.get()
    return ContractResult(
        id=str(contract.contract_options.get("id", "")),
        name=contract.name,
        type=str(contract.contract_options.get("type", "")),
        kept=check.kept,
        warnings=tuple(check.warnings),
        judgement=judgement if isinstance(judgement, ImportJudgement) else None,
        details=details,
    )


def _misconfigured(config: str, invalid: dict[str, InvalidContractOptions]) -> str:
    lines = []
    for contract_name, exception in invalid.items():
        lines.append(f'{config}: contract "{contract_name}" is not configured correctly:')
        lines.extend(f"    {field}: {message}" for field, message in exception.errors.items())
    return "\n".join(lines)


# Freeze
# ------


@dataclass(frozen=True, slots=True)
class FreezeResult:
    path: Path
    chains: tuple[ChainId, ...]
    added: tuple[ChainId, ...]
    removed: tuple[ChainId, ...]

    def summary(self) -> list[str]:
        shown = os.path.relpath(self.path)
        lines = [
            f"redis-boundary: froze {len(self.chains)} chain(s) in {shown} "
            f"(+{len(self.added)} added, -{len(self.removed)} removed)"
        ]
        lines.extend(f"  + {format_chain_id(c)}" for c in self.added)
        lines.extend(f"  - {format_chain_id(c)}" for c in self.removed)
        return lines


def freeze(
    config: str | None,
    *,
    output_path: str | None = None,
    no_cache: bool = False,
    cache_dir: str | None = None,
) -> tuple[FreezeResult, ...]:
    """Write each rq_retirement contract's current chains to its baseline (or ``output_path``).

    The file is rewritten to exactly the chains found now, so it shrinks as chains are removed;
    what it adds or removes is returned (and printed by the CLI), so it never grows silently.
    """
    targets = current_chains(
        config, output_path=output_path, no_cache=no_cache, cache_dir=cache_dir
    )
    return tuple(_write(path, chains) for path, chains in sorted(targets.items()))


def current_chains(
    config: str | None,
    *,
    output_path: str | None = None,
    no_cache: bool = False,
    cache_dir: str | None = None,
) -> dict[Path, set[ChainId]]:
    """The chains each rq_retirement contract finds now (active exceptions' chains left out),
    by the baseline file they go to (all to ``output_path`` when given); raises
    ``UsageProblem``."""
    with _importlinter(quiet=True):
        name, options = _read_options(config)
        contracts = _rq_contracts(name, options)
        if not contracts:
            raise UsageProblem(f"{name}: no contract of type rq_retirement to freeze.")
        targets: dict[Path, set[ChainId]] = {}
        for contract in contracts:
            path = Path(output_path).resolve() if output_path else contract.baseline_path()
            if path is None:
                raise UsageProblem(
                    f'{name}: contract "{contract.name}" has no baseline; set baseline = FILE '
                    "in the contract or pass --output PATH."
                )
            if contract._loaded.invalid_exceptions:
                problems = "\n".join(m for _, m in contract._loaded.invalid_exceptions)
                raise UsageProblem(
                    f'{name}: contract "{contract.name}": fix the exception register before '
                    f"freezing:\n{problems}"
                )
            targets.setdefault(path, set())
        try:
            graph = _build_graph(options.session_options, no_cache, cache_dir)
            for contract in contracts:
                path = Path(output_path).resolve() if output_path else contract.baseline_path()
                assert path is not None
                targets[path].update(_find_contract_chains(graph, contract))
        except UsageProblem:
            raise
        except Exception as err:
            raise UsageProblem(f"{name}: {type(err).__name__}: {err}") from None
    return targets


def runtime_module_names(
    config: str | None, *, no_cache: bool = False, cache_dir: str | None = None
) -> tuple[str, ...]:
    """Every module under the ``runtime_modules`` of the config's rq_retirement contracts (each
    entry and its submodules, from the import graph), sorted; raises ``UsageProblem``, or
    ``NoRuntimeModules`` when the config has no such contract."""
    with _importlinter(quiet=True):
        name, options = _read_options(config)
        contracts = _rq_contracts(name, options)
        if not contracts:
            if any(c.get("type") == "rq_retirement" for c in options.contracts_options):
                raise UsageProblem(
                    f"{name}: a contract says type = rq_retirement, but contract_types does not "
                    "register that type; add to [importlinter]: contract_types = rq_retirement: "
                    "pytest_redis_boundary.contracts.RQRetirementContract"
                )
            raise NoRuntimeModules(
                f"{name} has no contract of type rq_retirement, so it names no runtime modules"
            )
        try:
            graph = _build_graph(options.session_options, no_cache, cache_dir)
        except Exception as err:
            raise UsageProblem(f"{name}: {type(err).__name__}: {err}") from None
    modules: set[str] = set()
    for contract in contracts:
        for entry in contract.runtime_entries():
            if entry not in graph.modules:
                raise UsageProblem(
                    f'{name}: contract "{contract.name}": runtime module {entry!r} does not '
                    "exist in the import graph; correct or remove it in runtime_modules."
                )
            modules.add(entry)
            modules.update(graph.find_descendants(entry))
    return tuple(sorted(modules))


def _build_graph(session: Any, no_cache: bool, cache_dir: str | None) -> Any:
    return importlinter_settings.GRAPH_BUILDER.build(
        root_package_names=root_packages(session),
        cache_dir=_graph_cache(no_cache, cache_dir),
        include_external_packages=str(session.get("include_external_packages")).lower() == "true",
        exclude_type_checking_imports=str(session.get("exclude_type_checking_imports")).lower()
        == "true",
    )


def _graph_cache(no_cache: bool, cache_dir: str | None) -> str | None:
    if no_cache:
        return None
    return cache_dir or str(importlinter_settings.DEFAULT_CACHE_DIR)


def _rq_contracts(name: str, options: Any) -> list[RQRetirementContract]:
    types: dict[str, str] = {}
    for entry in options.session_options.get("contract_types", []) or []:
        type_name, _, class_path = str(entry).partition(":")
        types[type_name.strip()] = class_path.strip()
    ours = {t for t, path in types.items() if path.endswith("RQRetirementContract")}
    contracts: list[RQRetirementContract] = []
    for contract_options in options.contracts_options:
        if contract_options.get("type") not in ours:
            continue
        # A missing or stale baseline must not stop freeze: it is what freeze (re)writes.
        without_baseline = {k: v for k, v in contract_options.items() if k != "baseline"}
        try:
            contract = RQRetirementContract(
                name=str(contract_options.get("name", contract_options.get("id", ""))),
                session_options=options.session_options,
                contract_options=without_baseline,
            )
        except InvalidContractOptions as err:
            problem = _misconfigured(name, {str(contract_options.get("name")): err})
            raise UsageProblem(problem) from None
        contract.baseline = contract_options.get("baseline")
        contracts.append(contract)
    return contracts


def _write(path: Path, chains: set[ChainId]) -> FreezeResult:
    previous: Baseline | None = None
    text: str | None = None
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8")
            previous = parse_baseline(text, source=str(path))
        except (OSError, BaselineInvalid):
            previous = None  # rewritten from scratch below
    old = previous.chains if previous is not None else frozenset()
    content = dump_baseline(chains)
    if text is not None:
        # A runtime baseline (/2) keeps its frozen findings and governance: only chains change.
        try:
            runtime = parse_runtime_baseline(text, source=str(path))
        except BaselineInvalid:
            runtime = None
        if runtime is not None:
            content = dump_runtime_baseline(replace(runtime, chains=frozenset(chains)))
    try:
        write_atomically(path, content)
    except OSError as err:
        raise UsageProblem(f"cannot write {path}: {err.strerror or err}") from None
    return FreezeResult(
        path=path,
        chains=tuple(sorted(chains)),
        added=tuple(sorted(chains - old)),
        removed=tuple(sorted(old - chains)),
    )
