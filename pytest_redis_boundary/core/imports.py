"""Import chains, allowances and the frozen baseline: the pure half of the rq contract.

Nothing here knows grimp or import-linter; ``pytest_redis_boundary.contracts`` finds the chains in
an import graph and hands them over as ``Chain`` values.

Terms (docs/reference/rules.md, exceptions.md, contracts.md):

* A **chain** is the route a runtime module takes to a forbidden module, one module per hop:
  ``app.api.x -> app.workers.legacy -> rq``. Its **identity** is the module names only, so
  moving an import to another line never changes it.
* An **allowance** is one ``imports:`` entry of a governed exception. It names one whole chain,
  starting at the runtime module it allows (``app.workers.legacy -> rq``). It exempts exactly that
  chain, as the dependency *of its first module*. A different runtime module that reaches ``rq``
  through ``app.workers.legacy`` has a chain of its own, which the allowance does not name.
* The **baseline** (RB502 ratchet) is a JSON file of frozen chain identities.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from .catalogue import RULE_NAMES
from .governance import GovernedException, ImportAllowance

__all__ = [
    "BASELINE_NOTE",
    "BASELINE_SCHEMA",
    "Allowance",
    "AllowanceSplit",
    "Baseline",
    "BaselineDiff",
    "BaselineInvalid",
    "Chain",
    "ChainId",
    "ImportFinding",
    "ImportJudgement",
    "ImportLine",
    "Link",
    "diff_baseline",
    "dump_baseline",
    "format_chain_id",
    "is_in_module",
    "judge_chains",
    "parse_baseline",
    "parse_chain_id",
    "parse_today",
    "split_allowances",
]

ChainId = tuple[str, ...]
"""A chain's identity: its module names, from the runtime module to the forbidden module."""

Verdict = Literal["violation", "warning", "excepted", "frozen"]

BASELINE_SCHEMA: Final = "redis-boundary-baseline/1"
BASELINE_NOTE: Final = (
    "Frozen rq import chains (rule RB502, a ratchet). Chains listed here do not break the "
    "rq_retirement contract; any other chain does. Identity is the module names only (no line "
    "numbers). Regenerate with `redis-boundary freeze` after removing a dependency; never add "
    "entries by hand."
)


def is_in_module(name: str, module: str) -> bool:
    """Whether ``name`` is ``module`` or one of its submodules."""
    return name == module or name.startswith(module + ".")


def format_chain_id(chain: ChainId) -> str:
    return " -> ".join(chain)


def parse_chain_id(text: str) -> ChainId:
    return tuple(part.strip() for part in text.split("->"))


def parse_today(raw: str | None, *, default: datetime.date) -> datetime.date:
    """The date expiry is judged against: ``REDIS_BOUNDARY_TODAY`` (YYYY-MM-DD) or ``default``."""
    if raw is None or not raw.strip():
        return default
    try:
        return datetime.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(
            f"REDIS_BOUNDARY_TODAY: expected a date as YYYY-MM-DD, got {raw!r}"
        ) from None


# Chains
# ------


@dataclass(frozen=True, slots=True)
class ImportLine:
    """One import statement behind a direct import: its line number and source text."""

    number: int | None
    text: str

    def render(self) -> str:
        where = f"l.{self.number}" if self.number is not None else "l.?"
        return f"{where}: {self.text}" if self.text else where


@dataclass(frozen=True, slots=True)
class Link:
    """A direct import ``importer -> imported`` and the lines that make it."""

    importer: str
    imported: str
    lines: tuple[ImportLine, ...] = ()

    def render(self) -> str:
        lines = "; ".join(line.render() for line in self.lines) or "l.?"
        return f"{self.importer} -> {self.imported} ({lines})"


@dataclass(frozen=True, slots=True)
class Chain:
    """A route from a runtime module to a forbidden module, hop by hop."""

    links: tuple[Link, ...]

    @property
    def id(self) -> ChainId:
        return (self.links[0].importer, *(link.imported for link in self.links))

    @property
    def start(self) -> str:
        return self.links[0].importer

    @property
    def end(self) -> str:
        return self.links[-1].imported

    @property
    def text(self) -> str:
        return format_chain_id(self.id)

    def render(self) -> list[str]:
        """``-   a -> b (l.3: import b)`` then one indented line per further hop."""
        return [
            ("-   " if index == 0 else "    ") + link.render()
            for index, link in enumerate(self.links)
        ]


# Allowances
# ----------


@dataclass(frozen=True, slots=True)
class Allowance:
    """One ``imports:`` entry of a governed exception."""

    exception: GovernedException
    allowance: ImportAllowance

    @property
    def chain(self) -> ChainId:
        return self.allowance.modules

    @property
    def start(self) -> str:
        return self.allowance.modules[0]

    @property
    def text(self) -> str:
        return self.allowance.text

    def describe(self) -> str:
        exc = self.exception
        return (
            f"{exc.id} ({exc.location or 'policy'}; owner {exc.owner}, "
            f"expiry {exc.expiry_date.isoformat()}, removal issue {exc.removal_issue})"
        )


@dataclass(frozen=True, slots=True)
class AllowanceSplit:
    active: tuple[Allowance, ...]
    expired: tuple[Allowance, ...]


def split_allowances(
    exceptions: Iterable[GovernedException],
    forbidden_modules: Sequence[str],
    *,
    today: datetime.date,
) -> AllowanceSplit:
    """The allowances that concern these forbidden modules, split into active and expired.

    An allowance concerns a contract when its last module is one of the contract's forbidden
    modules (or inside one); others belong to another contract and are left alone.
    """
    active: list[Allowance] = []
    expired: list[Allowance] = []
    for exception in exceptions:
        for allowance in exception.imports:
            if not any(is_in_module(allowance.modules[-1], f) for f in forbidden_modules):
                continue
            item = Allowance(exception, allowance)
            (expired if exception.is_expired(today) else active).append(item)
    key = _allowance_key
    return AllowanceSplit(
        active=tuple(sorted(active, key=key)), expired=tuple(sorted(expired, key=key))
    )


def _allowance_key(allowance: Allowance) -> tuple[ChainId, str]:
    return (allowance.chain, allowance.exception.id)


# Baseline
# --------


class BaselineInvalid(ValueError):
    """A baseline file that cannot be read; the message names the file and what is wrong."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")

    def __reduce__(self) -> tuple[type[BaselineInvalid], tuple[str, str]]:
        return (BaselineInvalid, (self.source, self.problem))


@dataclass(frozen=True, slots=True)
class Baseline:
    source: str
    chains: frozenset[ChainId]


def parse_baseline(text: str, *, source: str) -> Baseline:
    """Read a baseline written by ``dump_baseline``; raises ``BaselineInvalid``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise BaselineInvalid(source, f"not valid JSON ({err})") from None
    if not isinstance(data, Mapping):
        raise BaselineInvalid(source, "expected a JSON object")
    if data.get("schema") != BASELINE_SCHEMA:
        raise BaselineInvalid(
            source,
            f"expected schema {BASELINE_SCHEMA!r}, got {data.get('schema')!r}; "
            "write it with `redis-boundary freeze`",
        )
    raw = data.get("chains")
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise BaselineInvalid(source, "'chains' must be a list of strings like 'a.b -> rq'")
    chains: set[ChainId] = set()
    for index, item in enumerate(raw):
        chain = parse_chain_id(item)
        if len(chain) < 2 or not all(_is_dotted(name) for name in chain):
            raise BaselineInvalid(
                source, f"chains[{index}]: {item!r} is not a chain like 'a -> rq'"
            )
        chains.add(chain)
    return Baseline(source=source, chains=frozenset(chains))


def _is_dotted(name: str) -> bool:
    return bool(name) and all(part.isidentifier() for part in name.split("."))


def dump_baseline(chains: Iterable[ChainId]) -> str:
    """The baseline file's text: sorted, one chain per line, stable across runs."""
    data = {
        "schema": BASELINE_SCHEMA,
        "note": BASELINE_NOTE,
        "chains": [format_chain_id(chain) for chain in sorted(set(chains))],
    }
    return json.dumps(data, indent=2) + "\n"


@dataclass(frozen=True, slots=True)
class BaselineDiff:
    new: tuple[ChainId, ...]  # found now, not frozen: RB502
    frozen: tuple[ChainId, ...]  # found now and frozen: tolerated
    stale: tuple[ChainId, ...]  # frozen, no longer found: shrink the file


def diff_baseline(
    current: Iterable[ChainId], frozen: frozenset[ChainId], *, relevant: Iterable[ChainId] = ()
) -> BaselineDiff:
    """Compare the chains found now with the frozen ones.

    ``relevant`` limits which frozen chains can be reported stale (those a contract is in charge
    of); by default every frozen chain is.
    """
    found = set(current)
    owned = set(relevant) if relevant else set(frozen)
    return BaselineDiff(
        new=tuple(sorted(found - frozen)),
        frozen=tuple(sorted(found & frozen)),
        stale=tuple(sorted((frozen & owned) - found)),
    )


# Findings
# --------


@dataclass(frozen=True, slots=True)
class ImportFinding:
    """One thing the contract says: a chain (RB501/RB502) or a register problem (RB90x).

    ``verdict``: ``violation`` breaks the contract; ``warning`` (RB903, stale baseline entries)
    never does; ``excepted`` (an active allowance names the chain) and ``frozen`` (the baseline
    lists it) are reported for the record.
    """

    rule: str
    verdict: Verdict
    message: str
    chain: Chain | None = None
    exception_id: str | None = None
    location: str | None = None  # "redis-boundary.yaml:23" for register findings

    @property
    def name(self) -> str:
        return RULE_NAMES.get(self.rule, "baseline")

    @property
    def sort_key(self) -> tuple[int, str, ChainId, str]:
        order = {"violation": 0, "warning": 1, "excepted": 2, "frozen": 3}[self.verdict]
        chain = self.chain.id if self.chain is not None else ()
        return (order, self.rule, chain, self.message)


@dataclass(frozen=True, slots=True)
class ImportJudgement:
    """What the contract concluded: findings in ``sort_key`` order, and whether it is kept."""

    findings: tuple[ImportFinding, ...]

    @property
    def kept(self) -> bool:
        return not any(f.verdict == "violation" for f in self.findings)

    @property
    def violations(self) -> tuple[ImportFinding, ...]:
        return tuple(f for f in self.findings if f.verdict == "violation")

    @property
    def warnings(self) -> tuple[ImportFinding, ...]:
        return tuple(f for f in self.findings if f.verdict == "warning")


def judge_chains(
    chains: Sequence[ChainId],
    *,
    describe: Callable[[ChainId], Chain],
    runtime_modules: Sequence[str],
    allowances: AllowanceSplit,
    present_allowances: frozenset[ChainId],
    baseline: Baseline | None,
    invalid: Sequence[tuple[str, str]] = (),
) -> ImportJudgement:
    """Turn the chains found (allowed ones already left out) into findings.

    ``present_allowances``: the active allowances' chains that exist in the graph (each exempted
    its chain). ``invalid``: ``(location, message)`` of register entries that failed validation
    (RB901); they break the contract. Without a baseline each chain is RB501; with one, chains it
    lists are ``frozen``, others RB502, and frozen chains that are gone are warnings.
    """
    findings: list[ImportFinding] = []
    for location, message in invalid:
        findings.append(ImportFinding("RB901", "violation", message, location=location))

    if baseline is None:
        for chain_id in chains:
            findings.append(
                ImportFinding(
                    "RB501",
                    "violation",
                    f"{chain_id[0]} must not depend on {chain_id[-1]}:",
                    chain=describe(chain_id),
                )
            )
    else:
        relevant = [
            c for c in baseline.chains if any(is_in_module(c[0], r) for r in runtime_modules)
        ]
        diff = diff_baseline(chains, baseline.chains, relevant=relevant)
        for chain_id in diff.new:
            findings.append(
                ImportFinding(
                    "RB502",
                    "violation",
                    f"{chain_id[0]} must not depend on {chain_id[-1]}: a new chain, "
                    f"not frozen in {baseline.source}:",
                    chain=describe(chain_id),
                )
            )
        for chain_id in diff.frozen:
            findings.append(
                ImportFinding(
                    "RB502",
                    "frozen",
                    f"{format_chain_id(chain_id)} is frozen in {baseline.source}",
                    chain=describe(chain_id),
                )
            )
        for chain_id in diff.stale:
            findings.append(
                ImportFinding(
                    "RB502",
                    "warning",
                    f"{format_chain_id(chain_id)!r} is frozen in {baseline.source} but no longer "
                    "exists; remove it with `redis-boundary freeze`",
                )
            )

    found = set(chains)
    for allowance in allowances.expired:
        exc = allowance.exception
        named = allowance.chain if allowance.chain in found else None
        findings.append(
            ImportFinding(
                "RB902",
                "violation",
                f"{exc.id} expired on {exc.expiry_date.isoformat()} ({exc.location or 'policy'}; "
                f"owner {exc.owner}, removal issue {exc.removal_issue}): it no longer allows "
                f"{allowance.text}, which counts again; renew the exception or remove the import",
                chain=describe(named) if named is not None else None,
                exception_id=exc.id,
                location=exc.location or None,
            )
        )
    for allowance in allowances.active:
        exc = allowance.exception
        if allowance.chain in present_allowances:
            findings.append(
                ImportFinding(
                    "RB501",
                    "excepted",
                    f"{allowance.text} is allowed by {allowance.describe()}",
                    chain=describe(allowance.chain),
                    exception_id=exc.id,
                    location=exc.location or None,
                )
            )
            continue
        if not any(is_in_module(allowance.start, r) for r in runtime_modules):
            why = f"{allowance.start} is not in runtime_modules"
        else:
            why = "no such chain exists"
        findings.append(
            ImportFinding(
                "RB903",
                "warning",
                f"{exc.id} ({exc.location or 'policy'}) allows {allowance.text}, which matched "
                f"no chain ({why}); remove it from the register",
                exception_id=exc.id,
                location=exc.location or None,
            )
        )
    return ImportJudgement(tuple(sorted(findings, key=lambda f: f.sort_key)))
