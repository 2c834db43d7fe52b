"""``redis-boundary inventory`` over the reports of real runs of the example application, and a
rerun under the starter policy it writes."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pytest_redis_boundary.cli import main
from pytest_redis_boundary.core.patterns import KeyPattern
from pytest_redis_boundary.core.policy import load_policy
from tests.plugin.common import CACHE_PROFILE_SITE, run

SUITE = """
    from examples.app import cache, jobs
    from examples.app.workers import legacy

    def test_profile(redis_boundary_client):
        cache.cache_profile(redis_boundary_client, "acme", 7, b"v")
        assert cache.cached_profile(redis_boundary_client, "acme", 7) == b"v"

    def test_job(redis_boundary_client):
        jobs.mark_done(redis_boundary_client, "acme", 42)
        jobs.job_status(redis_boundary_client, "acme", 42)

    def test_enqueue(redis_boundary_client):
        legacy.send_report(redis_boundary_client, 5)

    def test_session(redis_boundary_client):
        redis_boundary_client.set("t:acme:session:1733140000", b"v", ex=90)
        redis_boundary_client.set("t:beta:session:77", b"v", ex=30)

    def test_notes(redis_boundary_client):
        redis_boundary_client.set("t:acme:notes:1", b"v")
"""
SESSION_KEYS = ("t:acme:session:1733140000", "t:beta:session:77")


def report_of(app: pytest.Pytester, *args: str) -> dict[str, Any]:
    result = run(app, "--redis-boundary=warn", "--redis-boundary-report=report.json", *args)
    assert result.ret == 0, result.stdout.str()
    report: dict[str, Any] = json.loads((app.path / "report.json").read_text())
    return report


def inventory(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(["inventory", str(path), *args])
    out, err = capsys.readouterr()
    return status, out, err


def by_rule(report: dict[str, Any]) -> Counter[str]:
    return Counter(finding["rule"] for finding in report["findings"])


def rb203_shapes(report: dict[str, Any]) -> set[str]:
    return {
        finding["key"].split(":")[2] for finding in report["findings"] if finding["rule"] == "RB203"
    }


def test_each_format_renders_the_runs_inventory(
    app: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    app.makepyfile(test_suite=SUITE)
    report = report_of(app)
    path = app.path / "report.json"

    status, out, err = inventory(capsys, path, "--format", "json")
    assert (status, err) == (1, "")  # business, rq and persistent shapes need a decision
    assert json.loads(out) == report["inventory"]

    status, text, err = inventory(capsys, path)
    assert (status, err) == (1, "")
    lines = text.splitlines()
    assert lines[0].startswith(f"redis-boundary inventory: {len(report['inventory'])} key shapes")
    header = lines[2]
    assert header.split() == [
        "needs", "shape", "class", "writes", "reads", "tenant", "max", "TTL", "persistent",
        "tests", "commands", "sites",
    ]  # fmt: skip
    rows = {line.split()[1]: line for line in lines[3:]}
    needs = {shape: line.split()[0] for shape, line in rows.items()}
    assert needs["t:{tenant}:job:*"] == "business"
    assert needs["t:{tenant}:notes:*"] == "persistent"
    assert needs["t:{tenant}:session:*"] == "unclassified"
    assert needs["t:{tenant}:cache:profile:*"] == "-"
    assert {needs[shape] for shape in rows if shape.startswith("rq:")} == {"rq"}
    # decision order: business, rq, persistent, unclassified, then the rest
    order = [line.split()[0] for line in lines[3:]]
    ranks = ["business", "rq", "persistent", "unclassified", "untenanted", "-"]
    assert order == sorted(order, key=ranks.index)
    # aligned: every row's shape starts under the header's
    column = header.index("shape")
    assert all(line[column - 2 : column] == "  " and line[column] != " " for line in lines[3:])
    assert CACHE_PROFILE_SITE in rows["t:{tenant}:cache:profile:*"]

    status, markdown, err = inventory(capsys, path, "--format", "markdown")
    assert (status, err) == (1, "")
    assert "| needs | shape | class | writes |" in markdown
    assert "| **business** | `t:{tenant}:job:*` | `business` | 1 | 1 | yes | none | yes | 1 |" in (
        markdown
    )
    assert "| - | `t:{tenant}:cache:profile:*` | `cache` | 1 | 1 | yes | 300 | no | 1 |" in (
        markdown
    )


def test_the_starter_policy_loads_and_classifies_the_unclassified_shapes(
    app: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    app.makepyfile(test_suite=SUITE)
    before = report_of(app)
    status, text, err = inventory(capsys, app.path / "report.json", "--format", "policy")
    assert (status, err) == (1, "")
    starter = app.path / "starter.yaml"
    starter.write_text(text)

    policy = load_policy(starter)
    session = policy.class_named("session")
    assert session is not None
    assert session.max_ttl_seconds == 120  # 90 s observed, rounded up to the next whole minute
    assert [str(p) for p in session.keys] == ["t:{tenant}:session:*"]
    assert all(KeyPattern("t:{tenant}:session:*").match(key) for key in SESSION_KEYS)
    assert all(policy.classify(key) is session for key in SESSION_KEYS)
    # the default's classes, business and rq rules are kept
    assert [c.name for c in policy.classes[:3]] == ["cache", "lease", "dedup"]
    assert policy.is_business_key("t:acme:job:42") and policy.is_rq_key("rq:queue:reports")
    # no TTL was seen on the notes: its class is left commented out, with no bound made up
    assert policy.class_named("notes") is None
    assert "  # TODO: no TTL was observed" in text and "  # notes:" in text

    after = report_of(app, f"--redis-boundary-policy={starter}")
    assert rb203_shapes(before) == {"session", "notes"}
    assert rb203_shapes(after) == {"notes"}
    for rule in ("RB101", "RB102", "RB103", "RB201"):
        assert by_rule(after)[rule] == by_rule(before)[rule] > 0, rule
    assert by_rule(after)["RB202"] == 0  # the proposed bounds hold what was observed
    assert {e["shape"]: e["class"] for e in after["inventory"]}["t:{tenant}:session:*"] == (
        "session"
    )
