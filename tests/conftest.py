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


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = {sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {dir}
[HTTPServer]
ServerPort = {http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 10
MaxClientConnections = 10
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


class VirtuosoServer:
    """A real Virtuoso Open Source 7 (Debian's ``virtuoso-opensource``) on 127.0.0.1 and free
    ports, with its own database folder and virtuoso.ini; the anonymous SPARQL user may update
    (``GRANT SPARQL_UPDATE TO "SPARQL"``). Its default graph is the union of all graphs."""

    BINARY = "/usr/bin/virtuoso-t"
    ISQL = "/usr/bin/isql-vt"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sql_port, self.http_port = free_port(), free_port()
        self.query = f"http://127.0.0.1:{self.http_port}/sparql"
        self.gsp = f"http://127.0.0.1:{self.http_port}/sparql-graph-crud"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> VirtuosoServer:
        import time
        import urllib.request

        self.folder.mkdir(parents=True, exist_ok=True)
        ini = self.folder / "virtuoso.ini"
        ini.write_text(
            VIRTUOSO_INI.format(dir=self.folder, sql_port=self.sql_port, http_port=self.http_port)
        )
        self.proc = subprocess.Popen(
            [self.BINARY, "-f", "-c", str(ini)], cwd=self.folder,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{self.query}?query=ASK%7B%7D", timeout=5).read()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("virtuoso did not start") from None
                time.sleep(0.2)
        subprocess.run(
            [self.ISQL, str(self.sql_port), "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        return self

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def clear(self) -> None:
        """Drop every graph coopgraph wrote (Virtuoso's own system graphs stay)."""
        from coopgraph.store.sparql import SparqlStore

        store = SparqlStore(self.query)
        rows = store.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            "FILTER STRSTARTS(STR(?g), 'https://w3id.org/coopgraph/') }"
        ).rows
        if rows:
            store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for (g,) in rows))


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory):
    """A real Virtuoso 7 on 127.0.0.1 and free ports, started once per test session and
    stopped afterwards. Yields a function that drops coopgraph's graphs and returns the
    server (``.query``: the SPARQL endpoint, ``.gsp``: the Graph Store endpoint)."""
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso")).start()

    def fresh() -> VirtuosoServer:
        server.clear()
        return server

    try:
        yield fresh
    finally:
        server.stop()
