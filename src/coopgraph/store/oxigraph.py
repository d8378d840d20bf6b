"""The embedded default: pyoxigraph, in memory (bundled data) or on disk.

A store on disk holds one named graph per source file; queries see the union of all graphs as
their default graph. ``coopgraph load`` fills it all or nothing (``load_on_disk``): a new
generation is built beside the current one and switched in when complete (``generations``).
"""

from __future__ import annotations

import itertools
import time
import traceback
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from ..errors import InputError, RdfSyntaxError, StoreError
from ..loader import RDF_EXTENSIONS, expand_paths, parse_file, to_oxigraph_term, to_rdflib
from . import Bindings, SelectResult
from .binding import with_values
from .generations import LOCKED, Generations, fault_point, resolve
from .graphs import Progress, Source, Transfer, check

DEFAULT = ox.DefaultGraph()
LOAD_HINT = "fill it with `coopgraph load --store oxigraph:DIR`"
CHUNK = 100_000  # quads per bulk load: bounds the loader's memory (~200 MB), not slower


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
        """Open a store on disk (the generation ``path`` points to, see ``generations``);
        ``create`` lets a missing or empty directory become a plain store."""
        location = resolve(path) or path
        _check_location(location, create, shown=path)
        return cls(_open(location, shown=path), path)

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
            bulk_load(self._store, sources, progress)
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


def load_on_disk(
    path: Path, sources: Sequence[Source], progress: Progress | None = None
) -> tuple[Transfer, list[Path]]:
    """Load each source into its own named graph of the store at ``path``, replacing that
    graph, all or nothing: into a new generation beside the current one, switched in when
    complete (see ``generations``). Returns what was done and the leftovers of dead loads that
    were removed first.

    The graphs the sources do not name are taken over from the current generation (a hard-link
    backup, then the replaced graphs removed); when the sources replace every graph, the new
    generation starts empty. Each file is parsed once, streamed in chunks; a syntax error
    (named with file and line) discards the new generation and leaves the store as it was.
    """
    start = time.monotonic()
    _check_location(resolve(path) or path, True, shown=path)
    gens = Generations(path)
    with gens.locked():
        dead = gens.dead()
        gens.remove(dead)
        old = gens.current()
        gen = gens.new()
        store: ox.Store | None = None
        try:
            graphs = [ox.NamedNode(s.graph) for s in sources]
            store = _next_generation(old, gen, graphs, shown=path)
            fault_point("load:copied")
            bulk_load(store, sources, _counting(progress))
            counts = _triples_in(store, graphs)
            store.flush()
            store = None  # closes the generation before it is synced and switched in
            fault_point("load:built")
            before = gens.switch(gen)
        except BaseException as exc:  # an error, Ctrl-C: the store stays as it was
            store = None  # close every store this load opened before removing its files
            traceback.clear_frames(exc.__traceback__)
            gens.discard(gen)
            raise
        fault_point("load:switched")
        gens.prune({gen, *([before] if before else [])})
    seconds = time.monotonic() - start
    return Transfer(f"oxigraph:{path}", len(sources), counts, seconds), dead


def _counting(progress: Progress | None) -> Progress:
    """The caller's progress, and the fault points ``load:file-N`` of the tests."""
    done = [0]

    def tick(src: Source) -> None:
        done[0] += 1
        fault_point(f"load:file-{done[0]}")
        if progress is not None:
            progress(src)

    return tick


def _next_generation(
    old: Path | None, gen: Path, graphs: list[ox.NamedNode], shown: Path
) -> ox.Store:
    """The new generation: empty, or the old one without the graphs to be replaced."""
    if old is None or not (old / "CURRENT").exists():
        return _open(gen, shown=shown)
    current = _open(old, shown=shown)  # read-write: fails while another process holds it
    replaced = set(graphs)
    everything = all(g in replaced for g in current.named_graphs())
    if everything and next(current.quads_for_pattern(None, None, None, DEFAULT), None) is None:
        del current
        return _open(gen, shown=shown)
    current.backup(str(gen))  # hard links to the immutable files: instant, no extra space
    del current
    store = _open(gen, shown=shown)
    for g in graphs:
        store.remove_graph(g)  # only the replaced graphs: a small part of the store
    return store


def _triples_in(store: ox.Store, graphs: list[ox.NamedNode]) -> int:
    if not graphs:
        return 0
    values = " ".join(str(g) for g in graphs)
    result = store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    )
    assert isinstance(result, ox.QuerySolutions)
    (row,) = result
    n = row[0]
    assert isinstance(n, ox.Literal)
    return int(n.value)


def bulk_load(store: ox.Store, sources: Sequence[Source], progress: Progress | None) -> None:
    """Every triple of every source into the source's named graph, streamed from the files in
    chunks of ``CHUNK`` quads (memory stays bounded whatever the size of the data)."""
    quads = _quads(sources, progress)
    try:
        while chunk := list(itertools.islice(quads, CHUNK)):
            store.bulk_extend(chunk)
    except OSError as exc:
        raise StoreError(f"cannot load into the store: {exc}") from None


def _quads(sources: Sequence[Source], progress: Progress | None) -> Iterator[ox.Quad]:
    """Every triple of every source, in the source's named graph; a syntax error names the
    file and line."""
    for src in sources:
        graph = ox.NamedNode(src.graph)
        fmt = RDF_EXTENSIONS.get(src.path.suffix.lower())
        if fmt is None:
            parse_file(src.path)  # raises the unknown-type error
            continue
        base = src.path.resolve().as_uri()
        try:
            for q in ox.parse(path=str(src.path), format=fmt, base_iri=base):
                yield ox.Quad(q.subject, q.predicate, q.object, graph)
        except SyntaxError:
            parse_file(src.path)  # the error with file and line
            raise RdfSyntaxError("syntax error", file=src.path) from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", file=src.path) from None
        if progress is not None:
            progress(src)


def _open(location: Path, shown: Path) -> ox.Store:
    try:
        return ox.Store(str(location))
    except OSError as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise StoreError(LOCKED, file=shown) from None
        raise StoreError(f"cannot open the store: {text}", file=shown) from None


def _check_location(path: Path, create: bool, shown: Path | None = None) -> None:
    """Refuse a plain file, a folder of other things, and (unless creating) no store at all."""
    shown = shown or path
    if path.exists() and not path.is_dir():
        raise StoreError("not an Oxigraph store: a file, not a directory", file=shown)
    try:
        entries = {p.name for p in path.iterdir()} if path.is_dir() else set()
    except OSError as exc:
        raise StoreError(f"cannot read the store: {exc.strerror}", file=shown) from None
    if entries and "CURRENT" not in entries:
        raise StoreError("not an Oxigraph store: a directory holding other files", file=shown)
    if not entries and not create:
        raise StoreError(f"no store here yet; {LOAD_HINT}", file=shown)
