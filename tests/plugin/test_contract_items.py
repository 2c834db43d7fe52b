"""``--redis-boundary-contracts``: the rootdir's ``.importlinter`` contracts as pytest items
over fixture packages on disk with the real grimp and import-linter.

The project is laid out as a user's: ``app/`` holds the code, ``tests/`` the tests, and
``pytest.ini`` sets ``testpaths = tests``, so ``.importlinter`` is not under a collected path.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.plugin.common import TODAY, WITHOUT_ASYNCIO

RQ_CONTRACT = "Runtime must not depend on rq"
RQ_NODE = f".importlinter::{RQ_CONTRACT}"
FORBIDDEN_CONTRACT = "The API does not reach into infra"
FORBIDDEN_NODE = f".importlinter::{FORBIDDEN_CONTRACT}"

APP = {
    "app/__init__.py": "",
    "app/api/__init__.py": "",
    "app/api/views.py": "import json\n",
    "app/runtime/__init__.py": "",
    "app/infra/__init__.py": "",
    "app/infra/queues.py": "from rq import Queue\n",
    "app/workers/__init__.py": "",
    "app/workers/legacy.py": "import rq\n",
    "tests/test_app.py": "def test_app():\n    pass\n",
    "pytest.ini": "[pytest]\ntestpaths = tests\n",
}

RQ_SECTION = f"""\
[importlinter:contract:no-rq]
name = {RQ_CONTRACT}
type = rq_retirement
runtime_modules =
    app.api
    app.runtime
    app.workers
policy = rq-allowances.yaml
"""

FORBIDDEN_SECTION = f"""\
[importlinter:contract:api-no-infra]
name = {FORBIDDEN_CONTRACT}
type = forbidden
source_modules =
    app.api
forbidden_modules =
    app.infra
"""


def allowance(imports: str = "app.workers.legacy -> rq", expiry_date: str = "2099-12-31") -> str:
    return textwrap.dedent(
        f"""\
        version: 1
        exceptions:
          - id: EXC-1
            owner: platform-team
            exception_reason: legacy worker until the product store migration ships
            expiry_date: {expiry_date}
            removal_issue: PLAT-812
            rules: [RB501, RB502]
            imports: {json.dumps([imports])}
        """
    )


def project(
    pytester: pytest.Pytester,
    *sections: str,
    policy: str | None = None,
    files: dict[str, str] | None = None,
) -> None:
    """The app, its tests, and (when sections are given) its ``.importlinter``."""
    for name, text in {**APP, **(files or {})}.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (pytester.path / "rq-allowances.yaml").write_text(policy or allowance())
    if sections:
        header = textwrap.dedent(
            """\
            [importlinter]
            root_packages =
                app
            include_external_packages = True
            contract_types =
                rq_retirement: pytest_redis_boundary.contracts.RQRetirementContract

            """
        )
        (pytester.path / ".importlinter").write_text(header + "\n".join(sections))


def run(pytester: pytest.Pytester, *args: str, today: str = TODAY) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-rA", f"--redis-boundary-today={today}", *args
    )


def contracts(pytester: pytest.Pytester, *args: str, today: str = TODAY) -> pytest.RunResult:
    return run(pytester, "--redis-boundary-contracts", "-v", *args, today=today)


def test_a_kept_contract_is_a_passing_item_named_after_it(pytester: pytest.Pytester) -> None:
    project(pytester, RQ_SECTION)
    result = contracts(pytester)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*collected 2 items*", f"{RQ_NODE} PASSED*"])
    result.stdout.fnmatch_lines(["tests/test_app.py::test_app PASSED*"])
    assert "RedisBoundaryWarning" not in result.stdout.str()


def test_a_broken_contract_fails_with_its_chain_and_line_numbers(
    pytester: pytest.Pytester,
) -> None:
    project(
        pytester,
        RQ_SECTION,
        files={"app/api/jobs.py": "import json\n\nfrom app.infra import queues\n"},
    )
    result = contracts(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            f"{RQ_NODE} FAILED*",
            f"*_ contract {RQ_CONTRACT} _*",
            f'.importlinter: contract "{RQ_CONTRACT}" (no-rq, rq_retirement) is BROKEN',
            "",
            "RB501 *app.api.jobs*",
            "",
            "*app.api.jobs -> app.infra.queues (l.3: from app.infra import queues)*",
            "*app.infra.queues -> rq (l.1: from rq import Queue)*",
            f"FAILED {RQ_NODE}*",
        ]
    )
    out = result.stdout.str()
    assert "Traceback" not in out and "contract_items.py" not in out, out


def test_a_builtin_contract_in_the_same_file_is_an_item_too(pytester: pytest.Pytester) -> None:
    project(
        pytester,
        RQ_SECTION,
        FORBIDDEN_SECTION,
        files={"app/api/helpers.py": "import os\nfrom app.infra import queues\n"},
    )
    result = contracts(pytester)
    # app.api.helpers -> app.infra.queues -> rq breaks both contracts.
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            f"{RQ_NODE} FAILED*",
            f"{FORBIDDEN_NODE} FAILED*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            f"*_ contract {FORBIDDEN_CONTRACT} _*",
            f'.importlinter: contract "{FORBIDDEN_CONTRACT}" (api-no-infra, forbidden) is BROKEN',
            "",
            "app.api is not allowed to import app.infra:",
            "",
            "*app.api.helpers -> app.infra.queues (l.2)*",
        ]
    )


def test_a_kept_builtin_contract_passes(pytester: pytest.Pytester) -> None:
    project(pytester, FORBIDDEN_SECTION, RQ_SECTION)
    result = contracts(pytester)
    result.assert_outcomes(passed=3)
    # In the file's order.
    result.stdout.fnmatch_lines([f"{FORBIDDEN_NODE} PASSED*", f"{RQ_NODE} PASSED*"])


def test_an_expired_import_allowance_breaks_at_the_session_date(
    pytester: pytest.Pytester,
) -> None:
    project(pytester, RQ_SECTION, policy=allowance(expiry_date="2026-06-30"))
    before = contracts(pytester, today="2026-06-30")
    before.assert_outcomes(passed=2)

    after = contracts(pytester, today="2026-07-01")
    after.assert_outcomes(passed=1, failed=1)
    after.stdout.fnmatch_lines(
        ["RB902 *EXC-1*", "*app.workers.legacy -> rq (l.1: import rq)*", f"FAILED {RQ_NODE}*"]
    )


def test_the_session_date_comes_from_the_environment_as_well(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(pytester, RQ_SECTION, policy=allowance(expiry_date="2026-06-30"))
    monkeypatch.setenv("REDIS_BOUNDARY_TODAY", "2026-07-01")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--redis-boundary-contracts")
    result.assert_outcomes(passed=1, failed=1)


def test_an_unused_allowance_warns_on_the_passing_item(pytester: pytest.Pytester) -> None:
    project(pytester, RQ_SECTION, policy=allowance(imports="app.runtime -> rq"))
    result = contracts(pytester, "-W", "always::pytest_redis_boundary.RedisBoundaryWarning")
    result.assert_outcomes(passed=1, failed=1)  # the legacy worker's chain is no longer allowed
    out = result.stdout.str()
    assert "RB903" in out, out
    result.stdout.fnmatch_lines(
        [
            "*warnings summary*",
            f"{RQ_NODE}",
            f'  */.importlinter:8: RedisBoundaryWarning: contract "{RQ_CONTRACT}": RB903 *EXC-1*',
        ]
    )


def kept_with_an_unused_allowance(pytester: pytest.Pytester) -> None:
    """A kept contract (the legacy worker no longer imports rq) whose allowance matches nothing."""
    project(
        pytester,
        RQ_SECTION,
        policy=allowance(imports="app.runtime -> rq"),
        files={"app/workers/legacy.py": "import json\n"},
    )


def test_an_unused_allowance_on_a_kept_contract_passes_with_a_warning(
    pytester: pytest.Pytester,
) -> None:
    kept_with_an_unused_allowance(pytester)
    result = contracts(pytester)
    result.assert_outcomes(passed=2, warnings=1)
    result.stdout.fnmatch_lines([f"{RQ_NODE} PASSED*", "*RedisBoundaryWarning*RB903*"])


@pytest.mark.parametrize(
    ("flags", "outcomes"),
    [
        pytest.param(
            (*WITHOUT_ASYNCIO, "-W", "error"),
            {"passed": 2, "warnings": 1},
            id="general-error-filter",
        ),
        pytest.param(
            ("-W", "error::pytest_redis_boundary.RedisBoundaryWarning"),
            {"passed": 1, "failed": 1},
            id="filter-naming-the-category",
        ),
    ],
)
def test_only_a_filter_naming_the_warning_fails_a_kept_contract(
    pytester: pytest.Pytester, flags: tuple[str, ...], outcomes: dict[str, int]
) -> None:
    kept_with_an_unused_allowance(pytester)
    result = contracts(pytester, *flags)
    result.assert_outcomes(**outcomes)
    assert "RB903" in result.stdout.str()


def test_missing_importlinter_is_one_clear_error(pytester: pytest.Pytester) -> None:
    project(pytester)
    result = contracts(pytester)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of .importlinter configuration*",
            "redis-boundary: cannot check the contracts of .importlinter:",
            f".importlinter not found in the rootdir {pytester.path}; *",
            "ERROR .importlinter::configuration*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_a_misconfigured_contract_is_one_clear_error(pytester: pytest.Pytester) -> None:
    broken = RQ_SECTION.replace("policy = rq-allowances.yaml", "policy = missing.yaml")
    project(pytester, FORBIDDEN_SECTION, broken)
    result = contracts(pytester)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            f'.importlinter: contract "{RQ_CONTRACT}" is not configured correctly:',
            "    policy: *missing.yaml*",
            "ERROR .importlinter::configuration*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_a_contract_that_cannot_be_checked_errors(pytester: pytest.Pytester) -> None:
    project(pytester, RQ_SECTION.replace("    app.runtime\n", "    app.gone\n"))
    result = contracts(pytester)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*Module 'app.gone' does not exist.*", f"ERROR {RQ_NODE}*"])
    assert "Traceback" not in result.stdout.str()


def test_without_the_option_no_contract_items_are_collected(pytester: pytest.Pytester) -> None:
    project(pytester, RQ_SECTION, FORBIDDEN_SECTION, files={"app/api/views.py": "import rq\n"})
    result = run(pytester, "-v")
    result.assert_outcomes(passed=1)
    assert ".importlinter" not in result.stdout.str()


def test_the_ini_key_turns_it_on(pytester: pytest.Pytester) -> None:
    project(
        pytester,
        RQ_SECTION,
        files={"pytest.ini": "[pytest]\ntestpaths = tests\nredis_boundary_contracts = true\n"},
    )
    run(pytester, "-v").stdout.fnmatch_lines([f"{RQ_NODE} PASSED*"])


def test_plugin_disabled_collects_nothing(pytester: pytest.Pytester) -> None:
    project(
        pytester,
        RQ_SECTION,
        files={"pytest.ini": "[pytest]\ntestpaths = tests\nredis_boundary_contracts = true\n"},
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:redis_boundary")
    result.assert_outcomes(passed=1)


def test_k_selects_by_contract_name_and_id(pytester: pytest.Pytester) -> None:
    project(pytester, RQ_SECTION, FORBIDDEN_SECTION)
    by_name = contracts(pytester, "-k", "Runtime and rq")
    by_name.assert_outcomes(passed=1)
    by_name.stdout.fnmatch_lines(
        ["*collected 3 items / 2 deselected / 1 selected*", f"{RQ_NODE} *"]
    )

    by_id = contracts(pytester, "-k", "api-no-infra")
    by_id.assert_outcomes(passed=1)
    by_id.stdout.fnmatch_lines([f"{FORBIDDEN_NODE} PASSED*"])

    none = contracts(pytester, "-k", "not importlinter")
    none.assert_outcomes(passed=1)
    assert ".importlinter::" not in none.stdout.str()


def test_a_node_id_runs_one_contract(pytester: pytest.Pytester) -> None:
    project(pytester, RQ_SECTION, FORBIDDEN_SECTION)
    result = contracts(pytester, FORBIDDEN_NODE)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"{FORBIDDEN_NODE} PASSED*"])


def test_collecting_the_rootdir_gives_each_contract_once(pytester: pytest.Pytester) -> None:
    project(pytester, RQ_SECTION, files={"pytest.ini": "[pytest]\n"})
    result = contracts(pytester)
    result.assert_outcomes(passed=2)
    assert result.stdout.str().count(f"{RQ_NODE} PASSED") == 1


def test_from_a_subdirectory_the_rootdir_file_is_used(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(pytester, RQ_SECTION)
    monkeypatch.chdir(pytester.path / "tests")
    result = contracts(pytester, ".")
    result.assert_outcomes(passed=2)
    # pytest shows node ids relative to the invocation directory.
    result.stdout.fnmatch_lines([f"../{RQ_NODE} PASSED*"])


def test_contracts_run_when_recording_is_off(pytester: pytest.Pytester) -> None:
    project(pytester, RQ_SECTION, files={"app/runtime/q.py": "import rq\n"})
    result = contracts(pytester, "--redis-boundary=off")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([f"FAILED {RQ_NODE}*"])
