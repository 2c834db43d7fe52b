"""What a pull request changed at runtime, and whether the surfaces claiming it are updated."""

from __future__ import annotations

import pickle
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import replace

import pytest

from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.gate import DOCS_QUESTION, diff_reports, render
from pytest_redis_boundary.core.inventory import InventoryEntry
from pytest_redis_boundary.core.runtime_context import ENDPOINT, RQ_JOB, RuntimeContext
from pytest_redis_boundary.core.surfaces import (
    DocsCheck,
    RuntimeChange,
    StaleSurface,
    Surface,
    check_docs,
    module_candidates,
    runtime_changes,
)
from tests.report_samples import NEW_READ, finding, report

JOBS = Surface(
    "command-submit-job",
    "platform-team",
    "docs/contracts/jobs.md",
    modules=("app.api.jobs",),
    endpoints=("POST /jobs",),
    keys=("t:{tenant}:job:*",),
)
REPORTS = Surface("reports", "data-team", "docs/contracts/reports.md", modules=("app.reports",))


def entry(
    shape: str, *, writes: int = 1, sites: tuple[str, ...] = ("app/a.py:1",)
) -> InventoryEntry:
    return InventoryEntry(shape, None, writes, 0, True, None, True, ("SET",), sites, 1)


def changes(
    added: Iterable[Finding] = (),
    *,
    base: Sequence[InventoryEntry] | None = None,
    head: Sequence[InventoryEntry] | None = None,
    files: Iterable[str] = (),
    runtime: Iterable[str] = (),
) -> list[tuple[str, str, tuple[str, ...]]]:
    known = set(runtime)
    found = runtime_changes(
        added,
        base_inventory=base,
        head_inventory=head,
        changed_files=files,
        is_runtime_module=known.__contains__,
    )
    return [(change.kind, change.name, change.causes) for change in found]


@pytest.mark.parametrize(
    ("path", "modules"),
    [
        ("app/api/jobs.py", ("app.api.jobs",)),
        ("./app/api/jobs.py", ("app.api.jobs",)),
        ("app\\api\\jobs.py", ("app.api.jobs",)),
        ("app/api/__init__.py", ("app.api",)),
        ("src/app/jobs.py", ("app.jobs", "src.app.jobs")),
        ("src/__init__.py", ("src",)),
        ("README.md", ()),
        ("app/templates/job.html", ()),
        ("app/my-scripts/run.py", ()),  # not importable
        ("/abs/app/jobs.py", ()),
        ("C:/app/jobs.py", ()),
        ("__init__.py", ()),
    ],
)
def test_module_candidates(path: str, modules: tuple[str, ...]) -> None:
    assert module_candidates(path) == modules


def test_a_new_finding_changes_its_key_shape_endpoint_and_module() -> None:
    sent = finding(context=RuntimeContext(ENDPOINT, "POST /jobs"))
    cause = ("new finding RB101 at app/jobs.py in mark_done()",)
    assert changes([sent]) == [
        ("modules", "app.jobs", cause),
        ("endpoints", "POST /jobs", cause),
        ("keys", "t:{tenant}:job:*", cause),
    ]


def test_an_rq_job_context_is_no_endpoint_and_a_test_site_is_not_runtime() -> None:
    by_job = finding(context=RuntimeContext(RQ_JOB, "app.tasks.finish"))
    from_test = finding(site="tests/conftest.py:3", key="t:acme:seed:1")
    assert [(kind, name) for kind, name, _ in changes([by_job, from_test])] == [
        ("modules", "app.jobs"),
        ("keys", "t:{tenant}:job:*"),
    ]


def test_a_site_under_src_is_the_runtime_module_when_it_is_one() -> None:
    under_src = finding(site="src/app/jobs.py:17")
    assert changes([under_src], runtime=["src.app.jobs"])[0][:2] == ("modules", "src.app.jobs")
    assert changes([under_src])[0][:2] == ("modules", "app.jobs")


def test_new_key_shapes_written_from_runtime_code_are_changes() -> None:
    base = [entry("t:{tenant}:job:*")]
    head = [
        entry("t:{tenant}:job:*"),
        entry("t:{tenant}:dedup:*"),
        entry("t:{tenant}:seed:*", sites=("tests/test_a.py:3",)),  # written by tests only
        entry("t:{tenant}:read:*", writes=0),  # read, never written
    ]
    assert changes(base=base, head=head) == [
        ("keys", "t:{tenant}:dedup:*", ("new key shape written in HEAD's inventory",))
    ]
    assert changes(base=None, head=head) == []  # a report before 1.1: nothing to compare


def test_a_changed_file_counts_when_its_module_is_known_and_not_a_test() -> None:
    files = [
        "app/api/jobs.py",
        "app/api/notes.txt",
        "app/tests/test_jobs.py",
        "scripts/seed.py",
        "app/reports.py",
    ]
    found = changes(files=files, runtime=["app.api.jobs", "app.tests.test_jobs", "app.reports"])
    assert found == [
        ("modules", "app.api.jobs", ("changed file app/api/jobs.py",)),
        ("modules", "app.reports", ("changed file app/reports.py",)),
    ]


def test_causes_of_one_change_are_gathered_once_each() -> None:
    again = finding(site="app/jobs.py:99")  # the same identity's cause, from another line
    other = finding(rule="RB201", message="RB201 missing-ttl")
    found = changes([finding(), again, other], files=["app/jobs.py"], runtime=["app.jobs"])
    assert found[0] == (
        "modules",
        "app.jobs",
        (
            "new finding RB101 at app/jobs.py in mark_done()",
            "new finding RB201 at app/jobs.py in mark_done()",
            "changed file app/jobs.py",
        ),
    )


def runtime(*pairs: tuple[str, str], cause: str = "changed") -> list[RuntimeChange]:
    return [RuntimeChange(kind, name, (cause,)) for kind, name in pairs]


def test_yes_when_every_claiming_surface_is_updated() -> None:
    check = check_docs(
        "docs/contracts",
        runtime(("modules", "app.api.jobs"), ("keys", "t:{tenant}:job:*")),
        [JOBS, REPORTS],
        {"docs/contracts/jobs.md"},
    )
    assert check.answer
    assert check.updated == (JOBS,)
    assert (check.stale, check.unclaimed) == ((), ())


def test_no_names_the_stale_surfaces_and_the_unclaimed_changes() -> None:
    both = Surface("api", "api-team", "docs/contracts/api.md", modules=("app.api",))
    found = runtime(("modules", "app.api.jobs"), ("modules", "app.legacy"))
    check = check_docs("docs/contracts", found, [JOBS, both], {"docs/contracts/api.md"})
    assert not check.answer
    assert check.stale == (StaleSurface(JOBS, (found[0],)),)
    assert check.updated == (both,)
    assert check.unclaimed == (found[1],)


def test_no_change_is_a_yes() -> None:
    assert check_docs("docs/contracts", [], [JOBS], set()).answer


def test_render_yes() -> None:
    check = check_docs("docs/contracts", runtime(("modules", "app.api.jobs")), [JOBS], {JOBS.path})
    result = replace(diff_reports(report(finding()), report(finding())), docs=check)
    assert result.checklist()[2] == (DOCS_QUESTION, True)
    assert render(result).endswith(
        textwrap.dedent(
            """\
            - Are ownership and contract docs updated for changed runtime behavior? yes
                1 runtime change; every surface claiming it is updated:
                  command-submit-job (owner platform-team): docs/contracts/jobs.md
            """
        )
    )


def test_render_no_change() -> None:
    check = DocsCheck("docs/contracts", notes=("Key shapes not compared: base.json has none.",))
    result = replace(diff_reports(report(finding()), report(finding())), docs=check)
    assert render(result).endswith(
        textwrap.dedent(
            """\
            - Are ownership and contract docs updated for changed runtime behavior? yes (no runtime behavior changed)
                Key shapes not compared: base.json has none.
            """  # noqa: E501
        )
    )


@pytest.mark.parametrize(
    ("require_docs", "effect"),
    [
        (False, "It does not change the exit status (pass --require-docs for that)."),
        (True, "With --require-docs this fails the diff (exit 1)."),
    ],
)
def test_render_no(require_docs: bool, effect: str) -> None:
    result = diff_reports(report(finding()), report(finding(), NEW_READ.with_verdict("warning")))
    found = runtime_changes(
        [*result.added, *[finding(rule=f"RB20{n}", message="m") for n in (1, 2, 3)]],
        base_inventory=None,
        head_inventory=None,
        changed_files=["app/api/jobs.py"],
        is_runtime_module=JOBS.claims_module,
    )
    result = replace(result, docs=check_docs("docs/contracts", found, [JOBS, REPORTS], set()))
    text = render(result, require_docs=require_docs)
    assert text.endswith(
        textwrap.dedent(
            f"""\
            - Are ownership and contract docs updated for changed runtime behavior? no
                4 runtime changes: 1 surface to update, 2 unclaimed.
                Surfaces to update (their files are not among the changed files):
                  command-submit-job (owner platform-team): docs/contracts/jobs.md
                    module app.api.jobs: changed file app/api/jobs.py
                    key shape t:{{tenant}}:job:*: new finding RB102 at app/api.py in status(); new finding RB201 at app/jobs.py in mark_done(); new finding RB202 at app/jobs.py in mark_done(); and 1 more
                Unclaimed (no surface in docs/contracts claims it; add one):
                  module app.api: new finding RB102 at app/api.py in status()
                  module app.jobs: new finding RB201 at app/jobs.py in mark_done(); new finding RB202 at app/jobs.py in mark_done(); new finding RB203 at app/jobs.py in mark_done()

            A no to the third question: update each surface named above in this pull request (its owner reviews it), and claim each unclaimed change in the front matter (modules, endpoints, keys) of a surface in docs/contracts. {effect}
            """  # noqa: E501
        )
    )


def test_a_result_with_its_docs_check_pickles() -> None:
    found = runtime(("modules", "app.api.jobs"))
    result = replace(
        diff_reports(report(finding()), report(finding(), NEW_READ)),
        docs=check_docs("docs/contracts", found, [JOBS], set()),
    )
    assert pickle.loads(pickle.dumps(result)) == result
