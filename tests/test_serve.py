"""``coopgraph serve`` on a small on-disk store: resource IRIs dereferenced with every Accept
type, the SPARQL 1.1 Protocol endpoint (formats, updates refused, timeout, result limit) and the
saved-queries pages through the application in-process (Werkzeug's test client; the query
workers are real processes); rdflib over HTTP, the timeout, signals, a killed server and a load
into the store against real ``coopgraph serve`` subprocesses on free ports. No test depends on
another or on their order: each that stops a server starts its own."""

from __future__ import annotations

import csv
import gc
import io
import itertools
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from werkzeug.datastructures import Headers
from werkzeug.test import Client

from coopgraph import lod, queries, resources
from coopgraph.serve import App, QueryPool, QueryTimeout, iri_for_path, open_read_only
from coopgraph.store import Store
from coopgraph.store.graphs import sources
from coopgraph.store.oxigraph import OxigraphStore

from .conftest import SEEDS, free_port

ID = "https://w3id.org/coopgraph/id/"
RUHR = ID + "kooperation/staedteregion-ruhr"
GELSENKIRCHEN = ID + "kommune/05513000"
INFORMELL = "https://w3id.org/coopgraph/vocab/rechtsform/informelle-kooperation"
KOMMUNE_CLASS = "https://w3id.org/coopgraph/def#Kommune"
KOMMUNEN = resources.data_dir() / "kommunen"
FILES = [*resources.ontology_files(), KOMMUNEN / "gemeinden-05.ttl", KOMMUNEN / "kreise.ttl",
         KOMMUNEN / "laender.ttl", SEEDS / "staedteregion-ruhr.ttl",
         SEEDS / "stadtregion-muenster.ttl"]  # fmt: skip
TIMEOUT_S = 2
BOUND = "http://127.0.0.1:8080"  # the address the in-process application takes as its own
LIMIT = 50
KOOPERATIONEN = """PREFIX coop: <https://w3id.org/coopgraph/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?k ?name WHERE { ?k a coop:Kooperation ; rdfs:label ?name } ORDER BY ?name"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# a cross product of all triples with themselves, three times: minutes of work on any engine
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@dataclass
class Reply:
    status: int
    headers: Message | Headers
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def media(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip()


class Endpoint:
    """What tests ask a server: plain requests and the three ways of the SPARQL protocol."""

    base: str
    store: Store

    def get(self, path: str, **headers: str) -> Reply:
        return self.request(path, headers=headers)

    def request(
        self, path: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
        method: str | None = None,
    ) -> Reply:  # fmt: skip
        raise NotImplementedError

    def sparql_get(self, query: str, accept: str) -> Reply:
        return self.get("/sparql?" + urllib.parse.urlencode({"query": query}), Accept=accept)

    def sparql_form(self, accept: str = "*/*", **fields: str) -> Reply:
        return self.request(
            "/sparql",
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        )

    def sparql_body(self, query: str, accept: str, content_type: str) -> Reply:
        return self.request(
            "/sparql",
            data=query.encode(),
            headers={"Content-Type": content_type, "Accept": accept},
        )


@dataclass
class Server(Endpoint):
    """A real ``coopgraph serve`` subprocess, asked over HTTP."""

    base: str
    store: Store
    folder: Path
    log: Path
    proc: subprocess.Popen[bytes]

    def request(
        self, path: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
        method: str | None = None,
    ) -> Reply:  # fmt: skip
        req = urllib.request.Request(
            self.base + path, data=data, headers=headers or {}, method=method
        )
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                return Reply(response.status, response.headers, response.read())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.headers, exc.read())


@dataclass
class Local(Endpoint):
    """The application in this process, asked through Werkzeug's test client; its query
    workers are real processes (a QueryPool), as in the server."""

    base: str
    store: Store
    folder: Path
    client: Client

    def request(
        self, path: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
        method: str | None = None,
    ) -> Reply:  # fmt: skip
        response = self.client.open(
            path, method=method or ("POST" if data is not None else "GET"), data=data,
            headers=headers or {},
        )  # fmt: skip
        return Reply(response.status_code, response.headers, response.get_data())


def _coopgraph() -> list[str]:
    script = shutil.which("coopgraph") or str(Path(sys.executable).with_name("coopgraph"))
    return [script] if Path(script).exists() else [sys.executable, "-m", "coopgraph"]


def _start(root: Path, store: str, *extra: str) -> tuple[subprocess.Popen[bytes], str, Path]:
    """``coopgraph serve`` on a free port with a small timeout and limit; stderr to a log."""
    port = free_port()
    log = root / f"serve-{port}.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [*_coopgraph(), "serve", "--port", str(port), "--store", store,
             "--query-timeout", str(TIMEOUT_S), "--result-limit", str(LIMIT), "--workers", "2",
             *extra],
            stdout=subprocess.DEVNULL, stderr=err,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=2).read()
            return proc, base, log
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("coopgraph serve did not start:\n" + log.read_text()) from None
            time.sleep(0.2)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def make_store(folder: Path) -> Path:
    """The test data in an on-disk store, as `coopgraph load` fills it."""
    writer = OxigraphStore.on_disk(folder, create=True)
    assert writer.replace_graphs(sources(FILES)).triples > 1000
    writer.close()
    del writer
    gc.collect()
    return folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("serve") / "store")


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[Local]:
    """The application in-process over the test store, with two real query workers; links name
    the address a server would be bound to."""
    store = open_read_only(f"oxigraph:{folder}")
    pool = QueryPool(f"oxigraph:{folder}", size=2, timeout=TIMEOUT_S, limit=LIMIT)
    try:
        pool.wait_ready()
        yield Local(BOUND, store, folder, Client(App(store, pool, BOUND + "/")))
    finally:
        pool.close()
        store.close()


@pytest.fixture(scope="module")
def real(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real `coopgraph serve` subprocess over the same store; no test stops it."""
    proc, base, log = _start(tmp_path_factory.mktemp("serve-real"), f"oxigraph:{folder}")
    store = open_read_only(f"oxigraph:{folder}")  # the same data, to compare with
    try:
        yield Server(base, store, folder, log, proc)
    finally:
        _stop(proc)
        store.close()


def _described(server: Endpoint, iri: str) -> Graph:
    graph = lod.describe(server.store, iri)
    assert len(graph) > 0, iri
    return graph


# ---------------------------------------------------------------- resources


@pytest.mark.parametrize("iri", [RUHR, GELSENKIRCHEN, INFORMELL, KOMMUNE_CLASS])
def test_rdflib_dereferences_resource_iris(real: Server, iri: str) -> None:
    path = iri.removeprefix("https://w3id.org/coopgraph/").replace("def#", "def/")
    received = Graph().parse(real.base + "/" + path)  # over HTTP, rdflib's own Accept header
    expected = _described(real, iri)
    assert isomorphic(received, expected)
    assert (URIRef(iri), None, None) in received


def test_description_holds_the_facts(server: Local) -> None:
    reply = server.get("/id/kooperation/staedteregion-ruhr", Accept="text/turtle")
    received = Graph().parse(data=reply.body, format="turtle")
    labels = set(
        received.objects(URIRef(RUHR), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
    )
    assert Literal("Städteregion Ruhr") in labels
    members = set(received.objects(URIRef(RUHR), URIRef("http://www.w3.org/ns/org#hasMember")))
    assert URIRef(GELSENKIRCHEN) in members and len(members) == 11


@pytest.mark.parametrize(
    ("accept", "media", "fmt", "suffix"),
    [
        ("text/turtle", "text/turtle", "turtle", ".ttl"),
        ("application/ld+json", "application/ld+json", "json-ld", ".jsonld"),
        ("application/n-triples", "application/n-triples", "nt", ".nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml", ".rdf"),
        ("text/html;q=0.5, text/turtle;q=0.9", "text/turtle", "turtle", None),
        ("application/json", "application/ld+json", "json-ld", None),
    ],
)
def test_each_accept_type(server: Local, accept: str, media: str, fmt: str, suffix: str) -> None:
    expected = _described(server, RUHR)
    reply = server.get("/id/kooperation/staedteregion-ruhr", Accept=accept)
    assert reply.status == 200 and reply.media == media
    assert "Accept" in reply.headers["Vary"] and "Accept-Language" in reply.headers["Vary"]
    assert isomorphic(Graph().parse(data=reply.body, format=fmt), expected)
    if suffix:  # the same document under its own name, whatever is accepted
        direct = server.get("/id/kooperation/staedteregion-ruhr" + suffix, Accept="text/html")
        assert direct.status == 200 and direct.media == media
        assert isomorphic(Graph().parse(data=direct.body, format=fmt), expected)


def test_html_follows_accept_language(server: Local) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    de = server.get("/vocab/rechtsform/informelle-kooperation", Accept=browser)
    en = server.get(
        "/vocab/rechtsform/informelle-kooperation",
        Accept=browser,
        **{"Accept-Language": "en-GB,en;q=0.9,de;q=0.5"},
    )
    assert de.status == en.status == 200
    assert de.media == en.media == "text/html"
    assert de.headers["Content-Language"] == "de" and en.headers["Content-Language"] == "en"
    assert 'lang="de"' in de.text and 'lang="en"' in en.text
    assert "<h1" in de.text and "Kooperation (informell)" in _h1(de.text)
    assert "informal cooperation" in _h1(en.text)
    assert de.text == lod.render_html(server.store, INFORMELL, "de", server.base + "/")
    html_suffix = server.get(
        "/vocab/rechtsform/informelle-kooperation.html", **{"Accept-Language": "en"}
    )
    assert html_suffix.media == "text/html" and "informal cooperation" in _h1(html_suffix.text)


def test_unsupported_type_unknown_resource_and_paths(server: Local) -> None:
    refused = server.get("/id/kooperation/staedteregion-ruhr", Accept="image/png")
    assert refused.status == 406 and "text/turtle" in refused.text
    assert server.get("/id/kommune/00000000", Accept="text/turtle").status == 404
    browser = server.get("/id/kommune/00000000", Accept="text/html,*/*;q=0.8")
    assert browser.status == 404 and browser.media == "text/html"
    assert f"no such resource: {ID}kommune/00000000" in browser.text
    plain = server.get("/id/kommune/00000000")
    assert plain.status == 404 and plain.media == "text/plain"
    assert server.get("/nothing/here").status == 404
    assert server.get("/id/../etc/passwd").status == 404


def test_path_mapping() -> None:
    assert iri_for_path("/id/kommune/05513000.ttl") == (URIRef(GELSENKIRCHEN), "text/turtle")
    assert iri_for_path("/def/Kommune") == (URIRef(KOMMUNE_CLASS), None)
    assert iri_for_path("/def") == (URIRef("https://w3id.org/coopgraph/def"), None)
    assert iri_for_path("/vocab/rechtsform") == (
        URIRef("https://w3id.org/coopgraph/vocab/rechtsform"), None)  # fmt: skip
    assert iri_for_path("/sparql") is None and iri_for_path("/id/a/../b") is None


def test_base_uri_elsewhere_and_site_files(server: Local, tmp_path: Path) -> None:
    """Hosted under https://example.org/cg/: pages link there, and paths under it are served;
    the other files of a published site (--site) are served as they are."""
    from werkzeug.test import Client

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html>")
    (site / "void.ttl").write_text("<urn:a> <urn:b> <urn:c> .\n")
    (tmp_path / "secret.txt").write_text("no")

    pool = QueryPool(f"oxigraph:{server.folder}", size=1, timeout=10, limit=LIMIT)
    pool.wait_ready()
    try:
        client = Client(App(server.store, pool, "https://example.org/cg/", site))
        page = client.get("/cg/id/kooperation/staedteregion-ruhr", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert 'href="https://example.org/cg/id/kommune/05513000"' in page.text
        turtle = client.get("/cg/id/kooperation/staedteregion-ruhr.ttl")
        assert isomorphic(
            Graph().parse(data=turtle.data, format="turtle"), _described(server, RUHR)
        )
        listing = client.get("/cg/queries")
        assert 'action="https://example.org/cg/queries/mitglieder-zum-stichtag"' in listing.text
        ask = client.get("/cg/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
        assert ask.status_code == 200 and ask.json == {"head": {}, "boolean": True}
        void = client.get("/cg/void.ttl")
        assert void.status_code == 200 and void.mimetype == "text/turtle"
        assert len(Graph().parse(data=void.data, format="turtle")) == 1
        assert client.get("/cg/../secret.txt").status_code == 404
        assert client.get("/cg/%2e%2e/secret.txt").status_code == 404
        assert client.get("/cg/missing.ttl").status_code == 404
    finally:
        pool.close()


# ---------------------------------------------------------------- SPARQL protocol


def _expected_names(server: Endpoint) -> list[str]:
    names = [str(row[1]) for row in server.store.select(KOOPERATIONEN).rows]
    assert names == ["Stadtregion Münster", "Städteregion Ruhr"]
    return names


def _names_from(reply: Reply, fmt: str) -> list[str]:
    if fmt == "json":
        doc = json.loads(reply.body)
        assert doc["head"]["vars"] == ["k", "name"]
        return [b["name"]["value"] for b in doc["results"]["bindings"]]
    if fmt == "xml":
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(reply.body)
        return [e.text or "" for e in root.findall(".//r:binding[@name='name']/r:literal", ns)]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(reply.text)))
        assert rows[0] == ["k", "name"]
        return [r[1] for r in rows[1:]]
    lines = reply.text.splitlines()
    assert lines[0] == "?k\t?name"
    return [json.loads(line.split("\t")[1]) for line in lines[1:]]  # "…" literals


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/csv", "csv"),
        ("text/tab-separated-values", "tsv"),
    ],
)
@pytest.mark.parametrize("method", ["get", "form", "body"])
def test_sparql_select_in_every_format(server: Local, method: str, accept: str, fmt: str) -> None:
    if method == "get":
        reply = server.sparql_get(KOOPERATIONEN, accept)
    elif method == "form":
        reply = server.sparql_form(accept, query=KOOPERATIONEN)
    else:
        reply = server.sparql_body(KOOPERATIONEN, accept, "application/sparql-query")
    assert reply.status == 200, reply.text
    assert reply.media == accept
    assert _names_from(reply, fmt) == _expected_names(server)
    assert reply.headers["Coopgraph-Truncated"] == "false"


def test_sparql_ask_and_construct(server: Local) -> None:
    ask = server.sparql_get(f"ASK {{ <{RUHR}> ?p ?o }}", "application/sparql-results+json")
    assert ask.status == 200 and json.loads(ask.body)["boolean"] is True
    xml = server.sparql_get("ASK { <urn:x> ?p ?o }", "application/sparql-results+xml")
    assert xml.status == 200 and "<boolean>false</boolean>" in xml.text
    construct = f"CONSTRUCT {{ <{RUHR}> ?p ?o }} WHERE {{ <{RUHR}> ?p ?o }}"
    expected = server.store.construct(construct)
    for accept, fmt in [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                        ("application/n-triples", "nt")]:  # fmt: skip
        reply = server.sparql_form(accept, query=construct)
        assert reply.status == 200 and reply.media == accept
        assert isomorphic(Graph().parse(data=reply.body, format=fmt), expected)
    assert server.sparql_get(KOOPERATIONEN, "image/png").status == 406


def test_a_person_at_the_sparql_form_gets_a_table(server: Local) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    form = server.get("/sparql", Accept=browser)
    assert form.status == 200 and '<label for="query">' in form.text  # a labelled textarea
    assert '<textarea id="query" name="query"' in form.text
    reply = server.sparql_form(browser, query=KOOPERATIONEN)
    assert reply.status == 200 and reply.media == "text/html"
    rows = [r for r in _parsed(reply.text).rows if r]
    assert [r[1] for r in rows] == _expected_names(server)
    assert [r[0] for r in rows] == _expected_names(server)  # IRIs shown by their labels


def test_browsers_elsewhere_may_query(server: Local) -> None:
    reply = server.sparql_get("ASK { ?s ?p ?o }", "application/sparql-results+json")
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    preflight = server.request("/sparql", method="OPTIONS")
    assert preflight.status == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_bad_query_is_a_400_with_the_reason(server: Local) -> None:
    reply = server.sparql_get("SELECT ?x WHERE { ?x ", "application/sparql-results+json")
    assert reply.status == 400 and "syntax" in reply.text.lower()
    assert "Traceback" not in reply.text
    missing = server.get("/sparql", Accept="application/sparql-results+json")
    assert missing.status == 400 and "query" in missing.text


def test_updates_are_refused_and_change_nothing(server: Local) -> None:
    before = server.sparql_get(COUNT, "application/sparql-results+json")
    count = json.loads(before.body)["results"]["bindings"][0]["n"]["value"]
    insert = f'INSERT DATA {{ <{RUHR}> <http://www.w3.org/2000/01/rdf-schema#label> "x" }}'
    attempts = [
        server.sparql_form(update=insert),
        server.sparql_body(insert, "*/*", "application/sparql-update"),
        server.sparql_form(query=insert),
        server.sparql_get("DROP ALL", "*/*"),
        server.get("/sparql?" + urllib.parse.urlencode({"update": "CLEAR ALL"})),
    ]
    for reply in attempts:
        assert reply.status == 403
        assert "read-only" in reply.text and "Update" in reply.text
    after = server.sparql_get(COUNT, "application/sparql-results+json")
    assert json.loads(after.body)["results"]["bindings"][0]["n"]["value"] == count
    ask = server.sparql_get(f'ASK {{ <{RUHR}> ?p "x" }}', "application/sparql-results+json")
    assert json.loads(ask.body)["boolean"] is False


def test_result_limit_cuts_and_says_so(server: Local) -> None:
    reply = server.sparql_get("SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json")
    assert reply.status == 200
    assert len(json.loads(reply.body)["results"]["bindings"]) == LIMIT
    assert reply.headers["Coopgraph-Truncated"] == "true"
    assert reply.headers["Coopgraph-Result-Limit"] == str(LIMIT)
    graph = server.sparql_form("text/turtle", query="CONSTRUCT WHERE { ?s ?p ?o }")
    assert len(Graph().parse(data=graph.body, format="turtle")) == LIMIT
    assert graph.headers["Coopgraph-Truncated"] == "true"


def test_query_past_the_timeout_is_stopped_and_the_server_goes_on(real: Server) -> None:
    server = real
    # the answer itself says the query was stopped at the limit (how fast: not timed here)
    reply = server.sparql_form("application/sparql-results+json", query=EXPENSIVE)
    assert reply.status == 503
    assert f"time limit of {TIMEOUT_S} s" in reply.text and "stopped" in reply.text
    for _ in range(3):  # the next requests succeed at once, while a fresh worker starts
        after = server.sparql_get(KOOPERATIONEN, "application/sparql-results+json")
        assert after.status == 200 and _names_from(after, "json") == _expected_names(server)
    deadline = time.monotonic() + 60
    while server.log.read_text().count("a fresh query worker is ready") < 1:
        assert time.monotonic() < deadline, "no fresh worker replaced the stopped one"
        time.sleep(0.1)
    # while another expensive query runs, the other worker and the pages keep answering
    with ThreadPoolExecutor(1) as running:
        again = running.submit(
            server.sparql_form, "application/sparql-results+json", query=EXPENSIVE
        )
        time.sleep(0.3)
        while not again.done():
            quick = server.sparql_get(KOOPERATIONEN, "text/csv")
            assert quick.status == 200 and _names_from(quick, "csv") == _expected_names(server)
            page = server.get("/id/kooperation/staedteregion-ruhr", Accept="text/turtle")
            assert page.status == 200
            time.sleep(0.2)
        assert again.result().status == 503


# ---------------------------------------------------------------- saved queries


class _Cells(HTMLParser):
    """Text of the table cells of ``table.results`` and of ``.error``, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.errors: list[str] = []
        self.forms: list[tuple[str, dict[str, str]]] = []  # action, input name -> value
        self._in_table = self._in_cell = self._in_error = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and "results" in classes:
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag == "td":
            self._in_cell = True
            self.rows[-1].append("")
        elif "error" in classes:
            self._in_error = True
            self.errors.append("")
        elif tag == "form":
            self.forms.append((dict(attrs).get("action") or "", {}))
        elif tag == "input" and self.forms:
            named = dict(attrs)
            self.forms[-1][1][named.get("name") or ""] = named.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_table = False
        elif tag == "td":
            self._in_cell = False
        elif tag == "p":
            self._in_error = False

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self.rows[-1][-1] += data
        if self._in_error:
            self.errors[-1] += data


def _parsed(html: str) -> _Cells:
    cells = _Cells()
    cells.feed(html)
    return cells


def test_queries_page_lists_every_saved_query(server: Local) -> None:
    for lang in ("de", "en"):
        reply = server.get("/queries", **{"Accept-Language": lang})
        assert reply.status == 200 and reply.media == "text/html"
        for query in queries.catalog().values():
            assert f'href="{server.base}/queries/{query.name}' in reply.text
            assert str(escape(query.summary_in(lang))) in reply.text  # as Jinja escapes it
            for param in query.params:
                assert f'name="{param.name}"' in reply.text
    # without --base-uri, links go to the address bound, whatever Host a request names
    other = server.get("/queries", Host="coopgraph.test:8123")
    assert f'href="{server.base}/queries/mitglieder-zum-stichtag' in other.text
    assert "coopgraph.test" not in other.text
    page = server.get("/id/kooperation/staedteregion-ruhr", Accept="text/html", Host="x.test")
    assert f'href="{server.base}/id/kommune/05513000"' in page.text
    assert f"<{server.base}/id/kooperation/staedteregion-ruhr.ttl>" in page.headers["Link"]


def test_running_a_saved_query_through_its_form(server: Local) -> None:
    params = {"kooperation": RUHR, "stichtag": "2005-01-01"}
    expected = queries.run("mitglieder-zum-stichtag", store=server.store, **params)
    assert len(expected) == 8  # members certain by then (the agreement of 2003-06-06)
    listing = _parsed(server.get("/queries", **{"Accept-Language": "en"}).text)
    action, fields = next(f for f in listing.forms if f[0].endswith("/mitglieder-zum-stichtag"))
    assert set(fields) == {
        "lang",
        "run",
        "kooperation",
        "stichtag",
    }  # the form, as a browser sees it
    fields.update(params)
    reply = server.get(action.removeprefix(server.base) + "?" + urllib.parse.urlencode(fields))
    assert reply.status == 200, reply.text
    rows = [r for r in _parsed(reply.text).rows if r]
    # ?kommune is shown by its label, ?name as text, ?ags as the key
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (str(e["name"]), str(e["name"]), str(e["ags"])) for e in expected
    ]
    assert f'href="{server.base}/id/kommune/05513000"' in reply.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kooperation": RUHR, "stichtag": "2005-13-01"}, "not a date (YYYY-MM-DD)"),
        ({"kooperation": "not an iri", "stichtag": "2005-01-01"}, "not an absolute IRI"),
        ({"kooperation": RUHR}, "missing required parameter"),
        ({"kooperation": RUHR, "stichtag": "2005-01-01", "wer": "x"}, "unknown parameter"),
    ],
)
def test_bad_parameter_is_a_400_with_a_readable_message(
    server: Local, params: dict[str, str], message: str
) -> None:
    url = "/queries/mitglieder-zum-stichtag?" + urllib.parse.urlencode({**params, "run": "1"})
    reply = server.get(url, Accept="text/html")
    assert reply.status == 400
    errors = _parsed(reply.text).errors
    assert errors and message in errors[0]
    assert "Traceback" not in reply.text
    assert server.get("/queries/no-such-query").status == 404


def _h1(html: str) -> str:
    start = html.index("<h1")
    return html[start : html.index("</h1>", start)]


def test_unusable_store_or_port_is_one_error_line(cli, folder: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = f"oxigraph:{folder}"
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    taken = holder.getsockname()[1]
    try:
        busy = cli("serve", "--store", store, "--port", str(taken), "--workers", "1")
    finally:
        holder.close()
    assert busy.code == 2
    assert busy.err.startswith("coopgraph: error: --port: cannot listen on 127.0.0.1:")
    assert len(busy.err.strip().splitlines()) == 1
    missing = tmp_path / "missing"
    run = cli("serve", "--store", f"oxigraph:{missing}", "--port", str(free_port()))
    assert run.code == 2
    assert run.err.strip() == f"coopgraph: error: {missing}: no such store folder"
    bad = cli("serve", "--query-timeout", "0")
    assert bad.code == 2 and "--query-timeout" in bad.err and "Traceback" not in bad.err
    no_site = cli("serve", "--site", str(tmp_path))
    assert no_site.code == 2 and "not a site written by coopgraph publish" in no_site.err


def test_every_backend_is_cut_at_the_limit_alike() -> None:
    """The lazy oxigraph path and the generic one (rdflib) give the same cut outcomes."""
    import pyoxigraph as ox

    from coopgraph.serve import ServedOxigraph, _evaluate
    from coopgraph.store.memory import MemoryStore

    files = [SEEDS / "staedteregion-ruhr.ttl"]
    oxi = ServedOxigraph(ox.Store(), read_only=False)
    mem = MemoryStore()
    for store in (oxi, mem):
        store.load(files)
    select = "SELECT ?m WHERE { ?k <http://www.w3.org/ns/org#hasMember> ?m } ORDER BY ?m"
    construct = "CONSTRUCT { ?k <urn:has> ?m } WHERE { ?k <http://www.w3.org/ns/org#hasMember> ?m }"
    for store in (oxi, mem):
        cut = _evaluate(store, select, "SELECT", None, 3)
        assert cut.truncated and cut.select is not None and len(cut.select.rows) == 3
        assert str(cut.select.rows[0][0]) == ID + "kommune/05112000"
        whole = _evaluate(store, select, "SELECT", None, 11)
        assert not whole.truncated and whole.select is not None and len(whole.select.rows) == 11
        graph = _evaluate(store, construct, "CONSTRUCT", None, 4)
        assert graph.truncated and graph.graph is not None and len(graph.graph) == 4
        ask = _evaluate(store, "ASK { ?s ?p ?o }", "ASK", None, 1)
        assert ask.boolean is True and not ask.truncated


def test_serving_a_remote_sparql_endpoint(oxigraph_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """--store URL: a real ``oxigraph serve`` behind; the same descriptions, timeout and all."""
    from coopgraph.store.sparql import SparqlStore

    endpoint = oxigraph_server()
    remote = SparqlStore(endpoint)
    assert remote.load([*resources.ontology_files(), *FILES[-2:]]) > 1000  # no Kommunen: faster
    proc, base, log = _start(tmp_path, endpoint)
    try:
        received = Graph().parse(base + "/id/kooperation/staedteregion-ruhr")
        assert len(received) > 20 and isomorphic(received, lod.describe(remote, RUHR))
        srv = Server(base, remote, tmp_path, log, proc)
        reply = srv.sparql_get(KOOPERATIONEN, "text/csv")
        assert reply.status == 200 and _names_from(reply, "csv") == _expected_names(srv)
        slow = srv.sparql_form(query=EXPENSIVE)
        assert slow.status == 503 and "time limit" in slow.text
        assert srv.sparql_get(KOOPERATIONEN, "text/csv").status == 200
        assert srv.sparql_form(update="CLEAR ALL").status == 403
    finally:
        _stop(proc)
    assert "coopgraph serve: stopped" in log.read_text()


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for whoever adopted it to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux: prctl, /proc")
def test_workers_end_with_a_killed_server_even_mid_query(
    server: Local, folder: Path, tmp_path: Path
) -> None:
    proc, base, _ = _start(tmp_path, f"oxigraph:{folder}")
    srv = Server(base, server.store, folder, tmp_path, proc)
    assert srv.sparql_get("ASK {}", "application/sparql-results+json").status == 200
    workers = _children(proc.pid)  # ready: a query was answered
    assert len(workers) >= 2
    with ThreadPoolExecutor(1) as running:
        pending = running.submit(srv.sparql_form, query=EXPENSIVE)
        time.sleep(0.5)  # the expensive query is running in a worker now
        proc.kill()  # no clean shutdown
        proc.wait(10)
        with pytest.raises(OSError):
            pending.result()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers):
        assert time.monotonic() < deadline, "query workers outlived the killed server"
        time.sleep(0.1)


# ---------------------------------------------------------------- logging and stopping


def test_logs_each_request_and_stops_cleanly_on_ctrl_c(folder: Path, tmp_path: Path) -> None:
    """A server of its own: the test stops it."""
    proc, base, log_file = _start(tmp_path, f"oxigraph:{folder}")
    srv = Server(base, open_read_only(f"oxigraph:{folder}"), folder, log_file, proc)
    try:
        assert srv.get("/queries?lang=en").status == 200
        assert srv.sparql_form(update="CLEAR ALL").status == 403
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0
    finally:
        _stop(proc)
        srv.store.close()
    log = log_file.read_text()
    assert '"GET /queries?lang=en" 200' in log
    assert '"POST /sparql" 403' in log
    assert "coopgraph serve: stopped" in log
    assert "Traceback" not in log


def test_serve_follows_a_load_into_its_store(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`coopgraph load` switches the store to a new generation; the running server answers
    from it from the next request on (in every query worker), without a restart."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.ttl").write_text("<https://example.org/a> <https://example.org/v> 1 .\n")
    (tmp_path / "b.ttl").write_text("<https://example.org/b> <https://example.org/v> 2, 3 .\n")
    store = f"oxigraph:{tmp_path / 'db'}"
    assert cli("load", "a.ttl", "--store", store).code == 0
    proc, base, log = _start(tmp_path, store)
    count = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")

    def counts() -> set[str]:  # each query goes to a free worker: ask more often than 2
        ask = urllib.request.Request(f"{base}/sparql?query={count}", headers={"Accept": "text/csv"})
        return {
            urllib.request.urlopen(ask, timeout=30).read().decode().split()[-1] for _ in "123456"
        }

    try:
        assert counts() == {"1"}
        assert cli("load", "b.ttl", "--store", store).code == 0
        assert counts() == {"3"}
        assert cli("load", "a.ttl", "b.ttl", "--store", store).code == 0  # prunes the first
        assert counts() == {"3"}
        page = urllib.request.urlopen(f"{base}/queries", timeout=30)
        assert page.status == 200
    finally:
        _stop(proc)
    assert "Traceback" not in log.read_text()


def test_a_known_quick_query_is_answered_while_heavy_ones_fill_the_pool(folder: Path) -> None:
    """The quick lane: once a query has run cheaply, it gets its own worker, so it is answered
    while the general workers and their queue are taken by an expensive query."""
    from coopgraph.serve import PoolBusy

    pool = QueryPool(f"oxigraph:{folder}", size=1, timeout=TIMEOUT_S, limit=LIMIT, waiting=0)
    try:
        pool.wait_ready()
        first = pool.run(KOOPERATIONEN, "SELECT")  # learnt as quick (general lane, free now)
        assert first.select is not None and len(first.select.rows) == 2
        with ThreadPoolExecutor(1) as running:
            heavy = running.submit(pool.run, EXPENSIVE, "SELECT")
            for probe in itertools.count():  # until the heavy query holds the general place
                try:  # a new text each time: never learnt, so never in the quick lane
                    pool.run(f"{COUNT} # probe {probe}", "SELECT")
                except PoolBusy:
                    break  # the probes run one after another: the place is the heavy query's
                if heavy.done():  # it came while a probe held the place: start it again
                    with pytest.raises(PoolBusy):
                        heavy.result()
                    heavy = running.submit(pool.run, EXPENSIVE, "SELECT")
            again = pool.run(KOOPERATIONEN, "SELECT")
            assert again.select is not None and again.select.rows == first.select.rows
            with pytest.raises(QueryTimeout):
                heavy.result()
    finally:
        pool.close()
