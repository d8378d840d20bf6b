"""Shared fixtures: paths into the repository and a runner for the command line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from coopgraph.cli import main

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SEEDS = DATA / "kooperationen"
SHARED = REPO.parent / "shared"
REGISTER = SHARED / "data" / "gemeinden"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run ``coopgraph ARGS`` in-process; returns exit code, stdout and stderr."""

    def run(*args: str) -> Run:
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
