"""The official municipality register (Destatis GV100AD) turned into coopgraph Turtle.

``build(source_dir, out_dir)`` reads the cleaned register CSVs (see ``shared/data/gemeinden``)
and writes, byte-identically on every run:

- ``kommunen/laender.ttl``: Länder, Regierungsbezirke and the register's source descriptions,
- ``kommunen/kreise.ttl``: the 400 Kreise and kreisfreie Städte,
- ``kommunen/gemeinden-NN.ttl``: the Gemeinden and gemeindefreie Gebiete of Land NN,
- ``gemeindeverbaende/gemeindeverbaende-NN.ttl``: Gemeindeverbände with two or more member
  Gemeinden, as statutory Kooperationen with their memberships (beginning unknown, attested
  on the register's reference date).
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError
from .namespaces import (
    COOP,
    DATA_PREFIXES,
    ID,
    PREFIXES,
    concept_iri,
    geometrie_iri,
    kommune_iri,
    kooperation_iri,
    kreis_iri,
    land_iri,
    mitgliedschaft_iri,
    regierungsbezirk_iri,
    zeitraum_iri,
)

GEBIETSSTAND = "2025-11-30"
STICHTAG_BEVOELKERUNG = "2024-12-31"
STICHTAG_FLAECHE = "2024-12-31"
ATTRIBUTION = (
    "Quelle: Statistisches Bundesamt (Destatis), Gemeindeverzeichnis GV100AD, Stand 30.11.2025"
)
LICENCE_TEXT = (
    "(c) Daten (im Auftrag der Herausgebergemeinschaft Statistische Ämter des Bundes und der "
    "Länder) Statistisches Bundesamt (Destatis), 2025. Vervielfältigung und Verbreitung, auch "
    "auszugsweise, mit Quellenangabe gestattet."
)

SOURCE_REGISTER = ID["quelle/destatis-gv100ad-2025-11-30"]
SOURCE_COORDINATES = ID["quelle/destatis-gv-isys-2020-12-31"]
SOURCE_WIKIDATA = ID["quelle/wikidata-kreisfreie-staedte"]
SOURCE_ISO = ID["quelle/iso-3166-2-de"]

# ISO 3166-2:DE subdivision codes of the Länder, keyed by the 2-digit Land key.
LAND_KUERZEL = {
    "01": "SH", "02": "HH", "03": "NI", "04": "HB", "05": "NW", "06": "HE", "07": "RP",
    "08": "BW", "09": "BY", "10": "SL", "11": "BE", "12": "BB", "13": "MV", "14": "SN",
    "15": "ST", "16": "TH",
}  # fmt: skip

# GV100AD cuts names at 50 characters; the Destatis notes give the full name.
FULL_NAMES = {
    "146250200020": "Bautzen / Budyšin, Stadt, Hochschulstadt / Wysokošulske město",
}

GEMEINDETYP = {
    "60": "markt", "61": "kreisfreie-stadt", "62": "stadtkreis", "63": "stadt",
    "64": "kreisangehoerige-gemeinde", "65": "gemeindefrei-bewohnt",
    "66": "gemeindefrei-unbewohnt", "67": "grosse-kreisstadt",
}  # fmt: skip
KREISTYP = {
    "41": "kreisfreie-stadt", "42": "stadtkreis", "43": "kreis", "44": "landkreis",
    "45": "regionalverband",
}  # fmt: skip
RECHTSFORM_GEMEINDEVERBAND = {
    "51": "amt", "52": "samtgemeinde", "53": "verbandsgemeinde", "54": "verwaltungsgemeinschaft",
    "55": "kirchspielslandgemeinde", "56": "verwaltungsverband", "58": "erfuellende-gemeinde",
}  # fmt: skip

REQUIRED_FILES = ("gemeinden.csv", "gemeindefreie_gebiete.csv", "kreise.csv", "laender.csv",
                  "gemeindeverbaende.csv")  # fmt: skip

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DCT_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
OWL_SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def _p(prefix: str, local: str) -> ox.NamedNode:
    return ox.NamedNode(PREFIXES[prefix] + local)


def _c(local: str) -> ox.NamedNode:
    return ox.NamedNode(str(COOP[local]))


def _lit(value: str, datatype: str | None = None) -> ox.Literal:
    if datatype is None:
        return ox.Literal(value)
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


@dataclass(frozen=True)
class BuildResult:
    """What ``build`` wrote: the files and the counts a user checks against the register."""

    files: list[Path]
    gemeinden: int
    gemeindefreie_gebiete: int
    kreise: int
    laender: int
    kooperationen: int
    mitgliedschaften: int
    triples: int


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read one register CSV; keys stay strings with leading zeros."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    except OSError as exc:
        raise InputError(f"cannot read register file: {exc.strerror}", file=path) from exc


class _Triples:
    """Collects triples per output file."""

    def __init__(self) -> None:
        self.by_file: dict[str, list[ox.Triple]] = defaultdict(list)

    def add(
        self, file: str, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal
    ) -> None:
        self.by_file[file].append(ox.Triple(s, p, o))


def _sort_key(t: ox.Triple) -> tuple[str, int, str, str]:
    return (str(t.subject), 0 if t.predicate == RDF_TYPE else 1, t.predicate.value, str(t.object))


def _serialize(triples: Iterable[ox.Triple]) -> bytes:
    ordered = sorted(set(triples), key=_sort_key)
    header = (
        "# Generated by `coopgraph import register` from the Destatis municipality register "
        "(GV100AD, Gebietsstand 30.11.2025).\n# Do not edit by hand: change the build and run it "
        "again.\n# " + ATTRIBUTION + "\n\n"
    ).encode()
    body = ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=DATA_PREFIXES) or b""
    return header + body


def write_atomically(path: Path, content: bytes) -> None:
    """Write a file so that readers never see a partial one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sources(t: _Triples) -> None:
    f = "kommunen/laender.ttl"
    quelle, title, page = _c("Quelle"), _p("dct", "title"), _p("foaf", "page")
    reg = _n(SOURCE_REGISTER)
    t.add(f, reg, RDF_TYPE, quelle)
    t.add(f, reg, title, _lit("Gemeindeverzeichnis GV100AD, Gebietsstand 30.11.2025"))
    t.add(f, reg, _p("dct", "publisher"), _lit("Statistisches Bundesamt (Destatis)"))
    t.add(f, reg, _p("dct", "issued"), _lit(GEBIETSSTAND, "date"))
    t.add(f, reg, _p("dct", "rights"), _lit(LICENCE_TEXT))
    t.add(f, reg, _c("zitierweise"), _lit(ATTRIBUTION))
    t.add(
        f,
        reg,
        page,
        _n(
            "https://www.destatis.de/DE/Themen/Laender-Regionen/Regionales/Gemeindeverzeichnis/_inhalt.html"
        ),
    )
    t.add(f, reg, _p("rdfs", "comment"), _lit(
        "Bezogen als Rohdatei GV100AD_30112025.txt (sha256 73a8b0fa…fd352) aus dem öffentlichen "
        "Repository github.com/Ma-Loma/Hessen_END_Healthiar; Einwohner und Fläche zum 31.12.2024 "
        "(Zensus 2022)."))  # fmt: skip
    geo = _n(SOURCE_COORDINATES)
    t.add(f, geo, RDF_TYPE, quelle)
    t.add(
        f,
        geo,
        title,
        _lit(
            "Gemeindeverzeichnis-Informationssystem GV-ISys, Auszug 31.12.2020 "
            "(Gemeindemittelpunkte)"
        ),
    )
    t.add(f, geo, _p("dct", "publisher"), _lit("Statistisches Bundesamt (Destatis)"))
    t.add(f, geo, _p("dct", "rights"), _lit(LICENCE_TEXT))
    t.add(
        f,
        geo,
        _p("rdfs", "comment"),
        _lit(
            "Geografische Mittelpunkte (WGS84) aus AuszugGV4QAktuell, über den AGS verknüpft; "
            "Gemeinden, die seit 2020 fusioniert haben, tragen noch ihren Mittelpunkt von 2020."
        ),
    )
    wd = _n(SOURCE_WIKIDATA)
    t.add(f, wd, RDF_TYPE, quelle)
    t.add(f, wd, title, _lit("Wikidata: kreisfreie Städte und Stadtkreise mit Kreisschlüssel"))
    t.add(f, wd, _p("dct", "license"), _n("https://creativecommons.org/publicdomain/zero/1.0/"))
    t.add(f, wd, page, _n("https://www.wikidata.org/"))
    iso = _n(SOURCE_ISO)
    t.add(f, iso, RDF_TYPE, quelle)
    t.add(f, iso, title, _lit("ISO 3166-2:DE – Codes der deutschen Länder"))
    t.add(f, iso, page, _n("https://www.iso.org/obp/ui/#iso:code:3166:DE"))


def _provenance(t: _Triples, f: str, s: ox.NamedNode) -> None:
    t.add(f, s, DCT_SOURCE, _n(SOURCE_REGISTER))
    t.add(f, s, _c("gebietsstand"), _lit(GEBIETSSTAND, "date"))


def _laender(t: _Triples, laender: list[dict[str, str]], gemeinden: list[dict[str, str]]) -> None:
    f = "kommunen/laender.ttl"
    for row in laender:
        key = row["land_schluessel"]
        s = _n(land_iri(key))
        t.add(f, s, RDF_TYPE, _c("Land"))
        t.add(f, s, RDFS_LABEL, _lit(row["land_name"]))
        t.add(f, s, _c("schluessel"), _lit(key))
        t.add(f, s, _c("kuerzel"), _lit(LAND_KUERZEL[key]))
        t.add(f, s, _c("sitz"), _lit(row["sitz_landesregierung"]))
        t.add(f, s, DCT_SOURCE, _n(SOURCE_ISO))
        _provenance(t, f, s)
    seen: set[str] = set()
    for row in gemeinden:
        key = row["regierungsbezirk_schluessel"]
        if not key or key in seen:
            continue
        seen.add(key)
        s = _n(regierungsbezirk_iri(key))
        t.add(f, s, RDF_TYPE, _c("Regierungsbezirk"))
        t.add(f, s, RDFS_LABEL, _lit(row["regierungsbezirk_name"]))
        t.add(f, s, _c("schluessel"), _lit(key))
        t.add(f, s, _c("land"), _n(land_iri(row["land_schluessel"])))
        _provenance(t, f, s)


def _kreise(t: _Triples, kreise: list[dict[str, str]], rb_of_kreis: dict[str, str]) -> None:
    f = "kommunen/kreise.ttl"
    for row in kreise:
        key = row["kreis_schluessel"]
        s = _n(kreis_iri(key))
        t.add(f, s, RDF_TYPE, _c("Kreis"))
        t.add(f, s, RDFS_LABEL, _lit(row["kreis_name"].split(", ")[0]))
        t.add(f, s, _c("amtlicherName"), _lit(row["kreis_name"]))
        t.add(f, s, _c("schluessel"), _lit(key))
        t.add(f, s, _c("kreistyp"), _n(concept_iri("kreistyp", KREISTYP[row["kreis_typ_code"]])))
        t.add(f, s, _c("land"), _n(land_iri(row["land_schluessel"])))
        if rb_of_kreis.get(key):
            t.add(f, s, _c("regierungsbezirk"), _n(regierungsbezirk_iri(rb_of_kreis[key])))
        if row["sitz_kreisverwaltung"]:
            t.add(f, s, _c("sitz"), _lit(row["sitz_kreisverwaltung"]))
        _provenance(t, f, s)


def _gemeinde(t: _Triples, row: dict[str, str], *, gemeindefrei: bool) -> None:
    ags = row["ags"]
    f = f"kommunen/gemeinden-{row['land_schluessel']}.ttl"
    if gemeindefrei:
        s = _n(f"{ID}gemeindefreies-gebiet/{ags}")
        t.add(f, s, RDF_TYPE, _c("GemeindefreiesGebiet"))
    else:
        s = _n(kommune_iri(ags))
        t.add(f, s, RDF_TYPE, _c("Kommune"))
    t.add(f, s, RDFS_LABEL, _lit(row["name"]))
    t.add(f, s, _c("amtlicherName"), _lit(FULL_NAMES.get(row["ars"], row["name_amtlich"])))
    t.add(f, s, _c("ags"), _lit(ags))
    t.add(f, s, _c("ars"), _lit(row["ars"]))
    t.add(
        f,
        s,
        _c("gemeindetyp"),
        _n(concept_iri("gemeindetyp", GEMEINDETYP[row["gemeindetyp_code"]])),
    )
    if row["kreis_name"]:  # a few gemeindefreie Gebiete (coastal waters) lie in no Kreis
        t.add(f, s, _c("kreis"), _n(kreis_iri(row["kreis_schluessel"])))
    t.add(f, s, _c("land"), _n(land_iri(row["land_schluessel"])))
    if row["regierungsbezirk_schluessel"]:
        t.add(
            f,
            s,
            _c("regierungsbezirk"),
            _n(regierungsbezirk_iri(row["regierungsbezirk_schluessel"])),
        )
    t.add(f, s, _c("flaeche"), _lit(row["flaeche_km2"], "decimal"))
    t.add(f, s, _c("flaecheStichtag"), _lit(STICHTAG_FLAECHE, "date"))
    t.add(f, s, _c("einwohner"), _lit(row["bevoelkerung"], "integer"))
    t.add(f, s, _c("einwohnerMaennlich"), _lit(row["bevoelkerung_maennlich"], "integer"))
    t.add(f, s, _c("einwohnerWeiblich"), _lit(row["bevoelkerung_weiblich"], "integer"))
    t.add(f, s, _c("einwohnerStichtag"), _lit(STICHTAG_BEVOELKERUNG, "date"))
    if row["plz"]:
        t.add(f, s, _p("schema", "postalCode"), _lit(row["plz"]))
        t.add(f, s, _c("mehrerePostleitzahlen"), _lit(row["plz_mehrere"], "boolean"))
    if row["lat"] and row["lon"]:
        g = _n(geometrie_iri(f"{'gebiet' if gemeindefrei else 'kommune'}-{ags}"))
        t.add(f, s, _p("geo", "hasGeometry"), g)
        t.add(f, g, RDF_TYPE, _p("geo", "Geometry"))
        t.add(
            f,
            g,
            _p("geo", "asWKT"),
            ox.Literal(f"POINT({row['lon']} {row['lat']})", datatype=_p("geo", "wktLiteral")),
        )
        t.add(f, g, _c("koordinatenQuelle"), _lit(row["koordinaten_quelle"]))
        t.add(f, g, DCT_SOURCE, _n(SOURCE_COORDINATES))
    if row["wikidata_qid"]:
        t.add(f, s, OWL_SAME_AS, _n(PREFIXES["wd"] + row["wikidata_qid"]))
        t.add(f, s, DCT_SOURCE, _n(SOURCE_WIKIDATA))
    _provenance(t, f, s)


def gemeindeverband_slug(key: str) -> str:
    """Slug of the Kooperation that represents a Gemeindeverband."""
    return f"gemeindeverband-{key}"


def _gemeindeverbaende(
    t: _Triples, verbaende: list[dict[str, str]], gemeinden: list[dict[str, str]]
) -> tuple[int, int]:
    members: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in gemeinden:
        members[row["gemeindeverband_schluessel"]].append(row)
    n_coop = n_member = 0
    role = _n(concept_iri("mitgliedsrolle", "mitglied"))
    for gv in verbaende:
        code, key = gv["gemeindeverband_typ_code"], gv["gemeindeverband_schluessel"]
        rows = members.get(key, [])
        if code not in RECHTSFORM_GEMEINDEVERBAND or len(rows) < 2:
            continue
        land = key[:2]
        f = f"gemeindeverbaende/gemeindeverbaende-{land}.ttl"
        slug = gemeindeverband_slug(key)
        k = _n(kooperation_iri(slug))
        t.add(f, k, RDF_TYPE, _c("Kooperation"))
        t.add(f, k, RDF_TYPE, _p("org", "OrganizationalCollaboration"))
        t.add(f, k, RDFS_LABEL, _lit(gv["gemeindeverband_name"]))
        t.add(f, k, _c("gemeindeverband"), _lit(key))
        t.add(
            f, k, _c("rechtsform"), _n(concept_iri("rechtsform", RECHTSFORM_GEMEINDEVERBAND[code]))
        )
        t.add(f, k, _c("land"), _n(land_iri(land)))
        t.add(f, k, _c("kreis"), _n(kreis_iri(gv["kreis_schluessel"])))
        t.add(f, k, _c("staat"), _p("wd", "Q183"))
        if gv["verwaltungssitz"]:
            t.add(f, k, _c("sitz"), _lit(gv["verwaltungssitz"]))
        _provenance(t, f, k)
        n_coop += 1
        for row in rows:
            ags = row["ags"]
            m = _n(mitgliedschaft_iri(slug, ags))
            period = _n(zeitraum_iri(f"{slug}-{ags}"))
            kommune = _n(kommune_iri(ags))
            t.add(f, k, _p("org", "hasMember"), kommune)
            t.add(f, m, RDF_TYPE, _c("Mitgliedschaft"))
            t.add(f, m, RDF_TYPE, _p("org", "Membership"))
            t.add(f, m, _p("org", "member"), kommune)
            t.add(f, m, _p("org", "organization"), k)
            t.add(f, m, _p("org", "role"), role)
            t.add(f, m, _p("org", "memberDuring"), period)
            t.add(f, m, _c("beginnUnbekannt"), _lit("true", "boolean"))
            t.add(f, m, _c("bestaetigtAm"), _lit(GEBIETSSTAND, "date"))
            t.add(f, m, DCT_SOURCE, _n(SOURCE_REGISTER))
            t.add(f, period, RDF_TYPE, _p("time", "Interval"))
            n_member += 1
    return n_coop, n_member


def _check_source(source_dir: Path) -> None:
    if not source_dir.is_dir():
        raise InputError("register folder not found", file=source_dir)
    for name in REQUIRED_FILES:
        if not (source_dir / name).is_file():
            raise InputError(f"register folder lacks {name}", file=source_dir)


def build(source_dir: Path, out_dir: Path) -> BuildResult:
    """Turn the register CSVs in ``source_dir`` into Turtle files under ``out_dir``."""
    source_dir, out_dir = Path(source_dir), Path(out_dir)
    _check_source(source_dir)
    gemeinden = read_csv(source_dir / "gemeinden.csv")
    gemeindefrei = read_csv(source_dir / "gemeindefreie_gebiete.csv")
    kreise = read_csv(source_dir / "kreise.csv")
    laender = read_csv(source_dir / "laender.csv")
    verbaende = read_csv(source_dir / "gemeindeverbaende.csv")

    t = _Triples()
    _sources(t)
    _laender(t, laender, gemeinden)
    rb_of_kreis = {r["kreis_schluessel"]: r["regierungsbezirk_schluessel"] for r in gemeinden}
    _kreise(t, kreise, rb_of_kreis)
    for row in gemeinden:
        _gemeinde(t, row, gemeindefrei=False)
    for row in gemeindefrei:
        _gemeinde(t, row, gemeindefrei=True)
    n_coop, n_member = _gemeindeverbaende(t, verbaende, gemeinden)

    rendered = {name: _serialize(triples) for name, triples in t.by_file.items()}
    files = []
    for name in sorted(rendered):
        path = out_dir / name
        write_atomically(path, rendered[name])
        files.append(path)
    return BuildResult(
        files=files,
        gemeinden=len(gemeinden),
        gemeindefreie_gebiete=len(gemeindefrei),
        kreise=len(kreise),
        laender=len(laender),
        kooperationen=n_coop,
        mitgliedschaften=n_member,
        triples=sum(len(set(v)) for v in t.by_file.values()),
    )
