"""The Steckbrief: a readable YAML profile of one Kooperation, to checked Turtle and back.

``load`` reads the YAML keeping every node's line, checks it against the published JSON Schema
(``schemas/steckbrief.schema.json``), resolves each municipality name with the register's name
resolution and each controlled value against the SKOS schemes in ``ontology/vocab``. ``build``
turns it into the cooperation's graph, modelled like the hand-written seed files, and
``to_turtle`` writes that graph as deterministic Turtle. ``export`` is the way back: a
cooperation's graph as a profile, so that importing the export gives the same graph.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import stat
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, RDF, RDFS, SKOS, TIME, XSD
from rdflib.term import Node

from . import resources, turtle
from .errors import CoopgraphError, InputError
from .namespaces import (
    COOP,
    COOPERATION_PREFIXES,
    GEO,
    ID,
    SCHEMA,
    VOCAB,
    WD,
    geometrie_iri,
    geschaeftsstelle_iri,
    gremium_iri,
    kommune_iri,
    kontaktstelle_iri,
    kontrakt_iri,
    kooperation_iri,
    kreis_iri,
    land_iri,
    mitgliedschaft_iri,
    organisation_iri,
    person_iri,
    scheme_iri,
    zeitpunkt_iri,
    zeitraum_iri,
)

GERMANY = WD.Q183
PROFILE_SUFFIXES = (".yaml", ".yml")

# Profile key → SKOS scheme of its controlled values.
SCHEMES = {
    "legal_form": "rechtsform",
    "sector": "themenbereich",
    "fields_of_action": "handlungsfeld",
    "kind of body": "gremienart",
    "kind of contract": "kontraktart",
    "role": "mitgliedsrolle",
}

Path_ = tuple[str | int, ...]

CONTACT_FIELDS = (
    ("email", SCHEMA.email),
    ("phone", SCHEMA.telephone),
    ("address", SCHEMA.address),
    ("as_written", COOP.schreibweiseInQuelle),
)


# ============================================================================ errors


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a profile, with its line and the key path (``members[3].since``)."""

    line: int | None
    field: str
    message: str
    message_de: str | None = None

    def render(self, file: str, lang: str = "en") -> str:
        text = self.message_de if lang == "de" and self.message_de else self.message
        return str(CoopgraphError(text, file=file, line=self.line, field=self.field))


class ProfileInvalid(InputError):
    """A profile with one or more problems (exit 2); each is reported on a line of its own."""

    def __init__(self, file: str | Path, problems: Sequence[Problem]) -> None:
        first = problems[0]
        super().__init__(first.message, file=file, line=first.line, field=first.field)
        self.problems = tuple(problems)

    def lines(self, lang: str = "en") -> list[str]:
        return [p.render(self.file or "", lang) for p in self.problems]

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _dotted(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# ============================================================================ YAML with lines

_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"


@dataclass
class Document:
    """A parsed profile: plain data (dicts, lists, str, int, float, bool, None) and lines."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of the node at ``path``, or of its nearest ancestor that exists."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get(())

    def problem(self, path: Sequence[str | int], message: str, de: str | None = None) -> Problem:
        return Problem(self.line(path), _dotted(path), message, de)


def _scalar(node: yaml.ScalarNode) -> Any:
    """A scalar's value. Dates stay text (so a bad date is our error, not the parser's), a
    number with a leading zero (an AGS) stays text, and only true/false are booleans."""
    value = node.value
    if node.style or node.tag == _STR:
        return value
    if node.tag == _NULL:
        return None
    if node.tag == _BOOL:
        low = value.lower()
        return {"true": True, "false": False}.get(low, value)
    if node.tag == _INT:
        digits = value.lstrip("+-")
        if len(digits) > 1 and digits.startswith("0") and digits.isdigit():
            return value
        try:
            return int(value.replace("_", ""), 10)
        except ValueError:
            return value
    if node.tag == _FLOAT:
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    return value  # timestamps and anything else: the text as written


def _convert(node: yaml.Node, path: Path_, doc: Document, problems: list[Problem]) -> Any:
    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(key_node.start_mark.line + 1, _dotted(path),
                                        "keys must be plain words"))  # fmt: skip
                continue
            key = str(key_node.value)
            if key in out:
                problems.append(Problem(key_node.start_mark.line + 1, _dotted((*path, key)),
                                        "key given twice"))  # fmt: skip
                continue
            key_path = (*path, key)
            out[key] = _convert(value_node, key_path, doc, problems)
            doc.lines[key_path] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), doc, problems) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    return _scalar(node)


MAX_PROFILE_BYTES = 1024 * 1024  # a profile is a few KB
MAX_ALIASES = 100


class _AliasRefused(yaml.YAMLError):
    def __init__(self, message: str, mark: yaml.Mark) -> None:
        super().__init__(message)
        self.message, self.line = message, mark.line + 1


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing what only serves to blow a small file up in memory (a
    "billion laughs"): an alias of a mapping or list, and more than MAX_ALIASES aliases."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            self.aliases += 1
            target = self.anchors.get(event.anchor)
            if isinstance(target, yaml.CollectionNode):
                raise _AliasRefused(
                    f"the alias *{event.anchor} repeats a mapping or list; write it out instead",
                    event.start_mark,
                )
            if self.aliases > MAX_ALIASES:
                raise _AliasRefused(f"more than {MAX_ALIASES} aliases", event.start_mark)
        return super().compose_node(parent, index)


def _read_profile_text(path: Path) -> str:
    """The text of a profile file: a regular file (not a FIFO or device, which could block or
    never end) of at most MAX_PROFILE_BYTES."""
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise InputError("no such file", file=path) from exc
    except OSError as exc:  # e.g. a symlink loop
        raise InputError(f"cannot read: {exc.strerror or exc}", file=path) from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError("not a regular file", file=path)
    if info.st_size > MAX_PROFILE_BYTES:
        raise InputError(
            f"too large for a profile: {info.st_size:,} bytes (at most {MAX_PROFILE_BYTES:,})",
            file=path,
        )
    try:
        with path.open("rb") as f:
            data = f.read(MAX_PROFILE_BYTES + 1)
        if len(data) > MAX_PROFILE_BYTES:
            raise InputError(f"too large for a profile (at most {MAX_PROFILE_BYTES:,} bytes)",
                             file=path)  # fmt: skip
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", file=path) from exc


def read_yaml(path: Path) -> Document:
    """Parse a profile's YAML; a syntax error names the file and line."""
    text = _read_profile_text(path)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except _AliasRefused as exc:
        raise InputError(f"YAML not accepted: {exc.message}", file=path, line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        if exc.context_mark and mark and exc.context_mark.line != mark.line:
            what += f" (what is unfinished began on line {exc.context_mark.line + 1})"
        raise InputError(
            f"YAML syntax error: {what}", file=path, line=mark.line + 1 if mark else None
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", file=path) from exc
    except RecursionError:  # thousands of nested [ or {
        raise InputError("YAML nested too deeply", file=path) from None
    doc = Document(str(path), None)
    if node is None:
        raise InputError("the profile is empty", file=path)
    problems: list[Problem] = []
    doc.data = _convert(node, (), doc, problems)
    if problems:
        raise ProfileInvalid(path, problems)
    return doc


# ============================================================================ JSON Schema


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The published JSON Schema of the profile format."""
    with resources.steckbrief_schema_file().open(encoding="utf-8") as f:
        loaded: dict[str, Any] = json.load(f)
    return loaded


def _schema_message(error: ValidationError) -> str:
    if error.context:
        deepest = best_match(error.context)
        if deepest is not None and deepest.validator not in ("type", "anyOf", "oneOf"):
            return _schema_message(deepest)
    described = error.schema.get("description") if isinstance(error.schema, dict) else None
    if error.validator == "additionalProperties" and isinstance(error.schema, dict):
        allowed = ", ".join(error.schema.get("properties", {}))
        return f"{error.message}; allowed keys: {allowed}"
    if error.validator == "required":
        return error.message.replace("is a required property", "is required but missing")
    if error.validator in ("pattern", "anyOf", "oneOf", "type") and described:
        return f"{error.instance!r} is not valid here: expected {described}"
    return error.message


def check_schema(doc: Document) -> list[Problem]:
    """Every place the document breaks the JSON Schema."""
    validator = Draft202012Validator(schema())
    problems = []
    for error in sorted(validator.iter_errors(doc.data), key=lambda e: [str(p) for p in e.path]):
        path = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
            extra = [k for k in error.instance if k not in known]
            path += extra[:1]  # the line of the unexpected key, not of its mapping
        problems.append(doc.problem(path, _schema_message(error)))
    problems.sort(key=lambda p: (p.line or 0, p.field))
    return problems


# ============================================================================ vocabularies


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
    from .loader import load

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
                _fold(str(lbl)) for p in (SKOS.prefLabel, SKOS.altLabel) for lbl in g.objects(c, p)
            }
            local = str(c)[len(prefix) :]
            pref = {lbl.language: str(lbl) for lbl in g.objects(c, SKOS.prefLabel)
                    if isinstance(lbl, Literal)}  # fmt: skip
            de, en = pref.get("de", ""), pref.get("en", "")
            out[local] = Concept(c, local, frozenset(labels), de, en)
    return dict(sorted(out.items()))


def _fold(text: str) -> str:
    text = text.strip().lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def slugify(text: str) -> str:
    """A name as a local name for an IRI: ``Fakultät Raumplanung`` → ``fakultaet-raumplanung``."""
    folded = _fold(unicodedata.normalize("NFC", text))
    return unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode() or "x"


# ============================================================================ build


@dataclass(frozen=True)
class Ref:
    """A resolved Gebietskörperschaft: its IRI, key, register name and Land key."""

    iri: URIRef
    key: str
    label: str
    land_key: str
    exact: bool


@dataclass
class Built:
    """A profile turned into its cooperation's graph, with the layout to write it."""

    slug: str
    iri: URIRef
    graph: Graph
    sections: list[turtle.Section]
    comments: dict[Node, str]
    notes: list[Problem] = field(default_factory=list)  # approximate name matches, for review

    def to_turtle(self) -> str:
        header = (
            f"{self.graph.value(self.iri, RDFS.label)}\n"
            f"Written by `coopgraph import` from the profile profiles/{self.slug}.yaml: edit the\n"
            "profile, not this file. Every fact comes from the sources named in it (dct:source)."
        )
        return turtle.write(
            self.graph,
            self.sections,
            header=header,
            prefixes=COOPERATION_PREFIXES,
            comments=self.comments,
        )


def _texts(value: Any) -> list[tuple[str, str]]:
    """A langText value as (language, text) pairs."""
    if value is None:
        return []
    if isinstance(value, str):
        return [("de", value)]
    out = []
    for lang in ("de", "en"):
        v = value.get(lang)
        for text in [v] if isinstance(v, str) else (v or []):
            out.append((lang, text))
    return out


def _lang_literals(value: Any) -> list[Literal]:
    return [Literal(text, lang=lang) for lang, text in _texts(value)]


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.p: dict[str, Any] = doc.data
        self.problems: list[Problem] = []
        self.notes: list[Problem] = []
        self.g = Graph(bind_namespaces="none")
        self.slug: str = self.p["slug"]
        self.coop = kooperation_iri(self.slug)
        self.sources: list[URIRef] = []
        self.members_by_name: dict[str, Ref] = {}
        self.comments: dict[Node, str] = {}
        self.sections: list[turtle.Section] = []
        self.laender: list[str] = []

    # ----------------------------------------------------------------- helpers

    def fail(self, path: Sequence[str | int], message: str, de: str | None = None) -> None:
        self.problems.append(self.doc.problem(path, message, de))

    def add(self, s: Node, p: Node, o: Node | None) -> None:
        if o is not None:
            self.g.add((s, p, o))

    def concept(self, scheme: str, value: str, path: Sequence[str | int]) -> URIRef | None:
        known = concepts(scheme)
        if value in known:
            return known[value].iri
        folded = _fold(value)
        hits = [c for c in known.values() if folded == c.local or folded in c.labels]
        if len(hits) == 1:
            return hits[0].iri
        listed_en = "; ".join(c.listed("en") for c in known.values())
        listed_de = "; ".join(c.listed("de") for c in known.values())
        self.fail(
            path,
            f"unknown {scheme} {value!r}; allowed: {listed_en} "
            f"(add a new one to ontology/vocab/{scheme}.ttl)",
            f"unbekannte {scheme} {value!r}; erlaubt: {listed_de} "
            f"(neue in ontology/vocab/{scheme}.ttl ergänzen)",
        )
        return None

    def date(
        self, value: Any, path: Sequence[str | int], *, year_only: bool = False
    ) -> Literal | None:
        text = str(value)
        if re.fullmatch(r"[0-9]{4}", text):
            return Literal(text, datatype=XSD.gYear)
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            try:
                day = dt.date.fromisoformat(text)
            except ValueError as exc:
                self.fail(path, f"{text!r} is not a date: {exc}", f"{text!r} ist kein Datum: {exc}")
                return None
            if year_only:
                return Literal(str(day.year), datatype=XSD.gYear)
            return Literal(day.isoformat(), datatype=XSD.date)
        if re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", text):
            return Literal(text[:4] if year_only else text,
                           datatype=XSD.gYear if year_only else XSD.gYearMonth)  # fmt: skip
        self.fail(
            path,
            f"{text!r} is not a date: give YYYY-MM-DD, YYYY-MM or YYYY",
            f"{text!r} ist kein Datum: JJJJ-MM-TT, JJJJ-MM oder JJJJ angeben",
        )
        return None

    def item_sources(self, item: Mapping[str, Any], path: Sequence[str | int]) -> list[URIRef]:
        refs = item.get("sources")
        if refs is None:
            return self.sources
        out = []
        for i, url in enumerate(refs):
            if URIRef(url) not in self.sources:
                self.fail([*path, "sources", i], f"{url!r} is not one of the profile's sources",
                          f"{url!r} ist keine der Quellen des Steckbriefs")  # fmt: skip
            else:
                out.append(URIRef(url))
        return out

    def cite(self, s: URIRef, item: Mapping[str, Any], path: Sequence[str | int]) -> None:
        for src in self.item_sources(item, path):
            self.add(s, DCTERMS.source, src)

    def instant(self, value: Literal, note: Any = None) -> URIRef:
        iri = zeitpunkt_iri(f"{self.slug}-{value}")
        self.add(iri, RDF.type, TIME.Instant)
        if value.datatype == XSD.date:
            pred = TIME.inXSDDate
        elif value.datatype == XSD.gYearMonth:
            pred = TIME.inXSDgYearMonth
        else:
            pred = TIME.inXSDgYear
        self.add(iri, pred, value)
        for lit in _lang_literals(note):
            self.add(iri, SKOS.note, lit)
        return iri

    # ----------------------------------------------------------------- resolution

    def land_hint(self, explicit: str | None) -> str | None:
        if explicit:
            return explicit
        return self.laender[0] if len(self.laender) == 1 else None

    def resolve(self, ref: Any, path: Sequence[str | int], *, members: bool = True) -> Ref | None:
        """A member name (string: a member's name first) or reference object → Ref."""
        if isinstance(ref, str):
            if members and ref in self.members_by_name:
                return self.members_by_name[ref]
            ref = {"name": ref}
        from . import resolve as rs

        name = ref["name"]
        ags = ref.get("ags")
        kind = ref.get("kind") or ("kreis" if ags and len(ags) == 5 else "gemeinde")
        name_path = [*path, "name"] if isinstance(self.at(path), dict) else list(path)
        if kind == "land":
            land = rs.resolve_land(ags or name)
            if land is None:
                listed = ", ".join(f"{k.code} {k.name}" for k in rs.laender())
                self.fail(name_path, f"no Land named {name!r}; Länder: {listed}",
                          f"kein Land namens {name!r}; Länder: {listed}")  # fmt: skip
                return None
            return Ref(land_iri(land.key), land.key, land.name, land.key, True)
        if kind == "kreis":
            if ags and len(ags) != 5:
                self.fail([*path, "ags"], "a Kreis has a five-digit key")
                return None
            try:
                found = rs.resolve_kreis(ags or name, land=self.land_hint(ref.get("land")))
            except InputError as exc:
                self.fail(name_path, exc.message)
                return None
            if ags and found and found[0].key != ags:
                found = []
            if len(found) != 1:
                listed = "; ".join(f"{k.key} {k.name} ({k.land_code})" for k in found)
                self.fail(
                    name_path,
                    f"Kreis {name!r} is ambiguous: {listed}; give land: or ags:"
                    if found
                    else f"no Kreis named {name!r} (key {ags})"
                    if ags
                    else f"no Kreis named {name!r}",
                )
                return None
            k = found[0]
            return Ref(kreis_iri(k.key), k.key, k.name, k.land_key, True)
        if ags and len(ags) != 8:
            self.fail([*path, "ags"], "a Gemeinde has an eight-digit AGS (a Kreis: kind: kreis)")
            return None
        try:
            res = rs.resolve(name, land=self.land_hint(ref.get("land")), kreis=ref.get("kreis"))
        except InputError as exc:
            self.fail(name_path, exc.message)
            return None
        candidates = list(res.candidates)
        if res.status != rs.UNIQUE and len(self.laender) > 1 and not ref.get("land"):
            candidates = [c for c in candidates if c.land_code in self.laender]
            if len(candidates) == 1 and res.status == rs.AMBIGUOUS:
                res = rs.Resolution(name, rs.UNIQUE, candidates[0], tuple(candidates))
        listed = "; ".join(c.one_line() for c in candidates)
        if res.status == rs.UNIQUE and res.match is not None:
            if ags and res.match.ags != ags:
                self.fail(
                    [*path, "ags"],
                    f"AGS {ags} does not fit {name!r}, which is {res.match.one_line()}",
                    f"AGS {ags} passt nicht zu {name!r}, das ist {res.match.one_line()}",
                )
                return None
            m = res.match
            if m.score < rs.EXACT_SCORE and not ags:
                self.notes.append(self.doc.problem(
                    name_path, f"{name!r} taken as {m.one_line()} (approximate match, score "
                    f"{m.score:.0f}); give ags: to confirm",
                    f"{name!r} gelesen als {m.one_line()} (ungefähr, Ähnlichkeit "
                    f"{m.score:.0f}); zur Bestätigung ags: angeben"))  # fmt: skip
            return Ref(kommune_iri(m.ags), m.ags, m.name, m.land_key, m.score >= rs.EXACT_SCORE)
        if res.status == rs.AMBIGUOUS:
            chosen = [c for c in candidates if c.ags == ags]
            if ags and chosen:
                m = chosen[0]
                return Ref(kommune_iri(m.ags), m.ags, m.name, m.land_key, True)
            self.fail(
                name_path,
                f"{name!r} is ambiguous, {len(candidates)} municipalities match: {listed}; "
                "add land: (e.g. NW), kreis: or ags:",
                f"{name!r} ist mehrdeutig, {len(candidates)} Gemeinden kommen in Frage: {listed}; "
                "land: (z. B. NW), kreis: oder ags: angeben",
            )
            return None
        self.fail(
            name_path,
            f"unknown municipality {name!r}"
            + (f"; closest names: {listed}" if listed else ", nor any with a similar name"),
            f"unbekannte Gemeinde {name!r}"
            + (f"; ähnliche Namen: {listed}" if listed else ", auch keine ähnlich lautende"),
        )
        return None

    def at(self, path: Sequence[str | int]) -> Any:
        node: Any = self.p
        for part in path:
            node = node[part]
        return node

    # ----------------------------------------------------------------- parts

    def build(self) -> Built:
        p, coop, add = self.p, self.coop, self.add
        codes = _land_codes()
        for i, code in enumerate(p.get("laender", [])):
            if code not in codes:
                self.fail(["laender", i], f"unknown Land {code!r}; allowed: {', '.join(codes)}")
            else:
                self.laender.append(code)
        # sources
        source_section = turtle.Section(None)
        seen_urls: set[str] = set()
        for i, src in enumerate(p["sources"]):
            iri = URIRef(src["url"])
            if src["url"] in seen_urls:
                self.fail(["sources", i, "url"], "source listed twice")
                continue
            refused = refused_host(src["url"])
            if refused is not None:
                host, why = refused
                self.fail(["sources", i, "url"],
                          f"{host} is not accepted as a source ({why}); cite the original",
                          f"{host} wird als Quelle nicht angenommen ({why}); das Original "
                          "angeben")  # fmt: skip
                continue
            seen_urls.add(src["url"])
            self.sources.append(iri)
            source_section.subjects.append(iri)
            add(iri, RDF.type, COOP.Quelle)
            add(iri, DCTERMS.title, Literal(src["title"]))
            if src.get("publisher"):
                add(iri, DCTERMS.publisher, Literal(src["publisher"]))
            if src.get("date") is not None:
                add(iri, DCTERMS.date, self.date(src["date"], ["sources", i, "date"]))
            if src.get("accessed") is not None:
                add(iri, COOP.abgerufenAm, self.date(src["accessed"], ["sources", i, "accessed"]))
            add(iri, FOAF.page, iri)
        self.sections.append(source_section)

        main = turtle.Section("the cooperation", [coop])
        self.sections.append(main)
        add(coop, RDF.type, COOP.Kooperation)
        add(coop, RDF.type, ORG.OrganizationalCollaboration)
        add(coop, RDFS.label, Literal(p["name"]))
        for alt in p.get("alt_names", []):
            add(coop, SKOS.altLabel, Literal(alt))
        for key, pred in (
            ("description", DCTERMS.description),
            ("goals", COOP.ziel),
            ("legal_basis", COOP.rechtsgrundlage),
            ("note", SKOS.note),
        ):
            for lit in _lang_literals(p.get(key)):
                add(coop, pred, lit)
        if p.get("slogan"):
            add(coop, SCHEMA.slogan, Literal(p["slogan"]))
        if p.get("sector"):
            add(coop, COOP.themenbereich, self.concept("themenbereich", p["sector"], ["sector"]))
        if p.get("legal_form") is not None:
            add(coop, COOP.rechtsform, self.concept("rechtsform", p["legal_form"], ["legal_form"]))
        if p.get("seat"):
            add(coop, COOP.sitz, Literal(p["seat"]))
        for code in self.laender:
            add(coop, COOP.land, land_iri(codes[code]))
        add(coop, COOP.staat, GERMANY)
        if p.get("project_start") is not None:
            add(coop, COOP.projektstart,
                self.date(p["project_start"], ["project_start"], year_only=True))  # fmt: skip
        if p.get("founded") is not None:
            add(coop, COOP.gruendungsdatum, self.date(p["founded"], ["founded"]))
        if p.get("members_complete") is not None:
            add(coop, COOP.mitgliederVollstaendig, Literal(bool(p["members_complete"])))
        if p.get("register_kreis") is not None:
            key = p["register_kreis"]
            ref = {"name": key, "kind": "kreis", "ags": key}
            kreis = self.resolve(ref, ["register_kreis"], members=False)
            if kreis is not None:
                add(coop, COOP.gebietskoerperschaft, kreis.iri)
        if p.get("website"):
            add(coop, FOAF.homepage, URIRef(p["website"]))
        if p.get("wikidata"):
            add(coop, OWL.sameAs, WD[p["wikidata"]])
        for i, value in enumerate(p.get("fields_of_action", [])):
            add(coop, COOP.handlungsfeld,
                self.concept("handlungsfeld", value, ["fields_of_action", i]))  # fmt: skip
        for src in self.sources:
            add(coop, DCTERMS.source, src)

        self.members(main)
        self.coordinates(main)
        self.contact(main)
        for key, pred in (("partners", COOP.partner), ("funders", SCHEMA.funder)):
            for i, org in enumerate(p.get(key, [])):
                iri = self.organisation(org, [key, i], main, partner=key == "partners")
                add(coop, pred, iri)
        self.office(main)
        self.contract()
        self.bodies()
        if self.problems:
            raise ProfileInvalid(
                self.doc.file, sorted(set(self.problems), key=lambda x: (x.line or 0, x.field))
            )
        return Built(self.slug, coop, self.g, self.sections, self.comments, self.notes)

    def members(self, main: turtle.Section) -> None:
        p, add, coop = self.p, self.add, self.coop
        section = turtle.Section("memberships")
        instants = turtle.Section(None)
        seen: dict[URIRef, int] = {}
        resolved: list[tuple[int, dict[str, Any], Ref]] = []
        for i, m in enumerate(p["members"]):
            ref = self.resolve(m, ["members", i], members=False)
            if ref is None:
                continue
            if ref.iri in seen:
                self.fail(["members", i, "name"],
                          f"{m['name']!r} is {ref.label} ({ref.key}), already member "
                          f"{seen[ref.iri] + 1} of the list")  # fmt: skip
                continue
            seen[ref.iri] = i
            self.members_by_name.setdefault(m["name"], ref)
            resolved.append((i, m, ref))
        for i, m, ref in resolved:
            path: list[str | int] = ["members", i]
            ms = mitgliedschaft_iri(self.slug, ref.key)
            period = zeitraum_iri(f"{self.slug}-{ref.key}")
            section.subjects += [ms, period]
            add(coop, ORG.hasMember, ref.iri)
            add(ms, RDF.type, COOP.Mitgliedschaft)
            add(ms, RDF.type, ORG.Membership)
            add(ms, ORG.member, ref.iri)
            self.comments[ref.iri] = ref.label
            add(ms, ORG.organization, coop)
            if m.get("role"):
                add(ms, ORG.role, self.concept("mitgliedsrolle", m["role"], [*path, "role"]))
            add(ms, ORG.memberDuring, period)
            add(period, RDF.type, TIME.Interval)
            since = self.date(m["since"], [*path, "since"]) if m.get("since") is not None else None
            until = self.date(m["until"], [*path, "until"]) if m.get("until") is not None else None
            if since is not None:
                begin = self.instant(since)
                add(period, TIME.hasBeginning, begin)
                instants.subjects.append(begin)
            elif m.get("since") is None:
                add(ms, COOP.beginnUnbekannt, Literal(True))
            if until is not None:
                if since is not None and _before(until, since):
                    self.fail([*path, "until"],
                              f"member until {until} lies before member since {since}",
                              f"Mitglied bis {until} liegt vor Mitglied seit {since}")  # fmt: skip
                end = self.instant(until)
                add(period, TIME.hasEnd, end)
                instants.subjects.append(end)
            if m.get("attested") is not None:
                add(ms, COOP.bestaetigtAm, self.date(m["attested"], [*path, "attested"]))
            spellings = m.get("as_written")
            if spellings is None:
                spellings = [] if ref.exact or m["name"] == ref.label else [m["name"]]
            for s in spellings:
                add(ms, COOP.schreibweiseInQuelle, Literal(s))
            for lit in _lang_literals(m.get("note")):
                add(ms, SKOS.note, lit)
            self.cite(ms, m, path)
        self.member_section = section
        self.member_instants = instants

    def coordinates(self, main: turtle.Section) -> None:
        c = self.p.get("coordinates")
        if not c:
            return
        geom = geometrie_iri(f"kooperation-{self.slug}")
        main.subjects.append(geom)
        self.add(self.coop, GEO.hasGeometry, geom)
        self.add(geom, RDF.type, GEO.Geometry)
        wkt = f"POINT({_num(c['lon'])} {_num(c['lat'])})"
        self.add(geom, GEO.asWKT, Literal(wkt, datatype=GEO.wktLiteral))
        if c.get("as_written"):
            self.add(geom, COOP.schreibweiseInQuelle, Literal(c["as_written"]))
        self.cite(geom, c, ["coordinates"])

    def contact(self, main: turtle.Section) -> None:
        c = self.p.get("contact")
        if not c:
            return
        add = self.add
        if not c.get("name"):  # no person named: a contact point (organisation, address …)
            point = kontaktstelle_iri(self.slug)
            main.subjects.append(point)
            add(self.coop, SCHEMA.contactPoint, point)
            add(point, RDF.type, SCHEMA.ContactPoint)
            if c.get("organization"):
                add(point, RDFS.label, Literal(c["organization"]))
            if c.get("kommune"):
                ref = self.resolve(c["kommune"], ["contact", "kommune"])
                if ref is not None:
                    add(point, SCHEMA.location, ref.iri)
            for key, pred in CONTACT_FIELDS:
                if c.get(key):
                    add(point, pred, Literal(c[key]))
            self.cite(point, c, ["contact"])
            return
        person = person_iri(c.get("id") or slugify(c["name"]))
        main.subjects.append(person)
        add(self.coop, COOP.kontaktperson, person)
        add(person, RDF.type, SCHEMA.Person)
        if c.get("honorific"):
            add(person, SCHEMA.honorificPrefix, Literal(c["honorific"]))
        add(person, SCHEMA.name, Literal(c["name"]))
        if c.get("kommune"):
            ref = self.resolve(c["kommune"], ["contact", "kommune"])
            if ref is not None:
                add(person, SCHEMA.worksFor, ref.iri)
        if c.get("organization"):
            org = organisation_iri(slugify(c["organization"]))
            add(org, RDF.type, ORG.FormalOrganization)
            add(org, RDFS.label, Literal(c["organization"]))
            self.cite(org, c, ["contact"])
            main.subjects.append(org)
            add(person, SCHEMA.worksFor, org)
        for key, pred in CONTACT_FIELDS:
            if c.get(key):
                add(person, pred, Literal(c[key]))
        self.cite(person, c, ["contact"])

    def organisation(
        self, o: Mapping[str, Any], path: list[str | int], main: turtle.Section, *, partner: bool
    ) -> URIRef:
        add = self.add
        iri = organisation_iri(o.get("id") or slugify(o["name"]))
        parent = o.get("unit_of")
        if parent:
            up = organisation_iri(parent.get("id") or slugify(parent["name"]))
            main.subjects.append(up)
            add(up, RDF.type, ORG.FormalOrganization)
            add(up, RDFS.label, Literal(parent["name"]))
            if parent.get("website"):
                add(up, FOAF.homepage, URIRef(parent["website"]))
            if parent.get("wikidata"):
                add(up, OWL.sameAs, WD[parent["wikidata"]])
            self.cite(up, o, path)
        main.subjects.append(iri)
        if partner:
            add(iri, RDF.type, COOP.Partnerorganisation)
        add(iri, RDF.type, ORG.OrganizationalUnit if parent else ORG.FormalOrganization)
        add(iri, RDFS.label, Literal(o["name"]))
        if parent:
            add(iri, ORG.unitOf, up)
        if o.get("website"):
            add(iri, FOAF.homepage, URIRef(o["website"]))
        if o.get("wikidata"):
            add(iri, OWL.sameAs, WD[o["wikidata"]])
        self.cite(iri, o, path)
        return iri

    def office(self, main: turtle.Section) -> None:
        o = self.p.get("office")
        if not o:
            return
        add = self.add
        site = geschaeftsstelle_iri(self.slug)
        main.subjects.append(site)
        add(self.coop, COOP.geschaeftsstelle, site)
        add(self.coop, ORG.hasSite, site)
        add(site, RDF.type, COOP.Geschaeftsstelle)
        add(site, RDF.type, ORG.Site)
        add(site, RDFS.label, Literal(o["name"]))
        add(site, ORG.siteOf, self.coop)
        ref = self.resolve(o["host"], ["office", "host"]) if o.get("host") else None
        if ref is not None:
            add(site, COOP.traeger, ref.iri)
        for lit in _lang_literals(o.get("note")):
            add(site, SKOS.note, lit)
        self.cite(site, o, ["office"])

    def contract(self) -> None:
        c = self.p.get("contract")
        if not c:
            self.sections += [self.member_section, self.member_instants]
            return
        add = self.add
        section = turtle.Section("the founding agreement")
        date = c.get("date")
        when: URIRef | None = None
        extra: list[URIRef] = []
        year = ""
        if date is None:
            pass
        elif isinstance(date, dict):
            start = self.date(date["from"], ["contract", "date", "from"])
            end = self.date(date["to"], ["contract", "date", "to"])
            year = str(date["from"])[:4]
            if start is not None and end is not None:
                if _before(end, start):
                    self.fail(["contract", "date", "to"], f"{end} lies before {start}")
                when = zeitraum_iri(f"{self.slug}-kontrakt")
                add(when, RDF.type, TIME.Interval)
                b, e = self.instant(start), self.instant(end)
                add(when, TIME.hasBeginning, b)
                add(when, TIME.hasEnd, e)
                for lit in _lang_literals(c.get("date_note")):
                    add(when, SKOS.note, lit)
                extra = [when, b, e]
        else:
            year = str(date)[:4]
            day = self.date(date, ["contract", "date"])
            when = self.instant(day, c.get("date_note")) if day is not None else None
            extra = [when] if when is not None else []
        k = kontrakt_iri(f"{self.slug}-{year}" if year else self.slug)
        section.subjects = [k, *extra]
        add(k, RDF.type, COOP.Kontrakt)
        add(k, RDF.type, ORG.ChangeEvent)
        add(k, DCTERMS.title, Literal(c["title"]))
        if c.get("kind"):
            add(k, COOP.kontraktart, self.concept("kontraktart", c["kind"], ["contract", "kind"]))
        add(k, COOP.abschluss, when)
        for lit in _lang_literals(c.get("signed_by")):
            add(k, COOP.unterzeichnetDurch, lit)
        for i, s in enumerate(c.get("signatories", [])):
            ref = self.resolve(s, ["contract", "signatories", i])
            if ref is not None:
                add(k, COOP.unterzeichner, ref.iri)
        add(k, ORG.resultingOrganization, self.coop)
        self.cite(k, c, ["contract"])
        self.sections.append(section)
        self.sections += [self.member_section, self.member_instants]

    def bodies(self) -> None:
        bodies = self.p.get("bodies", [])
        if not bodies:
            return
        add = self.add
        section = turtle.Section("bodies (Gremien)")
        by_name: dict[str, URIRef] = {}
        iris = []
        for i, b in enumerate(bodies):
            iri = gremium_iri(self.slug, b.get("id") or slugify(b["name"]))
            if iri in iris:
                self.fail(["bodies", i, "name"], "two bodies with the same id; give id:")
            iris.append(iri)
            by_name[b["name"]] = iri
        for i, (b, iri) in enumerate(zip(bodies, iris, strict=True)):
            section.subjects.append(iri)
            add(self.coop, ORG.hasUnit, iri)
            add(iri, RDF.type, COOP.Gremium)
            add(iri, RDF.type, ORG.OrganizationalUnit)
            add(iri, RDFS.label, Literal(b["name"]))
            add(iri, COOP.gremienart, self.concept("gremienart", b["kind"], ["bodies", i, "kind"]))
            if b.get("part_of"):
                whole = by_name.get(b["part_of"])
                if whole is None:
                    self.fail(["bodies", i, "part_of"],
                              f"no body named {b['part_of']!r} in this profile; "
                              f"bodies: {', '.join(by_name)}")  # fmt: skip
                add(iri, COOP.bestandteilVon, whole)
            for key, pred in (("status", COOP.status), ("note", SKOS.note)):
                for lit in _lang_literals(b.get(key)):
                    add(iri, pred, lit)
            add(iri, ORG.unitOf, self.coop)
            self.cite(iri, b, ["bodies", i])
        # bodies come after the cooperation, before the agreement and memberships
        self.sections.insert(2, section)


def _num(x: float | int) -> str:
    return repr(float(x)) if not isinstance(x, int) else str(x)


def _before(a: Literal, b: Literal) -> bool:
    """Whether date/year ``a`` lies before ``b`` (a year compares by its year only)."""
    sa, sb = str(a), str(b)
    if a.datatype == XSD.gYear or b.datatype == XSD.gYear:
        return sa[:4] < sb[:4]
    return sa < sb


@lru_cache(maxsize=1)
def _refused_hosts() -> dict[str, str]:
    from .workspace import package_dir

    path = package_dir("schemas") / "refused-source-hosts.json"
    entries = json.loads(path.read_text(encoding="utf-8"))["hosts"]
    return {e["host"]: f"{e['kind']}: {e['why']}" for e in entries}


def refused_host(url: str) -> tuple[str, str] | None:
    """(host, why) when a URL's host, or a domain it lies in, is on the refused list."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    refused = _refused_hosts()
    parts = host.split(".")
    for i in range(len(parts) - 1):
        domain = ".".join(parts[i:])
        if domain in refused:
            return domain, refused[domain]
    return None


@lru_cache(maxsize=1)
def _land_codes() -> dict[str, str]:
    from .resolve import land_codes

    return dict(sorted(land_codes().items()))


def load(path: str | Path) -> Document:
    """Read a profile and check it against the JSON Schema (ProfileInvalid lists every problem)."""
    doc = read_yaml(Path(path))
    if not isinstance(doc.data, dict):
        raise InputError("a profile is a mapping of keys (slug:, name:, members: …)", file=path,
                         line=1)  # fmt: skip
    problems = check_schema(doc)
    if problems:
        raise ProfileInvalid(path, problems)
    return doc


def build(doc: Document) -> Built:
    """The cooperation's graph from a checked profile; ProfileInvalid lists every problem."""
    return _Builder(doc).build()


def build_file(path: str | Path) -> Built:
    return build(load(path))


def is_profile(path: str | Path) -> bool:
    return Path(path).suffix.lower() in PROFILE_SUFFIXES


# ============================================================================ export


def _one(g: Graph, s: Node, p: URIRef) -> Node | None:
    values = sorted(g.objects(s, p), key=str)
    return values[0] if values else None


def _text(g: Graph, s: Node, p: URIRef) -> str | None:
    v = _one(g, s, p)
    return None if v is None else str(v)


def _lang_value(g: Graph, s: Node, p: URIRef, *, lists: bool = False) -> Any:
    by_lang: dict[str, list[str]] = {}
    for o in g.objects(s, p):
        if isinstance(o, Literal):
            by_lang.setdefault(o.language or "de", []).append(str(o))
    if not by_lang:
        return None
    out: dict[str, Any] = {}
    for lang in ("de", "en"):
        texts = sorted(by_lang.get(lang, []))
        if texts:
            out[lang] = texts if (lists or len(texts) > 1) else texts[0]
    return out


def _local(iri: Node, base: str) -> str:
    return str(iri)[len(base) :]


def _sources_of(g: Graph, s: Node, all_sources: list[str]) -> list[str] | None:
    mine = sorted(str(o) for o in g.objects(s, DCTERMS.source))
    return None if mine == sorted(all_sources) else [u for u in all_sources if u in mine]


def _date_value(lit: Node | None) -> Any:
    if lit is None:
        return None
    text = str(lit)
    return int(text) if re.fullmatch(r"[0-9]{4}", text) else text


def _instant_value(g: Graph, instant: Node | None) -> Any:
    if instant is None:
        return None
    return _date_value(
        _one(g, instant, TIME.inXSDDate)
        or _one(g, instant, TIME.inXSDgYearMonth)
        or _one(g, instant, TIME.inXSDgYear)
    )


def _put(d: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, [], {}):
        d[key] = value


def _ref_name(g: Graph, iri: Node, members: Mapping[Node, str]) -> Any:
    if iri in members:
        return members[iri]
    from . import resolve as rs

    text = str(iri)
    if text.startswith(f"{ID}kommune/"):
        ags = _local(iri, f"{ID}kommune/")
        c = rs.gemeinde_by_ags(ags)
        return {"name": c.name if c else ags, "ags": ags}
    key = _local(iri, f"{ID}kreis/")
    k = rs.kreis_by_key(key)
    return {"name": k.name if k else key, "ags": key, "kind": "kreis"}


def find_cooperation(name: str, data_dir: Path) -> tuple[URIRef, Path]:
    """A cooperation by slug or IRI, and the file in ``data_dir/kooperationen`` describing it."""
    base = f"{ID}kooperation/"
    slug = name[len(base) :] if name.startswith(base) else name
    iri = kooperation_iri(slug)
    folder = data_dir / "kooperationen"
    candidate = folder / f"{slug}.ttl"
    if candidate.is_file():
        return iri, candidate
    for path in sorted(folder.glob("*.ttl")):
        if f"kooperation:{slug}\n" in path.read_text(encoding="utf-8") or str(iri) in (
            path.read_text(encoding="utf-8")
        ):
            return iri, path
    known = ", ".join(p.stem for p in sorted(folder.glob("*.ttl")))
    raise InputError(f"no cooperation {name!r} in {folder}; known: {known}", field="NAME")


def export(g: Graph, coop: URIRef) -> dict[str, Any]:
    """A cooperation's graph as a profile (plain data, ready for YAML)."""
    from . import resolve as rs

    if (coop, RDF.type, COOP.Kooperation) not in g:
        raise InputError(f"{coop} is not described as a coop:Kooperation", field="NAME")
    p: dict[str, Any] = {
        "slug": _local(coop, f"{ID}kooperation/"),
        "name": _text(g, coop, RDFS.label),
    }
    all_sources = sorted(str(o) for o in g.objects(coop, DCTERMS.source))
    _put(p, "alt_names", sorted(str(o) for o in g.objects(coop, SKOS.altLabel)))
    _put(p, "description", _lang_value(g, coop, DCTERMS.description))
    _put(p, "goals", _lang_value(g, coop, COOP.ziel, lists=True))
    _put(p, "slogan", _text(g, coop, SCHEMA.slogan))
    _put(p, "legal_basis", _lang_value(g, coop, COOP.rechtsgrundlage))
    sector = _one(g, coop, COOP.themenbereich)
    _put(p, "sector", _local(sector, f"{VOCAB}themenbereich/") if sector else None)
    form = _one(g, coop, COOP.rechtsform)
    p["legal_form"] = _local(form, f"{VOCAB}rechtsform/") if form else None
    key_to_code = {v: k for k, v in _land_codes().items()}
    _put(p, "laender", sorted(key_to_code[_local(o, f"{ID}land/")]
                              for o in g.objects(coop, COOP.land)))  # fmt: skip
    _put(p, "seat", _text(g, coop, COOP.sitz))
    _put(p, "project_start", _date_value(_one(g, coop, COOP.projektstart)))
    _put(p, "founded", _date_value(_one(g, coop, COOP.gruendungsdatum)))
    same_kreis = _one(g, coop, COOP.gebietskoerperschaft)
    _put(p, "register_kreis", _local(same_kreis, f"{ID}kreis/") if same_kreis else None)
    _put(p, "website", _text(g, coop, FOAF.homepage))
    same = _one(g, coop, OWL.sameAs)
    _put(p, "wikidata", _local(same, str(WD)) if same else None)
    geom = _one(g, coop, GEO.hasGeometry)
    if geom is not None:
        m = re.fullmatch(r"\s*POINT\s*\(\s*(\S+)\s+(\S+)\s*\)\s*", _text(g, geom, GEO.asWKT) or "")
        if m:
            c: dict[str, Any] = {"lat": float(m.group(2)), "lon": float(m.group(1))}
            _put(c, "as_written", _text(g, geom, COOP.schreibweiseInQuelle))
            _put(c, "sources", _sources_of(g, geom, all_sources))
            p["coordinates"] = c
    person = _one(g, coop, COOP.kontaktperson)
    members_out: list[dict[str, Any]] = []
    member_names: dict[Node, str] = {}
    memberships = sorted(g.subjects(ORG.organization, coop), key=str)
    for ms in memberships:
        who = _one(g, ms, ORG.member)
        if who is None:
            continue
        entry: dict[str, Any] = {}
        if str(who).startswith(f"{ID}kreis/"):
            key = _local(who, f"{ID}kreis/")
            kreis = rs.kreis_by_key(key)
            entry.update(name=kreis.name if kreis else key, ags=key, kind="kreis")
        elif str(who).startswith(f"{ID}land/"):
            land = rs.resolve_land(_local(who, f"{ID}land/"))
            entry.update(name=land.name if land else str(who), kind="land")
        else:
            ags = _local(who, f"{ID}kommune/")
            cand = rs.gemeinde_by_ags(ags)
            entry.update(name=cand.name if cand else ags, ags=ags)
        member_names[who] = entry["name"]
        period = _one(g, ms, ORG.memberDuring)
        if period is not None:
            _put(entry, "since", _instant_value(g, _one(g, period, TIME.hasBeginning)))
            _put(entry, "until", _instant_value(g, _one(g, period, TIME.hasEnd)))
        _put(entry, "attested", _date_value(_one(g, ms, COOP.bestaetigtAm)))
        role = _one(g, ms, ORG.role)
        _put(entry, "role", _local(role, f"{VOCAB}mitgliedsrolle/") if role else None)
        spellings = sorted(str(o) for o in g.objects(ms, COOP.schreibweiseInQuelle))
        _put(entry, "as_written", spellings)
        _put(entry, "note", _lang_value(g, ms, SKOS.note))
        _put(entry, "sources", _sources_of(g, ms, all_sources))
        members_out.append(entry)
    point = _one(g, coop, SCHEMA.contactPoint)
    if point is not None:
        cp: dict[str, Any] = {}
        _put(cp, "organization", _text(g, point, RDFS.label))
        where = _one(g, point, SCHEMA.location)
        _put(cp, "kommune", _ref_name(g, where, member_names) if where is not None else None)
        for key, pred in CONTACT_FIELDS:
            _put(cp, key, _text(g, point, pred))
        _put(cp, "sources", _sources_of(g, point, all_sources))
        p["contact"] = cp
    if person is not None:
        c = {"name": _text(g, person, SCHEMA.name)}
        if _local(person, f"{ID}person/") != slugify(c["name"] or ""):
            c["id"] = _local(person, f"{ID}person/")
        _put(c, "honorific", _text(g, person, SCHEMA.honorificPrefix))
        for w in sorted(g.objects(person, SCHEMA.worksFor), key=str):
            if str(w).startswith((f"{ID}kommune/", f"{ID}kreis/")):
                c["kommune"] = _ref_name(g, w, member_names)
            else:
                c["organization"] = _text(g, w, RDFS.label)
        for key, pred in CONTACT_FIELDS:
            _put(c, key, _text(g, person, pred))
        _put(c, "sources", _sources_of(g, person, all_sources))
        p["contact"] = c
    complete = _one(g, coop, COOP.mitgliederVollstaendig)
    if complete is not None:
        p["members_complete"] = str(complete).lower() in ("true", "1")
    p["members"] = members_out
    for key, pred in (("partners", COOP.partner), ("funders", SCHEMA.funder)):
        orgs = []
        for o in sorted(g.objects(coop, pred), key=str):
            entry = {"name": _text(g, o, RDFS.label)}
            if _local(o, f"{ID}organisation/") != slugify(entry["name"] or ""):
                entry["id"] = _local(o, f"{ID}organisation/")
            up = _one(g, o, ORG.unitOf)
            if up is not None:
                u: dict[str, Any] = {"name": _text(g, up, RDFS.label)}
                if _local(up, f"{ID}organisation/") != slugify(u["name"] or ""):
                    u["id"] = _local(up, f"{ID}organisation/")
                _put(u, "website", _text(g, up, FOAF.homepage))
                wd = _one(g, up, OWL.sameAs)
                _put(u, "wikidata", _local(wd, str(WD)) if wd else None)
                entry["unit_of"] = u
            _put(entry, "website", _text(g, o, FOAF.homepage))
            wd = _one(g, o, OWL.sameAs)
            _put(entry, "wikidata", _local(wd, str(WD)) if wd else None)
            _put(entry, "sources", _sources_of(g, o, all_sources))
            orgs.append(entry)
        _put(p, key, orgs)
    kontrakt = next(iter(sorted(g.subjects(ORG.resultingOrganization, coop), key=str)), None)
    if kontrakt is not None:
        k = kontrakt
        c = {"title": _text(g, k, DCTERMS.title)}
        kind = _one(g, k, COOP.kontraktart)
        _put(c, "kind", _local(kind, f"{VOCAB}kontraktart/") if kind else None)
        when = _one(g, k, COOP.abschluss)
        if when is not None and (when, RDF.type, TIME.Interval) in g:
            c["date"] = {
                "from": _instant_value(g, _one(g, when, TIME.hasBeginning)),
                "to": _instant_value(g, _one(g, when, TIME.hasEnd)),
            }
        else:
            _put(c, "date", _instant_value(g, when))
        _put(c, "date_note", _lang_value(g, when, SKOS.note) if when is not None else None)
        _put(c, "signed_by", _lang_value(g, k, COOP.unterzeichnetDurch))
        signatories = sorted(g.objects(k, COOP.unterzeichner), key=str)
        _put(c, "signatories", [_ref_name(g, s, member_names) for s in signatories])
        _put(c, "sources", _sources_of(g, k, all_sources))
        p["contract"] = c
    bodies = []
    for b in sorted(g.objects(coop, ORG.hasUnit), key=str):
        entry = {"name": _text(g, b, RDFS.label)}
        local = _local(b, f"{ID}gremium/{p['slug']}-")
        if local != slugify(entry["name"] or ""):
            entry["id"] = local
        kind = _one(g, b, COOP.gremienart)
        _put(entry, "kind", _local(kind, f"{VOCAB}gremienart/") if kind else None)
        whole = _one(g, b, COOP.bestandteilVon)
        _put(entry, "part_of", _text(g, whole, RDFS.label) if whole is not None else None)
        _put(entry, "status", _lang_value(g, b, COOP.status))
        _put(entry, "note", _lang_value(g, b, SKOS.note))
        _put(entry, "sources", _sources_of(g, b, all_sources))
        bodies.append(entry)
    _put(p, "bodies", bodies)
    site = _one(g, coop, COOP.geschaeftsstelle)
    if site is not None:
        office: dict[str, Any] = {"name": _text(g, site, RDFS.label)}
        host = _one(g, site, COOP.traeger)
        _put(office, "host", _ref_name(g, host, member_names) if host is not None else None)
        _put(office, "note", _lang_value(g, site, SKOS.note))
        _put(office, "sources", _sources_of(g, site, all_sources))
        p["office"] = office
    _put(p, "fields_of_action", sorted(_local(o, f"{VOCAB}handlungsfeld/")
                                       for o in g.objects(coop, COOP.handlungsfeld)))  # fmt: skip
    _put(p, "note", _lang_value(g, coop, SKOS.note))
    sources = []
    for url in all_sources:
        s = URIRef(url)
        entry = {"url": url, "title": _text(g, s, DCTERMS.title)}
        _put(entry, "publisher", _text(g, s, DCTERMS.publisher))
        _put(entry, "date", _date_value(_one(g, s, DCTERMS.date)))
        _put(entry, "accessed", _date_value(_one(g, s, COOP.abgerufenAm)))
        sources.append(entry)
    p["sources"] = sources
    return p


class _Dumper(yaml.SafeDumper):
    """Quotes digit strings (an AGS like 05911000 must stay text for every YAML reader)."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "'" if value.isdigit() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(profile: Mapping[str, Any]) -> str:
    """A profile as YAML, keys in the format's order, with the schema line for editors."""
    body = yaml.dump(
        dict(profile),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )
    return "# yaml-language-server: $schema=" + SCHEMA_URL + "\n" + body


SCHEMA_URL = "https://w3id.org/coopgraph/schemas/steckbrief.schema.json"


# ============================================================================ import


@dataclass
class ImportResult:
    """What an import did or would do: the Turtle, its validation, the change to the file."""

    target: Path
    turtle: str
    report: Any  # validate.ValidationReport
    existed: bool
    added: list[str]
    removed: list[str]
    written: bool
    twins: list[tuple[str, str]] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    source: str = ""

    def diff_text(self, lang: str = "en") -> str:
        de = lang == "de"
        if not self.existed:
            head = (f"neue Datei {self.target}: {len(self.added)} Tripel" if de
                    else f"new file {self.target}: {len(self.added)} triples")  # fmt: skip
            return head + "\n"
        if not self.added and not self.removed:
            return (
                f"{self.target}: kein Tripel geändert\n"
                if de
                else f"{self.target}: no triple changed\n"
            )
        counts = f"+{len(self.added)} −{len(self.removed)}"
        head = (
            f"Änderungen an {self.target}: {counts} Tripel"
            if de
            else f"changes to {self.target}: {counts} triples"
        )
        lines = [f"  - {t}" for t in self.removed] + [f"  + {t}" for t in self.added]
        return head + "\n" + "\n".join(lines) + "\n"

    def warnings(self, lang: str = "en") -> str:
        """Approximate name matches to review, and cooperations with the same members (probably
        the same one under another IRI)."""
        out = "".join(f"coopgraph: note: {n.render(self.source, lang)}\n" for n in self.notes)
        for iri, name in self.twins:
            out += (
                f"coopgraph: Warnung: {iri} ({name}) hat genau dieselben Mitglieder; "
                "dieselbe Kooperation?\n"
                if lang == "de"
                else f"coopgraph: warning: {iri} ({name}) has exactly the same members; "
                "the same cooperation?\n"
            )
        return out


def _graph_of(data: bytes, origin: str) -> Graph:
    import pyoxigraph as ox

    from .errors import RdfSyntaxError
    from .loader import to_rdflib

    g = Graph()
    try:
        for q in ox.parse(data, format=ox.RdfFormat.TURTLE):
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    except SyntaxError as exc:
        raise RdfSyntaxError(f"syntax error: {exc}", file=origin, line=exc.lineno) from exc
    return g


def _triple_text(g: Graph, triples: Iterable[tuple[Node, Node, Node]]) -> list[str]:
    nm = turtle._namespace_manager(COOPERATION_PREFIXES)
    return sorted(" ".join(t.n3(nm) for t in triple) + " ." for triple in triples)


def import_profile(
    path: str | Path, data_dir: str | Path, *, dry_run: bool = False
) -> ImportResult:
    """Build a profile's Turtle, validate it with what it refers to and, only if it conforms
    (and not ``dry_run``), write ``data_dir/kooperationen/<slug>.ttl`` atomically."""
    from .register import write_atomically
    from .validate import validate_document

    data = Path(data_dir)
    if not data.is_dir():
        raise InputError("no such data folder (give --data DIR)", file=data)
    built = build_file(path)
    text = built.to_turtle()
    target = data / "kooperationen" / f"{built.slug}.ttl"
    report = validate_document(text.encode("utf-8"), str(target))
    new = _graph_of(text.encode("utf-8"), str(target))
    existed = target.is_file()
    old = _graph_of(target.read_bytes(), str(target)) if existed else Graph()
    added = _triple_text(new, set(new) - set(old))
    removed = _triple_text(old, set(old) - set(new))
    written = False
    if (
        report.conforms
        and not dry_run
        and (not existed or target.read_bytes() != text.encode("utf-8"))
    ):
        write_atomically(target, text.encode("utf-8"))
        written = True
    twins = same_members(built)
    return ImportResult(
        target, text, report, existed, added, removed, written, twins, built.notes, str(path)
    )


def same_members(built: Built) -> list[tuple[str, str]]:
    """Other bundled cooperations with exactly the same members: (IRI, label), likely the same
    body under another IRI (e.g. an Amt the register already holds as ``gemeindeverband-…``)."""
    import pyoxigraph as ox

    from .loader import bundled_store

    members = sorted(str(m) for m in built.graph.objects(built.iri, ORG.hasMember))
    if not members:
        return []
    values = " ".join(f"<{m}>" for m in members)
    query = f"""
        SELECT ?k (SAMPLE(?label) AS ?name) WHERE {{
          ?k <{ORG.hasMember}> ?m . VALUES ?m {{ {values} }}
          FILTER (?k != <{built.iri}>)
          FILTER NOT EXISTS {{ ?k <{ORG.hasMember}> ?other .
                               FILTER (?other NOT IN ({", ".join(f"<{m}>" for m in members)})) }}
          OPTIONAL {{ ?k <{RDFS.label}> ?label }}
        }} GROUP BY ?k HAVING (COUNT(DISTINCT ?m) = {len(members)})"""
    rows = bundled_store().query(query, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    out = []
    for row in rows:
        k, name = row["k"], row["name"]
        out.append((str(getattr(k, "value", k)), str(getattr(name, "value", "")) if name else ""))
    return sorted(out)


def export_file(name: str, data_dir: str | Path) -> str:
    """The profile YAML of a cooperation in ``data_dir`` (by slug or IRI)."""
    from .loader import parse_file, to_rdflib

    iri, path = find_cooperation(name, Path(data_dir))
    g = Graph()
    for t in parse_file(path):
        g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return dump_yaml(export(g, iri))
