"""``coopgraph serve`` under hostile input, as a real subprocess on a free port of 127.0.0.1:
many concurrent good, bad and huge queries, deep nesting, SERVICE (federation) refused unless
allowed, and the CLI's refusal of SERVICE."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from coopgraph.serve import open_read_only
from coopgraph.store.oxigraph import OxigraphStore

from .test_serve import (
    KOOPERATIONEN,
    Reply,
    Server,
    _expected_names,
    _names_from,
    _start,
    _stop,
    make_store,
)

JSON = "application/sparql-results+json"
BAD = "SELECT ?x WHERE { ?x "
HUGE = "SELECT * WHERE { ?s ?p ?o " + "FILTER(?o != 1) " * 6_000 + "}"  # 96 KB
DEEP = "SELECT * WHERE " + "{" * 5_000 + " ?s ?p ?o " + "}" * 5_000
BRACKETS = "SELECT * WHERE { ?s ?p " + "[ ?p " * 60 + "1" + " ]" * 60 + " }"  # slow to parse


class Listener:
    """A plain HTTP server on 127.0.0.1 that records every request it gets and answers each
    with an empty SPARQL result."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        seen = self.seen

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(self.path)
                body = b'{"head": {"vars": []}, "results": {"bindings": []}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/sparql"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    srv = Listener()
    try:
        yield srv
    finally:
        srv.close()


@pytest.fixture(scope="module")
def allowed() -> Iterator[Listener]:
    srv = Listener()
    try:
        yield srv
    finally:
        srv.close()


@contextlib.contextmanager
def _hardened(root: Path, allowed: Listener) -> Iterator[Server]:
    """A server of its own with tight limits (64 MB a query, one query waiting), one SERVICE
    endpoint allowed: a second listener's, never the test listener's."""
    folder = make_store(root / "store")
    proc, base, log = _start(
        root,
        f"oxigraph:{folder}",
        "--allow-service",
        allowed.url,
        "--worker-memory",
        "64",
        "--queue",
        "1",
        # the memory cap must stop the heavy query before the deadline does, also on a busy
        # machine where a worker gets little CPU
        "--query-timeout",
        "10",
    )
    store = open_read_only(f"oxigraph:{folder}")
    srv = Server(base, store, folder, log, proc)
    try:
        yield srv
    finally:
        _stop(proc)
        store.close()


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory, allowed: Listener) -> Iterator[Server]:
    """The tests' shared hardened server; each test leaves it healthy."""
    with _hardened(tmp_path_factory.mktemp("serve-security"), allowed) as srv:
        yield srv


def _assert_healthy(server: Server) -> None:
    after = server.sparql_get(KOOPERATIONEN, JSON)
    assert after.status == 200 and _names_from(after, "json") == _expected_names(server)
    assert "internal error" not in server.log.read_text()


def test_fifty_concurrent_mixed_queries(tmp_path: Path, allowed: Listener) -> None:
    """On a server that nothing has asked before (whatever ran before this test)."""
    with _hardened(tmp_path, allowed) as fresh:
        _fifty_concurrent_mixed_queries(fresh)


def _fifty_concurrent_mixed_queries(fresh: Server) -> None:
    kinds = [KOOPERATIONEN, BAD, HUGE, DEEP, BRACKETS]
    expected = {KOOPERATIONEN: {200, 503}, BAD: {400, 503}, HUGE: {413}, DEEP: {400},
                BRACKETS: {200, 503}}  # fmt: skip

    def ask(i: int) -> tuple[str, Reply]:
        text = kinds[i % len(kinds)]
        if i % 2:
            return text, fresh.sparql_form(JSON, query=text)
        return text, fresh.sparql_body(text, JSON, "application/sparql-query")

    with ThreadPoolExecutor(50) as pool:
        replies = list(pool.map(ask, range(50)))
    for text, reply in replies:
        assert reply.status in expected[text], (text[:40], reply.status, reply.text[:200])
        assert "Traceback" not in reply.text
    statuses = [r.status for _, r in replies]
    assert 200 in statuses and 400 in statuses and 413 in statuses
    _assert_healthy(fresh)


def test_limits_say_why(fresh: Server) -> None:
    huge = fresh.sparql_body(HUGE, JSON, "application/sparql-query")
    assert huge.status == 413 and "at most 65,536" in huge.text
    deep = fresh.sparql_body(DEEP, JSON, "application/sparql-query")
    assert deep.status == 400 and "5000 deep" in deep.text
    bad = fresh.sparql_get(BAD, JSON)
    assert bad.status == 400 and "syntax" in bad.text.lower()
    update = fresh.sparql_get("PREFIX : <http://x/>\n# c\nclear all", JSON)
    assert update.status == 403


def test_service_is_refused_and_nothing_is_sent(
    fresh: Server, listener: Listener, allowed: Listener
) -> None:
    queries = [
        f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
        f"PREFIX ep: <{listener.url[:-6]}>\n"
        "SELECT * WHERE { SERVICE SILENT ep:sparql { ?s ?p ?o } }",
        f"SELECT * WHERE {{ BIND(<{listener.url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"ASK {{ service <{listener.url}> {{ ?s ?p ?o }} }}",
    ]
    for text in queries:
        for reply in (fresh.sparql_get(text, JSON), fresh.sparql_form(JSON, query=text)):
            assert reply.status == 400, text
            assert "SERVICE" in reply.text and "not allowed" in reply.text
    assert listener.seen == []
    # the allowed endpoint is called
    called = fresh.sparql_get(f"SELECT * WHERE {{ SERVICE <{allowed.url}> {{ ?s ?p ?o }} }}", JSON)
    assert called.status == 200 and allowed.seen
    # the word in a string, a comment or an IRI is no SERVICE clause
    harmless = fresh.sparql_get(
        'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:1/>" AS ?x) } # SERVICE <x>', JSON
    )
    assert harmless.status == 200
    assert json.loads(harmless.body)["results"]["bindings"][0]["x"]["value"].startswith("SERVICE")


def test_cli_refuses_service_unless_allowed(cli, listener: Listener, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    run = cli("sparql", text)
    assert run.code == 2 and "not allowed" in run.err and "--allow-service" in run.err
    saved = tmp_path / "federated.rq"
    saved.write_text(text)
    run = cli("query", str(saved))
    assert run.code == 2 and "not allowed" in run.err
    assert listener.seen == []
    folder = tmp_path / "store"
    OxigraphStore.on_disk(folder, create=True).close()  # an empty store: quick to open
    run = cli("sparql", "--allow-service", listener.url, "--store", f"oxigraph:{folder}", text)
    assert "not allowed" not in run.err
    assert listener.seen  # allowed, the engine did call it


def test_a_javascript_iri_in_results_is_never_an_href(fresh: Server) -> None:
    from .test_link_safety import hrefs_of

    text = (
        "SELECT ?x WHERE { VALUES ?x { <javascript:alert(1)> <data:text/html,hi> "
        "<https://example.org/ok> <mailto:a@example.org> } }"
    )
    reply = fresh.sparql_get(text, "text/html")
    assert reply.status == 200 and reply.media == "text/html"
    assert "javascript:alert(1)" in reply.text  # shown, as text
    links = hrefs_of(reply.text)
    assert "https://example.org/ok" in links and "mailto:a@example.org" in links
    assert not [h for h in links if h.lower().startswith(("javascript", "data"))]


def test_security_headers_on_every_answer(fresh: Server) -> None:
    replies = [
        fresh.get("/", Accept="text/html"),
        fresh.get("/id/kooperation/staedteregion-ruhr", Accept="text/turtle"),
        fresh.get("/nothing/here"),
        fresh.sparql_get(KOOPERATIONEN, JSON),
        fresh.sparql_get(BAD, "text/html"),
        fresh.request("/sparql", data=b"x", headers={"Content-Type": "application/x-unknown"}),
    ]
    for reply in replies:
        h = reply.headers
        assert h["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
        assert "default-src 'self'" in h["Content-Security-Policy"]
        assert h["X-Frame-Options"] == "DENY" and h["Referrer-Policy"]
        assert h["Access-Control-Allow-Origin"] == "*"
        assert "Coopgraph-Truncated" in h["Access-Control-Expose-Headers"]
    assert sorted({r.status for r in replies}) == [200, 400, 404, 415]


def test_links_ignore_the_host_header(fresh: Server) -> None:
    for path in ("/", "/queries", "/id/kooperation/staedteregion-ruhr"):
        reply = fresh.get(path, Accept="text/html", Host="evil.example")
        assert reply.status == 200
        assert "evil.example" not in reply.text
        assert "evil.example" not in reply.headers.get("Link", "")
        assert fresh.base + "/" in reply.text  # the address the server was bound to


def test_a_query_past_the_memory_cap_is_stopped_and_the_server_goes_on(fresh: Server) -> None:
    # sorting the cross product of all triples holds every pair in memory: gigabytes
    heavy = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
    reply = fresh.sparql_form(JSON, query=heavy)
    assert reply.status == 503, reply.text
    assert "memory" in reply.text, reply.text
    _assert_healthy(fresh)


def test_queries_past_the_queue_are_answered_503_at_once(fresh: Server) -> None:
    from .test_serve import EXPENSIVE

    with ThreadPoolExecutor(8) as pool:  # 2 workers and 1 place in the queue
        replies = list(pool.map(lambda _: fresh.sparql_form(JSON, query=EXPENSIVE), range(8)))
    assert {r.status for r in replies} == {503}
    full = [r for r in replies if "too many queries" in r.text]
    assert full and all(r.headers["Retry-After"] for r in full)
    deadline = time.monotonic() + 60  # the stopped workers are replaced
    while fresh.sparql_get(KOOPERATIONEN, JSON).status != 200:
        assert time.monotonic() < deadline, "the server did not recover"
        time.sleep(0.2)
    _assert_healthy(fresh)
