"""The field check: public suites run without the plugin and in warn mode, compared per test.

Each suite in ``SUITES`` is downloaded from its published sdist on PyPI, unpacked and installed
into its own virtualenv under the cache folder, together with the plugin's wheel built from this
checkout (the install users get). Its tests run against a loopback redis-server the script starts
(or ``--url``): with the plugin disabled (``-p no:redis_boundary``; ``--repeat`` times, to see
flaky tests), in warn mode with a JSON report, and with ``--strict`` also in strict mode. It
prints one markdown table (tests, outcome differences, recording problems, wall-time ratio,
findings per rule, strict failures), then the details. Exit 1 when a suite has an outcome
difference in warn mode or a recording problem, 0 when none has, 2 on a usage error.

Not run in CI; how to run it and how to read it: docs/reference/field-check.md.

    .venv/bin/python scripts/field_check.py [--suite walrus] [--repeat 2] [--strict]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

REPO: Final = Path(__file__).resolve().parent.parent
DEFAULT_CACHE: Final = REPO / "build" / "field-check"
# Every suite runs serially and without the pytest plugins that would change order or add noise.
COMMON_ARGS: Final = ("-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:randomly")
PLUGIN_OFF: Final = ("-p", "no:redis_boundary")


@dataclass(frozen=True)
class Suite:
    """One public suite. ``env`` values may use ``{host}``, ``{port}``, ``{url}``, ``{src}``."""

    name: str  # the PyPI project
    version: str
    tests: tuple[str, ...]  # paths in the unpacked sdist
    requirements: tuple[str, ...]  # pinned, besides the suite's own package and the plugin
    # The suite's pytest config file in the sdist, or None: an empty one is given instead, so
    # that pytest never climbs out of the unpacked sdist into a config file above it.
    config: str | None = None
    pytest_args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    # Tests that fail without the plugin too, each with the reason.
    deselect: Mapping[str, str] = field(default_factory=dict)
    note: str = ""


WALRUS_MODULES: Final = (
    "autocomplete cache containers counter database fts graph lock models rate_limit streams"
)

SUITES: Final = (
    Suite(
        name="walrus",
        version="0.9.8",
        # The tests live in the package, in modules not named test_*; their __init__ re-imports
        # them all, so the modules are named one by one.
        tests=tuple(f"walrus/tests/{m}.py" for m in WALRUS_MODULES.split()),
        requirements=("pytest==9.2.0", "redis==8.1.0"),
        pytest_args=("-o", "python_files=*.py"),
        env={"WALRUS_REDIS_HOST": "{host}", "WALRUS_REDIS_PORT": "{port}"},
        note="containers, models, full-text search, rate limits, streams; pipelines and Lua",
    ),
    Suite(
        name="python-redis-lock",
        version="4.0.1",
        tests=("tests",),
        config="pytest.ini",
        requirements=(
            "pytest==9.2.0",
            "redis==8.1.0",
            "process-tests==3.0.0",
            "gevent==26.9.0",
            "eventlet==0.41.3",
            "Django==5.2.19",
            "django-redis==7.0.0",
        ),
        env={"PYTHONPATH": "{src}/tests", "DJANGO_SETTINGS_MODULE": "test_project.settings"},
        note=(
            "Lua-based locks, threads, forked processes; its fixtures start their own "
            "redis-server on a unix socket per test; its pytest.ini sets filterwarnings=error"
        ),
    ),
)


# --- the server -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    db: int

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/{self.db}"

    def command(self, *words: str) -> bytes:
        """Send one command in RESP and return the first line of the reply."""
        payload = f"*{len(words)}\r\n" + "".join(f"${len(w)}\r\n{w}\r\n" for w in words)
        with socket.create_connection((self.host, self.port), timeout=5) as conn:
            conn.sendall(payload.encode())
            return conn.makefile("rb").readline().strip()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def redis_server(url: str | None, workdir: Path) -> Iterator[Server]:
    """The ``--url`` server, or a fresh redis-server on a free loopback port, stopped after."""
    if url is not None:
        parts = urlsplit(url)
        yield Server(parts.hostname or "127.0.0.1", parts.port or 6379, int(parts.path[1:] or 0))
        return
    port = _free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    argv += ["--appendonly", "no", "--dir", str(workdir)]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server("127.0.0.1", port, 0)
    try:
        for _ in range(100):
            try:
                if server.command("PING") == b"+PONG":
                    break
            except OSError:
                time.sleep(0.05)
        else:
            raise SystemExit(f"field-check: redis-server on port {port} did not start")
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --- the plugin's wheel, the sdists, the venvs ----------------------------------------------


def _run(argv: Sequence[str | Path], *, cwd: Path | None = None) -> None:
    done = subprocess.run(
        [str(a) for a in argv], cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        raise SystemExit(f"field-check: {' '.join(map(str, argv))} failed:\n{tail}")


def _source_digest() -> str:
    digest = hashlib.sha256()
    files = sorted((REPO / "pytest_redis_boundary").rglob("*"))
    for path in [REPO / "setup.py", REPO / "pyproject.toml", *files]:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def plugin_wheel(cache: Path) -> Path:
    """The wheel of this checkout (compiled as users get it), rebuilt when the source changed."""
    wheel_dir = cache / "wheel"
    stamp = wheel_dir / "source.sha256"
    digest = _source_digest()
    wheels = sorted(wheel_dir.glob("*.whl"))
    if not (wheels and stamp.is_file() and stamp.read_text() == digest):
        shutil.rmtree(wheel_dir, ignore_errors=True)
        print("field-check: building the plugin's wheel", file=sys.stderr)
        _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheel_dir, REPO])
        stamp.write_text(digest)
        wheels = sorted(wheel_dir.glob("*.whl"))
    return wheels[-1]


def unpacked_sdist(suite: Suite, cache: Path) -> tuple[Path, Path]:
    """The suite's sdist and its unpacked folder (downloaded once)."""
    sdists = cache / "sdist"
    found = _find_sdist(suite, sdists)
    if found is None:
        print(f"field-check: downloading {suite.name}=={suite.version}", file=sys.stderr)
        pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:"]
        _run([*pip, f"{suite.name}=={suite.version}", "-d", sdists])
        found = _find_sdist(suite, sdists)
        if found is None:
            raise SystemExit(f"field-check: no sdist of {suite.name} {suite.version} downloaded")
    target = cache / "src" / f"{suite.name}-{suite.version}"
    if not target.is_dir():
        with tempfile.TemporaryDirectory(dir=cache) as tmp, tarfile.open(found) as archive:
            archive.extractall(tmp, filter="data")
            (top,) = Path(tmp).iterdir()
            target.parent.mkdir(parents=True, exist_ok=True)
            top.rename(target)
    return found, target


def _find_sdist(suite: Suite, sdists: Path) -> Path | None:
    stem = suite.name.replace("-", "_").lower()
    for path in sdists.glob("*.tar.gz") if sdists.is_dir() else ():
        name = path.name.replace("-", "_").lower()
        if name == f"{stem}_{suite.version}.tar.gz":
            return path
    return None


def suite_venv(suite: Suite, cache: Path, wheel: Path, sdist: Path) -> Path:
    """The suite's virtualenv, reinstalled only when the wheel or the pins changed."""
    venv = cache / "venvs" / f"{suite.name}-{suite.version}"
    stamp = venv / "field-check.json"
    wanted = json.dumps(
        {
            "wheel": hashlib.sha256(wheel.read_bytes()).hexdigest(),
            "sdist": sdist.name,
            "requirements": list(suite.requirements),
            "python": sys.version,
        },
        sort_keys=True,
    )
    if stamp.is_file() and stamp.read_text() == wanted:
        return venv
    print(f"field-check: installing {suite.name} {suite.version} into {venv}", file=sys.stderr)
    shutil.rmtree(venv, ignore_errors=True)
    _run([sys.executable, "-m", "venv", venv])
    pip: list[str | Path] = [venv / "bin" / "python", "-m", "pip", "install", "-q"]
    _run([*pip, *suite.requirements, sdist, wheel])
    stamp.write_text(wanted)
    return venv


# --- one pytest run and its outcomes --------------------------------------------------------


@dataclass
class RunResult:
    label: str
    outcomes: dict[str, str]  # test id -> passed, failed, error or skipped
    seconds: float
    exit_code: int
    log: Path
    problems: list[str] = field(default_factory=list)  # recording problems the plugin listed
    findings: Counter[str] = field(default_factory=Counter)  # rule -> findings in the report


_RANK: Final = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}


def read_junit(path: Path) -> dict[str, str]:
    """Each test's outcome; a test with a failure and a teardown error counts as ``error``."""
    outcomes: dict[str, str] = {}
    if not path.is_file():
        return outcomes
    for case in ET.parse(path).getroot().iter("testcase"):
        test = f"{case.get('classname', '')}::{case.get('name', '')}"
        outcome = "passed"
        for child in case:
            tag = {"failure": "failed", "error": "error", "skipped": "skipped"}.get(child.tag)
            if tag is not None and _RANK[tag] > _RANK[outcome]:
                outcome = tag
        if _RANK[outcome] >= _RANK[outcomes.get(test, "passed")]:
            outcomes[test] = outcome
    return outcomes


def read_problems(log_text: str) -> list[str]:
    """The plugin's ``recording problems (N):`` lines and any INTERNALERROR of pytest."""
    problems: list[str] = []
    lines = log_text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("recording problems ("):
            for item in lines[index + 1 :]:
                if not item.startswith("  "):
                    break
                problems.append(item.strip())
        elif line.startswith("INTERNALERROR>") and "Error" in line:
            problems.append(line)
    return problems


def run_pytest(
    suite: Suite,
    venv: Path,
    src: Path,
    server: Server,
    out: Path,
    label: str,
    mode_args: Sequence[str],
    timeout: float,
) -> RunResult:
    junit = out / f"{label}.xml"
    report = out / f"{label}.json"
    log = out / f"{label}.log"
    for stale in (junit, report, log):
        stale.unlink(missing_ok=True)
    server.command("FLUSHALL")
    if suite.config is None:
        config = out / "empty-pytest.ini"
        config.write_text("[pytest]\n")
    else:
        config = src / suite.config
    argv = [str(venv / "bin" / "python"), "-m", "pytest", "-c", str(config), f"--rootdir={src}"]
    argv += [*COMMON_ARGS, *suite.pytest_args]
    argv += [f"--junitxml={junit}", *mode_args, *suite.tests]
    for test in suite.deselect:
        argv += ["--deselect", test]
    if label.startswith(("warn", "strict")):
        argv.append(f"--redis-boundary-report={report}")
    values = {"host": server.host, "port": str(server.port), "url": server.url, "src": str(src)}
    env = {**os.environ, **{k: v.format(**values) for k, v in suite.env.items()}}
    for inherited in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "REDIS_BOUNDARY_TODAY"):
        env.pop(inherited, None)
    started = time.monotonic()
    with log.open("w") as sink:
        try:
            done = subprocess.run(
                argv, cwd=src, env=env, stdout=sink, stderr=subprocess.STDOUT, timeout=timeout
            )
            exit_code = done.returncode
        except subprocess.TimeoutExpired:
            exit_code = -1
    seconds = time.monotonic() - started
    result = RunResult(label, read_junit(junit), seconds, exit_code, log)
    result.problems = read_problems(log.read_text(errors="replace"))
    if exit_code == -1:
        result.problems.append(f"{label}: timed out after {timeout:.0f} s")
    if label.startswith(("warn", "strict")):
        if report.is_file():
            data = json.loads(report.read_text())
            result.findings = Counter(f["rule"] for f in data["findings"])
        else:
            result.problems.append(f"{label}: no JSON report written (exit code {exit_code})")
    return result


# --- comparing and printing -----------------------------------------------------------------


@dataclass
class SuiteResult:
    suite: Suite
    baselines: list[RunResult]
    warn: RunResult
    strict: RunResult | None

    @property
    def flaky(self) -> set[str]:
        tests = set().union(*(b.outcomes for b in self.baselines))
        return {t for t in tests if len({b.outcomes.get(t) for b in self.baselines}) > 1}

    @property
    def differences(self) -> list[tuple[str, str, str]]:
        """``(test, outcome without the plugin, outcome in warn mode)``, flaky tests aside."""
        base = self.baselines[0].outcomes
        tests = sorted((set(base) | set(self.warn.outcomes)) - self.flaky)
        pairs = [(t, base.get(t, "missing"), self.warn.outcomes.get(t, "missing")) for t in tests]
        return [p for p in pairs if p[1] != p[2]]

    @property
    def strict_failures(self) -> list[str]:
        if self.strict is None:
            return []
        base = self.baselines[0].outcomes
        bad = ("failed", "error")
        return sorted(
            t for t, o in self.strict.outcomes.items() if o in bad and base.get(t) not in bad
        )

    @property
    def baseline_failures(self) -> list[tuple[str, str]]:
        return sorted((t, o) for t, o in self.baselines[0].outcomes.items() if o != "passed")

    @property
    def ok(self) -> bool:
        return not self.differences and not self.warn.problems


def _rules(findings: Counter[str], top: int = 6) -> str:
    if not findings:
        return "none"
    common = findings.most_common(top)
    text = ", ".join(f"{rule} {count}" for rule, count in common)
    rest = sum(findings.values()) - sum(count for _, count in common)
    return text + (f", others {rest}" if rest else "")


def render(results: Sequence[SuiteResult]) -> str:
    head = [
        "suite",
        "version",
        "tests",
        "outcome differences (warn)",
        "plugin errors",
        "wall time warn/off",
        "findings per rule (warn)",
        "strict failures",
    ]
    rows = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for r in results:
        off = min(b.seconds for b in r.baselines)
        ratio = f"{r.warn.seconds / off:.2f} ({r.warn.seconds:.1f} s / {off:.1f} s)"
        strict = "not run" if r.strict is None else str(len(r.strict_failures))
        cells = [
            r.suite.name,
            r.suite.version,
            str(len(r.baselines[0].outcomes)),
            str(len(r.differences)),
            str(len(r.warn.problems)),
            ratio,
            _rules(r.warn.findings),
            strict,
        ]
        rows.append("| " + " | ".join(cells) + " |")
    lines = rows
    for r in results:
        name = f"{r.suite.name} {r.suite.version}"
        lines.append("")
        lines.append(f"### {name}")
        outcomes = Counter(r.baselines[0].outcomes.values())
        lines.append(
            "without the plugin: "
            + ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items()))
            + f"; runs: {', '.join(f'{b.label} {b.seconds:.1f} s' for b in r.baselines)}, "
            + f"warn {r.warn.seconds:.1f} s"
            + ("" if r.strict is None else f", strict {r.strict.seconds:.1f} s")
        )
        for test, reason in r.suite.deselect.items():
            lines.append(f"- deselected `{test}`: {reason}")
        for test, outcome in r.baseline_failures:
            if outcome != "skipped":
                lines.append(f"- {outcome} without the plugin too: `{test}`")
        for test in sorted(r.flaky):
            lines.append(f"- flaky without the plugin (not compared): `{test}`")
        for test, before, after in r.differences:
            lines.append(f"- outcome difference: `{test}`: {before} without, {after} in warn mode")
        for problem in r.warn.problems:
            lines.append(f"- plugin error (warn): {problem}")
        shown = 10  # strict failures are expected on a suite written without the boundary
        for test in r.strict_failures[:shown]:
            lines.append(f"- strict failure: `{test}`")
        if len(r.strict_failures) > shown:
            lines.append(f"- and {len(r.strict_failures) - shown} more strict failures")
        lines.append(f"logs: {r.warn.log.parent}")
    return "\n".join(lines)


# --- the command line -----------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    names = [s.name for s in SUITES]
    parser = argparse.ArgumentParser(
        prog="field_check.py",
        description="Run public suites without the plugin and in warn mode and compare them.",
    )
    parser.add_argument("--suite", action="append", choices=names, help="default: all")
    parser.add_argument("--repeat", type=int, default=1, help="runs without the plugin (>= 1)")
    parser.add_argument("--strict", action="store_true", help="also run in strict mode")
    parser.add_argument("--url", help="a redis:// server to use instead of starting one")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="downloads and venvs")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per pytest run")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat: expected a whole number >= 1, got {args.repeat}")
    if args.url is not None and urlsplit(args.url).scheme != "redis":
        parser.error(f"--url: expected a redis://HOST:PORT/DB URL, got {args.url!r}")
    if args.url is None and shutil.which("redis-server") is None:
        parser.error("no redis-server on PATH: install it, or give a server with --url")
    return args


def check_suite(suite: Suite, args: argparse.Namespace, wheel: Path) -> SuiteResult:
    cache: Path = args.cache
    sdist, src = unpacked_sdist(suite, cache)
    venv = suite_venv(suite, cache, wheel, sdist)
    out = cache / "runs" / suite.name
    out.mkdir(parents=True, exist_ok=True)
    with redis_server(args.url, cache / "server" / suite.name) as server:

        def run(label: str, mode: Sequence[str]) -> RunResult:
            print(f"field-check: {suite.name}: {label}", file=sys.stderr, flush=True)
            return run_pytest(suite, venv, src, server, out, label, mode, args.timeout)

        baselines = [run(f"off-{n + 1}", PLUGIN_OFF) for n in range(args.repeat)]
        warn = run("warn", ("--redis-boundary=warn",))
        strict = run("strict", ("--redis-boundary=strict",)) if args.strict else None
    return SuiteResult(suite, baselines, warn, strict)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    chosen = [s for s in SUITES if args.suite is None or s.name in args.suite]
    wheel = plugin_wheel(args.cache)
    results = [check_suite(suite, args, wheel) for suite in chosen]
    print(render(results))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
