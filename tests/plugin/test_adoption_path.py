"""The adoption path, walked end to end on a small legacy application: a warn run, its inventory,
the starter policy, a second run with it, the baseline frozen from that run, a strict run that
passes, a new business write that fails, the old code removed, RB903, and a freeze that shrinks
the baseline (docs/reference/inventory.md, docs/reference/baseline.md)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from pytest_redis_boundary.cli import main
from pytest_redis_boundary.core.findings import key_shape
from pytest_redis_boundary.core.policy import load_policy
from tests.plugin.common import run

# The legacy application: order status kept in Redis (business truth, no TTL), a quote cache
# under a shape the default policy does not classify, a visitor marker left without a TTL, and
# reports enqueued through RQ.
LEGACY_APP = {
    "legacy/__init__.py": "",
    "legacy/orders.py": """
        def place(r, tenant, order_id):
            r.hset(f"t:{tenant}:job:{order_id}", "status", "placed")


        def status(r, tenant, order_id):
            return r.hget(f"t:{tenant}:job:{order_id}", "status")
        """,
    "legacy/quotes.py": """
        def cache_quote(r, tenant, quote_id):
            r.set(f"t:{tenant}:quote:{quote_id}", b"q", ex=120)


        def cached_quote(r, tenant, quote_id):
            return r.get(f"t:{tenant}:quote:{quote_id}")


        def remember_visitor(r, tenant, visitor):
            r.set(f"t:{tenant}:seen:{visitor}", 1)
        """,
    "legacy/reports.py": """
        from rq import Queue


        def send(r, report_id):
            return Queue("reports", connection=r).enqueue("builtins.print", report_id).id
        """,
}

LEGACY_TESTS = """
    from legacy import orders, quotes, reports


    def test_order(redis_boundary_client):
        orders.place(redis_boundary_client, "acme", 1)
        assert orders.status(redis_boundary_client, "acme", 1) == b"placed"


    def test_quotes(redis_boundary_client):
        for quote in range(3):
            quotes.cache_quote(redis_boundary_client, "acme", quote)
        assert quotes.cached_quote(redis_boundary_client, "acme", 0) == b"q"


    def test_visitor(redis_boundary_client):
        quotes.remember_visitor(redis_boundary_client, "acme", "v-17")


    def test_report(redis_boundary_client):
        assert reports.send(redis_boundary_client, 5)
    """

GOVERNANCE = (
    "--owner",
    "platform-team",
    "--exception-reason",
    "legacy Redis usage frozen on adoption; burns down under PLAT-900",
    "--expiry-date",
    "2027-06-30",
    "--removal-issue",
    "PLAT-900",
)


@contextmanager
def cwd(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def cli(path: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """``redis-boundary ARGV`` in ``path``: its exit status and stdout (stderr must be empty)."""
    capsys.readouterr()
    with cwd(path):
        status = main(list(argv))
    out, err = capsys.readouterr()
    assert err == "", err
    return status, out


def findings(path: Path) -> list[dict[str, Any]]:
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = report["findings"]
    return found


def rules_by_shape(found: list[dict[str, Any]], *rules: str) -> set[tuple[str, str, str]]:
    """(rule, key shape, site) of the findings of ``rules``: what a later run must keep (an RQ
    job id differs between runs, its key shape does not)."""
    return {
        (f["rule"], key_shape(f["key"], f["tenant_id"]) or "", f["site"] or "")
        for f in found
        if f["rule"] in rules
    }


@pytest.fixture
def legacy(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(**{name: body for name, body in LEGACY_APP.items()})
    pytester.makepyfile(test_legacy=LEGACY_TESTS)
    pytester.makeini("[pytest]\npythonpath = .\nredis_boundary = warn\n")
    return pytester


def test_the_adoption_path(legacy: pytest.Pytester, capsys: pytest.CaptureFixture[str]) -> None:
    root = legacy.path
    # 1. A warn run on the legacy suite: every finding reported, no test fails.
    first = run(legacy, "--redis-boundary-report=first.json")
    first.assert_outcomes(passed=4)
    first_findings = findings(root / "first.json")
    rules = {f["rule"] for f in first_findings}
    assert {"RB101", "RB102", "RB103", "RB201", "RB203"} <= rules

    # 2. The inventory: what the application keeps in Redis, business shapes first.
    status, text = cli(root, capsys, "inventory", "first.json")
    assert status == 1  # shapes that need a decision
    assert text.index("t:{tenant}:job:*") < text.index("t:{tenant}:quote:*")

    # 3. The starter policy, valid as it stands, written where pytest finds it.
    status, starter = cli(root, capsys, "inventory", "first.json", "--format", "policy")
    assert status == 1
    (root / "redis-boundary.yaml").write_text(starter, encoding="utf-8")
    load_policy(root / "redis-boundary.yaml")

    # 4. The second run: no RB203 on the shape that carried a TTL; the business, read and rq
    # findings are exactly those of the first run.
    second = run(legacy, "--redis-boundary-report=second.json")
    second.assert_outcomes(passed=4)
    second_findings = findings(root / "second.json")
    unclassified = {f["key"] for f in second_findings if f["rule"] == "RB203"}
    assert not any(key.startswith("t:acme:quote:") for key in unclassified)
    kept = ("RB101", "RB102", "RB103")
    assert rules_by_shape(second_findings, *kept) == rules_by_shape(first_findings, *kept)

    # 5. Freeze what the second run found, and let the policy use the baseline.
    status, frozen = cli(root, capsys, "freeze", "--report", "second.json", *GOVERNANCE)
    assert status == 0
    baseline = json.loads((root / ".redis-boundary-baseline.json").read_text(encoding="utf-8"))
    assert baseline["schema"] == "redis-boundary-baseline/2"
    frozen_count = len(baseline["findings"])
    assert frozen_count > 0
    assert frozen.count("  + ") == frozen_count  # each frozen identity, printed once
    with (root / "redis-boundary.yaml").open("a", encoding="utf-8") as policy:
        policy.write("baseline: .redis-boundary-baseline.json\n")

    # 6. Strict passes: every old violation is excepted by the baseline.
    strict = run(legacy, "--redis-boundary=strict", "--redis-boundary-report=strict.json")
    strict.assert_outcomes(passed=4)
    strict_findings = findings(root / "strict.json")
    assert [f for f in strict_findings if f["verdict"] == "violation"] == []
    assert {f["exception"] for f in strict_findings if f["verdict"] == "excepted"} == {"baseline"}

    # 7. A new business write fails, the old ones still pass.
    orders = root / "legacy" / "orders.py"
    orders.write_text(
        orders.read_text(encoding="utf-8")
        + '\n\ndef cancel(r, tenant, order_id):\n    r.hset(f"t:{tenant}:job:{order_id}",'
        ' "result", "cancelled")\n',
        encoding="utf-8",
    )
    legacy.makepyfile(
        test_cancel="""
        from legacy import orders

        def test_cancel(redis_boundary_client):
            orders.cancel(redis_boundary_client, "acme", 1)
        """
    )
    new_write = run(legacy, "--redis-boundary=strict")
    new_write.assert_outcomes(passed=4, failed=1)
    new_write.stdout.fnmatch_lines(["*RB101 business-write: HSET t:acme:job:1*cancel()*"])

    # 8. The old code goes: the cancel path and the order status mirror are removed.
    (root / "test_cancel.py").unlink()
    orders.write_text("", encoding="utf-8")
    tests = root / "test_legacy.py"
    body = tests.read_text(encoding="utf-8")
    start, end = body.index("def test_order"), body.index("def test_quotes")
    tests.write_text(body[:start] + body[end:], encoding="utf-8")
    burned = run(legacy, "--redis-boundary=strict", "--redis-boundary-report=burned.json")
    burned.assert_outcomes(passed=3)
    unused = [f for f in findings(root / "burned.json") if f["rule"] == "RB903"]
    assert len(unused) == 1
    assert unused[0]["exception"] == "baseline"
    assert unused[0]["test"] is None

    # 9. Freezing again drops what no longer occurs: the file only shrinks.
    status, shrunk = cli(root, capsys, "freeze", "--report", "burned.json", *GOVERNANCE)
    assert status == 0
    after = json.loads((root / ".redis-boundary-baseline.json").read_text(encoding="utf-8"))
    assert 0 < len(after["findings"]) < frozen_count
    assert shrunk.count("  - ") == frozen_count - len(after["findings"])
    assert "  + " not in shrunk
    final = run(legacy, "--redis-boundary=strict", "--redis-boundary-report=final.json")
    final.assert_outcomes(passed=3)
    assert [f for f in findings(root / "final.json") if f["rule"] == "RB903"] == []
