"""The policy model, its built-in default (docs/reference/policy.md) and the loader's errors."""

from __future__ import annotations

import datetime
import pickle
from pathlib import Path
from textwrap import dedent

import pytest

from pytest_redis_boundary.core.cache_limits import POLICY_MEMO_LIMIT
from pytest_redis_boundary.core.governance import GovernedException
from pytest_redis_boundary.core.patterns import KeyPattern, PatternSet
from pytest_redis_boundary.core.policy import (
    BUILTIN_SOURCE,
    Policy,
    PolicyError,
    PolicyErrors,
    default_policy,
    load_policy,
    parse_policy,
)

GOOD_EXCEPTION = """\
  - id: EXC-7
    owner: platform-team
    exception_reason: legacy status mirror
    expiry_date: 2027-01-31
    removal_issue: PLAT-812
    rules: [RB101, RB201]
    keys: ["t:*:job:*"]
"""


def write(tmp_path: Path, text: str, name: str = "redis-boundary.yaml") -> Path:
    path = tmp_path / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


def errors_of(path: Path) -> tuple[PolicyError, ...]:
    with pytest.raises(PolicyErrors) as info:
        load_policy(path)
    return info.value.errors


# --- the built-in default ------------------------------------------------------------------------


def test_default_policy_values() -> None:
    policy = default_policy()
    assert policy.source == BUILTIN_SOURCE
    assert policy.version == 1
    assert policy.tenant.key_patterns == (
        KeyPattern("t:{tenant}:*"),
        KeyPattern("tenant:{tenant}:*"),
    )
    assert policy.tenant.required is True
    assert [(c.name, [p.text for p in c.keys], c.max_ttl_seconds) for c in policy.classes] == [
        ("cache", ["*:cache:*", "cache:*"], 86400),
        ("lease", ["*:lock:*", "*:lease:*", "lock:*", "lease:*"], 600),
        ("dedup", ["*:dedup:*", "dedup:*", "*:inflight:*"], 3600),
    ]
    assert [p.text for p in policy.business.keys] == [
        "*:job:*",
        "job:*",
        "*:jobs:*",
        "*:result:*",
        "*:owner:*",
        "*:queue-policy:*",
    ]
    assert policy.business.fields == frozenset(
        {
            "status",
            "job_status",
            "result",
            "result_metadata",
            "tenant_owner",
            "owner",
            "queue_policy",
        }
    )
    assert policy.rq.prefixes == ("rq:",)
    assert policy.observability.loggers == ()
    assert policy.observability.required_fields == ("trace_id", "tenant_id", "key_ttl_seconds")
    assert policy.exceptions == ()


def test_default_policy_is_cached() -> None:
    assert default_policy() is default_policy()


@pytest.mark.parametrize(
    ("key", "class_name"),
    [
        ("t:acme:cache:x", "cache"),
        ("cache:x", "cache"),
        ("lock:a", "lease"),
        ("t:acme:lease:1", "lease"),
        ("t:acme:dedup:1", "dedup"),
        ("t:acme:inflight:1", "dedup"),
        ("t:acme:job:1", None),
        ("plain", None),
        ("t:acme:cache:lock:1", "cache"),  # first class in file order wins
        ("t:acme:lock:cache:1", "cache"),
    ],
)
def test_classify(key: str, class_name: str | None) -> None:
    found = default_policy().classify(key)
    assert (found.name if found else None) == class_name
    assert default_policy().classify(key) is found  # memoized answer is the same


def test_default_lookups() -> None:
    policy = default_policy()
    assert policy.is_business_key("t:acme:job:1")
    assert policy.is_business_key("job:1")
    assert policy.is_business_key("t:acme:queue-policy:x")
    assert not policy.is_business_key("t:acme:cache:x")
    assert policy.tenant_of("t:acme:cache:x") == "acme"
    assert policy.tenant_of("tenant:globex:lock:x") == "globex"
    assert policy.tenant_of("cache:x") is None
    assert policy.tenant_of("t::cache") is None
    assert policy.is_rq_key("rq:job:1")
    assert policy.is_rq_key("rq:queue:default")
    assert not policy.is_rq_key("t:acme:rq:1")
    assert policy.is_business_field("status")
    assert policy.is_business_field("result_metadata")
    assert not policy.is_business_field("hits")
    assert policy.class_named("lease") is policy.classes[1]
    assert policy.class_named("nope") is None


def test_memo_is_bounded() -> None:
    policy = parse_policy("version: 1\n", "p.yaml")
    for i in range(POLICY_MEMO_LIMIT + 10):
        policy.classify(f"t:acme:cache:{i}")
    assert len(policy._lookups.class_memo) <= POLICY_MEMO_LIMIT
    assert policy.classify("t:acme:cache:0") is policy.classes[0]


# --- loading -------------------------------------------------------------------------------------


def test_empty_file_is_the_default(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, ""))
    assert policy == default_policy()
    assert policy.source == str(tmp_path / "redis-boundary.yaml")
    assert load_policy(write(tmp_path, "# only a comment\n", "c.yaml")) == default_policy()
    assert load_policy(write(tmp_path, "version: 1\n", "v.yaml")) == default_policy()


def test_sections_replace_whole(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        version: 1
        classes:
          cache: {keys: ["c:*"], max_ttl_seconds: 60}
          session: {keys: ["s:*"]}
        business:
          keys: ["*:order:*"]
        """,
    )
    policy = load_policy(path)
    default = default_policy()
    # classes replaced whole: lease and dedup are gone, cache is the file's
    assert [c.name for c in policy.classes] == ["cache", "session"]
    assert policy.classify("c:1") is policy.classes[0]
    assert policy.classes[0].max_ttl_seconds == 60
    assert policy.classes[1].max_ttl_seconds is None  # omitted: no limit
    assert policy.classify("lock:a") is None
    assert policy.classify("t:acme:cache:x") is None
    # business replaced whole: an omitted sub-key is empty, not the default's
    assert policy.is_business_key("t:acme:order:1")
    assert not policy.is_business_key("t:acme:job:1")
    assert policy.business.fields == frozenset()
    # omitted sections keep the default's
    assert policy.tenant == default.tenant
    assert policy.rq == default.rq
    assert policy.observability == default.observability
    assert policy.exceptions == ()
    assert policy.source == str(path)


def test_tenant_and_rq_and_observability_sections(tmp_path: Path) -> None:
    policy = load_policy(
        write(
            tmp_path,
            """\
            tenant:
              key_patterns: ["org/{tenant}/*"]
              required: false
            rq:
              prefixes: ["rq:", "legacy-rq:"]
            observability:
              loggers: [app.cache]
              required_fields: [trace_id]
            exceptions:
            """,
        )
    )
    assert policy.tenant_of("org/acme/x") == "acme"
    assert policy.tenant_of("t:acme:x") is None
    assert policy.tenant.required is False
    assert policy.is_rq_key("legacy-rq:job:1")
    assert policy.observability.loggers == ("app.cache",)
    assert policy.observability.required_fields == ("trace_id",)
    assert policy.exceptions == ()


def test_read_through_classes(tmp_path: Path) -> None:
    assert not any(c.read_through for c in default_policy().classes)
    policy = load_policy(
        write(
            tmp_path,
            """\
            classes:
              job_cache: {keys: ["t:{tenant}:cache:job:*"], max_ttl_seconds: 60, read_through: true}
              cache: {keys: ["*:cache:*"], read_through: false}
              lease: {keys: ["*:lock:*"]}
            """,
        )
    )
    assert [(c.name, c.read_through) for c in policy.classes] == [
        ("job_cache", True),
        ("cache", False),
        ("lease", False),
    ]


def test_callsite_section(tmp_path: Path) -> None:
    assert default_policy().callsite.skip_modules == ()
    policy = load_policy(
        write(tmp_path, "callsite:\n  skip_modules: [walrus, app.redis_wrapper]\n")
    )
    assert policy.callsite.skip_modules == ("walrus", "app.redis_wrapper")
    assert policy.classes == default_policy().classes  # the other sections stay the default's
    omitted = load_policy(write(tmp_path, "classes:\n  cache: {keys: ['c:*']}\n", "o.yaml"))
    assert omitted.callsite == default_policy().callsite


def test_exceptions_are_parsed(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\nexceptions:\n" + GOOD_EXCEPTION)
    (exc,) = load_policy(path).exceptions
    assert isinstance(exc, GovernedException)
    assert exc.id == "EXC-7"
    assert exc.expiry_date == datetime.date(2027, 1, 31)
    assert exc.rules == ("RB101", "RB201")
    assert exc.keys == (KeyPattern("t:*:job:*"),)
    assert exc.location == f"{path}:3"


def test_policy_is_frozen_and_pickles() -> None:
    policy = default_policy()
    with pytest.raises(AttributeError):
        policy.version = 2  # type: ignore[misc]
    back = pickle.loads(pickle.dumps(policy))
    assert back == policy
    assert back.classify("lock:a") == policy.classes[1]


# (file text, line, field, problem fragment, fix fragment)
MALFORMED = [
    pytest.param(
        "version: 1\nqueues: []\n",
        2,
        "queues",
        "unknown key 'queues'",
        "use one of: version, tenant, classes, business, rq, observability, callsite, exceptions",
        id="unknown-top-level-key",
    ),
    pytest.param(
        "version: 1\nclasess: {}\n",
        2,
        "clasess",
        "unknown key 'clasess'",
        "did you mean 'classes'?",
        id="misspelt-section",
    ),
    pytest.param(
        "version: 2\n",
        1,
        "version",
        "unsupported version 2; this plugin reads version 1",
        "write 'version: 1'",
        id="wrong-version",
    ),
    pytest.param(
        "version: '1'\n",
        1,
        "version",
        "expected the number 1, got '1'",
        "version: 1",
        id="version-as-string",
    ),
    pytest.param(
        "version: 1\nclasses:\n  cache: {keys: ['c:*'], max_ttl_seconds: one day}\n",
        3,
        "classes.cache.max_ttl_seconds",
        "expected a whole number of seconds, got 'one day'",
        "86400",
        id="ttl-not-a-number",
    ),
    pytest.param(
        "classes:\n  cache:\n    keys: ['c:*']\n    max_ttl_seconds: -5\n",
        4,
        "classes.cache.max_ttl_seconds",
        "expected a positive number of seconds, got -5",
        "greater than 0",
        id="negative-ttl",
    ),
    pytest.param(
        "classes:\n  cache:\n    keys: ['c:*']\n    max_ttl_seconds: 0\n",
        4,
        "classes.cache.max_ttl_seconds",
        "expected a positive number of seconds, got 0",
        "greater than 0",
        id="zero-ttl",
    ),
    pytest.param(
        "classes:\n  cache:\n    keys: ['c:*']\n    max_ttl_seconds: 1.5\n",
        4,
        "classes.cache.max_ttl_seconds",
        "expected a whole number of seconds, got 1.5 (a decimal number)",
        "whole number",
        id="fractional-ttl",
    ),
    pytest.param(
        "classes:\n  cache:\n    keys: ['c:*']\n    max_ttl_seconds: true\n",
        4,
        "classes.cache.max_ttl_seconds",
        "expected a whole number of seconds, got 'true' (a boolean)",
        "whole number",
        id="boolean-ttl",
    ),
    pytest.param(
        "classes:\n  cache:\n    keys:\n      - 'c:*'\n      - '[abc'\n",
        5,
        "classes.cache.keys[1]",
        "bad key pattern '[abc': unclosed '[' at column 1",
        "close the set with ']'",
        id="bad-glob",
    ),
    pytest.param(
        "business:\n  keys: ['x:{tenantt}:*']\n",
        2,
        "business.keys[0]",
        "bad key pattern 'x:{tenantt}:*': unknown placeholder '{tenantt}'",
        "the only placeholder is '{tenant}'",
        id="unknown-placeholder",
    ),
    pytest.param(
        "tenant:\n  key_patterns: ['t:*', 't:{tenant}:*']\n",
        2,
        "tenant.key_patterns[0]",
        "the pattern 't:*' has no {tenant}",
        "'t:{tenant}:*'",
        id="tenant-pattern-without-tenant",
    ),
    pytest.param(
        "tenant:\n  key_patterns: ['t:{tenant}:*']\n  required: 'yes'\n",
        3,
        "tenant.required",
        "expected true or false, got 'yes'",
        "required: true",
        id="required-not-bool",
    ),
    pytest.param(
        "tenant:\n  required: true\n",
        2,
        "tenant.key_patterns",
        "every key would be tenant-unscoped (RB301)",
        "required: false",
        id="required-without-patterns",
    ),
    pytest.param(
        "classes:\n  - cache\n",
        2,
        "classes",
        "expected a mapping of class name to its settings, got a list",
        "write a mapping",
        id="classes-not-a-mapping",
    ),
    pytest.param(
        "classes:\n  cache: ['c:*']\n",
        2,
        "classes.cache",
        "expected a mapping with keys and max_ttl_seconds, got a list",
        "write a mapping",
        id="class-not-a-mapping",
    ),
    pytest.param(
        "classes:\n  cache:\n    keys: ['c:*']\n    ttl: 60\n",
        4,
        "classes.cache.ttl",
        "unknown key 'ttl'",
        "use one of: keys, max_ttl_seconds",
        id="unknown-key-in-class",
    ),
    pytest.param(
        "classes:\n  cache:\n    max_ttl_seconds: 60\n",
        3,
        "classes.cache.keys",
        "the class has no keys",
        "keys: ['*:cache:*']",
        id="class-without-keys",
    ),
    pytest.param(
        "classes:\n  cache-keys: {keys: ['c:*']}\n",
        2,
        "classes.cache-keys",
        "class name 'cache-keys' is not an identifier",
        "letters, digits and underscores",
        id="class-name-not-identifier",
    ),
    pytest.param(
        "business:\n  keys: ['*:job:*']\n  fields: status\n",
        3,
        "business.fields",
        "expected a list, got 'status'",
        "fields: [status]",
        id="fields-not-a-list",
    ),
    pytest.param(
        "business:\n  fields: [status, 7]\n",
        2,
        "business.fields[1]",
        "expected a non-empty string, got 7 (an integer)",
        "write a string",
        id="field-not-a-string",
    ),
    pytest.param(
        "rq:\n  prefixes: ['']\n",
        2,
        "rq.prefixes[0]",
        "expected a non-empty string, got an empty string",
        "'rq:'",
        id="empty-rq-prefix",
    ),
    pytest.param(
        "observability:\n  loggers: [app]\n  fields: [trace_id]\n",
        3,
        "observability.fields",
        "unknown key 'fields'",
        "use one of: loggers, required_fields",
        id="unknown-key-in-section",
    ),
    pytest.param(
        "version: 1\nclasses: {cache: {keys: ['c:*']}\nrq: {}\n",
        3,
        "",
        "invalid YAML at column 1: while parsing a flow mapping",
        "correct the YAML syntax",
        id="yaml-syntax-error",
    ),
    pytest.param(
        "- version: 1\n",
        1,
        "",
        "the top level must be a mapping of sections, got a list",
        "start the file with 'version: 1'",
        id="top-level-list",
    ),
    pytest.param(
        "just a string\n",
        1,
        "",
        "the top level must be a mapping of sections, got 'just a string'",
        "version: 1",
        id="top-level-scalar",
    ),
    pytest.param(
        "version: 1\nversion: 1\n",
        2,
        "version",
        "'version' is given more than once",
        "keep one of them",
        id="duplicate-key",
    ),
    pytest.param(
        "exceptions: {id: EXC-1}\n",
        1,
        "exceptions",
        "expected a list, got a mapping",
        "exceptions: [",
        id="exceptions-not-a-list",
    ),
    pytest.param(
        "exceptions:\n" + GOOD_EXCEPTION.replace("    owner: platform-team\n", ""),
        2,
        "exceptions[0].owner",
        "RB901 invalid exception 'EXC-7': the required field 'owner' is missing",
        "owner: platform-team",
        id="exception-missing-owner",
    ),
    pytest.param(
        "exceptions:\n" + GOOD_EXCEPTION.replace("2027-01-31", "2027-02-30"),
        5,
        "exceptions[0].expiry_date",
        "RB901 invalid exception 'EXC-7': '2027-02-30' is not a real date",
        "YYYY-MM-DD",
        id="exception-impossible-date",
    ),
    pytest.param(
        "exceptions:\n" + GOOD_EXCEPTION.replace("2027-01-31", "Jan 31 2027"),
        5,
        "exceptions[0].expiry_date",
        "expected a date as YYYY-MM-DD, got 'Jan 31 2027'",
        "expiry_date: 2027-01-31",
        id="exception-date-format",
    ),
    pytest.param(
        "exceptions:\n" + GOOD_EXCEPTION.replace("rules: [RB101, RB201]", "rules: [RB101, RB901]"),
        7,
        "exceptions[0].rules[1]",
        "no exception can cover RB9xx",
        "remove RB901",
        id="exception-covers-rb9xx",
    ),
    pytest.param(
        "exceptions:\n" + GOOD_EXCEPTION.replace('    keys: ["t:*:job:*"]\n', ""),
        2,
        "exceptions[0].scope",
        "RB901 invalid exception 'EXC-7': the exception has an empty scope",
        "keys: [glob]",
        id="exception-empty-scope",
    ),
    pytest.param(
        "exceptions:\n" + GOOD_EXCEPTION + "    approver: someone\n",
        9,
        "exceptions[0].approver",
        "unknown field 'approver' in an exception entry",
        "use one of: id, owner, exception_reason",
        id="exception-unknown-field",
    ),
    pytest.param(
        "exceptions:\n" + GOOD_EXCEPTION + GOOD_EXCEPTION,
        9,
        "exceptions[1].id",
        "the id is already used by exceptions[0]",
        "unique id",
        id="exception-duplicate-id",
    ),
    pytest.param(
        "exceptions:\n  - EXC-7\n",
        2,
        "exceptions[0]",
        "expected a mapping (one exception entry), got 'EXC-7'",
        "write a mapping",
        id="exception-not-a-mapping",
    ),
    pytest.param(
        "classes:\n  job_cache:\n    keys: ['*:cache:job:*']\n    read_through: yes please\n",
        4,
        "classes.job_cache.read_through",
        "expected true or false, got 'yes please'",
        "write read_through: true",
        id="read-through-not-a-bool",
    ),
    pytest.param(
        "business:\n  keys: ['*:job:*']\n  read_through: true\n",
        3,
        "business.read_through",
        "unknown key 'read_through'",
        "use one of: keys, fields",
        id="read-through-outside-a-class",
    ),
    pytest.param(
        "callsite:\n  skip_modules: [walrus, 'my wrapper']\n",
        2,
        "callsite.skip_modules[1]",
        "'my wrapper' is not a module name",
        "write a module name as Python imports it",
        id="callsite-not-a-module-name",
    ),
    pytest.param(
        "callsite:\n  skip_module: [walrus]\n",
        2,
        "callsite.skip_module",
        "unknown key 'skip_module'",
        "did you mean 'skip_modules'?",
        id="callsite-unknown-key",
    ),
    pytest.param(
        "callsite:\n  skip_modules: walrus\n",
        2,
        "callsite.skip_modules",
        "expected a list",
        "skip_modules: [walrus]",
        id="callsite-not-a-list",
    ),
]


@pytest.mark.parametrize(("text", "line", "field", "problem", "fix"), MALFORMED)
def test_malformed_policy(
    tmp_path: Path, text: str, line: int, field: str, problem: str, fix: str
) -> None:
    path = write(tmp_path, text)
    errors = errors_of(path)
    assert len(errors) == 1, [str(e) for e in errors]
    (err,) = errors
    assert err.path == str(path)
    assert err.line == line
    assert err.field == field
    assert problem in err.problem
    assert fix in err.fix
    text_of = str(err)
    prefix = f"{path}:{line}: {field}: " if field else f"{path}:{line}: "
    assert text_of.startswith(prefix)
    assert problem in text_of
    assert ". Fix: " in text_of
    assert "\n" not in text_of  # one paragraph
    assert "Traceback" not in text_of


def test_message_format_matches_style(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "version: 1\nclasses:\n  cache:\n    keys: ['*:cache:*']\n    max_ttl_seconds: one day\n",
    )
    (err,) = errors_of(path)
    assert str(err) == (
        f"{path}:5: classes.cache.max_ttl_seconds: expected a whole number of seconds, got "
        "'one day'. Fix: give a whole number of seconds greater than 0 (e.g. 86400 for a day), "
        "or null."
    )


def test_all_errors_are_reported_together(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        version: 3
        tenant:
          key_patterns: ["t:*"]
        classes:
          cache: {keys: ["[abc"], max_ttl_seconds: one day}
        business:
          fields: status
        exceptions:
          - id: EXC-1
            owner: team
            exception_reason: why
            expiry_date: 2027-02-30
            removal_issue: X-1
            rules: [RB101]
            keys: ["a:*"]
          - id: EXC-2
            owner: team
            exception_reason: why
            expiry_date: 2027-01-31
            removal_issue: X-2
            rules: [RB101]
        """,
    )
    with pytest.raises(PolicyErrors) as info:
        load_policy(path)
    errors = info.value.errors
    assert [(e.line, e.field) for e in errors] == [
        (1, "version"),
        (3, "tenant.key_patterns[0]"),
        (5, "classes.cache.keys[0]"),
        (5, "classes.cache.max_ttl_seconds"),
        (7, "business.fields"),
        (12, "exceptions[0].expiry_date"),
        (16, "exceptions[1].scope"),
    ]
    lines = str(info.value).splitlines()
    assert lines == [str(e) for e in errors]
    assert all(line.startswith(f"{path}:") for line in lines)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    (err,) = errors_of(path)
    assert err.line is None
    assert str(err).startswith(f"{path}: cannot read the policy file (")


def test_parse_policy_names_the_source() -> None:
    with pytest.raises(PolicyErrors) as info:
        parse_policy("version: 1\nfoo: 1\n", "custom.yaml")
    assert str(info.value).startswith("custom.yaml:2: foo: unknown key 'foo'.")


def test_policy_errors_pickle() -> None:
    one = PolicyError("redis-boundary.yaml", 14, "classes.cache.max_ttl_seconds", "bad", "fix")
    none = PolicyError("redis-boundary.yaml", None, "", "unreadable", "check it")
    back = pickle.loads(pickle.dumps(one))
    assert str(back) == str(one)
    assert (back.path, back.line, back.field, back.problem, back.fix) == (
        "redis-boundary.yaml",
        14,
        "classes.cache.max_ttl_seconds",
        "bad",
        "fix",
    )
    group = PolicyErrors([one, none])
    group_back = pickle.loads(pickle.dumps(group))
    assert str(group_back) == str(group)
    assert [str(e) for e in group_back.errors] == [str(none), str(one)]  # sorted by line
    assert str(one) == "redis-boundary.yaml:14: classes.cache.max_ttl_seconds: bad. Fix: fix."
    assert str(none) == "redis-boundary.yaml: unreadable. Fix: check it."


def test_model_types() -> None:
    policy = default_policy()
    assert isinstance(policy, Policy)
    assert isinstance(policy.business.keys, PatternSet)
    assert all(isinstance(c.keys, PatternSet) for c in policy.classes)
