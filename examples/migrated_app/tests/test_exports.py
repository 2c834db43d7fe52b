"""The migrated export flow end to end: the API orchestrates, the management stack executes,
the product store owns the state, Redis holds only bounded operational keys.

The suite runs in strict mode (pytest.ini): a single Redis/RQ boundary finding fails its test.
"""

from __future__ import annotations

import logging
import uuid

import pytest
import redis
from fastapi.testclient import TestClient
from pytest_redis_boundary.pytest_plugin.fixtures import RedisBoundary

from jobs_service.observability import FIELDS, TraceContext
from jobs_service.services import Services
from jobs_service.transient import job_view_key, mark_submission_in_flight

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
ACME = {"X-Tenant-Id": "acme", "X-Workspace-Id": "finance", "X-Trace-Id": TRACE}


def submit(api: TestClient, key: str, headers: dict[str, str] = ACME) -> dict[str, object]:
    response = api.post(
        "/jobs", json={"report": "invoices"}, headers={**headers, "Idempotency-Key": key}
    )
    assert response.status_code in (200, 202), response.text
    body: dict[str, object] = response.json()
    return body


def test_an_export_runs_on_the_stack_and_its_state_lives_in_the_product_store(
    api: TestClient, services: Services, redis_client: redis.Redis
) -> None:
    policy = {"timeout_seconds": 120, "max_per_minute": 5}
    assert api.put("/tenants/acme/queue-policy", json=policy, headers=ACME).status_code == 204
    job_id = str(submit(api, "order-0001")["job_id"])
    assert api.get(f"/jobs/{job_id}", headers=ACME).json()["status"] == "queued"

    events = services.stack.run_pending()

    assert [event.status for event in events] == ["running", "succeeded"]
    body = api.get(f"/jobs/{job_id}", headers=ACME).json()
    assert body["status"] == "succeeded"
    assert body["result"] == {"rows": 3, "bytes": 30}
    job = services.store.get_job("acme", job_id)
    assert job is not None and job.status == "succeeded"
    # Every key Redis still holds expires on its own.
    keys = list(redis_client.scan_iter("t:acme:*"))
    assert keys and all(0 < int(redis_client.ttl(key)) <= 600 for key in keys)


def test_a_retried_submission_gets_the_same_job_and_runs_once(
    api: TestClient, services: Services
) -> None:
    first = submit(api, "order-0002")
    again = submit(api, "order-0002")
    assert again["job_id"] == first["job_id"]
    assert len(services.stack.run_pending()) == 2


def test_a_duplicate_racing_the_first_submission_is_refused(
    api: TestClient, services: Services
) -> None:
    context = TraceContext(TRACE, "acme", "finance")
    assert mark_submission_in_flight(services.redis, context, "order-0003", uuid.uuid4().hex)
    response = api.post(
        "/jobs", json={"report": "invoices"}, headers={**ACME, "Idempotency-Key": "order-0003"}
    )
    assert response.status_code == 409


def test_a_redelivered_event_changes_nothing(api: TestClient, services: Services) -> None:
    job_id = str(submit(api, "order-0004")["job_id"])
    events = services.stack.run_pending()
    for event in reversed(events):
        services.stack.deliver(event)
    assert api.get(f"/jobs/{job_id}", headers=ACME).json()["status"] == "succeeded"


@pytest.mark.redis_tenant("acme")
def test_a_tenant_never_reads_another_tenants_job(api: TestClient, services: Services) -> None:
    globex, _ = services.store.create_job(
        tenant_id="globex",
        job_id=uuid.uuid4().hex,
        workspace_id="hr",
        report="payroll",
        idempotency_key="payroll-0001",
    )
    assert api.get(f"/jobs/{globex.job_id}", headers=ACME).status_code == 404


def test_the_queue_policy_is_the_tenants_own_and_limits_its_submissions(
    api: TestClient,
) -> None:
    policy = {"timeout_seconds": 60, "max_per_minute": 1}
    assert api.put("/tenants/globex/queue-policy", json=policy, headers=ACME).status_code == 403
    assert api.put("/tenants/acme/queue-policy", json=policy, headers=ACME).status_code == 204
    submit(api, "order-0005")
    response = api.post(
        "/jobs", json={"report": "invoices"}, headers={**ACME, "Idempotency-Key": "order-0006"}
    )
    assert response.status_code == 429


def test_every_record_about_a_redis_key_carries_the_observability_fields(
    api: TestClient, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="jobs_service"):
        job_id = str(submit(api, "order-0007")["job_id"])
        services.stack.run_pending()
        api.get(f"/jobs/{job_id}", headers=ACME)
    about_keys = [record for record in caplog.records if hasattr(record, "redis_key")]
    assert {record.getMessage() for record in about_keys} == {
        "submission in flight",
        "projection lease held",
        "job view dropped",
        "job view cached",
    }
    for record in about_keys:
        fields = {name: getattr(record, name, "<missing>") for name in FIELDS}
        assert fields["trace_id"] == TRACE
        assert fields["tenant_id"] == "acme"
        assert fields["workspace_id"] == "finance"
        assert fields["job_id"] == job_id


def test_a_record_about_a_redis_key_without_them_is_caught(
    services: Services, redis_boundary: RedisBoundary
) -> None:
    # The policy's observability section is live: in strict mode RB401 fails a new code path
    # that logs about a key without the fields.
    key = job_view_key("acme", uuid.uuid4().hex)
    with redis_boundary.expect("RB401"):
        services.redis.set(key, "{}", ex=30)
        logging.getLogger("jobs_service.redis").info("job view cached", extra={"redis_key": key})
