"""Matching a name: its readings (qualifiers, designations), the Land and Kreis filters, exact
then fuzzy matching over the index; and lookups of Gemeinden, Kreise and Länder by key.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import InputError, NoUniqueAnswer
from .index import QUALIFIER_DROPPED_SCORE, Index, current_index, official_key
from .normalise import UMLAUT_E, UMLAUT_PLAIN, analyse, compare_key, strip_designation, tokenize
from .report import AMBIGUOUS, EXACT_SCORE, NOT_FOUND, UNIQUE, Candidate, Resolution

FUZZY_ACCEPT = 90.0  # a fuzzy match is taken only from this score (rapidfuzz ratio, 0..100) …
FUZZY_MARGIN = 5.0  # … and only when the next Gemeinde scores at least this much less
MAX_SUGGESTIONS = 5

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


# ----------------------------------------------------------------------------- Land, Kreis


_LAND_WORDS = ("land ", "freistaat ", "freie und hansestadt ", "freie hansestadt ")


def _land_key(index: Index, value: str) -> str | None:
    """The Land key for an ISO code, key or name ("NW", "05", "Freistaat Bayern"), else None."""
    text = value.strip()
    key = compare_key(text)
    for word in _LAND_WORDS:
        if key.startswith(word):
            key = key[len(word) :]
    return index.land_keys.get(text) or index.land_keys.get(key)


def _kreis_keys(index: Index, value: str) -> list[str]:
    """Kreis keys a Kreis key or name denotes (several when the name is shared, like "München")."""
    text = " ".join(value.split())
    if re.fullmatch(r"\d{5}", text):
        return [text] if text in index.kreise else []
    head, _, tail = text.partition(",")
    head = head.strip()
    prefer: frozenset[str] | None = _CITY_TYPES if "stadt" in compare_key(tail).split() else None
    readings = [head]
    words = head.split()
    for group, types in ((_CITY_WORDS, _CITY_TYPES), (_KREIS_WORDS, _KREIS_TYPES)):
        n = next(
            (n for n in (2, 1) if len(words) > n and compare_key(" ".join(words[:n])) in group), 0
        )
        if n:
            readings.append(" ".join(words[n:]))
            prefer = types
            break
    order = list(index.kreise)
    for reading in readings:
        for names, table in (
            (index.kreis_names, UMLAUT_E),
            (index.kreis_names_plain, UMLAUT_PLAIN),
        ):
            found = names.lookup(tokenize(reading, table))
            if found:
                keys = [order[i] for i in sorted(found)]
                preferred = [k for k in keys if prefer and index.kreise[k].typ in prefer]
                return preferred or keys
    return []


def _hint_filter(index: Index, text: str) -> frozenset[int] | None:
    """The Gemeinden a qualifier ("Westf.", "Saale", "Kreis Coesfeld") allows; None if unknown."""
    land = _land_key(index, text)
    if land is not None:
        return index.by_land.get(land, frozenset())
    regions = _REGIONS.get(compare_key(text).replace(" ", ""))
    if regions:
        return frozenset().union(*(index.by_land.get(k, frozenset()) for k in regions))
    keys = _kreis_keys(index, text)
    if keys:
        return frozenset().union(*(index.by_kreis.get(k, frozenset()) for k in keys))
    return None


def _allowed(index: Index, land: str | None, kreis: str | None) -> frozenset[int] | None:
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


def _kreis_suggestions(index: Index, value: str) -> str:
    best = index.kreis_names.fuzzy(tokenize(value), None, limit=10)
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
    stripped = strip_designation(head)
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


def _candidates(index: Index, scores: dict[int, float]) -> tuple[Candidate, ...]:
    ranked = sorted(scores.items(), key=lambda item: (-item[1], index.gemeinden[item[0]].ags))
    return tuple(dataclasses.replace(index.gemeinden[i], score=s) for i, s in ranked)


def _decide(index: Index, query: str, scores: dict[int, float]) -> Resolution:
    candidates = _candidates(index, scores)
    if len(candidates) == 1:
        return Resolution(query, UNIQUE, candidates[0], candidates)
    return Resolution(query, AMBIGUOUS, None, candidates)


def resolve(name: str, *, land: str | None = None, kreis: str | None = None) -> Resolution:
    """Resolve a municipality name; ``land`` and ``kreis`` narrow the search (code, key or name)."""
    if not isinstance(name, str) or not name.strip():
        raise InputError("a municipality name is required", field="name")
    index = current_index()
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
        official = index.officials.get(official_key(name), frozenset())
        official = official if allowed is None else official & allowed
        if official:
            return _decide(index, name, dict.fromkeys(official, EXACT_SCORE))
    variants = [(text, hints(qualifiers)) for text, qualifiers in _variants(name)]
    # 1. exact, umlauts as ae/oe/ue; 2. exact, umlauts without e ("Koln"); every reading in turn.
    for names, table in ((index.names, UMLAUT_E), (index.names_plain, UMLAUT_PLAIN)):
        for text, hint in variants:
            found = names.lookup(tokenize(text, table))
            keep = _restrict(allowed, hint)
            if keep is not None:
                found = {i: s for i, s in found.items() if i in keep}
            if found:
                return _decide(index, name, found)
    # 3. fuzzy, over the Gemeinden the options and qualifiers allow.
    best: dict[int, tuple[float, str, bool]] = {}
    for text, hint in variants:
        for entry, hit in index.names.fuzzy(tokenize(text), _restrict(allowed, hint)).items():
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
        tokens, base = analyse(text)
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
    listed = "; ".join(c.one_line() for c in resolution.candidates)
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
    index = current_index()
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
    for c in current_index().gemeinden:
        if c.ags == ags:
            return c
    return None


def kreis_by_key(key: str) -> KreisMatch | None:
    """The Kreis with this five-digit key, or None."""
    index = current_index()
    k = index.kreise.get(key)
    return None if k is None else KreisMatch(key, k.label, k.land_key, index.laender[k.land_key][1])


def land_codes() -> dict[str, str]:
    """ISO 3166-2:DE code of each Land ("NW") → its two-digit key ("05")."""
    return {code: key for key, (_name, code) in current_index().laender.items()}


@dataclass(frozen=True)
class LandMatch:
    """A Land by its two-digit key, official name and ISO 3166-2:DE code."""

    key: str
    name: str
    code: str


def laender() -> list[LandMatch]:
    """The sixteen Länder, by key."""
    return [
        LandMatch(key, name, code) for key, (name, code) in sorted(current_index().laender.items())
    ]


def resolve_land(value: str) -> LandMatch | None:
    """The Land an ISO code, key or name denotes ("NI", "03", "Freie Hansestadt Bremen")."""
    index = current_index()
    key = _land_key(index, value)
    if key is None:
        return None
    name, code = index.laender[key]
    return LandMatch(key, name, code)
