"""Whole-process cost of the rq_retirement contract against import-linter's forbidden contract.

Run from a clean checkout (it creates everything it needs under a temporary folder)::

    python bench/contracts.py                    # makes a venv: sympy, import-linter, this repo
    python bench/contracts.py --venv /tmp/bench  # reuse (or create) a venv there
    python bench/contracts.py --modules 20000 --repeat 5

Two graphs, each checked by two configs that differ only in the contract type:

* sympy (about 1,500 modules): runtime ``sympy.physics``, ``sympy.stats``, ``sympy.solvers``
  must not depend on ``mpmath`` (an external package sympy really imports: many chains);
* a generated package of ``--modules`` modules where one runtime module reaches ``rq`` through
  a legacy module (one chain);
* dense generated packages of 5,000 and ``--modules`` modules where 2,000 runtime modules (20
  entries) reach ``rq`` through ten importers (2,000 chains, ten groups).

Each config is run as a separate ``lint-imports`` process, alternating, ``--repeat`` times, with a
warm grimp cache and then with ``--no-cache`` (cold); the minimum and median times and the ratio
ours/forbidden are printed, and the cache's effect (cold/warm). Target: ratio <= 1.10. Byte code is
written under the temporary folder (``PYTHONPYCACHEPREFIX``), as an installed package has it.
Use ``--only sympy``, ``--only generated`` or ``--only dense`` for one part.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = 1.10
# Byte-compiled modules, as an installed package has them, kept out of the checkout.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

HEADER = """\
[importlinter]
root_packages =
    {root}
include_external_packages = True
contract_types =
    rq_retirement: pytest_redis_boundary.contracts.RQRetirementContract
"""

OURS = """
[importlinter:contract:c]
name = bench
type = rq_retirement
runtime_modules =
{modules}
forbidden_modules =
    {forbidden}
policy = redis-boundary.yaml
"""

THEIRS = """
[importlinter:contract:c]
name = bench
type = forbidden
source_modules =
{modules}
forbidden_modules =
    {forbidden}
"""


def ensure_venv(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    probe = "import sympy, importlinter, grimp, yaml, pytest_redis_boundary"
    if subprocess.run([str(python), "-c", probe], capture_output=True).returncode != 0:
        pip = [str(python), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "sympy", "import-linter>=2.17", "grimp", "pyyaml"], check=True)
        subprocess.run([*pip, "--no-deps", "-e", str(REPO)], check=True)
    return venv / "bin" / "lint-imports"


def write_configs(folder: Path, root: str, runtime: list[str], forbidden: str) -> list[Path]:
    modules = "\n".join(f"    {m}" for m in runtime)
    paths = []
    for name, body in (("ours.ini", OURS), ("theirs.ini", THEIRS)):
        (folder / "redis-boundary.yaml").write_text("version: 1\nexceptions: []\n")
        path = folder / name
        path.write_text(
            HEADER.format(root=root) + body.format(modules=modules, forbidden=forbidden)
        )
        paths.append(path)
    return paths


def generate_package(folder: Path, modules: int, seed: int = 7) -> list[str]:
    """``gen.p000 .. gen.pNNN`` with 100 modules each, importing modules of lower packages.

    ``gen.legacy.worker`` imports rq; ``gen.p<last>.m0`` imports it: the one chain into the
    runtime packages (the ten highest ``gen.p*``).
    """
    rng = random.Random(seed)
    per_package = 100
    packages = max(modules // per_package, 11)
    root = folder / "gen"
    (root / "legacy").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "legacy" / "__init__.py").write_text("")
    (root / "legacy" / "worker.py").write_text("import rq\n")
    names = [[f"gen.p{p:03d}.m{m}" for m in range(per_package)] for p in range(packages)]
    for p in range(packages):
        package = root / f"p{p:03d}"
        package.mkdir()
        (package / "__init__.py").write_text("")
        for m in range(per_package):
            lines = []
            for _ in range(4):
                if p == 0:
                    break
                q = rng.randrange(max(0, p - 5), p)
                lines.append(f"import {names[q][rng.randrange(per_package)]}")
            if p == packages - 1 and m == 0:
                lines.append("from gen.legacy import worker")
            (package / f"m{m}.py").write_text("\n".join(lines) + "\n")
    return [f"gen.p{p:03d}" for p in range(packages - 10, packages)]


def generate_dense_package(
    folder: Path, modules: int, runtime: int, importers: int, seed: int = 11
) -> list[str]:
    """``gen.p000 .. gen.pNNN`` (100 modules each) where ``runtime`` modules reach rq.

    ``importers`` modules of a low package (``gen.p<k>.m0 ..``) import rq; every module imports
    four modules of the five packages below it, so most modules above reach rq through them; a
    runtime module (the top ``runtime // 100`` packages, one runtime entry each) that would not
    gets one import of a module that does. So every runtime module has a chain, through one of
    the ten importers, mostly through other runtime entries and plain modules on the way.
    """
    rng = random.Random(seed)
    per_package = 100
    packages = max(modules // per_package, runtime // per_package + 2)
    first_runtime = packages - runtime // per_package
    low = max(1, first_runtime // 3)
    root = folder / "gen"
    root.mkdir(parents=True)
    (root / "__init__.py").write_text("")
    names = [[f"gen.p{p:03d}.m{m}" for m in range(per_package)] for p in range(packages)]
    reaches = [[False] * per_package for _ in range(packages)]
    for p in range(packages):
        package = root / f"p{p:03d}"
        package.mkdir()
        (package / "__init__.py").write_text("")
        for m in range(per_package):
            picked: list[tuple[int, int]] = []
            lines = []
            if p == low and m < importers:
                lines.append("import rq")
                reaches[p][m] = True
            for _ in range(4 if p else 0):
                q = rng.randrange(max(0, p - 5), p)
                picked.append((q, rng.randrange(per_package)))
            if p >= first_runtime and not any(reaches[q][n] for q, n in picked):
                q = rng.randrange(max(low, p - 5), p)
                candidates = [n for n in range(per_package) if reaches[q][n]]
                picked[0] = (q, rng.choice(candidates))
            lines.extend(f"import {names[q][n]}" for q, n in picked)
            reaches[p][m] = reaches[p][m] or any(reaches[q][n] for q, n in picked)
            (package / f"m{m}.py").write_text("\n".join(lines) + "\n")
    return [f"gen.p{p:03d}" for p in range(first_runtime, packages)]


def timed(lint_imports: Path, config: Path, cwd: Path, cold: bool) -> tuple[float, int]:
    args = [str(lint_imports), "--no-logo", str(config)]
    if cold:
        args.append("--no-cache")
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=ENV)
    return time.perf_counter() - start, done.returncode


def bench(name: str, lint_imports: Path, cwd: Path, configs: list[Path], repeat: int) -> None:
    ours, theirs = configs
    for config in configs:  # build the cache and check both configs run
        _, status = timed(lint_imports, config, cwd, cold=False)
        if status not in (0, 1):
            out = subprocess.run(
                [str(lint_imports), str(config)], cwd=cwd, capture_output=True, text=True
            )
            raise SystemExit(f"{config.name} failed:\n{out.stdout}\n{out.stderr}")
    results: dict[tuple[str, bool], list[float]] = {}
    for cold in (False, True):
        for _ in range(repeat):
            for label, config in (("ours", ours), ("forbidden", theirs)):
                seconds, _ = timed(lint_imports, config, cwd, cold)
                results.setdefault((label, cold), []).append(seconds)
    print(f"\n{name}")
    for cold in (False, True):
        kind = "cold (--no-cache)" if cold else "warm cache       "
        # The minimum is the least disturbed by other load on the machine; the median is shown too.
        for stat in (min, statistics.median):
            mine = stat(results[("ours", cold)])
            base = stat(results[("forbidden", cold)])
            ratio = mine / base
            verdict = "ok" if ratio <= TARGET else f"OVER {TARGET:.2f}"
            print(
                f"  {kind} {stat.__name__:>6}: rq_retirement {mine:6.3f}s  forbidden {base:6.3f}s"
                f"  ratio {ratio:.3f} ({verdict})"
            )
    for label in ("ours", "forbidden"):
        warm = statistics.median(results[(label, False)])
        cold_time = statistics.median(results[(label, True)])
        print(f"  cache effect, {label}: cold/warm = {cold_time / warm:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=None, help="venv to use or create")
    parser.add_argument("--modules", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=("sympy", "generated", "dense"), default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="rb-bench-") as temp:
        work = Path(temp)
        ENV["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        lint_imports = ensure_venv(args.venv or work / "venv")
        if args.only in (None, "sympy"):
            bench_sympy(work, lint_imports, args.repeat)
        if args.only in (None, "generated"):
            bench_generated(work, lint_imports, args.modules, args.repeat)
        if args.only in (None, "dense"):
            for modules in sorted({5_000, args.modules}):
                bench_dense(work, lint_imports, modules, args.repeat)
    print(f"\ntarget: ratio <= {TARGET:.2f}")


def bench_sympy(work: Path, lint_imports: Path, repeat: int) -> None:
    folder = work / "sympy"
    folder.mkdir()
    runtime = ["sympy.physics", "sympy.stats", "sympy.solvers"]
    configs = write_configs(folder, "sympy", runtime, "mpmath")
    name = "sympy (runtime: physics, stats, solvers; forbidden: mpmath)"
    bench(name, lint_imports, folder, configs, repeat)


def bench_generated(work: Path, lint_imports: Path, modules: int, repeat: int) -> None:
    folder = work / "generated"
    folder.mkdir()
    runtime = generate_package(folder, modules)
    configs = write_configs(folder, "gen", runtime, "rq")
    bench(f"generated ({modules} modules, one rq chain)", lint_imports, folder, configs, repeat)


def bench_dense(work: Path, lint_imports: Path, modules: int, repeat: int) -> None:
    folder = work / f"dense-{modules}"
    folder.mkdir()
    runtime = generate_dense_package(folder, modules, runtime=2_000, importers=10)
    configs = write_configs(folder, "gen", runtime, "rq")
    name = f"dense ({modules} modules, 2000 runtime modules reach rq through 10 importers)"
    bench(name, lint_imports, folder, configs, repeat)


if __name__ == "__main__":
    os.environ.setdefault("COLUMNS", "200")
    main()
