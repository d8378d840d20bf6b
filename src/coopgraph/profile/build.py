"""A checked profile turned into its cooperation's graph: every name resolved against the
register, every controlled value against the SKOS schemes, laid out as deterministic Turtle.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, RDF, RDFS, SKOS, TIME, XSD
from rdflib.term import Node

from .. import turtle
from ..errors import InputError
from ..namespaces import (
    COOP,
    COOPERATION_PREFIXES,
    GEO,
    SCHEMA,
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
    zeitpunkt_iri,
    zeitraum_iri,
)
from .document import Document, Problem, ProfileInvalid, load
from .vocab import CONTACT_FIELDS, concepts, fold, land_codes, slugify

GERMANY = WD.Q183


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
        folded = fold(value)
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
        from .. import resolve as rs

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
        codes = land_codes()
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
    from ..workspace import package_dir

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


def build(doc: Document) -> Built:
    """The cooperation's graph from a checked profile; ProfileInvalid lists every problem."""
    return _Builder(doc).build()


def build_file(path: str | Path) -> Built:
    return build(load(path))
