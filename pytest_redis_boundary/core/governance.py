"""Governed exceptions: the data model and its validation (docs/reference/exceptions.md).

An exception comes either from the policy's ``exceptions:`` register or from a
``redis_boundary_exception`` marker on one test. Both go through ``validate_exception`` (every
problem of an entry, collected) or ``parse_exception`` (raises the first problem). A problem is an
``ExceptionInvalid``: rule RB901, never excepted, never silenced.

Deciding which findings an exception covers is not done here; ``GovernedException`` only knows its
own dates. There is no hidden clock: callers pass ``today``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from .catalogue import RULE_NAMES
from .patterns import KeyPattern, PatternError

__all__ = [
    "GOVERNANCE_FIELDS",
    "ExceptionInvalid",
    "Governance",
    "GovernedException",
    "ImportAllowance",
    "parse_exception",
    "validate_exception",
    "validate_governance",
]

GOVERNANCE_FIELDS: Final = ("owner", "exception_reason", "expiry_date", "removal_issue")
"""The fields the retirement contract requires on every exception."""

_SCOPE_FIELDS: Final = ("keys", "tests", "imports")
_DATE_RE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_FIX_HINTS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "id": "give the entry a unique id such as 'EXC-7'",
        "owner": "name the owning team or person, e.g. owner: platform-team",
        "exception_reason": "say why the exception is needed, e.g. exception_reason: legacy "
        "status mirror until the product store migration ships",
        "expiry_date": "give the last day the exception is valid as YYYY-MM-DD, e.g. "
        "expiry_date: 2027-01-31",
        "removal_issue": "link the issue that removes the exception, e.g. removal_issue: PLAT-812",
    }
)


@dataclass(frozen=True, slots=True)
class ImportAllowance:
    """An import chain an exception allows, e.g. ``app.workers.legacy -> rq``."""

    text: str  # normalized: modules joined by " -> "
    modules: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> ImportAllowance:
        """Parse ``"a.b -> c"``; raises ``ValueError`` naming the bad part."""
        parts = tuple(part.strip() for part in text.split("->"))
        if len(parts) < 2:
            raise ValueError(f"expected 2 or more modules separated by '->', got {text!r}")
        for part in parts:
            if not part or not all(name.isidentifier() for name in part.split(".")):
                raise ValueError(f"{part!r} in {text!r} is not a dotted module name")
        return cls(text=" -> ".join(parts), modules=parts)


@dataclass(frozen=True, slots=True)
class GovernedException:
    """A temporary, owned, expiry-bound exception to the boundary rules."""

    id: str  # register: the given id; marker: "marker:<nodeid>"
    owner: str
    exception_reason: str
    expiry_date: datetime.date  # valid through this day, inclusive
    removal_issue: str
    rules: tuple[str, ...]  # RB ids, never RB9xx
    keys: tuple[KeyPattern, ...] = ()  # empty: no key restriction
    tests: tuple[str, ...] = ()  # nodeid globs (fnmatch-style)
    imports: tuple[ImportAllowance, ...] = ()
    location: str = ""  # "redis-boundary.yaml:23", or the test nodeid for a marker

    @property
    def is_marker(self) -> bool:
        return self.id.startswith("marker:")

    def is_expired(self, today: datetime.date) -> bool:
        """Expired once ``today`` is past ``expiry_date`` (the expiry day itself is still valid)."""
        return today > self.expiry_date

    def days_left(self, today: datetime.date) -> int:
        """Days until expiry: 0 on the expiry day, negative once expired."""
        return (self.expiry_date - today).days


class ExceptionInvalid(ValueError):
    """RB901: an exception entry or marker that cannot be honoured.

    ``where`` is ``"redis-boundary.yaml:23"`` for a register entry, the nodeid for a marker.
    """

    rule: Final = "RB901"

    def __init__(
        self, where: str, exception_id: str | None, field: str, problem: str, fix: str
    ) -> None:
        self.where = where
        self.exception_id = exception_id
        self.field = field
        self.problem = problem
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        name = f"exception {self.exception_id!r}" if self.exception_id else "exception (no id)"
        field = f"{self.field}: " if self.field else ""
        return (
            f"RB901 {RULE_NAMES['RB901']}: {self.where}: {name}: {field}{self.problem}. "
            f"Fix: {self.fix.rstrip('.')}."
        )

    def __reduce__(
        self,
    ) -> tuple[type[ExceptionInvalid], tuple[str, str | None, str, str, str]]:
        return (
            ExceptionInvalid,
            (self.where, self.exception_id, self.field, self.problem, self.fix),
        )


def _describe(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return repr(value) if isinstance(value, str) else f"{value!r} ({type(value).__name__})"


def _is_list(value: object) -> bool:
    return isinstance(value, (list, tuple))


class _Checker:
    """Collects every problem of one entry."""

    def __init__(self, where: str, exception_id: str | None) -> None:
        self.where = where
        self.exception_id = exception_id
        self.problems: list[ExceptionInvalid] = []

    def add(self, field: str, problem: str, fix: str) -> None:
        self.problems.append(ExceptionInvalid(self.where, self.exception_id, field, problem, fix))

    def text(self, raw: Mapping[str, object], field: str, fix: str) -> str | None:
        if field not in raw:
            self.add(field, f"the required field {field!r} is missing", fix)
            return None
        value = raw[field]
        if not isinstance(value, str):
            self.add(field, f"expected a non-empty string, got {_describe(value)}", fix)
            return None
        if not value.strip():
            self.add(field, "expected a non-empty string, got an empty one", fix)
            return None
        return value.strip()

    def date(self, raw: Mapping[str, object]) -> datetime.date | None:
        field, fix = "expiry_date", _FIX_HINTS["expiry_date"]
        if field not in raw:
            self.add(field, "the required field 'expiry_date' is missing", fix)
            return None
        value = raw[field]
        if isinstance(value, datetime.datetime):
            self.add(field, f"expected a date, got a date and time {value.isoformat()!r}", fix)
            return None
        if isinstance(value, datetime.date):
            return value
        if not isinstance(value, str):
            self.add(field, f"expected a date as YYYY-MM-DD, got {_describe(value)}", fix)
            return None
        text = value.strip()
        if not _DATE_RE.fullmatch(text):
            self.add(field, f"expected a date as YYYY-MM-DD, got {value!r}", fix)
            return None
        try:
            return datetime.date.fromisoformat(text)
        except ValueError as err:
            self.add(field, f"{value!r} is not a real date ({err})", fix)
            return None

    def strings(self, raw: Mapping[str, object], field: str, example: str) -> list[tuple[int, str]]:
        """The (index, string) items of an optional list-of-non-empty-strings field."""
        value = raw.get(field)
        if value is None:
            return []
        fix = f"give a list of strings, e.g. {field}: [{example}]"
        if not _is_list(value):
            self.add(field, f"expected a list of strings, got {_describe(value)}", fix)
            return []
        assert isinstance(value, Sequence)
        out: list[tuple[int, str]] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                got = "an empty string" if isinstance(item, str) else _describe(item)
                self.add(f"{field}[{index}]", f"expected a non-empty string, got {got}", fix)
            else:
                out.append((index, item))
        return out


@dataclass(frozen=True, slots=True)
class Governance:
    """The four governance fields alone: what the runtime baseline carries for all its entries."""

    owner: str
    exception_reason: str
    expiry_date: datetime.date  # valid through this day, inclusive
    removal_issue: str

    def is_expired(self, today: datetime.date) -> bool:
        return today > self.expiry_date


def validate_governance(
    raw: Mapping[str, object], *, where: str, exception_id: str | None
) -> tuple[Governance | None, tuple[ExceptionInvalid, ...]]:
    """Check only the four governance fields of ``raw`` (other keys are the caller's), with the
    same RB901 rules as an exception entry; returns ``(governance, ())`` or ``(None, problems)``."""
    check = _Checker(where, exception_id)
    owner = check.text(raw, "owner", _FIX_HINTS["owner"])
    reason = check.text(raw, "exception_reason", _FIX_HINTS["exception_reason"])
    expiry = check.date(raw)
    issue = check.text(raw, "removal_issue", _FIX_HINTS["removal_issue"])
    if check.problems:
        return None, tuple(check.problems)
    assert owner is not None and reason is not None and expiry is not None and issue is not None
    return Governance(owner, reason, expiry, issue), ()


def validate_exception(
    raw: Mapping[str, object],
    *,
    where: str,
    default_id: str | None = None,
    require_scope: bool = True,
) -> tuple[GovernedException | None, tuple[ExceptionInvalid, ...]]:
    """Validate one exception, collecting every problem.

    Returns ``(exception, ())`` when valid, ``(None, problems)`` otherwise. Fields accepted:
    the four governance fields, ``rules`` and ``keys``; plus ``id`` when ``default_id`` is None (a
    register entry, where ``id`` is required) and ``tests`` and ``imports`` when
    ``require_scope`` (a register entry, which must then give at least one of keys, tests,
    imports). A marker passes ``default_id="marker:<nodeid>"`` and ``require_scope=False``.
    """
    raw_id = raw.get("id") if default_id is None else default_id
    shown_id = raw_id.strip() if isinstance(raw_id, str) and raw_id.strip() else None
    check = _Checker(where, shown_id)

    allowed = [
        *(["id"] if default_id is None else []),
        *GOVERNANCE_FIELDS,
        "rules",
        "keys",
        *(["tests", "imports"] if require_scope else []),
    ]
    for name in raw:
        if name not in allowed:
            what = "a marker exception" if default_id is not None else "an exception entry"
            extra = (
                "; a marker's scope is its own test, so it takes no id, tests or imports"
                if default_id is not None and name in ("id", "tests", "imports")
                else ""
            )
            check.add(
                str(name),
                f"unknown field {name!r} in {what}{extra}",
                f"remove it or use one of: {', '.join(allowed)}",
            )

    exc_id = default_id if default_id is not None else check.text(raw, "id", _FIX_HINTS["id"])
    owner = check.text(raw, "owner", _FIX_HINTS["owner"])
    reason = check.text(raw, "exception_reason", _FIX_HINTS["exception_reason"])
    expiry = check.date(raw)
    issue = check.text(raw, "removal_issue", _FIX_HINTS["removal_issue"])

    rules: list[str] = []
    rules_fix = "list the rule ids it covers, e.g. rules: [RB101, RB201]"
    if "rules" not in raw:
        check.add("rules", "the required field 'rules' is missing", rules_fix)
    elif not _is_list(raw["rules"]):
        check.add("rules", f"expected a list of rule ids, got {_describe(raw['rules'])}", rules_fix)
    else:
        value = raw["rules"]
        assert isinstance(value, Sequence)
        if not value:
            check.add("rules", "the list of rules is empty", rules_fix)
        for index, rule in enumerate(value):
            field = f"rules[{index}]"
            if not isinstance(rule, str) or rule.strip().upper() not in RULE_NAMES:
                check.add(
                    field,
                    f"unknown rule id {_describe(rule)}",
                    "use ids from: " + ", ".join(r for r in RULE_NAMES if not r.startswith("RB9")),
                )
            elif rule.strip().upper().startswith("RB9"):
                check.add(
                    field,
                    f"{rule} ({RULE_NAMES[rule.strip().upper()]}) cannot be excepted: no exception "
                    "can cover RB9xx",
                    f"remove {rule}; fix the exception or the register instead",
                )
            elif rule.strip().upper() not in rules:
                rules.append(rule.strip().upper())

    keys: list[KeyPattern] = []
    for index, text in check.strings(raw, "keys", "'t:*:job:*'"):
        try:
            keys.append(KeyPattern(text))
        except PatternError as err:
            check.add(f"keys[{index}]", err.summary, err.fix)

    tests: list[str] = []
    imports: list[ImportAllowance] = []
    if require_scope:
        tests = [text.strip() for _, text in check.strings(raw, "tests", "'tests/legacy/*'")]
        example = "'app.workers.legacy -> rq'"
        for index, text in check.strings(raw, "imports", example):
            try:
                imports.append(ImportAllowance.parse(text))
            except ValueError as err:
                check.add(
                    f"imports[{index}]",
                    str(err),
                    f"write the chain as dotted modules joined by '->', e.g. {example}",
                )
        given = [name for name in _SCOPE_FIELDS if raw.get(name)]
        if not given and not any(p.field.startswith(_SCOPE_FIELDS) for p in check.problems):
            check.add(
                "scope",
                "the exception has an empty scope: none of keys, tests or imports is given",
                "narrow it with keys: [glob], tests: [nodeid glob] and/or imports: ['a -> rq']",
            )

    if check.problems:
        return None, tuple(check.problems)
    assert exc_id is not None and owner is not None and reason is not None
    assert expiry is not None and issue is not None
    return (
        GovernedException(
            id=exc_id,
            owner=owner,
            exception_reason=reason,
            expiry_date=expiry,
            removal_issue=issue,
            rules=tuple(rules),
            keys=tuple(keys),
            tests=tuple(tests),
            imports=tuple(imports),
            location=where,
        ),
        (),
    )


def parse_exception(
    raw: Mapping[str, object],
    *,
    where: str,
    default_id: str | None = None,
    require_scope: bool = True,
) -> GovernedException:
    """Validate one exception; raise its first problem as ``ExceptionInvalid``.

    ``validate_exception`` returns all of them.
    """
    if not isinstance(raw, Mapping):
        raise ExceptionInvalid(
            where,
            default_id,
            "",
            f"expected a mapping of fields, got {_describe(raw)}",
            "give owner, exception_reason, expiry_date, removal_issue and rules",
        )
    exception, problems = validate_exception(
        raw, where=where, default_id=default_id, require_scope=require_scope
    )
    if problems:
        raise problems[0]
    assert exception is not None
    return exception
