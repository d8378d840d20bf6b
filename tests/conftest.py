"""Shared fixtures: paths into the repository and a runner for the command line."""

from __future__ import annotations

import subprocess
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


class OxigraphServer:
    """A real ``oxigraph serve`` on 127.0.0.1 and a free port, in memory or in ``location``;
    ``union`` serves the union of all named graphs as the default graph (as ``push`` needs)."""

    def __init__(
        self, location: Path | None = None, *, union: bool = True, read_only: bool = False
    ) -> None:
        import shutil
        import sys

        self.binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
        self.location, self.union, self.read_only = location, union, read_only
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.query = f"{self.base}/query"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> OxigraphServer:
        import time
        import urllib.request

        args = [self.binary, "serve-read-only" if self.read_only else "serve"]
        args += ["--bind", f"127.0.0.1:{self.port}"]
        if self.location is not None:
            args += ["--location", str(self.location)]
        if self.union:
            args.append("--union-default-graph")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.query}?query=ASK%7B%7D", timeout=2).read()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("oxigraph server did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def update(self, text: str) -> None:
        import urllib.parse
        import urllib.request

        req = urllib.request.Request(
            f"{self.base}/update", data=urllib.parse.urlencode({"update": text}).encode(),
            method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        urllib.request.urlopen(req, timeout=30).read()


@pytest.fixture(scope="session")
def oxigraph_server():
    """A real SPARQL 1.1 server (``oxigraph serve``, in memory, union default graph) on
    127.0.0.1 and a free port.

    Yields a function that empties the server and returns its query endpoint URL.
    """
    server = OxigraphServer().start()

    def fresh() -> str:
        server.update("DROP ALL")
        return server.query

    try:
        yield fresh
    finally:
        server.stop()
