"""The JSON report, its loading, and its SARIF, markdown and text renderings."""

from __future__ import annotations

import datetime
import json
import pickle
import re
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs in the dev extra
import pytest

from pytest_redis_boundary.core.catalogue import HOW_TO_FIX, RULE_NAMES
from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.reports import (
    FINDING_FIELDS,
    MARKDOWN_LIMIT,
    SCHEMA,
    ReportInvalid,
    build_report,
    findings_of,
    load_report,
    sarif_location,
    to_markdown,
    to_sarif,
    to_text,
)
from tests.report_samples import (
    CANARY,
    SCHEMA_PATH,
    TEST,
    exc7,
    finding,
    judged_with_canary,
    report,
    write_report,
)

EXCEPTED = finding(
    rule="RB201",
    verdict="excepted",
    message="RB201 missing-ttl: SET t:acme:cache:7 at app/cache.py:30 in refresh() "
    "(left without a TTL at the end of the test)",
    test="tests/test_cache.py::test_refresh",
    command="SET",
    key="t:acme:cache:7",
    field=None,
    site="app/cache.py:30",
    function="refresh",
    exception="EXC-7",
    count=2,
)
UNUSED = finding(
    rule="RB903",
    verdict="warning",
    message="RB903 exception-unused: EXC-9 matched nothing",
    test=None,
    phase=None,
    command=None,
    key=None,
    field=None,
    site=None,
    function=None,
    tenant_id=None,
)


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


# --- the document ----------------------------------------------------------------------------


def test_spec_example() -> None:
    """The example of docs/reference/reports.md, field for field and in its order."""
    built = report(finding(), exceptions=[exc7()], tests=12, calls=340)
    message = finding().message
    assert json.dumps(built) == json.dumps(
        {
            "schema": "redis-boundary-report/1",
            "tool": {"name": "pytest-redis-boundary", "version": "1.0.0"},
            "today": "2026-11-28",
            "summary": {"tests": 12, "calls": 340, "violations": 1, "excepted": 0, "warnings": 0},
            "findings": [
                {
                    "rule": "RB101",
                    "verdict": "violation",
                    "test": "tests/test_jobs.py::test_done",
                    "phase": "call",
                    "command": "HSET",
                    "key": "t:acme:job:42",
                    "field": "status",
                    "site": "app/jobs.py:17",
                    "function": "mark_done",
                    "tenant_id": "acme",
                    "key_ttl_seconds": None,
                    "exception": None,
                    "count": 1,
                    "message": message,
                    "context": None,
                }
            ],
            "exceptions": [
                {
                    "id": "EXC-7",
                    "owner": "platform-team",
                    "expiry_date": "2027-01-31",
                    "removal_issue": "PLAT-812",
                    "status": "active",
                    "matched": 3,
                }
            ],
            "inventory": [],
            "endpoints": [],
            "read_through_classes": [],
        }
    )


def test_keys_and_field_order() -> None:
    built = report(finding(), EXCEPTED, UNUSED, exceptions=[exc7()])
    assert list(built) == [
        "schema", "tool", "today", "summary", "findings", "exceptions", "inventory", "endpoints",
        "read_through_classes",
    ]  # fmt: skip
    assert list(built["tool"]) == ["name", "version"]
    assert list(built["summary"]) == ["tests", "calls", "violations", "excepted", "warnings"]
    fields = [
        "rule", "verdict", "test", "phase", "command", "key", "field", "site", "function",
        "tenant_id", "key_ttl_seconds", "exception", "count", "message", "context",
    ]  # fmt: skip
    assert list(FINDING_FIELDS) == fields
    assert [list(entry) for entry in built["findings"]] == [fields] * 3
    assert list(built["exceptions"][0]) == [
        "id", "owner", "expiry_date", "removal_issue", "status", "matched"
    ]  # fmt: skip


def test_summary_counts_findings_by_verdict() -> None:
    built = report(
        finding(),
        finding(site="app/jobs.py:30", count=4),
        EXCEPTED,
        UNUSED,
        tests=7,
        calls=99,
    )
    assert built["summary"] == {
        "tests": 7,
        "calls": 99,
        "violations": 2,  # findings, not their counts
        "excepted": 1,
        "warnings": 1,
    }
    assert report()["summary"] == {
        "tests": 1, "calls": 1, "violations": 0, "excepted": 0, "warnings": 0
    }  # fmt: skip


def test_findings_sorted_by_test_file_numeric_line_rule() -> None:
    line_10 = finding(site="app/jobs.py:10")
    line_9 = finding(site="app/jobs.py:9")
    rb201 = finding(rule="RB201", site="app/jobs.py:9", field=None)
    other_file = finding(site="app/aaa.py:50")
    other_test = finding(test="tests/test_a.py::test_a", site="app/zzz.py:1")
    built = report(line_10, rb201, line_9, other_test, other_file, UNUSED)
    assert findings_of(built) == [UNUSED, other_test, other_file, line_9, rb201, line_10]


def test_exceptions_sorted_by_id() -> None:
    other = exc7().__class__(
        id="EXC-10", owner="x", expiry_date=None, removal_issue="Y-1", status="invalid", matched=0
    )
    built = report(exceptions=[exc7(), other])
    assert [e["id"] for e in built["exceptions"]] == ["EXC-10", "EXC-7"]
    assert built["exceptions"][0]["expiry_date"] is None


def test_round_trip_through_a_file(tmp_path: Path) -> None:
    findings = [finding(key_ttl_seconds=12.5), EXCEPTED, UNUSED]
    built = report(*findings, exceptions=[exc7()])
    loaded = load_report(write_report(tmp_path / "r.json", built))
    assert loaded == built
    assert findings_of(loaded) == sorted(findings, key=Finding.sort_key)


def test_no_stored_value_reaches_any_rendering() -> None:
    findings = judged_with_canary()
    assert {f.rule for f in findings} >= {"RB101", "RB102", "RB103", "RB201", "RB301"}
    built = report(*findings, exceptions=[exc7()])
    for text in (
        json.dumps(built),
        json.dumps(to_sarif(built)),
        to_markdown(built),
        to_text(built),
    ):
        assert CANARY not in text


# --- load_report -----------------------------------------------------------------------------


def _bad(**changes: Any) -> dict[str, Any]:
    data = report(finding())
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            "{not json",
            "not valid JSON: Expecting property name enclosed in double quotes at line 1",
        ),
        ("[]", "expected a JSON object with \"schema\": 'redis-boundary-report/1', got a list."),
        (
            json.dumps(_bad(schema="redis-boundary-contracts/1")),
            "not a redis-boundary report: \"schema\" is 'redis-boundary-contracts/1', expected "
            "'redis-boundary-report/1' (write one with pytest --redis-boundary-report=PATH).",
        ),
        (
            json.dumps({"tool": {}}),
            'not a redis-boundary report: "schema" is missing, expected',
        ),
        (
            json.dumps({"schema": SCHEMA, "tool": {"name": "x", "version": "1"}, "today": "x"}),
            'missing "summary", "findings", "exceptions" (see docs/reference/reports.md).',
        ),
        (json.dumps(_bad(tool="x")), 'tool: expected {"name": "...", "version": "..."}.'),
        (json.dumps(_bad(findings={})), "findings: expected a list, got an object."),
        (
            json.dumps(_bad(summary={"tests": 1})),
            "summary.calls: expected an integer, got null.",
        ),
        (
            json.dumps(_bad(findings=[{**finding().to_json(), "verdict": "bad"}])),
            "findings[0].verdict: expected 'violation', 'excepted' or 'warning', got 'bad'.",
        ),
        (
            json.dumps(_bad(findings=[{**finding().to_json(), "count": 0}])),
            "findings[0].count: expected a positive integer, got 0.",
        ),
        (
            json.dumps(_bad(findings=[{**finding().to_json(), "site": 17}])),
            "findings[0].site: expected a string or null, got 17.",
        ),
        (
            json.dumps(_bad(findings=[{**finding().to_json(), "key_ttl_seconds": "1"}])),
            "findings[0].key_ttl_seconds: expected a number or null, got '1'.",
        ),
        (
            json.dumps(_bad(findings=[{"rule": "RB101", "verdict": "violation"}])),
            "findings[0].message: expected a string, got null.",
        ),
        (
            json.dumps(_bad(exceptions=[{"owner": "x"}])),
            'exceptions[0]: expected an object with a string "id".',
        ),
        (
            json.dumps(_bad(read_through_classes=[{"name": "job_view", "keys": "t:*"}])),
            'read_through_classes: expected a list of {"name": "...", "keys": ["..."], ',
        ),
        (
            json.dumps(_bad(endpoints=["GET /a", 3])),
            'endpoints: expected a list of endpoint names such as "GET /jobs/{job_id}".',
        ),
    ],
)
def test_load_report_rejects(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "head.json"
    path.write_text(content)
    with pytest.raises(ReportInvalid) as info:
        load_report(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {problem}")
    assert "\n" not in message


def test_load_report_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(ReportInvalid, match="no such report file") as info:
        load_report(path)
    assert info.value.path == str(path)


def test_load_report_not_utf8_and_directory(tmp_path: Path) -> None:
    binary = tmp_path / "b.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ReportInvalid, match="not UTF-8"):
        load_report(binary)
    with pytest.raises(ReportInvalid, match="cannot read the report"):
        load_report(tmp_path)


def test_report_invalid_pickles() -> None:
    error = ReportInvalid("head.json", "not valid JSON.")
    clone = pickle.loads(pickle.dumps(error))
    assert (type(clone), clone.path, clone.problem, str(clone)) == (
        ReportInvalid,
        "head.json",
        "not valid JSON.",
        "head.json: not valid JSON.",
    )
    assert isinstance(clone, ValueError)


# --- SARIF -----------------------------------------------------------------------------------


def test_sarif_validates(sarif_validator: jsonschema.Draft4Validator) -> None:
    built = report(finding(), EXCEPTED, UNUSED, *judged_with_canary(), exceptions=[exc7()])
    sarif = to_sarif(built)
    errors = [error.message for error in sarif_validator.iter_errors(sarif)]
    assert errors == []
    assert len(sarif["runs"][0]["results"]) == len(built["findings"])


def test_sarif_validates_without_findings(sarif_validator: jsonschema.Draft4Validator) -> None:
    sarif = to_sarif(report())
    assert list(sarif_validator.iter_errors(sarif)) == []
    assert sarif["runs"][0]["results"] == []


def test_sarif_schema_catches_a_bad_level(sarif_validator: jsonschema.Draft4Validator) -> None:
    """The vendored schema really checks: the test above cannot pass by accident."""
    sarif = to_sarif(report(finding()))
    sarif["runs"][0]["results"][0]["level"] = "fatal"
    assert not sarif_validator.is_valid(sarif)


def test_sarif_driver_and_rules() -> None:
    driver = to_sarif(report())["runs"][0]["tool"]["driver"]
    assert driver["name"] == "pytest-redis-boundary"
    assert driver["version"] == "1.0.0"
    assert [rule["id"] for rule in driver["rules"]] == list(RULE_NAMES)
    for rule in driver["rules"]:
        assert rule["name"] == RULE_NAMES[rule["id"]]
        assert rule["shortDescription"]["text"]
        fix = HOW_TO_FIX.get(rule["id"])
        if fix is None:
            assert "help" not in rule
        else:
            assert rule["help"] == {"text": f"How to fix: {fix}"}
            assert rule["fullDescription"]["text"].endswith(f"To fix: {fix}")


def test_sarif_results() -> None:
    sarif = to_sarif(report(finding(), EXCEPTED, UNUSED))
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    unused, excepted, violation = sarif["runs"][0]["results"]  # report order
    assert violation == {
        "ruleId": "RB101",
        "ruleIndex": 0,
        "level": "error",
        "message": {"text": finding().message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "app/jobs.py", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 17},
                }
            }
        ],
        "partialFingerprints": {
            "redisBoundaryIdentity/v1": "RB101|t:{tenant}:job:*|app/jobs.py|mark_done"
        },
        "properties": {"test": TEST, "count": 1},
    }
    assert excepted["level"] == "note"
    assert excepted["suppressions"] == [{"kind": "external", "justification": "EXC-7"}]
    assert excepted["message"]["text"].endswith("(x2)")
    assert rules[excepted["ruleIndex"]]["id"] == "RB201"
    assert unused["level"] == "warning"
    assert "locations" not in unused
    assert "suppressions" not in unused
    assert rules[unused["ruleIndex"]]["id"] == "RB903"


def test_sarif_fingerprint_ignores_line_tenant_and_id() -> None:
    moved = finding(site="app/jobs.py:90", key="t:globex:job:77", tenant_id="globex")
    first, second = to_sarif(report(finding(), moved))["runs"][0]["results"]
    assert first["partialFingerprints"] == second["partialFingerprints"]


def test_sarif_location_without_line() -> None:
    assert sarif_location("app/x.py", 0) == {
        "physicalLocation": {"artifactLocation": {"uri": "app/x.py", "uriBaseId": "%SRCROOT%"}}
    }


# --- people ----------------------------------------------------------------------------------


def test_text() -> None:
    built = report(finding(), EXCEPTED, UNUSED, exceptions=[exc7()], tests=12, calls=340)
    assert to_text(built) == textwrap.dedent(
        f"""\
        redis-boundary report (pytest-redis-boundary 1.0.0, today 2026-11-28)
        tests 12, calls 340, violations 1, excepted 1, warnings 1

        RB101 business-write (1)
          violation  tests/test_jobs.py::test_done
              RB101 business-write: HSET t:acme:job:42 field 'status' at app/jobs.py:17 in mark_done()
          how to fix: {HOW_TO_FIX["RB101"]}

        RB201 missing-ttl (1)
          excepted   tests/test_cache.py::test_refresh  [exception EXC-7]
              {EXCEPTED.message} (x2)
          how to fix: {HOW_TO_FIX["RB201"]}

        RB903 exception-unused (1)
          warning    (session)
              RB903 exception-unused: EXC-9 matched nothing

        exceptions (1)
          EXC-7: active, owner platform-team, expires 2027-01-31, removal issue PLAT-812, matched 3
        """  # noqa: E501
    )


def test_text_without_findings() -> None:
    assert to_text(report()).endswith("warnings 0\n\nno findings\n")


def test_markdown() -> None:
    built = report(finding(), EXCEPTED, UNUSED, exceptions=[exc7()], tests=12, calls=340)
    assert to_markdown(built) == textwrap.dedent(
        f"""\
        ## Redis boundary report

        pytest-redis-boundary 1.0.0, exceptions judged on 2026-11-28.

        | tests | Redis calls | violations | excepted | warnings |
        | ---: | ---: | ---: | ---: | ---: |
        | 12 | 340 | 1 | 1 | 1 |

        ### RB101 business-write (1)

        **How to fix:** {HOW_TO_FIX["RB101"]}

        | verdict | test | site | command | key | field | count |
        | --- | --- | --- | --- | --- | --- | ---: |
        | violation | `tests/test_jobs.py::test_done` | `app/jobs.py:17` in `mark_done()` | `HSET` | `t:acme:job:42` | `status` | 1 |

        ### RB201 missing-ttl (1)

        **How to fix:** {HOW_TO_FIX["RB201"]}

        | verdict | test | site | command | key | field | count |
        | --- | --- | --- | --- | --- | --- | ---: |
        | excepted (`EXC-7`) | `tests/test_cache.py::test_refresh` | `app/cache.py:30` in `refresh()` | `SET` | `t:acme:cache:7` |  | 2 |

        ### RB903 exception-unused (1)

        | verdict | test | site | command | key | field | count |
        | --- | --- | --- | --- | --- | --- | ---: |
        | warning | (session) |  |  |  |  | 1 |

        ### Exceptions

        | id | owner | expiry date | removal issue | status | matched |
        | --- | --- | --- | --- | --- | ---: |
        | `EXC-7` | platform-team | 2027-01-31 | PLAT-812 | active | 3 |
        """  # noqa: E501
    )


def test_markdown_escapes_table_cells() -> None:
    odd = finding(key="t:acme:job:a|b`c", field="x|y")
    row = [line for line in to_markdown(report(odd)).splitlines() if line.startswith("| viol")]
    assert row == [
        "| violation | `tests/test_jobs.py::test_done` | `app/jobs.py:17` in `mark_done()` | "
        "`HSET` | `` t:acme:job:a\\|b`c `` | `x\\|y` | 1 |"
    ]


def test_markdown_without_findings() -> None:
    text = to_markdown(report())
    assert "No findings." in text
    assert "### Exceptions" not in text


def test_sarif_points_governance_results_at_a_location_and_keeps_them_apart() -> None:
    """Code scanning rejects results without a location and merges equal fingerprints."""
    unused_marker = Finding(
        rule="RB903",
        verdict="warning",
        message="RB903 exception-unused: marker on tests/test_x.py::test_a (owner ops) matched "
        "nothing in this run; remove the redis_boundary_exception marker",
    )
    expired = Finding(
        rule="RB902",
        verdict="violation",
        message="RB902 exception-expired: EXC-8 (owner ops, removal OPS-1) expired on 2026-01-01",
        test="tests/test_y.py::test_b",
    )
    other = Finding(
        rule="RB903",
        verdict="warning",
        message="RB903 exception-unused: EXC-9 (owner ops, redis-boundary.yaml:9) matched nothing",
        site="redis-boundary.yaml:9",
    )
    report = build_report(
        findings=[unused_marker, expired, other],
        exceptions=[],
        tests=2,
        calls=0,
        today=datetime.date(2026, 11, 28),
        version="1.0.0",
    )
    results = to_sarif(report)["runs"][0]["results"]
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results)
    assert uris == ["redis-boundary.yaml", "tests/test_x.py", "tests/test_y.py"]
    prints = {r["partialFingerprints"]["redisBoundaryIdentity/v1"] for r in results}
    assert len(prints) == 3


def _walrus_like(tests: int) -> list[Finding]:
    """A first run's findings: every test writes untenanted, unclassified keys at 40 sites."""
    out = []
    for t in range(tests):
        for s in range(40):
            for rule in ("RB301", "RB203"):
                out.append(
                    finding(
                        rule=rule,
                        message=f"{rule} {RULE_NAMES[rule]}: SET w:{s}:{t} at app/w{s}.py:{s}",
                        test=f"tests/test_walrus.py::test_{t}",
                        command="SET",
                        key=f"walrus:model{s}:{t}",
                        field=None,
                        site=f"app/w{s}.py:{s + 1}",
                        function=f"save{s}",
                        tenant_id=None,
                    )
                )
    return out


def test_a_large_report_folds_by_identity_within_the_comment_limit() -> None:
    """8,000 findings of 80 identities: folded, every identity shown, under 60,000 chars."""
    built = report(*_walrus_like(100), tests=100, calls=8000)
    text = to_markdown(built)
    assert len(text) <= MARKDOWN_LIMIT
    assert "**Folded:** 8,000 findings do not fit in one pull-request comment" in text
    assert "### RB203 unclassified-key (4,000 findings, 40 identities)" in text
    assert "| violation | `walrus:model7:*` | `app/w7.py` in `save7()` | 100 | 100 | 100 |" in text
    assert "left out" not in text.lower()


def test_a_huge_report_says_what_it_left_out() -> None:
    """Thousands of identities: each rule keeps its first ones; the rest counted per rule."""
    many = [
        replace(f, site=f"app/m{n}.py:1", function=f"f{n}") for n, f in enumerate(_walrus_like(60))
    ]
    text = to_markdown(report(*many, tests=60, calls=4800))
    assert len(text) <= MARKDOWN_LIMIT
    assert "Left out for length: RB203 " in text and ", RB301 " in text
    assert re.search(r"_\.\.\. and [\d,]+ more identities \([\d,]+ findings\) of RB301 left", text)
    rows = [line for line in text.splitlines() if line.startswith("| violation |")]
    assert len(rows) > 200  # the comment is used, not left mostly empty


def test_a_report_that_fits_is_not_folded() -> None:
    text = to_markdown(report(*_walrus_like(2), tests=2, calls=160))
    assert "Folded" not in text
    assert text.count("| violation | `tests/test_walrus.py::test_") == 160


def test_text_shows_three_findings_of_one_identity_then_how_many_more() -> None:
    tests = [f"tests/test_jobs.py::test_done[{n}]" for n in range(5)]
    text = to_text(report(*(finding(test=test) for test in tests)))
    assert text.count("RB101 business-write: HSET t:acme:job:42") == 3
    assert (
        "  ... and 2 more violation finding(s) of the same identity, t:{tenant}:job:* at "
        "app/jobs.py in mark_done() (the JSON report lists every one)\n"
    ) in text
    assert tests[2] in text and tests[3] not in text
