"""The RDF terms the LOD layer looks for, as pyoxigraph terms (from :mod:`coopgraph.namespaces`)."""

from __future__ import annotations

import pyoxigraph as ox

from ..namespaces import (
    BASE,
    COOP,
    DCT_NS,
    FOAF_NS,
    GEO_NS,
    ORG_NS,
    RDF_NS,
    RDFS_NS,
    SCHEMA_NS,
    SKOS_NS,
    TIME_NS,
)

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Subject = ox.NamedNode | ox.BlankNode


def term_iri(ns: str, local: str = "") -> ox.NamedNode:
    return ox.NamedNode(ns + local)


RDF_TYPE = term_iri(RDF_NS, "type")
ORG_MEMBERSHIP = term_iri(ORG_NS, "Membership")
ORG_MEMBER = term_iri(ORG_NS, "member")
ORG_ORGANIZATION = term_iri(ORG_NS, "organization")
ORG_HAS_MEMBER = term_iri(ORG_NS, "hasMember")
ORG_MEMBER_DURING = term_iri(ORG_NS, "memberDuring")
ORG_ROLE = term_iri(ORG_NS, "role")
TIME_HAS_BEGINNING = term_iri(TIME_NS, "hasBeginning")
TIME_HAS_END = term_iri(TIME_NS, "hasEnd")
TIME_IN_DATE = term_iri(TIME_NS, "inXSDDate")
TIME_IN_MONTH = term_iri(TIME_NS, "inXSDgYearMonth")
TIME_IN_YEAR = term_iri(TIME_NS, "inXSDgYear")
GEO_HAS_GEOMETRY = term_iri(GEO_NS, "hasGeometry")
GEO_AS_WKT = term_iri(GEO_NS, "asWKT")
DCT_SOURCE = term_iri(DCT_NS, "source")
FOAF_PAGE = term_iri(FOAF_NS, "page")
COOP_KREIS = term_iri(str(COOP), "kreis")
COOP_LAND = term_iri(str(COOP), "land")
COOP_BEGINN_UNBEKANNT = term_iri(str(COOP), "beginnUnbekannt")
COOP_BESTAETIGT_AM = term_iri(str(COOP), "bestaetigtAm")
COOP_SCHREIBWEISE = term_iri(str(COOP), "schreibweiseInQuelle")
ONTOLOGY_IRI = BASE + "def"

# Nodes that belong to the resource pointing at them (an interval, an instant, a geometry):
# a description includes them, as it includes blank nodes.
DEPENDENT_TYPES = frozenset(
    term_iri(ns, local)
    for ns, local in (
        (TIME_NS, "Interval"),
        (TIME_NS, "ProperInterval"),
        (TIME_NS, "Instant"),
        (GEO_NS, "Geometry"),
    )
)
LABEL_PREDICATES = tuple(
    term_iri(ns, local)
    for ns, local in (
        (SKOS_NS, "prefLabel"),
        (RDFS_NS, "label"),
        (DCT_NS, "title"),
        (SCHEMA_NS, "name"),
    )
)
