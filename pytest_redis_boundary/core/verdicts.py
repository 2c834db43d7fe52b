"""Verdicts: which findings an exception covers, and the state of every exception in a run.

``covers`` decides whether one exception covers one finding (docs/reference/exceptions.md). A
``Ledger`` judges each test's findings against the marker exceptions of that test and the
policy's register, counts what every exception matched across the run (mergeable across xdist
workers), and reports each exception's status (the report's ``exceptions``,
docs/reference/reports.md) and the RB902/RB903 findings, worded by the catalogue.

There is no hidden clock: ``today`` is always given by the caller.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Final, Literal

from .catalogue import expired_message, unused_message
from .findings import Finding
from .governance import GovernedException

__all__ = [
    "ExceptionState",
    "ExceptionStatus",
    "Ledger",
    "covers",
    "expiring_soon",
    "unused_finding",
]

ExceptionState = Literal["active", "expired", "unused", "invalid"]

_MARKER_PREFIX: Final = "marker:"


@dataclass(frozen=True, slots=True)
class ExceptionStatus:
    """One exception's line in a report (its ``exceptions`` array, docs/reference/reports.md)."""

    id: str
    owner: str
    expiry_date: datetime.date | None
    removal_issue: str
    status: ExceptionState
    matched: int
    location: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "owner": self.owner,
            "expiry_date": self.expiry_date.isoformat() if self.expiry_date else None,
            "removal_issue": self.removal_issue,
            "status": self.status,
            "matched": self.matched,
        }


def _is_governance_rule(rule: str) -> bool:
    """RB9xx: findings about exceptions themselves, which no exception can cover."""
    return rule.startswith("RB9")


def covers(exception: GovernedException, finding: Finding) -> bool:
    """Whether ``exception`` covers ``finding``, whatever its dates (expiry is the caller's).

    The finding's rule must be one of the exception's rules, and never RB9xx. A ``keys`` scope
    needs the finding's key to match one of the patterns; a ``tests`` scope needs the finding's
    test nodeid to match one of the globs (``fnmatch``, case-sensitive). A register entry scoped
    only by ``imports`` covers no runtime finding (import chains are the contract's business). A
    marker exception covers only findings of its own test.
    """
    if _is_governance_rule(finding.rule) or finding.rule not in exception.rules:
        return False
    if exception.is_marker:
        if finding.test != exception.id[len(_MARKER_PREFIX) :]:
            return False
    elif not exception.keys and not exception.tests:
        return False  # imports-only (or, unvalidated, empty): nothing at runtime
    if exception.keys and (
        finding.key is None or not any(p.match(finding.key) for p in exception.keys)
    ):
        return False
    return not exception.tests or (
        finding.test is not None and any(fnmatchcase(finding.test, g) for g in exception.tests)
    )


def _expired_finding(exception: GovernedException, covered: list[Finding]) -> Finding:
    """RB902 on a test: where the first finding it would have covered is (its phase, site and
    function), naming every rule it would have covered."""
    first = covered[0]
    return Finding(
        rule="RB902",
        verdict="violation",
        message=expired_message(
            exception.id,
            owner=exception.owner,
            removal_issue=exception.removal_issue,
            expiry_date=exception.expiry_date,
            rules=[f.rule for f in covered],
        ),
        test=first.test,
        phase=first.phase,
        site=first.site,
        function=first.function,
    )


def _unused_finding(exception: GovernedException) -> Finding:
    return unused_finding(exception.id, owner=exception.owner, location=exception.location)


def unused_finding(exception_id: str, *, owner: str, location: str) -> Finding:
    """RB903 for an exception that matched nothing in a whole run: session-level (``test``
    None), at the register entry's ``location`` (file:line); a marker's location is its test.
    What the report of a run and of merged shards (``reports.merging``) say alike."""
    marker = exception_id.startswith(_MARKER_PREFIX)
    where = (location or exception_id[len(_MARKER_PREFIX) :]) if marker else location
    return Finding(
        rule="RB903",
        verdict="warning",
        message=unused_message(exception_id, owner=owner, marker=marker, where=where),
        test=None,
        site=None if marker else location or None,
    )


class Ledger:
    """Match counts of every exception across a whole run (all tests; mergeable across xdist
    workers).

    ``exceptions`` is the policy's register, in file order; ``invalid`` lists the
    ``(id, owner or "", location)`` of register entries that failed validation (RB901), reported
    with status ``invalid``. Marker exceptions become known as ``judge`` sees them (or through
    ``add``, for a controller that receives them from its workers).
    """

    def __init__(
        self,
        exceptions: Sequence[GovernedException],
        *,
        today: datetime.date,
        invalid: Sequence[tuple[str, str, str]] = (),
    ) -> None:
        self.today: Final = today
        self._register: tuple[GovernedException, ...] = tuple(exceptions)
        self._known: dict[str, GovernedException] = {}
        self._counts: dict[str, int] = {}
        self._invalid: tuple[tuple[str, str, str], ...] = tuple(invalid)
        self.add(self._register)

    @property
    def exceptions(self) -> tuple[GovernedException, ...]:
        """Every valid exception known: the register, then markers in the order first seen."""
        return tuple(self._known.values())

    def add(self, exceptions: Iterable[GovernedException]) -> None:
        """Make exceptions known (an id already known keeps its first definition).

        Register entries scoped only by ``imports`` belong to the architecture contract: a test
        run neither counts nor reports them (they would always look unused here)."""
        for exception in exceptions:
            if not (exception.is_marker or exception.keys or exception.tests):
                continue
            self._known.setdefault(exception.id, exception)
            self._counts.setdefault(exception.id, 0)

    def judge(
        self,
        findings: Sequence[Finding],
        *,
        test_exceptions: Sequence[GovernedException] = (),
    ) -> list[Finding]:
        """Judge one test's findings; return them with verdicts set, plus any RB902 findings.

        ``test_exceptions`` are the test's marker exceptions, closest first; they come before
        the register entries (in file order), and the first covering exception that is active
        wins: a violation it covers becomes ``excepted`` with its id. A violation covered only by
        expired exceptions stays a violation, counts as a would-be match of the closest of them,
        and adds one RB902 per (expired exception, test), at the first such finding's phase and
        site. Warnings stay warnings (and count as a match of what covers them); RB9xx and
        findings already excepted pass through unchanged.
        """
        self.add(test_exceptions)
        candidates = (*test_exceptions, *self._register)
        active = [e for e in candidates if not e.is_expired(self.today)]
        expired = [e for e in candidates if e.is_expired(self.today)]
        out: list[Finding] = []
        # (exception id, test) -> (exception, findings it would have covered); insertion order
        lapsed: dict[tuple[str, str | None], tuple[GovernedException, list[Finding]]] = {}
        for finding in findings:
            if _is_governance_rule(finding.rule) or finding.verdict == "excepted":
                out.append(finding)
                continue
            winner = next((e for e in active if covers(e, finding)), None)
            if winner is not None:
                self._counts[winner.id] += finding.count
                if finding.verdict == "violation":
                    finding = finding.with_verdict("excepted", winner.id)
                out.append(finding)
                continue
            would_be = next((e for e in expired if covers(e, finding)), None)
            if would_be is not None:
                self._counts[would_be.id] += finding.count
                if finding.verdict == "violation":
                    entry = lapsed.setdefault((would_be.id, finding.test), (would_be, []))
                    entry[1].append(finding)
            out.append(finding)
        out.extend(_expired_finding(exception, covered) for exception, covered in lapsed.values())
        return out

    def _state(self, exception: GovernedException) -> ExceptionState:
        if exception.is_expired(self.today):
            return "expired"
        return "active" if self._counts.get(exception.id, 0) > 0 else "unused"

    def statuses(self) -> list[ExceptionStatus]:
        """Every exception's status (active, expired, unused or invalid), sorted by id."""
        rows = [
            ExceptionStatus(
                id=e.id,
                owner=e.owner,
                expiry_date=e.expiry_date,
                removal_issue=e.removal_issue,
                status=self._state(e),
                matched=self._counts.get(e.id, 0),
                location=e.location,
            )
            for e in self._known.values()
        ]
        rows.extend(
            ExceptionStatus(
                id=exc_id,
                owner=owner,
                expiry_date=None,
                removal_issue="",
                status="invalid",
                matched=0,
                location=location,
            )
            for exc_id, owner, location in self._invalid
        )
        # Sorted so that reports do not depend on test order or on how xdist split the run.
        return sorted(rows, key=lambda row: (row.id, row.location))

    def unused_findings(self) -> list[Finding]:
        """One RB903 warning (session-level, ``test`` None) per unused exception, by id."""
        unused = [e for e in self._known.values() if self._state(e) == "unused"]
        return [_unused_finding(e) for e in sorted(unused, key=lambda e: e.id)]

    def merge(self, counts: Mapping[str, int]) -> None:
        """Add match counts from another worker's ``counts()``."""
        for exc_id, count in counts.items():
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(f"match count of {exc_id!r} must be an int >= 0, got {count!r}")
            self._counts[exc_id] = self._counts.get(exc_id, 0) + count

    def counts(self) -> dict[str, int]:
        """Match counts by exception id (plain ints and strings, for the xdist controller)."""
        return dict(self._counts)


def expiring_soon(
    exceptions: Sequence[GovernedException],
    *,
    today: datetime.date,
    within_days: int = 14,
) -> list[tuple[GovernedException, int]]:
    """Active exceptions whose last valid day is at most ``within_days`` away, with the days
    left (0 on the expiry day), soonest first, then by id."""
    soon = [
        (e, e.days_left(today))
        for e in exceptions
        if not e.is_expired(today) and e.days_left(today) <= within_days
    ]
    return sorted(soon, key=lambda pair: (pair[1], pair[0].id))
