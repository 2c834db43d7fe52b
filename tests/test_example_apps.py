"""The two example applications, each run from its own folder as its README says: the legacy
export service (examples/legacy_app, Redis/RQ as the system of record) in warn mode, and the
same service after the migration (examples/migrated_app) in strict mode, on fakeredis and, with
a real server, on redis-server; then the architecture contract and the surfaces over each."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.plugin.common import REPO, run

BIN: Final = Path(sys.executable).parent
LEGACY_RULES: Final = {
    "RB101",
    "RB102",
    "RB103",
    "RB201",
    "RB202",
    "RB203",
    "RB301",
    "RB302",
}
EXPORT_JOB: Final = ("rq-job", "legacy_jobs.tasks.run_export")
SUBMIT: Final = ("endpoint", "POST /jobs")
STATUS: Final = ("endpoint", "GET /jobs/{job_id}")
QUEUE_POLICY: Final = ("endpoint", "PUT /tenants/{tenant_id}/queue-policy")
# The migrated app's conftest flushes the database REDIS_URL names before and after each test,
# so on the shared test server it gets a database no other test uses.
MIGRATED_DB: Final = 13


def _copy(pytester: pytest.Pytester, app: str) -> None:
    shutil.copytree(
        REPO / "examples" / app,
        pytester.path,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", ".import_linter_cache"),
    )


def _suite(pytester: pytest.Pytester, *, passed: int) -> dict[str, Any]:
    result = run(pytester, "--redis-boundary-report=report.json")
    result.assert_outcomes(passed=passed)
    assert result.ret == 0, result.stdout.str()
    report: dict[str, Any] = json.loads((pytester.path / "report.json").read_text())
    return report


def _cli(pytester: pytest.Pytester, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "redis-boundary"), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=pytester.path,
    )


def _contexts(report: dict[str, Any], rule: str) -> set[tuple[str, str] | None]:
    return {
        None if f["context"] is None else (f["context"]["kind"], f["context"]["name"])
        for f in report["findings"]
        if f["rule"] == rule
    }


def _assert_surfaces_claim_everything(pytester: pytest.Pytester) -> None:
    done = _cli(
        pytester,
        "surfaces",
        "--report",
        "report.json",
        "--config",
        ".importlinter",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    surfaces = json.loads(done.stdout)
    assert surfaces["unclaimed"] == {"modules": [], "endpoints": [], "keys": []}


def test_the_legacy_app_shows_every_redis_rule_and_passes_in_warn_mode(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    _copy(pytester, "legacy_app")

    report = _suite(pytester, passed=4)

    assert {f["rule"] for f in report["findings"]} == LEGACY_RULES
    assert {f["verdict"] for f in report["findings"]} == {"violation"}
    # The RQ job decides the final state in Redis; the API writes it too.
    assert _contexts(report, "RB101") == {EXPORT_JOB, SUBMIT, QUEUE_POLICY}
    # The status endpoint reads authoritative job state from Redis, the submit its queue policy.
    assert _contexts(report, "RB102") == {STATUS, SUBMIT}
    # Acme reads globex's job: the endpoint took the tenant from the owner key in Redis.
    assert any(
        f["key"].startswith("t:globex:job:")
        for f in report["findings"]
        if f["rule"] == "RB302" and f["context"] == {"kind": "endpoint", "name": STATUS[1]}
    )
    _assert_surfaces_claim_everything(pytester)


def test_the_legacy_app_breaks_the_rq_retirement_contract(pytester: pytest.Pytester) -> None:
    _copy(pytester, "legacy_app")

    done = _cli(pytester, "check", "--config", ".importlinter", "--no-cache", "--format", "json")

    assert done.returncode == 1, done.stdout + done.stderr
    (contract,) = json.loads(done.stdout)["contracts"]
    assert contract["type"] == "rq_retirement" and not contract["kept"]
    assert [(f["rule"], f["chain"]) for f in contract["findings"]] == [
        ("RB501", ["legacy_jobs.api.jobs", "legacy_jobs.worker", "rq"])
    ]


def _migrated_is_clean(pytester: pytest.Pytester) -> None:
    report = _suite(pytester, passed=8)
    assert report["findings"] == []
    assert report["summary"]["violations"] == 0
    # Every key shape it touched is in one of its three classes, none left without a TTL.
    assert {(e["class"], e["persistent"]) for e in report["inventory"]} == {
        ("job_view", False),
        ("lease", False),
        ("dedup", False),
    }
    _assert_surfaces_claim_everything(pytester)


def test_the_migrated_app_passes_in_strict_mode_with_no_findings(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    _copy(pytester, "migrated_app")
    _migrated_is_clean(pytester)


def test_the_migrated_app_passes_on_a_real_server(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, redis_server_url: str
) -> None:
    parts = urlsplit(redis_server_url)
    if parts.scheme == "unix":
        url = urlunsplit(parts._replace(query=f"db={MIGRATED_DB}"))
    else:
        url = urlunsplit(parts._replace(path=f"/{MIGRATED_DB}"))
    monkeypatch.setenv("REDIS_URL", url)
    _copy(pytester, "migrated_app")
    _migrated_is_clean(pytester)


def test_the_migrated_app_keeps_the_rq_retirement_contract(pytester: pytest.Pytester) -> None:
    _copy(pytester, "migrated_app")

    done = _cli(pytester, "check", "--config", ".importlinter", "--no-cache", "--format", "json")

    assert done.returncode == 0, done.stdout + done.stderr
    (contract,) = json.loads(done.stdout)["contracts"]
    assert contract["type"] == "rq_retirement" and contract["kept"]
    assert contract["findings"] == []
