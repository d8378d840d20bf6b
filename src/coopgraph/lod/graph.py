"""The graph as pages see it: :class:`GraphView` (triples indexed both ways), one resource's
description (:func:`describe` on any store, :func:`description_triples` on a view) and the small
view a single page needs (:func:`view_of`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef

from ..namespaces import COOP, DATA_PREFIXES
from ..store import Store
from ..store.oxigraph import to_oxigraph
from .terms import (
    DEPENDENT_TYPES,
    GEO_AS_WKT,
    GEO_HAS_GEOMETRY,
    LABEL_PREDICATES,
    ONTOLOGY_IRI,
    ORG_MEMBER,
    ORG_MEMBERSHIP,
    ORG_ORGANIZATION,
    RDF_TYPE,
    Subject,
    Term,
)


class GraphView:
    """Triples indexed by subject and, for named objects, by object: what pages are built from."""

    def __init__(self) -> None:
        self.out: dict[Subject, list[tuple[ox.NamedNode, Term]]] = defaultdict(list)
        self.inc: dict[ox.NamedNode, list[tuple[Subject, ox.NamedNode]]] = defaultdict(list)
        self._seen: set[ox.Triple] = set()
        self._size = 0
        self._labels: dict[Term, dict[str, str]] = {}
        self.shown: dict[tuple[Term, str], dict[str, str]] = {}  # PageBuilder.label, by language
        self._dependent: dict[Term, bool] = {}

    def add(self, s: Subject, p: ox.NamedNode, o: Term) -> None:
        t = ox.Triple(s, p, o)
        if t in self._seen:
            return
        self._seen.add(t)
        self._size += 1
        self.out[s].append((p, o))
        if isinstance(o, ox.NamedNode):
            self.inc[o].append((s, p))

    @classmethod
    def from_triples(cls, triples: Iterable[ox.Triple], distinct: bool = False) -> GraphView:
        """Index triples; ``distinct`` when they are known to hold no duplicates (a store)."""
        view = cls()
        if not distinct:
            for t in triples:
                view.add(t.subject, t.predicate, t.object)  # type: ignore[arg-type]
            return view
        out, inc = view.out, view.inc
        named = ox.NamedNode
        for t in triples:
            s, p, o = t.subject, t.predicate, t.object
            out[s].append((p, o))  # type: ignore[index, arg-type]
            if type(o) is named:
                inc[o].append((s, p))  # type: ignore[arg-type]
            view._size += 1
        return view

    def __len__(self) -> int:
        return self._size

    def dependent(self, node: Term) -> bool:
        """Whether a node belongs to what points at it (blank node, interval, instant, geometry)."""
        if isinstance(node, ox.BlankNode):
            return True
        if not isinstance(node, ox.NamedNode):
            return False
        known = self._dependent.get(node)
        if known is None:
            known = self._dependent[node] = any(t in DEPENDENT_TYPES for t in self.types(node))
        return known

    def triples(self) -> Iterator[ox.Triple]:
        for s, pos in self.out.items():
            for p, o in pos:
                yield ox.Triple(s, p, o)

    def objects(self, s: Subject, p: ox.NamedNode) -> list[Term]:
        return [o for q, o in self.out.get(s, ()) if q == p]

    def value(self, s: Subject, p: ox.NamedNode) -> Term | None:
        for q, o in self.out.get(s, ()):
            if q == p:
                return o
        return None

    def subjects(self, p: ox.NamedNode, o: ox.NamedNode) -> list[Subject]:
        return [s for s, q in self.inc.get(o, ()) if q == p]

    def types(self, s: Subject) -> list[ox.NamedNode]:
        return [o for o in self.objects(s, RDF_TYPE) if isinstance(o, ox.NamedNode)]

    def is_a(self, s: Subject, cls: ox.NamedNode) -> bool:
        return any(o == cls for o in self.objects(s, RDF_TYPE))

    def labels(self, node: Term) -> dict[str, str]:
        """Labels by language tag ("" for untagged), from the first label property that has any."""
        cached = self._labels.get(node)
        if cached is None:
            cached = self._labels[node] = self._find_labels(node)
        return cached

    def _find_labels(self, node: Term) -> dict[str, str]:
        out: dict[str, str] = {}
        for p in LABEL_PREDICATES:
            for o in self.objects(node, p) if not isinstance(node, ox.Literal) else ():
                if isinstance(o, ox.Literal):
                    out.setdefault(o.language or "", o.value)
            if out:
                return out
        return out


def description_triples(view: GraphView, iri: Subject) -> list[ox.Triple]:
    """The triples of one resource's description, from an indexed graph (see :func:`describe`)."""
    roots: list[Subject] = [iri]
    if isinstance(iri, ox.NamedNode):
        for s, p in view.inc.get(iri, ()):
            if p in (ORG_ORGANIZATION, ORG_MEMBER) and view.is_a(s, ORG_MEMBERSHIP):
                roots.append(s)
    seen: set[Subject] = set()
    out: list[ox.Triple] = []
    queue = list(roots)
    while queue:
        node = queue.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in view.out.get(node, ()):
            out.append(ox.Triple(node, p, o))
            if view.dependent(o):
                queue.append(o)  # type: ignore[arg-type]
    return out


_MEMBERSHIPS_QUERY = """
PREFIX org: <http://www.w3.org/ns/org#>
SELECT DISTINCT ?m WHERE {
  ?m a org:Membership .
  { ?m org:organization ?x } UNION { ?m org:member ?x }
}"""

_OUT_QUERY = """
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
SELECT ?s ?p ?o ?dep ?p2 ?o2 ?p3 ?o3 WHERE {
  ?s ?p ?o .
  OPTIONAL { ?o a ?dep .
             VALUES ?dep { time:Interval time:ProperInterval time:Instant geo:Geometry } }
  OPTIONAL { ?o ?p2 ?o2 . FILTER(isBlank(?o))
             OPTIONAL { ?o2 ?p3 ?o3 . FILTER(isBlank(?o2)) } }
}"""


def _with_subjects(query: str, var: str, nodes: Sequence[URIRef]) -> str:
    """The query with a multi-row VALUES block for ``var``: terms written by rdflib, as RDF."""
    rows = " ".join(n.n3() for n in nodes)
    at = query.index("{", query.index("WHERE")) + 1
    return f"{query[:at]}\n  VALUES ?{var} {{ {rows} }}\n{query[at:]}"


def describe(store: Store, iri: str | URIRef) -> Graph:
    """The description of one resource: what its own Turtle / JSON-LD / N-Triples document holds.

    Its triples as subject; for a Kommune or a Kooperation also the ``org:Membership``s it is
    member or organization of; and, followed from those, the nodes that belong to them: blank
    nodes, intervals and instants (``org:memberDuring``, ``time:hasBeginning``) and geometries.
    Works on every store; through SPARQL, blank nodes are followed two levels deep (a query cannot
    name a blank node of an earlier one; coopgraph's own data has none).
    """
    node = URIRef(str(iri))
    graph = Graph()
    for prefix, ns in DATA_PREFIXES.items():
        graph.bind(prefix, ns)
    roots = [node] + [
        m for (m,) in store.select(_MEMBERSHIPS_QUERY, {"x": node}).rows if isinstance(m, URIRef)
    ]
    seen: set[URIRef] = set()
    frontier = roots
    while frontier:
        seen.update(frontier)
        result = store.select(_with_subjects(_OUT_QUERY, "s", frontier))
        following: set[URIRef] = set()
        for s, p, o, dep, p2, o2, p3, o3 in result.rows:
            graph.add((s, p, o))  # type: ignore[arg-type]
            if p2 is not None:
                graph.add((o, p2, o2))  # type: ignore[arg-type]
            if p3 is not None:
                graph.add((o2, p3, o3))  # type: ignore[arg-type]
            if dep is not None and isinstance(o, URIRef) and o not in seen:
                following.add(o)
        frontier = sorted(following)
    return graph


# labels and types of everything the description or the incoming links mention
_LABELS_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    PREFIX dct: <http://purl.org/dc/terms/>
    PREFIX schema: <https://schema.org/>
    PREFIX foaf: <http://xmlns.com/foaf/0.1/>
    PREFIX coop: <https://w3id.org/coopgraph/def#>
    PREFIX time: <http://www.w3.org/2006/time#>
    SELECT ?s ?p ?o WHERE {
      ?s ?p ?o .
      FILTER(?p IN (rdfs:label, skos:prefLabel, dct:title, schema:name, foaf:page, dct:publisher,
                    coop:zitierweise, time:inXSDDate, time:inXSDgYear,
                    <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>))
    }"""

_INCOMING_QUERY = "SELECT ?s ?p WHERE { ?s ?p ?x } LIMIT 5000"

_POINTS_QUERY = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX coop: <https://w3id.org/coopgraph/def#>
SELECT ?m ?g ?wkt WHERE {
  { ?x org:hasMember ?m } UNION { ?ms org:organization ?x ; org:member ?m }
  UNION { ?m coop:kreis ?x ; a coop:Kommune } UNION { ?m coop:land ?x ; a coop:Kommune }
  ?m geo:hasGeometry ?g . ?g geo:asWKT ?wkt .
}"""


def view_of(store: Store, iri: str) -> GraphView:
    """A small indexed graph with what the page of ``iri`` needs, fetched from any store."""
    node = URIRef(iri)
    view = GraphView()

    def add(s: Any, p: Any, o: Any) -> None:
        view.add(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]

    for triple in describe(store, node):
        add(*triple)
    for row in store.select(_INCOMING_QUERY, {"x": node}).rows:
        if row[0] is not None and row[1] is not None:
            add(row[0], row[1], node)
    for m, g, wkt in store.select(_POINTS_QUERY, {"x": node}).rows:
        add(m, URIRef(GEO_HAS_GEOMETRY.value), g)
        add(g, URIRef(GEO_AS_WKT.value), wkt)
    mentioned = {
        URIRef(t.value)
        for t in [*view.out.keys(), *(o for pos in view.out.values() for _, o in pos)]
        if isinstance(t, ox.NamedNode)
    }
    mentioned.update(URIRef(p.value) for pos in view.out.values() for p, _ in pos)
    ordered = sorted(mentioned)
    for chunk in range(0, len(ordered), 200):
        part = ordered[chunk : chunk + 200]
        for row in store.select(_with_subjects(_LABELS_QUERY, "s", part)).rows:
            add(*row)
    return view


def ontology_triples(view: GraphView) -> list[ox.Triple]:
    """The ontology document: the ontology resource and every term of the coop namespace."""
    return [
        t
        for t in view.triples()
        if isinstance(t.subject, ox.NamedNode)
        and (t.subject.value == ONTOLOGY_IRI or t.subject.value.startswith(str(COOP)))
    ]
