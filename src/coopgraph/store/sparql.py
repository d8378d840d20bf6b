"""Any SPARQL 1.1 endpoint, through SPARQLWrapper."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from urllib.error import URLError

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from ..errors import RdfSyntaxError, StoreError
from ..loader import expand_paths, parse_file, to_rdflib
from . import Bindings, SelectResult
from .binding import with_values

TIMEOUT_S = 120
INSERT_CHUNK = 20_000


def _term(binding: dict[str, str]) -> Node:
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    if binding.get("datatype") and not binding["datatype"].endswith("#string"):
        return Literal(value, datatype=URIRef(binding["datatype"]))
    return Literal(value)


class SparqlStore:
    """A remote SPARQL 1.1 endpoint (query), with SPARQL Update for ``load``."""

    name = "sparql"

    def __init__(self, endpoint: str, update_endpoint: str | None = None) -> None:
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or re.sub(r"/query/?$", "/update", endpoint)

    def _run(self, query: str, fmt: str) -> bytes:
        wrapper = SPARQLWrapper(self.endpoint)
        wrapper.setQuery(query)
        wrapper.setReturnFormat(fmt)
        wrapper.setMethod(POST)
        wrapper.setTimeout(TIMEOUT_S)
        try:
            response = wrapper.query().response.read()
        except QueryBadFormed as exc:
            raise RdfSyntaxError(f"the endpoint rejected the query: {exc}") from exc
        except (SPARQLWrapperException, URLError, OSError) as exc:
            raise StoreError(f"SPARQL endpoint {self.endpoint} failed: {exc}") from exc
        return bytes(response)

    def _json(self, query: str, bindings: Bindings | None) -> dict[str, object]:
        raw = self._run(with_values(query, bindings), JSON)
        try:
            doc = json.loads(raw)
        except ValueError as exc:
            raise StoreError(f"SPARQL endpoint {self.endpoint} sent no JSON results") from exc
        if not isinstance(doc, dict):
            raise StoreError(f"SPARQL endpoint {self.endpoint} sent unexpected JSON")
        return doc

    def select(self, query: str, bindings: Bindings | None = None) -> SelectResult:
        doc = self._json(query, bindings)
        head, results = doc.get("head", {}), doc.get("results", {})
        assert isinstance(head, dict) and isinstance(results, dict)
        variables = tuple(head.get("vars", []))
        rows = tuple(
            tuple(_term(b[v]) if v in b else None for v in variables)
            for b in results.get("bindings", [])
        )
        return SelectResult(variables, rows)

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        return bool(self._json(query, bindings).get("boolean"))

    def construct(self, query: str, bindings: Bindings | None = None) -> Graph:
        raw = self._run(with_values(query, bindings), TURTLE)
        return Graph().parse(data=raw, format="turtle")

    def load(self, paths: Sequence[Path]) -> int:
        added = 0
        for path in expand_paths(paths):
            triples = parse_file(path)
            for start in range(0, len(triples), INSERT_CHUNK):
                chunk = triples[start : start + INSERT_CHUNK]
                body = "\n".join(
                    " ".join(to_rdflib(x).n3() for x in (t.subject, t.predicate, t.object)) + " ."
                    for t in chunk
                )
                self.update(f"INSERT DATA {{\n{body}\n}}")
                added += len(chunk)
        return added

    def update(self, update: str) -> None:
        wrapper = SPARQLWrapper(self.endpoint, updateEndpoint=self.update_endpoint)
        wrapper.setQuery(update)
        wrapper.setMethod(POST)
        wrapper.setTimeout(TIMEOUT_S)
        try:
            wrapper.query()
        except (SPARQLWrapperException, URLError, OSError) as exc:
            raise StoreError(f"SPARQL update at {self.update_endpoint} failed: {exc}") from exc

    def close(self) -> None:
        pass
