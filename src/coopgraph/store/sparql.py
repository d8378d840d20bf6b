"""Any SPARQL 1.1 endpoint, through SPARQLWrapper.

Named graphs pushed by ``coopgraph push`` are seen by queries only where the endpoint's default
graph is the union of its graphs (``oxigraph serve --union-default-graph``; Fuseki
``tdb2:unionDefaultGraph true``).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Sequence
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from ..errors import CoopgraphError, RdfSyntaxError, StoreError
from ..loader import expand_paths, parse_file, to_rdflib
from . import Bindings, SelectResult
from .binding import with_values
from .http import DEFAULT_TIMEOUT_S, check_url, credentials_for, server_message, store_error

INSERT_CHUNK = 20_000
# SPARQLWrapper turns these statuses into its own exceptions, with the body in the message
_STATUS: tuple[tuple[type[SPARQLWrapperException], int], ...] = (
    (QueryBadFormed, 400), (Unauthorized, 401), (EndPointNotFound, 404), (URITooLong, 414),
    (EndPointInternalError, 500),
)  # fmt: skip


def _wrapper_error(exc: SPARQLWrapperException, url: str, secrets: list[str]) -> CoopgraphError:
    status = next((code for cls, code in _STATUS if isinstance(exc, cls)), None)
    _, sep, raw = str(exc).partition("\n\nResponse:\n")
    try:
        body = ast.literal_eval(raw) if sep else b""
    except (ValueError, SyntaxError):
        body = raw
    message = server_message(body if isinstance(body, (bytes, str)) else str(body), secrets)
    if status == 400:
        return RdfSyntaxError(f"{url} answered HTTP 400: {message or 'bad request'}")
    return StoreError(f"{url} answered HTTP {status}: {message or type(exc).__name__}")


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

    def __init__(
        self, endpoint: str, update_endpoint: str | None = None, *, timeout: float | None = None
    ) -> None:
        self.endpoint = check_url(endpoint)
        self.update_endpoint = check_url(
            update_endpoint or re.sub(r"/query/?$", "/update", endpoint)
        )
        self.timeout = timeout or DEFAULT_TIMEOUT_S
        self.credentials = credentials_for(endpoint)

    def _wrapper(self, update: bool = False) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(
            self.endpoint, updateEndpoint=self.update_endpoint if update else None
        )
        wrapper.setMethod(POST)
        wrapper.timeout = self.timeout  # type: ignore[assignment]  # setTimeout drops fractions
        if self.credentials is not None:
            wrapper.addCustomHttpHeader("Authorization", self.credentials.header())
        return wrapper

    def _send(self, wrapper: SPARQLWrapper, url: str) -> bytes:
        secrets = self.credentials.secrets() if self.credentials else []
        try:
            return bytes(wrapper.query().response.read())
        except SPARQLWrapperException as exc:
            raise _wrapper_error(exc, url, secrets) from None
        except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts
            raise store_error(exc, url, self.timeout, secrets) from None

    def _run(self, query: str, fmt: str) -> bytes:
        wrapper = self._wrapper()
        wrapper.setQuery(query)
        wrapper.setReturnFormat(fmt)
        return self._send(wrapper, self.endpoint)

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
        doc = self._json(query, bindings)
        if "boolean" in doc:
            return bool(doc["boolean"])
        # Virtuoso 7 answers ASK as a table: one row with __ASK_RETVAL 1 if true, none if false
        results = doc.get("results", {})
        rows = results.get("bindings", []) if isinstance(results, dict) else []
        return any(v.get("value") not in ("0", "false") for row in rows for v in row.values())

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
        """Run a SPARQL 1.1 Update request at the update endpoint."""
        wrapper = self._wrapper(update=True)
        wrapper.setQuery(update)
        self._send(wrapper, self.update_endpoint)

    def close(self) -> None:
        pass
