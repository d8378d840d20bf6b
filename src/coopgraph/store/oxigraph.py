"""The embedded default: pyoxigraph, in memory (bundled data) or on disk.

A store on disk holds one named graph per source file (``coopgraph load``); queries see the
union of all graphs as their default graph.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from ..errors import InputError, RdfSyntaxError, StoreError
from ..loader import RDF_EXTENSIONS, expand_paths, parse_file, to_oxigraph_term, to_rdflib
from . import Bindings, SelectResult
from .binding import with_values
from .graphs import Progress, Source, Transfer, check

DEFAULT = ox.DefaultGraph()
LOAD_HINT = "fill it with `coopgraph load --store oxigraph:DIR`"


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert one rdflib term into the equal pyoxigraph term."""
    converted = to_oxigraph_term(term)
    if converted is None:
        raise InputError(f"cannot bind {term!r} as an RDF term")
    return converted


def _graph(triples: Iterable[ox.Triple]) -> Graph:
    g = Graph()
    for t in triples:
        g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return g


class OxigraphStore:
    """A pyoxigraph store; SPARQL runs in the Rust engine."""

    name = "oxigraph"

    def __init__(
        self, store: ox.Store, location: Path | None = None, *, read_only: bool = False
    ) -> None:
        self._open: ox.Store | None = store
        self.location = location
        self.read_only = read_only

    @property
    def _store(self) -> ox.Store:
        if self._open is None:
            raise StoreError("the store is closed", file=self.location)
        return self._open

    @classmethod
    def bundled(cls) -> OxigraphStore:
        """The workspace's ontology, vocabularies and data: its compiled store on disk
        (read-only, brought up to date with the files first)."""
        from .cache import CompiledStore, compiled

        return cls(compiled(), CompiledStore().location, read_only=True)

    @classmethod
    def on_disk(cls, path: Path, *, create: bool = False) -> OxigraphStore:
        """Open a store on disk; ``create`` lets a missing or empty directory become one."""
        _check_location(path, create)
        try:
            return cls(ox.Store(str(path)), path)
        except OSError as exc:
            text = str(exc)
            if "lock" in text.lower():
                raise StoreError(
                    "the store is locked by another process (a running `coopgraph load`, or "
                    "`oxigraph serve --location` — then query the server's URL instead)",
                    file=path,
                ) from None
            raise StoreError(f"cannot open the store: {text}", file=path) from None

    def _query(
        self, query: str, bindings: Bindings | None
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        try:
            return self._store.query(with_values(query, bindings), use_default_graph_as_union=True)
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

    def replace_graphs(
        self,
        sources: Sequence[Source],
        progress: Progress | None = None,
        counts: Sequence[int] | None = None,
    ) -> Transfer:
        """Bulk-load each source into its own named graph, replacing what that graph held.

        Every file is parsed first (unless ``counts`` says ``graphs.check`` did), so a syntax
        error (named with file and line) changes nothing; loading the same files again leaves
        the store as it was.
        """
        start = time.monotonic()
        counts = check(sources) if counts is None else counts
        # removing a graph deletes quad by quad; when every graph is replaced, clear at once
        everything = {g.value for g in self._store.named_graphs()} <= {s.graph for s in sources}
        if everything and next(self._store.quads_for_pattern(None, None, None, DEFAULT), None):
            everything = False
        try:
            if everything:
                self._store.clear()
            else:
                for src in sources:
                    self._store.remove_graph(ox.NamedNode(src.graph))
            self._store.bulk_extend(_quads(sources, progress))  # one bulk load for all files
        except OSError as exc:
            raise StoreError(f"cannot load into the store: {exc}", file=self.location) from None
        self._store.flush()
        where = str(self.location) if self.location else "memory"
        return Transfer(f"oxigraph:{where}", len(sources), sum(counts), time.monotonic() - start)

    def close(self) -> None:
        """Write everything to disk and, for a store on disk, release it (and its lock) now
        rather than when the garbage collector gets to it."""
        if self._open is None:
            return
        if not self.read_only:
            self._open.flush()
        if self.location is not None:
            self._open = None


def _quads(sources: Sequence[Source], progress: Progress | None) -> Iterator[ox.Quad]:
    """Every triple of every (already checked) source, in the source's named graph."""
    for src in sources:
        graph = ox.NamedNode(src.graph)
        fmt = RDF_EXTENSIONS[src.path.suffix.lower()]
        base = src.path.resolve().as_uri()
        for q in ox.parse(path=str(src.path), format=fmt, base_iri=base):
            yield ox.Quad(q.subject, q.predicate, q.object, graph)
        if progress is not None:
            progress(src)


def _check_location(path: Path, create: bool) -> None:
    """Refuse a plain file, a folder of other things, and (unless creating) no store at all."""
    if path.exists() and not path.is_dir():
        raise StoreError("not an Oxigraph store: a file, not a directory", file=path)
    try:
        entries = {p.name for p in path.iterdir()} if path.is_dir() else set()
    except OSError as exc:
        raise StoreError(f"cannot read the store: {exc.strerror}", file=path) from None
    if entries and "CURRENT" not in entries:
        raise StoreError("not an Oxigraph store: a directory holding other files", file=path)
    if not entries and not create:
        raise StoreError(f"no store here yet; {LOAD_HINT}", file=path)
