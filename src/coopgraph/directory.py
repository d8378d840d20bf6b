"""The site's directory: every resource people look for (Kooperationen, Kommunen, Kreise, Länder,
SKOS concepts) with its names, keys and facets; what search and the browse lists are built from.

``coopgraph publish`` builds it from the whole graph it writes and ships it as
``search-index.js`` for the static site's search page (a small typo-tolerant matcher in
``search.js``); ``coopgraph serve`` builds the same directory from its store and answers
``/search?q=`` with :meth:`Directory.search`, the same matching in Python (rapidfuzz).
Names are folded the same way on both sides: lower case, ä/ö/ü/ß as ae/oe/ue/ss, other accents
dropped, so "Muenster" and "Munster" find Münster.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

from .namespaces import BASE, COOP, ID, VOCAB

if TYPE_CHECKING:
    from .lod.graph import GraphView
    from .store import Store

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
ALT_LABEL = ox.NamedNode(SKOS + "altLabel")
IN_SCHEME = ox.NamedNode(SKOS + "inScheme")
CONCEPT = ox.NamedNode(SKOS + "Concept")
SCHEME = ox.NamedNode(SKOS + "ConceptScheme")
HAS_MEMBER = ox.NamedNode(ORG + "hasMember")
ORG_MEMBER = ox.NamedNode(ORG + "member")
ORG_ORGANIZATION = ox.NamedNode(ORG + "organization")
MEMBERSHIP = ox.NamedNode(ORG + "Membership")
POSTAL_CODE = ox.NamedNode("https://schema.org/postalCode")
AGS = ox.NamedNode(f"{COOP}ags")
KREIS = ox.NamedNode(f"{COOP}kreis")
LAND = ox.NamedNode(f"{COOP}land")
RECHTSFORM = ox.NamedNode(f"{COOP}rechtsform")
HANDLUNGSFELD = ox.NamedNode(f"{COOP}handlungsfeld")
EINWOHNER = ox.NamedNode(f"{COOP}einwohner")
SCHLUESSEL = ox.NamedNode(f"{COOP}schluessel")
GEMEINDEVERBAND = ox.NamedNode(f"{COOP}gemeindeverband")
KUERZEL = ox.NamedNode(f"{COOP}kuerzel")
CLASSES = {
    f"{COOP}Kooperation": "kooperation",
    f"{COOP}Kommune": "kommune",
    f"{COOP}Kreis": "kreis",
    f"{COOP}Land": "land",
    SKOS + "Concept": "concept",
    SKOS + "ConceptScheme": "scheme",
}
# the predicates a directory is built from (serve fetches only these from its store)
PREDICATES = (
    RDF_TYPE, ALT_LABEL, IN_SCHEME, HAS_MEMBER, ORG_MEMBER, ORG_ORGANIZATION, POSTAL_CODE, AGS,
    KREIS, LAND, RECHTSFORM, HANDLUNGSFELD, EINWOHNER, SCHLUESSEL, GEMEINDEVERBAND, KUERZEL,
    ox.NamedNode(SKOS + "prefLabel"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
    ox.NamedNode("http://purl.org/dc/terms/title"), ox.NamedNode("https://schema.org/name"),
)  # fmt: skip
# kinds as shown, and their order in results
KINDS: dict[str, tuple[str, str]] = {
    "kooperation": ("Kooperation", "cooperation"),
    "gemeindeverband": ("Gemeindeverband", "municipal association"),
    "land": ("Land", "federal state"),
    "kreis": ("Kreis", "district"),
    "kommune": ("Kommune", "municipality"),
    "concept": ("Begriff", "concept"),
    "scheme": ("Begriffsschema", "concept scheme"),
}
KIND_BOOST = {"kooperation": 0.3, "gemeindeverband": 0.15, "land": 0.25, "kreis": 0.1,
              "kommune": 0.1, "concept": 0.05, "scheme": 0.05}  # fmt: skip
SIZES = (("2-5", 2, 5), ("6-10", 6, 10), ("11-25", 11, 25), ("26-100", 26, 100),
         ("100+", 101, 10**9))  # fmt: skip

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> list[str]:
    """Words of a name as search compares them: lower case, ä→ae …, no accents, no punctuation.

    ``search.js`` folds the same way."""
    text = unicodedata.normalize("NFC", text.lower()).translate(_UMLAUTS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return [w for w in _NON_WORD.split(text) if w]


def size_bucket(members: int) -> str:
    for name, low, high in SIZES:
        if low <= members <= high:
            return name
    return "0-1"


@dataclass
class Entry:
    """One findable resource."""

    iri: str
    kind: str
    labels: dict[str, str]
    alt: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # AGS, postcode, Schlüssel: found by number
    kreis: str | None = None
    land: str | None = None
    einwohner: int | None = None
    rechtsform: str | None = None
    handlungsfelder: list[str] = field(default_factory=list)
    members: set[str] = field(default_factory=set)
    scheme: str | None = None

    def label(self, lang: str = "de") -> str:
        other = "en" if lang == "de" else "de"
        return (
            self.labels.get(lang) or self.labels.get("") or self.labels.get(other)
            or self.iri.rsplit("/", 1)[-1]
        )  # fmt: skip

    @property
    def path(self) -> str:
        return self.iri[len(BASE) :]


class Directory:
    """Every findable resource, with lookups by area for the Kreis and Land pages."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = sorted(entries, key=lambda e: (e.label().lower(), e.iri))
        self.by_iri = {e.iri: e for e in self.entries}
        self.kommunen_in: dict[str, list[Entry]] = defaultdict(list)  # Kreis/Land IRI ->
        self.kreise_in: dict[str, list[Entry]] = defaultdict(list)  # Land IRI -> Kreise
        self.coops_in: dict[str, list[Entry]] = defaultdict(list)  # Kreis/Land IRI ->
        for e in self.entries:
            if e.kind == "kommune":
                for area in (e.kreis, e.land):
                    if area:
                        self.kommunen_in[area].append(e)
            elif e.kind == "kreis" and e.land:
                self.kreise_in[e.land].append(e)
        for e in self.entries:
            if e.kind in ("kooperation", "gemeindeverband"):
                for area in self.areas(e):
                    self.coops_in[area].append(e)
        self._tokens: dict[str, list[tuple[int, float]]] | None = None

    # -- facts for pages

    def areas(self, coop: Entry) -> list[str]:
        """The Kreise and Länder a cooperation's members (or, failing those, itself) lie in or
        are."""
        found: set[str] = set()
        for m in coop.members:
            member = self.by_iri.get(m)
            if member is not None:
                found.update(a for a in (member.kreis, member.land) if a)
                if member.kind in ("kreis", "land"):  # a Kreis or Land as a member: its own area
                    found.add(member.iri)
        if not found:
            found.update(a for a in (coop.kreis, coop.land) if a)
        return sorted(found)

    def laender(self, coop: Entry) -> list[str]:
        return [a for a in self.areas(coop) if a.startswith(f"{ID}land/")]

    def cooperations(self, register: bool = False) -> list[Entry]:
        kind = "gemeindeverband" if register else "kooperation"
        return [e for e in self.entries if e.kind == kind]

    def of_kind(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]

    def name(self, iri: str | None, lang: str = "de") -> str:
        if iri is None:
            return ""
        e = self.by_iri.get(iri)
        return e.label(lang) if e else iri.rsplit("/", 1)[-1]

    # -- search

    def _index(self) -> dict[str, list[tuple[int, float]]]:
        """Folded word -> (entry number, weight): label words 1.0, other names 0.9."""
        if self._tokens is None:
            tokens: dict[str, list[tuple[int, float]]] = defaultdict(list)
            for n, e in enumerate(self.entries):
                seen: dict[str, float] = {}
                for weight, names in ((1.0, e.labels.values()), (0.9, e.alt)):
                    for name in names:
                        for w in fold(name):
                            seen[w] = max(seen.get(w, 0.0), weight)
                for w, weight in seen.items():
                    tokens[w].append((n, weight))
            self._tokens = dict(tokens)
        return self._tokens

    def search(self, query: str, kind: str | None = None, limit: int = 50) -> list[Entry]:
        """Entries whose names contain every word of the query (exactly, as a prefix, inside a
        compound, or with one or two typos), or whose key (AGS, postcode) starts with it."""
        words = fold(query)
        if not words:
            return []
        index = self._index()
        vocabulary = list(index)
        scores: dict[int, float] | None = None
        for q in words:
            found: dict[int, float] = {}

            def hit(n: int, score: float, found: dict[int, float] = found) -> None:
                if score > found.get(n, 0.0):
                    found[n] = score

            if q.isdigit():
                for n, e in enumerate(self.entries):
                    for key in e.keys:
                        if key == q:
                            hit(n, 1.0)
                        elif len(q) >= 3 and key.startswith(q):
                            hit(n, 0.8)
            for word, score in _word_matches(q, vocabulary, index):
                for n, weight in index[word]:
                    hit(n, score * weight)
            scores = found if scores is None else {
                n: s + found[n] for n, s in scores.items() if n in found
            }  # fmt: skip
            if not scores:
                return []
        assert scores is not None
        target = " ".join(words)
        ranked = []
        for n, score in scores.items():
            e = self.entries[n]
            if kind and e.kind != kind:
                continue
            names = [fold(name) for name in (*e.labels.values(), *e.alt)]
            if any(" ".join(name) == target for name in names):
                score += 0.5
            score += 0.2 * max(
                (min(len(words) / len(name), 1) for name in names if name), default=0
            )
            score += KIND_BOOST.get(e.kind, 0) + math.log10((e.einwohner or 0) + 1) / 100
            ranked.append((-score, e.label().lower(), n))
        ranked.sort()
        return [self.entries[n] for _, _, n in ranked[:limit]]

    # -- the static site's index

    def search_records(self, lang: str) -> dict[str, Any]:
        """The directory as ``search.js`` reads it: one compact row per entry (kind, label, other
        labels, path, keys, context, population, other names)."""
        kinds = list(KINDS)
        rows = []
        for e in self.entries:
            label = e.label(lang)
            others = [n for n in dict.fromkeys(e.labels.values()) if n != label]
            alt = [n for n in dict.fromkeys(e.alt) if n not in e.labels.values()]
            rows.append([kinds.index(e.kind), label, "|".join(others), e.path, " ".join(e.keys),
                         self.context(e, lang), e.einwohner or 0, "|".join(alt)])  # fmt: skip
        return {"kinds": kinds, "boost": KIND_BOOST, "rows": rows}

    def context(self, e: Entry, lang: str) -> str:
        """A short line that tells same-named results apart."""
        if e.kind == "kommune":
            return " · ".join(x for x in (self.name(e.kreis, lang), self.name(e.land, lang),
                                          e.keys[0] if e.keys else "") if x)  # fmt: skip
        if e.kind == "kreis":
            return self.name(e.land, lang)
        if e.kind in ("kooperation", "gemeindeverband"):
            laender = ", ".join(self.name(a, lang) for a in self.laender(e))
            rf = self.name(e.rechtsform, lang)
            return " · ".join(x for x in (rf, laender) if x)
        if e.kind == "concept":
            return self.name(e.scheme, lang)
        return ""


def _word_matches(
    q: str, vocabulary: Sequence[str], index: dict[str, Any]
) -> list[tuple[str, float]]:
    """Indexed words matching one query word, with how well: exact 1.0, prefix 0.85, inside a
    compound 0.6, one typo 0.7, two typos (long words) 0.55."""
    out: dict[str, float] = {}
    if q in index:
        out[q] = 1.0
    if len(q) >= 2:
        for w in vocabulary:
            if w != q and w.startswith(q):
                out[w] = max(out.get(w, 0.0), 0.85)
            elif len(q) >= 4 and q in w:
                out[w] = max(out.get(w, 0.0), 0.6)
    if len(q) >= 4:
        allowed = 1 if len(q) <= 7 else 2
        for w, distance, _ in extract(
            q, vocabulary, scorer=OSA.distance, score_cutoff=allowed, limit=None
        ):
            if distance > 0:
                out[w] = max(out.get(w, 0.0), 0.7 if distance == 1 else 0.55)
    return list(out.items())


# ---------------------------------------------------------------- building


def _literal(o: Any) -> str | None:
    return o.value if isinstance(o, ox.Literal) else None


def build(view: GraphView) -> Directory:
    """The directory of an indexed graph (the whole published graph, or what serve fetched)."""
    entries: list[Entry] = []
    for s, pos in view.out.items():
        if not isinstance(s, ox.NamedNode) or not s.value.startswith(BASE):
            continue
        kind = None
        for p, o in pos:
            if p == RDF_TYPE and isinstance(o, ox.NamedNode) and o.value in CLASSES:
                kind = CLASSES[o.value]
                if kind == "kooperation":
                    break
        if kind is None or (kind in ("concept", "scheme") and not s.value.startswith(str(VOCAB))):
            continue
        if kind == "kooperation" and "/gemeindeverband-" in s.value:
            kind = "gemeindeverband"
        e = Entry(s.value, kind, view.labels(s))
        for p, o in pos:
            if p == ALT_LABEL and (text := _literal(o)):
                e.alt.append(text)
            elif p in (AGS, POSTAL_CODE, SCHLUESSEL, GEMEINDEVERBAND) and (text := _literal(o)):
                e.keys.append(text)
            elif p == KUERZEL and (text := _literal(o)):
                e.alt.append(text)
            elif p == KREIS and isinstance(o, ox.NamedNode):
                e.kreis = o.value
            elif p == LAND and isinstance(o, ox.NamedNode):
                e.land = o.value
            elif p == EINWOHNER and (text := _literal(o)) and text.isdigit():
                e.einwohner = int(text)
            elif p == RECHTSFORM and isinstance(o, ox.NamedNode):
                e.rechtsform = o.value
            elif p == HANDLUNGSFELD and isinstance(o, ox.NamedNode):
                e.handlungsfelder.append(o.value)
            elif p == HAS_MEMBER and isinstance(o, ox.NamedNode):
                e.members.add(o.value)
            elif p == IN_SCHEME and isinstance(o, ox.NamedNode):
                e.scheme = o.value
        if kind in ("kooperation", "gemeindeverband"):
            for m, p in view.inc.get(s, ()):
                if p == ORG_ORGANIZATION and view.is_a(m, MEMBERSHIP):
                    member = view.value(m, ORG_MEMBER)
                    if isinstance(member, ox.NamedNode):
                        e.members.add(member.value)
        e.alt = list(dict.fromkeys(e.alt))  # a store's union of graphs may repeat a triple
        e.keys = sorted(set(e.keys), key=lambda k: (len(k) != 8, k))  # the AGS first
        entries.append(e)
    return Directory(entries)


_LISTED = ", ".join(f"<{p.value}>" for p in PREDICATES)
QUERY = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(?p IN ({_LISTED})) }}"


def from_triples(triples: Iterable[ox.Triple]) -> Directory:
    """The directory of the triples :data:`QUERY` gives (pyoxigraph terms)."""
    from .lod.graph import GraphView

    return build(GraphView.from_triples(triples, distinct=True))


def fetch(store: Store) -> Directory:
    """The directory of what any store holds, from the few predicates it needs."""
    from .store.oxigraph import to_oxigraph

    return from_triples(
        ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
        for s, p, o in store.construct(QUERY)
    )


__all__ = [
    "KINDS",
    "QUERY",
    "SIZES",
    "Directory",
    "Entry",
    "build",
    "fetch",
    "fold",
    "from_triples",
    "size_bucket",
]
