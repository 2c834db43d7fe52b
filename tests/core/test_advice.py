"""What to do first: the key shapes with the most violations per rule, and the change for each."""

from __future__ import annotations

import re

from pytest_redis_boundary.core.advice import TOP_SHAPES, advise, class_name, key_pattern
from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.policy import parse_policy
from tests.report_samples import finding


def _many(rule: str, key: str, n: int, **fields: object) -> list[Finding]:
    return [
        finding(rule=rule, key=key.format(i), field=None, tenant_id=None, test=f"t::{i}", **fields)
        for i in range(n)
    ]


FIRST_RUN = [
    *_many("RB301", "walrus:model:{}", 50),
    *_many("RB301", "cache:user:{}", 30),
    *_many("RB301", "queue:hits:{}", 20),
    *_many("RB301", "misc:once:{}", 5),
    *_many("RB203", "walrus:model:{}", 50),
    *_many("RB203", "cache:user:{}", 3, key_ttl_seconds=299.5),
    *_many("RB201", "walrus:model:{}", 10),
    finding(rule="RB203", verdict="excepted", key="other:1", exception="EXC-1"),
    finding(rule="RB903", verdict="warning", key=None, test=None),
]


def test_rules_by_violations_each_with_its_top_three_shapes() -> None:
    advice = advise(FIRST_RUN)
    assert [(a.rule, a.violations) for a in advice] == [
        ("RB301", 105),
        ("RB203", 53),
        ("RB201", 10),
    ]
    assert [(s.shape, s.violations) for s in advice[0].shapes] == [
        ("walrus:model:*", 50),
        ("cache:user:*", 30),
        ("queue:hits:*", 20),
    ]
    assert len(advice[0].shapes) == TOP_SHAPES


def test_rb301_advice_is_a_tenant_pattern_or_the_tenant_in_the_key() -> None:
    change = advise(FIRST_RUN)[0].shapes[0].change
    assert "tenant.key_patterns" in change and "t:{tenant}:walrus:model:*" in change


def test_rb203_advice_is_a_class_that_the_policy_accepts_and_that_classifies_the_keys() -> None:
    shapes = {s.shape: s.change for s in advise(FIRST_RUN)[1].shapes}
    assert shapes["cache:user:*"] == (
        'add a class: classes.cache_user: {keys: ["cache:user:*"], max_ttl_seconds: 300}'
    )
    assert "max_ttl_seconds: N} (N: the longest TTL" in shapes["walrus:model:*"]
    assert "also left without a TTL (RB201)" in shapes["walrus:model:*"]
    match = re.match(r"add a class: classes\.(\w+): (\{.*\})$", shapes["cache:user:*"])
    assert match is not None
    policy = parse_policy(f"classes:\n  {match.group(1)}: {match.group(2)}\n", "advice.yaml")
    key_class = policy.classify("cache:user:42")
    assert key_class is not None and key_class.name == "cache_user"


def test_no_violations_no_advice() -> None:
    assert advise([f for f in FIRST_RUN if f.verdict != "violation"]) == []


def test_class_names_and_patterns_from_shapes() -> None:
    assert class_name("t:{tenant}:cache:profile:*") == "cache_profile"
    assert class_name("1:*") == "keys_1"
    assert class_name("user-sessions.v2:*") == "user_sessions_v2"
    assert key_pattern("t:{tenant}:a[1]?:*") == "t:{tenant}:a\\[1\\]\\?:*"
    policy = parse_policy(
        'classes:\n  odd: {keys: ["' + key_pattern("a[1]:{x}:*").replace("\\", "\\\\") + '"]}\n',
        "p.yaml",
    )
    assert policy.classify("a[1]:{x}:7") is not None
