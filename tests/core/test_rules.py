"""Rules RB101 to RB302 (docs/reference/rules.md): one test per rule and choice.

Every test feeds ``CommandEvent``s as a recorder would (raw RESP replies, ``Exception`` instances
for error replies, ``NO_REPLY`` inside scripts) at a fixed epoch time, ends the call phase with
``finish`` and compares the exact findings.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterable
from typing import Any

import pytest

from pytest_redis_boundary.core.events import NO_REPLY, CallSite, CommandEvent
from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.keyspace import TtlClass
from pytest_redis_boundary.core.policy import Policy, default_policy, parse_policy
from pytest_redis_boundary.core.rules import Judge

NOW = 1_790_000_000_000.0  # a fixed wall-clock epoch in milliseconds
TEST = "tests/test_jobs.py::test_done"
SITE = CallSite("app/jobs.py", 17, "mark_done")
OTHER_SITE = CallSite("app/cache.py", 30, "refresh")
CANARY = "s3cr3t-canary"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


def ev(
    *args: object,
    reply: object = b"OK",
    site: CallSite | None = SITE,
    origin: str = "client",
    connection: int = 0,
    time_ms: float = NOW,
) -> CommandEvent:
    return CommandEvent(
        args,
        reply,
        server="127.0.0.1:6379",
        db=0,
        connection=connection,
        site=site,
        origin=origin,  # type: ignore[arg-type]
        time_ms=time_ms,
    )


def judge(
    events: Iterable[CommandEvent | tuple[CommandEvent, str]],
    *,
    policy: Policy | None = None,
    tenant: str | None = None,
    now: float = NOW,
    probe: Any = None,
) -> Judge:
    """Feed events (an event, or ``(event, phase)``), then end the call phase at ``now``."""
    j = Judge(policy or default_policy(), test=TEST, declared_tenant=tenant)
    for item in events:
        event, phase = item if isinstance(item, tuple) else (item, "call")
        j.feed(event, phase)
    j.finish(now, probe)
    return j


def brief(findings: list[Finding]) -> list[tuple[Any, ...]]:
    """(rule, verdict, command, key, field, site, count): enough to tell findings apart."""
    return [(f.rule, f.verdict, f.command, f.key, f.field, f.site, f.count) for f in findings]


def expected(
    rule: str,
    command: str,
    key: str | None,
    message: str,
    *,
    field: str | None = None,
    site: CallSite | None = SITE,
    tenant_id: str | None = "acme",
    verdict: str = "violation",
    phase: str = "call",
    key_ttl_seconds: float | None = None,
    count: int = 1,
) -> Finding:
    return Finding(
        rule=rule,
        verdict=verdict,  # type: ignore[arg-type]
        message=message,
        test=TEST,
        phase=phase,
        command=command,
        key=key,
        field=field,
        site=str(site) if site is not None else None,
        function=site.function if site is not None else None,
        tenant_id=tenant_id,
        key_ttl_seconds=key_ttl_seconds,
        exception=None,
        count=count,
    )


# --- RB101 business-write --------------------------------------------------------------------


def test_rb101_business_key_with_business_field() -> None:
    j = judge([ev("HSET", "t:acme:job:42", "status", "done", reply=1)])
    assert j.findings() == [
        expected(
            "RB101",
            "HSET",
            "t:acme:job:42",
            "RB101 business-write: HSET t:acme:job:42 field 'status' at app/jobs.py:17 "
            "in mark_done()",
            field="status",
        ),
        # README: RB101 and RB201 both fire on a business key written without TTL.
        expected(
            "RB201",
            "HSET",
            "t:acme:job:42",
            "RB201 missing-ttl: HSET t:acme:job:42 at app/jobs.py:17 in mark_done() "
            "(left without a TTL at the end of the test)",
        ),
    ]


def test_rb101_business_key_without_business_fields() -> None:
    j = judge([ev("HSET", "t:acme:job:42", "attempts", "3", reply=1)])
    assert j.findings() == [
        expected(
            "RB101",
            "HSET",
            "t:acme:job:42",
            "RB101 business-write: HSET t:acme:job:42 at app/jobs.py:17 in mark_done()",
        ),
        expected(
            "RB201",
            "HSET",
            "t:acme:job:42",
            "RB201 missing-ttl: HSET t:acme:job:42 at app/jobs.py:17 in mark_done() "
            "(left without a TTL at the end of the test)",
        ),
    ]


def test_rb101_expire_of_business_key_is_a_write_too() -> None:
    j = judge(
        [
            ev("HSET", "t:acme:job:42", "attempts", "3", reply=1, site=SITE),
            ev("EXPIRE", "t:acme:job:42", "60", reply=1, site=OTHER_SITE),
        ]
    )
    assert brief(j.findings()) == [
        ("RB101", "violation", "EXPIRE", "t:acme:job:42", None, "app/cache.py:30", 1),
        ("RB101", "violation", "HSET", "t:acme:job:42", None, "app/jobs.py:17", 1),
    ]


def test_rb101_business_key_is_classified_so_no_rb203() -> None:
    j = judge([ev("SET", "job:7", "x", reply=b"OK")], policy=_no_tenant_policy())
    assert [f.rule for f in j.findings()] == ["RB101", "RB201"]


def test_rb101_business_hash_field_into_non_business_key() -> None:
    j = judge(
        [
            ev("HSET", "t:acme:cache:x", "status", "done", "hits", "1", reply=2),
            ev("EXPIRE", "t:acme:cache:x", "60", reply=1),
        ]
    )
    assert j.findings() == [
        expected(
            "RB101",
            "HSET",
            "t:acme:cache:x",
            "RB101 business-write: HSET t:acme:cache:x field 'status' at app/jobs.py:17 "
            "in mark_done()",
            field="status",
        )
    ]


def test_rb101_business_field_in_json_string_value() -> None:
    j = judge([ev("SET", "t:acme:cache:x", '{"status": 1}', "EX", "60", reply=b"OK")])
    assert j.findings() == [
        expected(
            "RB101",
            "SET",
            "t:acme:cache:x",
            "RB101 business-write: SET t:acme:cache:x field 'status' at app/jobs.py:17 "
            "in mark_done()",
            field="status",
        )
    ]


def test_non_business_fields_in_a_cache_key_are_clean() -> None:
    j = judge([ev("SET", "t:acme:cache:x", '{"hits": 1}', "EX", "60", reply=b"OK")])
    assert j.findings() == []


# --- RB102 business-read ---------------------------------------------------------------------


def test_rb102_read_of_business_key() -> None:
    j = judge([ev("GET", "t:acme:job:42", reply=None)])
    assert j.findings() == [
        expected(
            "RB102",
            "GET",
            "t:acme:job:42",
            "RB102 business-read: GET t:acme:job:42 at app/jobs.py:17 in mark_done()",
        )
    ]


def test_rb102_business_field_reads_hget_hmget() -> None:
    j = judge(
        [
            ev("HGET", "t:acme:job:42", "attempts", reply=None, site=SITE),
            ev("HMGET", "t:acme:cache:x", "status", "hits", reply=[None, b"3"], site=OTHER_SITE),
        ]
    )
    assert brief(j.findings()) == [
        ("RB102", "violation", "HMGET", "t:acme:cache:x", "status", "app/cache.py:30", 1),
        ("RB102", "violation", "HGET", "t:acme:job:42", None, "app/jobs.py:17", 1),
    ]


def test_rb102_hget_of_business_field_on_business_key_names_field() -> None:
    j = judge([ev("HGET", "t:acme:job:42", "status", reply=b"done")])
    assert brief(j.findings()) == [
        ("RB102", "violation", "HGET", "t:acme:job:42", "status", "app/jobs.py:17", 1)
    ]


def test_hmget_of_non_business_fields_on_cache_key_is_clean() -> None:
    j = judge([ev("HMGET", "t:acme:cache:x", "hits", "misses", reply=[b"1", None])])
    assert j.findings() == []


@pytest.mark.parametrize(
    ("write", "read"),
    [
        (
            ("SET", "t:acme:cache:x", '{"status": 1}', "EX", "60"),
            ("GET", "t:acme:cache:x"),
        ),
        (
            ("HSET", "t:acme:cache:x", "status", "1"),
            ("HGETALL", "t:acme:cache:x"),
        ),
    ],
    ids=["GET-json", "HGETALL-hash"],
)
def test_rb102_whole_value_read_of_key_written_with_business_field(
    write: tuple[str, ...], read: tuple[str, ...]
) -> None:
    j = judge(
        [
            ev(*write, reply=b"OK" if write[0] == "SET" else 1, site=OTHER_SITE),
            ev("EXPIRE", "t:acme:cache:x", "60", reply=1, site=OTHER_SITE),
            ev(*read, reply=b'{"status": 1}' if read[0] == "GET" else [b"status", b"1"]),
        ]
    )
    assert brief(j.findings()) == [
        ("RB101", "violation", write[0], "t:acme:cache:x", "status", "app/cache.py:30", 1),
        ("RB102", "violation", read[0], "t:acme:cache:x", "status", "app/jobs.py:17", 1),
    ]


def test_whole_value_read_of_key_without_business_fields_is_clean() -> None:
    j = judge(
        [
            ev("SET", "t:acme:cache:x", '{"hits": 1}', "EX", "60"),
            ev("GET", "t:acme:cache:x", reply=b'{"hits": 1}'),
        ]
    )
    assert j.findings() == []


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        ("EXISTS", 1),
        ("TTL", -1),
        ("PTTL", -1),
        ("TYPE", b"hash"),
    ],
)
def test_no_rb102_for_key_metadata_commands(command: str, reply: object) -> None:
    j = judge([ev(command, "t:acme:job:42", reply=reply)])
    assert j.findings() == []


# --- RB103 rq-runtime ------------------------------------------------------------------------


def test_rb103_rq_keys_get_rb103_only() -> None:
    j = judge(
        [
            ev("HSET", "rq:job:abc", "status", "queued", reply=1),
            ev("LPUSH", "rq:queue:default", "abc", reply=1, site=OTHER_SITE),
        ]
    )
    # No RB101 (business field), RB201 (no TTL), RB203 (unclassified) or RB301 (no tenant).
    assert j.findings() == [
        expected(
            "RB103",
            "LPUSH",
            "rq:queue:default",
            "RB103 rq-runtime: LPUSH rq:queue:default at app/cache.py:30 in refresh()",
            site=OTHER_SITE,
            tenant_id=None,
        ),
        expected(
            "RB103",
            "HSET",
            "rq:job:abc",
            "RB103 rq-runtime: HSET rq:job:abc at app/jobs.py:17 in mark_done()",
            tenant_id=None,
        ),
    ]


def test_rb103_on_read_of_rq_key() -> None:
    j = judge([ev("ZRANGE", "rq:wip:default", "0", "-1", reply=[])])
    assert brief(j.findings()) == [
        ("RB103", "violation", "ZRANGE", "rq:wip:default", None, "app/jobs.py:17", 1)
    ]


# --- RB201 missing-ttl -----------------------------------------------------------------------


def test_rb201_set_without_ttl() -> None:
    j = judge([ev("SET", "t:acme:cache:x", "v")])
    assert j.findings() == [
        expected(
            "RB201",
            "SET",
            "t:acme:cache:x",
            "RB201 missing-ttl: SET t:acme:cache:x at app/jobs.py:17 in mark_done() "
            "(left without a TTL at the end of the test)",
        )
    ]


def test_set_with_ex_is_clean() -> None:
    assert judge([ev("SET", "t:acme:cache:x", "v", "EX", "60")]).findings() == []


def test_rb201_persist_after_setex_blames_persist() -> None:
    j = judge(
        [
            ev("SETEX", "t:acme:cache:x", "60", "v", site=SITE),
            ev("PERSIST", "t:acme:cache:x", reply=1, site=OTHER_SITE),
        ]
    )
    assert j.findings() == [
        expected(
            "RB201",
            "PERSIST",
            "t:acme:cache:x",
            "RB201 missing-ttl: PERSIST t:acme:cache:x at app/cache.py:30 in refresh() "
            "(left without a TTL at the end of the test)",
            site=OTHER_SITE,
        )
    ]


@pytest.mark.parametrize(
    "drop",
    [
        ("SET", "t:acme:cache:x", "v"),
        ("GETSET", "t:acme:cache:x", "v"),
    ],
    ids=["plain-SET-over-TTL", "GETSET"],
)
def test_rb201_ttl_dropped_by_overwrite(drop: tuple[str, ...]) -> None:
    j = judge(
        [
            ev("SET", "t:acme:cache:x", "v", "EX", "60", site=SITE),
            ev(*drop, reply=b"OK" if drop[0] == "SET" else b"v", site=OTHER_SITE),
        ]
    )
    assert brief(j.findings()) == [
        ("RB201", "violation", drop[0], "t:acme:cache:x", None, "app/cache.py:30", 1)
    ]


def test_rb201_rename_of_persistent_key() -> None:
    j = judge(
        [
            ev("SET", "t:acme:cache:src", "v"),
            ev("SET", "t:acme:cache:dst", "v", "EX", "60"),
            ev("RENAME", "t:acme:cache:src", "t:acme:cache:dst", site=OTHER_SITE),
        ]
    )
    assert brief(j.findings()) == [
        ("RB201", "violation", "RENAME", "t:acme:cache:dst", None, "app/cache.py:30", 1)
    ]


def test_set_then_expire_in_multi_exec_is_clean() -> None:
    j = judge(
        [
            ev("MULTI"),
            ev("SET", "t:acme:cache:x", "v", reply=b"QUEUED"),
            ev("EXPIRE", "t:acme:cache:x", "60", reply=b"QUEUED"),
            ev("EXEC", reply=[b"OK", 1]),
        ]
    )
    assert j.findings() == []
    assert j.calls == 4


def test_rb201_when_expire_fails_inside_exec() -> None:
    j = judge(
        [
            ev("MULTI"),
            ev("SET", "t:acme:cache:x", "v", reply=b"QUEUED"),
            ev("EXPIRE", "t:acme:cache:x", "60", reply=b"QUEUED"),
            ev("EXEC", reply=[b"OK", Exception("ERR invalid expire time in 'expire' command")]),
        ]
    )
    assert [(f.rule, f.verdict, f.key) for f in j.findings()] == [
        ("RB201", "violation", "t:acme:cache:x")
    ]


def test_key_written_then_deleted_is_clean() -> None:
    j = judge([ev("SET", "t:acme:cache:x", "v"), ev("DEL", "t:acme:cache:x", reply=1)])
    assert j.findings() == []


def test_key_whose_ttl_ran_out_by_the_end_is_clean() -> None:
    j = judge([ev("SET", "t:acme:cache:x", "v", "PX", "5")], now=NOW + 10)
    assert j.findings() == []


def test_watch_aborted_exec_writes_nothing() -> None:
    j = judge(
        [
            ev("WATCH", "t:acme:cache:x"),
            ev("MULTI"),
            ev("SET", "t:acme:cache:x", "v", reply=b"QUEUED"),
            ev("EXEC", reply=None),  # a watched key changed: the transaction did not run
        ]
    )
    assert j.findings() == []


def test_server_error_reply_writes_nothing() -> None:
    j = judge(
        [
            ev("SET", "t:acme:cache:x", "v", reply=Exception(WRONGTYPE)),
            ev("HSET", "t:acme:job:42", "status", "done", reply=Exception(WRONGTYPE)),
        ]
    )
    assert j.findings() == []
    assert j.calls == 2


def test_rb201_warning_for_unknown_command() -> None:
    j = judge([ev("FOO.BAR", "k", reply=b"OK")])
    assert j.findings() == [
        expected(
            "RB201",
            "FOO.BAR",
            None,
            "RB201 missing-ttl: FOO.BAR at app/jobs.py:17 in mark_done() "
            "(its TTL effect is unknown to the model)",
            verdict="warning",
            tenant_id=None,
        )
    ]


def test_rb201_for_a_key_written_in_setup() -> None:
    j = judge([(ev("SET", "t:acme:cache:x", "v"), "setup")])
    assert [(f.rule, f.phase, f.key) for f in j.findings()] == [
        ("RB201", "setup", "t:acme:cache:x")
    ]


def test_teardown_writes_are_not_judged_by_ttl_rules() -> None:
    j = judge(
        [
            (ev("SET", "t:acme:cache:x", "v"), "teardown"),
            (ev("SET", "t:acme:cache:big", "v", "EX", "999999"), "teardown"),
        ]
    )
    assert j.findings() == []


def test_teardown_writes_after_finish_are_not_judged_by_ttl_rules() -> None:
    j = Judge(default_policy(), test=TEST)
    j.feed(ev("SET", "t:acme:cache:x", "v", "EX", "60"), "call")
    j.finish(NOW)
    j.feed(ev("PERSIST", "t:acme:cache:x", reply=1), "teardown")
    j.feed(ev("SET", "t:acme:cache:y", "v"), "teardown")
    j.finish(NOW)
    assert j.findings() == []


# --- RB202 ttl-over-limit --------------------------------------------------------------------


def test_rb202_cache_key_ttl_over_class_limit() -> None:
    j = judge([ev("SET", "t:acme:cache:x", "v", "EX", "100000")])
    assert j.findings() == [
        expected(
            "RB202",
            "SET",
            "t:acme:cache:x",
            "RB202 ttl-over-limit: SET t:acme:cache:x at app/jobs.py:17 in mark_done() "
            "(TTL 100000s > cache.max_ttl_seconds 86400)",
            key_ttl_seconds=100000.0,
        )
    ]


def test_rb202_at_the_limit_is_clean() -> None:
    assert judge([ev("SET", "t:acme:cache:x", "v", "EX", "86400")]).findings() == []


def test_rb202_lease_limit() -> None:
    j = judge([ev("SET", "t:acme:lock:a", "v", "NX", "EX", "601")])
    (finding,) = j.findings()
    assert (finding.rule, finding.key_ttl_seconds) == ("RB202", 601.0)
    assert finding.message.endswith("(TTL 601s > lease.max_ttl_seconds 600)")


# --- RB203 unclassified-key ------------------------------------------------------------------


def test_rb203_unclassified_key() -> None:
    j = judge([ev("SET", "t:acme:misc:1", "v", "EX", "60")])
    assert j.findings() == [
        expected(
            "RB203",
            "SET",
            "t:acme:misc:1",
            "RB203 unclassified-key: SET t:acme:misc:1 at app/jobs.py:17 in mark_done() "
            "(matches no key class)",
        )
    ]


def test_no_rb203_for_reads_of_unclassified_key() -> None:
    assert judge([ev("GET", "t:acme:misc:1", reply=None)]).findings() == []


# A command that only removes keys makes no key written for RB201-RB203 (cleanup code).
REMOVALS = [
    ("DEL", "t:acme:misc:0", reply := 1),
    ("DEL", "t:acme:misc:0", "t:acme:misc:1", reply),
    ("UNLINK", b"t:acme:misc:0", reply),
    ("GETDEL", "t:acme:misc:0", b"v"),
    ("EXPIRE", "t:acme:misc:0", 0, reply),
    ("EXPIRE", "t:acme:misc:0", -5, "NX", reply),
    ("PEXPIRE", "t:acme:misc:0", b"-1", reply),
    ("EXPIREAT", "t:acme:misc:0", int(NOW // 1000) - 100, reply),
    ("PEXPIREAT", "t:acme:misc:0", int(NOW), reply),
    ("EXPIRE", "t:acme:misc:0", -5, 0),  # no such key: nothing removed either
]


@pytest.mark.parametrize("command", REMOVALS, ids=lambda c: " ".join(map(str, c[:-1])))
@pytest.mark.parametrize("connection_state", ["plain", "multi"])
def test_removing_a_key_is_not_writing_it(
    command: tuple[object, ...], connection_state: str
) -> None:
    *args, reply = command
    if connection_state == "plain":
        events = [ev(*args, reply=reply)]
    else:
        events = [ev("MULTI"), ev(*args, reply=b"QUEUED"), ev("EXEC", reply=[reply])]
    j = judge(events)
    assert j.findings() == []
    assert j.last_writes() == []


@pytest.mark.parametrize("cleanup", REMOVALS[:5], ids=lambda c: str(c[0]))
def test_a_key_written_then_removed_has_only_the_writes_findings(
    cleanup: tuple[object, ...],
) -> None:
    *args, reply = cleanup
    j = judge([ev("SET", "t:acme:misc:0", "v"), ev(*args, reply=reply, site=OTHER_SITE)])
    assert brief(j.findings()) == [
        ("RB203", "violation", "SET", "t:acme:misc:0", None, "app/jobs.py:17", 1)
    ]


def test_an_expiry_in_the_future_still_writes_the_key() -> None:
    j = judge(
        [
            ev("EXPIRE", "t:acme:misc:0", 60, reply=1),
            ev("EXPIREAT", "t:acme:misc:1", int(NOW // 1000) + 60, reply=1, site=OTHER_SITE),
        ]
    )
    assert sorted((f.rule, f.command) for f in j.findings()) == [
        ("RB203", "EXPIRE"),
        ("RB203", "EXPIREAT"),
    ]


def test_an_absolute_expiry_with_the_clock_unknown_still_writes_the_key() -> None:
    j = Judge(default_policy(), test=TEST)
    j.feed(CommandEvent(("EXPIREAT", "t:acme:misc:0", 1), 1, site=SITE, time_ms=None))
    assert [f.rule for f in j.findings()] == ["RB203"]


@pytest.mark.parametrize("name", ["DEL", "UNLINK", "GETDEL"])
def test_removing_a_business_key_is_still_rb101(name: str) -> None:
    j = judge([ev(name, "t:acme:job:1", reply=1)])
    assert [(f.rule, f.command, f.key) for f in j.findings()] == [("RB101", name, "t:acme:job:1")]


def test_flushing_makes_no_finding() -> None:
    assert judge([ev("FLUSHDB"), ev("FLUSHALL", "ASYNC")]).findings() == []


# --- RB301 tenant-unscoped / RB302 cross-tenant ----------------------------------------------


def _no_tenant_policy() -> Policy:
    return parse_policy(
        'tenant: {key_patterns: ["t:{tenant}:*"], required: false}\n', "redis-boundary.yaml"
    )


def test_rb301_key_without_tenant_under_default_policy() -> None:
    j = judge([ev("SET", "lock:a", "v", "NX", "EX", "30")])
    assert j.findings() == [
        expected(
            "RB301",
            "SET",
            "lock:a",
            "RB301 tenant-unscoped: SET lock:a at app/jobs.py:17 in mark_done()",
            tenant_id=None,
        )
    ]


def test_no_rb301_when_policy_does_not_require_tenant() -> None:
    j = judge([ev("SET", "lock:a", "v", "NX", "EX", "30")], policy=_no_tenant_policy())
    assert j.findings() == []


def test_rb302_key_of_another_tenant() -> None:
    j = judge([ev("SET", "t:other:cache:x", "v", "EX", "60")], tenant="acme")
    assert j.findings() == [
        expected(
            "RB302",
            "SET",
            "t:other:cache:x",
            "RB302 cross-tenant: SET t:other:cache:x at app/jobs.py:17 in mark_done() "
            "(key of tenant 'other', test declared 'acme')",
            tenant_id="other",
        )
    ]


def test_no_rb302_for_the_declared_tenant_or_without_declaration() -> None:
    assert judge([ev("SET", "t:acme:cache:x", "v", "EX", "60")], tenant="acme").findings() == []
    assert judge([ev("SET", "t:other:cache:x", "v", "EX", "60")]).findings() == []


# --- Lua scripts -----------------------------------------------------------------------------


def test_script_commands_with_no_reply_are_judged_like_client_commands() -> None:
    j = judge(
        [
            ev("EVAL", "redis.call('SET', KEYS[1], ARGV[1])", "1", "t:acme:cache:x", "v", reply=1),
            ev("SET", "t:acme:cache:x", "v", reply=NO_REPLY, origin="script"),
            ev("HSET", "t:acme:job:1", "status", "v", reply=NO_REPLY, origin="script"),
            ev("HGET", "t:acme:job:2", "status", reply=NO_REPLY, origin="script"),
        ]
    )
    assert brief(j.findings()) == [
        ("RB101", "violation", "HSET", "t:acme:job:1", "status", "app/jobs.py:17", 1),
        ("RB102", "violation", "HGET", "t:acme:job:2", "status", "app/jobs.py:17", 1),
        ("RB201", "violation", "SET", "t:acme:cache:x", None, "app/jobs.py:17", 1),
        ("RB201", "violation", "HSET", "t:acme:job:1", None, "app/jobs.py:17", 1),
    ]
    assert j.calls == 4


def test_eval_declared_keys_get_only_rq_and_tenant_rules() -> None:
    # t:acme:job:1 is a business key and t:acme:misc:1 unclassified; neither is written by the
    # EVAL itself (no script commands follow), so no RB101/RB102/RB201/RB203.
    j = judge(
        [
            ev(
                "EVAL",
                "return 1",
                "4",
                "t:acme:job:1",
                "t:acme:misc:1",
                "lock:b",
                "rq:queue:x",
                reply=1,
            )
        ],
        tenant="other",
    )
    assert brief(j.findings()) == [
        ("RB103", "violation", "EVAL", "rq:queue:x", None, "app/jobs.py:17", 1),
        ("RB301", "violation", "EVAL", "lock:b", None, "app/jobs.py:17", 1),
        ("RB302", "violation", "EVAL", "t:acme:job:1", None, "app/jobs.py:17", 1),
        ("RB302", "violation", "EVAL", "t:acme:misc:1", None, "app/jobs.py:17", 1),
    ]


# --- calls, merging, finish ------------------------------------------------------------------


def test_housekeeping_is_not_counted() -> None:
    j = judge(
        [
            ev("HELLO", "3", reply={b"server": b"redis", b"proto": 3}),
            ev("CLIENT SETINFO", "LIB-NAME", "redis-py"),
            ev("CLIENT SETINFO", "LIB-VER", "5.2.1"),
            ev("PING", reply=b"PONG"),
            ev("GET", "t:acme:cache:x", reply=None),
        ]
    )
    assert j.calls == 1
    assert j.findings() == []


def test_repeats_at_one_site_merge_with_count_and_fields_stay_apart() -> None:
    j = judge(
        [
            ev("HSET", "t:acme:job:1", "status", "done", reply=1),
            ev("HSET", "t:acme:job:2", "status", "done", reply=1),
            ev("HSET", "t:acme:job:2", "status", "done", reply=0),
            ev("HSET", "t:acme:job:3", "result", "ok", reply=1),
        ]
    )
    assert brief(j.findings()) == [
        ("RB101", "violation", "HSET", "t:acme:job:1", "status", "app/jobs.py:17", 3),
        ("RB101", "violation", "HSET", "t:acme:job:3", "result", "app/jobs.py:17", 1),
        ("RB201", "violation", "HSET", "t:acme:job:1", None, "app/jobs.py:17", 3),
    ]
    assert j.findings()[0].line().endswith("in mark_done() (x3)")


def test_repeats_at_different_sites_stay_apart() -> None:
    j = judge(
        [
            ev("SET", "t:acme:misc:1", "v", "EX", "60", site=SITE),
            ev("SET", "t:acme:misc:2", "v", "EX", "60", site=OTHER_SITE),
        ]
    )
    assert brief(j.findings()) == [
        ("RB203", "violation", "SET", "t:acme:misc:2", None, "app/cache.py:30", 1),
        ("RB203", "violation", "SET", "t:acme:misc:1", None, "app/jobs.py:17", 1),
    ]


def test_finish_is_idempotent() -> None:
    j = judge([ev("SET", "t:acme:cache:x", "v"), ev("SET", "t:acme:cache:y", "v", "EX", "60")])
    first = j.findings()
    j.finish(NOW)
    j.finish(NOW + 10_000_000_000)
    assert j.findings() == first
    assert [f.count for f in first] == [1] * len(first)


def _unknown_existence() -> list[CommandEvent]:
    """After SMOVE into an existing set and an SREM whose reply was not seen, the model cannot
    tell whether the destination set still exists."""
    return [
        ev("SADD", "t:acme:cache:src", "a", reply=1),
        ev("EXPIRE", "t:acme:cache:src", "60", reply=1),
        ev("SADD", "t:acme:cache:dst", "b", reply=1),
        ev("SMOVE", "t:acme:cache:src", "t:acme:cache:dst", "a", reply=1),
        ev("SREM", "t:acme:cache:dst", "a", "b", reply=NO_REPLY, origin="script"),
    ]


def test_unknown_key_state_without_probe_is_a_warning() -> None:
    j = judge(_unknown_existence())
    assert brief(j.findings()) == [
        ("RB201", "warning", "SREM", "t:acme:cache:dst", None, "app/jobs.py:17", 1)
    ]


@pytest.mark.parametrize(
    ("answer", "want"),
    [
        (("persistent", None), [("RB201", "violation")]),
        (("absent", None), []),
        (("ttl", 30.0), []),
    ],
)
def test_probe_decides_rb201_for_unknown_key_state(
    answer: tuple[TtlClass, float | None], want: list[tuple[str, str]]
) -> None:
    asked: list[tuple[str, int, str]] = []

    def probe(server: str, db: int, key: str) -> tuple[TtlClass, float | None]:
        asked.append((server, db, key))
        return answer

    j = judge(_unknown_existence(), probe=probe)
    assert asked == [("127.0.0.1:6379", 0, "t:acme:cache:dst")]  # only the unknown key
    assert [(f.rule, f.verdict) for f in j.findings()] == want
    assert all(f.key == "t:acme:cache:dst" for f in j.findings())


# --- values are never kept -------------------------------------------------------------------


def test_no_value_appears_in_any_finding() -> None:
    value = CANARY
    json_value = json.dumps({"status": CANARY, "owner": CANARY})
    j = judge(
        [
            ev("SET", "t:acme:cache:a", value),
            ev("SET", "t:acme:cache:j", json_value, "EX", "100000"),
            ev("GET", "t:acme:cache:j", reply=json_value.encode()),
            ev("HSET", "t:acme:job:1", "status", value, "owner", value, reply=2),
            ev("HGETALL", "t:acme:job:1", reply=[b"status", value.encode()]),
            ev("SADD", "t:acme:misc:s", value, reply=1),
            ev("LPUSH", "rq:queue:default", value, reply=1),
            ev("SET", "lock:a", value, "NX"),
            ev("SET", "t:other:cache:z", value, "EX", "60"),
            ev("FOO.BAR", "k", value, reply=value.encode()),
            ev("EVAL", "return 1", "1", "t:acme:cache:a", value, reply=value.encode()),
            ev("SET", "t:acme:cache:a", value, reply=NO_REPLY, origin="script"),
            ev("SET", "t:acme:cache:a", value, reply=Exception(f"ERR {WRONGTYPE}")),
        ],
        tenant="acme",
    )
    findings = j.findings()
    assert {f.rule for f in findings} >= {
        "RB101",
        "RB102",
        "RB103",
        "RB201",
        "RB202",
        "RB203",
        "RB301",
        "RB302",
    }
    for finding in findings:
        assert CANARY not in repr(finding)
        assert CANARY not in json.dumps(finding.to_json())
        assert CANARY not in finding.line()
        assert CANARY.encode() not in pickle.dumps(finding)
    assert CANARY.encode() not in pickle.dumps(j)
