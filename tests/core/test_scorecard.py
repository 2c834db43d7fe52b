"""The retirement scorecard: each criterion failing for its own reason, history, burndown, chart."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest

from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.inventory import InventoryEntry
from pytest_redis_boundary.core.runtime_context import ENDPOINT, RQ_JOB, RuntimeContext
from pytest_redis_boundary.core.scorecard import (
    FAIL,
    PASS,
    UNKNOWN,
    HistoryInvalid,
    HistoryRun,
    Scorecard,
    burndown_svg,
    judge_scorecard,
    parse_history,
    run_of,
    scorecard_json,
    scorecard_markdown,
    scorecard_text,
)
from pytest_redis_boundary.core.scorecard.burndown import RUNS_SHOWN, burndown_series, run_labels
from pytest_redis_boundary.core.surfaces import RuntimePaths, SurfacesCheck, Unclaimed
from tests.report_samples import CACHE_SHAPE, finding

CACHE = CACHE_SHAPE
ALL_CHECKED = RuntimePaths(modules=("app.api",), endpoints=("GET /jobs",), keys=(CACHE.shape,))
CLAIMED = SurfacesCheck("docs/contracts", (), ALL_CHECKED, Unclaimed())
JOB = RuntimeContext(RQ_JOB, "app.tasks.finish")
ENDPOINT_STATUS = RuntimeContext(ENDPOINT, "GET /jobs/{job_id}")


def card(
    findings: Sequence[Finding] = (),
    inventory: Sequence[InventoryEntry] | None = (CACHE,),
    surfaces: SurfacesCheck | None = CLAIMED,
    **extra: Any,
) -> Scorecard:
    return judge_scorecard(
        today="2026-12-01", findings=findings, inventory=inventory, surfaces=surfaces, **extra
    )


def statuses(scorecard: Scorecard) -> list[str]:
    return [c.status for c in scorecard.criteria]


def test_a_migrated_run_is_complete() -> None:
    scorecard = card()
    assert statuses(scorecard) == [PASS, PASS, PASS, PASS]
    assert scorecard.complete
    assert scorecard_text(scorecard).startswith(
        "redis-boundary scorecard: retirement complete: all 4 criteria pass\n"
    )


def test_c1_fails_on_a_business_write_during_an_rq_job_whatever_its_verdict() -> None:
    write = finding(context=JOB, verdict="excepted", exception="EXC-2")
    scorecard = card([write])
    assert scorecard.criteria[0].status == FAIL
    assert [e.data["rule"] for e in scorecard.criteria[0].evidence] == ["RB101"]
    assert scorecard.criteria[0].evidence[0].data["context"] == JOB.as_json()
    # The same write from plain test code or an endpoint is not C1's.
    assert card([finding(), finding(context=ENDPOINT_STATUS)]).criteria[0].status == PASS


def test_c2_fails_on_a_business_read_during_an_endpoint() -> None:
    read = finding(rule="RB102", command="HGET", context=ENDPOINT_STATUS)
    scorecard = card([read])
    assert statuses(scorecard)[:2] == [PASS, FAIL]
    assert card([replace(read, context=JOB)]).criteria[1].status == PASS


def test_c3_fails_on_an_unclaimed_path_and_is_unknown_while_a_kind_is_unchecked() -> None:
    unclaimed = SurfacesCheck(
        "docs/contracts", (), ALL_CHECKED, Unclaimed(modules=("app.workers.legacy",))
    )
    c3 = card(surfaces=unclaimed).criteria[2]
    assert (c3.status, [e.text for e in c3.evidence]) == (
        FAIL,
        ["unclaimed module: app.workers.legacy"],
    )
    partial = SurfacesCheck(
        "docs/contracts",
        (),
        RuntimePaths(modules=None, endpoints=(), keys=(), not_checked={"modules": "no config"}),
        Unclaimed(),
    )
    c3 = card(surfaces=partial).criteria[2]
    assert (c3.status, c3.evidence[0].text) == (UNKNOWN, "modules: not checked: no config")
    c3 = card(surfaces=None, surfaces_missing="no docs/contracts folder here").criteria[2]
    assert (c3.status, c3.evidence[0].text) == (
        UNKNOWN,
        "surfaces: no docs/contracts folder here",
    )


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (replace(CACHE, shape="t:{tenant}:job:*", key_class="business"), "business"),
        (replace(CACHE, persistent=True), "persistent (written without a TTL)"),
        (replace(CACHE, key_class=None), "unclassified"),
    ],
)
def test_c4_fails_on_an_inventory_shape_that_is_not_bounded_operational(
    entry: InventoryEntry, problem: str
) -> None:
    c4 = card(inventory=[CACHE, entry]).criteria[3]
    assert c4.status == FAIL
    assert [e.data for e in c4.evidence] == [{"shape": entry.shape, "problem": problem}]


def test_c4_counts_violations_and_excepted_key_findings_not_warnings() -> None:
    excepted = finding(rule="RB201", verdict="excepted", exception="EXC-2")
    assert card([excepted]).criteria[3].status == FAIL
    warning = finding(rule="RB401", verdict="warning")
    assert card([warning]).criteria[3].status == PASS
    assert card([finding(rule="RB302")]).criteria[3].status == FAIL


def test_c4_is_unknown_without_an_inventory_unless_findings_fail_it() -> None:
    assert card(inventory=None).criteria[3].status == UNKNOWN
    assert card([finding()], inventory=None).criteria[3].status == FAIL


def test_remaining_exceptions_come_from_the_report_and_the_import_contracts() -> None:
    report_exceptions = [
        {"id": "EXC-2", "owner": "platform-team", "expiry_date": "2027-03-31",
         "removal_issue": "PLAT-812", "status": "active", "matched": 3},
        {"id": "EXC-9", "owner": "x", "expiry_date": "2026-01-01", "removal_issue": "X-1",
         "status": "expired", "matched": 0},
    ]  # fmt: skip
    contracts = {
        "contracts": [
            {"name": "no rq", "kept": False, "findings": [
                {"verdict": "excepted", "exception": "EXC-1", "message": "a -> rq is allowed"},
                {"verdict": "violation", "exception": None, "message": "b -> rq"},
            ]},
        ]
    }  # fmt: skip
    scorecard = card(report_exceptions=report_exceptions, contracts=contracts)
    assert [(e.id, e.source) for e in scorecard.exceptions] == [
        ("EXC-2", "report"),
        ("EXC-1", "contracts"),
    ]
    text = scorecard_text(scorecard)
    assert (
        "    EXC-2 (owner platform-team, expires 2027-03-31, removal PLAT-812, matched 3)" in text
    )
    assert "EXC-1 (matched 1), import contract: a -> rq is allowed" in text
    assert "Import contracts broken (1): no rq" in text
    # Exceptions and broken contracts inform; the criteria alone decide completeness.
    assert scorecard.complete


def test_json_carries_every_criterion_with_its_evidence() -> None:
    scorecard = card([finding(context=JOB)])
    document = json.loads(scorecard_json(scorecard))
    assert document["schema"] == "redis-boundary-scorecard/1"
    assert document["complete"] is False
    assert [c["id"] for c in document["criteria"]] == ["C1", "C2", "C3", "C4"]
    evidence = document["criteria"][0]["evidence"][0]
    assert (evidence["kind"], evidence["rule"], evidence["site"]) == (
        "finding",
        "RB101",
        "app/jobs.py:17",
    )
    assert evidence["context"] == {"kind": "rq-job", "name": "app.tasks.finish"}
    assert document["counts"] == {"RB101": {"violation": 1}}


def test_text_folds_one_identity_across_tests_and_cuts_long_evidence() -> None:
    same = [finding(key=f"t:acme:job:{n}", test=f"tests/t.py::test_{n}") for n in range(3)]
    text = scorecard_text(card(same))
    assert text.count("RB101 business-write") == 1
    assert (
        "    RB101 business-write: HSET t:{tenant}:job:* field 'status' at app/jobs.py:17 in "
        "mark_done() [violation] in 3 tests, e.g. tests/t.py::test_0\n"
    ) in text
    many = [finding(site=f"app/jobs.py:{n}", test=f"tests/t.py::test_{n}") for n in range(12)]
    scorecard = card(many)
    text = scorecard_text(scorecard)
    assert "    ... and 4 more (--format json lists every one)" in text
    assert text.count("RB101 business-write") == 8
    assert len(json.loads(scorecard_json(scorecard))["criteria"][3]["evidence"]) == 12
    markdown = scorecard_markdown(scorecard)
    assert "| C4 | Redis keys used only for bounded-TTL operational concerns | ❌ fail | 12 |" in (
        markdown
    )
    assert "<details><summary>C4:" in markdown


def history_runs(days: int) -> list[HistoryRun]:
    return [
        HistoryRun(
            date=f"2026-11-{day:02d}",
            counts={"RB101": {"violation": days - day}, "RB201": {"excepted": 1}},
            exceptions=max(0, 3 - day),
            criteria={"C1": PASS, "C2": PASS, "C3": FAIL if day < 2 else PASS, "C4": FAIL},
        )
        for day in range(1, days + 1)
    ]


def test_a_history_line_round_trips() -> None:
    runs = [run_of(card([finding(context=JOB)])), *history_runs(2)]
    text = "".join(run.to_line() for run in runs)
    assert parse_history(text + "\n\n", "h.jsonl") == runs
    first = json.loads(text.splitlines()[0])
    assert first["criteria"] == {"C1": "fail", "C2": "pass", "C3": "pass", "C4": "fail"}
    assert first["complete"] is False


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "h.jsonl:2: not JSON"),
        ('{"schema": "other/1"}', "h.jsonl:2: schema is 'other/1'"),
        ("[1]", "h.jsonl:2: expected a JSON object"),
    ],
)
def test_a_malformed_history_line_names_file_and_line(line: str, problem: str) -> None:
    good = history_runs(1)[0].to_line()
    with pytest.raises(HistoryInvalid) as caught:
        parse_history(good + line + "\n", "h.jsonl")
    assert str(caught.value).startswith(problem)
    assert "Fix: correct or delete that line" in str(caught.value)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"date": "2026-13-01"}, "date is '2026-13-01', expected a date"),
        ({"counts": {"RB101": 3}}, "counts must map each rule"),
        ({"exceptions": -1}, "exceptions must be a count"),
        ({"criteria": {"C1": "pass"}}, "criteria must give each of C1, C2, C3, C4 a status"),
    ],
)
def test_a_history_line_with_a_bad_field_says_which(change: dict[str, Any], problem: str) -> None:
    data = json.loads(history_runs(1)[0].to_line()) | change
    with pytest.raises(HistoryInvalid, match=problem):
        parse_history(json.dumps(data), "h.jsonl")


def test_the_burndown_has_a_series_per_rule_then_exceptions_and_criteria() -> None:
    series = burndown_series(history_runs(3))
    assert [(s.label, s.values) for s in series] == [
        ("RB101 business-write", (2, 1, 0)),
        ("RB201 missing-ttl", (1, 1, 1)),
        ("exceptions active", (2, 1, 0)),
        ("criteria passed (of 4)", (2, 3, 3)),
    ]


def test_text_shows_the_last_runs_of_a_long_history() -> None:
    runs = history_runs(RUNS_SHOWN + 3)
    text = scorecard_text(card(), runs)
    assert f"Burndown: the last {RUNS_SHOWN} of {RUNS_SHOWN + 3} recorded runs" in text
    assert "2026-11-04" in text
    assert "2026-11-03" not in text


def test_the_chart_is_an_svg_with_a_line_per_series_and_dated_axis() -> None:
    runs = history_runs(20)
    svg = burndown_svg(runs)
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    lines = root.findall(f"{ns}polyline")
    assert len(lines) == len(burndown_series(runs))
    assert all(len(line.attrib["points"].split()) == 20 for line in lines)
    texts = [t.text or "" for t in root.iter(f"{ns}text")]
    assert "Redis/RQ retirement burndown" in texts
    assert {"count", "run date", "2026-11-20"} <= set(texts)
    dates = [t for t in texts if t.startswith("2026-11-")]
    assert 2 <= len(dates) <= 7  # thinned so labels do not overlap
    assert "RB101 business-write: 0" in texts


def test_the_chart_of_one_run_and_escaped_text() -> None:
    run = replace(history_runs(1)[0], counts={"RB<1>": {"violation": 2}})
    root = ElementTree.fromstring(burndown_svg([run]))
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "RB<1>: 2" in texts


def test_runs_of_one_date_are_numbered_in_tables_and_on_the_chart() -> None:
    first, second = history_runs(2)
    same_day = [first, replace(second, date=first.date), second]
    assert run_labels(same_day) == ["2026-11-01 #1", "2026-11-01 #2", "2026-11-02"]
    text = scorecard_text(card(), same_day)
    assert "2026-11-01 #1  2026-11-01 #2  2026-11-02" in text
    root = ElementTree.fromstring(burndown_svg(same_day))
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert {"2026-11-01 #1", "2026-11-01 #2", "2026-11-02"} <= set(texts)


def test_criteria_passed_have_their_own_axis_on_the_chart() -> None:
    # Hundreds of findings on the counts' axis; the criteria (0-4) must still be readable.
    runs = [
        replace(run, counts={"RB101": {"violation": 300 - 100 * n}})
        for n, run in enumerate(history_runs(3))
    ]
    root = ElementTree.fromstring(burndown_svg(runs))
    ns = "{http://www.w3.org/2000/svg}"
    lines = root.findall(f"{ns}polyline")
    criteria = lines[-1]  # the last series: criteria passed, 2 then 3 then 3 (of 4)
    ys = [float(point.split(",")[1]) for point in criteria.attrib["points"].split()]
    top, bottom = 70.0, 480.0 - 78.0
    assert ys[0] == pytest.approx(bottom - (bottom - top) * 2 / 4)
    assert ys[1] == pytest.approx(bottom - (bottom - top) * 3 / 4)
    texts = [t.text or "" for t in root.iter(f"{ns}text")]
    assert "criteria passed" in texts and "300" in texts
