"""The template context of a page, built from a :class:`~coopgraph.lod.graph.GraphView`: one
resource (:class:`PageBuilder`), the browse pages (:func:`browse_context`), the ontology
(:func:`ontology_context`)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox

from ..directory import KINDS, SIZES, Directory, Entry, size_bucket
from ..namespaces import (
    COOP,
    DCT_NS,
    FOAF_NS,
    ID,
    OWL_NS,
    PREFIXES,
    RDFS_NS,
    SCHEMA_NS,
    SKOS_NS,
    TIME_NS,
    VOCAB,
    XSD_NS,
)
from .graph import GraphView
from .maps import parse_point, svg_map
from .paths import Linker, kind_of, path_for
from .terms import (
    COOP_BEGINN_UNBEKANNT,
    COOP_BESTAETIGT_AM,
    COOP_KREIS,
    COOP_LAND,
    COOP_SCHREIBWEISE,
    DCT_SOURCE,
    FOAF_PAGE,
    GEO_AS_WKT,
    GEO_HAS_GEOMETRY,
    LABEL_PREDICATES,
    ONTOLOGY_IRI,
    ORG_HAS_MEMBER,
    ORG_MEMBER,
    ORG_MEMBER_DURING,
    ORG_MEMBERSHIP,
    ORG_ORGANIZATION,
    ORG_ROLE,
    RDF_TYPE,
    TIME_HAS_BEGINNING,
    TIME_HAS_END,
    TIME_IN_DATE,
    TIME_IN_MONTH,
    TIME_IN_YEAR,
    Subject,
    Term,
    term_iri,
)
from .words import EXTERNAL_LABELS, UI

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def format_date(value: str, lang: str) -> str:
    """An ``xsd:date`` as people read it: 06.06.2003 on German pages, ISO 8601 otherwise."""
    m = _ISO_DATE.match(value)
    if m and lang == "de":
        return f"{m.group(3)}.{m.group(2)}.{m.group(1)}"
    return value


def _lit_text(o: ox.Literal, lang: str) -> str:
    dt = o.datatype.value if not o.language else ""
    if dt == XSD_NS + "boolean":
        yes = {"de": "ja", "en": "yes"}
        no = {"de": "nein", "en": "no"}
        return (yes if o.value in ("true", "1") else no)[lang]
    if dt in (XSD_NS + "integer", XSD_NS + "decimal") and lang == "de":
        text = o.value
        whole, _, frac = text.partition(".")
        grouped = f"{int(whole):,}".replace(",", ".") if whole.lstrip("-").isdigit() else whole
        return grouped + ("," + frac if frac else "")
    if dt == XSD_NS + "date":
        return format_date(o.value, lang)
    if dt in (XSD_NS + "integer",) and o.value.lstrip("-").isdigit():
        return f"{int(o.value):,}"
    return o.value


_UI_WORDS: dict[tuple[str, str], dict[str, str]] = {}


class PageBuilder:
    """Builds the template context of one resource's page from a :class:`GraphView`."""

    def __init__(self, view: GraphView, lang: str, linker: Linker) -> None:
        self.view = view
        self.lang = lang
        self.other = "en" if lang == "de" else "de"
        self.linker = linker

    # -- words

    def ui(self, key: str) -> dict[str, str]:
        """Interface words (shared: do not change the dict)."""
        found = _UI_WORDS.get((key, self.lang))
        if found is None:
            de, en = UI[key]
            pick = {"de": de, "en": en}
            found = {"text": pick[self.lang], "alt": pick[self.other], "alt_lang": self.other}
            _UI_WORDS[(key, self.lang)] = found
        return found

    def label(self, node: Term) -> dict[str, str]:
        """Main label (page language) and the other language's, where it differs (cached in the
        view: do not change the dict)."""
        if isinstance(node, ox.Literal):
            return {"text": node.value, "alt": "", "alt_lang": self.other}
        key = (node, self.lang)
        found = self.view.shown.get(key)
        if found is None:
            found = self.view.shown[key] = self._label(node)
        return found

    def _label(self, node: ox.NamedNode | ox.BlankNode) -> dict[str, str]:
        labels = self.view.labels(node)
        if not labels and isinstance(node, ox.NamedNode):
            pair = EXTERNAL_LABELS.get(node.value)
            if pair:
                labels = {"de": pair[0], "en": pair[1]}
        if not labels and isinstance(node, ox.NamedNode):
            labels = {"": self._fallback_label(node)}
        main = labels.get(self.lang) or labels.get("") or next(iter(labels.values()))
        alt = labels.get(self.other, "")
        return {"text": main, "alt": alt if alt != main else "", "alt_lang": self.other}

    def _fallback_label(self, node: ox.NamedNode) -> str:
        iri = node.value
        if self.view.is_a(node, term_iri(TIME_NS, "Instant")):
            v = (
                self.view.value(node, TIME_IN_DATE)
                or self.view.value(node, TIME_IN_MONTH)
                or self.view.value(node, TIME_IN_YEAR)
            )
            if v is not None:
                return v.value
        if self.view.is_a(node, ORG_MEMBERSHIP):
            member = self.view.value(node, ORG_MEMBER)
            org = self.view.value(node, ORG_ORGANIZATION)
            if member is not None and org is not None:
                m = self.label(member)["text"]
                o = self.label(org)["text"]
                return f"{m} – {o}"
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(ns) and ns != str(ID):
                return f"{prefix}:{iri[len(ns) :]}"
        return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri

    def link(self, node: Term) -> dict[str, Any]:
        if isinstance(node, ox.Literal):
            return {
                "text": _lit_text(node, self.lang),
                "alt": "",
                "href": None,
                "lang": node.language or "",
                "datatype": self._datatype(node),
            }
        if isinstance(node, ox.BlankNode):
            rows = [
                f"{self.label(p)['text']}: {self.label(o)['text']}"
                for p, o in self.view.out.get(node, ())
                if p != RDF_TYPE
            ]
            return {"text": "; ".join(rows) or "[ ]", "alt": "", "href": None, "lang": ""}
        item: dict[str, Any] = dict(self.label(node))
        item["href"] = self.linker.href(node.value)
        item["iri"] = node.value
        item["lang"] = ""
        return item

    def _datatype(self, node: ox.Literal) -> str:
        if node.language:
            return ""
        dt = node.datatype.value
        if dt in PLAIN_DATATYPES:
            return ""
        for prefix, ns in PREFIXES.items():
            if dt.startswith(ns):
                return f"{prefix}:{dt[len(ns) :]}"
        return dt

    # -- sections

    def rows(self, node: Subject) -> list[dict[str, Any]]:
        """Property rows: predicate label and values; literals in the page language first."""
        grouped: dict[ox.NamedNode, list[Term]] = defaultdict(list)
        for p, o in self.view.out.get(node, ()):
            grouped[p].append(o)
        order = {RDF_TYPE: 0, LABEL_PREDICATES[1]: 1, LABEL_PREDICATES[0]: 1}
        rows = []
        for p in sorted(grouped, key=lambda q: (order.get(q, 2), self.label(q)["text"].lower())):
            values = grouped[p]

            def rank(o: Term) -> tuple[int, str]:
                if isinstance(o, ox.Literal) and o.language:
                    return (0 if o.language == self.lang else 1, o.value)
                return (0, self.label(o)["text"] if not isinstance(o, ox.Literal) else o.value)

            rows.append(
                {
                    "predicate": self.link(p),
                    "vals": [self.link(o) for o in sorted(values, key=rank)],
                }
            )
        return rows

    def period(self, membership: Subject) -> dict[str, Any]:
        """Beginning and end of a membership, honest about what is not known."""
        interval = self.view.value(membership, ORG_MEMBER_DURING)
        begin = end = None
        if isinstance(interval, (ox.NamedNode, ox.BlankNode)):
            begin = self.view.value(interval, TIME_HAS_BEGINNING)
            end = self.view.value(interval, TIME_HAS_END)
        return {
            "begin": self._instant(begin, membership, True),
            "end": self._instant(end, membership, False),
        }

    def _instant(self, instant: Term | None, membership: Subject, beginning: bool) -> dict:
        if isinstance(instant, (ox.NamedNode, ox.BlankNode)):
            day = self.view.value(instant, TIME_IN_DATE)
            if day is not None:
                text = format_date(day.value, self.lang)
                return {"text": text, "note": "", "known": True, "value": day.value}
            month = self.view.value(instant, TIME_IN_MONTH)
            if month is not None:  # "2019-03": shown as 03/2019 on German pages
                year_, _, mm = month.value.partition("-")
                text = f"{mm}/{year_}" if self.lang == "de" else month.value
                note = self.ui("month_only")["text"]
                return {"text": text, "note": note, "known": True, "value": month.value}
            year = self.view.value(instant, TIME_IN_YEAR)
            if year is not None:
                note = self.ui("year_only")["text"]
                return {"text": year.value, "note": note, "known": True, "value": year.value}
        if not beginning:
            return {"text": "–", "note": self.ui("no_end")["text"], "known": False, "value": ""}
        unknown = self.view.value(membership, COOP_BEGINN_UNBEKANNT)
        if isinstance(unknown, ox.Literal) and unknown.value in ("true", "1"):
            attested = self.view.value(membership, COOP_BESTAETIGT_AM)
            when = format_date(attested.value, self.lang) if attested else ""
            note = f"{self.ui('attested')['text']} {when}" if attested else ""
            return {
                "text": self.ui("unknown_beginning")["text"],
                "note": note,
                "known": False,
                "value": "",
            }
        return {"text": self.ui("not_stated")["text"], "note": "", "known": False, "value": ""}

    def memberships(self, node: ox.NamedNode, of_org: bool) -> list[dict[str, Any]]:
        """Membership rows: of a Kooperation (its members) or of a member (its Kooperationen)."""
        key, other = (ORG_ORGANIZATION, ORG_MEMBER) if of_org else (ORG_MEMBER, ORG_ORGANIZATION)
        rows = []
        covered: set[Term] = set()
        for m in self.view.subjects(key, node):
            if not self.view.is_a(m, ORG_MEMBERSHIP):
                continue
            party = self.view.value(m, other)
            if party is None:
                continue
            covered.add(party)
            role = self.view.value(m, ORG_ROLE)
            rows.append(
                {
                    "party": self.link(party),
                    "role": self.link(role) if role is not None else None,
                    "membership": self.link(m),
                    "written": [
                        o.value for o in self.view.objects(m, COOP_SCHREIBWEISE)
                        if isinstance(o, ox.Literal)
                    ],
                    "sources": [self.link(o) for o in self.view.objects(m, DCT_SOURCE)],
                    **self.period(m),
                }
            )  # fmt: skip
        if of_org:
            for party in self.view.objects(node, ORG_HAS_MEMBER):
                if party not in covered:
                    covered.add(party)
                    rows.append(
                        {
                            "party": self.link(party),
                            "role": None,
                            "membership": None,
                            "written": [],
                            "sources": [],
                            "begin": {"text": "", "note": "", "known": False, "value": ""},
                            "end": {"text": "", "note": "", "known": False, "value": ""},
                            "no_record": True,
                        }
                    )
        rows.sort(key=lambda r: (r["begin"]["value"] or "9999", r["party"]["text"]))
        return rows

    def sources(self, node: Subject, memberships: Iterable[Subject]) -> list[dict[str, Any]]:
        """Every source cited by the resource or its memberships, with title and page."""
        found: list[Term] = []
        for s in (node, *memberships):
            for o in self.view.objects(s, DCT_SOURCE):
                if o not in found:
                    found.append(o)
        out = []
        for src in found:
            item = self.link(src)
            if isinstance(src, ox.NamedNode):
                page = self.view.value(src, FOAF_PAGE)
                publisher = self.view.value(src, term_iri(DCT_NS, "publisher"))
                cite = self.view.value(src, term_iri(str(COOP), "zitierweise"))
                item["page"] = page.value if isinstance(page, ox.NamedNode) else None
                item["publisher"] = publisher.value if isinstance(publisher, ox.Literal) else ""
                item["cite"] = cite.value if isinstance(cite, ox.Literal) else ""
                item["self_page"] = item["href"] if path_for(src.value) else None
            out.append(item)
        return out

    def point(self, node: Term) -> tuple[float, float] | None:
        """(lon, lat) of a resource's geometry, from ``geo:asWKT "POINT(lon lat)"``."""
        geom = self.view.value(node, GEO_HAS_GEOMETRY) if not isinstance(node, ox.Literal) else None
        if geom is None or isinstance(geom, ox.Literal):
            return None
        wkt = self.view.value(geom, GEO_AS_WKT)
        if not isinstance(wkt, ox.Literal):
            return None
        return parse_point(wkt.value)

    def map_points(self, node: ox.NamedNode) -> list[dict[str, Any]]:
        """The points a resource's map shows: a Kooperation's members, a Kreis's or Land's
        Kommunen, or the Kommune itself."""
        kind = kind_of(node.value)
        members: list[Term]
        if kind == "kooperation":
            members = list(self.view.objects(node, ORG_HAS_MEMBER))
            for m in self.view.subjects(ORG_ORGANIZATION, node):
                party = self.view.value(m, ORG_MEMBER)
                if party is not None and party not in members:
                    members.append(party)
        elif kind in ("kreis", "land"):
            pred = COOP_KREIS if kind == "kreis" else COOP_LAND
            members = [
                s for s in self.view.subjects(pred, node) if kind_of(str(s.value)) == "kommune"
            ]
        elif kind in ("kommune", "gemeindefreies-gebiet"):
            members = [node]
        else:
            return []
        points = []
        for member in members:
            pt = self.point(member)
            area = False
            if pt is None and kind == "kooperation" and isinstance(member, ox.NamedNode):
                pt, area = self.area_centre(member), True
            if pt is not None:
                points.append({"lon": pt[0], "lat": pt[1], "area": area, **self.link(member)})
        return points

    def area_centre(self, area: ox.NamedNode) -> tuple[float, float] | None:
        """A Kreis or Land that is itself a member: the mean of its Kommunen's centre points,
        drawn as a distinct (square) marker."""
        kind = kind_of(area.value)
        if kind not in ("kreis", "land"):
            return None
        pred = COOP_KREIS if kind == "kreis" else COOP_LAND
        found = [pt for s in self.view.subjects(pred, area) if (pt := self.point(s)) is not None]
        if not found:
            return None
        return (sum(p[0] for p in found) / len(found), sum(p[1] for p in found) / len(found))

    # -- what the directory knows (Kreis and Land pages, breadcrumbs)

    def entry_link(self, entry: Entry) -> dict[str, Any]:
        label = entry.label(self.lang)
        alt = entry.labels.get(self.other, "")
        return {"text": label, "alt": alt if alt != label else "", "alt_lang": self.other,
                "href": self.linker.href(entry.iri), "iri": entry.iri, "lang": ""}  # fmt: skip

    def area(self, node: ox.NamedNode, kind: str, directory: Directory) -> dict[str, Any]:
        """A Kreis's or Land's cooperations (grouped by kind) and its Gemeinden or Kreise."""
        groups: dict[tuple[bool, str], list[Entry]] = defaultdict(list)
        for coop in directory.coops_in.get(node.value, ()):
            groups[(coop.kind == "gemeindeverband", coop.rechtsform or "")].append(coop)
        coops = []
        for (register, rf), items in sorted(
            groups.items(), key=lambda kv: (kv[0][0], -len(kv[1]), directory.name(kv[0][1]))
        ):
            entry = directory.by_iri.get(rf)
            if entry is not None:
                alt = entry.labels.get(self.other, "")
                label = {"text": entry.label(self.lang), "alt": alt, "alt_lang": self.other}
            else:
                label = self.label(ox.NamedNode(rf)) if rf else self.ui("no_rechtsform")
            coops.append({"label": label, "items": [self.entry_link(c) for c in items],
                          "register": register, "collapsed": len(items) > 12})  # fmt: skip
        out: dict[str, Any] = {"coops": coops, "coop_count": sum(len(g) for g in groups.values())}
        if kind == "kreis":
            out["gemeinden"] = [
                {"link": self.entry_link(k), "ags": k.keys[0] if k.keys else "",
                 "plz": next((x for x in k.keys[1:] if len(x) == 5), ""),
                 "einwohner": _number(k.einwohner, self.lang)}
                for k in directory.kommunen_in.get(node.value, ())
            ]  # fmt: skip
        else:
            kreise = []
            for kreis in directory.kreise_in.get(node.value, ()):
                kommunen = directory.kommunen_in.get(kreis.iri, ())
                people = sum(k.einwohner or 0 for k in kommunen)
                kreise.append({"link": self.entry_link(kreis), "key": kreis.keys[0] if kreis.keys
                               else "", "gemeinden": len(kommunen),
                               "einwohner": _number(people, self.lang)})  # fmt: skip
            out["kreise"] = kreise
        return out

    def in_area(self, node: ox.NamedNode, directory: Directory) -> dict[str, Any] | None:
        """The Gemeinden in the area of a cooperation with Kreis or Land members, derived from
        the register as ``queries/gemeinden-im-gebiet.rq`` does (current members only), or None
        if no Kreis or Land is a member. A table up to ``IN_AREA_ROWS`` Gemeinden, else counts
        per member (whose own pages list them)."""
        parties: list[Term] = []
        for m in self.view.subjects(ORG_ORGANIZATION, node):
            interval = self.view.value(m, ORG_MEMBER_DURING)
            ended = (
                isinstance(interval, (ox.NamedNode, ox.BlankNode))
                and self.view.value(interval, TIME_HAS_END) is not None
            )
            party = self.view.value(m, ORG_MEMBER)
            if self.view.is_a(m, ORG_MEMBERSHIP) and party is not None and not ended:
                parties.append(party)
        parties += [p for p in self.view.objects(node, ORG_HAS_MEMBER) if p not in parties]
        via: dict[str, list[Entry]] = defaultdict(list)  # Gemeinde IRI -> members it is in by
        by_member = []
        for party in parties:
            entry = directory.by_iri.get(party.value) if isinstance(party, ox.NamedNode) else None
            if entry is None:
                continue
            if entry.kind == "kommune":
                via[entry.iri].append(entry)
            elif entry.kind in ("kreis", "land"):
                inside = directory.kommunen_in.get(entry.iri, ())
                for k in inside:
                    via[k.iri].append(entry)
                by_member.append({"link": self.entry_link(entry), "count": len(inside)})
        if not by_member:
            return None
        rows = None
        if len(via) <= IN_AREA_ROWS:
            rows = [
                {"link": self.entry_link(k), "ags": k.keys[0] if k.keys else "",
                 "via": [self.entry_link(e) for e in via[k.iri] if e.iri != k.iri]}
                for k in sorted((directory.by_iri[i] for i in via),
                                key=lambda e: (e.keys[:1], e.label(self.lang)))
            ]  # fmt: skip
        return {"count": len(via), "rows": rows, "by_member": by_member}

    def breadcrumbs(self, node: ox.NamedNode, kind: str) -> list[dict[str, Any]]:
        """Where a page sits: Start › Land › Kreis › Kommune, Start › Kooperationen › …"""
        home: dict[str, Any] = {
            "text": self.ui("home")["text"],
            "href": self.linker.special("index"),
        }
        crumbs = [home]
        if kind in ("kommune", "gemeindefreies-gebiet", "kreis"):
            for pred in (COOP_LAND, COOP_KREIS):
                up = self.view.value(node, pred)
                if isinstance(up, ox.NamedNode) and up != node:
                    crumbs.append(self.link(up))
        elif kind == "kooperation":
            coops = self.ui("kooperationen")["text"]
            crumbs.append({"text": coops, "href": self.linker.special("kooperationen")})
            if "/gemeindeverband-" in node.value:
                crumbs.append({"text": self.ui("gemeindeverbaende")["text"],
                               "href": self.linker.special("gemeindeverbaende")})  # fmt: skip
        elif kind in ("term", "scheme", "concept"):
            crumbs.append({"text": self.ui("ontology")["text"], "href": self.linker.special("def")})
            scheme = self.view.value(node, term_iri(SKOS_NS, "inScheme"))
            if isinstance(scheme, ox.NamedNode):
                crumbs.append(self.link(scheme))
        crumbs.append({"text": self.label(node)["text"], "href": None})
        return crumbs

    def schema_org(self, node: ox.NamedNode, kind: str, points: list[dict[str, Any]]) -> str:
        """The resource as schema.org JSON-LD for search engines, safe inside <script>."""
        types = {
            "kooperation": "GovernmentOrganization",
            "kommune": "AdministrativeArea",
            "kreis": "AdministrativeArea",
            "land": "AdministrativeArea",
            "concept": "DefinedTerm",
            "term": "DefinedTerm",
            "scheme": "DefinedTermSet",
        }
        doc: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": types.get(kind, "Thing"),
            "@id": node.value,
            "name": self.label(node)["text"],
            "inLanguage": self.lang,
        }  # fmt: skip
        alt = [o.value for o in self.view.objects(node, term_iri(SKOS_NS, "altLabel"))
               if isinstance(o, ox.Literal)]  # fmt: skip
        if alt:
            doc["alternateName"] = alt
        described = self.view.objects(node, term_iri(DCT_NS, "description"))
        texts = {o.language: o.value for o in described if isinstance(o, ox.Literal)}
        description = texts.get(self.lang) or texts.get("") or next(iter(texts.values()), None)
        if description:
            doc["description"] = description
        same = [o.value for p in (term_iri(OWL_NS, "sameAs"), term_iri(SCHEMA_NS, "sameAs"))
                for o in self.view.objects(node, p) if isinstance(o, ox.NamedNode)]  # fmt: skip
        homepage = self.view.value(node, term_iri(FOAF_NS, "homepage"))
        if isinstance(homepage, ox.NamedNode):
            doc["url"] = homepage.value
        if same:
            doc["sameAs"] = same
        ags = self.view.value(node, term_iri(str(COOP), "ags"))
        if isinstance(ags, ox.Literal):
            doc["identifier"] = {"@type": "PropertyValue", "propertyID": "AGS", "value": ags.value}
        plz = self.view.value(node, term_iri(SCHEMA_NS, "postalCode"))
        if isinstance(plz, ox.Literal):
            doc["address"] = {"@type": "PostalAddress", "postalCode": plz.value,
                              "addressCountry": "DE"}  # fmt: skip
        if kind != "kooperation":
            up = [self.view.value(node, p) for p in (COOP_KREIS, COOP_LAND)]
            places = [{"@type": "AdministrativeArea", "@id": u.value, "name": self.label(u)["text"]}
                      for u in up if isinstance(u, ox.NamedNode)]  # fmt: skip
            if places:
                doc["containedInPlace"] = places
        if kind in ("kommune",) and points:
            doc["geo"] = {"@type": "GeoCoordinates", "latitude": points[0]["lat"],
                          "longitude": points[0]["lon"]}  # fmt: skip
        if kind == "kooperation":
            doc["member"] = [{"@type": "AdministrativeArea", "@id": p["iri"], "name": p["text"]}
                             for p in points]  # fmt: skip
        if kind == "concept":
            scheme = self.view.value(node, term_iri(SKOS_NS, "inScheme"))
            if isinstance(scheme, ox.NamedNode):
                doc["inDefinedTermSet"] = scheme.value
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    def page(self, node: ox.NamedNode, directory: Directory | None = None) -> dict[str, Any]:
        kind = kind_of(node.value)
        members = self.memberships(node, of_org=True)
        member_of = self.memberships(node, of_org=False)
        membership_nodes = [
            m for key in (ORG_ORGANIZATION, ORG_MEMBER) for m in self.view.subjects(key, node)
        ]
        area = None
        skip = {RDF_TYPE, ORG_MEMBER, ORG_ORGANIZATION, ORG_HAS_MEMBER, DCT_SOURCE}
        if directory is not None and kind in ("kreis", "land"):
            area = self.area(node, kind, directory)
            skip |= {COOP_KREIS, COOP_LAND}  # shown as tables instead
        in_area = self.in_area(node, directory) if directory and kind == "kooperation" else None
        incoming: dict[ox.NamedNode, list[Subject]] = defaultdict(list)
        for s, p in self.view.inc.get(node, ()):
            if p in skip:
                continue
            incoming[p].append(s)
        limit = 1000
        referenced = [
            {
                "predicate": self.link(p),
                "total": len(subs),
                "vals": sorted(
                    (self.link(s) for s in subs if not isinstance(s, ox.BlankNode)),
                    key=lambda v: v["text"],
                )[:limit],
            }
            for p, subs in sorted(incoming.items(), key=lambda kv: self.label(kv[0])["text"])
        ]
        points = self.map_points(node)
        return {
            "iri": node.value,
            "kind": kind,
            "title": self.label(node),
            "types": [self.link(t) for t in self.view.types(node)],
            "rows": self.rows(node),
            "members": members,
            "member_of": member_of,
            "sources": self.sources(node, membership_nodes),
            "map": svg_map(points) if points else None,
            "map_count": len(points),
            "referenced": referenced,
            "limit": limit,
            "area": area,
            "in_area": in_area,
            "breadcrumbs": self.breadcrumbs(node, kind),
            "jsonld": self.schema_org(node, kind, points),
        }


IN_AREA_ROWS = 400  # Gemeinden im Gebiet listed one by one up to this many (a Kreis has < 300)


def _number(n: int | None, lang: str) -> str:
    if n is None:
        return ""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "de" else text


PLAIN_DATATYPES = frozenset(
    XSD_NS + t for t in ("string", "integer", "decimal", "date", "gYear", "boolean")
)


def browse_context(directory: Directory, builder: PageBuilder) -> dict[str, Any]:
    """The cooperations with their facets (Land, Rechtsform, Handlungsfeld, size), the register's
    Gemeindeverbände by Land, the Länder and the concept schemes."""
    lang = builder.lang

    def item(e: Entry) -> dict[str, Any]:
        laender = directory.laender(e)
        n = len(e.members)
        return {
            **builder.entry_link(e),
            "land": " ".join(a.rsplit("/", 1)[-1] for a in laender),
            "rechtsform": e.rechtsform.rsplit("/", 1)[-1] if e.rechtsform else "",
            "handlungsfeld": " ".join(h.rsplit("/", 1)[-1] for h in e.handlungsfelder),
            "size": size_bucket(n),
            "members": n,
            "context": directory.context(e, lang),
            "kreis": directory.name(e.kreis, lang),
            "rechtsform_name": directory.name(e.rechtsform, lang),
        }

    def facet(items: list[dict[str, Any]], key: str, names: Callable[[str], str]) -> list[dict]:
        counts: dict[str, int] = defaultdict(int)
        for it in items:
            for value in it[key].split():
                counts[value] += 1
        options = [{"value": v, "text": names(v), "count": n} for v, n in counts.items()]
        return sorted(options, key=lambda o: o["text"].lower())

    coops = [item(e) for e in directory.cooperations()]
    register = [item(e) for e in directory.cooperations(register=True)]
    by_land: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for it in register:
        by_land[it["land"].split()[0] if it["land"] else ""].append(it)
    sizes = {name: name.replace("-", "–") for name, _, _ in SIZES}
    land_names = {e.iri.rsplit("/", 1)[-1]: e.label(lang) for e in directory.of_kind("land")}

    def concept_name(scheme: str) -> Callable[[str], str]:
        return lambda v: directory.name(f"{VOCAB}{scheme}/{v}", lang)

    facets = [
        {"key": "land", "label": builder.ui("laender")["text"],
         "options": facet(coops, "land", lambda v: land_names.get(v, v))},
        {"key": "rechtsform", "label": "Rechtsform" if lang == "de" else "Legal form",
         "options": facet(coops, "rechtsform", concept_name("rechtsform"))},
        {"key": "handlungsfeld", "label": "Handlungsfeld" if lang == "de" else "Field of action",
         "options": facet(coops, "handlungsfeld", concept_name("handlungsfeld"))},
        {"key": "size", "label": "Mitglieder" if lang == "de" else "Members",
         "options": sorted(facet(coops, "size", lambda v: sizes.get(v, v)),
                           key=lambda o: int(o["value"].split("-")[0].rstrip("+")))},
    ]  # fmt: skip
    return {
        "kooperationen": coops,
        "facets": facets,
        "gemeindeverbaende": [
            {"land": land_names.get(k, k), "items": v} for k, v in sorted(by_land.items())
        ],
        "register_count": len(register),
        "laender": [builder.entry_link(e) for e in sorted(directory.of_kind("land"),
                                                           key=lambda e: e.iri)],
        "schemes": [builder.entry_link(e) for e in directory.of_kind("scheme")],
        "counts": {k: len(directory.of_kind(k)) for k in KINDS},
        "kinds": {k: v[0 if lang == "de" else 1] for k, v in KINDS.items()},
    }  # fmt: skip


def _term_entry(builder: PageBuilder, node: ox.NamedNode) -> dict[str, Any]:
    view = builder.view

    def texts(p: ox.NamedNode) -> dict[str, str]:
        out: dict[str, str] = {}
        for o in view.objects(node, p):
            if isinstance(o, ox.Literal):
                out.setdefault(o.language or "", o.value)
        return out

    definition = texts(term_iri(SKOS_NS, "definition")) or texts(term_iri(RDFS_NS, "comment"))
    return {
        "iri": node.value,
        "anchor": node.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1],
        "label": builder.label(node),
        "link": builder.link(node),
        "definition": definition,
        "super": [builder.link(o) for o in view.objects(node, term_iri(RDFS_NS, "subClassOf"))]
        + [builder.link(o) for o in view.objects(node, term_iri(RDFS_NS, "subPropertyOf"))],
        "domain": [builder.link(o) for o in view.objects(node, term_iri(RDFS_NS, "domain"))],
        "range": [builder.link(o) for o in view.objects(node, term_iri(RDFS_NS, "range"))],
    }


def ontology_context(view: GraphView, builder: PageBuilder) -> dict[str, Any]:

    def of_type(cls: str, ns: str) -> list[dict[str, Any]]:
        nodes = [
            s
            for s in view.subjects(RDF_TYPE, term_iri(cls))
            if isinstance(s, ox.NamedNode) and s.value.startswith(ns)
        ]
        return sorted((_term_entry(builder, n) for n in nodes), key=lambda e: e["anchor"].lower())

    schemes = []
    for entry in of_type(SKOS_NS + "ConceptScheme", str(VOCAB)):
        scheme = ox.NamedNode(entry["iri"])
        concepts = [
            c
            for c in view.subjects(term_iri(SKOS_NS, "inScheme"), scheme)
            if isinstance(c, ox.NamedNode)
        ]
        entry["concepts"] = sorted(
            (_term_entry(builder, c) for c in concepts), key=lambda e: e["label"]["text"].lower()
        )
        schemes.append(entry)
    onto = ox.NamedNode(ONTOLOGY_IRI)
    return {
        "title": builder.label(onto),
        "description": {
            (o.language or ""): o.value
            for o in view.objects(onto, term_iri(DCT_NS, "description"))
            if isinstance(o, ox.Literal)
        },
        "version": view.value(onto, term_iri(OWL_NS, "versionInfo")),
        "classes": of_type(OWL_NS + "Class", str(COOP)),
        "object_properties": of_type(OWL_NS + "ObjectProperty", str(COOP)),
        "datatype_properties": of_type(OWL_NS + "DatatypeProperty", str(COOP)),
        "schemes": schemes,
    }
