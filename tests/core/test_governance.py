"""Governed exceptions: the data model and the RB901 validation."""

from __future__ import annotations

import datetime
import pickle

import pytest

from pytest_redis_boundary.core.catalogue import RULE_NAMES
from pytest_redis_boundary.core.governance import (
    ExceptionInvalid,
    GovernedException,
    ImportAllowance,
    parse_exception,
    validate_exception,
)
from pytest_redis_boundary.core.patterns import KeyPattern

WHERE = "redis-boundary.yaml:23"


def entry(**changes: object) -> dict[str, object]:
    """A valid register entry, with ``changes`` applied (None removes)."""
    raw: dict[str, object] = {
        "id": "EXC-7",
        "owner": "platform-team",
        "exception_reason": "legacy status mirror until the product store migration ships",
        "expiry_date": datetime.date(2027, 1, 31),
        "removal_issue": "PLAT-812",
        "rules": ["RB101", "RB201"],
        "keys": ["t:*:job:*"],
        "tests": ["tests/legacy/*"],
        "imports": ["app.workers.legacy -> rq"],
    }
    for name, value in changes.items():
        if value is None:
            raw.pop(name, None)
        else:
            raw[name] = value
    return raw


def test_rule_ids_are_spec_table() -> None:
    assert list(RULE_NAMES) == [
        "RB101",
        "RB102",
        "RB103",
        "RB201",
        "RB202",
        "RB203",
        "RB301",
        "RB302",
        "RB401",
        "RB501",
        "RB502",
        "RB901",
        "RB902",
        "RB903",
    ]
    assert RULE_NAMES["RB101"] == "business-write"
    assert RULE_NAMES["RB903"] == "exception-unused"


def test_parse_register_entry() -> None:
    exc = parse_exception(entry(), where=WHERE)
    assert exc == GovernedException(
        id="EXC-7",
        owner="platform-team",
        exception_reason="legacy status mirror until the product store migration ships",
        expiry_date=datetime.date(2027, 1, 31),
        removal_issue="PLAT-812",
        rules=("RB101", "RB201"),
        keys=(KeyPattern("t:*:job:*"),),
        tests=("tests/legacy/*",),
        imports=(ImportAllowance("app.workers.legacy -> rq", ("app.workers.legacy", "rq")),),
        location=WHERE,
    )
    assert not exc.is_marker


def test_date_may_be_a_string() -> None:
    exc = parse_exception(entry(expiry_date="2027-01-31"), where=WHERE)
    assert exc.expiry_date == datetime.date(2027, 1, 31)


def test_import_allowance_is_normalized() -> None:
    exc = parse_exception(entry(imports=["app.api->app.helpers ->  rq"]), where=WHERE)
    assert exc.imports[0].text == "app.api -> app.helpers -> rq"
    assert exc.imports[0].modules == ("app.api", "app.helpers", "rq")


@pytest.mark.parametrize("scope", ["keys", "tests", "imports"])
def test_one_scope_field_is_enough(scope: str) -> None:
    others = {name: None for name in ("keys", "tests", "imports") if name != scope}
    exc = parse_exception(entry(**others), where=WHERE)
    assert getattr(exc, scope)


def test_expiry_is_inclusive() -> None:
    exc = parse_exception(entry(), where=WHERE)
    assert not exc.is_expired(datetime.date(2027, 1, 30))
    assert not exc.is_expired(datetime.date(2027, 1, 31))  # the expiry day itself is valid
    assert exc.is_expired(datetime.date(2027, 2, 1))
    assert exc.days_left(datetime.date(2027, 1, 21)) == 10
    assert exc.days_left(datetime.date(2027, 1, 31)) == 0
    assert exc.days_left(datetime.date(2027, 2, 1)) == -1


def test_marker_style() -> None:
    raw = {
        "owner": "platform-team",
        "exception_reason": "legacy",
        "expiry_date": "2027-01-31",
        "removal_issue": "PLAT-812",
        "rules": ["RB101"],
    }
    nodeid = "tests/test_jobs.py::test_done"
    exc = parse_exception(raw, where=nodeid, default_id=f"marker:{nodeid}", require_scope=False)
    assert exc.id == "marker:tests/test_jobs.py::test_done"
    assert exc.is_marker
    assert exc.keys == ()  # no key restriction
    assert exc.location == nodeid
    with_keys = parse_exception(
        {**raw, "keys": ("t:acme:*",)}, where=nodeid, default_id="marker:x", require_scope=False
    )
    assert with_keys.keys == (KeyPattern("t:acme:*"),)


@pytest.mark.parametrize("name", ["id", "tests", "imports"])
def test_marker_rejects_register_only_fields(name: str) -> None:
    raw = entry(keys=None, tests=None, imports=None, id=None)
    raw[name] = ["x"] if name != "id" else "EXC-1"
    with pytest.raises(ExceptionInvalid) as info:
        parse_exception(raw, where="t.py::t", default_id="marker:t.py::t", require_scope=False)
    assert info.value.field == name
    assert "a marker's scope is its own test" in info.value.problem


# (changes, field, problem fragment, fix fragment)
INVALID = [
    ({"owner": None}, "owner", "the required field 'owner' is missing", "owner: platform-team"),
    ({"owner": "  "}, "owner", "expected a non-empty string, got an empty one", "owner:"),
    (
        {"exception_reason": None},
        "exception_reason",
        "the required field 'exception_reason' is missing",
        "exception_reason:",
    ),
    (
        {"removal_issue": 812},
        "removal_issue",
        "expected a non-empty string, got 812 (int)",
        "removal_issue: PLAT-812",
    ),
    ({"id": None}, "id", "the required field 'id' is missing", "unique id"),
    (
        {"expiry_date": None},
        "expiry_date",
        "the required field 'expiry_date' is missing",
        "YYYY-MM-DD",
    ),
    (
        {"expiry_date": "2027-02-30"},
        "expiry_date",
        "'2027-02-30' is not a real date",
        "YYYY-MM-DD",
    ),
    (
        {"expiry_date": "31/01/2027"},
        "expiry_date",
        "expected a date as YYYY-MM-DD, got '31/01/2027'",
        "expiry_date: 2027-01-31",
    ),
    (
        {"expiry_date": datetime.datetime(2027, 1, 31, 10, 0)},
        "expiry_date",
        "expected a date, got a date and time",
        "YYYY-MM-DD",
    ),
    ({"rules": None}, "rules", "the required field 'rules' is missing", "rules: [RB101"),
    ({"rules": []}, "rules", "the list of rules is empty", "rules: [RB101"),
    ({"rules": "RB101"}, "rules", "expected a list of rule ids, got 'RB101'", "rules: [RB101"),
    ({"rules": ["RB999"]}, "rules[0]", "unknown rule id 'RB999'", "RB101, RB102"),
    (
        {"rules": ["RB101", "RB901"]},
        "rules[1]",
        "no exception can cover RB9xx",
        "remove RB901",
    ),
    ({"rules": ["RB903"]}, "rules[0]", "no exception can cover RB9xx", "remove RB903"),
    ({"keys": ["t:[abc"]}, "keys[0]", "bad key pattern 't:[abc': unclosed '['", "']'"),
    ({"keys": "t:*"}, "keys", "expected a list of strings, got 't:*'", "keys: ["),
    ({"tests": [""]}, "tests[0]", "expected a non-empty string, got an empty string", "tests: ["),
    (
        {"imports": ["app.workers.legacy"]},
        "imports[0]",
        "expected 2 or more modules separated by '->'",
        "'app.workers.legacy -> rq'",
    ),
    (
        {"imports": ["app.1workers -> rq"]},
        "imports[0]",
        "'app.1workers' in 'app.1workers -> rq' is not a dotted module name",
        "dotted modules joined by '->'",
    ),
    (
        {"keys": None, "tests": None, "imports": None},
        "scope",
        "empty scope",
        "keys: [glob], tests: [nodeid glob] and/or imports",
    ),
    (
        {"keys": [], "tests": [], "imports": None},
        "scope",
        "empty scope",
        "keys: [glob]",
    ),
    ({"ownr": "x"}, "ownr", "unknown field 'ownr' in an exception entry", "use one of: id, owner"),
]


@pytest.mark.parametrize(("changes", "field", "problem", "fix"), INVALID)
def test_invalid_entry(changes: dict[str, object], field: str, problem: str, fix: str) -> None:
    with pytest.raises(ExceptionInvalid) as info:
        parse_exception(entry(**changes), where=WHERE)
    err = info.value
    assert err.field == field
    assert problem in err.problem
    assert fix in err.fix
    text = str(err)
    assert text.startswith(f"RB901 exception-invalid: {WHERE}: exception ")
    assert f": {field}: " in text
    assert "Fix: " in text
    assert "\n" not in text


def test_invalid_message_names_the_id() -> None:
    with pytest.raises(ExceptionInvalid) as info:
        parse_exception(entry(owner=None), where=WHERE)
    assert str(info.value) == (
        "RB901 exception-invalid: redis-boundary.yaml:23: exception 'EXC-7': owner: the required "
        "field 'owner' is missing. Fix: name the owning team or person, e.g. owner: "
        "platform-team."
    )
    assert info.value.exception_id == "EXC-7"


def test_all_problems_are_collected() -> None:
    exception, problems = validate_exception(
        entry(
            owner=None,
            expiry_date="2027-02-30",
            rules=["RB901"],
            keys=None,
            tests=None,
            imports=None,
        ),
        where=WHERE,
    )
    assert exception is None
    assert [p.field for p in problems] == ["owner", "expiry_date", "rules[0]", "scope"]


def test_valid_entry_has_no_problems() -> None:
    exception, problems = validate_exception(entry(), where=WHERE)
    assert problems == ()
    assert exception is not None


def test_non_mapping() -> None:
    with pytest.raises(ExceptionInvalid, match="expected a mapping of fields"):
        parse_exception(["owner"], where=WHERE)  # type: ignore[arg-type]


def test_duplicate_rules_are_dropped_and_normalized() -> None:
    exc = parse_exception(entry(rules=["RB101", "rb101", "RB201"]), where=WHERE)
    assert exc.rules == ("RB101", "RB201")


def test_exception_invalid_pickles() -> None:
    err = ExceptionInvalid(WHERE, "EXC-7", "owner", "missing", "add it")
    back = pickle.loads(pickle.dumps(err))
    assert str(back) == str(err)
    assert (back.where, back.exception_id, back.field, back.problem, back.fix) == (
        WHERE,
        "EXC-7",
        "owner",
        "missing",
        "add it",
    )
    assert back.rule == "RB901"


def test_governed_exception_pickles() -> None:
    exc = parse_exception(entry(), where=WHERE)
    assert pickle.loads(pickle.dumps(exc)) == exc
