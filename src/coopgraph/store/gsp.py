"""Push ontology and data to a SPARQL 1.1 store through the Graph Store HTTP Protocol.

Each source file becomes one named graph, replaced as a whole, so pushing again never
duplicates triples. Every file is parsed before anything is sent. A failed push leaves the
graphs already in the store as they were:

- a graph the store does not have yet is PUT directly (and dropped again if the push fails);
- a graph the store holds with the same triples is left alone;
- a graph whose triples changed is PUT into a staging graph of this push; when every file
  has arrived, one SPARQL Update request MOVEs each staging graph onto its graph (one request
  is one transaction in Oxigraph, Fuseki/TDB2 and other transactional stores).

On any failure the graphs this push created are dropped (best effort: a store that is gone
keeps them until the next push, which drops every leftover staging graph first).
"""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlencode

import pyoxigraph as ox
from rdflib import Literal, URIRef

from ..errors import CoopgraphError, InputError
from ..loader import XSD_STRING, to_rdflib
from ..namespaces import STAGING, staging_graph_iri
from .graphs import Progress, Source, Transfer, parsed
from .http import Response, check_url, request
from .sparql import SparqlStore

NTRIPLES = "application/n-triples"


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
        "(Oxigraph: http://HOST:7878/store, Fuseki: http://HOST:3030/DATASET/data)",
        field="--gsp-endpoint",
    )


def _graph_url(gsp: str, graph: str) -> str:
    return f"{gsp}{'&' if '?' in gsp else '?'}{urlencode({'graph': graph})}"


def _payload(src: Source) -> _Payload:
    triples = parsed(src)
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) if triples else b""
    return _Payload(src, frozenset(triples), body or b"")


class _Session:
    """One push: the endpoints, the store, and the graphs this push has written so far."""

    def __init__(self, store: SparqlStore, gsp: str) -> None:
        self.store, self.gsp = store, gsp
        self.token = secrets.token_hex(6)
        self.written: list[str] = []

    def _send(self, method: str, graph: str, body: bytes | None = None) -> Response | None:
        return request(
            method, _graph_url(self.gsp, graph), body=body,
            content_type=NTRIPLES if body is not None else None,
            accept=NTRIPLES if method == "GET" else None, missing_ok=method == "GET",
            timeout=self.store.timeout, credentials=self.store.credentials, shown_url=self.gsp,
        )  # fmt: skip

    def state(self, p: _Payload) -> str:
        """``new`` (no such graph), ``same`` (the same triples) or ``changed``."""
        current = self._send("GET", p.source.graph)  # None: the store has no such graph
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

    def put(self, graph: str, p: _Payload) -> None:
        self.written.append(graph)
        self._send("PUT", graph, body=p.body)

    def staging(self, p: _Payload) -> str:
        return str(staging_graph_iri(self.token, p.source.name))

    def drop_written(self) -> None:
        """Best effort, after a failure: remove what this push wrote."""
        if self.written:
            # the store may be gone or refuse; the original error is what the user needs
            with contextlib.suppress(CoopgraphError):
                self.store.update(
                    " ;\n".join(f"DROP SILENT GRAPH {URIRef(g).n3()}" for g in self.written)
                )

    def drop_leftover_staging(self) -> None:
        """Staging graphs of earlier pushes that died with their store."""
        rows = self.store.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { } FILTER STRSTARTS(STR(?g), ?prefix) }",
            {"prefix": Literal(str(STAGING))},
        ).rows
        if rows:
            self.store.update(
                " ;\n".join(f"DROP SILENT GRAPH {URIRef(str(g)).n3()}" for (g,) in rows)
            )


def _default_graph_shows(store: SparqlStore, triple: ox.Triple) -> bool:
    return store.ask("ASK { " + " ".join(to_rdflib(x).n3() for x in triple) + " }")


def push(
    store: SparqlStore,
    sources: Sequence[Source],
    *,
    gsp_endpoint: str | None = None,
    progress: Progress | None = None,
) -> Transfer:
    """Replace one named graph per source in the store; all of them or (on failure) none."""
    start = time.monotonic()
    gsp = check_url(gsp_endpoint or gsp_endpoint_for(store.endpoint))
    payloads = [_payload(src) for src in sources]  # raises file:line before anything is sent
    session = _Session(store, gsp)
    session.drop_leftover_staging()
    switch: list[str] = []
    unchanged = 0
    try:
        for p in payloads:
            state = session.state(p)
            target = URIRef(p.source.graph).n3()
            if state == "same":
                unchanged += 1
            elif state == "new" and p.triples:
                session.put(p.source.graph, p)
            elif state == "changed" and p.triples:
                staging = session.staging(p)
                session.put(staging, p)
                switch.append(f"MOVE GRAPH {URIRef(staging).n3()} TO GRAPH {target}")
            elif state == "changed":  # the file is empty now
                switch.append(f"DROP SILENT GRAPH {target}")
            if progress is not None:
                progress(p.source)
        if switch:
            store.update(" ;\n".join(switch))
    except BaseException:  # an error, or Ctrl-C: leave the store as it was
        session.drop_written()
        raise
    sample = next((t for p in payloads if (t := p.sample) is not None), None)
    union = sample is None or _default_graph_shows(store, sample)
    total = sum(len(p.triples) for p in payloads)
    seconds = time.monotonic() - start
    return Transfer(gsp, len(payloads), total, seconds, union, unchanged=unchanged)
