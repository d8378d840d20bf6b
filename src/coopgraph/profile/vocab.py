"""The words a profile shares with the graph: SKOS concepts of the controlled values, slugs
for local names, the contact fields, the Länder codes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from ..namespaces import COOP, SCHEMA, VOCAB, scheme_iri

CONTACT_FIELDS = (
    ("email", SCHEMA.email),
    ("phone", SCHEMA.telephone),
    ("address", SCHEMA.address),
    ("as_written", COOP.schreibweiseInQuelle),
)


@dataclass(frozen=True)
class Concept:
    iri: URIRef
    local: str
    labels: frozenset[str]
    label_de: str = ""
    label_en: str = ""

    def listed(self, lang: str) -> str:
        """``local (label)`` for messages that list the allowed values."""
        label = self.label_de if lang == "de" else self.label_en
        return f"{self.local} ({label})" if label else self.local


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    from ..store.loaded import load

    return load([], referenced=False).graph


@cache
def concepts(scheme: str) -> dict[str, Concept]:
    """The concepts of one of coopgraph's SKOS schemes, by local name (read from ontology/vocab)."""
    g = _ontology()
    prefix = f"{VOCAB}{scheme}/"
    out = {}
    for c in g.subjects(SKOS.inScheme, scheme_iri(scheme)):
        if isinstance(c, URIRef) and str(c).startswith(prefix):
            labels = {
                fold(str(lbl)) for p in (SKOS.prefLabel, SKOS.altLabel) for lbl in g.objects(c, p)
            }
            local = str(c)[len(prefix) :]
            pref = {lbl.language: str(lbl) for lbl in g.objects(c, SKOS.prefLabel)
                    if isinstance(lbl, Literal)}  # fmt: skip
            de, en = pref.get("de", ""), pref.get("en", "")
            out[local] = Concept(c, local, frozenset(labels), de, en)
    return dict(sorted(out.items()))


def fold(text: str) -> str:
    """A value folded for comparison with a concept's labels: ``Öffentlich-rechtliche
    Vereinbarung`` → ``oeffentlich-rechtliche-vereinbarung``."""
    text = text.strip().lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def slugify(text: str) -> str:
    """A name as a local name for an IRI: ``Fakultät Raumplanung`` → ``fakultaet-raumplanung``."""
    folded = fold(unicodedata.normalize("NFC", text))
    return unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode() or "x"


@lru_cache(maxsize=1)
def land_codes() -> dict[str, str]:
    """ISO 3166-2:DE code of each Land ("NW") → its two-digit key ("05"), sorted by code."""
    from .. import resolve

    return dict(sorted(resolve.land_codes().items()))
