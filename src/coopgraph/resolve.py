"""Resolve a municipality name as written in the wild to its AGS, official name, Kreis and Land.

Names are compared token by token after folding case, umlauts (ä → ae), ß (→ ss), punctuation,
the register's abbreviations ("a.d.", "St.", "b.", "i.d.OPf.") and designations ("Stadt …",
"…, Hansestadt"). Exact matches win; only when there is none, a fuzzy match is accepted if it is
close (``FUZZY_ACCEPT``) and clearly ahead of the next (``FUZZY_MARGIN``). A name that several
Gemeinden bear is reported as ambiguous with every candidate, never guessed.

The index is built once per process from the bundled Turtle (``data/kommunen``).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import pickle
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rapidfuzz import fuzz, process

from . import resources
from .errors import InputError, NoUniqueAnswer, printable

__all__ = [
    "Candidate",
    "KreisMatch",
    "Resolution",
    "gemeinde_by_ags",
    "kreis_by_key",
    "land_codes",
    "resolve",
    "resolve_kreis",
    "resolve_unique",
]

UNIQUE = "unique"
AMBIGUOUS = "ambiguous"
NOT_FOUND = "not_found"

EXACT_SCORE = 100.0
# A Gemeinde named by its name without qualifier: "Frankfurt" for "Frankfurt (Oder)",
# "Lahr" for "Lahr/Schwarzwald", "Hagen" for "Hagen im Bremischen".
QUALIFIER_DROPPED_SCORE = 95.0
FUZZY_ACCEPT = 90.0  # a fuzzy match is taken only from this score (rapidfuzz ratio, 0..100) …
FUZZY_MARGIN = 5.0  # … and only when the next Gemeinde scores at least this much less
FUZZY_FLOOR = 50.0  # below this a name is not even suggested
MAX_SUGGESTIONS = 5

COOP = "https://w3id.org/coopgraph/def#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

# ----------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Candidate:
    """A Gemeinde a name may refer to, with how well the name matched it (score 0..100)."""

    ags: str
    name: str
    official_name: str
    kreis: str
    kreis_key: str
    land: str
    land_key: str
    land_code: str
    iri: str
    score: float

    def as_dict(self) -> dict[str, object]:
        """The fields as a plain dict (for JSON)."""
        return dataclasses.asdict(self)

    def one_line(self) -> str:
        """AGS, name, Kreis and Land on one line (for messages)."""
        return _one_line(self)


@dataclass(frozen=True)
class Resolution:
    """The answer for one name: unique (``match``), ambiguous or not found (``candidates``).

    ``candidates`` holds the match when unique, every candidate when ambiguous and the closest
    names (up to five) when not found.
    """

    query: str
    status: str
    match: Candidate | None
    candidates: tuple[Candidate, ...]

    def as_dict(self) -> dict[str, object]:
        """Query, status, match and candidates as plain data."""
        return {
            "query": self.query,
            "status": self.status,
            "match": self.match.as_dict() if self.match else None,
            "candidates": [c.as_dict() for c in self.candidates],
        }

    def to_json(self) -> str:
        """The resolution as JSON (UTF-8 characters kept as they are)."""
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2) + "\n"

    def to_text(self, lang: str = "en") -> str:
        """A human-readable account in German (``de``) or English; ends with a newline."""
        de = lang == "de"
        query = printable(self.query)  # a name given on the command line, echoed to a terminal
        if self.status == UNIQUE and self.match is not None:
            return _unique_text(query, self.match, de)
        if self.status == AMBIGUOUS:
            head = (
                f'"{query}" ist mehrdeutig: {len(self.candidates)} Gemeinden kommen in Frage. '
                "Land oder Kreis angeben, um eine zu wählen:"
                if de
                else f'"{query}" is ambiguous: {len(self.candidates)} municipalities match. '
                "Give a Land or Kreis to choose one:"
            )
            return head + "\n" + _table(self.candidates)
        if not self.candidates:
            return (
                f'Keine Gemeinde namens "{query}" gefunden, auch keine ähnlich lautende.\n'
                if de
                else f'No municipality named "{query}", nor any with a similar name.\n'
            )
        head = (
            f'Keine Gemeinde namens "{query}" gefunden. Ähnliche Namen:'
            if de
            else f'No municipality named "{query}". Closest names:'
        )
        return head + "\n" + _table(self.candidates, scores=True)


def _unique_text(query: str, c: Candidate, de: bool) -> str:
    if c.score >= EXACT_SCORE:
        how = "exakt" if de else "exact"
    elif de:
        how = f"ungefähr (Ähnlichkeit {c.score:.0f} von 100)"
    else:
        how = f"approximate (score {c.score:.0f} of 100)"
    rows = [
        ("amtlicher Name" if de else "official name", c.official_name),
        ("Kreis", f"{c.kreis} ({c.kreis_key})"),
        ("Land", f"{c.land} ({c.land_code}, {c.land_key})"),
        ("Treffer" if de else "match", f'{how} für "{query}"' if de else f'{how} for "{query}"'),
    ]
    width = max(len(k) for k, _ in rows) + 1
    lines = [f"{c.name} (AGS {c.ags})"] + [f"  {k + ':':<{width}} {v}" for k, v in rows]
    return "\n".join(lines) + "\n"


def _table(candidates: Sequence[Candidate], *, scores: bool = False) -> str:
    rows = [("AGS", "Name", "Kreis", "Land", "Score" if scores else "")]
    for c in candidates:
        land = f"{c.land} ({c.land_code})"
        rows.append((c.ags, c.name, f"{c.kreis} ({c.kreis_key})", land, f"{c.score:.0f}"))
    widths = [max(len(row[col]) for row in rows) for col in range(4)]
    lines = []
    for row in rows:
        cells = [row[col].ljust(widths[col]) for col in range(4)]
        if scores:
            cells.append(row[4].rjust(5))
        lines.append(("  " + "  ".join(cells)).rstrip())
    return "\n".join(lines) + "\n"


def _one_line(c: Candidate) -> str:
    return f"{c.ags} {c.name} (Kreis {c.kreis_key} {c.kreis}, {c.land})"


# ----------------------------------------------------------------------------- folding

_UMLAUT_E = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS"}
)
_UMLAUT_PLAIN = str.maketrans(
    {"ä": "a", "ö": "o", "ü": "u", "Ä": "A", "Ö": "O", "Ü": "U", "ß": "ss", "ẞ": "SS"}
)
# Letters NFKD does not take apart (Sorbian and Polish names in the register).
_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D"})
_WORD = re.compile(r"([A-Za-z0-9]+)(\.?)")

# Words that only join a name to its qualifier: dropped so that "a. d.", "an der", "am", "a."
# and "/" all compare equal ("Frankfurt a. M." = "Frankfurt/Main" = "Frankfurt am Main").
_JOINERS = frozenset({"a", "am", "an", "auf", "d", "der", "dem", "den", "i", "im", "in"})
# Words kept in one spelling: "St." and "Sankt", "b." and "bei", "v." and "vor".
_CANONICAL = {
    "st": "sankt",
    "skt": "sankt",
    "sankt": "sankt",
    "b": "bei",
    "bei": "bei",
    "beim": "bei",
    "v": "vor",
    "vor": "vor",
}
# Where a name's qualifier begins ("Hagen | im Bremischen", "Neukirchen | b.Hl.Blut").
_PREPOSITIONS = frozenset(
    {"a", "am", "an", "auf", "i", "im", "in", "b", "bei", "beim", "v", "vor", "ob", "unter"}
)

# Designations written before a name ("Stadt Münster", "Landeshauptstadt München").
_DESIGNATIONS = frozenset(
    {
        "stadt",
        "gemeinde",
        "ortsgemeinde",
        "einheitsgemeinde",
        "markt",
        "marktgemeinde",
        "marktflecken",
        "flecken",
        "hansestadt",
        "landeshauptstadt",
        "universitaetsstadt",
        "hochschulstadt",
        "wissenschaftsstadt",
        "lutherstadt",
        "kreisstadt",
        "grosse kreisstadt",
        "kreisfreie stadt",
        "kreisangehoerige stadt",
        "kreisangehoerige gemeinde",
        "freie und hansestadt",
        "freie hansestadt",
        "hanse und universitaetsstadt",
        "universitaets und hansestadt",
        "kurort",
        "seebad",
        "ostseebad",
        "nordseebad",
        "ostseeheilbad",
    }
)

Tokens = tuple[str, ...]


def _fold(text: str, table: dict[int, str]) -> str:
    text = unicodedata.normalize("NFC", text).translate(table).translate(_LETTERS)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _words(text: str, table: dict[int, str]) -> list[tuple[str, bool]]:
    """Lower-case words, each flagged when abbreviated ("Westf.", or "OB" in mixed case)."""
    folded = _fold(text, table)
    mixed_case = folded != folded.upper()
    words = []
    for m in _WORD.finditer(folded):
        word, dot = m.group(1), m.group(2)
        caps = mixed_case and word.isalpha() and word.isupper() and len(word) <= 3
        words.append((word.lower(), bool(dot) or caps))
    return words


def _merge_initials(tokens: list[str]) -> Tokens:
    """Join runs of one-letter abbreviations: "O." "L." → "ol." (Oberlausitz)."""
    out: list[str] = []
    run = False
    for tok in tokens:
        initial = len(tok) == 2 and tok.endswith(".")
        if initial and run:
            out[-1] = out[-1][:-1] + tok
        else:
            out.append(tok)
        run = initial
    return tuple(out)


def _analyse(text: str, table: dict[int, str] = _UMLAUT_E) -> tuple[Tokens, Tokens | None]:
    """The name's tokens, and the tokens before its qualifier ("am Main", "b. Kirn") if any."""
    tokens: list[str] = []
    cut: int | None = None
    words = _words(text, table)
    for i, (word, abbrev) in enumerate(words):
        if word == "o" and abbrev and i + 1 < len(words) and words[i + 1][0] in ("d", "der"):
            word, abbrev = "ob", False  # "Rothenburg o. d. T." = "Rothenburg ob der Tauber"
        if i > 0 and cut is None and word in _PREPOSITIONS:
            cut = len(tokens)
        if word in _JOINERS:
            continue
        if word in _CANONICAL:
            tokens.append(_CANONICAL[word])
        else:
            tokens.append(word + "." if abbrev else word)
    base = _merge_initials(tokens[:cut]) if cut else None
    return _merge_initials(tokens), base


def _tokens(text: str, table: dict[int, str] = _UMLAUT_E) -> Tokens:
    return _analyse(text, table)[0]


def _plain(tokens: Tokens) -> str:
    return " ".join(t.rstrip(".") for t in tokens)


def _key(text: str) -> str:
    """A folded comparison key for short values (Land names, qualifiers)."""
    return " ".join(w for w, _ in _words(text, _UMLAUT_E))


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _compatible(a: str, b: str, *, first: bool = False) -> bool:
    """Equal tokens, or an abbreviation and a word it may shorten ("opf." ~ "oberpfalz").

    A name's first word is only taken as abbreviated with three letters or more ("Hann.").
    """
    if a == b:
        return True
    short_a, short_b = a.endswith("."), b.endswith(".")
    if not (short_a or short_b):
        return False
    a, b = a.rstrip("."), b.rstrip(".")
    if not a or not b or a[0] != b[0] or (first and min(len(a), len(b)) < 3):
        return False
    if short_a and short_b:
        return _is_subsequence(a, b) or _is_subsequence(b, a)
    if short_a:
        return len(a) <= len(b) and _is_subsequence(a, b)
    return len(b) <= len(a) and _is_subsequence(b, a)


def _abbreviations_agree(query: Tokens, name: Tokens) -> bool:
    """Fuzzy matching forgives typos in words, not different abbreviations ("o.T." ≠ "O.L.")."""
    if not any(t.endswith(".") for t in query + name):
        return True
    return len(query) == len(name) and all(
        _compatible(a, b)
        for a, b in zip(query, name, strict=True)
        if a.endswith(".") or b.endswith(".")
    )


def _strip_designation(text: str) -> str:
    """The name without designations in front ("Kreisfreie Stadt Münster" → "Münster")."""
    words = text.split()
    changed = True
    while changed and len(words) > 1:
        changed = False
        for n in (4, 3, 2, 1):
            if n < len(words) and _key(" ".join(words[:n])) in _DESIGNATIONS:
                words = words[n:]
                changed = True
                break
    return " ".join(words)


# ----------------------------------------------------------------------------- index


class _NameIndex:
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
        key = _plain(tokens)
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
        found = dict(self.exact.get(_plain(tokens), {}))
        if found:
            return found
        query_abbreviated = any(t.endswith(".") for t in tokens)
        pool = (self.by_length if query_abbreviated else self.abbreviated).get(len(tokens), [])
        for name, entry, score in pool:
            if _compatible(tokens[0], name[0], first=True) and all(
                _compatible(a, b) for a, b in zip(tokens[1:], name[1:], strict=True)
            ):
                found[entry] = max(found.get(entry, 0.0), score)
        return found

    def fuzzy(
        self, tokens: Tokens, allowed: frozenset[int] | None, limit: int = 60
    ) -> dict[int, tuple[float, str, bool]]:
        """Per entry: best ratio (times the name's score), the name matched, and whether the
        two differ only in full words (``_abbreviations_agree``)."""
        query = _plain(tokens)
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
                agree = _abbreviations_agree(tokens, self.choice_tokens[i])
                best[entry] = (score, choice, agree)
        return best


@dataclass(frozen=True)
class _Kreis:
    key: str
    label: str
    official: str
    typ: str
    land_key: str


@dataclass
class _Index:
    gemeinden: list[Candidate]
    names: _NameIndex  # umlauts as ae/oe/ue
    names_plain: _NameIndex  # umlauts as a/o/u ("Koln", "Dusseldorf")
    by_land: dict[str, frozenset[int]]
    by_kreis: dict[str, frozenset[int]]
    kreise: dict[str, _Kreis]
    kreis_names: _NameIndex
    kreis_names_plain: _NameIndex
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

# Regional qualifiers in names and sources ("Münster (Westf.)", "Wildeshausen (Oldb)") → Länder.
_REGIONS: dict[str, tuple[str, ...]] = {
    "westf": ("05",),
    "westfalen": ("05",),
    "westfl": ("05",),
    "nrw": ("05",),
    "sauerland": ("05",),
    "muensterland": ("05",),
    "niederrhein": ("05",),
    "rhld": ("05", "07"),
    "rheinland": ("05", "07"),
    "eifel": ("05", "07"),
    "oldb": ("03",),
    "oldbg": ("03",),
    "oldenburg": ("03",),
    "hann": ("03",),
    "nds": ("03",),
    "ostfriesland": ("03",),
    "harz": ("03", "15"),
    "bay": ("09",),
    "opf": ("09",),
    "oberpfalz": ("09",),
    "ob": ("09",),
    "obb": ("09",),
    "oberbayern": ("09",),
    "nb": ("09",),
    "ndb": ("09",),
    "niederbayern": ("09",),
    "ofr": ("09",),
    "oberfranken": ("09",),
    "mfr": ("09",),
    "mittelfranken": ("09",),
    "ufr": ("09",),
    "unterfranken": ("09",),
    "schw": ("09",),
    "schwaben": ("09",),
    "allgaeu": ("09",),
    "wuertt": ("08",),
    "wuerttemberg": ("08",),
    "baden": ("08",),
    "schwarzwald": ("08",),
    "breisgau": ("08",),
    "hess": ("06",),
    "taunus": ("06",),
    "wetterau": ("06",),
    "odw": ("06", "08", "09"),
    "odenwald": ("06", "08", "09"),
    "rlp": ("07",),
    "pfalz": ("07",),
    "rheinhessen": ("07",),
    "hunsrueck": ("07",),
    "mosel": ("07",),
    "westerwald": ("07", "06"),
    "saar": ("10",),
    "sa": ("14",),
    "sachs": ("14",),
    "erzgeb": ("14",),
    "erzgebirge": ("14",),
    "vogtl": ("14", "16"),
    "vogtland": ("14", "16"),
    "ol": ("14",),
    "oberlausitz": ("14",),
    "lausitz": ("14", "12"),
    "thuer": ("16",),
    "thur": ("16",),
    "holst": ("01",),
    "holstein": ("01",),
    "meckl": ("13",),
    "mecklenburg": ("13",),
    "vorpommern": ("13",),
    "ruegen": ("13",),
    "mark": ("12",),
    "spreewald": ("12",),
    "uckermark": ("12",),
    "prignitz": ("12",),
    "niederlausitz": ("12",),
    "anhalt": ("15",),
    "altmark": ("15",),
}

# Words before a Kreis name that say which kind of Kreis is meant.
_KREIS_WORDS = ("landkreis", "kreis", "lkr", "lk", "kr")
_CITY_WORDS = ("kreisfreie stadt", "stadtkreis", "stadt")
_KREIS_TYPES = frozenset({"kreis", "landkreis"})
_CITY_TYPES = frozenset({"kreisfreie-stadt", "stadtkreis"})


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
    index: _NameIndex, table: dict[int, str], entry: int, full: set[str], reduced: set[str]
) -> None:
    """Index a name's spellings; the plain-umlaut index only takes those with umlauts."""
    plain = table is _UMLAUT_PLAIN
    for form in sorted(full):
        if plain and _fold(form, table) == _fold(form, _UMLAUT_E):
            continue
        tokens, base = _analyse(form, table)
        index.add(tokens, entry, EXACT_SCORE)
        if base:
            index.add(base, entry, QUALIFIER_DROPPED_SCORE)
    for form in sorted(reduced):
        if plain and _fold(form, table) == _fold(form, _UMLAUT_E):
            continue
        tokens, base = _analyse(form, table)
        index.add(tokens, entry, QUALIFIER_DROPPED_SCORE)
        if base:
            index.add(base, entry, QUALIFIER_DROPPED_SCORE)


def _kreis_forms(label: str, official: str) -> tuple[set[str], set[str]]:
    full = {label, official.split(",")[0].strip()}
    reduced = set()
    for form in full:
        words = form.split()
        if len(words) > 1 and _key(words[0]) in (
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


def _official_key(official: str) -> str:
    """The official name with its designation spelt out: "Senden, St" → "senden stadt"."""
    head, *designations = (part.strip() for part in official.split(","))
    spelt = [_SHORT_DESIGNATIONS.get(d, d) for d in designations]
    return _plain(_tokens(" ".join([head, *spelt])))


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


def _build_index(directory: Path) -> _Index:
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
        land_keys[_key(name)] = key
        land_keys[" ".join(w for w, _ in _words(name, _UMLAUT_PLAIN))] = key
    for alias, code in (("nrw", "NW"), ("rlp", "RP"), ("bawue", "BW"), ("nds", "NI")):
        land_keys.setdefault(alias, next(k for k, (_, c) in laender.items() if c == code))

    kreise: dict[str, _Kreis] = {}
    kreis_of_iri: dict[str, str] = {}
    for row in _select(store, _Q_KREISE):
        key = _value(row["key"])
        label = _value(row["label"])
        typ = _value(row["typ"]).rsplit("/", 1)[-1]
        official = _value(row["official"]) or label
        kreise[key] = _Kreis(key, label, official, typ, land_of_iri[_value(row["land"])])
        kreis_of_iri[_value(row["kreis"])] = key
    kreis_names, kreis_names_plain = _NameIndex(), _NameIndex()
    kreis_order = sorted(kreise)
    for i, key in enumerate(kreis_order):
        full, reduced = _kreis_forms(kreise[key].label, kreise[key].official)
        _add_forms(kreis_names, _UMLAUT_E, i, full, reduced)
        _add_forms(kreis_names_plain, _UMLAUT_PLAIN, i, full, reduced)

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
    names, names_plain = _NameIndex(), _NameIndex()
    by_land: dict[str, set[int]] = {}
    by_kreis: dict[str, set[int]] = {}
    officials: dict[str, set[int]] = {}
    for i, c in enumerate(rows):
        if "," in c.official_name:
            officials.setdefault(_official_key(c.official_name), set()).add(i)
        full, reduced = _gemeinde_forms(c.name, c.official_name)
        _add_forms(names, _UMLAUT_E, i, full, reduced)
        _add_forms(names_plain, _UMLAUT_PLAIN, i, full, reduced)
        by_land.setdefault(c.land_key, set()).add(i)
        by_kreis.setdefault(c.kreis_key, set()).add(i)
    return _Index(
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


@functools.lru_cache(maxsize=4)
def _load_index(directory: Path) -> _Index:
    """The index of a register folder, from the workspace's cache when the folder is unchanged
    (its files' names, sizes and times, and this module, are the key), else built and cached."""
    from .workspace import current

    files = sorted(directory.glob("*.ttl"))
    stamp = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    key = hashlib.sha256(
        repr((str(directory.resolve()), stamp, Path(__file__).stat().st_mtime_ns)).encode()
    ).hexdigest()
    cache = current().cache_dir() / "resolve-index.pickle"
    try:
        with open(cache, "rb") as fh:
            cached_key, index = pickle.load(fh)
        if cached_key == key and isinstance(index, _Index):
            return index
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError, TypeError):
        pass
    index = _build_index(directory)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}")
        with open(tmp, "wb") as fh:
            pickle.dump((key, index), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only place: the index is simply built again next time
    return index


def _index() -> _Index:
    """The index over the workspace's register (or the bundled one), built once and cached."""
    from .workspace import package_dir

    kommunen = resources.data_dir() / "kommunen"
    if not kommunen.is_dir():
        kommunen = package_dir("data") / "kommunen"
    return _load_index(kommunen)


# ----------------------------------------------------------------------------- Land, Kreis


_LAND_WORDS = ("land ", "freistaat ", "freie und hansestadt ", "freie hansestadt ")


def _land_key(index: _Index, value: str) -> str | None:
    """The Land key for an ISO code, key or name ("NW", "05", "Freistaat Bayern"), else None."""
    text = value.strip()
    key = _key(text)
    for word in _LAND_WORDS:
        if key.startswith(word):
            key = key[len(word) :]
    return index.land_keys.get(text) or index.land_keys.get(key)


def _kreis_keys(index: _Index, value: str) -> list[str]:
    """Kreis keys a Kreis key or name denotes (several when the name is shared, like "München")."""
    text = " ".join(value.split())
    if re.fullmatch(r"\d{5}", text):
        return [text] if text in index.kreise else []
    head, _, tail = text.partition(",")
    head = head.strip()
    prefer: frozenset[str] | None = _CITY_TYPES if "stadt" in _key(tail).split() else None
    readings = [head]
    words = head.split()
    for group, types in ((_CITY_WORDS, _CITY_TYPES), (_KREIS_WORDS, _KREIS_TYPES)):
        n = next((n for n in (2, 1) if len(words) > n and _key(" ".join(words[:n])) in group), 0)
        if n:
            readings.append(" ".join(words[n:]))
            prefer = types
            break
    order = list(index.kreise)
    for reading in readings:
        for names, table in (
            (index.kreis_names, _UMLAUT_E),
            (index.kreis_names_plain, _UMLAUT_PLAIN),
        ):
            found = names.lookup(_tokens(reading, table))
            if found:
                keys = [order[i] for i in sorted(found)]
                preferred = [k for k in keys if prefer and index.kreise[k].typ in prefer]
                return preferred or keys
    return []


def _hint_filter(index: _Index, text: str) -> frozenset[int] | None:
    """The Gemeinden a qualifier ("Westf.", "Saale", "Kreis Coesfeld") allows; None if unknown."""
    land = _land_key(index, text)
    if land is not None:
        return index.by_land.get(land, frozenset())
    regions = _REGIONS.get(_key(text).replace(" ", ""))
    if regions:
        return frozenset().union(*(index.by_land.get(k, frozenset()) for k in regions))
    keys = _kreis_keys(index, text)
    if keys:
        return frozenset().union(*(index.by_kreis.get(k, frozenset()) for k in keys))
    return None


def _allowed(index: _Index, land: str | None, kreis: str | None) -> frozenset[int] | None:
    """The Gemeinden the ``land`` and ``kreis`` options allow (None: no restriction)."""
    allowed: frozenset[int] | None = None
    land_key: str | None = None
    if land is not None:
        land_key = _land_key(index, land)
        if land_key is None:
            raise InputError(
                f"unknown Land {land!r}: give the two-letter code (NW), the two-digit key (05) "
                "or the name (Nordrhein-Westfalen)",
                field="land",
            )
        allowed = index.by_land[land_key]
    if kreis is not None:
        keys = _kreis_keys(index, kreis)
        if not keys:
            raise InputError(
                f"unknown Kreis {kreis!r}: give the five-digit Kreis key (05558) or the name of "
                "a Kreis or kreisfreie Stadt (Coesfeld, Kreis Coesfeld, Landkreis Rostock)"
                + _kreis_suggestions(index, kreis),
                field="kreis",
            )
        if land_key is not None:
            inside = [k for k in keys if index.kreise[k].land_key == land_key]
            if not inside:
                names = ", ".join(f"{index.kreise[k].label} ({k})" for k in keys)
                raise InputError(
                    f"Kreis {kreis!r} ({names}) is not in {index.laender[land_key][0]}",
                    field="kreis",
                )
            keys = inside
        in_kreis = frozenset().union(*(index.by_kreis.get(k, frozenset()) for k in keys))
        allowed = in_kreis if allowed is None else allowed & in_kreis
    return allowed


def _kreis_suggestions(index: _Index, value: str) -> str:
    best = index.kreis_names.fuzzy(_tokens(value), None, limit=10)
    order = list(index.kreise)
    ranked = sorted(best.items(), key=lambda item: -item[1][0])[:3]
    if not ranked:
        return ""
    names = ", ".join(f"{index.kreise[order[i]].label} ({order[i]})" for i, _ in ranked)
    return f"; closest: {names}"


# ----------------------------------------------------------------------------- matching


def _variants(name: str) -> list[tuple[str, tuple[str, ...]]]:
    """Readings of a name, most literal first: (text to match, qualifiers taken as hints)."""
    text = " ".join(name.split())
    head, _, tail = text.partition(",")
    head, tail = head.strip(), tail.strip()
    tail_hints = (tail,) if tail else ()
    cores = [head]
    stripped = _strip_designation(head)
    if stripped != head:
        cores.append(stripped)
    out: list[tuple[str, tuple[str, ...]]] = []
    for core in cores:
        if tail:
            out.append((f"{core} {tail}", ()))
        out.append((core, tail_hints))
        qualifiers = [q.strip() for q in re.findall(r"\(([^)]*)\)", core)]
        parts = re.sub(r"\([^)]*\)", " ", core).split("/")
        qualifiers += [p.strip() for p in parts[1:]]
        base = parts[0].strip()
        if base and any(qualifiers):
            out.append((base, tuple(q for q in qualifiers if q) + tail_hints))
    seen: set[tuple[str, tuple[str, ...]]] = set()
    unique = []
    for variant in out:
        if variant not in seen:
            seen.add(variant)
            unique.append(variant)
    return unique


def _restrict(*filters: frozenset[int] | None) -> frozenset[int] | None:
    result: frozenset[int] | None = None
    for f in filters:
        if f is not None:
            result = f if result is None else result & f
    return result


def _candidates(index: _Index, scores: dict[int, float]) -> tuple[Candidate, ...]:
    ranked = sorted(scores.items(), key=lambda item: (-item[1], index.gemeinden[item[0]].ags))
    return tuple(dataclasses.replace(index.gemeinden[i], score=s) for i, s in ranked)


def _decide(index: _Index, query: str, scores: dict[int, float]) -> Resolution:
    candidates = _candidates(index, scores)
    if len(candidates) == 1:
        return Resolution(query, UNIQUE, candidates[0], candidates)
    return Resolution(query, AMBIGUOUS, None, candidates)


def resolve(name: str, *, land: str | None = None, kreis: str | None = None) -> Resolution:
    """Resolve a municipality name; ``land`` and ``kreis`` narrow the search (code, key or name)."""
    if not isinstance(name, str) or not name.strip():
        raise InputError("a municipality name is required", field="name")
    index = _index()
    allowed = _allowed(index, land, kreis)
    if re.fullmatch(r"\d{8}", name.strip()):  # an AGS: that Gemeinde, or nothing
        found = {i: EXACT_SCORE for i, c in enumerate(index.gemeinden) if c.ags == name.strip()}
        if allowed is not None:
            found = {i: s for i, s in found.items() if i in allowed}
        if not found:
            return Resolution(name, NOT_FOUND, None, ())
        return _decide(index, name, found)
    hint_cache: dict[str, frozenset[int] | None] = {}

    def hints(texts: Iterable[str]) -> frozenset[int] | None:
        filters = []
        for t in texts:
            if t not in hint_cache:
                hint_cache[t] = _hint_filter(index, t)
            filters.append(hint_cache[t])
        return _restrict(*filters)

    # 0. the official name with its designation, as the register writes it ("Hamm, Stadt").
    if "," in name:
        official = index.officials.get(_official_key(name), frozenset())
        official = official if allowed is None else official & allowed
        if official:
            return _decide(index, name, dict.fromkeys(official, EXACT_SCORE))
    variants = [(text, hints(qualifiers)) for text, qualifiers in _variants(name)]
    # 1. exact, umlauts as ae/oe/ue; 2. exact, umlauts without e ("Koln"); every reading in turn.
    for names, table in ((index.names, _UMLAUT_E), (index.names_plain, _UMLAUT_PLAIN)):
        for text, hint in variants:
            found = names.lookup(_tokens(text, table))
            keep = _restrict(allowed, hint)
            if keep is not None:
                found = {i: s for i, s in found.items() if i in keep}
            if found:
                return _decide(index, name, found)
    # 3. fuzzy, over the Gemeinden the options and qualifiers allow.
    best: dict[int, tuple[float, str, bool]] = {}
    for text, hint in variants:
        for entry, hit in index.names.fuzzy(_tokens(text), _restrict(allowed, hint)).items():
            if hit[0] > best.get(entry, (-1.0, "", False))[0]:
                best[entry] = hit
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], index.gemeinden[item[0]].ags))
    if ranked and ranked[0][1][0] >= FUZZY_ACCEPT and ranked[0][1][2]:
        top_score, top_choice, _ = ranked[0][1]
        close = [(i, s, c) for i, (s, c, _) in ranked if s > top_score - FUZZY_MARGIN]
        if len(close) == 1:
            return _decide(index, name, {ranked[0][0]: top_score})
        if all(c == top_choice for _, _, c in close):  # one name, several Gemeinden
            return _decide(index, name, {i: s for i, s, _ in close})
    # 4. a qualifier the register does not write ("Marburg an der Lahn" for "Marburg"): the name
    # before it, if that is a Gemeinde's full name.
    for text, hint in variants:
        tokens, base = _analyse(text)
        if not base:
            continue
        found = index.names.lookup(base)
        qualifier = " ".join(tokens[len(base) :])
        if qualifier not in hint_cache:
            hint_cache[qualifier] = _hint_filter(index, qualifier)
        keep = _restrict(allowed, hint, hint_cache[qualifier])
        found = {
            i: QUALIFIER_DROPPED_SCORE
            for i, s in found.items()
            if s >= EXACT_SCORE and (keep is None or i in keep)
        }
        if found:
            return _decide(index, name, found)
    suggestions = _candidates(index, {i: hit[0] for i, hit in ranked[:MAX_SUGGESTIONS]})
    return Resolution(name, NOT_FOUND, None, suggestions)


def resolve_unique(name: str, *, land: str | None = None, kreis: str | None = None) -> Candidate:
    """The one Gemeinde a name denotes; NoUniqueAnswer (exit 1) lists the candidates otherwise."""
    resolution = resolve(name, land=land, kreis=kreis)
    if resolution.status == UNIQUE and resolution.match is not None:
        return resolution.match
    listed = "; ".join(_one_line(c) for c in resolution.candidates)
    if resolution.status == AMBIGUOUS:
        message = (
            f"{name!r} is ambiguous, {len(resolution.candidates)} municipalities match: {listed}; "
            "give a Land or Kreis to choose one"
        )
    elif listed:
        message = f"no municipality named {name!r}; closest names: {listed}"
    else:
        message = f"no municipality named {name!r}, nor any with a similar name"
    raise NoUniqueAnswer(message)


# ----------------------------------------------------------------------------- lookups by key
# Used by the profile importer (coopgraph.profile): Kreise as members, names for keys.


@dataclass(frozen=True)
class KreisMatch:
    """A Kreis (or kreisfreie Stadt as Kreis) a name or key denotes."""

    key: str
    name: str
    land_key: str
    land_code: str


def resolve_kreis(name: str, *, land: str | None = None) -> list[KreisMatch]:
    """Every Kreis a Kreis name or five-digit key denotes ("Kreis Coesfeld", "05558")."""
    index = _index()
    land_key = _land_key(index, land) if land is not None else None
    if land is not None and land_key is None:
        raise InputError(f"unknown Land {land!r}", field="land")
    out = []
    for key in _kreis_keys(index, name):
        k = index.kreise[key]
        if land_key is None or k.land_key == land_key:
            out.append(KreisMatch(key, k.label, k.land_key, index.laender[k.land_key][1]))
    return out


def gemeinde_by_ags(ags: str) -> Candidate | None:
    """The Gemeinde with this AGS, or None."""
    for c in _index().gemeinden:
        if c.ags == ags:
            return c
    return None


def kreis_by_key(key: str) -> KreisMatch | None:
    """The Kreis with this five-digit key, or None."""
    index = _index()
    k = index.kreise.get(key)
    return None if k is None else KreisMatch(key, k.label, k.land_key, index.laender[k.land_key][1])


def land_codes() -> dict[str, str]:
    """ISO 3166-2:DE code of each Land ("NW") → its two-digit key ("05")."""
    return {code: key for key, (_name, code) in _index().laender.items()}


@dataclass(frozen=True)
class LandMatch:
    """A Land by its two-digit key, official name and ISO 3166-2:DE code."""

    key: str
    name: str
    code: str


def laender() -> list[LandMatch]:
    """The sixteen Länder, by key."""
    return [LandMatch(key, name, code) for key, (name, code) in sorted(_index().laender.items())]


def resolve_land(value: str) -> LandMatch | None:
    """The Land an ISO code, key or name denotes ("NI", "03", "Freie Hansestadt Bremen")."""
    index = _index()
    key = _land_key(index, value)
    if key is None:
        return None
    name, code = index.laender[key]
    return LandMatch(key, name, code)
