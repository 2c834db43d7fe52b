"""``redis-boundary merge`` over the reports of real shards: the example suite run whole, and run
as two ``-k`` shards whose merged report must be the whole run's."""

from __future__ import annotations

import json
import re
from typing import Any, Final

import pytest

from pytest_redis_boundary.cli import main
from tests.plugin.common import REPO, TODAY, run

# The shards split the example tests so that each exception tells something apart: EXC-2 and
# the marker match only in shard B (shard A reports EXC-2 unused), EXC-NOWHERE matches nowhere
# (one RB903 in the merge, not two), EXC-FLAGS expired and is matched in shard A alone (RB902),
# EXC-OLD expired and matched nowhere (expired, never unused), and the marker on test_flag_pin
# matches nothing (a marker's RB903, in shard A only).
SHARD_A: Final = "cache or hit or lease or pinning or lock_without or flag"

EXTRA_EXCEPTIONS: Final = """\
  - id: EXC-NOWHERE
    owner: platform-team
    exception_reason: a legacy key no test writes any more
    expiry_date: 2027-03-31
    removal_issue: PLAT-900
    rules: [RB101]
    keys: ["t:*:nothing:*"]
  - id: EXC-OLD
    owner: platform-team
    exception_reason: export locks without a timeout until the lease rewrite
    expiry_date: 2026-01-31
    removal_issue: PLAT-901
    rules: [RB201]
    keys: ["t:*:lock:nothing:*"]
  - id: EXC-FLAGS
    owner: platform-team
    exception_reason: feature flags kept without a TTL until the flag service ships
    expiry_date: 2026-06-30
    removal_issue: PLAT-902
    rules: [RB201]
    keys: ["t:*:flag:*"]
"""

FLAG_TESTS: Final = """
import pytest

def test_flag_left_without_ttl(redis_boundary_client):
    redis_boundary_client.set("t:acme:flag:1", b"1")

@pytest.mark.redis_boundary_exception(
    owner="flags-team",
    exception_reason="flags may enqueue through rq until the flag service ships",
    expiry_date="2027-03-31",
    removal_issue="FLAG-3",
    rules=["RB103"],
)
def test_flag_pin(redis_boundary_client):
    redis_boundary_client.set("t:acme:flag:2", b"1", ex=60)
"""

# rq job ids are random UUIDs, in keys and messages: the one thing two runs of the same tests
# are allowed to differ in.
_UUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _read(app: pytest.Pytester, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_UUID.sub("<id>", (app.path / name).read_text()))
    return data


@pytest.fixture
def suite(app: pytest.Pytester) -> pytest.Pytester:
    policy = (REPO / "examples" / "redis-boundary.yaml").read_text(encoding="utf-8")
    (app.path / "redis-boundary.yaml").write_text(policy + EXTRA_EXCEPTIONS)
    tests = (REPO / "examples" / "tests" / "test_app.py").read_text(encoding="utf-8")
    app.makepyfile(test_app=tests, test_flags=FLAG_TESTS)
    return app


def _run(suite: pytest.Pytester, report: str, *args: str) -> None:
    result = run(suite, "--redis-boundary=warn", f"--redis-boundary-report={report}", *args)
    assert result.ret == 0, result.stdout.str()


def _rb903_ids(report: dict[str, Any]) -> list[str]:
    return [
        f["message"].split(": ", 1)[1].split(" (", 1)[0]
        for f in report["findings"]
        if f["rule"] == "RB903"
    ]


def _statuses(report: dict[str, Any]) -> dict[str, tuple[str, int]]:
    return {e["id"]: (e["status"], e["matched"]) for e in report["exceptions"]}


MARKER_PIN: Final = "marker:test_flags.py::test_flag_pin"
MARKER_RQ: Final = "marker:test_app.py::test_legacy_report_enqueue"


def test_merged_shards_equal_one_run_over_all_their_tests(
    suite: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(suite, "whole.json")
    _run(suite, "a.json", "-k", SHARD_A)
    _run(suite, "b.json", "-k", f"not ({SHARD_A})")
    whole, shard_a, shard_b = (_read(suite, name) for name in ("whole.json", "a.json", "b.json"))

    # The split is one that only a merge which judges again gets right.
    assert shard_a["summary"]["tests"] and shard_b["summary"]["tests"]
    assert _statuses(shard_a)["EXC-2"] == ("unused", 0)
    assert sorted(_rb903_ids(shard_a)) == ["EXC-2", "EXC-NOWHERE", MARKER_PIN]
    assert _rb903_ids(shard_b) == ["EXC-NOWHERE"]
    assert MARKER_RQ not in _statuses(shard_a)

    capsys.readouterr()  # the pytest runs' own output
    status = main(["merge", str(suite.path / "a.json"), str(suite.path / "b.json"),
                   "--output", str(suite.path / "out" / "merged.json")])  # fmt: skip
    out = capsys.readouterr()
    assert (status, out.err) == (0, "")
    assert f"merged 2 report(s) into {suite.path / 'out' / 'merged.json'}" in out.out
    merged = _read(suite, "out/merged.json")

    assert merged == whole
    assert _statuses(whole) == {
        "EXC-2": ("active", 3),
        "EXC-FLAGS": ("expired", 1),
        "EXC-NOWHERE": ("unused", 0),
        "EXC-OLD": ("expired", 0),
        MARKER_PIN: ("unused", 0),
        MARKER_RQ: ("active", 4),
    }
    assert sorted(_rb903_ids(whole)) == ["EXC-NOWHERE", MARKER_PIN]
    assert [f["rule"] for f in whole["findings"]].count("RB902") == 1
    assert whole["summary"]["tests"] == shard_a["summary"]["tests"] + shard_b["summary"]["tests"]
    assert not list(suite.path.joinpath("out").glob("*.tmp"))


def test_shards_judged_on_other_days_are_not_merged(
    suite: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(suite, "a.json", "-k", SHARD_A)
    _run(suite, "b.json", "-k", f"not ({SHARD_A})", "--redis-boundary-today=2026-11-29")
    merged = suite.path / "merged.json"
    capsys.readouterr()  # the pytest runs' own output
    status = main(["merge", str(suite.path / "a.json"), str(suite.path / "b.json"),
                   "--output", str(merged)])  # fmt: skip
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith(f"redis-boundary: {suite.path / 'b.json'}: ")
    assert f"'2026-11-29' but {suite.path / 'a.json'} has '{TODAY}'" in err
    assert "REDIS_BOUNDARY_TODAY" in err
    assert len(err.strip().splitlines()) == 1
    assert not merged.exists()
