"""The one place where coopgraph's IRIs and prefixes are defined."""

from __future__ import annotations

from urllib.parse import quote

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

BASE = "https://w3id.org/coopgraph/"

COOP = Namespace(BASE + "def#")
ID = Namespace(BASE + "id/")
VOCAB = Namespace(BASE + "vocab/")
GRAPH = Namespace(BASE + "graph/")
SCHEMA = Namespace("https://schema.org/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
SH = Namespace("http://www.w3.org/ns/shacl#")
WD = Namespace("http://www.wikidata.org/entity/")

# The vocabularies coopgraph reuses, as plain strings (for pyoxigraph terms and SPARQL text).
RDF_NS = str(RDF)
RDFS_NS = str(RDFS)
SKOS_NS = str(SKOS)
DCT_NS = str(DCTERMS)
ORG_NS = str(ORG)
TIME_NS = str(TIME)
OWL_NS = str(OWL)
FOAF_NS = str(FOAF)
XSD_NS = str(XSD)
SCHEMA_NS = str(SCHEMA)
GEO_NS = str(GEO)

PREFIXES: dict[str, str] = {
    "coop": str(COOP),
    "id": str(ID),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "geo": str(GEO),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "sh": str(SH),
    "skos": str(SKOS),
    "time": str(TIME),
    "wd": str(WD),
    "xsd": str(XSD),
}


# Prefixes for writing data: one per kind of resource, so Turtle stays readable.
DATA_PREFIXES: dict[str, str] = {
    **{k: v for k, v in PREFIXES.items() if k not in ("id", "sh", "prov")},
    "kommune": f"{ID}kommune/",
    "gebiet": f"{ID}gemeindefreies-gebiet/",
    "kreis": f"{ID}kreis/",
    "land": f"{ID}land/",
    "rb": f"{ID}regierungsbezirk/",
    "kooperation": f"{ID}kooperation/",
    "mitgliedschaft": f"{ID}mitgliedschaft/",
    "zeitraum": f"{ID}zeitraum/",
    "zeitpunkt": f"{ID}zeitpunkt/",
    "geometrie": f"{ID}geometrie/",
    "quelle": f"{ID}quelle/",
    "gemeindetyp": f"{VOCAB}gemeindetyp/",
    "kreistyp": f"{VOCAB}kreistyp/",
    "rechtsform": f"{VOCAB}rechtsform/",
    "rolle": f"{VOCAB}mitgliedsrolle/",
}


# Prefixes for a cooperation's own file (written by ``coopgraph import`` from a profile): the
# data prefixes plus the kinds of resource only cooperations have. Kept apart from
# DATA_PREFIXES so the register's generated files stay as they are.
COOPERATION_PREFIXES: dict[str, str] = {
    **DATA_PREFIXES,
    "kontrakt": f"{ID}kontrakt/",
    "gremium": f"{ID}gremium/",
    "geschaeftsstelle": f"{ID}geschaeftsstelle/",
    "person": f"{ID}person/",
    "kontaktstelle": f"{ID}kontaktstelle/",
    "organisation": f"{ID}organisation/",
    "handlungsfeld": f"{VOCAB}handlungsfeld/",
    "themenbereich": f"{VOCAB}themenbereich/",
    "kontraktart": f"{VOCAB}kontraktart/",
    "gremienart": f"{VOCAB}gremienart/",
}


def kommune_iri(ags: str) -> URIRef:
    """IRI of a Kommune, derived from its 8-digit AGS."""
    return ID[f"kommune/{ags}"]


def kreis_iri(key: str) -> URIRef:
    """IRI of a Kreis, derived from its 5-digit key."""
    return ID[f"kreis/{key}"]


def land_iri(key: str) -> URIRef:
    """IRI of a Land, derived from its 2-digit key."""
    return ID[f"land/{key}"]


def regierungsbezirk_iri(key: str) -> URIRef:
    """IRI of a Regierungsbezirk, derived from its 3-digit key."""
    return ID[f"regierungsbezirk/{key}"]


def kooperation_iri(slug: str) -> URIRef:
    """IRI of a Kooperation, derived from its slug."""
    return ID[f"kooperation/{slug}"]


def concept_iri(scheme: str, slug: str) -> URIRef:
    """IRI of a concept in one of coopgraph's SKOS schemes."""
    return VOCAB[f"{scheme}/{slug}"]


def scheme_iri(scheme: str) -> URIRef:
    """IRI of one of coopgraph's SKOS concept schemes."""
    return URIRef(f"{VOCAB}{scheme}")


def mitgliedschaft_iri(kooperation_slug: str, member_key: str) -> URIRef:
    """IRI of a membership: the Kooperation's slug and the member's key."""
    return ID[f"mitgliedschaft/{kooperation_slug}-{member_key}"]


def zeitraum_iri(local: str) -> URIRef:
    """IRI of a time:Interval (e.g. a membership period), named after what it belongs to."""
    return ID[f"zeitraum/{local}"]


def geometrie_iri(local: str) -> URIRef:
    """IRI of a geo:Geometry, named after what it locates (e.g. ``kommune-05117000``)."""
    return ID[f"geometrie/{local}"]


# ---------------------------------------------------------------- named graphs of a store


def graph_iri(source: str) -> URIRef:
    """Named graph holding one source file, from its path relative to the package or checkout.

    ``data/kooperationen/staedteregion-ruhr.ttl`` →
    ``https://w3id.org/coopgraph/graph/data/kooperationen/staedteregion-ruhr.ttl``.
    """
    return GRAPH[quote(source.strip("/"), safe="/-._~")]


def staging_graph_iri(token: str, source: str) -> URIRef:
    """Where ``push`` uploads a source before switching it in (one token per push)."""
    return GRAPH[f"staging/{quote(token, safe='')}/{quote(source.strip('/'), safe='/-._~')}"]


STAGING = GRAPH["staging/"]


def zeitpunkt_iri(local: str) -> URIRef:
    """IRI of a time:Instant, named after what it belongs to and its value."""
    return ID[f"zeitpunkt/{local}"]


def kontrakt_iri(local: str) -> URIRef:
    """IRI of a Kontrakt: the Kooperation's slug and the year of conclusion."""
    return ID[f"kontrakt/{local}"]


def gremium_iri(kooperation_slug: str, local: str) -> URIRef:
    """IRI of a Gremium of a Kooperation."""
    return ID[f"gremium/{kooperation_slug}-{local}"]


def geschaeftsstelle_iri(kooperation_slug: str) -> URIRef:
    """IRI of the Geschäftsstelle of a Kooperation."""
    return ID[f"geschaeftsstelle/{kooperation_slug}"]


def person_iri(local: str) -> URIRef:
    """IRI of a person (a contact), derived from the name."""
    return ID[f"person/{local}"]


def organisation_iri(local: str) -> URIRef:
    """IRI of an organisation that is no Gebietskörperschaft (partner, funder)."""
    return ID[f"organisation/{local}"]


def kontaktstelle_iri(kooperation_slug: str) -> URIRef:
    """IRI of a Kooperation's contact point (schema:ContactPoint) when no person is named."""
    return ID[f"kontaktstelle/{kooperation_slug}"]
