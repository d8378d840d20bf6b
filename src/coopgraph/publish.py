"""``coopgraph publish``: the graph as a static linked-open-data site, and the resource views.

Two public functions are shared with ``coopgraph serve``:

- :func:`describe` — what one resource's own RDF document holds;
- :func:`render_html` — its HTML page (German by default, English alongside).

:func:`publish` writes the whole site (pages, per-resource Turtle / JSON-LD / N-Triples, dumps,
DCAT-AP.de and VoID descriptions, ontology documentation, sitemap, content-negotiation
snippets) into a temporary sibling folder and swaps it into place only when it is complete.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import re
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from rdflib import Graph, URIRef

from . import __version__, resources
from .catalog import Publisher
from .directory import KINDS, SIZES, Directory, Entry, size_bucket
from .directory import build as build_directory
from .errors import CoopgraphError, InputError
from .hrefs import safe_href
from .loader import load, parse_file
from .namespaces import BASE, COOP, DATA_PREFIXES, GEO, ID, PREFIXES, VOCAB
from .store import Store
from .store.oxigraph import OxigraphStore, to_oxigraph

DEFAULT_BASE = BASE
Term = ox.NamedNode | ox.BlankNode | ox.Literal
Subject = ox.NamedNode | ox.BlankNode


def _iri(ns: str, local: str = "") -> ox.NamedNode:
    return ox.NamedNode(ns + local)


RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
DCT_NS = "http://purl.org/dc/terms/"
ORG_NS = "http://www.w3.org/ns/org#"
TIME_NS = "http://www.w3.org/2006/time#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
FOAF_NS = "http://xmlns.com/foaf/0.1/"
SCHEMA_NS = "https://schema.org/"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"

RDF_TYPE = _iri(RDF_NS, "type")
ORG_MEMBERSHIP = _iri(ORG_NS, "Membership")
ORG_MEMBER = _iri(ORG_NS, "member")
ORG_ORGANIZATION = _iri(ORG_NS, "organization")
ORG_HAS_MEMBER = _iri(ORG_NS, "hasMember")
ORG_MEMBER_DURING = _iri(ORG_NS, "memberDuring")
ORG_ROLE = _iri(ORG_NS, "role")
TIME_HAS_BEGINNING = _iri(TIME_NS, "hasBeginning")
TIME_HAS_END = _iri(TIME_NS, "hasEnd")
TIME_IN_DATE = _iri(TIME_NS, "inXSDDate")
TIME_IN_MONTH = _iri(TIME_NS, "inXSDgYearMonth")
TIME_IN_YEAR = _iri(TIME_NS, "inXSDgYear")
GEO_HAS_GEOMETRY = _iri(str(GEO), "hasGeometry")
GEO_AS_WKT = _iri(str(GEO), "asWKT")
DCT_SOURCE = _iri(DCT_NS, "source")
FOAF_PAGE = _iri(FOAF_NS, "page")
COOP_KREIS = _iri(str(COOP), "kreis")
COOP_LAND = _iri(str(COOP), "land")
COOP_BEGINN_UNBEKANNT = _iri(str(COOP), "beginnUnbekannt")
COOP_BESTAETIGT_AM = _iri(str(COOP), "bestaetigtAm")
COOP_SCHREIBWEISE = _iri(str(COOP), "schreibweiseInQuelle")
ONTOLOGY_IRI = BASE + "def"
CONTRIBUTORS = "http://dcat-ap.de/def/contributors/"
ATTRIBUTION = (
    "Quelle: Statistisches Bundesamt (Destatis), Gemeindeverzeichnis GV100AD, Stand 30.11.2025"
)

# Nodes that belong to the resource pointing at them (an interval, an instant, a geometry):
# a description includes them, as it includes blank nodes.
DEPENDENT_TYPES = frozenset(
    {_iri(TIME_NS, "Interval"), _iri(TIME_NS, "ProperInterval"), _iri(TIME_NS, "Instant"),
     _iri(str(GEO), "Geometry")}
)  # fmt: skip
LABEL_PREDICATES = tuple(
    _iri(ns, local)
    for ns, local in (
        (SKOS_NS, "prefLabel"),
        (RDFS_NS, "label"),
        (DCT_NS, "title"),
        (SCHEMA_NS, "name"),
    )
)


# Labels of terms coopgraph reuses from other vocabularies (its own terms carry theirs).
EXTERNAL_LABELS: dict[str, tuple[str, str]] = {
    RDF_NS + "type": ("Typ", "type"),
    RDFS_NS + "label": ("Bezeichnung", "label"),
    RDFS_NS + "comment": ("Kommentar", "comment"),
    RDFS_NS + "subClassOf": ("Unterklasse von", "subclass of"),
    RDFS_NS + "subPropertyOf": ("Untereigenschaft von", "subproperty of"),
    RDFS_NS + "domain": ("Domäne", "domain"),
    RDFS_NS + "range": ("Wertebereich", "range"),
    SKOS_NS + "prefLabel": ("Bezeichnung", "preferred label"),
    SKOS_NS + "altLabel": ("weitere Bezeichnung", "alternative label"),
    SKOS_NS + "definition": ("Definition", "definition"),
    SKOS_NS + "note": ("Anmerkung", "note"),
    SKOS_NS + "inScheme": ("in Schema", "in scheme"),
    SKOS_NS + "topConceptOf": ("oberster Begriff von", "top concept of"),
    SKOS_NS + "broader": ("Oberbegriff", "broader"),
    SKOS_NS + "closeMatch": ("ähnlich", "close match"),
    SKOS_NS + "exactMatch": ("entspricht", "exact match"),
    SKOS_NS + "ConceptScheme": ("Begriffsschema", "concept scheme"),
    SKOS_NS + "Concept": ("Begriff", "concept"),
    DCT_NS + "source": ("Quelle", "source"),
    DCT_NS + "title": ("Titel", "title"),
    DCT_NS + "description": ("Beschreibung", "description"),
    DCT_NS + "publisher": ("Herausgeber", "publisher"),
    DCT_NS + "rights": ("Rechte", "rights"),
    DCT_NS + "license": ("Lizenz", "licence"),
    DCT_NS + "issued": ("veröffentlicht", "issued"),
    DCT_NS + "date": ("Datum", "date"),
    DCT_NS + "creator": ("Urheber", "creator"),
    ORG_NS + "member": ("Mitglied", "member"),
    ORG_NS + "organization": ("Organisation", "organization"),
    ORG_NS + "hasMember": ("hat Mitglied", "has member"),
    ORG_NS + "memberDuring": ("Mitglied im Zeitraum", "member during"),
    ORG_NS + "role": ("Rolle", "role"),
    ORG_NS + "hasUnit": ("hat Einheit", "has unit"),
    ORG_NS + "unitOf": ("Einheit von", "unit of"),
    ORG_NS + "hasSite": ("hat Standort", "has site"),
    ORG_NS + "siteOf": ("Standort von", "site of"),
    ORG_NS + "resultingOrganization": ("begründet", "resulting organization"),
    ORG_NS + "Membership": ("Mitgliedschaft (ORG)", "membership (ORG)"),
    ORG_NS + "OrganizationalCollaboration": ("Zusammenarbeit (ORG)", "collaboration (ORG)"),
    ORG_NS + "OrganizationalUnit": ("Organisationseinheit (ORG)", "organizational unit (ORG)"),
    ORG_NS + "FormalOrganization": ("formelle Organisation (ORG)", "formal organization (ORG)"),
    ORG_NS + "Organization": ("Organisation (ORG)", "organization (ORG)"),
    ORG_NS + "ChangeEvent": ("Änderungsereignis (ORG)", "change event (ORG)"),
    ORG_NS + "Site": ("Standort (ORG)", "site (ORG)"),
    ORG_NS + "Role": ("Rolle (ORG)", "role (ORG)"),
    TIME_NS + "hasBeginning": ("Beginn", "beginning"),
    TIME_NS + "hasEnd": ("Ende", "end"),
    TIME_NS + "inXSDDate": ("Datum", "date"),
    TIME_NS + "inXSDgYear": ("Jahr", "year"),
    TIME_NS + "Interval": ("Zeitraum", "interval"),
    TIME_NS + "Instant": ("Zeitpunkt", "instant"),
    str(GEO) + "hasGeometry": ("Geometrie", "geometry"),
    str(GEO) + "asWKT": ("Koordinaten (WKT)", "coordinates (WKT)"),
    str(GEO) + "Geometry": ("Geometrie", "geometry"),
    OWL_NS + "sameAs": ("identisch mit", "same as"),
    OWL_NS + "Class": ("Klasse", "class"),
    OWL_NS + "ObjectProperty": ("Objekteigenschaft", "object property"),
    OWL_NS + "DatatypeProperty": ("Datentypeigenschaft", "datatype property"),
    OWL_NS + "FunctionalProperty": ("funktionale Eigenschaft", "functional property"),
    OWL_NS + "Ontology": ("Ontologie", "ontology"),
    FOAF_NS + "page": ("Webseite", "page"),
    FOAF_NS + "homepage": ("Homepage", "homepage"),
    SCHEMA_NS + "name": ("Name", "name"),
    SCHEMA_NS + "postalCode": ("Postleitzahl", "postal code"),
    SCHEMA_NS + "slogan": ("Motto", "slogan"),
    SCHEMA_NS + "funder": ("Förderer", "funder"),
    SCHEMA_NS + "worksFor": ("arbeitet für", "works for"),
    SCHEMA_NS + "honorificPrefix": ("Anrede", "honorific prefix"),
    SCHEMA_NS + "Person": ("Person", "person"),
}

# Interface text: German and English, shown side by side.
UI: dict[str, tuple[str, str]] = {
    "members": ("Mitglieder", "Members"),
    "memberships": ("Mitgliedschaften", "Memberships"),
    "member": ("Mitglied", "Member"),
    "cooperation": ("Kooperation", "Cooperation"),
    "role": ("Rolle", "Role"),
    "since": ("Beginn", "Beginning"),
    "until": ("Ende", "End"),
    "source": ("Quelle", "Source"),
    "sources": ("Quellen", "Sources"),
    "map": ("Karte", "Map"),
    "properties": ("Angaben", "Facts"),
    "referenced_by": ("Verweise auf diese Ressource", "Referenced by"),
    "formats": ("Formate", "Formats"),
    "unknown_beginning": ("unbekannt", "unknown"),
    "attested": ("bestätigt am", "attested on"),
    "not_stated": ("nicht angegeben", "not stated"),
    "no_end": ("kein Ende angegeben", "no end stated"),
    "year_only": ("nur das Jahr ist bekannt", "only the year is known"),
    "month_only": ("nur der Monat ist bekannt", "only the month is known"),
    "in_source": ("in der Quelle", "in the source"),
    "no_membership_record": (
        "Mitglied laut org:hasMember, ohne Angaben zur Mitgliedschaft",
        "member per org:hasMember, no membership details recorded",
    ),
    "shown_of": ("gezeigt: die ersten", "showing the first"),
    "of": ("von", "of"),
    "no_points": ("keine Koordinaten vorhanden", "no coordinates available"),
    "area_markers": (
        "Quadrate: Kreise und Länder als Mitglieder, in der Mitte ihrer Gemeinden",
        "squares: districts and federal states as members, at the centre of their municipalities",
    ),
    "map_note": (
        "Gemeindemittelpunkte (WGS84); Grenzen von Deutschland und den Ländern: Natural Earth"
        " (gemeinfrei), vereinfacht",
        "municipality centre points (WGS84); borders of Germany and the Länder: Natural Earth"
        " (public domain), simplified",
    ),
    "ontology": ("Ontologie", "Ontology"),
    "classes": ("Klassen", "Classes"),
    "object_properties": ("Objekteigenschaften", "Object properties"),
    "datatype_properties": ("Datentypeigenschaften", "Datatype properties"),
    "schemes": ("Begriffsschemata (SKOS)", "Concept schemes (SKOS)"),
    "concepts": ("Begriffe", "Concepts"),
    "domain": ("Domäne", "Domain"),
    "superclass": ("Oberklasse bzw. -eigenschaft", "superclass or superproperty"),
    "range": ("Wertebereich", "Range"),
    "definition": ("Definition", "Definition"),
    "home": ("Start", "Home"),
    "downloads": ("Downloads", "Downloads"),
    "dataset": ("Datensatz", "Dataset"),
    "kinds": ("Ressourcen", "Resources"),
    "iri": ("IRI", "IRI"),
    "search": ("Suche", "Search"),
    "search_button": ("Suchen", "Search"),
    "search_label": ("Name, AGS oder Postleitzahl", "Name, AGS or postcode"),
    "search_hint": (
        "Suche nach Kooperationen, Kommunen, Kreisen und Begriffen",
        "Search cooperations, municipalities, districts and concepts",
    ),
    "kooperationen": ("Kooperationen", "Cooperations"),
    "gemeindeverbaende": ("Gemeindeverbände", "Municipal associations"),
    "breadcrumbs": ("Brotkrumennavigation", "Breadcrumbs"),
    "main_nav": ("Hauptnavigation", "Main navigation"),
    "skip": ("Zum Inhalt", "Skip to content"),
    "language": ("Sprache", "Language"),
    "queries": ("Abfragen", "Queries"),
    "area_coops": ("Kooperationen mit Mitgliedern hier", "Cooperations with members here"),
    "gemeinden": ("Gemeinden", "Municipalities"),
    "kreise": ("Kreise", "Districts"),
    "name": ("Name", "Name"),
    "ags": ("AGS", "AGS"),
    "postcode": ("PLZ", "Postcode"),
    "population": ("Einwohner", "Population"),
    "count": ("Anzahl", "Count"),
    "laender": ("Länder", "Federal states"),
    "no_rechtsform": ("Rechtsform nicht angegeben", "legal form not stated"),
}


# ---------------------------------------------------------------- IRIs and site paths


def path_for(iri: str) -> str | None:
    """Site path (no extension) of a coopgraph IRI, e.g. ``id/kommune/05515000``; else None.

    Ontology terms ``…/def#Term`` get ``def/Term``; the ontology itself ``def``.
    """
    if not iri.startswith(BASE):
        return None
    rest = iri[len(BASE) :]
    if rest.startswith("def#"):
        rest = "def/" + rest[4:]
    if not rest or "#" in rest or "?" in rest or "\\" in rest or "%" in rest:
        return None
    parts = rest.split("/")
    if any(p in ("", ".", "..") for p in parts) or not (
        rest == "def" or parts[0] in ("def", "id", "vocab")
    ):
        return None
    return rest


@dataclass(frozen=True)
class Linker:
    """Turns IRIs into hrefs: relative ``….html`` paths in a static site, or absolute URLs."""

    base_uri: str = DEFAULT_BASE
    page: str | None = None  # site path of the current page: links relative to it
    suffix: str = ".html"
    has_page: Callable[[str], bool] = lambda iri: True

    def href(self, iri: str) -> str | None:
        path = path_for(iri)
        if path is None:
            return iri if iri.startswith(("http://", "https://")) else None
        if not self.has_page(iri):
            return None
        return self.site_href(path + self.suffix)

    def site_href(self, site_path: str) -> str:
        """Link to a file of the site, e.g. ``dump/coopgraph.ttl``: relative to the current page
        (up to the site's root, then down), or absolute under ``base_uri``."""
        if self.page is None:
            return self.base_uri + site_path
        return "../" * self.page.count("/") + site_path

    def absolute(self, site_path: str) -> str:
        return self.base_uri + site_path

    @property
    def served(self) -> bool:
        """Links for ``coopgraph serve`` (extensionless, negotiated) rather than static files."""
        return self.suffix == ""

    def special(self, name: str) -> str:
        """The site's own pages: ``index``, ``search``, ``kooperationen`` (the list at
        ``id/kooperation/``), ``gemeindeverbaende``, ``def``; static files or server routes."""
        if name == "kooperationen":
            return self.site_href("id/kooperation/" + ("" if self.served else "index.html"))
        if name == "index":
            return self.site_href("" if self.served else "index.html")
        return self.site_href(name + self.suffix)


# ---------------------------------------------------------------- the graph, indexed


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


# ---------------------------------------------------------------- page model


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def format_date(value: str, lang: str) -> str:
    """An ``xsd:date`` as people read it: 06.06.2003 on German pages, ISO 8601 otherwise."""
    m = _ISO_DATE.match(value)
    if m and lang == "de":
        return f"{m.group(3)}.{m.group(2)}.{m.group(1)}"
    return value


def _lit_text(o: ox.Literal, lang: str) -> str:
    dt = o.datatype.value if not o.language else ""
    if dt == XSD_NS + "boolean":
        yes = {"de": "ja", "en": "yes"}
        no = {"de": "nein", "en": "no"}
        return (yes if o.value in ("true", "1") else no)[lang]
    if dt in (XSD_NS + "integer", XSD_NS + "decimal") and lang == "de":
        text = o.value
        whole, _, frac = text.partition(".")
        grouped = f"{int(whole):,}".replace(",", ".") if whole.lstrip("-").isdigit() else whole
        return grouped + ("," + frac if frac else "")
    if dt == XSD_NS + "date":
        return format_date(o.value, lang)
    if dt in (XSD_NS + "integer",) and o.value.lstrip("-").isdigit():
        return f"{int(o.value):,}"
    return o.value


_UI_WORDS: dict[tuple[str, str], dict[str, str]] = {}


class PageBuilder:
    """Builds the template context of one resource's page from a :class:`GraphView`."""

    def __init__(self, view: GraphView, lang: str, linker: Linker) -> None:
        self.view = view
        self.lang = lang
        self.other = "en" if lang == "de" else "de"
        self.linker = linker

    # -- words

    def ui(self, key: str) -> dict[str, str]:
        """Interface words (shared: do not change the dict)."""
        found = _UI_WORDS.get((key, self.lang))
        if found is None:
            de, en = UI[key]
            pick = {"de": de, "en": en}
            found = {"text": pick[self.lang], "alt": pick[self.other], "alt_lang": self.other}
            _UI_WORDS[(key, self.lang)] = found
        return found

    def label(self, node: Term) -> dict[str, str]:
        """Main label (page language) and the other language's, where it differs (cached in the
        view: do not change the dict)."""
        if isinstance(node, ox.Literal):
            return {"text": node.value, "alt": "", "alt_lang": self.other}
        key = (node, self.lang)
        found = self.view.shown.get(key)
        if found is None:
            found = self.view.shown[key] = self._label(node)
        return found

    def _label(self, node: ox.NamedNode | ox.BlankNode) -> dict[str, str]:
        labels = self.view.labels(node)
        if not labels and isinstance(node, ox.NamedNode):
            pair = EXTERNAL_LABELS.get(node.value)
            if pair:
                labels = {"de": pair[0], "en": pair[1]}
        if not labels and isinstance(node, ox.NamedNode):
            labels = {"": self._fallback_label(node)}
        main = labels.get(self.lang) or labels.get("") or next(iter(labels.values()))
        alt = labels.get(self.other, "")
        return {"text": main, "alt": alt if alt != main else "", "alt_lang": self.other}

    def _fallback_label(self, node: ox.NamedNode) -> str:
        iri = node.value
        if self.view.is_a(node, _iri(TIME_NS, "Instant")):
            v = (
                self.view.value(node, TIME_IN_DATE)
                or self.view.value(node, TIME_IN_MONTH)
                or self.view.value(node, TIME_IN_YEAR)
            )
            if v is not None:
                return v.value
        if self.view.is_a(node, ORG_MEMBERSHIP):
            member = self.view.value(node, ORG_MEMBER)
            org = self.view.value(node, ORG_ORGANIZATION)
            if member is not None and org is not None:
                m = self.label(member)["text"]
                o = self.label(org)["text"]
                return f"{m} – {o}"
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(ns) and ns != str(ID):
                return f"{prefix}:{iri[len(ns) :]}"
        return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri

    def link(self, node: Term) -> dict[str, Any]:
        if isinstance(node, ox.Literal):
            return {
                "text": _lit_text(node, self.lang),
                "alt": "",
                "href": None,
                "lang": node.language or "",
                "datatype": self._datatype(node),
            }
        if isinstance(node, ox.BlankNode):
            rows = [
                f"{self.label(p)['text']}: {self.label(o)['text']}"
                for p, o in self.view.out.get(node, ())
                if p != RDF_TYPE
            ]
            return {"text": "; ".join(rows) or "[ ]", "alt": "", "href": None, "lang": ""}
        item: dict[str, Any] = dict(self.label(node))
        item["href"] = self.linker.href(node.value)
        item["iri"] = node.value
        item["lang"] = ""
        return item

    def _datatype(self, node: ox.Literal) -> str:
        if node.language:
            return ""
        dt = node.datatype.value
        if dt in PLAIN_DATATYPES:
            return ""
        for prefix, ns in PREFIXES.items():
            if dt.startswith(ns):
                return f"{prefix}:{dt[len(ns) :]}"
        return dt

    # -- sections

    def rows(self, node: Subject) -> list[dict[str, Any]]:
        """Property rows: predicate label and values; literals in the page language first."""
        grouped: dict[ox.NamedNode, list[Term]] = defaultdict(list)
        for p, o in self.view.out.get(node, ()):
            grouped[p].append(o)
        order = {RDF_TYPE: 0, LABEL_PREDICATES[1]: 1, LABEL_PREDICATES[0]: 1}
        rows = []
        for p in sorted(grouped, key=lambda q: (order.get(q, 2), self.label(q)["text"].lower())):
            values = grouped[p]

            def rank(o: Term) -> tuple[int, str]:
                if isinstance(o, ox.Literal) and o.language:
                    return (0 if o.language == self.lang else 1, o.value)
                return (0, self.label(o)["text"] if not isinstance(o, ox.Literal) else o.value)

            rows.append(
                {
                    "predicate": self.link(p),
                    "vals": [self.link(o) for o in sorted(values, key=rank)],
                }
            )
        return rows

    def period(self, membership: Subject) -> dict[str, Any]:
        """Beginning and end of a membership, honest about what is not known."""
        interval = self.view.value(membership, ORG_MEMBER_DURING)
        begin = end = None
        if isinstance(interval, (ox.NamedNode, ox.BlankNode)):
            begin = self.view.value(interval, TIME_HAS_BEGINNING)
            end = self.view.value(interval, TIME_HAS_END)
        return {
            "begin": self._instant(begin, membership, True),
            "end": self._instant(end, membership, False),
        }

    def _instant(self, instant: Term | None, membership: Subject, beginning: bool) -> dict:
        if isinstance(instant, (ox.NamedNode, ox.BlankNode)):
            day = self.view.value(instant, TIME_IN_DATE)
            if day is not None:
                text = format_date(day.value, self.lang)
                return {"text": text, "note": "", "known": True, "value": day.value}
            month = self.view.value(instant, TIME_IN_MONTH)
            if month is not None:  # "2019-03": shown as 03/2019 on German pages
                year_, _, mm = month.value.partition("-")
                text = f"{mm}/{year_}" if self.lang == "de" else month.value
                note = self.ui("month_only")["text"]
                return {"text": text, "note": note, "known": True, "value": month.value}
            year = self.view.value(instant, TIME_IN_YEAR)
            if year is not None:
                note = self.ui("year_only")["text"]
                return {"text": year.value, "note": note, "known": True, "value": year.value}
        if not beginning:
            return {"text": "–", "note": self.ui("no_end")["text"], "known": False, "value": ""}
        unknown = self.view.value(membership, COOP_BEGINN_UNBEKANNT)
        if isinstance(unknown, ox.Literal) and unknown.value in ("true", "1"):
            attested = self.view.value(membership, COOP_BESTAETIGT_AM)
            when = format_date(attested.value, self.lang) if attested else ""
            note = f"{self.ui('attested')['text']} {when}" if attested else ""
            return {
                "text": self.ui("unknown_beginning")["text"],
                "note": note,
                "known": False,
                "value": "",
            }
        return {"text": self.ui("not_stated")["text"], "note": "", "known": False, "value": ""}

    def memberships(self, node: ox.NamedNode, of_org: bool) -> list[dict[str, Any]]:
        """Membership rows: of a Kooperation (its members) or of a member (its Kooperationen)."""
        key, other = (ORG_ORGANIZATION, ORG_MEMBER) if of_org else (ORG_MEMBER, ORG_ORGANIZATION)
        rows = []
        covered: set[Term] = set()
        for m in self.view.subjects(key, node):
            if not self.view.is_a(m, ORG_MEMBERSHIP):
                continue
            party = self.view.value(m, other)
            if party is None:
                continue
            covered.add(party)
            role = self.view.value(m, ORG_ROLE)
            rows.append(
                {
                    "party": self.link(party),
                    "role": self.link(role) if role is not None else None,
                    "membership": self.link(m),
                    "written": [
                        o.value for o in self.view.objects(m, COOP_SCHREIBWEISE)
                        if isinstance(o, ox.Literal)
                    ],
                    "sources": [self.link(o) for o in self.view.objects(m, DCT_SOURCE)],
                    **self.period(m),
                }
            )  # fmt: skip
        if of_org:
            for party in self.view.objects(node, ORG_HAS_MEMBER):
                if party not in covered:
                    covered.add(party)
                    rows.append(
                        {
                            "party": self.link(party),
                            "role": None,
                            "membership": None,
                            "written": [],
                            "sources": [],
                            "begin": {"text": "", "note": "", "known": False, "value": ""},
                            "end": {"text": "", "note": "", "known": False, "value": ""},
                            "no_record": True,
                        }
                    )
        rows.sort(key=lambda r: (r["begin"]["value"] or "9999", r["party"]["text"]))
        return rows

    def sources(self, node: Subject, memberships: Iterable[Subject]) -> list[dict[str, Any]]:
        """Every source cited by the resource or its memberships, with title and page."""
        found: list[Term] = []
        for s in (node, *memberships):
            for o in self.view.objects(s, DCT_SOURCE):
                if o not in found:
                    found.append(o)
        out = []
        for src in found:
            item = self.link(src)
            if isinstance(src, ox.NamedNode):
                page = self.view.value(src, FOAF_PAGE)
                publisher = self.view.value(src, _iri(DCT_NS, "publisher"))
                cite = self.view.value(src, _iri(str(COOP), "zitierweise"))
                item["page"] = page.value if isinstance(page, ox.NamedNode) else None
                item["publisher"] = publisher.value if isinstance(publisher, ox.Literal) else ""
                item["cite"] = cite.value if isinstance(cite, ox.Literal) else ""
                item["self_page"] = item["href"] if path_for(src.value) else None
            out.append(item)
        return out

    def point(self, node: Term) -> tuple[float, float] | None:
        """(lon, lat) of a resource's geometry, from ``geo:asWKT "POINT(lon lat)"``."""
        geom = self.view.value(node, GEO_HAS_GEOMETRY) if not isinstance(node, ox.Literal) else None
        if geom is None or isinstance(geom, ox.Literal):
            return None
        wkt = self.view.value(geom, GEO_AS_WKT)
        if not isinstance(wkt, ox.Literal):
            return None
        return parse_point(wkt.value)

    def map_points(self, node: ox.NamedNode) -> list[dict[str, Any]]:
        """The points a resource's map shows: a Kooperation's members, a Kreis's or Land's
        Kommunen, or the Kommune itself."""
        kind = kind_of(node.value)
        members: list[Term]
        if kind == "kooperation":
            members = list(self.view.objects(node, ORG_HAS_MEMBER))
            for m in self.view.subjects(ORG_ORGANIZATION, node):
                party = self.view.value(m, ORG_MEMBER)
                if party is not None and party not in members:
                    members.append(party)
        elif kind in ("kreis", "land"):
            pred = COOP_KREIS if kind == "kreis" else COOP_LAND
            members = [
                s for s in self.view.subjects(pred, node) if kind_of(str(s.value)) == "kommune"
            ]
        elif kind in ("kommune", "gemeindefreies-gebiet"):
            members = [node]
        else:
            return []
        points = []
        for member in members:
            pt = self.point(member)
            area = False
            if pt is None and kind == "kooperation" and isinstance(member, ox.NamedNode):
                pt, area = self.area_centre(member), True
            if pt is not None:
                points.append({"lon": pt[0], "lat": pt[1], "area": area, **self.link(member)})
        return points

    def area_centre(self, area: ox.NamedNode) -> tuple[float, float] | None:
        """A Kreis or Land that is itself a member: the mean of its Kommunen's centre points,
        drawn as a distinct (square) marker."""
        kind = kind_of(area.value)
        if kind not in ("kreis", "land"):
            return None
        pred = COOP_KREIS if kind == "kreis" else COOP_LAND
        found = [pt for s in self.view.subjects(pred, area) if (pt := self.point(s)) is not None]
        if not found:
            return None
        return (sum(p[0] for p in found) / len(found), sum(p[1] for p in found) / len(found))

    # -- what the directory knows (Kreis and Land pages, breadcrumbs)

    def entry_link(self, entry: Entry) -> dict[str, Any]:
        label = entry.label(self.lang)
        alt = entry.labels.get(self.other, "")
        return {"text": label, "alt": alt if alt != label else "", "alt_lang": self.other,
                "href": self.linker.href(entry.iri), "iri": entry.iri, "lang": ""}  # fmt: skip

    def area(self, node: ox.NamedNode, kind: str, directory: Directory) -> dict[str, Any]:
        """A Kreis's or Land's cooperations (grouped by kind) and its Gemeinden or Kreise."""
        groups: dict[tuple[bool, str], list[Entry]] = defaultdict(list)
        for coop in directory.coops_in.get(node.value, ()):
            groups[(coop.kind == "gemeindeverband", coop.rechtsform or "")].append(coop)
        coops = []
        for (register, rf), items in sorted(
            groups.items(), key=lambda kv: (kv[0][0], -len(kv[1]), directory.name(kv[0][1]))
        ):
            entry = directory.by_iri.get(rf)
            if entry is not None:
                alt = entry.labels.get(self.other, "")
                label = {"text": entry.label(self.lang), "alt": alt, "alt_lang": self.other}
            else:
                label = self.label(ox.NamedNode(rf)) if rf else self.ui("no_rechtsform")
            coops.append({"label": label, "items": [self.entry_link(c) for c in items],
                          "register": register, "collapsed": len(items) > 12})  # fmt: skip
        out: dict[str, Any] = {"coops": coops, "coop_count": sum(len(g) for g in groups.values())}
        if kind == "kreis":
            out["gemeinden"] = [
                {"link": self.entry_link(k), "ags": k.keys[0] if k.keys else "",
                 "plz": next((x for x in k.keys[1:] if len(x) == 5), ""),
                 "einwohner": _number(k.einwohner, self.lang)}
                for k in directory.kommunen_in.get(node.value, ())
            ]  # fmt: skip
        else:
            kreise = []
            for kreis in directory.kreise_in.get(node.value, ()):
                kommunen = directory.kommunen_in.get(kreis.iri, ())
                people = sum(k.einwohner or 0 for k in kommunen)
                kreise.append({"link": self.entry_link(kreis), "key": kreis.keys[0] if kreis.keys
                               else "", "gemeinden": len(kommunen),
                               "einwohner": _number(people, self.lang)})  # fmt: skip
            out["kreise"] = kreise
        return out

    def breadcrumbs(self, node: ox.NamedNode, kind: str) -> list[dict[str, Any]]:
        """Where a page sits: Start › Land › Kreis › Kommune, Start › Kooperationen › …"""
        home: dict[str, Any] = {
            "text": self.ui("home")["text"],
            "href": self.linker.special("index"),
        }
        crumbs = [home]
        if kind in ("kommune", "gemeindefreies-gebiet", "kreis"):
            for pred in (COOP_LAND, COOP_KREIS):
                up = self.view.value(node, pred)
                if isinstance(up, ox.NamedNode) and up != node:
                    crumbs.append(self.link(up))
        elif kind == "kooperation":
            coops = self.ui("kooperationen")["text"]
            crumbs.append({"text": coops, "href": self.linker.special("kooperationen")})
            if "/gemeindeverband-" in node.value:
                crumbs.append({"text": self.ui("gemeindeverbaende")["text"],
                               "href": self.linker.special("gemeindeverbaende")})  # fmt: skip
        elif kind in ("term", "scheme", "concept"):
            crumbs.append({"text": self.ui("ontology")["text"], "href": self.linker.special("def")})
            scheme = self.view.value(node, _iri(SKOS_NS, "inScheme"))
            if isinstance(scheme, ox.NamedNode):
                crumbs.append(self.link(scheme))
        crumbs.append({"text": self.label(node)["text"], "href": None})
        return crumbs

    def schema_org(self, node: ox.NamedNode, kind: str, points: list[dict[str, Any]]) -> str:
        """The resource as schema.org JSON-LD for search engines, safe inside <script>."""
        types = {
            "kooperation": "GovernmentOrganization",
            "kommune": "AdministrativeArea",
            "kreis": "AdministrativeArea",
            "land": "AdministrativeArea",
            "concept": "DefinedTerm",
            "term": "DefinedTerm",
            "scheme": "DefinedTermSet",
        }
        doc: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": types.get(kind, "Thing"),
            "@id": node.value,
            "name": self.label(node)["text"],
            "inLanguage": self.lang,
        }  # fmt: skip
        alt = [o.value for o in self.view.objects(node, _iri(SKOS_NS, "altLabel"))
               if isinstance(o, ox.Literal)]  # fmt: skip
        if alt:
            doc["alternateName"] = alt
        texts = {o.language: o.value for o in self.view.objects(node, _iri(DCT_NS, "description"))
                 if isinstance(o, ox.Literal)}  # fmt: skip
        description = texts.get(self.lang) or texts.get("") or next(iter(texts.values()), None)
        if description:
            doc["description"] = description
        same = [o.value for p in (_iri(OWL_NS, "sameAs"), _iri(SCHEMA_NS, "sameAs"))
                for o in self.view.objects(node, p) if isinstance(o, ox.NamedNode)]  # fmt: skip
        homepage = self.view.value(node, _iri(FOAF_NS, "homepage"))
        if isinstance(homepage, ox.NamedNode):
            doc["url"] = homepage.value
        if same:
            doc["sameAs"] = same
        ags = self.view.value(node, _iri(str(COOP), "ags"))
        if isinstance(ags, ox.Literal):
            doc["identifier"] = {"@type": "PropertyValue", "propertyID": "AGS", "value": ags.value}
        plz = self.view.value(node, _iri(SCHEMA_NS, "postalCode"))
        if isinstance(plz, ox.Literal):
            doc["address"] = {"@type": "PostalAddress", "postalCode": plz.value,
                              "addressCountry": "DE"}  # fmt: skip
        if kind != "kooperation":
            up = [self.view.value(node, p) for p in (COOP_KREIS, COOP_LAND)]
            places = [{"@type": "AdministrativeArea", "@id": u.value, "name": self.label(u)["text"]}
                      for u in up if isinstance(u, ox.NamedNode)]  # fmt: skip
            if places:
                doc["containedInPlace"] = places
        if kind in ("kommune",) and points:
            doc["geo"] = {"@type": "GeoCoordinates", "latitude": points[0]["lat"],
                          "longitude": points[0]["lon"]}  # fmt: skip
        if kind == "kooperation":
            doc["member"] = [{"@type": "AdministrativeArea", "@id": p["iri"], "name": p["text"]}
                             for p in points]  # fmt: skip
        if kind == "concept":
            scheme = self.view.value(node, _iri(SKOS_NS, "inScheme"))
            if isinstance(scheme, ox.NamedNode):
                doc["inDefinedTermSet"] = scheme.value
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    def page(self, node: ox.NamedNode, directory: Directory | None = None) -> dict[str, Any]:
        kind = kind_of(node.value)
        members = self.memberships(node, of_org=True)
        member_of = self.memberships(node, of_org=False)
        membership_nodes = [
            m for key in (ORG_ORGANIZATION, ORG_MEMBER) for m in self.view.subjects(key, node)
        ]
        area = None
        skip = {RDF_TYPE, ORG_MEMBER, ORG_ORGANIZATION, ORG_HAS_MEMBER, DCT_SOURCE}
        if directory is not None and kind in ("kreis", "land"):
            area = self.area(node, kind, directory)
            skip |= {COOP_KREIS, COOP_LAND}  # shown as tables instead
        incoming: dict[ox.NamedNode, list[Subject]] = defaultdict(list)
        for s, p in self.view.inc.get(node, ()):
            if p in skip:
                continue
            incoming[p].append(s)
        limit = 1000
        referenced = [
            {
                "predicate": self.link(p),
                "total": len(subs),
                "vals": sorted(
                    (self.link(s) for s in subs if not isinstance(s, ox.BlankNode)),
                    key=lambda v: v["text"],
                )[:limit],
            }
            for p, subs in sorted(incoming.items(), key=lambda kv: self.label(kv[0])["text"])
        ]
        points = self.map_points(node)
        return {
            "iri": node.value,
            "kind": kind,
            "title": self.label(node),
            "types": [self.link(t) for t in self.view.types(node)],
            "rows": self.rows(node),
            "members": members,
            "member_of": member_of,
            "sources": self.sources(node, membership_nodes),
            "map": svg_map(points) if points else None,
            "map_count": len(points),
            "referenced": referenced,
            "limit": limit,
            "area": area,
            "breadcrumbs": self.breadcrumbs(node, kind),
            "jsonld": self.schema_org(node, kind, points),
        }


def _number(n: int | None, lang: str) -> str:
    if n is None:
        return ""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "de" else text


PLAIN_DATATYPES = frozenset(
    XSD_NS + t for t in ("string", "integer", "decimal", "date", "gYear", "boolean")
)


def kind_of(iri: str) -> str:
    """The kind of a coopgraph resource from its IRI: ``kommune``, ``kooperation``, ``term`` …"""
    if iri.startswith(str(ID)):
        return iri[len(str(ID)) :].split("/", 1)[0]
    if iri.startswith(str(COOP)):
        return "term"
    if iri == ONTOLOGY_IRI:
        return "ontology"
    if iri.startswith(str(VOCAB)):
        return "scheme" if "/" not in iri[len(str(VOCAB)) :] else "concept"
    return "other"


_POINT = re.compile(r"^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)\s*$", re.I)


def parse_point(wkt: str) -> tuple[float, float] | None:
    """(lon, lat) of a WKT ``POINT``, or None for any other geometry."""
    m = _POINT.match(wkt)
    return (float(m.group(1)), float(m.group(2))) if m else None


MAP_ASPECT = math.cos(math.radians(51.2))  # x = lon·cos(51.2°): Germany's middle latitude
GERMANY = (5.87, 47.27, 15.04, 55.06)  # lon/lat box: the extent of a map with one place


@lru_cache(maxsize=1)
def outline_box() -> tuple[float, float, float, float]:
    """The viewBox of laender.svg (Germany and the Länder, in the maps' projection)."""
    head = (resources.templates_dir() / "laender.svg").read_text(encoding="utf-8")[:400]
    m = re.search(r'viewBox="([-\d. ]+)"', head)
    assert m is not None
    x, y, w, h = (float(v) for v in m.group(1).split())
    return x, y, w, h


def svg_map(points: list[dict[str, Any]], width: int = 640, pad: int = 30) -> dict[str, Any]:
    """Marker positions for an inline SVG map: an equirectangular projection (x scaled by
    cos 51.2°), over the outlines of Germany and the Länder (laender.svg, one <image>), so it
    renders with no tiles and no network. One place is shown within Germany. Room is left on the
    right for the names."""
    lons = [p["lon"] for p in points]
    lats = [p["lat"] for p in points]
    if len(points) == 1:
        west, south, east, north = GERMANY
    else:
        west, south, east, north = min(lons), min(lats), max(lons), max(lats)
    x0, x1 = west * MAP_ASPECT, east * MAP_ASPECT
    span_x = max(x1 - x0, 0.05)
    span_y = max(north - south, 0.05)
    labelled = len(points) <= 80
    inner = width - 2 * pad - (150 if labelled else 0)
    scale = min(inner / span_x, 420 / span_y)
    height = int(span_y * scale + 2 * pad)
    left = pad + (inner - (x1 - x0) * scale) / 2
    cy = (north + south) / 2
    markers = [
        {
            **p,
            "x": round(left + (lon * MAP_ASPECT - x0) * scale, 1),
            "y": round(height / 2 - (p["lat"] - cy) * scale, 1),
        }
        for p, lon in zip(points, lons, strict=True)
    ]
    vx, vy, vw, vh = outline_box()
    outline = {
        "x": round(left + (vx - x0) * scale, 1),
        "y": round(height / 2 + (vy + cy) * scale, 1),
        "width": round(vw * scale, 1),
        "height": round(vh * scale, 1),
    }
    radius = 5 if labelled else 2.5
    areas = any(p.get("area") for p in points)
    return {"width": width, "height": height, "markers": markers, "labelled": labelled,
            "r": radius, "outline": outline, "areas": areas}  # fmt: skip


# ---------------------------------------------------------------- HTML


def link_html(v: dict[str, Any]) -> Markup:
    """A value as HTML: a link (or a span) with the other language's label and the datatype
    beside it. A function, not a template macro: it runs about 100,000 times per publish."""
    text = escape(v["text"])
    href = safe_href(v.get("href"))  # only http(s), mailto and the site's own paths
    if href:
        out = f'<a href="{escape(href)}">{text}</a>'
    elif v.get("lang"):
        out = f'<span lang="{escape(v["lang"])}">{text}</span>'
    else:
        out = f"<span>{text}</span>"
    if v.get("alt"):
        out += f' <span class="alt" lang="{escape(v["alt_lang"])}">{escape(v["alt"])}</span>'
    if v.get("datatype"):
        out += f' <span class="dt">{escape(v["datatype"])}</span>'
    return Markup(out)


def words_html(w: dict[str, str]) -> Markup:
    """Interface words in the page language, the other language's beside them."""
    out = str(escape(w["text"]))
    if w.get("alt"):
        out += f' <span class="alt" lang="{escape(w["alt_lang"])}">{escape(w["alt"])}</span>'
    return Markup(out)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(resources.templates_dir())),
        autoescape=select_autoescape(("html", "xml")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["attribution"] = ATTRIBUTION
    env.globals["a"] = link_html
    env.globals["t"] = words_html
    env.filters["safe_href"] = safe_href  # only http(s), mailto and site paths become links
    return env


_ENV: Environment | None = None


def environment() -> Environment:
    global _ENV
    if _ENV is None:
        _ENV = _environment()
    return _ENV


def site_context(
    linker: Linker, lang: str, *, site_files: bool, stylesheet: str | None = None
) -> dict[str, Any]:
    """What the layout (``base.html``) needs on every page, in the static site and in serve:
    navigation, search form, language switch (serve), footer links to the dataset descriptions
    (only where they exist: ``site_files``)."""
    builder = PageBuilder(GraphView(), lang, linker)
    nav = {
        "index": linker.special("index"),
        "kooperationen": linker.special("kooperationen"),
        "gemeindeverbaende": linker.special("gemeindeverbaende"),
        "search": linker.special("search"),
        "def": linker.special("def"),
        "sparql": linker.site_href("sparql") if linker.served else None,
        "queries": linker.site_href("queries") if linker.served else None,
        "catalog": linker.site_href("catalog.ttl") if site_files else None,
        "void": linker.site_href("void.ttl") if site_files else None,
        "langs": [{"lang": code, "href": f"?lang={code}", "name": name}
                  for code, name in (("de", "Deutsch"), ("en", "English"))]
        if linker.served else None,
        "facets_js": linker.site_href("facets.js"),
        "laender_svg": linker.site_href("laender.svg"),
    }  # fmt: skip
    return {
        "ui": builder.ui,
        "lang": lang,
        "other": builder.other,
        "link": linker,
        "nav": nav,
        "version": __version__,
        "stylesheet": stylesheet,
    }


def render_page(
    view: GraphView,
    iri: str,
    lang: str,
    linker: Linker,
    stylesheet: str | None = None,
    *,
    directory: Directory | None = None,
    site_files: bool = False,
) -> str:
    """The HTML page of one resource, from an indexed graph (CSS inline unless a stylesheet
    href is given); Kreis and Land pages list their area from the ``directory``."""
    builder = PageBuilder(view, lang, linker)
    node = ox.NamedNode(iri)
    context = builder.page(node, directory)
    path = path_for(iri)
    return (
        environment()
        .get_template("resource.html")
        .render(
            page=context,
            path=path,
            formats=_formats(linker, path),
            **site_context(linker, lang, site_files=site_files, stylesheet=stylesheet),
        )
    )


def _formats(linker: Linker, path: str | None) -> list[dict[str, str]]:
    if path is None:
        return []
    return [
        {"label": label, "href": linker.site_href(path + ext), "type": media}
        for ext, (label, media) in RDF_FILES.items()
    ]


RDF_FILES = {
    ".ttl": ("Turtle", "text/turtle"),
    ".jsonld": ("JSON-LD", "application/ld+json"),
    ".nt": ("N-Triples", "application/n-triples"),
}

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


def render_html(
    store: Store,
    iri: str,
    lang: str = "de",
    base_uri: str = DEFAULT_BASE,
    suffix: str = "",
    *,
    directory: Directory | None = None,
    site_files: bool = False,
) -> str:
    """The HTML page of one resource, read from any store, with absolute links under
    ``base_uri`` (each IRI's path + ``suffix``: "" where the server negotiates content)."""
    if lang not in ("de", "en"):
        raise InputError(f"unknown language {lang!r}: use de or en", field="lang")
    view = view_of(store, iri)
    if not view.out.get(ox.NamedNode(iri)):
        raise InputError(f"no such resource: {iri}")
    linker = Linker(base_uri=_slash(base_uri), page=None, suffix=suffix)
    return render_page(view, iri, lang, linker, directory=directory, site_files=site_files)


def render_site_page(
    name: str,
    directory: Directory,
    lang: str,
    linker: Linker,
    *,
    site_files: bool,
    stylesheet: str | None = None,
    **extra: Any,
) -> str:
    """One of the site's own pages, the same in the static site and in serve: ``index`` (home),
    ``kooperationen`` (the list at id/kooperation/), ``gemeindeverbaende``, ``search``."""
    context = site_context(linker, lang, site_files=site_files, stylesheet=stylesheet)
    builder = PageBuilder(GraphView(), lang, linker)
    context["site"] = browse_context(directory, builder)
    template = "kooperationen.html" if name == "kooperationen" else f"{name}.html"
    return environment().get_template(template).render(**context, **extra)


def browse_context(directory: Directory, builder: PageBuilder) -> dict[str, Any]:
    """The cooperations with their facets (Land, Rechtsform, Handlungsfeld, size), the register's
    Gemeindeverbände by Land, the Länder and the concept schemes."""
    lang = builder.lang

    def item(e: Entry) -> dict[str, Any]:
        laender = directory.laender(e)
        n = len(e.members)
        return {
            **builder.entry_link(e),
            "land": " ".join(a.rsplit("/", 1)[-1] for a in laender),
            "rechtsform": e.rechtsform.rsplit("/", 1)[-1] if e.rechtsform else "",
            "handlungsfeld": " ".join(h.rsplit("/", 1)[-1] for h in e.handlungsfelder),
            "size": size_bucket(n),
            "members": n,
            "context": directory.context(e, lang),
            "kreis": directory.name(e.kreis, lang),
            "rechtsform_name": directory.name(e.rechtsform, lang),
        }

    def facet(items: list[dict[str, Any]], key: str, names: Callable[[str], str]) -> list[dict]:
        counts: dict[str, int] = defaultdict(int)
        for it in items:
            for value in it[key].split():
                counts[value] += 1
        options = [{"value": v, "text": names(v), "count": n} for v, n in counts.items()]
        return sorted(options, key=lambda o: o["text"].lower())

    coops = [item(e) for e in directory.cooperations()]
    register = [item(e) for e in directory.cooperations(register=True)]
    by_land: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for it in register:
        by_land[it["land"].split()[0] if it["land"] else ""].append(it)
    sizes = {name: name.replace("-", "–") for name, _, _ in SIZES}
    land_names = {e.iri.rsplit("/", 1)[-1]: e.label(lang) for e in directory.of_kind("land")}

    def concept_name(scheme: str) -> Callable[[str], str]:
        return lambda v: directory.name(f"{VOCAB}{scheme}/{v}", lang)

    facets = [
        {"key": "land", "label": builder.ui("laender")["text"],
         "options": facet(coops, "land", lambda v: land_names.get(v, v))},
        {"key": "rechtsform", "label": "Rechtsform" if lang == "de" else "Legal form",
         "options": facet(coops, "rechtsform", concept_name("rechtsform"))},
        {"key": "handlungsfeld", "label": "Handlungsfeld" if lang == "de" else "Field of action",
         "options": facet(coops, "handlungsfeld", concept_name("handlungsfeld"))},
        {"key": "size", "label": "Mitglieder" if lang == "de" else "Members",
         "options": sorted(facet(coops, "size", lambda v: sizes.get(v, v)),
                           key=lambda o: int(o["value"].split("-")[0].rstrip("+")))},
    ]  # fmt: skip
    return {
        "kooperationen": coops,
        "facets": facets,
        "gemeindeverbaende": [
            {"land": land_names.get(k, k), "items": v} for k, v in sorted(by_land.items())
        ],
        "register_count": len(register),
        "laender": [builder.entry_link(e) for e in sorted(directory.of_kind("land"),
                                                           key=lambda e: e.iri)],
        "schemes": [builder.entry_link(e) for e in directory.of_kind("scheme")],
        "counts": {k: len(directory.of_kind(k)) for k in KINDS},
        "kinds": {k: v[0 if lang == "de" else 1] for k, v in KINDS.items()},
    }  # fmt: skip


def _slash(uri: str) -> str:
    return uri if uri.endswith("/") else uri + "/"


# ---------------------------------------------------------------- RDF documents


def jsonld_context() -> dict[str, Any]:
    """The published JSON-LD context: coopgraph's prefixes, so documents use short names."""
    prefixes = {**PREFIXES, **DATA_PREFIXES}
    for kind in ("person", "organisation", "kontrakt", "gremium", "geschaeftsstelle"):
        prefixes.setdefault(kind, f"{ID}{kind}/")
    for scheme in ("handlungsfeld", "themenbereich", "gremienart", "kontraktart"):
        prefixes.setdefault(scheme, f"{VOCAB}{scheme}/")
    return {"@context": dict(sorted(prefixes.items()))}


class JsonLdWriter:
    """Compact JSON-LD with a referenced context: keys and types as prefixed names."""

    def __init__(self, context: dict[str, Any]) -> None:
        ctx = context["@context"]
        self._prefixes = sorted(ctx.items(), key=lambda kv: -len(kv[1]))

    def compact(self, iri: str) -> str:
        for prefix, ns in self._prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                local = iri[len(ns) :]
                if not local.startswith("//") and ":" not in local:
                    return f"{prefix}:{local}"
        return iri

    @staticmethod
    def _id(node: Subject) -> str:
        return node.value if isinstance(node, ox.NamedNode) else f"_:{node.value}"

    def _object(self, o: Term) -> dict[str, str]:
        if isinstance(o, ox.Literal):
            if o.language:
                return {"@value": o.value, "@language": o.language}
            if o.datatype.value == XSD_NS + "string":
                return {"@value": o.value}
            return {"@value": o.value, "@type": o.datatype.value}
        return {"@id": self._id(o)}

    def document(self, triples: Iterable[ox.Triple], context_ref: str) -> dict[str, Any]:
        nodes: dict[str, dict[str, Any]] = {}
        for t in triples:
            sid = self._id(t.subject)  # type: ignore[arg-type]
            node = nodes.setdefault(sid, {"@id": sid})
            if t.predicate == RDF_TYPE and isinstance(t.object, ox.NamedNode):
                node.setdefault("@type", []).append(self.compact(t.object.value))
            else:
                key = self.compact(t.predicate.value)
                node.setdefault(key, []).append(self._object(t.object))  # type: ignore[arg-type]
        return {"@context": context_ref, "@graph": [nodes[k] for k in sorted(nodes)]}


@lru_cache(maxsize=1)
def _namespaces() -> dict[str, str]:
    """Namespace IRI -> prefix, for the prefixes of the published context."""
    return {ns: prefix for prefix, ns in jsonld_context()["@context"].items()}


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("/"), iri.rfind("#")) + 1
    return iri[:cut]


def serialize(triples: Sequence[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    """Turtle / N-Triples through pyoxigraph's serializer; Turtle with the prefixes it uses."""
    prefixes = None
    if fmt == ox.RdfFormat.TURTLE:
        known = _namespaces()
        used: set[str] = set()
        for t in triples:
            used.add(_namespace(t.predicate.value))
            for x in (t.subject, t.object):
                if isinstance(x, ox.NamedNode):
                    used.add(_namespace(x.value))
                elif isinstance(x, ox.Literal) and not x.language:
                    used.add(_namespace(x.datatype.value))
        prefixes = {known[ns]: ns for ns in sorted(used) if ns in known}
    data = ox.serialize(triples, format=fmt, prefixes=prefixes)
    assert data is not None
    return data


# ---------------------------------------------------------------- the site


@dataclass
class PublishResult:
    """What a publish wrote, and how long it took."""

    outdir: Path
    triples: int = 0
    pages: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    kinds: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outdir": str(self.outdir),
            "triples": self.triples,
            "pages": self.pages,
            "files": self.files,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 2),
            "kinds": self.kinds,
        }


def _load_view(paths: Sequence[str | Path] | None, store: Store | None = None) -> GraphView:
    """Ontology, vocabularies and the bundled data; or the given files and the bundled resources
    they refer to; or what a store holds (with the ontology and vocabularies)."""
    if paths:
        loaded = load(paths)
        view = GraphView()
        for s, p, o in loaded.graph:
            view.add(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
        return view
    if store is not None:
        view = GraphView()
        for path in resources.ontology_files():
            for t in parse_file(path):
                view.add(t.subject, t.predicate, t.object)  # type: ignore[arg-type]
        for s, p, o in store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"):
            view.add(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
        return view
    ox_store = ox.Store()
    OxigraphStore(ox_store).load([*resources.ontology_files(), *resources.data_files()])
    return GraphView.from_triples((q.triple for q in ox_store), distinct=True)


class SiteWriter:
    """Writes the files of one site into a folder (the temporary one, before the swap)."""

    def __init__(
        self, root: Path, view: GraphView, base_uri: str, lang: str, publisher: Publisher
    ) -> None:
        self.root = root
        self.publisher = publisher
        self.sizes: dict[str, int] = {}
        self.view = view
        self.base_uri = base_uri
        self.lang = lang
        self.files = 0
        self.bytes = 0
        self.context = jsonld_context()
        self.jsonld = JsonLdWriter(self.context)
        self.pages: dict[str, str] = {}  # IRI -> site path
        for s in view.out:
            if isinstance(s, ox.NamedNode) and s.value != ONTOLOGY_IRI:
                path = path_for(s.value)
                if path is not None:
                    self.pages[s.value] = path
        self.directory = build_directory(view)

    def has_page(self, iri: str) -> bool:
        return iri in self.pages or iri == ONTOLOGY_IRI

    def linker(self, page: str | None) -> Linker:
        return Linker(self.base_uri, page=page, suffix=".html", has_page=self.has_page)

    def write(self, rel: str, data: bytes | str, *, iri: str | None = None) -> None:
        target = self.root / rel
        blob = data.encode("utf-8") if isinstance(data, str) else data
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob)
        except OSError as exc:
            what = f" (for {iri})" if iri else ""
            raise CoopgraphError(f"cannot write {rel}{what}: {exc.strerror}") from exc
        self.files += 1
        self.bytes += len(blob)
        if rel.startswith("dump/"):
            self.sizes[rel] = len(blob)

    def context_ref(self, page: str) -> str:
        return "../" * page.count("/") + "context.jsonld"

    def rdf_files(self, path: str, triples: list[ox.Triple], iri: str) -> None:
        self.write(path + ".ttl", serialize(triples, ox.RdfFormat.TURTLE), iri=iri)
        self.write(path + ".nt", serialize(triples, ox.RdfFormat.N_TRIPLES), iri=iri)
        doc = self.jsonld.document(triples, self.context_ref(path))
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        self.write(path + ".jsonld", text, iri=iri)

    def resource(self, iri: str, path: str) -> None:
        linker = self.linker(path)
        html = render_page(self.view, iri, self.lang, linker, linker.site_href("style.css"),
                           directory=self.directory, site_files=True)  # fmt: skip
        self.write(path + ".html", html, iri=iri)
        self.rdf_files(path, description_triples(self.view, ox.NamedNode(iri)), iri)

    def kind_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for iri in self.pages:
            counts[kind_of(iri)] += 1
        return dict(sorted(counts.items()))


def ontology_triples(view: GraphView) -> list[ox.Triple]:
    """The ontology document: the ontology resource and every term of the coop namespace."""
    return [
        t
        for t in view.triples()
        if isinstance(t.subject, ox.NamedNode)
        and (t.subject.value == ONTOLOGY_IRI or t.subject.value.startswith(str(COOP)))
    ]


def _term_entry(builder: PageBuilder, node: ox.NamedNode) -> dict[str, Any]:
    view = builder.view

    def texts(p: ox.NamedNode) -> dict[str, str]:
        out: dict[str, str] = {}
        for o in view.objects(node, p):
            if isinstance(o, ox.Literal):
                out.setdefault(o.language or "", o.value)
        return out

    definition = texts(_iri(SKOS_NS, "definition")) or texts(_iri(RDFS_NS, "comment"))
    return {
        "iri": node.value,
        "anchor": node.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1],
        "label": builder.label(node),
        "link": builder.link(node),
        "definition": definition,
        "super": [builder.link(o) for o in view.objects(node, _iri(RDFS_NS, "subClassOf"))]
        + [builder.link(o) for o in view.objects(node, _iri(RDFS_NS, "subPropertyOf"))],
        "domain": [builder.link(o) for o in view.objects(node, _iri(RDFS_NS, "domain"))],
        "range": [builder.link(o) for o in view.objects(node, _iri(RDFS_NS, "range"))],
    }


def _ontology_context(view: GraphView, builder: PageBuilder) -> dict[str, Any]:

    def of_type(cls: str, ns: str) -> list[dict[str, Any]]:
        nodes = [
            s
            for s in view.subjects(RDF_TYPE, _iri(cls))
            if isinstance(s, ox.NamedNode) and s.value.startswith(ns)
        ]
        return sorted((_term_entry(builder, n) for n in nodes), key=lambda e: e["anchor"].lower())

    schemes = []
    for entry in of_type(SKOS_NS + "ConceptScheme", str(VOCAB)):
        scheme = ox.NamedNode(entry["iri"])
        concepts = [
            c
            for c in view.subjects(_iri(SKOS_NS, "inScheme"), scheme)
            if isinstance(c, ox.NamedNode)
        ]
        entry["concepts"] = sorted(
            (_term_entry(builder, c) for c in concepts), key=lambda e: e["label"]["text"].lower()
        )
        schemes.append(entry)
    onto = ox.NamedNode(ONTOLOGY_IRI)
    return {
        "title": builder.label(onto),
        "description": {
            (o.language or ""): o.value
            for o in view.objects(onto, _iri(DCT_NS, "description"))
            if isinstance(o, ox.Literal)
        },
        "version": view.value(onto, _iri(OWL_NS, "versionInfo")),
        "classes": of_type(OWL_NS + "Class", str(COOP)),
        "object_properties": of_type(OWL_NS + "ObjectProperty", str(COOP)),
        "datatype_properties": of_type(OWL_NS + "DatatypeProperty", str(COOP)),
        "schemes": schemes,
    }


def render_ontology(view: GraphView, lang: str, linker: Linker, *, site_files: bool,
                    stylesheet: str | None = None) -> str:  # fmt: skip
    """The ontology documentation (``def.html``; ``/def`` in serve)."""
    builder = PageBuilder(view, lang, linker)
    context = site_context(linker, lang, site_files=site_files, stylesheet=stylesheet)
    return (
        environment()
        .get_template("ontology.html")
        .render(onto=_ontology_context(view, builder), **context)
    )


DUMPS = {
    "dump/coopgraph.ttl": ("Turtle", "text/turtle"),
    "dump/coopgraph.nt.gz": ("N-Triples (gzip)", "application/n-triples"),
    "dump/coopgraph.jsonld": ("JSON-LD", "application/ld+json"),
}


def write_dumps(writer: SiteWriter) -> None:
    """The whole graph as Turtle, gzipped N-Triples and JSON-LD."""
    triples = sorted(writer.view.triples(), key=lambda t: (str(t.subject), str(t.predicate)))
    writer.write("dump/coopgraph.ttl", serialize(triples, ox.RdfFormat.TURTLE))
    nt = serialize(triples, ox.RdfFormat.N_TRIPLES)
    writer.write("dump/coopgraph.nt.gz", gzip.compress(nt, compresslevel=6, mtime=0))
    doc = writer.jsonld.document(triples, "../context.jsonld")
    writer.write("dump/coopgraph.jsonld", json.dumps(doc, ensure_ascii=False))


def write_sitemap(writer: SiteWriter) -> None:
    """sitemap.xml (split into a sitemap index past 50,000 addresses, the protocol's limit)."""
    urls = [writer.base_uri + page for page in SITE_PAGES]
    urls += [writer.base_uri + path + ".html" for path in sorted(writer.pages.values())]
    env = environment()
    chunks = [urls[i : i + 50000] for i in range(0, len(urls), 50000)]
    if len(chunks) == 1:
        writer.write("sitemap.xml", env.get_template("sitemap.xml").render(urls=chunks[0]))
        return
    names = []
    for n, chunk in enumerate(chunks, 1):
        names.append(f"sitemap-{n}.xml")
        writer.write(names[-1], env.get_template("sitemap.xml").render(urls=chunk))
    index = [writer.base_uri + name for name in names]
    writer.write("sitemap.xml", env.get_template("sitemap-index.xml").render(urls=index))


def write_conneg(writer: SiteWriter) -> None:
    """Content negotiation for the site's extensionless IRIs: Apache (.htaccess) and nginx."""
    env = environment()
    types = {ext: media for ext, (_label, media) in RDF_FILES.items()}
    writer.write(".htaccess", env.get_template("htaccess").render(types=types))
    where = urlsplit(writer.base_uri)
    nginx = env.get_template("nginx.conf").render(
        types=types, location=where.path or "/", host=where.hostname or "_"
    )
    writer.write("conneg/nginx.conf", nginx)


STATIC_ASSETS = ("style.css", "facets.js", "search.js", "laender.svg")
# the site's own pages besides the resources: page name -> file
SITE_PAGES = {"index.html": "index", "def.html": "def", "search.html": "search",
              "id/kooperation/index.html": "kooperationen",
              "gemeindeverbaende.html": "gemeindeverbaende"}  # fmt: skip


def search_index_js(directory: Directory, lang: str) -> str:
    """The directory as the static search page loads it: a script, so it works from disk too
    (browsers refuse fetch() on file:// URLs)."""
    data = json.dumps(directory.search_records(lang), ensure_ascii=False, separators=(",", ":"))
    return f"window.coopgraphIndex={data};\n"


def write_extras(writer: SiteWriter, say: Callable[[str], None]) -> None:
    """Everything besides the per-resource files: context, dumps, ontology, index, browse and
    search pages, search index, sitemap."""
    writer.write("context.jsonld", json.dumps(writer.context, ensure_ascii=False, indent=1) + "\n")
    for asset in STATIC_ASSETS:
        writer.write(asset, (resources.templates_dir() / asset).read_bytes())
    say("writing the dumps")
    write_dumps(writer)
    say("writing the ontology documentation, index, browse and search pages, sitemap")
    linker = writer.linker("def.html")
    html = render_ontology(writer.view, writer.lang, linker, site_files=True,
                           stylesheet=linker.site_href("style.css"))  # fmt: skip
    writer.write("def.html", html)
    writer.rdf_files("def", ontology_triples(writer.view), ONTOLOGY_IRI)
    downloads = [{"href": k, "label": v[0], "type": v[1]} for k, v in DUMPS.items()]
    for page, name in SITE_PAGES.items():
        if name == "def":
            continue
        linker = writer.linker(page)
        html = render_site_page(
            name, writer.directory, writer.lang, linker, site_files=True,
            stylesheet=linker.site_href("style.css"), downloads=downloads, results=None,
            query="", kind="", triples=len(writer.view),
        )  # fmt: skip
        writer.write(page, html)
    writer.write("search-index.js", search_index_js(writer.directory, writer.lang))
    write_sitemap(writer)
    write_conneg(writer)


def _swap_into_place(tmp: Path, outdir: Path) -> None:
    """Move a finished site into ``outdir``; an existing ``outdir`` is replaced only now."""
    if outdir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.old-", dir=outdir.parent))
        os.replace(outdir, old / outdir.name)
        try:
            os.replace(tmp, outdir)
        except OSError:
            os.replace(old / outdir.name, outdir)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, outdir)


def publish(
    outdir: str | Path,
    base_uri: str = DEFAULT_BASE,
    paths: Sequence[str | Path] | None = None,
    *,
    lang: str = "de",
    publisher: Publisher | None = None,
    store: Store | None = None,
    progress: Callable[[str], None] | None = None,
) -> PublishResult:
    """Publish the graph (bundled data, or ``paths`` with what they refer to, or what ``store``
    holds) as a static site.

    Built in a temporary sibling of ``outdir`` and moved into place when complete: a failed
    publish leaves no partial site and an existing ``outdir`` untouched.
    """
    from . import catalog

    if lang not in ("de", "en"):
        raise InputError(f"unknown language {lang!r}: use de or en", field="lang")
    started = time.perf_counter()
    outdir = Path(outdir)
    base_uri = _slash(base_uri)
    if not base_uri.startswith(("http://", "https://")):
        raise InputError(f"not an http(s) URI: {base_uri!r}", field="--base-uri")
    if outdir.exists() and not outdir.is_dir():
        raise InputError("exists and is not a folder", file=outdir)
    say = progress or (lambda _msg: None)
    say("loading the graph")
    if (
        publisher
        and publisher.contributor_id
        and not publisher.contributor_id.startswith(CONTRIBUTORS)
    ):
        raise InputError(f"not an IRI under {CONTRIBUTORS}", field="--contributor-id")
    view = _load_view(paths, store)
    outdir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.tmp-", dir=outdir.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it 0700: a web server must read the site
    try:
        writer = SiteWriter(tmp, view, base_uri, lang, publisher or Publisher())
        say(f"writing {len(writer.pages)} resources")
        for iri, path in sorted(writer.pages.items(), key=lambda kv: kv[1]):
            writer.resource(iri, path)
        write_extras(writer, say)
        catalog.write_descriptions(writer)
        result = PublishResult(
            outdir=outdir,
            triples=len(view),
            pages=len(writer.pages),
            files=writer.files,
            bytes=writer.bytes,
            kinds=writer.kind_counts(),
        )
        say("moving the site into place")
        _swap_into_place(tmp, outdir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    result.seconds = time.perf_counter() - started
    return result


__all__ = [
    "DEFAULT_BASE",
    "GraphView",
    "Linker",
    "PublishResult",
    "describe",
    "description_triples",
    "path_for",
    "publish",
    "render_html",
]
