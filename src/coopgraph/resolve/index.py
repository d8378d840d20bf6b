"""The index of the register's names: every Gemeinde and Kreis under each spelling of its name
(official, bilingual, without qualifier), with umlauts as ae/oe/ue and as a/o/u, built once from
the Turtle of ``data/kommunen`` and cached in the workspace.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rapidfuzz import fuzz, process

from .. import resources
from ..errors import InputError
from .normalise import (
    UMLAUT_E,
    UMLAUT_PLAIN,
    Tokens,
    abbreviations_agree,
    analyse,
    compare_key,
    compatible,
    fold,
    joined,
    split_words,
    tokenize,
)
from .report import EXACT_SCORE, Candidate

# A Gemeinde named by its name without qualifier: "Frankfurt" for "Frankfurt (Oder)",
# "Lahr" for "Lahr/Schwarzwald", "Hagen" for "Hagen im Bremischen".
QUALIFIER_DROPPED_SCORE = 95.0
FUZZY_FLOOR = 50.0  # below this a name is not even suggested

COOP = "https://w3id.org/coopgraph/def#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


class NameIndex:
    """Names (token tuples) → entries with a score; abbreviations match the words they shorten."""

    def __init__(self) -> None:
        self.exact: dict[str, dict[int, float]] = {}
        self.by_length: dict[int, list[tuple[Tokens, int, float]]] = {}
        self.abbreviated: dict[int, list[tuple[Tokens, int, float]]] = {}
        self.choices: list[str] = []
        self.choice_entries: list[int] = []
        self.choice_scores: list[float] = []
        self.choice_tokens: list[Tokens] = []
        self._positions: dict[tuple[str, int], int] = {}

    def add(self, tokens: Tokens, entry: int, score: float) -> None:
        if not tokens:
            return
        key = joined(tokens)
        slot = self.exact.setdefault(key, {})
        slot[entry] = max(slot.get(entry, 0.0), score)
        pos = self._positions.get((key, entry))
        if pos is None:
            self._positions[(key, entry)] = len(self.choices)
            self.choices.append(key)
            self.choice_entries.append(entry)
            self.choice_scores.append(score)
            self.choice_tokens.append(tokens)
        else:
            self.choice_scores[pos] = max(self.choice_scores[pos], score)
        self.by_length.setdefault(len(tokens), []).append((tokens, entry, score))
        if any(t.endswith(".") for t in tokens):
            self.abbreviated.setdefault(len(tokens), []).append((tokens, entry, score))

    def lookup(self, tokens: Tokens) -> dict[int, float]:
        """Entries whose name equals these tokens; failing that, up to abbreviations."""
        if not tokens:
            return {}
        found = dict(self.exact.get(joined(tokens), {}))
        if found:
            return found
        query_abbreviated = any(t.endswith(".") for t in tokens)
        pool = (self.by_length if query_abbreviated else self.abbreviated).get(len(tokens), [])
        for name, entry, score in pool:
            if compatible(tokens[0], name[0], first=True) and all(
                compatible(a, b) for a, b in zip(tokens[1:], name[1:], strict=True)
            ):
                found[entry] = max(found.get(entry, 0.0), score)
        return found

    def fuzzy(
        self, tokens: Tokens, allowed: frozenset[int] | None, limit: int = 60
    ) -> dict[int, tuple[float, str, bool]]:
        """Per entry: best ratio (times the name's score), the name matched, and whether the
        two differ only in full words (``abbreviations_agree``)."""
        query = joined(tokens)
        if not query:
            return {}
        if allowed is None:
            positions = list(range(len(self.choices)))
        else:
            positions = [i for i, e in enumerate(self.choice_entries) if e in allowed]
        choices = [self.choices[i] for i in positions]
        best: dict[int, tuple[float, str, bool]] = {}
        hits = process.extract(
            query, choices, scorer=fuzz.ratio, limit=limit, score_cutoff=FUZZY_FLOOR
        )
        for choice, ratio, pos in hits:
            i = positions[pos]
            entry = self.choice_entries[i]
            score = round(ratio * self.choice_scores[i] / EXACT_SCORE, 1)
            if score > best.get(entry, (-1.0, "", False))[0]:
                agree = abbreviations_agree(tokens, self.choice_tokens[i])
                best[entry] = (score, choice, agree)
        return best


@dataclass(frozen=True)
class Kreis:
    key: str
    label: str
    official: str
    typ: str
    land_key: str


@dataclass
class Index:
    gemeinden: list[Candidate]
    names: NameIndex  # umlauts as ae/oe/ue
    names_plain: NameIndex  # umlauts as a/o/u ("Koln", "Dusseldorf")
    by_land: dict[str, frozenset[int]]
    by_kreis: dict[str, frozenset[int]]
    kreise: dict[str, Kreis]
    kreis_names: NameIndex
    kreis_names_plain: NameIndex
    officials: dict[str, frozenset[int]]  # official name with its designation ("Hamm, Stadt")
    laender: dict[str, tuple[str, str]]  # land key → (name, ISO code)
    land_keys: dict[str, str]  # folded name, code or key → land key


_WANTED = frozenset(
    ox.NamedNode(iri)
    for iri in (
        RDF_TYPE,
        RDFS_LABEL,
        COOP + "ags",
        COOP + "amtlicherName",
        COOP + "kreis",
        COOP + "land",
        COOP + "schluessel",
        COOP + "kuerzel",
        COOP + "kreistyp",
    )
)

_PREFIXES = f"PREFIX coop: <{COOP}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
_Q_GEMEINDEN = (
    _PREFIXES
    + """SELECT ?g ?ags ?label ?official ?kreis ?land WHERE {
  ?g a coop:Kommune ; coop:ags ?ags ; rdfs:label ?label ; coop:kreis ?kreis ; coop:land ?land .
  OPTIONAL { ?g coop:amtlicherName ?official }
}"""
)
_Q_KREISE = (
    _PREFIXES
    + """SELECT ?kreis ?key ?label ?official ?typ ?land WHERE {
  ?kreis a coop:Kreis ; coop:schluessel ?key ; rdfs:label ?label ; coop:land ?land .
  OPTIONAL { ?kreis coop:amtlicherName ?official }
  OPTIONAL { ?kreis coop:kreistyp ?typ }
}"""
)
_Q_LAENDER = (
    _PREFIXES
    + """SELECT ?land ?key ?label ?code WHERE {
  ?land a coop:Land ; coop:schluessel ?key ; rdfs:label ?label ; coop:kuerzel ?code .
}"""
)


def _gemeinde_forms(label: str, official: str) -> tuple[set[str], set[str]]:
    """Full spellings of a Gemeinde's name, and spellings with the qualifier dropped."""
    full = {label, official.split(",")[0].strip()}
    for form in list(full):
        if " / " in form:  # bilingual: "Bautzen / Budyšin"
            full.update(part.strip() for part in form.split(" / "))
    reduced = set()
    for form in full:
        base = re.sub(r"\([^)]*\)", " ", form).split("/")[0].strip()
        reduced.add(base)
    return full, reduced - full


def _add_forms(
    index: NameIndex, table: dict[int, str], entry: int, full: set[str], reduced: set[str]
) -> None:
    """Index a name's spellings; the plain-umlaut index only takes those with umlauts."""
    plain = table is UMLAUT_PLAIN
    for form in sorted(full):
        if plain and fold(form, table) == fold(form, UMLAUT_E):
            continue
        tokens, base = analyse(form, table)
        index.add(tokens, entry, EXACT_SCORE)
        if base:
            index.add(base, entry, QUALIFIER_DROPPED_SCORE)
    for form in sorted(reduced):
        if plain and fold(form, table) == fold(form, UMLAUT_E):
            continue
        tokens, base = analyse(form, table)
        index.add(tokens, entry, QUALIFIER_DROPPED_SCORE)
        if base:
            index.add(base, entry, QUALIFIER_DROPPED_SCORE)


def _kreis_forms(label: str, official: str) -> tuple[set[str], set[str]]:
    full = {label, official.split(",")[0].strip()}
    reduced = set()
    for form in full:
        words = form.split()
        if len(words) > 1 and compare_key(words[0]) in (
            "landkreis",
            "kreis",
            "regionalverband",
            "region",
            "staedteregion",
        ):
            reduced.add(" ".join(words[1:]))
        stripped = re.sub(r"[- ]Kreis$", "", form).strip()  # "Rhein-Sieg-Kreis" → "Rhein-Sieg"
        if stripped:
            reduced.add(stripped)
        reduced.add(re.sub(r"\([^)]*\)", " ", form).strip())
    return full, reduced - full


# The register's short designations after the comma ("Senden, St", "Prien a.Chiemsee, M").
_SHORT_DESIGNATIONS = {"St": "Stadt", "M": "Markt", "GKSt": "Große Kreisstadt"}


def official_key(official: str) -> str:
    """The official name with its designation spelt out: "Senden, St" → "senden stadt"."""
    head, *designations = (part.strip() for part in official.split(","))
    spelt = [_SHORT_DESIGNATIONS.get(d, d) for d in designations]
    return joined(tokenize(" ".join([head, *spelt])))


def _load_store(directory: Path) -> ox.Store:
    """The register triples the index needs (names, keys, links), read from the Turtle."""
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise InputError(f"no municipality data in {directory}", file=directory)
    store = ox.Store()
    for path in files:
        quads = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        store.extend(q for q in quads if q.predicate in _WANTED)
    return store


def _select(store: ox.Store, query: str) -> list[ox.QuerySolution]:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _value(term: object) -> str:
    return term.value if isinstance(term, (ox.Literal, ox.NamedNode)) else ""


def build_index(directory: Path) -> Index:
    store = _load_store(directory)
    laender: dict[str, tuple[str, str]] = {}
    land_of_iri: dict[str, str] = {}
    for row in _select(store, _Q_LAENDER):
        key = _value(row["key"])
        laender[key] = (_value(row["label"]), _value(row["code"]))
        land_of_iri[_value(row["land"])] = key
    land_keys: dict[str, str] = {}
    for key, (name, code) in laender.items():
        land_keys[key] = key
        land_keys[str(int(key))] = key
        land_keys[code.lower()] = key
        land_keys[compare_key(name)] = key
        land_keys[" ".join(w for w, _ in split_words(name, UMLAUT_PLAIN))] = key
    for alias, code in (("nrw", "NW"), ("rlp", "RP"), ("bawue", "BW"), ("nds", "NI")):
        land_keys.setdefault(alias, next(k for k, (_, c) in laender.items() if c == code))

    kreise: dict[str, Kreis] = {}
    kreis_of_iri: dict[str, str] = {}
    for row in _select(store, _Q_KREISE):
        key = _value(row["key"])
        label = _value(row["label"])
        typ = _value(row["typ"]).rsplit("/", 1)[-1]
        official = _value(row["official"]) or label
        kreise[key] = Kreis(key, label, official, typ, land_of_iri[_value(row["land"])])
        kreis_of_iri[_value(row["kreis"])] = key
    kreis_names, kreis_names_plain = NameIndex(), NameIndex()
    kreis_order = sorted(kreise)
    for i, key in enumerate(kreis_order):
        full, reduced = _kreis_forms(kreise[key].label, kreise[key].official)
        _add_forms(kreis_names, UMLAUT_E, i, full, reduced)
        _add_forms(kreis_names_plain, UMLAUT_PLAIN, i, full, reduced)

    rows = []
    for row in _select(store, _Q_GEMEINDEN):
        kreis = kreise[kreis_of_iri[_value(row["kreis"])]]
        land_key = land_of_iri[_value(row["land"])]
        label = _value(row["label"])
        rows.append(
            Candidate(
                ags=_value(row["ags"]),
                name=label,
                official_name=_value(row["official"]) or label,
                kreis=kreis.label,
                kreis_key=kreis.key,
                land=laender[land_key][0],
                land_key=land_key,
                land_code=laender[land_key][1],
                iri=_value(row["g"]),
                score=EXACT_SCORE,
            )
        )
    rows.sort(key=lambda c: c.ags)
    names, names_plain = NameIndex(), NameIndex()
    by_land: dict[str, set[int]] = {}
    by_kreis: dict[str, set[int]] = {}
    officials: dict[str, set[int]] = {}
    for i, c in enumerate(rows):
        if "," in c.official_name:
            officials.setdefault(official_key(c.official_name), set()).add(i)
        full, reduced = _gemeinde_forms(c.name, c.official_name)
        _add_forms(names, UMLAUT_E, i, full, reduced)
        _add_forms(names_plain, UMLAUT_PLAIN, i, full, reduced)
        by_land.setdefault(c.land_key, set()).add(i)
        by_kreis.setdefault(c.kreis_key, set()).add(i)
    return Index(
        gemeinden=rows,
        names=names,
        names_plain=names_plain,
        by_land={k: frozenset(v) for k, v in by_land.items()},
        by_kreis={k: frozenset(v) for k, v in by_kreis.items()},
        kreise={key: kreise[key] for key in kreis_order},
        kreis_names=kreis_names,
        kreis_names_plain=kreis_names_plain,
        officials={k: frozenset(v) for k, v in officials.items()},
        laender=laender,
        land_keys=land_keys,
    )


def _code_stamp() -> list[tuple[str, int]]:
    """The modules that shape the index (names, sizes, times): a change to any rebuilds it."""
    return [
        (p.name, p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(Path(__file__).parent.glob("*.py"))
    ]


@functools.lru_cache(maxsize=4)
def load_index(directory: Path) -> Index:
    """The index of a register folder, from the workspace's cache when the folder is unchanged
    (its files' names, sizes and times, and this package's modules, are the key), else built
    and cached."""
    from ..workspace import current

    files = sorted(directory.glob("*.ttl"))
    stamp = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    key = hashlib.sha256(
        repr((str(directory.resolve()), stamp, _code_stamp())).encode()
    ).hexdigest()
    cache = current().cache_dir() / "resolve-index.pickle"
    try:
        with open(cache, "rb") as fh:
            cached_key, index = pickle.load(fh)
        if cached_key == key and isinstance(index, Index):
            return index
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError, TypeError):
        pass
    index = build_index(directory)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}")
        with open(tmp, "wb") as fh:
            pickle.dump((key, index), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only place: the index is simply built again next time
    return index


def current_index() -> Index:
    """The index over the workspace's register (or the bundled one), built once and cached."""
    from ..workspace import package_dir

    kommunen = resources.data_dir() / "kommunen"
    if not kommunen.is_dir():
        kommunen = package_dir("data") / "kommunen"
    return load_index(kommunen)
