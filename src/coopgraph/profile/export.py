"""The way back: a cooperation's graph as a profile, so that importing the export gives the
same graph.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, RDF, RDFS, SKOS, TIME
from rdflib.term import Node

from ..errors import InputError
from ..namespaces import COOP, GEO, ID, SCHEMA, VOCAB, WD, kooperation_iri
from .vocab import CONTACT_FIELDS, land_codes, slugify

SCHEMA_URL = "https://w3id.org/coopgraph/schemas/steckbrief.schema.json"


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
    from .. import resolve as rs

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
    from .. import resolve as rs

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
    key_to_code = {v: k for k, v in land_codes().items()}
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


def export_file(name: str, data_dir: str | Path) -> str:
    """The profile YAML of a cooperation in ``data_dir`` (by slug or IRI)."""
    from ..loader import parse_file, to_rdflib

    iri, path = find_cooperation(name, Path(data_dir))
    g = Graph()
    for t in parse_file(path):
        g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return dump_yaml(export(g, iri))
