"""Findings: key shape, order, identity, merging and serialisation."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_redis_boundary.core.findings import Finding, key_shape, merge
from pytest_redis_boundary.core.runtime_context import ENDPOINT, RuntimeContext
from tests.report_samples import finding

# --- key_shape -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "tenant", "shape"),
    [
        ("t:acme:job:42", "acme", "t:{tenant}:job:*"),
        ("t:acme:job:42", None, "t:acme:job:*"),
        ("tenant:globex:cache:user:7", "globex", "tenant:{tenant}:cache:user:*"),
        ("t:acme:job:550e8400-e29b-41d4-a716-446655440000", "acme", "t:{tenant}:job:*"),
        ("t:acme:job:550E8400E29B41D4A716446655440000", "acme", "t:{tenant}:job:*"),
        ("t:acme:result:9f3a6c21b7", "acme", "t:{tenant}:result:*"),
        ("t:acme:result:deadbeef", "acme", "t:{tenant}:result:deadbeef"),  # hex without a digit
        ("t:acme:result:ab12", "acme", "t:{tenant}:result:ab12"),  # too short for a hex id
        ("lock:a", None, "lock:a"),
        ("cache:user:profile", None, "cache:user:profile"),
        ("rq:job:0", None, "rq:job:*"),
        ("rq:queue:default", None, "rq:queue:default"),
        ("t:acme:job:v2", "acme", "t:{tenant}:job:v2"),
        # Ids inside a segment: the shapes of keys seen on real suites.
        ("temp.3f2a9c0d41b7", None, "temp.*"),
        ("temp.550e8400-e29b-41d4-a716-446655440000", None, "temp.*"),
        ("note:timestamp.absolute.1733140000.123", None, "note:timestamp.absolute.*"),
        ("note:ts.1.7331e+09", None, "note:ts.*"),
        ("arq:job:v-12", None, "arq:job:v-*"),
        ("message:id.1", None, "message:id.*"),
        ("score:-5", None, "score:*"),
        ("ev:2026-12-03T17:29:22.123+02:00:seen", None, "ev:*:seen"),
        ("u:01HGW2Q8ZKX3YV6N9T7M5R4C2B", None, "u:*"),
        ("ip:10.0.0.1", None, "ip:*.*"),
        ("{user:1000}.following", None, "{user:*}.following"),
        ("t:acme:user_42/profile#acme", "acme", "t:{tenant}:user_*/profile#acme"),
        ("user:name", None, "user:name"),
        ("oauth2:s3:v2", None, "oauth2:s3:v2"),  # short words with a digit stay words
        ("", None, ""),
        (None, None, None),
        (None, "acme", None),
    ],
)
def test_key_shape(key: str | None, tenant: str | None, shape: str | None) -> None:
    assert key_shape(key, tenant) == shape


# A key template: segments (joined by ":") of parts joined by separators; a part is a word or an
# id hole. Two holes are never next to each other, so that their ids cannot join into one token
# (two ints joined by "." read as one float): a word sits between them.
Part = tuple[str, str]  # ("word", text) or ("id", "")
SEPARATORS = st.sampled_from([".", "-", "_", "/", "|", "#", "="])
words = st.from_regex(r"[a-z]{1,10}", fullmatch=True)
ids = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15).map(str),  # ints, ms timestamps
    st.floats(min_value=-1e20, max_value=1e20, allow_nan=False).map(str),  # 1.5, 1e+16, 1e-05
    st.floats(min_value=1.6e9, max_value=2e9).map(lambda t: f"{t:.3f}"),  # time.time()
    st.uuids().flatmap(lambda u: st.sampled_from([str(u), u.hex, str(u).upper(), u.hex.upper()])),
    st.binary(min_size=3, max_size=20).map(bytes.hex).filter(lambda h: any(c.isdigit() for c in h)),
    st.tuples(st.datetimes(), st.sampled_from(["", "Z", "+02:00", "-05:30"])).map(
        lambda t: t[0].isoformat() + t[1]
    ),
    st.from_regex(r"[0-9A-HJKMNP-TV-Z]{26}", fullmatch=True).filter(  # ULIDs
        lambda u: any(c.isdigit() for c in u)
    ),
)


@st.composite
def segments(draw: st.DrawFn) -> tuple[list[Part], list[str]]:
    size = draw(st.integers(min_value=1, max_value=4))
    hole = draw(st.booleans())
    parts: list[Part] = []
    for _ in range(size):
        parts.append(("id", "") if hole else ("word", draw(words)))
        hole = not hole if hole else draw(st.booleans())
    return parts, [draw(SEPARATORS) for _ in parts[1:]]


templates = st.lists(segments(), min_size=1, max_size=5)
Template = list[tuple[list[Part], list[str]]]


def render(template: Template, fill: list[str]) -> str:
    """The template with its holes filled from ``fill`` in order (``"*"`` for every hole when
    ``fill`` is empty)."""
    holes = iter(fill)
    out = []
    for parts, seps in template:
        texts = [text if kind == "word" else next(holes, "*") for kind, text in parts]
        out.append(texts[0] + "".join(sep + t for sep, t in zip(seps, texts[1:], strict=True)))
    return ":".join(out)


def holes_in(template: Template) -> int:
    return sum(kind == "id" for parts, _ in template for kind, _ in parts)


@settings(max_examples=300, deadline=None)
@given(template=templates, data=st.data())
def test_fresh_ids_never_change_a_shape(template: Template, data: st.DataObject) -> None:
    """Key shapes are stable across runs: every id-like token (numbers, floats, timestamps,
    UUIDs, long hex) becomes ``*``, also inside a segment; words stay."""
    count = holes_in(template)
    first = render(template, [data.draw(ids) for _ in range(count)])
    second = render(template, [data.draw(ids) for _ in range(count)])
    assert key_shape(first) == key_shape(second) == render(template, [])


@settings(max_examples=300, deadline=None)
@given(template=templates, data=st.data())
def test_different_words_give_different_shapes(template: Template, data: st.DataObject) -> None:
    """Words are kept: ``user:name`` and ``user:email`` are two shapes."""
    places = [(s, p) for s, (parts, _) in enumerate(template) for p, (kind, _) in enumerate(parts)]
    places = [(s, p) for s, p in places if template[s][0][p][0] == "word"]
    if not places:
        return
    s, p = data.draw(st.sampled_from(places))
    old = template[s][0][p][1]
    other = [(list(parts), seps) for parts, seps in template]
    other[s][0][p] = ("word", data.draw(words.filter(lambda w: w != old)))
    fill = [data.draw(ids) for _ in range(holes_in(template))]
    assert key_shape(render(template, fill)) != key_shape(render(other, fill))


def test_shape_property_uses_the_tenant_id() -> None:
    assert finding().shape == "t:{tenant}:job:*"
    assert finding(tenant_id=None).shape == "t:acme:job:*"
    assert finding(key=None).shape is None


# --- order and identity ----------------------------------------------------------------------


def test_sort_key_orders_by_test_site_file_numeric_line_then_rule() -> None:
    a10_rb101 = finding(site="a.py:10", rule="RB101")
    a9_rb203 = finding(site="a.py:9", rule="RB203")
    a9_rb101 = finding(site="a.py:9", rule="RB101")
    b1 = finding(site="b.py:1", rule="RB101")
    no_site = finding(site=None, function=None)
    other_test = finding(test="tests/test_a.py::test_first", site="z.py:99")
    ordered = sorted([b1, a10_rb101, a9_rb203, no_site, other_test, a9_rb101], key=Finding.sort_key)
    assert ordered == [other_test, no_site, a9_rb101, a9_rb203, a10_rb101, b1]


def test_site_file_and_line() -> None:
    f = finding(site="src/app/jobs.py:117")
    assert (f.site_file, f.site_line) == ("src/app/jobs.py", 117)
    assert (finding(site=None).site_file, finding(site=None).site_line) == (None, 0)


def test_identity_is_rule_shape_site_file_function() -> None:
    f = finding()
    assert f.identity() == ("RB101", "t:{tenant}:job:*", "app/jobs.py", "mark_done")
    # A moved line, another id or another tenant do not make a new identity.
    moved = finding(site="app/jobs.py:40", key="t:globex:job:77", tenant_id="globex")
    assert moved.identity() == f.identity()
    assert finding(function="other").identity() != f.identity()
    assert finding(rule="RB201").identity() != f.identity()


def test_name_is_the_rule_name() -> None:
    assert finding().name == "business-write"
    assert finding(rule="RB999").name == ""


def test_line_shows_the_count_only_when_repeated() -> None:
    assert finding().line() == finding().message
    assert finding(count=3).line() == f"{finding().message} (x3)"


# --- merge -----------------------------------------------------------------------------------


def test_merge_folds_repeats_with_counts() -> None:
    first = finding(key="t:acme:job:1", count=2)
    again = finding(key="t:acme:job:2", site="app/jobs.py:17", count=3)
    merged = merge([first, again])
    assert len(merged) == 1
    assert merged[0].count == 5
    assert merged[0].key == "t:acme:job:1"  # the first occurrence is kept


@pytest.mark.parametrize(
    "change",
    [
        {"test": "tests/test_jobs.py::test_other"},
        {"rule": "RB102"},
        {"site": "app/jobs.py:18"},
        {"key": "t:acme:result:1"},
        {"field": "result"},
        {"verdict": "warning"},
    ],
    ids=lambda c: next(iter(c)),
)
def test_merge_keeps_different_findings_apart(change: dict[str, Any]) -> None:
    merged = merge([finding(), finding(**change)])
    assert len(merged) == 2
    assert [f.count for f in merged] == [1, 1]


def test_merge_sorts() -> None:
    late = finding(site="app/jobs.py:100")
    early = finding(site="app/jobs.py:20")
    assert merge([late, early]) == [early, late]
    assert merge([]) == []


# --- serialisation ---------------------------------------------------------------------------


def test_to_json_has_the_report_fields() -> None:
    data = finding(key_ttl_seconds=100000.0, count=2).to_json()
    assert data == {
        "rule": "RB101",
        "verdict": "violation",
        "message": finding().message,
        "test": "tests/test_jobs.py::test_done",
        "phase": "call",
        "command": "HSET",
        "key": "t:acme:job:42",
        "field": "status",
        "site": "app/jobs.py:17",
        "function": "mark_done",
        "tenant_id": "acme",
        "key_ttl_seconds": 100000.0,
        "exception": None,
        "count": 2,
        "context": None,
    }


def test_json_round_trip_keeps_the_context() -> None:
    original = finding(context=RuntimeContext(ENDPOINT, "GET /jobs/{job_id}"))
    data = json.loads(json.dumps(original.to_json()))
    assert data["context"] == {"kind": "endpoint", "name": "GET /jobs/{job_id}"}
    assert Finding.from_json(data) == original


def test_a_finding_without_context_reads_as_null_and_a_bad_one_is_refused() -> None:
    data = finding().to_json()
    del data["context"]
    assert Finding.from_json(data).context is None
    data["context"] = {"kind": "cron", "name": "x"}
    with pytest.raises(ValueError, match="context must be null"):
        Finding.from_json(data)


def test_json_round_trip() -> None:
    original = finding(verdict="excepted", exception="EXC-7", key_ttl_seconds=12.5, count=4)
    text = json.dumps(original.to_json())
    assert Finding.from_json(json.loads(text)) == original


def test_from_json_ignores_unknown_fields() -> None:
    data = {**finding().to_json(), "name": "business-write", "future": 1}
    assert Finding.from_json(data) == finding()


def test_pickle_round_trip() -> None:
    original = finding(verdict="warning", key=None, site=None, function=None, count=7)
    assert pickle.loads(pickle.dumps(original)) == original


def test_with_verdict() -> None:
    excepted = finding().with_verdict("excepted", "EXC-7")
    assert (excepted.verdict, excepted.exception) == ("excepted", "EXC-7")
    assert excepted.identity() == finding().identity()
