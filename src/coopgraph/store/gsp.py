"""Push ontology and data to a SPARQL 1.1 store: one named graph per source file, replaced
as a whole, all of them in ONE SPARQL Update request.

Every file is parsed before anything is sent. Each graph is fetched through the Graph Store
Protocol (GET) and compared; a graph the store holds with the same triples is left alone.
Every new or changed graph goes into a single update request::

    DROP SILENT GRAPH <g1> ; DROP SILENT GRAPH <g2> ;
    INSERT DATA { GRAPH <g1> { …at most 1000 triples… } } ; INSERT DATA { GRAPH <g1> { … } } ;
    INSERT DATA { GRAPH <g2> { … } } ; INSERT { GRAPH <g3> { …blank nodes… } } WHERE {}

so nothing is staged anywhere: a store that applies one request as one transaction (Oxigraph,
Fuseki/TDB2) shows its readers the old graphs until the request commits and all new graphs
after, and keeps the old graphs when the server dies before the commit. The request is as big
as the changed files (N-Triples, about 130 bytes a triple); it is not split into several
requests, since a split would give up exactly this.

Earlier versions staged changed graphs under ``…/graph/staging/``; a push that finds such
graphs (left by a push whose server died) drops them first and says so.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlencode

import pyoxigraph as ox
from rdflib import Literal, URIRef

from ..errors import InputError
from ..loader import XSD_STRING, to_rdflib
from ..namespaces import STAGING
from .graphs import Progress, Source, Transfer, parsed
from .http import Response, check_url, request
from .sparql import SparqlStore

NTRIPLES = "application/n-triples"
OPERATION_TRIPLES = 1000  # triples per INSERT DATA operation; all operations in one request


@dataclass(frozen=True)
class _Payload:
    source: Source
    triples: frozenset[ox.Triple]
    body: bytes

    @property
    def sample(self) -> ox.Triple | None:
        """A triple of IRIs only (no blank node, no literal a store may rewrite), to see
        whether the default graph shows it."""
        return next((t for t in self.triples if all(isinstance(x, ox.NamedNode) for x in t)), None)


def _has_bnode(triple: ox.Triple) -> bool:
    return any(isinstance(x, ox.BlankNode) for x in triple)


def _value_key(triple: ox.Triple) -> tuple[object, object, object]:
    """A triple with typed literals by value: stores may keep ``"12.00"^^xsd:decimal`` as
    ``"12"``; both are the same triple to compare against."""
    o = triple.object
    if isinstance(o, ox.Literal) and not o.language and o.datatype.value != XSD_STRING:
        value = cast(Literal, to_rdflib(o)).toPython()
        return (triple.subject, triple.predicate, (o.datatype.value, value))
    return (triple.subject, triple.predicate, o)


def gsp_endpoint_for(query_endpoint: str) -> str:
    """The Graph Store endpoint beside a query endpoint: Oxigraph's ``/query`` → ``/store``."""
    if re.search(r"/query/?$", query_endpoint):
        return re.sub(r"/query/?$", "/store", query_endpoint)
    raise InputError(
        "cannot tell the Graph Store endpoint of this store; give --gsp-endpoint "
        "(Oxigraph: http://HOST:7878/store, Fuseki: http://HOST:3030/DATASET/data, "
        "Virtuoso: http://HOST:8890/sparql-graph-crud)",
        field="--gsp-endpoint",
    )


def _graph_url(gsp: str, graph: str) -> str:
    return f"{gsp}{'&' if '?' in gsp else '?'}{urlencode({'graph': graph})}"


def _payload(src: Source) -> _Payload:
    triples = parsed(src)
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) if triples else b""
    return _Payload(src, frozenset(triples), body or b"")


class _Session:
    """One push: the store and its Graph Store endpoint."""

    def __init__(self, store: SparqlStore, gsp: str) -> None:
        self.store, self.gsp = store, gsp

    def _get(self, graph: str) -> Response | None:
        """A graph as the store holds it (Graph Store Protocol GET); None if it has none."""
        return request(
            "GET", _graph_url(self.gsp, graph), accept=NTRIPLES, missing_ok=True,
            timeout=self.store.timeout, credentials=self.store.credentials, shown_url=self.gsp,
        )  # fmt: skip

    def state(self, p: _Payload) -> str:
        """``new`` (no such graph), ``same`` (the same triples) or ``changed``."""
        current = self._get(p.source.graph)
        if current is None:
            return "new"
        if any(_has_bnode(t) for t in p.triples):
            return "changed"  # blank nodes cannot be compared by value
        fmt = ox.RdfFormat.from_media_type(current.content_type) or ox.RdfFormat.N_TRIPLES
        try:
            held = frozenset(q.triple for q in ox.parse(current.body, format=fmt))
        except (SyntaxError, ValueError):
            return "changed"
        if held == p.triples:
            return "same"
        # the store may write a literal differently ("12.00"^^xsd:decimal as "12"): compare
        # the triples that differ by value (conservative: any doubt means "changed")
        gone, added = held - p.triples, p.triples - held
        same = {_value_key(t) for t in gone} == {_value_key(t) for t in added}
        return "same" if same and len(gone) == len(added) else "changed"

    def drop_leftover_staging(self) -> int:
        """Staging graphs of earlier pushes (before pushes sent one request) that died with
        their store; returns how many were dropped."""
        rows = self.store.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER STRSTARTS(STR(?g), ?prefix) }",
            {"prefix": Literal(str(STAGING))},
        ).rows
        if rows:
            self.store.update(
                " ;\n".join(f"DROP SILENT GRAPH {URIRef(str(g)).n3()}" for (g,) in rows)
            )
        return len(rows)

    def replace(self, payloads: list[_Payload]) -> None:
        """Replace the graphs of ``payloads`` (an empty one is dropped) in one request.

        The triples go in as ``INSERT DATA`` operations of at most ``OPERATION_TRIPLES`` each
        (Virtuoso's SPARQL compiler gives up on one operation of some thousand triples, not on
        many small ones in one request); a graph with blank nodes as one
        ``INSERT { GRAPH … } WHERE {}`` (standard, and the form Virtuoso accepts: it refuses
        blank nodes in ``INSERT DATA``; one operation keeps each blank node one node)."""
        ops = [f"DROP SILENT GRAPH {URIRef(p.source.graph).n3()}".encode() for p in payloads]
        for p in payloads:
            if not p.triples:
                continue
            graph = URIRef(p.source.graph).n3().encode()
            if any(map(_has_bnode, p.triples)):
                ops.append(b"INSERT {\nGRAPH " + graph + b" {\n" + p.body + b"}\n} WHERE {}")
                continue
            lines = p.body.splitlines(keepends=True)  # N-Triples: one triple a line
            for start in range(0, len(lines), OPERATION_TRIPLES):
                part = b"".join(lines[start : start + OPERATION_TRIPLES])
                ops.append(b"INSERT DATA {\nGRAPH " + graph + b" {\n" + part + b"}\n}")
        request(
            "POST", self.store.update_endpoint, body=b" ;\n".join(ops),
            content_type="application/sparql-update", timeout=self.store.timeout,
            credentials=self.store.credentials,
        )  # fmt: skip


def _default_graph_shows(store: SparqlStore, triple: ox.Triple) -> bool:
    return store.ask("ASK { " + " ".join(to_rdflib(x).n3() for x in triple) + " }")


def push(
    store: SparqlStore,
    sources: Sequence[Source],
    *,
    gsp_endpoint: str | None = None,
    progress: Progress | None = None,
    notice: Callable[[str], None] | None = None,
) -> Transfer:
    """Replace one named graph per source in the store; all of them in one request, or none.

    ``notice`` hears about staging graphs of an earlier push that were dropped first.
    """
    start = time.monotonic()
    gsp = check_url(gsp_endpoint or gsp_endpoint_for(store.endpoint))
    payloads = [_payload(src) for src in sources]  # raises file:line before anything is sent
    session = _Session(store, gsp)
    dropped = session.drop_leftover_staging()
    if dropped and notice is not None:
        s = "" if dropped == 1 else "s"
        notice(f"dropped {dropped} staging graph{s} left by an earlier push that did not finish")
    todo: list[_Payload] = []
    unchanged = 0
    for p in payloads:
        state = session.state(p)
        if state == "same":
            unchanged += 1
        elif state == "changed" or p.triples:  # a new empty file: nothing to do
            todo.append(p)
        if progress is not None:
            progress(p.source)
    if todo:
        session.replace(todo)
    sample = next((t for p in payloads if (t := p.sample) is not None), None)
    union = sample is None or _default_graph_shows(store, sample)
    total = sum(len(p.triples) for p in payloads)
    seconds = time.monotonic() - start
    return Transfer(gsp, len(payloads), total, seconds, union, unchanged=unchanged)
