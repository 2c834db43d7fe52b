"""Merging shard reports (core/reports/merging.py) and ``redis-boundary merge``."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from pytest_redis_boundary.cli import main
from pytest_redis_boundary.core.catalogue import (
    baseline_unused_message,
    unused_message,
    unused_prefix,
)
from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.inventory import InventoryEntry
from pytest_redis_boundary.core.reports import ReportInvalid, build_report, load_report
from pytest_redis_boundary.core.reports.document import save_report
from pytest_redis_boundary.core.reports.merging import merge_reports
from pytest_redis_boundary.core.verdicts import ExceptionStatus, unused_finding
from tests.report_samples import TODAY, exc7, finding

EXPIRY = datetime.date(2027, 1, 31)


def status(exc_id: str, state: str, matched: int) -> ExceptionStatus:
    return ExceptionStatus(
        id=exc_id,
        owner="platform-team",
        expiry_date=EXPIRY,
        removal_issue="PLAT-1",
        status=state,  # type: ignore[arg-type]
        matched=matched,
    )


def rb903(exc_id: str, location: str = "redis-boundary.yaml:7") -> Finding:
    return unused_finding(exc_id, owner="platform-team", location=location)


def shard(
    *findings: Finding,
    exceptions: tuple[ExceptionStatus, ...] = (),
    tests: int = 1,
    calls: int = 1,
    inventory: tuple[InventoryEntry, ...] = (),
    today: datetime.date = TODAY,
    endpoints: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A report as a shard writes it, read back as the merge reads it (through JSON)."""
    data = build_report(
        findings=findings,
        exceptions=exceptions,
        tests=tests,
        calls=calls,
        today=today,
        version="1.0.0",
        inventory=inventory,
        endpoints=endpoints,
    )
    loaded: dict[str, Any] = json.loads(json.dumps(data))
    return loaded


def merged(*reports: dict[str, Any]) -> dict[str, Any]:
    return merge_reports([(f"s{n}.json", r) for n, r in enumerate(reports)], version="9.9.9")


def test_totals_are_summed_and_the_verdicts_recounted_from_the_findings() -> None:
    a = shard(finding(), tests=3, calls=10)
    b = shard(
        finding(test="tests/test_b.py::test_b", verdict="excepted", exception="EXC-7"),
        finding(test="tests/test_b.py::test_c", rule="RB201", verdict="warning"),
        tests=4,
        calls=5,
    )
    out = merged(b, a)
    assert out["summary"] == {
        "tests": 7,
        "calls": 15,
        "violations": 1,
        "excepted": 1,
        "warnings": 1,
    }
    # the order of the shards does not matter: findings come in the report's order
    assert out == merged(a, b)
    assert [f["test"] for f in out["findings"]] == [
        "tests/test_b.py::test_b",
        "tests/test_b.py::test_c",
        "tests/test_jobs.py::test_done",
    ]
    assert out["today"] == TODAY.isoformat()
    assert out["tool"] == {"name": "pytest-redis-boundary", "version": "1.0.0"}


def test_matched_is_summed_and_unused_only_when_no_shard_matched() -> None:
    a = shard(
        rb903("EXC-7"),
        rb903("EXC-9", "redis-boundary.yaml:15"),
        exceptions=(
            exc7("unused", 0),
            status("EXC-9", "unused", 0),
            status("EXC-OLD", "expired", 2),
        ),
    )
    b = shard(
        rb903("EXC-9", "redis-boundary.yaml:15"),
        exceptions=(
            exc7("active", 3),
            status("EXC-9", "unused", 0),
            status("EXC-OLD", "expired", 0),
        ),
    )
    out = merged(a, b)
    assert {e["id"]: (e["status"], e["matched"]) for e in out["exceptions"]} == {
        "EXC-7": ("active", 3),
        "EXC-9": ("unused", 0),
        "EXC-OLD": ("expired", 2),
    }
    # one RB903, for the exception unused everywhere, at its register entry, in catalogue words
    rb903s = [f for f in out["findings"] if f["rule"] == "RB903"]
    assert rb903s == [{**rb903("EXC-9", "redis-boundary.yaml:15").to_json()}]
    assert rb903s[0]["message"] == unused_message(
        "EXC-9", owner="platform-team", marker=False, where="redis-boundary.yaml:15"
    )
    assert out["summary"]["warnings"] == 1


def test_a_marker_seen_in_one_shard_is_reported_as_there() -> None:
    marker = "marker:tests/test_b.py::test_b"
    a = shard(exceptions=(exc7("active", 1),))
    b = shard(
        rb903(marker, "tests/test_b.py::test_b"),
        exceptions=(exc7("active", 1), status(marker, "unused", 0)),
    )
    out = merged(a, b)
    assert [e["id"] for e in out["exceptions"]] == ["EXC-7", marker]
    (only,) = [f for f in out["findings"] if f["rule"] == "RB903"]
    assert only["site"] is None
    assert "marker on tests/test_b.py::test_b" in only["message"]


IDENTITIES = [
    {
        "rule": "RB101",
        "key_shape": f"t:{{tenant}}:job{n}:*",
        "site_file": "app/jobs.py",
        "function": "mark_done",
    }
    for n in range(4)
]


def baseline(unmatched: list[dict[str, str]], matched: int, *, path: str) -> tuple[Any, ...]:
    """A shard's baseline entry (with ``unmatched``) and its RB903, as a run would write them."""
    entry = {
        **status("baseline", "active" if matched else "unused", matched).to_json(),
        "unmatched": unmatched,
    }
    rb = Finding(
        rule="RB903",
        verdict="warning",
        message=baseline_unused_message(len(unmatched), path=path),
        site=path,
    )
    return entry, rb


def with_baseline(entry: dict[str, Any], rb: Finding | None) -> dict[str, Any]:
    data = shard(*([rb] if rb else []))
    data["exceptions"].append(entry)
    return data


def test_a_baselines_unmatched_identities_are_those_no_shard_matched() -> None:
    path = "ci/.redis-boundary-baseline.json"
    a = with_baseline(*baseline(IDENTITIES[:3], 1, path=path))
    b = with_baseline(*baseline([IDENTITIES[2], IDENTITIES[1], IDENTITIES[3]], 2, path=path))
    out = merged(a, b)
    (entry,) = out["exceptions"]
    assert entry["unmatched"] == [IDENTITIES[1], IDENTITIES[2]]  # in the first shard's order
    assert (entry["status"], entry["matched"]) == ("active", 3)
    (rb,) = [f for f in out["findings"] if f["rule"] == "RB903"]
    assert rb["message"] == baseline_unused_message(2, path=path)
    assert rb["site"] == path


def test_a_baseline_every_identity_of_which_matched_somewhere_gives_no_rb903() -> None:
    path = ".redis-boundary-baseline.json"
    a = with_baseline(*baseline(IDENTITIES[:1], 1, path=path))
    b = with_baseline(*baseline(IDENTITIES[1:2], 1, path=path))
    out = merged(a, b)
    assert out["exceptions"][0]["unmatched"] == []
    assert not [f for f in out["findings"] if f["rule"] == "RB903"]


def test_both_rb903_wordings_start_with_the_prefix_that_names_the_exception() -> None:
    assert unused_message("EXC-1", owner="o", marker=False, where="p.yaml:3").startswith(
        unused_prefix("EXC-1")
    )
    assert baseline_unused_message(3, path="b.json").startswith(unused_prefix("baseline"))
    assert not unused_message("EXC-10", owner="o", marker=False, where="").startswith(
        unused_prefix("EXC-1")
    )


def entry(**fields: Any) -> InventoryEntry:
    base: dict[str, Any] = {
        "shape": "t:{tenant}:cache:profile:*",
        "key_class": "cache",
        "writes": 1,
        "reads": 0,
        "tenant": True,
        "max_ttl_seconds": 60,
        "persistent": False,
        "commands": ("SET",),
        "sites": ("app/cache.py:9",),
        "tests": 1,
    }
    return InventoryEntry(**{**base, **fields})


def test_the_inventory_is_merged_per_shape() -> None:
    a = shard(
        inventory=(
            entry(sites=tuple(f"app/b.py:{n}" for n in (30, 4, 12))),
            entry(shape="scratch:*", key_class=None, tenant=False),
        )
    )
    b = shard(
        inventory=(
            entry(
                writes=2,
                reads=5,
                max_ttl_seconds=None,
                persistent=True,
                commands=("GET", "EXPIRE"),
                tests=2,
                sites=("app/a.py:100", "app/b.py:5", "app/b.py:40"),
            ),
        )
    )
    out = merged(a, b)
    assert [e["shape"] for e in out["inventory"]] == ["scratch:*", "t:{tenant}:cache:profile:*"]
    assert out["inventory"][1] == {
        "shape": "t:{tenant}:cache:profile:*",
        "class": "cache",
        "writes": 3,
        "reads": 5,
        "tenant": True,
        "max_ttl_seconds": 60,
        "persistent": True,
        "commands": ["EXPIRE", "GET", "SET"],
        "sites": ["app/a.py:100", "app/b.py:4", "app/b.py:5", "app/b.py:12", "app/b.py:30"],
        "tests": 3,
    }


def test_reports_of_other_days_are_not_merged() -> None:
    a = shard()
    b = shard(today=datetime.date(2026, 11, 29))
    with pytest.raises(ReportInvalid) as caught:
        merged(a, b)
    assert caught.value.path == "s1.json"
    assert "'2026-11-29' but s0.json has '2026-11-28'" in caught.value.problem
    bad = shard()
    bad["today"] = "28.11.2026"
    with pytest.raises(ReportInvalid, match="not a YYYY-MM-DD date"):
        merged(a, bad)


def test_a_broken_exception_entry_is_named() -> None:
    a = shard(exceptions=(exc7(),))
    a["exceptions"][0]["matched"] = "3"
    with pytest.raises(ReportInvalid) as caught:
        merged(shard(exceptions=(exc7(),)), a)
    assert caught.value.path == "s1.json"
    assert caught.value.problem.startswith("exceptions[0].matched: expected an integer >= 0")


def test_sections_the_merge_does_not_know_are_kept_only_when_every_shard_agrees() -> None:
    a, b = shard(), shard()
    a["surfaces"] = b["surfaces"] = {"claimed": 2}
    assert merged(a, b)["surfaces"] == {"claimed": 2}
    b["surfaces"] = {"claimed": 3}
    with pytest.raises(ReportInvalid, match=r'"surfaces" differs from s0\.json'):
        merged(a, b)


def test_shards_of_other_versions_get_the_merging_tools_version() -> None:
    a, b = shard(), shard()
    b["tool"]["version"] = "1.1.0"
    assert merged(a, b)["tool"]["version"] == "9.9.9"


# --- the command -----------------------------------------------------------------------------


def write(path: Path, data: dict[str, Any]) -> str:
    path.write_text(json.dumps(data))
    return str(path)


def test_merge_writes_a_report_that_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write(tmp_path / "a.json", shard(finding(), exceptions=(exc7("unused", 0),)))
    b = write(tmp_path / "b.json", shard(exceptions=(exc7("active", 2),)))
    output = tmp_path / "merged.json"
    assert main(["merge", a, b, "--output", str(output)]) == 0  # violations do not fail a merge
    assert "merged 2 report(s)" in capsys.readouterr().out
    report = load_report(output)
    assert report["exceptions"][0]["matched"] == 2
    assert report["summary"]["violations"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json", "merged.json"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such report file"),
        ("{not json", "not valid JSON"),
        ('{"schema": "redis-boundary-report/2"}', "not a redis-boundary report"),
    ],
)
def test_merge_of_an_unreadable_report_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, expected: str
) -> None:
    good = write(tmp_path / "a.json", shard())
    bad = tmp_path / "b.json"
    if content is not None:
        bad.write_text(content)
    output = tmp_path / "merged.json"
    assert main(["merge", good, str(bad), "--output", str(output)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"redis-boundary: {bad}: ") and expected in err
    assert len(err.strip().splitlines()) == 1
    assert not output.exists()


def test_merge_of_one_report_given_twice_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write(tmp_path / "a.json", shard())
    assert main(["merge", a, str(tmp_path / "." / "a.json"), "--output", "m.json"]) == 2
    assert "given twice" in capsys.readouterr().err


def test_an_unwritable_output_is_a_usage_error_and_leaves_no_temporary_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write(tmp_path / "a.json", shard())
    folder = tmp_path / "taken"
    folder.mkdir()
    assert main(["merge", a, "--output", str(folder)]) == 2
    assert "cannot write the merged report" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "taken"]


def test_save_report_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "r.json"
    save_report({"a": 1}, target)
    save_report({"b": "é"}, target)
    assert json.loads(target.read_text(encoding="utf-8")) == {"b": "é"}
    assert [p.name for p in target.parent.iterdir()] == ["r.json"]


def test_endpoints_are_the_union_of_the_shards() -> None:
    a = shard(endpoints=("GET /jobs/{job_id}", "POST /jobs"))
    b = shard(endpoints=("GET /health", "POST /jobs"))
    assert merged(a, b)["endpoints"] == ["GET /health", "GET /jobs/{job_id}", "POST /jobs"]


@pytest.mark.parametrize("section", ["inventory", "endpoints", "read_through_classes"])
def test_a_section_a_shard_lacks_is_left_out_of_the_merge(section: str) -> None:
    older = shard()
    del older[section]  # a shard written before 1.1
    out = merged(shard(endpoints=("POST /jobs",)), older)
    # Not an empty list, which would claim the older shard's tests had none.
    assert section not in out


def test_read_through_classes_are_listed_once() -> None:
    job_view = {"name": "job_view", "keys": ["t:{tenant}:cache:job:*"], "max_ttl_seconds": 60}
    a, b = shard(), shard()
    a["read_through_classes"] = [job_view]
    b["read_through_classes"] = [job_view]
    assert merged(a, b)["read_through_classes"] == [job_view]
