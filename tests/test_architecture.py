"""The import graph keeps its contracts (import-linter, configured in pyproject.toml): the CLI on
top, the loader only parses (no store), the server does not import the static publisher, no
import cycle between coopgraph's modules and packages. A copy of the package with one bad
import added shows that each contract can fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
SOURCE = REPO / "src" / "coopgraph"


def lint_imports(*contracts: str, path: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the package (or a copy of it under ``path``), without a cache."""
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = str(path)  # ahead of the editable install's path
    args = [str(LINT_IMPORTS), str(REPO / "pyproject.toml"), "--no-cache", "--no-logo"]
    for contract in contracts:
        args += ["--contract", contract]
    return subprocess.run(
        args, capture_output=True, text=True, timeout=120, cwd=REPO, env=env, check=False
    )


def test_the_import_contracts_are_kept() -> None:
    run = lint_imports()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout, run.stdout


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of the package's Python files (not its data), to add a bad import to."""
    shutil.copytree(
        SOURCE,
        tmp_path / "coopgraph",
        ignore=lambda folder, names: [n for n in names if (Path(folder) / n).is_symlink()],
    )
    return tmp_path


def add_import(package: Path, module: str, line: str) -> None:
    path = package / "coopgraph" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("contract", "module", "line"),
    [
        ("cli-on-top", "resolve/report.py", "from .. import cli"),
        ("serve-not-publish", "serve.py", "from . import publish"),
        ("loader-parses", "loader.py", "from .store import open_store"),
        ("loader-parses", "loader.py", "from .store import loaded"),
        ("no-cycles", "errors.py", "from . import queries"),  # queries imports errors
        ("no-cycles", "resolve/normalise.py", "from . import match"),  # inside a subpackage
    ],
)
def test_a_bad_import_breaks_its_contract(
    package_copy: Path, contract: str, module: str, line: str
) -> None:
    assert lint_imports(contract, path=package_copy).returncode == 0  # the copy is as good
    add_import(package_copy, module, line)
    run = lint_imports(contract, path=package_copy)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "BROKEN" in run.stdout, run.stdout
