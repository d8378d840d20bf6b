"""`coopgraph push` to a real ``oxigraph serve`` (started by the tests on a free port), and the
errors a user meets with an endpoint: unreachable, HTTP status, timeout, credentials. No HTTP
mocks: every request goes to a real server or a real closed or silent port."""

from __future__ import annotations

import json
import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from coopgraph.errors import InputError, StoreError
from coopgraph.namespaces import STAGING
from coopgraph.store.graphs import sources
from coopgraph.store.gsp import push
from coopgraph.store.http import credentials_for
from coopgraph.store.sparql import SparqlStore

from .conftest import SEEDS, OxigraphServer, free_port

RUHR_FILE = SEEDS / "staedteregion-ruhr.ttl"
MUENSTER_FILE = SEEDS / "stadtregion-muenster.ttl"
PER_GRAPH = (  # coopgraph's graphs (Virtuoso's default graph also holds its system graphs)
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
    "FILTER STRSTARTS(STR(?g), 'https://w3id.org/coopgraph/') } GROUP BY ?g ORDER BY ?g"
)
DEFAULT_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
PASSWORD = "s3cret-Pa55word-never-shown"


def _per_graph(cli, url: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    run = cli("sparql", PER_GRAPH, "--store", url, "--format", "csv")
    assert run.code == 0, run.err
    return {g: int(n) for g, n in (line.split(",") for line in run.out.splitlines()[1:])}


def _default_count(cli, url: str) -> int:  # type: ignore[no-untyped-def]
    return int(cli("sparql", DEFAULT_COUNT, "--store", url, "--format", "csv").out.split()[1])


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with copies of the two seed files (graph names relative to it)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "coop").mkdir()
    for f in (RUHR_FILE, MUENSTER_FILE):
        shutil.copy(f, tmp_path / "coop" / f.name)
    return tmp_path


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOPGRAPH_USER", "pusher")
    monkeypatch.setenv("COOPGRAPH_PASSWORD", PASSWORD)


@pytest.fixture(params=["oxigraph", "virtuoso"])
def endpoint(request: pytest.FixtureRequest) -> tuple[str, list[str]]:
    """A real server, emptied: its query URL and the push options it needs."""
    if request.param == "oxigraph":
        return request.getfixturevalue("oxigraph_server")(), []
    server = request.getfixturevalue("virtuoso_server")()
    return server.query, ["--gsp-endpoint", server.gsp]


def test_push_query_repush_without_duplicates(
    cli, endpoint: tuple[str, list[str]], workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, options = endpoint
    system = _default_count(cli, url)  # Virtuoso's own triples; none in Oxigraph
    run = cli("push", "coop", "--store", url, *options)
    assert run.code == 0, run.err
    assert re.fullmatch(r"2 files, \d+ triples in 2 named graphs, [\d.]+ s → \S+\n", run.out)
    graphs = _per_graph(cli, url)
    base = "https://w3id.org/coopgraph/graph/coop/"
    assert sorted(graphs) == [base + "stadtregion-muenster.ttl", base + "staedteregion-ruhr.ttl"]
    total = sum(graphs.values())
    assert total == int(run.out.split()[2])
    # the endpoint serves the union: queries need no GRAPH clause, and agree with the bundle
    members = (
        "PREFIX org: <http://www.w3.org/ns/org#>\nSELECT (COUNT(?m) AS ?n) WHERE { ?m "
        "org:organization <https://w3id.org/coopgraph/id/kooperation/staedteregion-ruhr> }"
    )
    pushed = cli("sparql", members, "--store", url, "--format", "csv")
    bundled = cli("sparql", members, "--store", "oxigraph", "--format", "csv")
    assert pushed.code == bundled.code == 0, pushed.err + bundled.err
    assert pushed.out == bundled.out == "n\r\n11\r\n" or pushed.out == bundled.out == "n\n11\n"

    monkeypatch.setenv("COOPGRAPH_STORE", url)  # feeds --store of push as of every command
    again = cli("push", "coop", "--format", "json", *options)
    assert again.code == 0, again.err
    doc = json.loads(again.out)
    # Virtuoso keeps a geo:wktLiteral as its own virtrdf:Geometry with rounded coordinates, so
    # the Ruhr file (it has a point) looks changed to every push there (README: Virtuoso)
    same = 1 if options else 2
    assert (doc["files"], doc["triples"], doc["unchanged"]) == (2, total, same)
    assert doc["unionDefaultGraph"] is True
    assert _per_graph(cli, url) == graphs
    assert _default_count(cli, url) == system + total

    # a changed file replaces its graph; nothing is staged
    ruhr = workdir / "coop" / RUHR_FILE.name
    ruhr.write_text(
        ruhr.read_text(encoding="utf-8")
        + '\n<https://example.org/x> <https://example.org/note> "added" .\n',
        encoding="utf-8",
    )
    changed = cli("push", "coop", "--store", url, "--format", "json", *options)
    assert changed.code == 0, changed.err
    assert json.loads(changed.out)["unchanged"] == 1
    after = _per_graph(cli, url)
    assert after == {
        **graphs,
        base + "staedteregion-ruhr.ttl": graphs[base + "staedteregion-ruhr.ttl"] + 1,
    }
    assert not [g for g in after if g.startswith(str(STAGING))]
    assert _default_count(cli, url) == system + total + 1


def test_a_broken_file_sends_nothing(cli, endpoint: tuple[str, list[str]], workdir: Path) -> None:
    url, options = endpoint
    assert cli("push", "coop/" + MUENSTER_FILE.name, "--store", url, *options).code == 0
    before = _per_graph(cli, url)
    (workdir / "coop" / "broken.ttl").write_text(
        '@prefix ex: <https://example.org/> .\n\nex:a ex:b "unterminated .\n', encoding="utf-8"
    )
    run = cli("push", "coop", "--store", url, *options)
    assert run.code == 2
    assert re.fullmatch(r"coopgraph: error: \S*coop/broken\.ttl:3: syntax error: .+\n", run.err)
    assert _per_graph(cli, url) == before  # not even the good Ruhr file went up


def test_a_push_that_dies_midway_leaves_the_old_graphs(cli, tmp_path: Path, workdir: Path) -> None:
    server = OxigraphServer(tmp_path / "server-db").start()
    try:
        url = server.query
        assert cli("push", "coop", "--store", url).code == 0
        old = _per_graph(cli, url)
        for i, f in enumerate(sorted((workdir / "coop").iterdir())):  # change both files
            with f.open("a", encoding="utf-8") as out:
                out.write(f'\n<https://example.org/x> <https://example.org/v> "new {i}" .\n')

        def kill_after_first(_source: object) -> None:
            server.stop()  # the store goes away after the first graph was compared

        with pytest.raises(StoreError, match=r"cannot reach http://127\.0\.0\.1:\d+/store"):
            push(SparqlStore(url), sources(["coop"]), progress=kill_after_first)
        server.start()  # the same database, after the failure
        assert _per_graph(cli, url) == old  # nothing was staged, nothing is left over
        assert cli("push", "coop", "--store", url).code == 0
        assert _per_graph(cli, url) == {g: n + 1 for g, n in old.items()}
    finally:
        server.stop()


def test_staging_graphs_of_an_older_push_are_dropped_first(
    cli, oxigraph_server, workdir: Path
) -> None:
    url = oxigraph_server()
    assert cli("push", "coop", "--store", url).code == 0
    old = _per_graph(cli, url)
    leftover = f"{STAGING}0123456789ab/coop/staedteregion-ruhr.ttl"
    SparqlStore(url).update(f"INSERT DATA {{ GRAPH <{leftover}> {{ <a:s> <a:p> <a:o> }} }}")
    run = cli("push", "coop", "--store", url)
    assert run.code == 0
    assert run.err == (
        "coopgraph: note: dropped 1 staging graph left by an earlier push that did not finish\n"
    )
    assert _per_graph(cli, url) == old


def test_a_refusing_server_changes_nothing_and_is_one_line(
    cli, tmp_path: Path, workdir: Path, credentials: None
) -> None:
    db = tmp_path / "server-db"
    writable = OxigraphServer(db).start()
    try:
        assert cli("push", "coop/" + RUHR_FILE.name, "--store", writable.query).code == 0
        old = _per_graph(cli, writable.query)
    finally:
        writable.stop()
    server = OxigraphServer(db, read_only=True).start()
    try:
        run = cli("push", "coop", "--store", server.query)
        assert run.code == 2
        assert re.fullmatch(
            r"coopgraph: error: http://127\.0\.0\.1:\d+/update answered HTTP [45]\d\d: \S.*\n",
            run.err,
        )
        assert PASSWORD not in run.out + run.err
        assert _per_graph(cli, server.query) == old
    finally:
        server.stop()


def test_push_warns_when_the_default_graph_is_not_the_union(cli, tmp_path, workdir) -> None:  # type: ignore[no-untyped-def]
    server = OxigraphServer(union=False).start()
    try:
        run = cli("push", "coop", "--store", server.query)
        assert run.code == 0
        assert "--union-default-graph" in run.err and run.err.startswith("coopgraph: warning:")
        # validating such a store would check nothing: an error, not "conforms"
        check = cli("validate", "--store", server.query)
        assert check.code == 2 and "shows no triples in its default graph" in check.err
    finally:
        server.stop()


def test_push_needs_an_endpoint_and_its_graph_store(cli, workdir: Path) -> None:
    run = cli("push", "coop", "--store", "memory")
    assert run.code == 2 and "push uploads to a SPARQL endpoint" in run.err
    run = cli("push", "coop", "--store", f"http://127.0.0.1:{free_port()}/sparql")
    assert run.code == 2 and "--gsp-endpoint" in run.err and "Fuseki" in run.err


# ---------------------------------------------------------------- errors on every command


def _commands(url: str) -> Iterator[list[str]]:
    yield ["sparql", "ASK { ?s ?p ?o }", "--store", url]
    yield ["query", "mitglieder-zum-stichtag", "-p", "kooperation=https://x.org/k",
           "-p", "stichtag=2005-01-01", "--store", url]  # fmt: skip
    yield ["validate", "--store", url]
    yield ["push", "coop", "--store", url]


def test_unreachable_endpoint(cli, workdir: Path, credentials: None) -> None:
    url = f"http://127.0.0.1:{free_port()}/query"  # nothing listens there
    for args in _commands(url):
        run = cli(*args)
        assert run.code == 2, args
        assert re.fullmatch(
            r"coopgraph: error: cannot reach http://127\.0\.0\.1:\d+/(query|store): "
            r"Connection refused\n",
            run.err,
        ), run.err
        assert PASSWORD not in run.err


def test_a_silent_endpoint_times_out(
    cli, workdir: Path, credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
        for args in _commands(url):
            run = cli(*args, "--timeout", "0.3")
            assert run.code == 2, args
            assert re.fullmatch(
                r"coopgraph: error: http://127\.0\.0\.1:\d+/(query|store) did not answer within "
                r"0\.3 s \(raise --timeout or \$COOPGRAPH_TIMEOUT\)\n",
                run.err,
            ), run.err
            assert PASSWORD not in run.err
        monkeypatch.setenv("COOPGRAPH_TIMEOUT", "0.2")
        run = cli("sparql", "ASK { ?s ?p ?o }", "--store", url)
        assert run.code == 2 and "did not answer within 0.2 s" in run.err
    monkeypatch.setenv("COOPGRAPH_TIMEOUT", "soon")
    run = cli("sparql", "ASK { ?s ?p ?o }", "--store", url)
    assert run.err == (
        "coopgraph: error: COOPGRAPH_TIMEOUT: expected a positive number of seconds, got 'soon'\n"
    )


def test_a_query_the_grammar_forbids_is_refused_before_it_is_sent(
    cli, oxigraph_server, credentials: None
) -> None:
    url = oxigraph_server()
    # the SPARQL grammar forbids binding ?x twice: the query is checked (by Oxigraph's parser,
    # the same as the server's) before any request, and the error names its position
    run = cli("sparql", "SELECT ?x WHERE { BIND (1 AS ?x) BIND (2 AS ?x) }", "--store", url)
    assert run.code == 2
    assert re.fullmatch(r"coopgraph: error: <query>:1: SPARQL syntax error: error at 1:\d+: .+\n",
                        run.err)  # fmt: skip
    assert url not in run.err and PASSWORD not in run.err


def test_credentials_come_from_the_environment_or_netrc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("COOPGRAPH_USER", "COOPGRAPH_PASSWORD", "COOPGRAPH_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine db.example.org login reader password {PASSWORD}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    found = credentials_for("https://db.example.org/query")
    assert found is not None and (found.user, found.password) == ("reader", PASSWORD)
    assert found.header().startswith("Basic ") and PASSWORD not in repr(found)
    assert credentials_for("https://elsewhere.example.org/query") is None

    monkeypatch.setenv("COOPGRAPH_TOKEN", "tok-123")
    token = credentials_for("https://db.example.org/query")
    assert token is not None and token.header() == "Bearer tok-123"

    monkeypatch.delenv("COOPGRAPH_TOKEN")
    netrc.write_text(f"machine db.example.org login reader password {PASSWORD} oops\n")
    with pytest.raises(InputError) as bad:
        credentials_for("https://db.example.org/query")
    assert PASSWORD not in str(bad.value) and "malformed netrc file" in str(bad.value)


def test_credentials_never_on_the_command_line(cli) -> None:
    run = cli("sparql", "ASK {}", "--store", f"http://pusher:{PASSWORD}@127.0.0.1:7878/query")
    assert run.code == 2
    assert "credentials do not belong in the URL" in run.err
    assert PASSWORD not in run.err + run.out
