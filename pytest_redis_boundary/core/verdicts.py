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

from .catalogue import baseline_unused_message, expired_message, unused_message
from .findings import Finding
from .governance import GovernedException
from .runtime_baseline import (
    BASELINE_ID,
    FrozenFinding,
    RuntimeBaseline,
    identity_json,
    sorted_identities,
)

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
    # The runtime baseline's row only: its reason, its file as given, what it froze in vain.
    exception_reason: str | None = None
    file: str | None = None
    unmatched: tuple[FrozenFinding, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "owner": self.owner}
        if self.file is not None:
            data["exception_reason"] = self.exception_reason
        data.update(
            {
                "expiry_date": self.expiry_date.isoformat() if self.expiry_date else None,
                "removal_issue": self.removal_issue,
                "status": self.status,
                "matched": self.matched,
            }
        )
        if self.file is not None:
            data["file"] = self.file
            data["unmatched"] = [identity_json(i) for i in self.unmatched]
        return data


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


def _expired_finding(
    exception: GovernedException | RuntimeBaseline, covered: list[Finding]
) -> Finding:
    """RB902 on a test: where the first finding it would have covered is (its phase, site and
    function), naming every rule it would have covered."""
    first = covered[0]
    if isinstance(exception, RuntimeBaseline):
        gov = exception.governance
        exc_id, owner, issue, expiry = BASELINE_ID, gov.owner, gov.removal_issue, gov.expiry_date
    else:
        exc_id, owner = exception.id, exception.owner
        issue, expiry = exception.removal_issue, exception.expiry_date
    return Finding(
        rule="RB902",
        verdict="violation",
        message=expired_message(
            exc_id,
            owner=owner,
            removal_issue=issue,
            expiry_date=expiry,
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

    ``baseline`` is the policy's runtime baseline: it covers a violation whose identity it froze
    when no marker or register exception does, and counts each frozen identity's matches, so
    that the frozen entries no test produced are known once the whole run is in.
    """

    def __init__(
        self,
        exceptions: Sequence[GovernedException],
        *,
        today: datetime.date,
        invalid: Sequence[tuple[str, str, str]] = (),
        baseline: RuntimeBaseline | None = None,
    ) -> None:
        self.today: Final = today
        self._register: tuple[GovernedException, ...] = tuple(exceptions)
        self._known: dict[str, GovernedException] = {}
        self._counts: dict[str, int] = {}
        self._invalid: tuple[tuple[str, str, str], ...] = tuple(invalid)
        self.baseline: Final = baseline
        self._frozen: dict[FrozenFinding, int] = dict.fromkeys(
            baseline.findings if baseline is not None else (), 0
        )
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
        findings already excepted pass through unchanged. The baseline comes after the active
        exceptions and, once expired, after the expired ones, with the same RB902.
        """
        self.add(test_exceptions)
        candidates = (*test_exceptions, *self._register)
        active = [e for e in candidates if not e.is_expired(self.today)]
        expired = [e for e in candidates if e.is_expired(self.today)]
        baseline = self.baseline
        baseline_expired = baseline is not None and baseline.is_expired(self.today)
        out: list[Finding] = []
        # (exception id, test) -> (exception, findings it would have covered); insertion order
        lapsed: dict[
            tuple[str, str | None], tuple[GovernedException | RuntimeBaseline, list[Finding]]
        ] = {}
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
            frozen = baseline is not None and baseline.holds(finding)
            if frozen:
                self._frozen[finding.identity()] += finding.count
                if not baseline_expired:
                    out.append(finding.with_verdict("excepted", BASELINE_ID))
                    continue
            would_be = next((e for e in expired if covers(e, finding)), None)
            lapsed_from: tuple[str, GovernedException | RuntimeBaseline] | None = None
            if would_be is not None:
                self._counts[would_be.id] += finding.count
                lapsed_from = (would_be.id, would_be)
            elif frozen and baseline is not None:
                lapsed_from = (BASELINE_ID, baseline)
            if lapsed_from is not None and finding.verdict == "violation":
                exc_id, source = lapsed_from
                entry = lapsed.setdefault((exc_id, finding.test), (source, []))
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
        if self.baseline is not None:
            rows.append(self._baseline_status(self.baseline))
        # Sorted so that reports do not depend on test order or on how xdist split the run.
        return sorted(rows, key=lambda row: (row.id, row.location))

    def unmatched(self) -> list[FrozenFinding]:
        """The baseline's frozen identities no test produced (so far), sorted."""
        return sorted_identities(i for i, count in self._frozen.items() if count == 0)

    def _baseline_status(self, baseline: RuntimeBaseline) -> ExceptionStatus:
        gov = baseline.governance
        unmatched = self.unmatched()
        matched = sum(self._frozen.values())
        state: ExceptionState = "active"
        if baseline.is_expired(self.today):
            state = "expired"
        elif matched == 0 and unmatched:
            state = "unused"
        return ExceptionStatus(
            id=BASELINE_ID,
            owner=gov.owner,
            expiry_date=gov.expiry_date,
            removal_issue=gov.removal_issue,
            status=state,
            matched=matched,
            location=baseline.source,
            exception_reason=gov.exception_reason,
            file=baseline.source,
            unmatched=tuple(unmatched),
        )

    def unused_findings(self) -> list[Finding]:
        """One RB903 warning (session-level, ``test`` None) per unused exception, by id; and one
        for all the frozen entries of an unexpired baseline that nothing in the run matched."""
        unused = [e for e in self._known.values() if self._state(e) == "unused"]
        out = [_unused_finding(e) for e in sorted(unused, key=lambda e: e.id)]
        baseline = self.baseline
        unmatched = self.unmatched()
        if baseline is not None and unmatched and not baseline.is_expired(self.today):
            out.append(
                Finding(
                    rule="RB903",
                    verdict="warning",
                    message=baseline_unused_message(len(unmatched), path=baseline.source),
                    test=None,
                    exception=BASELINE_ID,
                )
            )
        return out

    def merge(self, counts: Mapping[str, int]) -> None:
        """Add match counts from another worker's ``counts()``."""
        for exc_id, count in counts.items():
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(f"match count of {exc_id!r} must be an int >= 0, got {count!r}")
            self._counts[exc_id] = self._counts.get(exc_id, 0) + count

    def counts(self) -> dict[str, int]:
        """Match counts by exception id (plain ints and strings, for the xdist controller)."""
        return dict(self._counts)

    def frozen_counts(self) -> list[list[object]]:
        """The baseline's matched identities as ``[rule, shape, file, function, count]`` rows
        (plain data, for the xdist controller)."""
        return [[*identity, count] for identity, count in self._frozen.items() if count]

    def merge_frozen(self, rows: Iterable[Sequence[object]]) -> None:
        """Add another worker's ``frozen_counts()``; identities this baseline lacks are ignored
        (every process reads the same file)."""
        for row in rows:
            if len(row) != 5:
                raise ValueError(f"a frozen count row has 5 items, got {row!r}")
            rule, shape, site_file, function, count = row
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(f"frozen match count must be an int >= 0, got {count!r}")
            identity = (str(rule), _text_or_none(shape), _text_or_none(site_file))
            key: FrozenFinding = (*identity, _text_or_none(function))
            if key in self._frozen:
                self._frozen[key] += count

    def covered_by_baseline(self, finding: Finding) -> bool:
        """Whether the unexpired baseline covers this violation (for a preview of a test's
        violations; ``judge`` is what counts)."""
        baseline = self.baseline
        return (
            baseline is not None and not baseline.is_expired(self.today) and baseline.holds(finding)
        )


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


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
