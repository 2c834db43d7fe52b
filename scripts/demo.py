"""``make demo``: the legacy export service and the migrated one, judged side by side.

For each of ``examples/legacy_app`` (warn mode: Redis and RQ as the system of record) and
``examples/migrated_app`` (strict mode: Redis only for bounded-TTL operational work), run from
its own folder as a user runs it: the test suite with the plugin, writing a JSON report; the
import contracts (``redis-boundary check``); the key inventory; the retirement scorecard. Then a
short comparison. On fakeredis, no server needed. Reports go to ``reports/``.

Exit 0 when the demo shows what it is meant to: both suites pass, the legacy service fails the
scorecard and the migrated one is complete with no findings; 1 otherwise, saying what differs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
REPORTS = REPO / "reports"
# The criteria in a few words, for the comparison's rows (the scorecard prints the contract's).
SHORT_TITLES = {
    "C1": "no RQ job writes business state",
    "C2": "no endpoint reads job state",
    "C3": "every runtime path has a surface",
    "C4": "keys bounded-TTL operational",
}


@dataclass(frozen=True)
class App:
    name: str
    folder: Path
    mode: str

    def report(self, what: str) -> str:
        """The path of one of its reports, as given to tools run from its folder."""
        return os.path.relpath(REPORTS / f"{self.name}-{what}.json", self.folder)


APPS = (
    App("legacy", REPO / "examples" / "legacy_app", "warn"),
    App("migrated", REPO / "examples" / "migrated_app", "strict"),
)


def run(app: App, *args: str, show: bool = True, keep: int | None = None) -> tuple[int, str]:
    """Run a tool of this environment in the app's folder; print the command and its output."""
    tool, *rest = args
    shown = " ".join(args)
    done = subprocess.run(
        [str(BIN / tool), *rest], cwd=app.folder, capture_output=True, text=True, check=False
    )
    output = done.stdout + done.stderr
    if show:
        print(f"\n$ {shown}    (in examples/{app.folder.name}, exit {done.returncode})")
        lines = output.rstrip("\n").splitlines()
        if keep is not None and len(lines) > keep:
            lines = [*lines[:keep], f"... ({len(lines) - keep} more lines)"]
        print("\n".join(lines))
    return done.returncode, output


def plugin_summary(output: str) -> str:
    """pytest's last lines from the plugin's own summary section on."""
    lines = output.rstrip("\n").splitlines()
    start = next((i for i, line in enumerate(lines) if " redis-boundary " in line), 0)
    return "\n".join(lines[start:])


def judge(app: App) -> dict[str, Any]:
    print(f"\n{'=' * 30} {app.name} service ({app.mode} mode) {'=' * 30}")
    report = app.report("report")
    status, output = run(
        app, "pytest", "-q", "-p", "no:randomly", f"--redis-boundary-report={report}", show=False
    )
    print(f"\n$ pytest --redis-boundary-report={report}    "
          f"(in examples/{app.folder.name}, exit {status})")  # fmt: skip
    print(plugin_summary(output))
    check = app.report("check")
    contracts_status, contracts = run(app, "redis-boundary", "check", "--format", "json",
                                      show=False)  # fmt: skip
    (app.folder / check).write_text(contracts)
    run(app, "redis-boundary", "check")
    run(app, "redis-boundary", "inventory", str(report), keep=14)
    card_status, _ = run(
        app, "redis-boundary", "scorecard", str(report), "--contracts", str(check), keep=24
    )
    _, card = run(app, "redis-boundary", "scorecard", str(report), "--contracts", str(check),
                  "--format", "json", show=False)  # fmt: skip
    return {
        "tests": status,
        "contracts": contracts_status,
        "report": json.loads((app.folder / report).read_text()),
        "scorecard": json.loads(card),
        "scorecard_status": card_status,
    }


def comparison(results: dict[str, dict[str, Any]]) -> list[str]:
    legacy, migrated = results["legacy"], results["migrated"]
    lines = ["", "=" * 30 + " the two services side by side " + "=" * 30, ""]
    header = f"{'':36}{'legacy (warn)':>18}{'migrated (strict)':>20}"
    lines.append(header)

    def row(label: str, left: object, right: object) -> None:
        lines.append(f"{label:36}{left!s:>18}{right!s:>20}")

    row("tests passed", _passed(legacy), _passed(migrated))
    row("Redis commands recorded", legacy["report"]["summary"]["calls"],
        migrated["report"]["summary"]["calls"])  # fmt: skip
    row("findings", len(legacy["report"]["findings"]), len(migrated["report"]["findings"]))
    row("import contracts", _kept(legacy), _kept(migrated))
    for criterion, right in zip(
        legacy["scorecard"]["criteria"], migrated["scorecard"]["criteria"], strict=True
    ):
        label = f"{criterion['id']} {SHORT_TITLES.get(criterion['id'], '')}"
        row(label, criterion["status"], right["status"])
    row("retirement complete", _yes(legacy["scorecard"]["complete"]),
        _yes(migrated["scorecard"]["complete"]))  # fmt: skip
    lines += ["", "The legacy service's findings by rule, with their call sites:"]
    by_rule: dict[str, Counter[str]] = {}
    names: dict[str, str] = {}
    for finding in legacy["report"]["findings"]:
        by_rule.setdefault(finding["rule"], Counter())[finding["site"] or "?"] += 1
        names[finding["rule"]] = finding["message"].split(":", 1)[0]
    for rule in sorted(by_rule):
        sites = ", ".join(site for site, _ in by_rule[rule].most_common(3))
        lines.append(f"  {names[rule]:<24} {sum(by_rule[rule].values()):>3}  {sites}")
    failing = [c["id"] for c in legacy["scorecard"]["criteria"] if c["status"] != "pass"]
    lines += [
        "",
        f"The legacy service fails {', '.join(failing)}; the migrated one keeps product state in "
        "its database, runs jobs on the execution stack and uses Redis only for a read-through "
        "cache, a lease and an in-flight dedup key, each with a TTL: no finding, all four "
        "criteria pass.",
        f"Reports: {REPORTS.relative_to(REPO)}/ (redis-boundary report FILE renders one).",
    ]
    return lines


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _passed(result: dict[str, Any]) -> str:
    return "yes" if result["tests"] == 0 else f"no (exit {result['tests']})"


def _kept(result: dict[str, Any]) -> str:
    return "kept" if result["contracts"] == 0 else "broken"


def problems(results: dict[str, dict[str, Any]]) -> list[str]:
    """What differs from what the demo is meant to show."""
    legacy, migrated = results["legacy"], results["migrated"]
    found = []
    if legacy["tests"] != 0 or migrated["tests"] != 0:
        found.append("a suite failed (warn mode never fails a test; strict must pass)")
    if migrated["report"]["findings"] or not migrated["scorecard"]["complete"]:
        found.append("the migrated service has findings or an incomplete scorecard")
    if legacy["scorecard"]["complete"] or not legacy["report"]["findings"]:
        found.append("the legacy service shows no findings")
    return found


def main() -> int:
    REPORTS.mkdir(exist_ok=True)
    results = {app.name: judge(app) for app in APPS}
    print("\n".join(comparison(results)))
    wrong = problems(results)
    for problem in wrong:
        print(f"demo: {problem}", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
