"""Fault injection: a load killed (SIGKILL, Ctrl-C) at any step, a server killed during a push.

After every fault the store answers with the complete old data or the complete new data, never
empty or a mix, and the next load or push succeeds. The load is a real ``coopgraph load``
process that kills itself at a named step (``$COOPGRAPH_FAULT``, see
``generations.fault_point``); the server is a real ``oxigraph serve`` killed with SIGKILL when
the n-th request of a push reaches it. Deterministic: no timing decides where a fault hits.
"""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from coopgraph.store import open_store
from coopgraph.store.generations import MARKER, root_of
from coopgraph.store.graphs import sources
from coopgraph.store.oxigraph import OxigraphStore, load_on_disk

from .conftest import OxigraphServer

ALL = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
OLD = {
    "a.ttl": "<https://example.org/a> <https://example.org/v> 1 , 2 .\n",
    "b.ttl": "<https://example.org/b> <https://example.org/v> 1 .\n",
}
NEW = {
    "a.ttl": "<https://example.org/a> <https://example.org/v> 3 .\n",
    "c.ttl": '<https://example.org/c> <https://example.org/v> "new" , "files" ;\n'
    "    <https://example.org/see> <https://example.org/a> .\n",
}
# a load of NEW keeps b.ttl; ALL_NEW names every file, so the new generation starts empty
ALL_NEW = {**NEW, "b.ttl": "<https://example.org/b> <https://example.org/v> 2 .\n"}
LOAD_POINTS = ["load:copied", "load:file-1", "load:built", "load:marked", "load:switched"]


def _write(folder: Path, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return sorted(files)


def _content(spec: str) -> set[tuple[str, ...]]:
    """Every quad a store holds, as N-Triples terms (the store is closed again at once)."""
    store = open_store(spec)
    try:
        return {tuple(t.n3() for t in row if t is not None) for row in store.select(ALL).rows}
    finally:
        store.close()


def _load(folder: Path, store: str, files: list[str], fault: str | None = None):
    env = {k: v for k, v in os.environ.items() if k != "COOPGRAPH_FAULT"}
    if fault:
        env["COOPGRAPH_FAULT"] = fault
    return subprocess.run(
        [sys.executable, "-m", "coopgraph", "load", *files, "--store", store],
        cwd=folder, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # graph names are relative to the working directory
    return tmp_path


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[tuple[str, ...]]]:
    """The complete content of OLD, OLD then NEW, and OLD then ALL_NEW, each loaded into a
    store of its own (graph names relative to the folder, as in the tests' working directory)."""
    root = tmp_path_factory.mktemp("states")
    found = {}
    for name, files in (("old", OLD), ("some-files", {**OLD, **NEW}), ("every-file", ALL_NEW)):
        folder = root / name
        folder.mkdir()
        listed = _write(folder, files)
        here = Path.cwd()
        os.chdir(folder)
        try:
            load_on_disk(root / f"{name}.db", sources(listed))
        finally:
            os.chdir(here)
        found[name] = _content(f"oxigraph:{root / name}.db")
    return found


@pytest.mark.parametrize(
    ("point", "new"),
    [*((p, "some-files") for p in LOAD_POINTS), ("load:built", "every-file")],
    ids=[*LOAD_POINTS, "load:built-every-file"],
)
def test_a_load_killed_at_any_step_leaves_old_or_new(
    cli, workdir: Path, states: dict[str, set[tuple[str, ...]]], point: str, new: str
) -> None:
    db = workdir / "db"
    store = f"oxigraph:{db}"
    before, after = states["old"], states[new]
    files = NEW if new == "some-files" else ALL_NEW
    assert before != after
    assert cli("load", *_write(workdir, OLD), "--store", store).code == 0
    assert _content(store) == before

    killed = _load(workdir, store, _write(workdir, files), fault=point)
    assert killed.returncode == -9, killed.stderr
    got = _content(store)
    assert got == (after if point == "load:switched" else before)

    dead = [p for p in root_of(db).iterdir() if p.is_dir() and not (p / MARKER).exists()]
    if point not in ("load:marked", "load:switched"):  # marked: complete, never switched in
        # the half-built generation is on disk, but never answers as a store
        (half,) = dead
        run = cli("sparql", "ASK { ?s ?p ?o }", "--store", f"oxigraph:{half}")
        assert run.code == 2 and "an incomplete store" in run.err, run.err

    again = cli("load", *sorted(files), "--store", store)
    assert again.code == 0, again.err
    assert _content(store) == after
    if dead:
        assert f"removed {dead[0]}, left by a load that did not finish" in again.err
    gens = sorted(p.name for p in root_of(db).iterdir())
    assert len(gens) == 3 and gens[-1] == "lock"  # the new generation and the one before


def test_ctrl_c_during_a_load_changes_nothing_and_leaves_nothing(cli, workdir: Path) -> None:
    db = workdir / "db"
    store = f"oxigraph:{db}"
    assert _load(workdir, store, _write(workdir, OLD)).returncode == 0
    before = _content(store)
    gens = sorted(root_of(db).iterdir())
    for point in ("load:file-2", "load:built"):
        run = _load(workdir, store, _write(workdir, NEW), fault=f"{point}=INT")
        assert run.returncode == 130 and run.stderr == "coopgraph: interrupted\n", run.stderr
        assert _content(store) == before
        assert sorted(root_of(db).iterdir()) == gens  # the new generation was removed


def test_a_first_load_killed_leaves_no_store(cli, workdir: Path) -> None:
    store = f"oxigraph:{workdir / 'db'}"
    assert _load(workdir, store, _write(workdir, OLD), fault="load:marked").returncode == -9
    run = cli("sparql", "ASK { ?s ?p ?o }", "--store", store)
    assert run.code == 2 and "no store here yet" in run.err
    assert _load(workdir, store, sorted(OLD)).returncode == 0
    assert len(_content(store)) == 3


def test_a_plain_store_directory_is_swapped_for_a_generation_atomically(
    cli, workdir: Path, states: dict[str, set[tuple[str, ...]]]
) -> None:
    db = workdir / "db"
    store = f"oxigraph:{db}"
    before, after = states["old"], states["some-files"]
    plain = OxigraphStore.on_disk(db, create=True)  # as an older coopgraph load made it
    plain.replace_graphs(sources(_write(workdir, OLD)))
    plain.close()
    del plain
    gc.collect()
    assert _content(store) == before
    assert _load(workdir, store, _write(workdir, NEW), fault="load:marked").returncode == -9
    assert db.is_dir() and not db.is_symlink()
    assert _content(store) == before
    assert _load(workdir, store, sorted(NEW)).returncode == 0
    assert db.is_symlink()
    assert _content(store) == after
    assert any(p.name.endswith("-plain") for p in root_of(db).iterdir())


# ---------------------------------------------------------------- push: the server dies


class KillingProxy:
    """A TCP pass-through in front of a real server that kills the server (SIGKILL) once the
    n-th request has arrived: before passing it on, or after passing it on (the server may
    then have applied it or not). Requests are counted by connection (urllib opens one per
    request)."""

    def __init__(self, server: OxigraphServer, nth: int, forward_first: bool) -> None:
        self.server, self.nth, self.forward_first = server, nth, forward_first
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/query"
        self.count = 0
        self.killed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.count += 1
            threading.Thread(target=self._serve, args=(client, self.count), daemon=True).start()

    def _serve(self, client: socket.socket, number: int) -> None:
        with client:
            request = _read_request(client)
            if number == self.nth and not self.forward_first:
                self._kill()
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.server.port), timeout=60)
            except OSError:
                return
            with upstream:
                upstream.sendall(request)
                if number == self.nth:
                    self._kill()
                    return
                while chunk := upstream.recv(65536):
                    client.sendall(chunk)

    def _kill(self) -> None:
        assert self.server.proc is not None
        self.server.proc.kill()
        self.server.proc.wait()
        self.server.proc = None
        self.killed = True

    def close(self) -> None:
        self.listener.close()


def _read_request(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
         if line.lower().startswith(b"content-length:")), 0,
    )  # fmt: skip
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


# a push of NEW over OLD: a query for leftovers, a GET per file (a.ttl, c.ttl), THE update,
# and an ASK whether the default graph shows the data
UPDATE = 4


@pytest.mark.parametrize("forward_first", [False, True], ids=["before", "during"])
@pytest.mark.parametrize("nth", range(1, UPDATE + 2))
def test_a_server_killed_during_a_push_keeps_old_or_new(
    cli, workdir: Path, nth: int, forward_first: bool
) -> None:
    server = OxigraphServer(workdir / "server-db").start()
    try:
        assert cli("push", *_write(workdir, OLD), "--store", server.query).code == 0
        before = _content(server.query)
        proxy = KillingProxy(server, nth, forward_first)
        _write(workdir, NEW)
        run = cli("push", *sorted(NEW), "--store", proxy.url, "--timeout", "30")
        proxy.close()
        assert proxy.killed and run.code == 2, run.err
        assert run.err.startswith("coopgraph: error: ") and run.err.count("\n") == 1, run.err
        server.start()  # the same database, after the crash
        got = _content(server.query)
        assert cli("push", *sorted(NEW), "--store", server.query).code == 0
        after = _content(server.query)
        assert after != before
        assert got in (before, after)  # never empty, never a mix
        if nth < UPDATE or (nth == UPDATE and not forward_first):
            assert got == before  # the update never reached the server
        if nth > UPDATE:
            assert got == after  # the update was answered before the server died
    finally:
        server.stop()
