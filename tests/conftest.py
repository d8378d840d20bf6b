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


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def oxigraph_server():
    """A real SPARQL 1.1 server (``oxigraph serve``, in memory) on 127.0.0.1 and a free port.

    Yields a function that empties the server and returns its query endpoint URL.
    """
    import shutil
    import subprocess
    import sys
    import time
    import urllib.request

    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    port = free_port()
    proc = subprocess.Popen(
        [binary, "serve", "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("oxigraph server did not start") from None
            time.sleep(0.1)

    def fresh() -> str:
        req = urllib.request.Request(
            f"{base}/update", data=b"update=CLEAR%20ALL", method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        urllib.request.urlopen(req, timeout=10).read()
        return f"{base}/query"

    try:
        yield fresh
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
