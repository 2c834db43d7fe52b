"""The docs site's rule pages, ``rules/RBnnn.md``: one per rule, built when the site is built.

Each page takes its words from the rule catalogue the plugin's own messages use
(``core/catalogue.py``: name, description, contract clause, how to fix) and its failing example
from ``examples/rules``: ``test_rbnnn.py`` (a test file, with ``rbnnn.yaml`` as the policy when
the rule needs one) or ``rbnnn/`` (a package and its ``.importlinter``, for the import rules).
The example's last comment block, from ``# ... says:`` on, is what the run prints; the page shows
it, and ``tests/test_rule_pages.py`` runs every example and checks that it does.

mkdocs runs this module as a hook (``mkdocs.yml`` ``hooks:``), so the pages are never written to
the repository and cannot drift from the catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_redis_boundary.core.catalogue import (
    CONTRACT_CLAUSES,
    HOW_TO_FIX,
    RULE_DESCRIPTIONS,
    RULE_NAMES,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "rules"
SAYS = re.compile(r"^# (?P<command>.+) says:$", re.MULTILINE)

# How a run shows each example's finding, when it is not a plain pytest run of the file.
COMMANDS = {
    "RB903": "pytest --redis-boundary-strict-exceptions test_rb903.py",
}

_GOVERNANCE = (
    "No exception covers RB9xx: an exception cannot excuse a broken exception. Fix the "
    "exception itself, as the message says ([exceptions.md](../reference/exceptions.md))."
)


@dataclass(frozen=True)
class Example:
    """A rule's failing example: its files (name -> text, without the output block), the
    command that shows the finding, and the lines that command prints."""

    rule: str
    files: dict[str, str]
    command: str
    output: tuple[str, ...]


def _split_output(text: str) -> tuple[str, str, tuple[str, ...]]:
    """``text`` without its ``# ... says:`` block, the command named there, the lines."""
    match = SAYS.search(text)
    if match is None:
        return text, "", ()
    lines = text[match.end() :].strip("\n").splitlines()
    output = tuple(line.removeprefix("# ").removeprefix("#") for line in lines)
    return text[: match.start()].rstrip("\n") + "\n", match.group("command"), output


def load_example(rule: str) -> Example:
    """The example of ``rule`` from ``examples/rules`` (``ValueError`` if it has none)."""
    name = rule.lower()
    single = EXAMPLES / f"test_{name}.py"
    package = EXAMPLES / name
    files: dict[str, str] = {}
    if single.is_file():
        code, command, output = _split_output(single.read_text(encoding="utf-8"))
        policy = EXAMPLES / f"{name}.yaml"
        if policy.is_file():
            files["redis-boundary.yaml"] = policy.read_text(encoding="utf-8")
        files[single.name] = code
        command = COMMANDS.get(rule, f"pytest {single.name}")
    elif package.is_dir():
        config = package / ".importlinter"
        text, command, output = _split_output(config.read_text(encoding="utf-8"))
        files[".importlinter"] = text
        for path in sorted(package.rglob("*")):
            # An empty __init__.py says nothing on the page.
            if path.is_file() and path != config and path.stat().st_size:
                files[path.relative_to(package).as_posix()] = path.read_text(encoding="utf-8")
    else:
        raise ValueError(f"examples/rules has no example for {rule}: add test_{name}.py")
    if not output:
        raise ValueError(f"the example of {rule} has no '# ... says:' block: add what it prints")
    return Example(rule=rule, files=files, command=command, output=output)


def _fence(name: str) -> str:
    return {".py": "python", ".yaml": "yaml", ".json": "json"}.get(Path(name).suffix, "ini")


def _how_to_except(rule: str) -> str:
    if rule.startswith("RB9"):
        return _GOVERNANCE
    if rule.startswith("RB5"):
        return (
            "Name the chain in an exception's `imports:` (an import allowance, with owner, reason, "
            "expiry date and removal issue), or freeze today's chains with `redis-boundary freeze` "
            "so that only new ones break the contract "
            "([contracts.md](../reference/contracts.md))."
        )
    return (
        "A temporary, owned exception, for one test:\n\n"
        "```python\n"
        "@pytest.mark.redis_boundary_exception(\n"
        '    owner="platform-team",\n'
        '    exception_reason="legacy path until the product store migration ships",\n'
        '    expiry_date="2027-01-31",\n'
        '    removal_issue="PLAT-812",\n'
        f'    rules=["{rule}"],\n'
        ")\n"
        "```\n\n"
        "or for many, an entry with the same fields and `keys:`/`tests:` globs in the policy's "
        "`exceptions:` register ([exceptions.md](../reference/exceptions.md)). It stops "
        "covering on its expiry date (RB902) and is reported when it matches nothing (RB903)."
    )


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def rule_page(rule: str) -> str:
    """The Markdown of ``rules/<rule>.md``."""
    name = RULE_NAMES[rule]
    title = f"{rule} {name}"
    section, clause = CONTRACT_CLAUSES[rule]
    example = load_example(rule)
    parts = [
        f"# {title}",
        "",
        "## What it catches",
        "",
        RULE_DESCRIPTIONS[rule],
        f"The details are in the [rules reference](../reference/rules.md#{_anchor(title)}).",
        "",
        "## The contract clause it enforces",
        "",
        f"[{section}](../redis-rq-retirement-boundary.md#{_anchor(section)}):",
        "",
        f"> {clause}",
        "",
        "## A failing example",
        "",
    ]
    for file_name, text in example.files.items():
        parts += [f"`{file_name}`:", "", f"```{_fence(file_name)}", text.rstrip("\n"), "```", ""]
    parts += [
        f"`{example.command}` prints:",
        "",
        "```text",
        *example.output,
        "```",
        "",
    ]
    fix = HOW_TO_FIX.get(rule)
    if fix:
        parts += ["## How to fix", "", fix[0].upper() + fix[1:], ""]
    parts += ["## How to except it", "", _how_to_except(rule), ""]
    return "\n".join(parts)


def on_files(files: Any, config: Any) -> Any:
    """mkdocs hook: add every rule's page to the site's files."""
    from mkdocs.structure.files import File

    for rule in RULE_NAMES:
        files.append(File.generated(config, f"rules/{rule}.md", content=rule_page(rule)))
    return files
