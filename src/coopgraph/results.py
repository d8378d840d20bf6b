"""Rendering query results.

The machine formats are written by the engine: SPARQL 1.1 Query Results JSON, XML, CSV and TSV by
pyoxigraph's ``QuerySolutions.serialize`` / ``QueryBoolean.serialize``, graphs (Turtle, JSON-LD,
N-Triples, RDF/XML) by ``pyoxigraph.serialize``. Only the human formats (``table``,
``markdown``: labels instead of IRIs) are laid out here. :func:`serialize` writes an engine
result as it comes (what ``serve`` answers, cut at its result limit); rows that a backend gave
as rdflib terms reach the engine's writers through :func:`solutions`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.query import Result
from rdflib.term import Node, Variable
from tabulate import tabulate

from .errors import InputError
from .formats import GRAPH_FORMATS, SELECT_FORMATS
from .loader import to_oxigraph_term
from .namespaces import PREFIXES
from .store import SelectResult

# media type -> the engine's writer, for SELECT and ASK results (SPARQL 1.1 Query Results)
RESULT_MEDIA: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
# media type -> the engine's writer, for CONSTRUCT and DESCRIBE results
GRAPH_MEDIA: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
# the command line's names of the machine formats
_CLI_RESULTS = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values"}  # fmt: skip
_CLI_GRAPHS = {"turtle": "text/turtle", "jsonld": "application/ld+json",
               "ntriples": "application/n-triples"}  # fmt: skip


@dataclass(frozen=True)
class Serialized:
    """A query's answer as the engine wrote it: ``form`` SELECT, ASK or CONSTRUCT (also for
    DESCRIBE), the media type written, at most ``limit`` rows or triples."""

    form: str
    media: str
    body: bytes
    truncated: bool = False


class NotAcceptable(Exception):
    """The client accepts no format for results of this form (SELECT/ASK or a graph)."""

    def __init__(self, form: str) -> None:
        super().__init__(form)
        self.form = form


class _Full(Exception):
    """Raised by ``_Lines`` to stop the engine's writer (and the query) at the limit."""


class _Lines:
    """A binary sink for the engine's TSV writer that stops it after ``most`` lines (TSV writes
    one line per row: newlines inside terms are escaped)."""

    def __init__(self, most: int) -> None:
        self.parts: list[bytes] = []
        self.lines = 0
        self.most = most

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        self.parts.append(chunk)
        self.lines += chunk.count(b"\n")
        if self.lines >= self.most:
            raise _Full
        return len(chunk)

    def flush(self) -> None:
        pass


def _first_rows(solutions: ox.QuerySolutions, limit: int) -> tuple[bytes, bool]:
    """The header and at most ``limit`` rows as TSV (the engine's writer), and whether there
    were more. The engine evaluates no further than the row after the limit."""
    sink = _Lines(limit + 2)  # the header, ``limit`` rows and one more
    with contextlib.suppress(_Full):
        solutions.serialize(sink, format=ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]
    lines = b"".join(sink.parts).split(b"\n")
    if len(lines) > limit + 2 or (len(lines) == limit + 2 and lines[-1]):
        return b"\n".join(lines[: limit + 1]) + b"\n", True
    return b"\n".join(lines), False


def serialize(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
    *,
    result_media: str | None,
    graph_media: str | None,
    limit: int,
) -> Serialized:
    """An engine result written by the engine in the media type for its form (None: the client
    accepts none, NotAcceptable), cut after ``limit`` rows or triples."""
    if isinstance(result, ox.QueryBoolean):
        if result_media is None:
            raise NotAcceptable("ASK")
        body = result.serialize(format=RESULT_MEDIA[result_media])
        assert body is not None
        return Serialized("ASK", result_media, body)
    if isinstance(result, ox.QuerySolutions):
        if result_media is None:
            raise NotAcceptable("SELECT")
        tsv, truncated = _first_rows(result, limit)
        fmt = RESULT_MEDIA[result_media]
        if fmt != ox.QueryResultsFormat.TSV:  # the rows read back by the engine, written anew
            written = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(
                format=fmt
            )
            assert written is not None
            tsv = written
        return Serialized("SELECT", result_media, tsv, truncated)
    if graph_media is None:
        raise NotAcceptable("CONSTRUCT")
    triples = list(islice(result, limit + 1))
    return Serialized(
        "CONSTRUCT", graph_media, _graph_bytes(triples[:limit], graph_media), len(triples) > limit
    )


def _graph_bytes(triples: Iterable[ox.Triple], media: str) -> bytes:
    fmt = GRAPH_MEDIA[media]
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    body = ox.serialize(triples, format=fmt, prefixes=prefixes)
    assert body is not None
    return body


def solutions(result: SelectResult) -> ox.QuerySolutions:
    """Rows given as rdflib terms (by any backend) as the engine's solutions, to be written by
    its writers: rdflib's SPARQL JSON writer hands them over."""
    res = Result("SELECT")
    res.vars = [Variable(v) for v in result.variables]
    res.bindings = [
        {Variable(v): t for v, t in zip(result.variables, row, strict=True) if t is not None}  # type: ignore[misc]
        for row in result.rows
    ]
    data = res.serialize(format="json", encoding="utf-8")
    parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QuerySolutions)
    return parsed


def boolean(value: bool) -> ox.QueryBoolean:
    """An ASK answer as the engine's result, to be written by its writers."""
    data = b'{"head":{},"boolean":' + (b"true" if value else b"false") + b"}"
    parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QueryBoolean)
    return parsed


def graph_triples(graph: Graph) -> list[ox.Triple]:
    """An rdflib graph's triples as the engine's terms."""
    out = []
    for s, p, o in graph:
        terms = (to_oxigraph_term(s), to_oxigraph_term(p), to_oxigraph_term(o))
        out.append(ox.Triple(*terms))  # type: ignore[arg-type]
    return out


# ---------------------------------------------------------------- the command line


def _plain(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def _shown(node: Node | None, labels: Mapping[Node, str]) -> str:
    if node is None:
        return ""
    if node in labels:
        return labels[node]
    if isinstance(node, URIRef):
        text = str(node)
        for prefix, ns in PREFIXES.items():
            if text.startswith(ns) and prefix != "id":
                return f"{prefix}:{text[len(ns) :]}"
        return text
    return _plain(node)


def render_select(result: SelectResult, fmt: str, labels: Mapping[Node, str] | None = None) -> str:
    """Rows in one of SELECT_FORMATS; ``table`` and ``markdown`` show labels instead of IRIs,
    the others are the engine's SPARQL 1.1 Query Results formats."""
    labels = labels or {}
    if fmt in _CLI_RESULTS:
        body = solutions(result).serialize(format=RESULT_MEDIA[_CLI_RESULTS[fmt]])
        assert body is not None
        return _text(body)
    if fmt in ("table", "markdown"):
        rows = [[_shown(t, labels) for t in row] for row in result.rows]
        style = "github" if fmt == "markdown" else "simple"
        body = tabulate(rows, headers=list(result.variables), tablefmt=style, disable_numparse=True)
        return body + "\n"
    raise InputError(f"format {fmt!r} is not for SELECT results ({', '.join(SELECT_FORMATS)})")


def render_boolean(value: bool, fmt: str) -> str:
    """An ASK answer: the engine's SPARQL results JSON/XML/CSV/TSV, else ``true``/``false``."""
    if fmt in _CLI_RESULTS:
        return _text(boolean(value).serialize(format=RESULT_MEDIA[_CLI_RESULTS[fmt]]))
    return ("true" if value else "false") + "\n"


def render_graph(graph: Graph, fmt: str) -> str:
    """A CONSTRUCT/DESCRIBE result as Turtle (default), JSON-LD or N-Triples."""
    if fmt not in _CLI_GRAPHS:
        raise InputError(f"format {fmt!r} is not for graphs ({', '.join(GRAPH_FORMATS)})")
    return _graph_bytes(graph_triples(graph), _CLI_GRAPHS[fmt]).decode("utf-8")


def _text(body: bytes | None) -> str:
    assert body is not None
    text = body.decode("utf-8")
    return text if text.endswith("\n") else text + "\n"
