"""Key patterns: Redis glob semantics (stringmatchlen) plus {tenant}."""

from __future__ import annotations

import pickle

import pytest

from pytest_redis_boundary.core.patterns import KeyPattern, PatternError, PatternSet

# (pattern, key, matches, tenant)
MATCH_TABLE = [
    # literal, anchored at both ends
    ("cache:x", "cache:x", True, None),
    ("cache:x", "cache:xy", False, None),
    ("cache:x", "acache:x", False, None),
    ("a.b", "axb", False, None),  # '.' is literal, not a regex dot
    ("a+b", "a+b", True, None),
    # *: any sequence, the empty one and ':' included
    ("cache:*", "cache:", True, None),
    ("cache:*", "cache:a:b:c", True, None),
    ("cache:*", "cach", False, None),
    ("*:cache:*", "t:acme:cache:x", True, None),
    ("*:cache:*", "cache:x", False, None),
    ("*", "", True, None),
    ("**", "anything:at:all", True, None),
    ("a*b*c", "aXXbYYc", True, None),
    ("a*b*c", "aXXbYY", False, None),
    ("*x", "line\nx", True, None),  # '*' crosses newlines too
    # ?: exactly one character
    ("job:?", "job:1", True, None),
    ("job:?", "job:", False, None),
    ("job:?", "job:12", False, None),
    ("job:??", "job:::", True, None),  # "?" matches ":"
    # sets, negation, ranges
    ("k[abc]", "kb", True, None),
    ("k[abc]", "kd", False, None),
    ("k[abc]", "k", False, None),
    ("k[^abc]", "kd", True, None),
    ("k[^abc]", "ka", False, None),
    ("k[a-c]x", "kbx", True, None),
    ("k[a-c]x", "kdx", False, None),
    ("k[c-a]", "kb", True, None),  # reversed range, as in Redis
    ("k[0-9a-f]", "kf", True, None),
    ("k[0-9a-f]", "kg", False, None),
    ("k[]", "k", False, None),  # empty set matches nothing
    ("k[]", "kx", False, None),
    ("k[^]", "kx", True, None),  # negated empty set matches any one character
    ("k[*?]", "k*", True, None),  # '*' and '?' are literal in a set
    ("k[*?]", "kx", False, None),
    ("k[\\]]", "k]", True, None),  # escaped ']' in a set
    ("k[\\-a]", "k-", True, None),
    ("k[\\-a]", "kb", False, None),
    # backslash escapes
    ("a\\*b", "a*b", True, None),
    ("a\\*b", "axb", False, None),
    ("a\\?", "a?", True, None),
    ("a\\?", "ab", False, None),
    ("a\\[b", "a[b", True, None),
    ("a\\\\", "a\\", True, None),
    ("a\\", "a\\", True, None),  # trailing lone backslash is literal, as in Redis
    ("\\{tenant}:x", "{tenant}:x", True, None),  # escaped brace is literal
    ("\\{user1}:cache:*", "{user1}:cache:a", True, None),  # cluster hash tag
    # {tenant}: one non-empty, colon-free segment, captured
    ("t:{tenant}:*", "t:acme:cache:x", True, "acme"),
    ("t:{tenant}:*", "t:acme:", True, "acme"),
    ("t:{tenant}:*", "t::cache", False, None),
    ("t:{tenant}:*", "t:acme", False, None),
    ("t:{tenant}", "t:a:b", False, None),
    ("t:{tenant}", "t:a-b_c.d", True, "a-b_c.d"),
    ("tenant:{tenant}:*", "tenant:globex:job:1", True, "globex"),
    ("{tenant}:*", "acme:x", True, "acme"),
    ("*:{tenant}", "a:b:c", True, "c"),
    ("t:{tenant}:*", "T:acme:x", False, None),  # case-sensitive
]


@pytest.mark.parametrize(("pattern", "key", "matches", "tenant"), MATCH_TABLE)
def test_match_table(pattern: str, key: str, matches: bool, tenant: str | None) -> None:
    kp = KeyPattern(pattern)
    assert kp.match(key) is matches
    assert kp.tenant(key) == tenant
    # The same pattern inside a set behaves the same.
    assert PatternSet([kp]).match(key) is matches


def test_has_tenant() -> None:
    assert KeyPattern("t:{tenant}:*").has_tenant
    assert not KeyPattern("cache:*").has_tenant
    assert not KeyPattern("\\{tenant}").has_tenant
    assert not KeyPattern("[{]tenant}").has_tenant  # inside a set, '{' is literal


BAD_PATTERNS = [
    # (pattern, problem, caret line)
    ("t:[abc", "unclosed '['", "      ^"),
    ("[", "unclosed '['", "    ^"),
    ("k[^", "unclosed '['", "     ^"),
    ("k[\\]", "unclosed '['", "     ^"),
    ("t:{tenant:*", "unclosed '{tenant'", "      ^"),
    ("t:{tenant", "unclosed '{tenant'", "      ^"),
    ("t:{tenants}:*", "unknown placeholder '{tenants}'", "      ^~~~~~~~~"),
    ("x:{user1}:cache", "unknown placeholder '{user1}'", "      ^~~~~~~"),
    ("{}", "unknown placeholder '{}'", "    ^~"),
    ("{tenant}:{tenant}", "'{tenant}' appears more than once", "             ^~~~~~~~"),
]


@pytest.mark.parametrize(("pattern", "problem", "caret"), BAD_PATTERNS)
def test_bad_pattern(pattern: str, problem: str, caret: str) -> None:
    with pytest.raises(PatternError) as info:
        KeyPattern(pattern)
    err = info.value
    assert err.pattern == pattern
    assert err.problem == problem
    lines = str(err).splitlines()
    assert lines[0].startswith(f"bad key pattern {pattern!r}: {problem}. Fix: ")
    assert lines[1] == f"    {pattern}"
    assert lines[2] == caret
    assert err.summary.startswith(f"bad key pattern {pattern!r}: {problem} at column ")
    assert "\n" not in err.summary


def test_empty_pattern() -> None:
    with pytest.raises(PatternError, match="the pattern is empty"):
        KeyPattern("")


def test_unclosed_set_hints_at_range_end() -> None:
    with pytest.raises(PatternError, match=r"a '\]' right after '-' ends a range"):
        KeyPattern("k[a-]")


def test_non_str_pattern() -> None:
    with pytest.raises(TypeError):
        KeyPattern(b"cache:*")  # type: ignore[arg-type]


def test_value_object() -> None:
    kp = KeyPattern("t:{tenant}:*")
    assert repr(kp) == "<KeyPattern('t:{tenant}:*')>"
    assert str(kp) == "t:{tenant}:*"
    assert kp == KeyPattern("t:{tenant}:*")
    assert kp != KeyPattern("t:*")
    assert kp != "t:{tenant}:*"
    assert len({kp, KeyPattern("t:{tenant}:*")}) == 1
    with pytest.raises(AttributeError):
        kp.text = "x"


def test_pickle_round_trip() -> None:
    kp = KeyPattern("t:{tenant}:*")
    back = pickle.loads(pickle.dumps(kp))
    assert back == kp
    assert back.tenant("t:acme:x") == "acme"
    ps = PatternSet([KeyPattern("a:*"), kp])
    ps_back = pickle.loads(pickle.dumps(ps))
    assert ps_back == ps
    assert ps_back.first_match("t:acme:x") == kp
    err = PatternError("t:[x", 2, "unclosed '['", "close it")
    err_back = pickle.loads(pickle.dumps(err))
    assert str(err_back) == str(err)
    assert (err_back.pattern, err_back.position) == ("t:[x", 2)


def test_pattern_set_first_match_in_order() -> None:
    broad, narrow, other = KeyPattern("*:cache:*"), KeyPattern("t:*:cache:*"), KeyPattern("x")
    assert PatternSet([broad, narrow]).first_match("t:a:cache:1") is broad
    assert PatternSet([narrow, broad]).first_match("t:a:cache:1") is narrow
    assert PatternSet([narrow, broad, other]).first_match("x") is other
    assert PatternSet([narrow, broad]).first_match("nope") is None


def test_pattern_set_with_tenant_patterns() -> None:
    ps = PatternSet([KeyPattern("t:{tenant}:*"), KeyPattern("tenant:{tenant}:*")])
    assert ps.first_match("tenant:acme:x") == KeyPattern("tenant:{tenant}:*")
    assert not ps.match("t::x")


def test_empty_pattern_set() -> None:
    ps = PatternSet([])
    assert not ps.match("")
    assert not ps.match("anything")
    assert ps.first_match("anything") is None
    assert not ps
    assert len(ps) == 0


def test_pattern_set_value_object() -> None:
    ps = PatternSet(iter([KeyPattern("a"), KeyPattern("b")]))
    assert ps.patterns == (KeyPattern("a"), KeyPattern("b"))
    assert list(ps) == list(ps.patterns)
    assert ps == PatternSet([KeyPattern("a"), KeyPattern("b")])
    assert ps != PatternSet([KeyPattern("b"), KeyPattern("a")])
    assert hash(ps) == hash(PatternSet([KeyPattern("a"), KeyPattern("b")]))
    assert repr(ps) == "<PatternSet(['a', 'b'])>"
    with pytest.raises(TypeError):
        PatternSet(["a"])  # type: ignore[list-item]
