"""Read RDF files into graphs: fast parsing, ``file:line`` errors, and where each subject came from.

Parsing goes through pyoxigraph (fast, with precise syntax positions); the result is an
rdflib ``Graph`` because pySHACL and the in-memory store work on rdflib.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from . import resources
from .errors import InputError, RdfSyntaxError
from .namespaces import ID

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_EXTENSIONS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES,
                  ".rdf": ox.RdfFormat.RDF_XML, ".owl": ox.RdfFormat.RDF_XML}  # fmt: skip


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    """Convert one pyoxigraph term into the equal rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise InputError(f"RDF-star triple terms are not supported: {term}")


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, plus every RDF file below each named folder; missing ones are an error."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in RDF_EXTENSIONS)
            if not found:
                raise InputError("folder holds no RDF files (.ttl, .nt, .rdf)", file=path)
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise InputError("no such file or folder", file=path)
    return out


def parse_file(path: Path) -> list[ox.Triple]:
    """Parse one RDF file; a syntax error names the file and line."""
    fmt = RDF_EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"unknown RDF file type {path.suffix!r} (expected {', '.join(RDF_EXTENSIONS)})",
            file=path,
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=path) from exc
    try:
        return [q.triple for q in ox.parse(data, format=fmt, base_iri=path.resolve().as_uri())]
    except SyntaxError as exc:
        message = str(exc.msg if hasattr(exc, "msg") else exc)
        message = message.split(": ", 1)[1] if message.startswith("Parser error") else message
        raise RdfSyntaxError(f"syntax error: {message}", file=path, line=exc.lineno) from exc
    except ValueError as exc:  # e.g. invalid UTF-8
        raise RdfSyntaxError(f"cannot parse: {exc}", file=path) from exc


@dataclass
class LoadedGraph:
    """A data graph and the file each subject in it came from."""

    graph: Graph = field(default_factory=Graph)
    origins: dict[Node, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    def add_triples(self, triples: Iterable[ox.Triple], origin: str | None) -> None:
        add = self.graph.add
        for t in triples:
            s = to_rdflib(t.subject)
            add((s, to_rdflib(t.predicate), to_rdflib(t.object)))
            if origin is not None and s not in self.origins:
                self.origins[s] = origin

    def origin(self, node: Node) -> str | None:
        """The file a node was described in; for a literal, the file of a subject holding it."""
        if node in self.origins:
            return self.origins[node]
        for s in self.graph.subjects(object=node):
            if s in self.origins:
                return self.origins[s]
        return None


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@lru_cache(maxsize=1)
def bundled_store() -> ox.Store:
    """The bundled data (all of ``data/``) in an in-memory pyoxigraph store, loaded once."""
    store = ox.Store()
    for path in resources.data_files():
        try:
            store.bulk_load(path=str(path), format=RDF_EXTENSIONS[path.suffix])
        except SyntaxError:
            parse_file(path)  # raises the error with file and line
            raise
    return store


def _referenced(loaded: LoadedGraph, store: ox.Store, depth: int = 3) -> list[ox.Triple]:
    """Descriptions of coopgraph resources (Kommunen, Kreise, Länder …) the data refers to."""
    known = {str(s) for s in loaded.graph.subjects()}
    frontier = {
        str(o) for o in loaded.graph.objects() if isinstance(o, URIRef) and o.startswith(str(ID))
    } - known
    pulled: list[ox.Triple] = []
    for _ in range(depth):
        next_frontier: set[str] = set()
        for iri in sorted(frontier):
            for q in store.quads_for_pattern(ox.NamedNode(iri), None, None):
                pulled.append(q.triple)
                o = q.object
                if isinstance(o, ox.NamedNode) and o.value.startswith(str(ID)):
                    next_frontier.add(o.value)
            known.add(iri)
        frontier = next_frontier - known
    return pulled


def load(
    paths: Sequence[str | Path] | None = None,
    *,
    with_ontology: bool = True,
    referenced: bool = True,
) -> LoadedGraph:
    """Load a data graph.

    Without ``paths``: the ontology, its vocabularies and all bundled data. With ``paths``:
    the ontology and vocabularies, those files, and (``referenced``) the bundled resources they
    refer to (for example the Kommunen named as members), so they can be checked on their own.
    """
    loaded = LoadedGraph()
    if with_ontology:
        for path in resources.ontology_files():
            loaded.add_triples(parse_file(path), origin=None)
    if paths is None:
        for path in resources.data_files():
            loaded.add_triples(parse_file(path), origin=_display(path))
            loaded.files.append(path)
        return loaded
    for path in expand_paths(paths):
        loaded.add_triples(parse_file(path), origin=_display(path))
        loaded.files.append(path)
    if referenced:
        loaded.add_triples(_referenced(loaded, bundled_store()), origin=None)
    return loaded


def load_document(data: bytes, origin: str, *, referenced: bool = True) -> LoadedGraph:
    """The ontology, one Turtle document not (yet) written to disk, and (``referenced``) the
    bundled resources it refers to; a syntax error names ``origin`` and the line."""
    loaded = load([], referenced=False)
    try:
        triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE)]
    except SyntaxError as exc:
        raise RdfSyntaxError(f"syntax error: {exc}", file=origin, line=exc.lineno) from exc
    loaded.add_triples(triples, origin=origin)
    loaded.files.append(Path(origin))
    if referenced:
        loaded.add_triples(_referenced(loaded, bundled_store()), origin=None)
    return loaded
