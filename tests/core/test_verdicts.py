"""Verdicts: what an exception covers, the closest-wins judgement, expiry and the ledger."""

from __future__ import annotations

import datetime
import pickle
from typing import Any

import pytest

from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.governance import GovernedException
from pytest_redis_boundary.core.patterns import KeyPattern
from pytest_redis_boundary.core.verdicts import (
    ExceptionStatus,
    Ledger,
    covers,
    expiring_soon,
)
from tests.report_samples import finding

TEST = "tests/test_jobs.py::test_done"
LEGACY = "tests/legacy/test_mirror.py::test_status"
EXPIRY = datetime.date(2027, 1, 31)
TODAY = datetime.date(2026, 11, 28)


def exc(**overrides: Any) -> GovernedException:
    """The example register entry of docs/reference/policy.md (scoped by keys), changed by
    ``overrides``."""
    base: dict[str, Any] = {
        "id": "EXC-7",
        "owner": "platform-team",
        "exception_reason": "legacy status mirror until the product store migration ships",
        "expiry_date": EXPIRY,
        "removal_issue": "PLAT-812",
        "rules": ("RB101",),
        "keys": (KeyPattern("t:*:job:*"),),
        "location": "redis-boundary.yaml:23",
    }
    base.update(overrides)
    return GovernedException(**base)


def marker(test: str = TEST, **overrides: Any) -> GovernedException:
    base: dict[str, Any] = {
        "id": f"marker:{test}",
        "owner": "jobs-team",
        "exception_reason": "done flag mirrored until cut-over",
        "expiry_date": EXPIRY,
        "removal_issue": "JOBS-3",
        "rules": ("RB101",),
        "keys": (),
        "location": test,
    }
    base.update(overrides)
    return GovernedException(**base)


def place(f: Finding) -> tuple[str | None, str | None, str | None, str | None]:
    """Where a finding is: its test, phase, site and function."""
    return (f.test, f.phase, f.site, f.function)


def verdicts(findings: list[Finding]) -> list[tuple[str, str, str | None]]:
    return [(f.rule, f.verdict, f.exception) for f in findings]


# --- covers ----------------------------------------------------------------------------------


def test_covers_only_its_rules() -> None:
    e = exc()
    assert covers(e, finding()) is True
    assert covers(e, finding(rule="RB201")) is False


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("t:acme:job:42", True),
        ("t:globex:job:abc:extra", True),
        ("t:acme:jobs:42", False),
        ("cache:t:acme:job:42", False),
        (None, False),
    ],
)
def test_keys_glob_scope(key: str | None, expected: bool) -> None:
    assert covers(exc(), finding(key=key)) is expected


def test_several_key_patterns_any_matches() -> None:
    e = exc(keys=(KeyPattern("cache:*"), KeyPattern("t:{tenant}:job:*")))
    assert covers(e, finding(key="cache:x")) is True
    assert covers(e, finding(key="t:acme:job:1")) is True
    assert covers(e, finding(key="lease:x")) is False


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        (LEGACY, True),
        ("tests/legacy/deep/test_x.py::test_y[param]", True),
        ("tests/test_legacy.py::test_status", False),
        ("Tests/legacy/test_mirror.py::test_status", False),  # case-sensitive
        (None, False),
    ],
)
def test_tests_nodeid_glob_scope(test: str | None, expected: bool) -> None:
    e = exc(keys=(), tests=("tests/legacy/*",))
    assert covers(e, finding(test=test)) is expected


def test_keys_and_tests_both_restrict() -> None:
    e = exc(tests=("tests/legacy/*",))
    assert covers(e, finding(test=LEGACY)) is True
    assert covers(e, finding(test=LEGACY, key="cache:x")) is False
    assert covers(e, finding(test=TEST)) is False


def test_imports_only_entry_covers_nothing_at_runtime() -> None:
    from pytest_redis_boundary.core.governance import ImportAllowance

    e = exc(
        rules=("RB101", "RB501"),
        keys=(),
        imports=(ImportAllowance.parse("app.workers.legacy -> rq"),),
    )
    assert covers(e, finding()) is False
    assert covers(e, finding(rule="RB501", key=None, command=None)) is False
    ledger = Ledger([e], today=TODAY)
    assert verdicts(ledger.judge([finding()])) == [("RB101", "violation", None)]
    assert ledger.counts() == {}  # left to the architecture contract


@pytest.mark.parametrize("rule", ["RB901", "RB902", "RB903"])
def test_rb9xx_never_covered(rule: str) -> None:
    # Validation refuses RB9xx in rules; even an exception built around it covers nothing.
    e = exc(rules=("RB101", rule), keys=(), tests=("*",))
    m = marker(rules=("RB101", rule))
    f = finding(rule=rule, verdict="violation", key=None)
    assert covers(e, f) is False
    assert covers(m, f) is False
    ledger = Ledger([e], today=TODAY)
    assert ledger.judge([f], test_exceptions=[m]) == [f]
    assert ledger.counts() == {"EXC-7": 0, f"marker:{TEST}": 0}


def test_marker_covers_only_its_own_test() -> None:
    m = marker()
    assert covers(m, finding()) is True
    assert covers(m, finding(key="anything:at:all")) is True  # no keys: all keys
    assert covers(m, finding(test=LEGACY)) is False
    assert covers(m, finding(test=None)) is False


def test_marker_keys_restrict() -> None:
    m = marker(keys=(KeyPattern("t:{tenant}:job:*"),))
    assert covers(m, finding()) is True
    assert covers(m, finding(key="t:acme:user:1")) is False


# --- judge -----------------------------------------------------------------------------------


def test_covers_rb101_not_rb201_in_same_test() -> None:
    ledger = Ledger([exc()], today=TODAY)
    rb101 = finding()
    rb201 = finding(rule="RB201", command="SET", field=None, message="RB201 missing-ttl: …")
    judged = ledger.judge([rb101, rb201])
    assert verdicts(judged) == [("RB101", "excepted", "EXC-7"), ("RB201", "violation", None)]
    assert judged[0] == rb101.with_verdict("excepted", "EXC-7")
    assert judged[1] is rb201
    assert rb101.verdict == "violation"  # inputs untouched
    assert ledger.counts() == {"EXC-7": 1}


def test_marker_beats_register() -> None:
    ledger = Ledger([exc()], today=TODAY)
    judged = ledger.judge([finding()], test_exceptions=[marker()])
    assert verdicts(judged) == [("RB101", "excepted", f"marker:{TEST}")]
    assert ledger.counts() == {"EXC-7": 0, f"marker:{TEST}": 1}


def test_register_in_file_order() -> None:
    first = exc(id="EXC-9", keys=(KeyPattern("t:*"),))
    second = exc(id="EXC-1")
    ledger = Ledger([first, second], today=TODAY)
    assert verdicts(ledger.judge([finding()])) == [("RB101", "excepted", "EXC-9")]
    assert ledger.counts() == {"EXC-9": 1, "EXC-1": 0}


def test_marker_not_covering_falls_back_to_register() -> None:
    ledger = Ledger([exc(rules=("RB201",), keys=(KeyPattern("*"),))], today=TODAY)
    rb201 = finding(rule="RB201")
    judged = ledger.judge([finding(), rb201], test_exceptions=[marker()])
    assert verdicts(judged) == [
        ("RB101", "excepted", f"marker:{TEST}"),
        ("RB201", "excepted", "EXC-7"),
    ]


def test_active_on_expiry_day() -> None:
    ledger = Ledger([exc()], today=EXPIRY)
    judged = ledger.judge([finding()])
    assert verdicts(judged) == [("RB101", "excepted", "EXC-7")]
    [status] = ledger.statuses()
    assert status.status == "active"
    assert status.matched == 1


def test_expired_the_day_after() -> None:
    ledger = Ledger([exc()], today=EXPIRY + datetime.timedelta(days=1))
    f = finding()
    judged = ledger.judge([f, finding(site="app/jobs.py:30", count=2)])
    assert verdicts(judged) == [
        ("RB101", "violation", None),
        ("RB101", "violation", None),
        ("RB902", "violation", None),
    ]
    assert judged[0] is f
    rb902 = judged[2]
    # On the test, where the first finding it would have covered is.
    assert place(rb902) == (TEST, "call", "app/jobs.py:17", "mark_done")
    assert rb902.message == (
        "RB902 exception-expired: EXC-7 (owner platform-team, removal PLAT-812) expired on "
        "2027-01-31; its RB101 findings count again"
    )
    assert ledger.statuses() == [
        ExceptionStatus(
            id="EXC-7",
            owner="platform-team",
            expiry_date=EXPIRY,
            removal_issue="PLAT-812",
            status="expired",
            matched=3,  # would-be matches
            location="redis-boundary.yaml:23",
        )
    ]
    assert ledger.unused_findings() == []


def test_expired_one_rb902_per_exception_and_test_naming_all_rules() -> None:
    e = exc(rules=("RB101", "RB201"))
    ledger = Ledger([e], today=datetime.date(2027, 3, 1))
    judged = ledger.judge(
        [
            finding(rule="RB201"),
            finding(),
            finding(test=LEGACY),
            finding(rule="RB102", message="not covered"),
        ]
    )
    rb902 = [f for f in judged if f.rule == "RB902"]
    assert [(f.test, f.message.rsplit(": ", 1)[1]) for f in rb902] == [
        (
            TEST,
            "EXC-7 (owner platform-team, removal PLAT-812) expired on 2027-01-31; "
            "its RB101, RB201 findings count again",
        ),
        (
            LEGACY,
            "EXC-7 (owner platform-team, removal PLAT-812) expired on 2027-01-31; "
            "its RB101 findings count again",
        ),
    ]
    assert all(f.verdict == "violation" for f in judged)


def test_expired_marker_rb902_is_at_the_first_finding_it_would_have_covered() -> None:
    old = marker(expiry_date=datetime.date(2026, 1, 1), rules=("RB101", "RB201"))
    ledger = Ledger([], today=TODAY)
    setup = finding(rule="RB201", phase="setup", site="tests/conftest.py:8", function="seed")
    judged = ledger.judge([setup, finding()], test_exceptions=[old])
    assert verdicts(judged) == [
        ("RB201", "violation", None),
        ("RB101", "violation", None),
        ("RB902", "violation", None),
    ]
    rb902 = judged[2]
    assert place(rb902) == (TEST, "setup", "tests/conftest.py:8", "seed")
    assert rb902.message.startswith(f"RB902 exception-expired: marker:{TEST} (owner jobs-team")


def test_active_register_entry_beats_expired_marker() -> None:
    old = marker(expiry_date=datetime.date(2026, 1, 1))
    ledger = Ledger([exc()], today=TODAY)
    judged = ledger.judge([finding()], test_exceptions=[old])
    assert verdicts(judged) == [("RB101", "excepted", "EXC-7")]
    assert ledger.counts() == {"EXC-7": 1, f"marker:{TEST}": 0}
    assert {s.id: s.status for s in ledger.statuses()} == {
        "EXC-7": "active",
        f"marker:{TEST}": "expired",
    }


def test_warnings_stay_warnings_but_match() -> None:
    ledger = Ledger([exc()], today=TODAY)
    w = finding(verdict="warning", count=4)
    assert ledger.judge([w]) == [w]
    assert ledger.counts() == {"EXC-7": 4}
    assert ledger.statuses()[0].status == "active"


def test_expired_warning_counts_but_adds_no_rb902() -> None:
    ledger = Ledger([exc()], today=datetime.date(2028, 1, 1))
    w = finding(verdict="warning")
    assert ledger.judge([w]) == [w]
    assert ledger.counts() == {"EXC-7": 1}


def test_matched_sums_finding_counts_across_tests() -> None:
    ledger = Ledger([exc(keys=(), tests=("tests/*",))], today=TODAY)
    ledger.judge([finding(count=3), finding(site="app/jobs.py:40")])
    ledger.judge([finding(test=LEGACY, count=5), finding(rule="RB201", test=LEGACY, count=7)])
    assert ledger.counts() == {"EXC-7": 9}
    assert ledger.statuses()[0].matched == 9


def test_judge_returns_new_list() -> None:
    ledger = Ledger([], today=TODAY)
    findings = [finding()]
    judged = ledger.judge(findings)
    assert judged == findings
    assert judged is not findings


# --- statuses, RB903, invalid -----------------------------------------------------------------


def test_unused_is_rb903_warning() -> None:
    ledger = Ledger([exc()], today=TODAY)
    ledger.judge([finding(key="cache:x")])
    assert ledger.statuses() == [
        ExceptionStatus(
            id="EXC-7",
            owner="platform-team",
            expiry_date=EXPIRY,
            removal_issue="PLAT-812",
            status="unused",
            matched=0,
            location="redis-boundary.yaml:23",
        )
    ]
    assert ledger.unused_findings() == [
        Finding(
            rule="RB903",
            verdict="warning",
            message=(
                "RB903 exception-unused: EXC-7 (owner platform-team, redis-boundary.yaml:23) "
                "matched nothing in this run; remove it from the register"
            ),
            test=None,
            site="redis-boundary.yaml:23",
        )
    ]


def test_unused_marker_is_rb903() -> None:
    ledger = Ledger([], today=TODAY)
    ledger.judge([], test_exceptions=[marker()])
    [rb903] = ledger.unused_findings()
    assert rb903.test is None
    assert rb903.site is None
    assert rb903.message == (
        f"RB903 exception-unused: marker:{TEST} (owner jobs-team, marker on {TEST}) matched "
        "nothing in this run; remove the redis_boundary_exception marker"
    )
    assert [s.status for s in ledger.statuses()] == ["unused"]


def test_expired_unmatched_is_expired_not_unused() -> None:
    ledger = Ledger([exc()], today=datetime.date(2027, 2, 1))
    assert [(s.status, s.matched) for s in ledger.statuses()] == [("expired", 0)]
    assert ledger.unused_findings() == []


def test_invalid_entries_listed() -> None:
    ledger = Ledger(
        [exc()],
        today=TODAY,
        invalid=[
            ("EXC-8", "", "redis-boundary.yaml:31"),
            ("EXC-2", "ops", "redis-boundary.yaml:9"),
        ],
    )
    statuses = ledger.statuses()
    assert [(s.id, s.status) for s in statuses] == [
        ("EXC-2", "invalid"),
        ("EXC-7", "unused"),
        ("EXC-8", "invalid"),
    ]
    assert statuses[0] == ExceptionStatus(
        id="EXC-2",
        owner="ops",
        expiry_date=None,
        removal_issue="",
        status="invalid",
        matched=0,
        location="redis-boundary.yaml:9",
    )
    assert statuses[2].to_json() == {
        "id": "EXC-8",
        "owner": "",
        "expiry_date": None,
        "removal_issue": "",
        "status": "invalid",
        "matched": 0,
    }
    assert [f.message[:31] for f in ledger.unused_findings()] == ["RB903 exception-unused: EXC-7 ("]


def test_statuses_sorted_by_id() -> None:
    entries = [
        exc(id="EXC-30"),
        exc(id="EXC-4", expiry_date=datetime.date(2026, 1, 1)),
        exc(id="ARCH-1", keys=(KeyPattern("cache:*"),)),
    ]
    ledger = Ledger(entries, today=TODAY)
    ledger.judge([finding()], test_exceptions=[marker()])
    ledger.judge([finding(key="cache:1", test=LEGACY)])
    assert [(s.id, s.status, s.matched) for s in ledger.statuses()] == [
        ("ARCH-1", "active", 1),
        ("EXC-30", "unused", 0),
        ("EXC-4", "expired", 0),
        (f"marker:{TEST}", "active", 1),
    ]
    assert ledger.statuses()[0].to_json() == {
        "id": "ARCH-1",
        "owner": "platform-team",
        "expiry_date": "2027-01-31",
        "removal_issue": "PLAT-812",
        "status": "active",
        "matched": 1,
    }


# --- xdist merge and pickling ----------------------------------------------------------------


RUN: list[tuple[list[Finding], list[GovernedException]]] = [
    ([finding()], [marker()]),
    ([finding(test=LEGACY), finding(rule="RB201", test=LEGACY, count=3)], []),
    ([finding(test="tests/test_cache.py::test_a", key="cache:1")], []),
    ([finding(test="tests/test_old.py::test_b", key="legacy:1", count=2)], []),
]


def _register() -> list[GovernedException]:
    return [
        exc(),
        exc(id="EXC-8", rules=("RB201",), keys=(), tests=("tests/legacy/*",)),
        exc(id="EXC-9", keys=(KeyPattern("lease:*"),)),
        exc(id="EXC-1", expiry_date=datetime.date(2026, 6, 1), keys=(), tests=("*old*",)),
    ]


def test_merge_across_workers_equals_one_ledger() -> None:
    invalid = [("EXC-X", "", "redis-boundary.yaml:50")]
    single = Ledger(_register(), today=TODAY, invalid=invalid)
    for findings, markers in RUN:
        single.judge(findings, test_exceptions=markers)

    controller = Ledger(_register(), today=TODAY, invalid=invalid)
    for part in (RUN[0::2], RUN[1::2]):
        worker = Ledger(_register(), today=TODAY, invalid=invalid)
        for findings, markers in part:
            worker.judge(findings, test_exceptions=markers)
        sent = pickle.loads(pickle.dumps(worker.counts()))
        controller.merge(sent)
        controller.add([e for e in worker.exceptions if e.is_marker])

    assert controller.statuses() == single.statuses()
    assert controller.unused_findings() == single.unused_findings()
    assert [(s.id, s.status, s.matched) for s in single.statuses()] == [
        ("EXC-1", "expired", 2),
        ("EXC-7", "active", 1),
        ("EXC-8", "active", 3),
        ("EXC-9", "unused", 0),
        ("EXC-X", "invalid", 0),
        (f"marker:{TEST}", "active", 1),
    ]


def test_merge_adds_and_keeps_unknown_ids() -> None:
    ledger = Ledger([exc()], today=TODAY)
    ledger.merge({"EXC-7": 2})
    ledger.merge({"EXC-7": 3, "marker:t.py::x": 1})
    assert ledger.counts() == {"EXC-7": 5, "marker:t.py::x": 1}
    assert [s.id for s in ledger.statuses()] == ["EXC-7"]  # unknown until added


@pytest.mark.parametrize("bad", [-1, "3", 1.5, True])
def test_merge_refuses_bad_counts(bad: object) -> None:
    ledger = Ledger([exc()], today=TODAY)
    with pytest.raises(ValueError, match="match count of 'EXC-7' must be an int >= 0"):
        ledger.merge({"EXC-7": bad})  # type: ignore[dict-item]


def test_counts_is_a_copy() -> None:
    ledger = Ledger([exc()], today=TODAY)
    ledger.counts()["EXC-7"] = 99
    assert ledger.counts() == {"EXC-7": 0}


def test_pickle_round_trips() -> None:
    status = ExceptionStatus(
        id="EXC-7",
        owner="platform-team",
        expiry_date=EXPIRY,
        removal_issue="PLAT-812",
        status="active",
        matched=3,
        location="redis-boundary.yaml:23",
    )
    assert pickle.loads(pickle.dumps(status)) == status
    ledger = Ledger([exc()], today=TODAY, invalid=[("EXC-8", "", "x.yaml:1")])
    ledger.judge([finding(count=2)], test_exceptions=[marker(rules=("RB201",))])
    counts = ledger.counts()
    assert pickle.loads(pickle.dumps(counts)) == {"EXC-7": 2, f"marker:{TEST}": 0}
    copy = pickle.loads(pickle.dumps(ledger))
    assert copy.counts() == counts
    assert copy.statuses() == ledger.statuses()


# --- expiring_soon ---------------------------------------------------------------------------


def test_expiring_soon_window_and_order() -> None:
    today = datetime.date(2027, 1, 20)
    entries = [
        exc(id="EXC-A", expiry_date=datetime.date(2027, 2, 3)),  # 14 days: in
        exc(id="EXC-B", expiry_date=datetime.date(2027, 2, 4)),  # 15 days: out
        exc(id="EXC-C", expiry_date=today),  # last day: 0
        exc(id="EXC-D", expiry_date=datetime.date(2027, 1, 19)),  # expired: out
        exc(id="EXC-F", expiry_date=datetime.date(2027, 1, 25)),
        exc(id="EXC-E", expiry_date=datetime.date(2027, 1, 25)),  # same day: by id
    ]
    assert [(e.id, days) for e, days in expiring_soon(entries, today=today)] == [
        ("EXC-C", 0),
        ("EXC-E", 5),
        ("EXC-F", 5),
        ("EXC-A", 14),
    ]
    assert [e.id for e, _ in expiring_soon(entries, today=today, within_days=0)] == ["EXC-C"]
    assert expiring_soon([], today=today) == []


def test_imports_only_entries_are_left_to_the_contract() -> None:
    """A register entry scoped only by imports is neither matched nor reported as unused here."""
    from pytest_redis_boundary.core.governance import parse_exception

    entry = parse_exception(
        {
            "id": "EXC-IMP",
            "owner": "platform-team",
            "exception_reason": "legacy worker",
            "expiry_date": "2027-01-31",
            "removal_issue": "PLAT-1",
            "rules": ["RB501"],
            "imports": ["app.workers.legacy -> rq"],
        },
        where="redis-boundary.yaml:3",
    )
    ledger = Ledger([entry], today=datetime.date(2026, 11, 28))
    assert ledger.statuses() == []
    assert ledger.unused_findings() == []
