"""The legacy export flow end to end: through the API, the RQ worker and back.

The suite runs in warn mode (pytest.ini): every test passes, and pytest-redis-boundary reports
what the flow does with Redis that the retirement contract forbids.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

ACME = {"X-Tenant-Id": "acme"}
GLOBEX = {"X-Tenant-Id": "globex"}


def submit(api: TestClient, headers: dict[str, str], report: str = "invoices") -> str:
    response = api.post("/jobs", json={"report": report}, headers=headers)
    assert response.status_code == 202, response.text
    job_id: str = response.json()["job_id"]
    return job_id


def test_an_export_runs_on_the_worker_and_reports_its_result(
    api: TestClient, run_worker: Callable[[], None]
) -> None:
    policy = {"timeout_seconds": 120, "max_per_minute": 5}
    assert api.put("/tenants/acme/queue-policy", json=policy).status_code == 204
    job_id = submit(api, ACME)
    assert api.get(f"/jobs/{job_id}", headers=ACME).json()["status"] == "queued"

    run_worker()

    body = api.get(f"/jobs/{job_id}", headers=ACME).json()
    assert body["status"] == "done"
    assert body["result"] == {"rows": 3, "bytes": 30}


def test_submissions_over_the_queue_policy_are_refused(api: TestClient) -> None:
    policy = {"timeout_seconds": 60, "max_per_minute": 1}
    assert api.put("/tenants/acme/queue-policy", json=policy).status_code == 204
    submit(api, ACME)
    response = api.post("/jobs", json={"report": "invoices"}, headers=ACME)
    assert response.status_code == 429


def test_an_unknown_job_is_not_found(api: TestClient) -> None:
    assert api.get("/jobs/0123abcd", headers=ACME).status_code == 404


@pytest.mark.redis_tenant("acme")
def test_a_tenant_reads_another_tenants_job_through_the_owner_key(
    api: TestClient, run_worker: Callable[[], None]
) -> None:
    # The endpoint trusts the owner key in Redis, not the caller: acme sees globex's export.
    job_id = submit(api, GLOBEX, report="payroll")
    run_worker()
    assert api.get(f"/jobs/{job_id}", headers=ACME).json()["status"] == "done"
