"""The runtime baseline: its file, what a report freezes, and how the ledger honours it."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from pytest_redis_boundary.core.catalogue import baseline_unused_message
from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.governance import Governance, GovernedException
from pytest_redis_boundary.core.imports import BaselineInvalid, dump_baseline, parse_baseline
from pytest_redis_boundary.core.patterns import KeyPattern
from pytest_redis_boundary.core.policy import PolicyErrors, load_policy
from pytest_redis_boundary.core.runtime_baseline import (
    BaselineChanges,
    RuntimeBaseline,
    dump_runtime_baseline,
    frozen_identities,
    parse_runtime_baseline,
)
from pytest_redis_boundary.core.verdicts import Ledger
from tests.report_samples import TEST, TODAY, finding

EXPIRY = datetime.date(2027, 6, 30)
GOVERNANCE = Governance("platform-team", "adoption", EXPIRY, "PLAT-900")
MARK_DONE = ("RB101", "t:{tenant}:job:*", "app/jobs.py", "mark_done")
MARK_DONE_TTL = ("RB201", "t:{tenant}:job:*", "app/jobs.py", "mark_done")
PIN = ("RB201", "t:{tenant}:cache:profile:*", "app/cache.py", "pin_profile")


def baseline(*identities: tuple[str, str | None, str | None, str | None]) -> RuntimeBaseline:
    return RuntimeBaseline(
        source=".redis-boundary-baseline.json",
        governance=GOVERNANCE,
        findings=frozenset(identities),
    )


def ttl_finding(**overrides: Any) -> Finding:
    return finding(
        rule="RB201", command="HSET", field=None, message="RB201 missing-ttl", **overrides
    )


# --- the file ---------------------------------------------------------------------------------


def test_dump_is_sorted_deduplicated_and_parses_back() -> None:
    frozen = RuntimeBaseline(
        source="b.json",
        governance=GOVERNANCE,
        findings=frozenset({PIN, MARK_DONE, ("RB301", None, None, None)}),
        chains=frozenset({("app.b", "rq"), ("app.a", "app.w", "rq")}),
    )
    text = dump_runtime_baseline(frozen)
    data = json.loads(text)
    assert data["schema"] == "redis-boundary-baseline/2"
    assert [f["rule"] for f in data["findings"]] == ["RB101", "RB201", "RB301"]
    assert data["findings"][0] == {
        "rule": "RB101",
        "key_shape": "t:{tenant}:job:*",
        "site_file": "app/jobs.py",
        "function": "mark_done",
    }
    assert data["chains"] == [["app.a", "app.w", "rq"], ["app.b", "rq"]]
    assert data["expiry_date"] == "2027-06-30"
    assert parse_runtime_baseline(text, source="b.json") == frozen
    # The rq contract reads the chains of a /2 file, and /1 files as before.
    assert parse_baseline(text, source="b.json").chains == frozen.chains
    v1 = dump_baseline([("app.b", "rq")])
    assert parse_baseline(v1, source="old.json").chains == {("app.b", "rq")}


def test_a_chains_only_file_is_not_a_runtime_baseline() -> None:
    with pytest.raises(BaselineInvalid) as info:
        parse_runtime_baseline(dump_baseline([("app.b", "rq")]), source="old.json")
    assert str(info.value).startswith("old.json: expected schema 'redis-boundary-baseline/2'")
    assert "chains-only" in str(info.value)
    assert "freeze --report" in str(info.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"expiry_date": "2027-13-01"}, "expiry_date: '2027-13-01' is not a real date"),
        ({"expiry_date": "soon"}, "expiry_date: expected a date as YYYY-MM-DD"),
        ({"owner": ""}, "owner: expected a non-empty string"),
        ({"removal_issue": None}, "removal_issue: expected a non-empty string"),
        ({"extra": 1}, "unknown field 'extra'"),
        ({"findings": [{"rule": "RB902"}]}, "findings[0]: expected an object with exactly"),
        (
            {
                "findings": [
                    {"rule": "RB903", "key_shape": None, "site_file": None, "function": None}
                ]
            },
            "findings[0].rule: 'RB903' is not a runtime rule id",
        ),
        ({"chains": [["app.api"]]}, "chains[0]"),
    ],
)
def test_invalid_files_name_the_field(change: dict[str, Any], expected: str) -> None:
    data = json.loads(dump_runtime_baseline(baseline(MARK_DONE)))
    data.update(change)
    with pytest.raises(BaselineInvalid) as info:
        parse_runtime_baseline(json.dumps(data), source="b.json")
    assert str(info.value).startswith("b.json: ")
    assert expected in str(info.value)


def test_missing_governance_field_is_rb901() -> None:
    data = json.loads(dump_runtime_baseline(baseline(MARK_DONE)))
    del data["owner"]
    with pytest.raises(BaselineInvalid) as info:
        parse_runtime_baseline(json.dumps(data), source="b.json")
    assert "RB901 exception-invalid: owner: the required field 'owner' is missing" in str(
        info.value
    )


# --- what a report freezes --------------------------------------------------------------------


def test_frozen_identities_are_violations_and_what_the_baseline_excepted() -> None:
    findings = [
        finding(key="t:acme:job:42"),
        # The same identity: another tenant, id and line.
        finding(key="t:globex:job:7", tenant_id="globex", site="app/jobs.py:99"),
        ttl_finding(verdict="excepted", exception="baseline"),
        finding(rule="RB102", verdict="excepted", exception="EXC-7"),  # a register exception's
        finding(rule="RB301", verdict="warning"),
        finding(rule="RB902", key=None),
        finding(rule="RB501", key=None),
    ]
    assert frozen_identities(findings) == {MARK_DONE, MARK_DONE_TTL}


def test_changes_list_added_and_removed() -> None:
    new = RuntimeBaseline("b.json", GOVERNANCE, frozenset({MARK_DONE}), frozenset({("a", "rq")}))
    changes = BaselineChanges.between(frozenset({MARK_DONE, PIN}), frozenset(), new)
    assert changes.added == ()
    assert changes.removed == (PIN,)
    assert changes.lines() == [
        "  - RB201 t:{tenant}:cache:profile:* at app/cache.py in pin_profile()",
        "  + chain a -> rq",
    ]


# --- the ledger -------------------------------------------------------------------------------


def test_a_frozen_violation_is_excepted_and_a_new_one_is_not() -> None:
    ledger = Ledger([], today=TODAY, baseline=baseline(MARK_DONE, PIN))
    frozen, new = ledger.judge([finding(), finding(rule="RB102", command="HGET")])
    assert (frozen.verdict, frozen.exception) == ("excepted", "baseline")
    assert (new.verdict, new.exception) == ("violation", None)
    status = next(s for s in ledger.statuses() if s.id == "baseline")
    assert (status.status, status.matched, status.unmatched) == ("active", 1, (PIN,))
    row = status.to_json()
    assert row["file"] == ".redis-boundary-baseline.json"
    assert row["exception_reason"] == "adoption"
    assert row["unmatched"] == [
        {
            "rule": "RB201",
            "key_shape": "t:{tenant}:cache:profile:*",
            "site_file": "app/cache.py",
            "function": "pin_profile",
        }
    ]


def test_unmatched_entries_are_one_rb903() -> None:
    ledger = Ledger([], today=TODAY, baseline=baseline(MARK_DONE, MARK_DONE_TTL, PIN))
    ledger.judge([finding()])
    (unused,) = ledger.unused_findings()
    assert unused.rule == "RB903"
    assert (unused.test, unused.verdict, unused.exception) == (None, "warning", "baseline")
    assert unused.message == baseline_unused_message(2, path=".redis-boundary-baseline.json")
    ledger.judge(
        [
            ttl_finding(),
            finding(
                rule="RB201",
                function="pin_profile",
                key="t:acme:cache:profile:1",
                site="app/cache.py:27",
            ),
        ]
    )
    assert ledger.unused_findings() == []


def test_nothing_matched_is_unused() -> None:
    ledger = Ledger([], today=TODAY, baseline=baseline(MARK_DONE))
    assert [s.status for s in ledger.statuses()] == ["unused"]
    assert len(ledger.unused_findings()) == 1


def test_an_active_register_exception_comes_first() -> None:
    register = GovernedException(
        id="EXC-7",
        owner="platform-team",
        exception_reason="mirror",
        expiry_date=EXPIRY,
        removal_issue="PLAT-812",
        rules=("RB101",),
        keys=(KeyPattern("t:*:job:*"),),
    )
    ledger = Ledger([register], today=TODAY, baseline=baseline(MARK_DONE))
    (judged,) = ledger.judge([finding()])
    assert judged.exception == "EXC-7"
    assert ledger.unmatched() == [MARK_DONE]


def test_an_expired_baseline_covers_nothing() -> None:
    after = EXPIRY + datetime.timedelta(days=1)
    on_the_day = Ledger([], today=EXPIRY, baseline=baseline(MARK_DONE, MARK_DONE_TTL))
    assert [f.verdict for f in on_the_day.judge([finding(), ttl_finding()])] == ["excepted"] * 2

    ledger = Ledger([], today=after, baseline=baseline(MARK_DONE, MARK_DONE_TTL, PIN))
    judged = ledger.judge([finding(), ttl_finding()])
    assert [(f.rule, f.verdict) for f in judged] == [
        ("RB101", "violation"),
        ("RB201", "violation"),
        ("RB902", "violation"),
    ]
    rb902 = judged[2]
    assert rb902.test == TEST
    assert "baseline (owner platform-team, removal PLAT-900) expired on 2027-06-30" in rb902.message
    assert "RB101, RB201 findings count again" in rb902.message
    assert [(s.status, s.matched) for s in ledger.statuses()] == [("expired", 2)]
    assert ledger.unused_findings() == []  # RB902 already says it; no RB903 besides
    assert not ledger.covered_by_baseline(finding())


def test_worker_counts_merge_to_the_serial_result() -> None:
    frozen = baseline(MARK_DONE, MARK_DONE_TTL, PIN)
    serial = Ledger([], today=TODAY, baseline=frozen)
    serial.judge([finding()])
    serial.judge([ttl_finding(), finding()])
    workers = [Ledger([], today=TODAY, baseline=frozen) for _ in range(2)]
    workers[0].judge([finding()])
    workers[1].judge([ttl_finding(), finding()])
    controller = Ledger([], today=TODAY, baseline=frozen)
    for worker in workers:
        controller.merge_frozen(json.loads(json.dumps(worker.frozen_counts())))
    assert controller.statuses() == serial.statuses()
    assert controller.unused_findings() == serial.unused_findings()
    with pytest.raises(ValueError, match="int >= 0"):
        controller.merge_frozen([[*MARK_DONE, -1]])


# --- the policy key ---------------------------------------------------------------------------


def test_policy_baseline_is_relative_to_the_policy_file(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "frozen.json").write_text(dump_runtime_baseline(baseline(PIN)))
    policy_path = tmp_path / "conf" / "redis-boundary.yaml"
    policy_path.write_text("version: 1\nbaseline: frozen.json\n")
    policy = load_policy(policy_path)
    assert policy.baseline is not None
    assert policy.baseline.source == "frozen.json"
    assert policy.baseline.findings == {PIN}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read the baseline file"),
        ("{not json", "is invalid: not valid JSON"),
        ('{"schema": "redis-boundary-baseline/1", "chains": []}', "chains-only"),
    ],
)
def test_a_bad_baseline_is_a_policy_error(
    tmp_path: Path, content: str | None, expected: str
) -> None:
    if content is not None:
        (tmp_path / "frozen.json").write_text(content)
    policy_path = tmp_path / "redis-boundary.yaml"
    policy_path.write_text("version: 1\nbaseline: frozen.json\n")
    with pytest.raises(PolicyErrors) as info:
        load_policy(policy_path)
    (error,) = info.value.errors
    assert (error.line, error.field) == (2, "baseline")
    assert str(tmp_path / "frozen.json") in error.problem
    assert expected in error.problem


def test_baseline_must_be_a_path(tmp_path: Path) -> None:
    policy_path = tmp_path / "redis-boundary.yaml"
    policy_path.write_text("version: 1\nbaseline: [a.json]\n")
    with pytest.raises(PolicyErrors, match="baseline: expected a file path, got a list"):
        load_policy(policy_path)
