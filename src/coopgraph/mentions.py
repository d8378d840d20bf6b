"""Kommunen a profile's own prose names, checked against its members.

A profile describes its cooperation in free text (``description``, ``goals``, ``note``,
``slogan``, ``seat``, ``office``, ``contract``). Every Gemeinde that the German text names, read
with the register's name resolution (:mod:`coopgraph.resolve`) restricted to the profile's
Länder (and, for a name several Gemeinden bear, to the members' Kreise), must be a member of the
cooperation, or be recorded in ``profiles/_mentions.yaml`` as named but not a member, with the
reason and the source that supports it. A Kreis is checked the same way where the profile has
Kreise as members or its legal form takes them (``KREIS_FORMS``), unless the text names it as a
place ("im Landkreis Bautzen", "(Landkreis Görlitz)"); a Land only where a Land is a member.

The scan has a strict rule: a name it reads that is not a Kommune of the cooperation (a seat, a
neighbouring town, an Ortsteil) is recorded with that reason, never silently skipped.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from . import resolve as rs
from . import resources
from .errors import InputError

__all__ = [
    "Exception_",
    "Finding",
    "Mention",
    "check_profile",
    "load_exceptions",
    "mentions",
    "mentions_file",
    "profile_texts",
]

MAX_SPAN = 6  # the longest name in words ("Bad Homburg v. d. Höhe")
# The resolver scores a name without the qualifier the register writes ("Frankfurt" for
# "Frankfurt (Oder)") just below an exact match; a one-word name is taken from this score.
_NEAR_EXACT = rs.EXACT_SCORE - 5

# Words before a name that make it a Kreis ("Landkreis Bautzen", "des Kreises Coesfeld"); after
# a plural one, every name of the list is a Kreis, current or dissolved ("den damaligen
# Landkreisen Borna, Grimma und Geithain"), not the Gemeinde of that name.
_KREIS_WORDS = {
    "landkreis", "landkreises", "kreis", "kreises", "altkreis", "altkreises", "altlandkreis",
    "altlandkreises",
}  # fmt: skip
_KREIS_PLURAL = {"landkreise", "landkreisen", "kreise", "kreisen", "altkreise", "altkreisen"}
# Words before a name that make it the name of another body or place, not a Kommune
# ("Amt Neuhaus", "Samtgemeinden Freren, Lengerich und Spelle", "Bezirksregierung Münster").
_BODY_WORDS = {
    "amt", "amtes", "samtgemeinde", "verbandsgemeinde", "vg", "verwaltungsgemeinschaft",
    "regierungsbezirk", "regierungsbezirks", "regierungsbezirkes", "bezirk", "bezirks",
    "bezirksregierung", "regierungspraesidium", "landesverwaltungsamt", "universitaet",
    "hochschule", "fachhochschule", "sparkasse", "kreissparkasse", "stadtwerke", "landratsamt",
    "amtsgericht", "landgericht", "ihk", "handwerkskammer", "bistum", "erzbistum", "dekanat",
    "kirchenkreis", "flughafen", "hafen", "bahnhof", "hauptbahnhof", "talsperre", "kloster",
    "region", "staedteregion", "metropolregion", "planungsregion", "rpg", "lag", "raum",
    "stadtteil", "ortsteil", "ortschaft", "gewerbegebiet", "zentraldeponie", "deponie",
    "klaerwerk", "gruppenklaerwerk", "suedkreis", "nordkreis", "westkreis", "ostkreis",
}  # fmt: skip
_BODY_PLURAL = {
    "aemter", "aemtern", "samtgemeinden", "verbandsgemeinden", "verwaltungsgemeinschaften",
    "zweckverbaende", "zweckverbaenden", "kreissparkassen", "sparkassen", "stadtteile",
    "stadtteilen", "ortsteile", "ortsteilen", "ortschaften",
}  # fmt: skip
_BODY_SUFFIXES = ("verband", "verbandes", "verbands", "gemeinschaft", "gesellschaft", "werke",
                  "anlage", "werk")  # fmt: skip
# A Gemeinde is named without an article; after one, the word is a river, a landscape or a
# noun ("entlang der Aurach", "am Südufer der Elbe", "der Kissinger Bogen").
_ARTICLES = {"der", "die", "das", "dem", "den", "des"}
# Gemeinde names that are also everyday words; read as a Gemeinde only after "Gemeinde",
# "Stadt" or "Markt" ("Weil die Arbeitsgemeinschaft …", "im Oberpfälzer Wald").
_COMMON_WORDS = {
    "wald", "elbe", "lage", "bogen", "weil", "buch", "au", "berg", "forst", "mark", "ort",
    "kirchen", "haus", "rain", "wehr", "grafschaft", "lauter", "linden", "zell", "wiesen",
    "brunnen", "lehre", "senden", "werben", "glauben", "treffen", "wegen", "hagen", "essen",
    "marsch", "geest", "holz", "heide", "moor", "ried", "aue", "bruch", "stein",
}  # fmt: skip
_NAMED_AS = {"gemeinde", "stadt", "markt", "marktgemeinde", "hansestadt", "landeshauptstadt",
             "kreisstadt", "grosse", "stadtgemeinde"}  # fmt: skip
# Tokens that may stand inside a name ("Mülheim an der Ruhr", "Bad Homburg v. d. Höhe").
_JOINERS = {"an", "am", "der", "die", "im", "in", "bei", "ob", "vor", "auf", "a.", "d.", "v.",
            "i.", "b.", "o.", "u.", "unter", "ueber", "zu", "zum", "la"}  # fmt: skip
_LIST_WORDS = {"und", "sowie", "oder"}
# Words just before a Kreis that make it a place, not a party ("im Landkreis", "aus den Kreisen")
_LOCATION = re.compile(
    r"(?:\b(?:im|in|in den|in der|aus|aus dem|aus den|bei|vom|zum|für den)\s+|\(\s*)$",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"\(?[^\W\d_][\w.’'/-]*\)?")
_STOP = re.compile(r"[.,;:!?\"„“”»«\n]|\s[–—-]\s")


def _fold(text: str) -> str:
    text = text.lower().translate({ord("ä"): "ae", ord("ö"): "oe", ord("ü"): "ue", ord("ß"): "ss"})
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _word(token: str) -> str:
    return _fold(token.strip("().’'"))


@lru_cache(maxsize=1)
def _first_words() -> frozenset[str]:
    """The first word of every register name (Gemeinde, Kreis): only spans starting with one
    are looked up, which keeps the scan from asking the resolver about every noun."""
    words: set[str] = set()
    label = re.compile(r'(?:rdfs:label|coop:amtlicherName) "([^"]+)"')
    for path in sorted((resources.data_dir() / "kommunen").glob("*.ttl")):
        for m in label.finditer(path.read_text(encoding="utf-8")):
            first = _TOKEN.search(m.group(1))
            if first:
                words.add(_word(first.group(0)))
    return frozenset(words)


@dataclass(frozen=True)
class Mention:
    """A Kommune named in a text: the words as written, the field, and what they denote.

    ``keys`` are AGS (Gemeinde), five-digit keys (Kreis) or two-digit keys (Land); more than
    one when the name is ambiguous within the profile's Länder (and the members' Kreise).
    """

    text: str
    field: str
    kind: str  # gemeinde | kreis | land (| body: another body's name, dropped from the result)
    keys: tuple[str, ...]
    labels: tuple[str, ...]
    lists: bool = dataclasses.field(default=False, compare=False, repr=False)
    at: int = dataclasses.field(default=0, compare=False)  # offset in the text
    # named as where something lies ("im Landkreis Bautzen", "(Landkreis Görlitz)"), not as a party
    location: bool = dataclasses.field(default=False, compare=False)

    def describe(self) -> str:
        listed = ", ".join(f"{k} {n}" for k, n in zip(self.keys, self.labels, strict=True))
        return f"{self.kind} {self.text!r} in {self.field} ({listed})"


Token = tuple[int, int, str]


def _tokens(text: str) -> list[Token]:
    return [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(text)]


def _upper(token: str) -> bool:
    token = token.lstrip("(")
    return bool(token) and token[0].isupper()


def _gemeinden(
    span: str, laender: list[str], kreise: frozenset[str], *, exact_only: bool
) -> list[rs.Candidate]:
    query = _clean(span)
    if not query.strip():
        return []
    found: list[rs.Candidate] = []
    for land in laender or [None]:  # type: ignore[list-item]
        try:
            res = rs.resolve(query, land=land)
        except InputError:
            return []
        if res.status == rs.NOT_FOUND:
            continue
        least = rs.EXACT_SCORE if exact_only else _NEAR_EXACT
        found += [c for c in res.candidates if c.score >= least]
    if found and kreise:
        near = [c for c in found if c.kreis_key in kreise]
        if not near:  # "Ehingen" for Ehingen a.Ries, in a member's Kreis, before two others
            near = [c for k in sorted(kreise) for c in _in_kreis(query, k)]
        if near:
            found = near
    return found


@lru_cache(maxsize=4096)
def _in_kreis(query: str, kreis: str) -> tuple[rs.Candidate, ...]:
    try:
        res = rs.resolve(query, kreis=kreis)
    except InputError:
        return ()
    if res.status == rs.NOT_FOUND:
        return ()
    return tuple(c for c in res.candidates if c.score >= _NEAR_EXACT)


def _kreise(span: str, laender: list[str]) -> list[rs.KreisMatch]:
    found: list[rs.KreisMatch] = []
    for land in laender or [None]:  # type: ignore[list-item]
        try:
            found += rs.resolve_kreis(_clean(span), land=land)
        except InputError:
            return []
    return found


def _clean(span: str) -> str:
    """The name as written, without a sentence's full stop or an unbalanced bracket."""
    span = span.rstrip(".'’")
    if span.startswith("(") and span.endswith(")") and span.count("(") == 1:
        span = span[1:-1]
    if span.endswith(")") and "(" not in span:
        span = span[:-1]
    if span.startswith("(") and ")" not in span:
        span = span[1:]
    return span.strip()


def _kreisfrei(name: str, key: str, laender: list[str]) -> bool:
    """The Kreis is a kreisfreie Stadt that the name also denotes as a Gemeinde."""
    return any(
        c.ags == f"{key}000" for c in _gemeinden(name, laender, frozenset(), exact_only=True)
    )


class _Scan:
    """One pass over a text, left to right, taking the longest name at each position."""

    def __init__(self, text: str, field: str, laender: list[str], kreise: frozenset[str],
                 with_laender: bool) -> None:  # fmt: skip
        self.text = text
        self.field = field
        self.laender = laender
        self.kreise = kreise
        self.with_laender = with_laender
        self.tokens = _tokens(text)
        self.out: list[Mention] = []

    def span(self, i: int, j: int) -> str:
        return self.text[self.tokens[i][0] : self.tokens[j][1]]

    def add(
        self, i: int, j: int, kind: str, found: Iterable[Any] = (), *, lists: bool = False
    ) -> int:
        found = list(found)
        if kind == "gemeinde":
            keys, labels = tuple(c.ags for c in found), tuple(c.name for c in found)
        elif kind == "kreis":
            keys, labels = tuple(k.key for k in found), tuple(k.name for k in found)
        else:
            keys, labels = (), ()
        if self.listed(i) and self.out:  # a list keeps the reading of its first name
            location = self.out[-1].location
        else:
            before = self.text[max(0, self.tokens[i][0] - 12) : self.tokens[i][0]]
            location = self.tokens[i][2].startswith("(") or bool(_LOCATION.search(before))
        self.out.append(Mention(_clean(self.span(i, j)), self.field, kind, keys, labels, lists,
                                self.tokens[i][0], location))  # fmt: skip
        return j + 1

    def before(self, i: int) -> str:
        """The word before token i, if nothing but a space lies between."""
        if i == 0:
            return ""
        gap = self.text[self.tokens[i - 1][1] : self.tokens[i][0]]
        prev = self.tokens[i - 1][2]
        if _STOP.search(gap) or (prev.endswith(".") and len(prev) > 3):  # a sentence ends
            return ""
        return _word(prev)

    def listed(self, i: int) -> bool:
        """Token i continues a list of Kreise or bodies ("Landkreisen A, B und C")."""
        if not self.out or not self.out[-1].lists or i == 0:
            return False
        if _word(self.tokens[i][2]) in _NAMED_AS | {"kreisfreie", "kreisfreien"}:
            return False  # "… sowie der Stadt Chemnitz"
        last_end = self.text.rfind(self.out[-1].text, 0, self.tokens[i][0])
        if last_end < 0:
            return False
        between = self.text[last_end + len(self.out[-1].text) : self.tokens[i][0]]
        words = [_fold(w) for w in re.findall(r"[^\W\d_]+", between)]
        rest = re.sub(r"[^\W\d_]+", "", between)
        return (
            len(words) <= 2
            and all(w in _LIST_WORDS | _ARTICLES for w in words)
            and (not re.search(r"[.;:!?\n]", rest))
            and (bool(words) or "," in rest)
        )

    def kreis_at(self, i: int, *, prefix: str = "") -> tuple[int, list[rs.KreisMatch]] | None:
        """The longest Kreis name starting at token i (with a word put before it)."""
        for j in range(_span_end(self.text, self.tokens, i), i - 1, -1):
            name = _clean(self.span(i, j))
            if prefix:
                found = _kreise(f"{prefix} {name}", self.laender)
                if not found and prefix == "Landkreis":
                    found = _kreise(f"Kreis {name}", self.laender)
            else:
                found = _kreise(name, self.laender) or _kreise(f"Landkreis {name}", self.laender)
            found = (
                [k for k in found if not _kreisfrei(name, k.key, self.laender)]
                if not prefix
                else found
            )
            if found:
                return j, found
        return None

    def run(self) -> list[Mention]:
        tokens = self.tokens
        first_words = _first_words()
        i = 0
        while i < len(tokens):
            token = tokens[i][2]
            word = _word(token)
            before = self.before(i)
            if not _upper(token) and word not in _KREIS_PLURAL | _BODY_PLURAL:
                i += 1
                continue
            if self.listed(i) and _upper(token):  # the next name of a list of Kreise/bodies
                last = self.out[-1]
                hit = self.kreis_at(i) if last.kind == "kreis" or last.kind == "former" else None
                if hit:
                    i = self.add(i, hit[0], "kreis", hit[1], lists=True)
                else:
                    kind = "former" if last.kind in ("kreis", "former") else "body"
                    i = self.add(i, _span_end(self.text, tokens, i), kind, lists=True)
                continue
            if word in _KREIS_WORDS | _KREIS_PLURAL:
                plural = word in _KREIS_PLURAL
                if i + 1 < len(tokens) and _upper(tokens[i + 1][2]) and self.before(i + 1) != "":
                    hit = self.kreis_at(i + 1, prefix="Landkreis")
                    if hit:
                        i = self.add(i, hit[0], "kreis", hit[1], lists=plural)
                    else:  # a Kreis that no longer exists ("Altkreis Döbeln")
                        i = self.add(i, _span_end(self.text, tokens, i + 1), "former", lists=plural)
                    continue
                if plural:
                    self.out.append(Mention(token, self.field, "former", (), (), True))
                i += 1
                continue
            if word in _BODY_PLURAL:  # "Samtgemeinden Flotwedel und Wathlingen"
                if i + 1 < len(tokens) and _upper(tokens[i + 1][2]) and self.before(i + 1):
                    i = self.add(i, _span_end(self.text, tokens, i + 1), "body", lists=True)
                else:
                    self.out.append(Mention(token, self.field, "body", (), (), True))
                    i += 1
                continue
            if word.endswith("kreis") and word != "kreis":  # "Rhein-Sieg-Kreis", "Vogtlandkreis"
                found = _kreise(token, self.laender)
                if found:
                    i = self.add(i, i, "kreis", found)
                    continue
                nxt = i + 1 < len(tokens) and _upper(tokens[i + 1][2]) and self.before(i + 1)
                hit = self.kreis_at(i + 1, prefix=_clean(token)) if nxt else None
                if hit:  # "Rhein-Kreis Neuss"
                    i = self.add(i, hit[0], "kreis", hit[1])
                    continue
                i += 1
                continue
            if self.with_laender and len(word) > 2:
                land = rs.resolve_land(_clean(token))
                if land is not None:
                    self.out.append(
                        Mention(_clean(token), self.field, "land", (land.key,), (land.name,))
                    )
                    i += 1
                    continue
            if before in _BODY_WORDS or before.endswith(_BODY_SUFFIXES):
                hit = self.kreis_at(i, prefix=tokens[i - 1][2])  # "Region Hannover"
                if hit:
                    i = self.add(i - 1, hit[0], "kreis", hit[1])
                else:
                    i = self.add(i, _span_end(self.text, tokens, i), "body")
                continue
            if word not in first_words:
                i += 1
                continue
            hit_g = self.gemeinde_at(i)
            if hit_g is None:
                i += 1
                continue
            j, gemeinden = hit_g
            one_word = j == i
            if one_word and (
                before in _ARTICLES
                or (word in _COMMON_WORDS and before not in _NAMED_AS)
                or (
                    re.fullmatch(r"[a-z]+(er|isch|ische|ischen|ischem|ischer)", before)
                    and _upper(tokens[i - 1][2])
                )
                or rs.resolve_land(_clean(token)) is not None  # "(Brandenburg)": the Land
            ):
                i += 1
                continue
            i = self.add(i, j, "gemeinde", gemeinden)
        return [m for m in self.out if m.kind in ("gemeinde", "kreis", "land")]

    def gemeinde_at(self, i: int) -> tuple[int, list[rs.Candidate]] | None:
        tokens = self.tokens
        for j in range(_span_end(self.text, tokens, i), i - 1, -1):
            if j > i and not _upper(tokens[j][2]):
                continue  # a name ends on a capitalised word or a qualifier "(Oder)"
            found = _gemeinden(self.span(i, j), self.laender, self.kreise, exact_only=True)
            if found:
                return j, found
        found = _gemeinden(tokens[i][2], self.laender, self.kreise, exact_only=False)
        return (i, found) if found else None  # "Frankfurt" for "Frankfurt (Oder)"


def mentions(
    text: str,
    *,
    field: str,
    laender: Iterable[str],
    kreise: Iterable[str] = (),
    with_laender: bool = False,
) -> list[Mention]:
    """Every Gemeinde and Kreis (and, if asked, Land) a German text names, in the given Länder.

    A name ambiguous within the Länder is narrowed to the ``kreise`` (the members' Kreise) when
    that leaves any candidate.
    """
    return _Scan(text, field, list(laender), frozenset(kreise), with_laender).run()


def _span_end(text: str, tokens: list[Token], i: int) -> int:
    """The last token a name starting at token i may reach: no punctuation in between, at most
    MAX_SPAN tokens, lower-case words only as joiners ("an der")."""
    j = i
    while j + 1 < len(tokens) and j + 1 - i < MAX_SPAN:
        gap = text[tokens[j][1] : tokens[j + 1][0]]
        if _STOP.search(gap) or (tokens[j][2].endswith(".") and len(tokens[j][2]) > 3):
            break
        if tokens[j][2].endswith(")"):
            break
        nxt = tokens[j + 1][2]
        qualifier = nxt.startswith("(") and nxt.endswith(")")  # "Frankfurt (Oder)"
        if nxt.startswith("(") and not qualifier:
            break
        if nxt.endswith(")") and not qualifier:  # the end of a bracket around the name
            return j + 1 if _upper(nxt) or _fold(nxt.rstrip(")")) in _JOINERS else j
        if not _upper(nxt) and _fold(nxt) not in _JOINERS and not qualifier:
            break
        j += 1
    return j


# ----------------------------------------------------------------------------- a profile


def _texts(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """The German texts of a field: a plain text, or the ``de`` of a {de, en} mapping (the
    English is a translation of it and names the same places)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _texts(item, f"{path}[{n}]")
    elif isinstance(value, dict) and "de" in value:
        yield from _texts(value["de"], f"{path}.de")


# The free-text fields of a profile (docs/steckbrief.md): prose in the body's own description.
TEXT_FIELDS = ("description", "goals", "slogan", "note", "seat")


def profile_texts(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field path, text) of every free-text field of a profile."""
    out: list[tuple[str, str]] = []
    for key in TEXT_FIELDS:
        if key in data:
            out += list(_texts(data[key], key))
    office = data.get("office") or {}
    for key in ("name", "note"):
        if key in office:
            out += list(_texts(office[key], f"office.{key}"))
    contract = data.get("contract") or {}
    for key in ("signed_by", "date_note"):
        if key in contract:
            out += list(_texts(contract[key], f"contract.{key}"))
    return out


@dataclass(frozen=True)
class Exception_:
    """A Kommune a profile names but which is not a member, with why (and where that is said)."""

    name: str
    reason: str
    source: str


@dataclass
class Finding:
    """A named Kommune that is neither a member nor a recorded exception (or a stale record)."""

    slug: str
    message: str
    mention: Mention | None = None
    others: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.slug}: {self.message}"


def mentions_file() -> Path:
    """``profiles/_mentions.yaml``: slug → name as written → {reason, source}."""
    return resources.profiles_dir() / "_mentions.yaml"


def load_exceptions(path: Path | None = None) -> dict[str, dict[str, Exception_]]:
    """The recorded exceptions; InputError names the entry that lacks a reason or a source."""
    path = path or mentions_file()
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise InputError("expected a mapping slug → name → {reason, source}", file=str(path))
    out: dict[str, dict[str, Exception_]] = {}
    for slug, names in data.items():
        if not isinstance(names, dict):
            raise InputError(
                f"{slug}: expected a mapping name → {{reason, source}}", file=str(path)
            )
        for name, entry in names.items():
            if not isinstance(entry, dict) or not entry.get("reason") or not entry.get("source"):
                raise InputError(f"{slug}: {name}: needs a reason and a source", file=str(path))
            out.setdefault(str(slug), {})[str(name)] = Exception_(
                str(name), str(entry["reason"]), str(entry["source"])
            )
    return out


def _member_keys(path: Path) -> tuple[dict[str, Any], set[str]]:
    from . import profile

    built = profile.build(profile.load(path))
    org = "http://www.w3.org/ns/org#"
    from rdflib import URIRef

    keys: set[str] = set()
    for membership in built.graph.subjects(URIRef(org + "organization"), built.iri):
        for member in built.graph.objects(membership, URIRef(org + "member")):
            keys.add(str(member).rsplit("/", 1)[-1])
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data, keys


# Legal forms (Rechtsform concepts) whose bodies may have Kreise as members.
KREIS_FORMS = frozenset({
    "zweckverband", "regionalverband", "planungsverband", "planungsgemeinschaft",
    "metropolregion", "region", "gmbh", "kommunalverband-besonderer-art",
    "gemeinsames-kommunalunternehmen", "oeffentlich-rechtliche-vereinbarung", "schulverband",
})  # fmt: skip


def check_profile(
    path: str | Path, exceptions: Mapping[str, Mapping[str, Exception_]] | None = None
) -> list[Finding]:
    """What the profile's prose names that is neither a member nor recorded as an exception;
    also every recorded exception that no longer applies (not named, or now a member)."""
    path = Path(path)
    data, keys = _member_keys(path)
    slug = str(data["slug"])
    recorded = dict((exceptions if exceptions is not None else load_exceptions()).get(slug, {}))
    laender = list(data.get("laender") or [])
    member_kreise = {k[:5] for k in keys if len(k) == 8} | {k for k in keys if len(k) == 5}
    with_laender = any(len(k) == 2 for k in keys)
    # Kreise where Kreise are members, or where the kind of body takes Kreise as members
    with_kreise = any(len(k) == 5 for k in keys) or data.get("legal_form") in KREIS_FORMS
    found: list[Mention] = []
    for field_path, text in profile_texts(data):
        found += mentions(text, field=field_path, laender=laender, kreise=member_kreise,
                          with_laender=with_laender)  # fmt: skip

    def member(m: Mention) -> bool:
        return any(
            k in keys
            or (m.kind == "gemeinde" and k.endswith("000") and k[:5] in keys)
            or (m.kind == "kreis" and f"{k}000" in keys)
            for k in m.keys
        )

    # a recorded name covers every mention of the same Kommune ("Stadt Elmshorn", "Elmshorn")
    used: set[str] = set()
    excused: set[str] = set()
    for m in found:
        hit = next((n for n in (m.text, *m.labels) if n in recorded), None)
        if hit and not member(m):
            used.add(hit)
            excused.update(m.keys)
    findings: list[Finding] = []
    seen: set[tuple[str, ...]] = set()
    for m in found:
        if m.kind == "kreis" and (not with_kreise or m.location):
            continue
        if member(m) or set(m.keys) <= excused or m.keys in seen:
            continue
        seen.add(m.keys)
        findings.append(Finding(slug, f"names {m.describe()}, which is not a member "
                                      "(add it, or record why not in profiles/_mentions.yaml)",
                                m))  # fmt: skip
    for name in sorted(set(recorded) - used):
        message = (
            f"profiles/_mentions.yaml records {name!r}, which the profile no longer names as a "
            "non-member (remove the entry)"
        )
        findings.append(Finding(slug, message))
    return findings
