"""The embedded default: pyoxigraph, in memory (bundled data) or on disk."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .. import resources
from ..errors import InputError, RdfSyntaxError, StoreError
from ..loader import RDF_EXTENSIONS, expand_paths, parse_file, to_rdflib
from . import Bindings, SelectResult
from .binding import with_values


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert one rdflib term into the equal pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise InputError(f"cannot bind {term!r} as an RDF term")


def _graph(triples: Iterable[ox.Triple]) -> Graph:
    g = Graph()
    for t in triples:
        g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return g


class OxigraphStore:
    """A pyoxigraph store; SPARQL runs in the Rust engine."""

    name = "oxigraph"

    def __init__(self, store: ox.Store) -> None:
        self._store = store

    @classmethod
    def bundled(cls) -> OxigraphStore:
        """In memory, with the ontology, vocabularies and all bundled data."""
        store = cls(ox.Store())
        store.load([*resources.ontology_files(), *resources.data_files()])
        return store

    @classmethod
    def on_disk(cls, path: Path) -> OxigraphStore:
        try:
            return cls(ox.Store(str(path)))
        except OSError as exc:
            raise StoreError(f"cannot open the store: {exc}", file=path) from exc

    def _query(self, query: str, bindings: Bindings | None) -> object:
        try:
            return self._store.query(with_values(query, bindings))
        except SyntaxError as exc:
            raise RdfSyntaxError(f"SPARQL syntax error: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"query failed: {exc}") from exc

    def select(self, query: str, bindings: Bindings | None = None) -> SelectResult:
        solutions = self._query(query, bindings)
        if not isinstance(solutions, ox.QuerySolutions):
            raise InputError("not a SELECT query")
        variables = tuple(v.value for v in solutions.variables)
        rows = tuple(
            tuple(None if (t := s[v]) is None else to_rdflib(t) for v in variables)
            for s in solutions
        )
        return SelectResult(variables, rows)

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        result = self._query(query, bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise InputError("not an ASK query")
        return bool(result)

    def construct(self, query: str, bindings: Bindings | None = None) -> Graph:
        result = self._query(query, bindings)
        if not isinstance(result, ox.QueryTriples):
            raise InputError("not a CONSTRUCT or DESCRIBE query")
        return _graph(result)

    def load(self, paths: Sequence[Path]) -> int:
        before = len(self._store)
        for path in expand_paths(paths):
            fmt = RDF_EXTENSIONS.get(path.suffix.lower())
            if fmt is None:
                parse_file(path)  # raises the unknown-type error
                continue
            try:
                self._store.bulk_load(path=str(path), format=fmt)
            except SyntaxError:
                parse_file(path)  # re-parse for the error with file and line
                raise RdfSyntaxError("syntax error", file=path) from None
        return len(self._store) - before

    def close(self) -> None:
        """Flush, then let go of the store so that its lock on disk is released."""
        flush = getattr(self._store, "flush", None)
        if flush is not None:
            flush()
        self._store = ox.Store()  # the store on disk is freed (and unlocked) with its last ref
