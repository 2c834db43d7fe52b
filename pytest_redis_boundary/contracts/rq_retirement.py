"""The ``rq_retirement`` import-linter contract (docs/reference/contracts.md).

```ini
[importlinter:contract:no-rq-in-runtime]
name = Runtime must not depend on rq
type = rq_retirement
runtime_modules =
    app.api
    app.runtime
policy = redis-boundary.yaml
baseline = .redis-boundary-baseline.json
```

``check()`` copies the fields into a frozen ``_Settings``, then calls pure code: ``chains`` (the
graph search) and ``core.imports`` (allowances, baseline, findings).

Decisions (docs/reference/contracts.md explains them to users):

* **Chains.** One chain per runtime module that reaches a forbidden module: the shortest,
  ties broken alphabetically. As in import-linter's ``forbidden`` contract a chain does not pass
  through another module of the same ``runtime_modules`` entry (that module has its own chain),
  except through a module an active allowance starts at (see ``chains``). Function-level imports
  count. ``TYPE_CHECKING`` imports count too (an rq type in a runtime signature is still a
  dependency on rq's design, and breaks once rq is uninstalled); a project that wants them out
  sets import-linter's own session option ``exclude_type_checking_imports = True``, which every
  contract of that config then shares.
* **Allowances.** ``imports: ["a.b -> rq"]`` names one whole chain by exact module names; its
  first module is an exact module (no submodules, no wildcards); its last may be the forbidden
  package or one of its submodules. It exempts exactly that chain as the dependency of its first
  module, and nothing else: a module reaching rq *through* ``a.b`` is a new violation, and a
  second route from ``a.b`` to rq is too. Allowances ending at a module this contract does not
  forbid belong to another contract and are ignored. Expired (today > expiry_date, with today
  from ``REDIS_BOUNDARY_TODAY`` or the local date): RB902, and the chain counts again. Unused (the
  named chain does not exist): RB903, a warning.
* **Policy errors.** A policy whose only problems are invalid register entries (RB901) breaks the
  contract with one RB901 finding each, and no allowance of that file applies until it is fixed.
  Any other policy problem (unreadable, bad YAML, unknown keys) makes the contract misconfigured
  (``redis-boundary check`` exits 2; ``lint-imports`` reports "not configured correctly").
* **Baseline.** A JSON file (``core.imports.dump_baseline``), chains as module names only, so
  moving an import does not count. Frozen chains are tolerated, new ones are RB502, frozen ones
  that are gone are warnings until ``redis-boundary freeze`` rewrites the file to the current
  chains (printing what it added and removed). A missing baseline file is a configuration error.

Relative ``policy`` and ``baseline`` paths resolve against the folder of the config file that
declares the contract. import-linter does not tell a contract which file it came from, so
``config_file_for`` asks import-linter's own report builder (the ``config_sources`` it is
iterating, matched by identity of the session options dict this contract was given); when the
contract is built any other way, or import-linter used its default search (``setup.cfg``,
``.importlinter`` and ``pyproject.toml`` in the current directory), the folder is the current
directory.
"""

from __future__ import annotations

import datetime
import difflib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, cast

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck, InvalidContractOptions
from importlinter.domain.imports import Module
from rich.markup import escape

from ..core.imports import (
    AllowanceSplit,
    Baseline,
    BaselineInvalid,
    ChainId,
    ImportJudgement,
    judge_chains,
    parse_baseline,
    parse_today,
    split_allowances,
)
from .chains import ChainDescriber, find_chains
from .render import render_findings, warning_text

if TYPE_CHECKING:
    from ..core.governance import GovernedException

__all__ = ["RQRetirementContract", "config_file_for", "find_contract_chains"]

TODAY_ENV = "REDIS_BOUNDARY_TODAY"
RESULT_KEY = "redis_boundary"  # ContractCheck.metadata[RESULT_KEY] is an ImportJudgement
VERBOSE_KEY = "redis_boundary_verbose"  # lint-imports --verbose: list every chain


@dataclass(frozen=True, slots=True)
class _Settings:
    runtime_modules: tuple[str, ...]
    forbidden_modules: tuple[str, ...]
    exceptions: tuple[GovernedException, ...]
    invalid_exceptions: tuple[tuple[str, str], ...]  # (location, RB901 message)
    baseline: Baseline | None
    today: datetime.date
    include_external_packages: bool
    root_packages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Loaded:
    """What ``validate`` read from disk, so ``check`` reads nothing."""

    exceptions: tuple[GovernedException, ...] = ()
    invalid_exceptions: tuple[tuple[str, str], ...] = ()
    baseline: Baseline | None = None
    today: datetime.date = field(default_factory=datetime.date.today)


class RQRetirementContract(Contract):
    """
    Runtime modules must not depend on the forbidden modules (default ``rq``), directly or
    through any chain, except for the exact chains an unexpired governed exception names, and
    (with a baseline) the chains frozen there.

    Configuration options:
        - runtime_modules:   The modules (each with its submodules) that must not depend on the
                             forbidden modules.
        - forbidden_modules: The modules they must not depend on. (Optional, default ``rq``.)
        - policy:            A redis-boundary policy file whose ``exceptions:`` entries with
                             ``imports:`` allow named chains until their expiry. (Optional.)
        - baseline:          A frozen-chain file written by ``redis-boundary freeze``; chains in
                             it do not break the contract, new ones do (RB502). (Optional.)
    """

    type_name = "rq_retirement"

    runtime_modules = fields.SetField(subfield=fields.ModuleField())
    forbidden_modules = fields.SetField(subfield=fields.ModuleField(), required=False)
    policy = fields.StringField(required=False)
    baseline = fields.StringField(required=False)

    _loaded: _Loaded

    def validate(self) -> None:
        """Read the policy, the baseline and today's date; problems make it misconfigured."""
        errors: dict[str, str] = _unrecognized_options(type(self), self.contract_options)
        folder = config_folder(self.session_options)
        runtime = cast("set[Module]", self.runtime_modules)
        if not any(module.name.strip() for module in runtime):
            errors["runtime_modules"] = "Expected at least one module."

        try:
            today = parse_today(os.environ.get(TODAY_ENV), default=datetime.date.today())
        except ValueError as err:
            errors[TODAY_ENV] = str(err)
            today = datetime.date.today()

        exceptions: tuple[GovernedException, ...] = ()
        invalid: tuple[tuple[str, str], ...] = ()
        policy_path = self._path("policy", folder)
        if policy_path is not None:
            # Imported here: the policy reader (and YAML) is most of this module's import time,
            # and a contract without a policy never needs it.
            from ..core.policy import PolicyErrors, load_policy

            try:
                exceptions = load_policy(_display(policy_path)).exceptions
            except PolicyErrors as err:
                if err.errors and all(_is_register_error(e.problem) for e in err.errors):
                    # RB901: the register is invalid, which breaks the contract (not a config
                    # error); no allowance applies until it is fixed.
                    invalid = tuple((_where(e.path, e.line), str(e)) for e in err.errors)
                else:
                    errors["policy"] = str(err)

        baseline: Baseline | None = None
        baseline_path = self._path("baseline", folder)
        if baseline_path is not None:
            try:
                text = baseline_path.read_text(encoding="utf-8")
            except OSError as err:
                errors["baseline"] = (
                    f"cannot read {baseline_path} ({err.strerror or err}); "
                    "create it with `redis-boundary freeze`"
                )
            else:
                try:
                    baseline = parse_baseline(text, source=_display(baseline_path))
                except BaselineInvalid as err:
                    errors["baseline"] = str(err)

        if errors:
            raise InvalidContractOptions(errors)
        self._loaded = _Loaded(exceptions, invalid, baseline, today)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        settings = self._settings()
        judgement = _judge(graph, settings)
        return ContractCheck(
            kept=judgement.kept,
            warnings=[warning_text(f) for f in judgement.warnings],
            metadata={RESULT_KEY: judgement, VERBOSE_KEY: verbose},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        judgement: ImportJudgement = check.metadata[RESULT_KEY]
        # One call for the whole text: rich's per-call cost dominates when there are many chains.
        verbose = bool(check.metadata.get(VERBOSE_KEY, False))
        text = "\n".join(render_findings(judgement.findings, verbose=verbose))
        output.print_error(escape(text), bold=False)

    def runtime_entries(self) -> tuple[str, ...]:
        """The contract's ``runtime_modules`` entries, sorted (each stands for its submodules)."""
        return self._settings().runtime_modules

    # ---

    def _settings(self) -> _Settings:
        # import-linter sets each field's parsed value on the instance, over the class's Field.
        runtime = cast("set[Module]", self.runtime_modules)
        forbidden = cast("set[Module] | None", self.forbidden_modules)
        return _Settings(
            runtime_modules=tuple(sorted(m.name for m in runtime)),
            forbidden_modules=tuple(sorted(m.name for m in forbidden)) if forbidden else ("rq",),
            exceptions=self._loaded.exceptions,
            invalid_exceptions=self._loaded.invalid_exceptions,
            baseline=self._loaded.baseline,
            today=self._loaded.today,
            include_external_packages=str(
                self.session_options.get("include_external_packages")
            ).lower()
            == "true",
            root_packages=tuple(root_packages(self.session_options)),
        )

    def _path(self, name: str, folder: Path) -> Path | None:
        raw: str | None = getattr(self, name)
        if raw is None or not raw.strip():
            return None
        path = Path(raw.strip()).expanduser()
        return path if path.is_absolute() else folder / path

    def baseline_path(self) -> Path | None:
        """Where this contract's baseline lives (for ``redis-boundary freeze``)."""
        return self._path("baseline", config_folder(self.session_options))


def find_contract_chains(graph: ImportGraph, contract: RQRetirementContract) -> tuple[ChainId, ...]:
    """The chains the contract counts now (active allowances left out): what freeze writes."""
    settings = contract._settings()
    split = _split(settings)
    _check_modules(graph, settings)
    search = find_chains(
        graph,
        runtime_modules=settings.runtime_modules,
        forbidden_modules=settings.forbidden_modules,
        allowed=[a.chain for a in split.active],
    )
    return search.chains


def _split(settings: _Settings) -> AllowanceSplit:
    if settings.invalid_exceptions:
        return AllowanceSplit((), ())
    return split_allowances(settings.exceptions, settings.forbidden_modules, today=settings.today)


def _judge(graph: ImportGraph, settings: _Settings) -> ImportJudgement:
    _check_modules(graph, settings)
    split = _split(settings)
    search = find_chains(
        graph,
        runtime_modules=settings.runtime_modules,
        forbidden_modules=settings.forbidden_modules,
        allowed=[a.chain for a in split.active],
    )
    return judge_chains(
        search.chains,
        describe=ChainDescriber(graph),
        runtime_modules=settings.runtime_modules,
        allowances=split,
        present_allowances=search.present_allowances,
        baseline=settings.baseline,
        invalid=settings.invalid_exceptions,
    )


def _check_modules(graph: ImportGraph, settings: _Settings) -> None:
    """The same checks as import-linter's forbidden contract, with the same messages."""
    for module in settings.runtime_modules:
        if module not in graph.modules:
            raise ValueError(f"Module '{module}' does not exist.")
    for module in settings.forbidden_modules:
        if module.split(".")[0] in settings.root_packages:
            if module not in graph.modules:
                raise ValueError(f"Module '{module}' does not exist.")
        elif not settings.include_external_packages:
            raise ValueError(
                "The top level configuration must have include_external_packages=True "
                "when there are external forbidden modules."
            )
        elif "." in module:
            raise ValueError(
                f"Invalid forbidden module {module}: subpackages of external packages are not "
                "valid."
            )


def root_packages(session_options: Mapping[str, Any]) -> list[str]:
    roots = session_options.get("root_packages") or session_options.get("root_package") or []
    return [roots] if isinstance(roots, str) else [str(r) for r in roots]


def _is_register_error(problem: str) -> bool:
    return problem.startswith("RB901")


def _where(path: str, line: int | None) -> str:
    return path if line is None else f"{path}:{line}"


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _unrecognized_options(cls: type[Contract], options: Mapping[str, Any]) -> dict[str, str]:
    """A misspelt option ("baseine") is an error, not silently ignored.

    import-linter 2.17 checks this for every contract; earlier releases (2.15 is the newest on
    Python 3.10) do not, so the contract checks it itself there.
    """
    if hasattr(Contract, "_get_unrecognized_option_errors"):
        return {}
    recognized = {"name", "type", "id"} | {
        name for name in dir(cls) if isinstance(getattr(cls, name), fields.Field)
    }
    errors = {}
    for option in sorted(set(options) - recognized):
        message = "Unrecognized option."
        close = difflib.get_close_matches(option, sorted(recognized), n=1)
        if close:
            message += f" Did you mean '{close[0]}'?"
        errors[option] = message
    return errors


# Which config file declared the contract
# ---------------------------------------


def config_file_for(session_options: Mapping[str, Any]) -> str | None:
    """The config file import-linter read these session options from, if it says so.

    ``importlinter.application.use_cases._create_report_from_sources`` holds the list of
    ``ConfigSource(filename, user_options)`` while it builds the contracts; each contract gets its
    source's ``session_options`` dict itself, so identity picks the right file even when several
    are checked in one run. ``None`` when the default search found the file (it searches the
    current directory only) or when the contract was built outside that function.
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if (
            frame.f_code.co_name == "lint_imports"
            and frame.f_globals.get("__name__") == "importlinter.application.use_cases"
            and "config_sources" not in frame.f_locals
        ):
            # import-linter before 2.17 (the newest that runs on Python 3.10): one config file.
            filename = frame.f_locals.get("config_filename")
            return str(filename) if filename else None
        if (
            frame.f_code.co_name == "_create_report_from_sources"
            and frame.f_globals.get("__name__") == "importlinter.application.use_cases"
        ):
            for source in frame.f_locals.get("config_sources", ()):
                options = getattr(getattr(source, "user_options", None), "session_options", None)
                if options is session_options:
                    filename = getattr(source, "filename", None)
                    return str(filename) if filename else None
            return None
        frame = frame.f_back
    return None


def config_folder(session_options: Mapping[str, Any]) -> Path:
    """The folder relative paths resolve against: the config file's, else the current one."""
    explicit = session_options.get(_CONFIG_FILE_OPTION)
    filename = explicit if isinstance(explicit, str) else config_file_for(session_options)
    if filename:
        return Path(filename).resolve().parent
    return Path.cwd()


_CONFIG_FILE_OPTION = "_redis_boundary_config_file"
"""Set by ``redis-boundary`` on session options it reads itself (``freeze``), where import-linter's
report builder is not on the stack."""
