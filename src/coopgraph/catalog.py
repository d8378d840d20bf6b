"""Descriptions of the published dataset: DCAT-AP.de (catalog, dataset, distributions) and VoID.

Written by :func:`coopgraph.publish.publish` next to the site (``catalog.ttl``, ``catalog.rdf``,
``void.ttl``), from a :class:`SiteSummary` of it. The licence is the Datenlizenz Deutschland –
Namensnennung 2.0 under which Destatis publishes the municipality register most of the graph is
built from; every distribution carries the attribution the register requires.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from .namespaces import COOP, DCT_NS, GEO_NS, ID, ORG_NS, SKOS_NS, TIME_NS, VOCAB
from .register import ATTRIBUTION

if TYPE_CHECKING:
    from .lod.graph import GraphView

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
VOID = Namespace("http://rdfs.org/ns/void#")

# The licence under which coopgraph publishes the compiled dataset. It is the publisher's choice,
# not Destatis' licence: the register's own terms (raw/Hinweise_Destatis.txt) allow reproduction
# and distribution "mit Quellenangabe", which an attribution licence with the text below keeps.
LICENSE = URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")
GEOCODING_STATE = "http://dcat-ap.de/def/politicalGeocoding/stateKey/"
GEOCODING_LEVEL_STATE = URIRef("http://dcat-ap.de/def/politicalGeocoding/Level/state")
IANA = "https://www.iana.org/assignments/media-types/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
THEME = "http://publications.europa.eu/resource/authority/data-theme/"
REGISTER_PAGE = (
    "https://www.destatis.de/DE/Themen/Laender-Regionen/Regionales/Gemeindeverzeichnis/_inhalt.html"
)

# site path -> (title, media type, EU file type, compressed)
DISTRIBUTIONS: dict[str, tuple[str, str, str, bool]] = {
    "dump/coopgraph.ttl": ("Turtle", "text/turtle", "RDF_TURTLE", False),
    "dump/coopgraph.nt.gz": ("N-Triples, gzip", "application/n-triples", "RDF_N_TRIPLES", True),
    "dump/coopgraph.jsonld": ("JSON-LD", "application/ld+json", "JSON_LD", False),
}


@dataclass(frozen=True)
class Publisher:
    """Who publishes the site: named in DCAT (publisher, contact point)."""

    name: str = "coopgraph"
    url: str | None = None  # contact: a web page (default: the site's index page)
    email: str | None = None
    contributor_id: str | None = (
        None  # dcatde:contributorID, e.g. http://dcat-ap.de/def/contributors/…
    )


@dataclass(frozen=True)
class SiteSummary:
    """What the descriptions say about a published site: where it lives, its size, its dumps."""

    base_uri: str
    triples: int
    resources: frozenset[str]  # IRIs of the resources with a page
    dump_sizes: Mapping[str, int] = field(default_factory=dict)  # site path -> bytes
    laender: tuple[str, ...] = ()  # two-digit keys of the Länder covered
    classes: Mapping[str, int] = field(default_factory=dict)  # class IRI -> named instances

    @classmethod
    def of(
        cls, view: GraphView, base_uri: str, resources: Iterable[str], dump_sizes: Mapping[str, int]
    ) -> SiteSummary:
        return cls(base_uri, len(view), frozenset(resources), dict(dump_sizes),
                   tuple(laender_covered(view)), class_counts(view))  # fmt: skip


def laender_covered(view: GraphView) -> list[str]:
    """Two-digit keys of the Länder that the published Kommunen and Kooperationen lie in."""
    land = ox.NamedNode(str(COOP) + "land")
    keys = set()
    for s, pos in view.out.items():
        if not isinstance(s, ox.NamedNode) or not s.value.startswith(str(ID)):
            continue
        for p, o in pos:
            if p == land and isinstance(o, ox.NamedNode) and o.value.startswith(f"{ID}land/"):
                keys.add(o.value.rsplit("/", 1)[-1])
    return sorted(keys)


def class_counts(view: GraphView) -> dict[str, int]:
    """Named instances per class (VoID class partitions)."""
    rdf_type = ox.NamedNode(str(RDF.type))
    classes: Counter[str] = Counter()
    for s, pos in view.out.items():
        for p, o in pos:
            if p == rdf_type and isinstance(o, ox.NamedNode) and isinstance(s, ox.NamedNode):
                classes[o.value] += 1
    return dict(sorted(classes.items()))


def dcat_graph(site: SiteSummary, publisher: Publisher, today: dt.date) -> Graph:
    """The DCAT-AP.de description: a catalog with one dataset and its dump distributions."""
    base = site.base_uri
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("dcatde", DCATDE), ("foaf", FOAF),
                       ("vcard", VCARD)):  # fmt: skip
        g.bind(prefix, ns)
    catalog = URIRef(base + "catalog.ttl#catalog")
    dataset = URIRef(base + "catalog.ttl#dataset")
    agent = URIRef(base + "catalog.ttl#publisher")
    contact = URIRef(base + "catalog.ttl#contact")
    home = URIRef(base + "index.html")

    g.add((agent, RDF.type, FOAF.Agent))
    g.add((agent, FOAF.name, Literal(publisher.name)))
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal(publisher.name)))
    g.add((contact, VCARD.hasURL, URIRef(publisher.url or str(home))))
    if publisher.email:
        g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{publisher.email}")))

    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal("coopgraph", lang="de")))
    g.add(
        (
            catalog,
            DCTERMS.description,
            Literal(
                "Katalog des Wissensgraphen der interkommunalen Zusammenarbeit in Deutschland.",
                lang="de",
            ),
        )
    )
    g.add(
        (
            catalog,
            DCTERMS.description,
            Literal(
                "Catalogue of the knowledge graph of inter-municipal cooperation in Germany.",
                lang="en",
            ),
        )
    )
    g.add((catalog, DCTERMS.publisher, agent))
    g.add((catalog, FOAF.homepage, home))
    g.add((catalog, DCTERMS.language, URIRef(LANGUAGE + "DEU")))
    g.add((catalog, DCTERMS.license, LICENSE))
    g.add((catalog, DCTERMS.modified, Literal(today.isoformat(), datatype=XSD.date)))
    g.add((catalog, DCAT.dataset, dataset))

    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add(
        (
            dataset,
            DCTERMS.title,
            Literal("coopgraph – Interkommunale Zusammenarbeit in Deutschland", lang="de"),
        )
    )
    g.add(
        (
            dataset,
            DCTERMS.title,
            Literal("coopgraph – inter-municipal cooperation in Germany", lang="en"),
        )
    )
    g.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "Kommunen, Kreise und Länder nach dem Gemeindeverzeichnis (Destatis), "
                "Kooperationen mit ihren Mitgliedschaften und deren Zeiträumen, Kontrakte und "
                "Gremien, als Linked Open Data.",
                lang="de",
            ),
        )
    )
    g.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "Municipalities, districts and states from the official municipality register "
                "(Destatis), cooperations with their memberships and membership periods, "
                "agreements and bodies, as linked open data.",
                lang="en",
            ),
        )
    )
    g.add((dataset, DCTERMS.publisher, agent))
    g.add((dataset, DCAT.contactPoint, contact))
    g.add((dataset, DCAT.landingPage, home))
    g.add((dataset, DCTERMS.issued, Literal(today.isoformat(), datatype=XSD.date)))
    g.add((dataset, DCTERMS.modified, Literal(today.isoformat(), datatype=XSD.date)))
    g.add((dataset, DCTERMS.language, URIRef(LANGUAGE + "DEU")))
    g.add((dataset, DCTERMS.language, URIRef(LANGUAGE + "ENG")))
    g.add((dataset, DCAT.theme, URIRef(THEME + "GOVE")))
    g.add((dataset, DCAT.theme, URIRef(THEME + "REGI")))
    for word in ("interkommunale Zusammenarbeit", "Kommune", "Gemeindeverband", "Zweckverband",
                 "Linked Open Data"):  # fmt: skip
        g.add((dataset, DCAT.keyword, Literal(word, lang="de")))
    g.add((dataset, DCTERMS.conformsTo, URIRef(str(COOP).rstrip("#"))))
    g.add((dataset, DCATDE.politicalGeocodingLevelURI, GEOCODING_LEVEL_STATE))
    for key in site.laender:
        g.add((dataset, DCATDE.politicalGeocodingURI, URIRef(GEOCODING_STATE + key)))
    if publisher.contributor_id:
        g.add((dataset, DCATDE.contributorID, URIRef(publisher.contributor_id)))
    # DCAT-AP.de 3.0 names the covered area with dct:spatial; politicalGeocodingURI (2.0) stays
    # for harvesters that still read it (3.0 validators warn that it is deprecated).
    for key in site.laender:
        state = URIRef(GEOCODING_STATE + key)
        g.add((dataset, DCTERMS.spatial, state))
        g.add((state, RDF.type, DCTERMS.Location))
    g.add((dataset, DCTERMS.source, _register_dataset(g)))

    for path, (title, media, file_type, compressed) in DISTRIBUTIONS.items():
        dist = URIRef(f"{base}catalog.ttl#{path.rsplit('/', 1)[-1]}")
        url = URIRef(base + path)
        g.add((dataset, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f"coopgraph ({title})", lang="de")))
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.mediaType, URIRef(IANA + media)))
        g.add((dist, DCTERMS.format, URIRef(FILE_TYPE + file_type)))
        if compressed:
            g.add((dist, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
        g.add((dist, DCTERMS.license, LICENSE))
        g.add((dist, DCATDE.licenseAttributionByText, Literal(ATTRIBUTION, lang="de")))
        g.add((dist, DCTERMS.modified, Literal(today.isoformat(), datatype=XSD.date)))
        size = site.dump_sizes.get(path)
        if size is not None:
            g.add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
    return g


VOCABULARIES = (str(COOP), str(VOCAB), ORG_NS, TIME_NS, GEO_NS, DCT_NS, SKOS_NS)


def _register_dataset(g: Graph) -> URIRef:
    """The Destatis municipality register, described as the dataset the graph derives from."""
    register = URIRef(REGISTER_PAGE)
    destatis = URIRef("https://www.destatis.de/")
    g.add((register, RDF.type, DCAT.Dataset))
    g.add(
        (
            register,
            DCTERMS.title,
            Literal("Gemeindeverzeichnis GV100AD, Stand 30.11.2025", lang="de"),
        )
    )
    g.add(
        (
            register,
            DCTERMS.description,
            Literal(
                "Amtliches Gemeindeverzeichnis (Gebietsstand 30.11.2025) des Statistischen "
                "Bundesamtes.",
                lang="de",
            ),
        )
    )
    g.add((register, DCTERMS.publisher, destatis))
    g.add((register, DCAT.landingPage, register))
    g.add((destatis, RDF.type, FOAF.Agent))
    g.add((destatis, FOAF.name, Literal("Statistisches Bundesamt (Destatis)", lang="de")))
    return register


EXAMPLES = (
    f"{ID}kooperation/staedteregion-ruhr",
    f"{ID}kommune/05515000",
    f"{ID}kreis/05558",
)


def void_graph(site: SiteSummary) -> Graph:
    """The VoID description: size, classes, SPARQL endpoint, dumps and example resources."""
    base = site.base_uri
    g = Graph()
    g.bind("void", VOID)
    g.bind("dct", DCTERMS)
    g.bind("coop", COOP)
    ds = URIRef(base + "void.ttl#coopgraph")
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.title, Literal("coopgraph", lang="de")))
    g.add(
        (
            ds,
            DCTERMS.description,
            Literal("Wissensgraph der interkommunalen Zusammenarbeit in Deutschland", lang="de"),
        )
    )
    g.add(
        (
            ds,
            DCTERMS.description,
            Literal("Knowledge graph of inter-municipal cooperation in Germany", lang="en"),
        )
    )
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, FOAF.homepage, URIRef(base + "index.html")))
    g.add((ds, VOID.triples, Literal(site.triples, datatype=XSD.integer)))
    g.add((ds, VOID.entities, Literal(len(site.resources), datatype=XSD.integer)))
    g.add((ds, VOID.uriSpace, Literal(str(ID))))
    g.add((ds, VOID.sparqlEndpoint, URIRef(base + "sparql")))
    g.add((ds, VOID.rootResource, URIRef(base + "index.html")))
    for path in DISTRIBUTIONS:
        g.add((ds, VOID.dataDump, URIRef(base + path)))
    for ns in VOCABULARIES:
        g.add((ds, VOID.vocabulary, URIRef(ns)))
    examples = [e for e in EXAMPLES if e in site.resources]
    if not examples:
        examples = sorted(site.resources)[:1]
    for iri in examples:
        g.add((ds, VOID.exampleResource, URIRef(iri)))
    for cls, n in sorted(site.classes.items()):
        part = BNode()
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    return g


def descriptions(site: SiteSummary, publisher: Publisher, today: dt.date) -> dict[str, str]:
    """The description files by site path: catalog.ttl and catalog.rdf (DCAT-AP.de), void.ttl."""
    dcat = dcat_graph(site, publisher, today)
    return {
        "catalog.ttl": dcat.serialize(format="turtle"),
        "catalog.rdf": dcat.serialize(format="xml"),
        "void.ttl": void_graph(site).serialize(format="turtle"),
    }
