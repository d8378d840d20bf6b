"""Files loaded into one graph or store: the ontology, data files and what they refer to.

Two forms, one per engine: ``LoadedGraph`` (an rdflib graph, for pySHACL and the reference
backend) and ``LoadedStore`` (a pyoxigraph store holding one named graph per file, named by
``graphs.graph_of``, for the fast engine). Both know the file each subject came from, so a
finding can name it. Files given on their own bring along the bundled resources they refer to
(Kommunen named as members, their Kreis and Land), pulled from the workspace's compiled store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from .. import resources
from ..errors import RdfSyntaxError
from ..loader import (
    RDF_EXTENSIONS,
    display_name,
    expand_paths,
    parse_file,
    to_oxigraph_term,
    to_rdflib,
)
from ..namespaces import GRAPH, ID
from .generations import resolve
from .graphs import graph_of

ONTOLOGY_GRAPH = ox.NamedNode("urn:coopgraph:ontology")
REFERENCED_GRAPH = ox.NamedNode("urn:coopgraph:referenced")


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


def bundled_store() -> ox.Store:
    """The workspace's ontology and data: its compiled store (read-only, one named graph per
    file; query it with ``use_default_graph_as_union``), brought up to date once per process."""
    from .cache import compiled

    return compiled()


def _referenced(loaded: LoadedGraph, store: ox.Store, depth: int = 3) -> list[ox.Triple]:
    """Descriptions of coopgraph resources (Kommunen, Kreise, Länder …) the data refers to."""
    known = {str(s) for s in loaded.graph.subjects()}
    frontier = {
        str(o) for o in loaded.graph.objects() if isinstance(o, URIRef) and o.startswith(str(ID))
    }
    return pull(known, frontier, store, depth)


def pull(known: set[str], frontier: set[str], store: ox.Store, depth: int) -> list[ox.Triple]:
    """Triples of ``store`` about the IRIs in ``frontier`` and, ``depth`` hops on, theirs."""
    known = set(known)
    frontier = frontier - known
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
            loaded.add_triples(parse_file(path), origin=display_name(path))
            loaded.files.append(path)
        return loaded
    for path in expand_paths(paths):
        loaded.add_triples(parse_file(path), origin=display_name(path))
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


@dataclass
class LoadedStore:
    """Files loaded into a pyoxigraph store, each in a named graph of its own (its file IRI).

    The named graphs tell where each subject came from and let one file be replaced; queries
    see their union as the default graph.
    """

    store: ox.Store = field(default_factory=ox.Store)
    files: list[Path] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # graph IRI -> file as displayed

    def add_file(self, path: Path, graph: ox.NamedNode | None = None) -> ox.NamedNode:
        """Bulk-load one RDF file into its named graph (or ``graph``); errors name the line."""
        fmt = RDF_EXTENSIONS.get(path.suffix.lower())
        if fmt is None:
            parse_file(path)  # raises the unknown-type error
        name = graph or graph_of(path)
        try:
            self.store.bulk_load(path=str(path), format=fmt, to_graph=name)
        except (SyntaxError, ValueError, OSError):
            parse_file(path)  # the same error, with file and line
            raise RdfSyntaxError("cannot parse", file=path) from None
        return name

    def add_data_file(self, path: Path) -> None:
        name = self.add_file(path)
        self.names[name.value] = display_name(path)
        self.files.append(path)

    def origin(self, node: Node) -> str | None:
        """The first loaded file describing a node; for a literal, one holding it as a value."""
        term = to_oxigraph_term(node)
        if term is None:
            return None
        order = {name: i for i, name in enumerate(self.names)}
        patterns = [(term, None, None)] if not isinstance(term, ox.Literal) else []
        patterns.append((None, None, term))  # type: ignore[arg-type]
        for s, p, o in patterns:
            graphs = {q.graph_name.value for q in self.store.quads_for_pattern(s, p, o)
                      if isinstance(q.graph_name, ox.NamedNode)}  # fmt: skip
            found = sorted((order[g], g) for g in graphs if g in order)
            if found:
                return self.names[found[0][1]]
        return None

    def triples(self) -> int:
        return len(self.store)

    def holds_ontology(self) -> bool:
        """Does the store hold the ontology and its vocabularies (as ``coopgraph load`` puts
        them), which the shapes need beside the data?"""
        return any(name.startswith("ontology/") for name in self.names.values()) or any(
            True for _ in self.store.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH)
        )

    @classmethod
    def on_disk(cls, path: Path, *, read_only: bool = False) -> LoadedStore:
        """An oxigraph store on disk whose named graphs are files (as ``coopgraph load`` made
        it: one graph per file, named by ``graph_of``); DIR may point to a generation."""
        location = str(resolve(path) or path)  # the generation it points to
        return cls.of_graphs(ox.Store.read_only(location) if read_only else ox.Store(location))

    @classmethod
    def of_graphs(cls, store: ox.Store) -> LoadedStore:
        """A store whose named graphs are files, each named by ``graph_of``."""
        loaded = cls(store)
        for g in sorted(
            n.value for n in loaded.store.named_graphs() if isinstance(n, ox.NamedNode)
        ):
            if g.startswith(str(GRAPH)) and not g.startswith(str(GRAPH["staging/"])):
                loaded.names[g] = g.removeprefix(str(GRAPH))
        loaded.files = [Path(name) for name in loaded.names.values()]
        return loaded


def load_store(
    paths: Sequence[str | Path] | None = None,
    *,
    with_ontology: bool = True,
    referenced: bool = True,
    store: LoadedStore | None = None,
) -> LoadedStore:
    """Like ``load``, into a pyoxigraph store (one named graph per file), never through rdflib."""
    loaded = store or LoadedStore()
    if with_ontology:
        for path in resources.ontology_files():
            loaded.add_file(path, ONTOLOGY_GRAPH)
    files = resources.data_files() if paths is None else expand_paths(paths)
    for path in files:
        loaded.add_data_file(path)
    if paths is not None and referenced:
        data_graphs = [ox.NamedNode(g) for g in loaded.names]
        known: set[str] = set()
        frontier: set[str] = set()
        for g in data_graphs:
            for q in loaded.store.quads_for_pattern(None, None, None, g):
                if isinstance(q.subject, ox.NamedNode):
                    known.add(q.subject.value)
                o = q.object
                if isinstance(o, ox.NamedNode) and o.value.startswith(str(ID)):
                    frontier.add(o.value)
        pulled = pull(known, frontier, bundled_store(), 3)
        loaded.store.extend(ox.Quad(t.subject, t.predicate, t.object, REFERENCED_GRAPH)
                            for t in pulled)  # fmt: skip
    return loaded
