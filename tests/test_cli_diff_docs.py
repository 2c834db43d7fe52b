"""``redis-boundary diff --changed-files``: the enforcement checklist's third question."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pytest_redis_boundary.cli import main
from pytest_redis_boundary.core.gate import DOCS_QUESTION
from pytest_redis_boundary.core.inventory import InventoryEntry
from tests.report_samples import NEW_READ, finding, report
from tests.rq_projects import rq_contract_config, write_files

VENV_BIN = Path(sys.executable).parent

JOBS_SURFACE = """\
---
surface: command-submit-job
owner: platform-team
modules: ["app.api"]
keys: ["t:{tenant}:job:*"]
---
# Submitting a job
"""
WORKERS_SURFACE = """\
---
surface: workers
owner: jobs-team
modules: ["app.workers"]
---
# Workers
"""
IMPORTLINTER = rq_contract_config("app", "app.api", "app.workers")
APP = {
    "app/__init__.py": "",
    "app/api/__init__.py": "",
    "app/api/jobs.py": "def submit():\n    return 1\n",
    "app/workers/__init__.py": "",
    "app/workers/legacy.py": "def run():\n    return 2\n",
}
# A finding an active exception covers: new at runtime, yet the gate does not block, so the exit
# status shows what the docs answer alone does to it.
COVERED = NEW_READ.with_verdict("excepted", "EXC-7")
ANSWER = f"- {DOCS_QUESTION} "


@dataclass
class Run:
    status: int
    out: str
    err: str

    @property
    def answer(self) -> str:
        (line,) = [line for line in self.out.splitlines() if line.startswith(ANSWER)]
        return line.removeprefix(ANSWER)


@dataclass
class Project:
    root: Path
    capsys: pytest.CaptureFixture[str]

    def write(self, files: dict[str, str]) -> None:
        write_files(self.root, files)

    def reports(
        self, base: dict[str, Any] | None = None, head: dict[str, Any] | None = None
    ) -> tuple[str, str]:
        self.write({"base.json": json.dumps(base or report(finding()))})
        self.write({"head.json": json.dumps(head or report(finding()))})
        return "base.json", "head.json"

    def changed(self, *paths: str) -> str:
        self.write({"changed.txt": "".join(f"{path}\n" for path in paths)})
        return "changed.txt"

    def diff(self, *args: str, stdin: bytes | None = None) -> Run:
        self.capsys.readouterr()
        if stdin is not None:
            sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
        status = main(["diff", *args])
        captured = self.capsys.readouterr()
        return Run(status, captured.out, captured.err)


@pytest.fixture
def project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Project]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "stdin", sys.stdin)  # restored after tests that replace it
    for name in [m for m in sys.modules if m == "app" or m.startswith("app.")]:
        monkeypatch.delitem(sys.modules, name)
    found = Project(tmp_path, capsys)
    found.write({"docs/contracts/jobs.md": JOBS_SURFACE})
    yield found


def test_yes_when_the_claiming_surface_is_among_the_changed_files(project: Project) -> None:
    base, head = project.reports(head=report(finding(), COVERED))
    changed = project.changed("app/api.py", "docs/contracts/jobs.md")
    run = project.diff(base, head, "--changed-files", changed, "--require-docs")
    assert (run.status, run.err) == (0, "")
    assert run.answer == "yes"
    assert (
        textwrap.dedent(
            """\
        - Are ownership and contract docs updated for changed runtime behavior? yes
            2 runtime changes; every surface claiming them is updated:
              command-submit-job (owner platform-team): docs/contracts/jobs.md
        """
        )
        in run.out
    )
    assert "A no to the third question" not in run.out


def test_no_names_the_surface_and_its_owner_and_keeps_the_exit_status(project: Project) -> None:
    base, head = project.reports(head=report(finding(), COVERED))
    run = project.diff(base, head, "--changed-files", project.changed("app/api.py"))
    assert (run.status, run.err) == (0, "")
    assert run.answer == "no"
    assert (
        textwrap.dedent(
            """\
        - Are ownership and contract docs updated for changed runtime behavior? no
            2 runtime changes: 1 surface to update.
            Surfaces to update (their files are not among the changed files):
              command-submit-job (owner platform-team): docs/contracts/jobs.md
                module app.api: new finding RB102 at app/api.py in status(); changed file app/api.py
                key shape t:{tenant}:job:*: new finding RB102 at app/api.py in status()
            Runtime modules not known: no import-linter config here (pass --config FILE); a changed file counts only when a surface claims its module.

        A no to the third question:"""  # noqa: E501
        )
        in run.out
    )
    assert "It does not change the exit status (pass --require-docs for that)." in run.out


def test_no_with_require_docs_exits_1(project: Project) -> None:
    base, head = project.reports(head=report(finding(), COVERED))
    run = project.diff(base, head, "--changed-files", project.changed(), "--require-docs")
    assert (run.status, run.err) == (1, "")
    assert run.out.startswith("redis-boundary diff: clean:")  # the gate itself passes
    assert run.answer == "no"
    assert "With --require-docs this fails the diff (exit 1)." in run.out


def test_a_blocked_diff_exits_1_whatever_the_docs(project: Project) -> None:
    base, head = project.reports(head=report(finding(), NEW_READ))
    run = project.diff(base, head, "--changed-files", project.changed("docs/contracts/jobs.md"))
    assert (run.status, run.answer) == (1, "yes")


def test_not_checked_without_changed_files(project: Project) -> None:
    (project.root / "docs/contracts/jobs.md").unlink()  # the surfaces are not read
    base, head = project.reports(head=report(finding(), COVERED))
    run = project.diff(base, head)
    assert (run.status, run.err) == (0, "")
    assert run.answer == (
        "not checked (pass --changed-files FILE to check it, or answer it in the review)"
    )


def test_the_changed_files_are_read_from_stdin(project: Project) -> None:
    base, head = project.reports(head=report(finding(), COVERED))
    stdin = b"app/api.py\ndocs/contracts/jobs.md\n"
    run = project.diff(base, head, "--changed-files", "-", stdin=stdin)
    assert (run.status, run.err, run.answer) == (0, "", "yes")
    run = project.diff(base, head, "--changed-files", "-", stdin=b"app/api.py\n")
    assert (run.status, run.answer) == (0, "no")


def test_the_console_script_reads_a_pipe(project: Project) -> None:
    """As CI runs it: git diff --name-only ... | redis-boundary diff ... --changed-files -."""
    base, head = project.reports(head=report(finding(), COVERED))
    done = subprocess.run(
        [str(VENV_BIN / "redis-boundary"), "diff", base, head, "--changed-files", "-",
         "--require-docs"],
        input=b"app/api.py\n",
        cwd=project.root,
        capture_output=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert (
        "command-submit-job (owner platform-team): docs/contracts/jobs.md" in done.stdout.decode()
    )


def test_nothing_changed_at_runtime_is_a_yes(project: Project) -> None:
    base, head = project.reports()
    run = project.diff(
        base, head, "--changed-files", project.changed("README.md"), "--require-docs"
    )
    assert (run.status, run.err) == (0, "")
    assert run.answer == "yes (no runtime behavior changed)"


def test_a_changed_runtime_module_file_with_no_finding_change(project: Project) -> None:
    """The module is runtime by the rq_retirement contract's runtime_modules (the import graph):
    a change no surface claims is unclaimed, one a surface claims needs that surface updated."""
    project.write({**APP, ".importlinter": IMPORTLINTER})
    base, head = project.reports()
    changed = project.changed("app/api/jobs.py", "app/workers/legacy.py", "tests/test_jobs.py")
    run = project.diff(base, head, "--changed-files", changed, "--no-cache")
    assert (run.status, run.err) == (0, "")
    assert (
        textwrap.dedent(
            """\
        - Are ownership and contract docs updated for changed runtime behavior? no
            2 runtime changes: 1 surface to update, 1 unclaimed.
            Surfaces to update (their files are not among the changed files):
              command-submit-job (owner platform-team): docs/contracts/jobs.md
                module app.api.jobs: changed file app/api/jobs.py
            Unclaimed (no surface in docs/contracts claims it; add one):
              module app.workers.legacy: changed file app/workers/legacy.py
        """
        )
        in run.out
    )
    project.write({"docs/contracts/workers.md": WORKERS_SURFACE})
    changed = project.changed(
        "app/api/jobs.py", "app/workers/legacy.py", "docs/contracts/jobs.md",
        "docs/contracts/workers.md",
    )  # fmt: skip
    run = project.diff(base, head, "--changed-files", changed, "--no-cache", "--require-docs")
    assert (run.status, run.answer) == (0, "yes")


def test_without_an_import_linter_config_a_claimed_module_still_counts(project: Project) -> None:
    project.write(APP)
    base, head = project.reports()
    changed = project.changed("app/api/jobs.py", "app/workers/legacy.py")
    run = project.diff(base, head, "--changed-files", changed)
    assert run.answer == "no"
    assert "module app.api.jobs: changed file app/api/jobs.py" in run.out
    assert "app.workers.legacy" not in run.out  # neither runtime nor claimed
    assert (
        "    Runtime modules not known: no import-linter config here (pass --config FILE); a "
        "changed file counts only when a surface claims its module.\n"
    ) in run.out


def test_an_unclaimed_new_key_shape(project: Project) -> None:
    dedup = InventoryEntry(
        "t:{tenant}:dedup:*", None, 1, 0, True, 60.0, False, ("SET",), ("app/api/jobs.py:9",), 1
    )
    base, head = project.reports(head=report(finding(), inventory=[dedup]))
    run = project.diff(base, head, "--changed-files", project.changed("docs/contracts/jobs.md"))
    assert (run.status, run.answer) == (0, "no")
    assert (
        textwrap.dedent(
            """\
        - Are ownership and contract docs updated for changed runtime behavior? no
            1 runtime change: 1 unclaimed.
            Unclaimed (no surface in docs/contracts claims it; add one):
              key shape t:{tenant}:dedup:*: new key shape written in HEAD's inventory
        """
        )
        in run.out
    )
    assert "claim each unclaimed change in the front matter" in run.out


def test_a_report_without_inventory_is_said_not_compared(project: Project) -> None:
    old = report(finding())
    del old["inventory"]  # written before 1.1
    base, head = project.reports(base=old)
    run = project.diff(base, head, "--changed-files", project.changed())
    assert run.answer == "yes (no runtime behavior changed)"
    assert "    Key shapes not compared: base.json has no inventory (written before 1.1).\n" in (
        run.out
    )


def test_surfaces_elsewhere(project: Project) -> None:
    project.write({"contracts/jobs.md": JOBS_SURFACE})
    base, head = project.reports(head=report(finding(), COVERED))
    changed = project.changed("./contracts/jobs.md")
    run = project.diff(base, head, "--changed-files", changed, "--surfaces", "contracts")
    assert (run.status, run.answer) == (0, "yes")


# --- bad input -------------------------------------------------------------------------------


def assert_usage(run: Run, start: str, *parts: str) -> None:
    assert (run.status, run.out) == (2, "")
    assert run.err.startswith(f"redis-boundary: {start}"), run.err
    for part in parts:
        assert part in run.err
    assert "Traceback" not in run.err


def test_a_missing_surfaces_folder_is_a_usage_error(project: Project) -> None:
    base, head = project.reports()
    run = project.diff(base, head, "--changed-files", project.changed(), "--surfaces", "nope")
    assert_usage(run, "nope: no such folder. Fix: create it", "or pass --surfaces DIR.")


def test_without_the_default_surfaces_folder_the_question_is_not_checked(
    project: Project,
) -> None:
    (project.root / "docs" / "contracts" / "jobs.md").unlink()
    (project.root / "docs" / "contracts").rmdir()
    base, head = project.reports(head=report(finding(), COVERED))
    run = project.diff(base, head, "--changed-files", project.changed("app/api.py"))
    assert (run.status, run.err) == (0, "")
    assert run.answer == (
        "not checked (no docs/contracts folder here: add contract surfaces there, or pass "
        "--surfaces DIR)"
    )
    required = project.diff(
        base, head, "--changed-files", project.changed("app/api.py"), "--require-docs"
    )
    assert_usage(required, "--require-docs needs contract surfaces, and there is no docs/")


def test_malformed_front_matter_names_the_file_and_line(project: Project) -> None:
    project.write({"docs/contracts/bad.md": "---\nsurface: x\nowner: [unclosed\n---\n"})
    base, head = project.reports()
    run = project.diff(base, head, "--changed-files", project.changed())
    assert_usage(run, "docs/contracts/bad.md:", "invalid YAML", "Fix: correct the YAML syntax.")
    assert run.err.split(":")[2].isdigit()  # file:line:


@pytest.mark.parametrize(
    ("content", "start", "part"),
    [
        (None, "changed.txt: no such changed-files list.", "--changed-files - to read it"),
        (b"app/a.py\n\x00\x01\x02", "changed.txt:2: holds a NUL byte", "Fix: write one path"),
        (b"app/\xff.py\n", "changed.txt:1: is not UTF-8 text", "git diff --name-only"),
        (b"M\tapp/a.py\n", "changed.txt:1: 'M\\tapp/a.py' holds a tab", "--name-status"),
    ],
)
def test_a_bad_changed_files_list_is_a_usage_error(
    project: Project, content: bytes | None, start: str, part: str
) -> None:
    if content is not None:
        (project.root / "changed.txt").write_bytes(content)
    base, head = project.reports()
    assert_usage(project.diff(base, head, "--changed-files", "changed.txt"), start, part)


def test_a_folder_as_changed_files_is_a_usage_error(project: Project) -> None:
    base, head = project.reports()
    run = project.diff(base, head, "--changed-files", "docs")
    assert_usage(run, "docs: cannot read the changed-files list", "or - for stdin")


def test_bad_stdin_names_stdin(project: Project) -> None:
    base, head = project.reports()
    run = project.diff(base, head, "--changed-files", "-", stdin=b"\xfe\xff")
    assert_usage(run, "stdin:1: is not UTF-8 text")


def test_require_docs_needs_changed_files(project: Project) -> None:
    base, head = project.reports()
    assert_usage(project.diff(base, head, "--require-docs"), "--require-docs needs --changed-files")


def test_a_config_without_runtime_modules_is_a_usage_error(project: Project) -> None:
    project.write({**APP, "other.ini": "[importlinter]\nroot_packages =\n    app\n\n"
                   "[importlinter:contract:x]\nname = x\ntype = independence\nmodules =\n"
                   "    app.api\n    app.workers\n"})  # fmt: skip
    base, head = project.reports()
    changed = project.changed("app/api/jobs.py")
    run = project.diff(base, head, "--changed-files", changed, "--config", "other.ini")
    assert_usage(run, "other.ini has no contract of type rq_retirement", "add one")
