"""Rendering query results: table, CSV, TSV, SPARQL JSON, Markdown; graphs as Turtle or JSON-LD."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node
from tabulate import tabulate

from .errors import InputError
from .formats import GRAPH_FORMATS, SELECT_FORMATS
from .namespaces import PREFIXES
from .store import SelectResult


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


def _json_term(node: Node) -> dict[str, str]:
    if isinstance(node, URIRef):
        return {"type": "uri", "value": str(node)}
    if isinstance(node, BNode):
        return {"type": "bnode", "value": str(node)}
    assert isinstance(node, Literal)
    term = {"type": "literal", "value": str(node)}
    if node.language:
        term["xml:lang"] = node.language
    elif node.datatype:
        term["datatype"] = str(node.datatype)
    return term


def render_select(result: SelectResult, fmt: str, labels: Mapping[Node, str] | None = None) -> str:
    """Rows in one of SELECT_FORMATS; ``table`` and ``markdown`` show labels instead of IRIs."""
    labels = labels or {}
    if fmt == "json":  # SPARQL 1.1 Query Results JSON
        doc = {
            "head": {"vars": list(result.variables)},
            "results": {
                "bindings": [
                    {
                        v: _json_term(t)
                        for v, t in zip(result.variables, row, strict=True)
                        if t is not None
                    }
                    for row in result.rows
                ]
            },
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":  # SPARQL 1.1 Query Results CSV
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(result.variables)
        writer.writerows([_plain(t) for t in row] for row in result.rows)
        return buf.getvalue()
    if fmt == "tsv":  # SPARQL 1.1 Query Results TSV: terms in Turtle syntax
        lines = ["\t".join(f"?{v}" for v in result.variables)]
        lines += ["\t".join("" if t is None else t.n3() for t in row) for row in result.rows]
        return "\n".join(lines) + "\n"
    if fmt in ("table", "markdown"):
        rows = [[_shown(t, labels) for t in row] for row in result.rows]
        style = "github" if fmt == "markdown" else "simple"
        body = tabulate(rows, headers=list(result.variables), tablefmt=style, disable_numparse=True)
        return body + "\n"
    raise InputError(f"format {fmt!r} is not for SELECT results ({', '.join(SELECT_FORMATS)})")


def render_boolean(value: bool, fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}) + "\n"
    return ("true" if value else "false") + "\n"


def render_graph(graph: Graph, fmt: str) -> str:
    """A CONSTRUCT/DESCRIBE result as Turtle (default), JSON-LD or N-Triples."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    if fmt == "turtle":
        return graph.serialize(format="turtle")
    if fmt == "jsonld":
        return graph.serialize(format="json-ld", indent=2)
    if fmt == "ntriples":
        return graph.serialize(format="nt")
    raise InputError(f"format {fmt!r} is not for graphs ({', '.join(GRAPH_FORMATS)})")
