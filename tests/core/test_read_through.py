"""Read-through classes (docs/reference/rules.md#read-through-classes): business keys and fields
inside one give no RB101/RB102; TTL and tenant rules still judge them."""

from __future__ import annotations

import pytest

from pytest_redis_boundary.core.events import CommandEvent
from pytest_redis_boundary.core.policy import Policy, parse_policy
from tests.core.test_rules import NOW, ev, judge

READ_THROUGH = parse_policy(
    """\
classes:
  job_cache: {keys: ["t:{tenant}:cache:job:*"], max_ttl_seconds: 60, read_through: true}
  lease: {keys: ["*:lock:*"], max_ttl_seconds: 600}
business:
  keys: ["*:job:*"]
  fields: [status]
""",
    "read-through.yaml",
)
PLAIN = parse_policy(
    """\
classes:
  job_cache: {keys: ["t:{tenant}:cache:job:*"], max_ttl_seconds: 60}
  lease: {keys: ["*:lock:*"], max_ttl_seconds: 600}
business:
  keys: ["*:job:*"]
  fields: [status]
""",
    "plain.yaml",
)

STATUS_CACHE = [
    ev("SET", "t:acme:cache:job:42", "done", "EX", 30),
    ev("GET", "t:acme:cache:job:42", reply=b"done"),
    ev("HSET", "t:acme:cache:job:43", "status", "done", reply=1),
    ev("EXPIRE", "t:acme:cache:job:43", 30, reply=1),
    ev("HGET", "t:acme:cache:job:43", "status", reply=b"done"),
    ev("HGETALL", "t:acme:cache:job:43", reply=[b"status", b"done"]),
]


def rules(events: list[CommandEvent], policy: Policy) -> list[tuple[str, str | None]]:
    found = judge(events, policy=policy, tenant="acme", now=NOW + 1_000).findings()
    return sorted((f.rule, f.key) for f in found if f.verdict == "violation")


def test_a_status_cache_under_a_read_through_class_passes_with_a_ttl() -> None:
    assert rules(STATUS_CACHE, READ_THROUGH) == []


def test_the_same_cache_under_a_plain_class_is_business_truth() -> None:
    found = rules(STATUS_CACHE, PLAIN)
    assert ("RB101", "t:acme:cache:job:42") in found
    assert ("RB102", "t:acme:cache:job:42") in found
    assert ("RB101", "t:acme:cache:job:43") in found
    assert ("RB102", "t:acme:cache:job:43") in found


def test_without_a_ttl_it_is_rb201() -> None:
    events = [ev("SET", "t:acme:cache:job:42", "done")]
    assert rules(events, READ_THROUGH) == [("RB201", "t:acme:cache:job:42")]


def test_over_the_class_limit_it_is_rb202() -> None:
    events = [ev("SET", "t:acme:cache:job:42", "done", "EX", 3600)]
    assert rules(events, READ_THROUGH) == [("RB202", "t:acme:cache:job:42")]


def test_tenant_rules_still_judge_it() -> None:
    events = [ev("SET", "t:other:cache:job:42", "done", "EX", 30)]
    assert rules(events, READ_THROUGH) == [("RB302", "t:other:cache:job:42")]


@pytest.mark.parametrize("policy", [READ_THROUGH, PLAIN], ids=["read-through", "plain"])
def test_a_business_key_outside_every_class_is_rb101_either_way(policy: Policy) -> None:
    events = [ev("SET", "t:acme:job:42", "done", "EX", 30), ev("GET", "t:acme:job:42")]
    assert rules(events, policy) == [("RB101", "t:acme:job:42"), ("RB102", "t:acme:job:42")]


def test_a_business_field_in_another_class_is_still_rb101() -> None:
    events = [
        ev("HSET", "t:acme:lock:export", "status", "held", reply=1),
        ev("EXPIRE", "t:acme:lock:export", 30, reply=1),
    ]
    assert rules(events, READ_THROUGH) == [("RB101", "t:acme:lock:export")]
