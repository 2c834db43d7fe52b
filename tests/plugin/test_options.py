"""Options, ini keys, markers, policy lookup, activation."""

from __future__ import annotations

import os
import textwrap

import pytest

from tests.plugin.common import HEADER, TODAY, assert_findings, run

OPTIONS = [
    "--redis-boundary=strict|warn|off",
    "--redis-boundary-policy=PATH",
    "--redis-boundary-report=PATH",
    "--redis-boundary-sarif=PATH",
    "--redis-boundary-today=YYYY-MM-DD",
    "--redis-boundary-url=redis://...",
    "--redis-boundary-contracts",
    "--redis-boundary-strict-exceptions",
]
INI_KEYS = [
    "redis_boundary",
    "redis_boundary_policy",
    "redis_boundary_report",
    "redis_boundary_sarif",
    "redis_boundary_today",
    "redis_boundary_url",
    "redis_boundary_contracts",
    "redis_boundary_strict_exceptions",
]

BUSINESS_WRITE = """
    import fakeredis

    def test_write():
        fakeredis.FakeRedis().hset("t:acme:job:1", "status", "done")
"""


def test_help_lists_the_group_options_and_ini_keys(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--help")
    result.stdout.fnmatch_lines(["Redis/RQ retirement boundary (pytest-redis-boundary):"])
    out = result.stdout.str()
    for option in OPTIONS:
        assert option.split("=")[0] in out
    result.stdout.fnmatch_lines([f"  {option}*" for option in OPTIONS[:1]])
    for key in INI_KEYS:
        result.stdout.fnmatch_lines([f"  {key} *"])


def test_markers_are_registered_with_signatures(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--markers")
    result.stdout.fnmatch_lines(
        [
            '@pytest.mark.redis_boundary(mode="strict"|"warn"|"off"):*',
            "@pytest.mark.redis_boundary_exception(owner, exception_reason, expiry_date, "
            "removal_issue, rules, keys=None):*",
            "@pytest.mark.redis_tenant(tenant):*",
        ]
    )
    assert result.ret == 0


def test_header_says_mode_policy_and_today(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_ok(): pass")
    result = run(pytester)
    result.stdout.fnmatch_lines([HEADER])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--redis-boundary=loud"], "*--redis-boundary: invalid value 'loud': expected 'strict',*"),
        (
            ["--redis-boundary-today=28/11/2026"],
            "*--redis-boundary-today: invalid date '28/11/2026': expected YYYY-MM-DD*",
        ),
        (["--redis-boundary-url=http://x"], "*--redis-boundary-url: invalid URL 'http://x'*"),
        (["--redis-boundary-policy=missing.yaml"], "*missing.yaml*cannot read the policy file*"),
    ],
)
def test_bad_options_are_usage_errors(
    pytester: pytest.Pytester, args: list[str], message: str
) -> None:
    pytester.makepyfile("def test_ok(): pass")
    result = pytester.runpytest_subprocess(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_bad_ini_mode_names_the_ini_key(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nredis_boundary = loud\n")
    pytester.makepyfile("def test_ok(): pass")
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*ini redis_boundary: invalid value 'loud'*"])


def test_bad_today_from_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_BOUNDARY_TODAY", "tomorrow")
    pytester.makepyfile("def test_ok(): pass")
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*environment variable REDIS_BOUNDARY_TODAY: invalid date*"])


def test_today_from_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_BOUNDARY_TODAY", "2030-01-02")
    pytester.makepyfile("def test_ok(): pass")
    result = pytester.runpytest_subprocess()
    result.stdout.fnmatch_lines(["redis-boundary: mode strict, *today 2030-01-02*"])


def test_invalid_policy_file_exits_4_naming_file_line_and_field(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("redis-boundary.yaml").write_text(
        textwrap.dedent(
            """\
            version: 1
            classes:
              cache: {keys: ["*:cache:*"], max_ttl_seconds: one day}
            """
        )
    )
    pytester.makepyfile("def test_ok(): pass")
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*redis-boundary.yaml:3: classes.cache.max_ttl_seconds:*'one day'*"]
    )


CACHE_ONLY_POLICY = """\
version: 1
business:
  keys: ["*:order:*"]
  fields: []
"""


def test_policy_lookup_order(pytester: pytest.Pytester) -> None:
    """Policy lookup: option, ini key, redis-boundary.yaml in the rootdir, built-in default."""
    pytester.makepyfile(BUSINESS_WRITE)
    # built-in default: *:job:* is business
    assert_findings(run(pytester), "RB101", "RB201", failed=1)
    # redis-boundary.yaml in the rootdir: jobs are no longer business
    pytester.path.joinpath("redis-boundary.yaml").write_text(CACHE_ONLY_POLICY)
    result = run(pytester)
    result.stdout.fnmatch_lines(["*policy redis-boundary.yaml*"])
    assert "RB101" not in result.stdout.str()
    # the ini key beats the rootdir file
    pytester.path.joinpath("strict.yaml").write_text("version: 1\n")
    pytester.makeini("[pytest]\nredis_boundary_policy = strict.yaml\n")
    assert_findings(run(pytester), "RB101", "RB201", failed=1)
    # the option beats the ini key
    result = run(pytester, "--redis-boundary-policy=redis-boundary.yaml")
    assert "RB101" not in result.stdout.str()


def test_disabled_with_p_no(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(BUSINESS_WRITE)
    result = pytester.runpytest_subprocess("-p", "no:redis_boundary")
    result.assert_outcomes(passed=1)
    assert "redis-boundary" not in result.stdout.str()


def test_off_records_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(BUSINESS_WRITE)
    result = run(pytester, "--redis-boundary=off")
    result.assert_outcomes(passed=1)
    assert "RB101" not in result.stdout.str()


def test_inert_without_redis_py(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    shadow = pytester.mkdir("shadow")
    shadow.joinpath("redis").mkdir()
    shadow.joinpath("redis", "__init__.py").write_text("raise ImportError('no redis here')\n")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(shadow), os.environ.get("PYTHONPATH", "")])
    )
    pytester.makepyfile("def test_ok(): pass")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["redis-boundary: inert, redis-py is not importable (no redis here)"]
    )
    assert result.stdout.str().count("redis-boundary:") == 1


def test_today_option_beats_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_BOUNDARY_TODAY", "2030-01-02")
    pytester.makepyfile("def test_ok(): pass")
    result = run(pytester)
    result.stdout.fnmatch_lines([f"*today {TODAY}*"])
