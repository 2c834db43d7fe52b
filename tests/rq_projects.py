"""Small projects on disk for the CLI tests that build an import graph: files and an
import-linter config with one ``rq_retirement`` contract."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

__all__ = ["rq_contract_config", "write_files"]


def rq_contract_config(root_package: str, *runtime_modules: str) -> str:
    """An ``.importlinter`` whose one contract keeps ``runtime_modules`` off rq."""
    runtime = "".join(f"    {module}\n" for module in runtime_modules)
    return (
        "[importlinter]\n"
        f"root_packages =\n    {root_package}\n"
        "include_external_packages = True\n"
        "contract_types =\n"
        "    rq_retirement: pytest_redis_boundary.contracts.RQRetirementContract\n"
        "\n"
        "[importlinter:contract:no-rq]\n"
        "name = Runtime must not depend on rq\n"
        "type = rq_retirement\n"
        f"runtime_modules =\n{runtime}"
    )


def write_files(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
