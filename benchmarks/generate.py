"""A seeded generator of a national-scale graph: the real Kommunen plus N synthetic cooperations.

The real part is the bundled data (ontology, every Kommune, Kreis and Land of the register,
the Gemeindeverbände and the real cooperations); it is used as it is, not copied. The
synthetic part is N cooperations written as Turtle shaped like ``data/kooperationen/*.ttl``:
members (real Kommunen of one Kreis and its nearest neighbours), dated memberships (day,
year only, or an explicitly unknown beginning; some ended), a founding Kontrakt signed by the
founding members, Gremien, a Geschäftsstelle, Handlungsfelder and a Rechtsform from the
project's vocabularies. Every synthetic resource has an IRI starting
``https://w3id.org/coopgraph/id/<kind>/synth-`` and says it is synthetic (``skos:note``).

A few known violations are injected into chosen synthetic cooperations; ``manifest.json``
lists each with the focus node and constraint component a validator must report, so tests
can compare. ``new/`` holds one more valid cooperation, not part of the graph, for
incremental validation.

Run:  .venv/bin/python benchmarks/generate.py --n 2000 --out /tmp/synth-2000 [--seed 1]
Never run as a test on its own (tests call ``generate()`` at a tiny N).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from coopgraph import resources

ID = "https://w3id.org/coopgraph/id/"
VOCAB = "https://w3id.org/coopgraph/vocab/"
SH = "http://www.w3.org/ns/shacl#"
CHUNK = 500  # synthetic cooperations per file
SOURCE = ID + "quelle/synth-benchmark"

PREFIXES = """\
@prefix coop:  <https://w3id.org/coopgraph/def#> .
@prefix dct:   <http://purl.org/dc/terms/> .
@prefix foaf:  <http://xmlns.com/foaf/0.1/> .
@prefix org:   <http://www.w3.org/ns/org#> .
@prefix rdfs:  <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:  <http://www.w3.org/2004/02/skos/core#> .
@prefix time:  <http://www.w3.org/2006/time#> .
@prefix xsd:   <http://www.w3.org/2001/XMLSchema#> .
@prefix geschaeftsstelle: <https://w3id.org/coopgraph/id/geschaeftsstelle/> .
@prefix gremium: <https://w3id.org/coopgraph/id/gremium/> .
@prefix kommune: <https://w3id.org/coopgraph/id/kommune/> .
@prefix kontrakt: <https://w3id.org/coopgraph/id/kontrakt/> .
@prefix kooperation: <https://w3id.org/coopgraph/id/kooperation/> .
@prefix kreis: <https://w3id.org/coopgraph/id/kreis/> .
@prefix land: <https://w3id.org/coopgraph/id/land/> .
@prefix mitgliedschaft: <https://w3id.org/coopgraph/id/mitgliedschaft/> .
@prefix zeitpunkt: <https://w3id.org/coopgraph/id/zeitpunkt/> .
@prefix zeitraum: <https://w3id.org/coopgraph/id/zeitraum/> .
@prefix gremienart: <https://w3id.org/coopgraph/vocab/gremienart/> .
@prefix handlungsfeld: <https://w3id.org/coopgraph/vocab/handlungsfeld/> .
@prefix kontraktart: <https://w3id.org/coopgraph/vocab/kontraktart/> .
@prefix mitgliedsrolle: <https://w3id.org/coopgraph/vocab/mitgliedsrolle/> .
@prefix rechtsform: <https://w3id.org/coopgraph/vocab/rechtsform/> .
"""

NOTE = '    skos:note "Synthetische Benchmark-Daten, keine reale Kooperation."@de , ' \
    '"Synthetic benchmark data, not a real cooperation."@en'  # fmt: skip


@dataclass
class Register:
    """The real Kommunen by Kreis, each Kreis's nearest Kreise, and the vocabularies."""

    kommunen: dict[str, list[str]]  # kreis key -> AGS of its Kommunen
    land_of: dict[str, str]  # kreis key -> land key
    neighbours: dict[str, list[str]]  # kreis key -> nearest other kreis keys
    concepts: dict[str, list[str]]  # scheme name -> concept local names


def read_register() -> Register:
    """Kommunen, Kreise and vocabularies from the bundled data (through pyoxigraph)."""
    store = ox.Store()
    files = [*resources.ontology_files(), *sorted((resources.data_dir() / "kommunen").glob("*"))]
    for path in files:
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    rows = store.query(
        """PREFIX coop: <https://w3id.org/coopgraph/def#>
        PREFIX geo: <http://www.opengis.net/ont/geosparql#>
        SELECT ?ags ?kreis ?land ?wkt WHERE {
          ?k a coop:Kommune ; coop:ags ?ags ; coop:kreis/coop:schluessel ?kreis ;
             coop:land/coop:schluessel ?land .
          OPTIONAL { ?k geo:hasGeometry/geo:asWKT ?wkt } } ORDER BY ?ags"""
    )
    kommunen: dict[str, list[str]] = {}
    land_of: dict[str, str] = {}
    points: dict[str, list[tuple[float, float]]] = {}
    for row in rows:  # type: ignore[union-attr]
        kreis = row["kreis"].value
        kommunen.setdefault(kreis, []).append(row["ags"].value)
        land_of[kreis] = row["land"].value
        if row["wkt"] is not None:
            lon, lat = row["wkt"].value.removeprefix("POINT(").rstrip(")").split()
            points.setdefault(kreis, []).append((float(lon), float(lat)))
    centre = {
        k: (sum(p[0] for p in ps) / len(ps), sum(p[1] for p in ps) / len(ps))
        for k, ps in points.items()
    }

    def distance(a: str, b: str) -> float:
        (x1, y1), (x2, y2) = centre[a], centre[b]
        return math.hypot((x1 - x2) * math.cos(math.radians(y1)), y1 - y2)

    neighbours = {
        k: sorted((o for o in centre if o != k), key=lambda o, k=k: distance(k, o))[:4]  # type: ignore[misc]
        if k in centre
        else []
        for k in kommunen
    }
    concepts: dict[str, list[str]] = {}
    for row in store.query(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?c ?s WHERE { ?c skos:inScheme ?s } ORDER BY ?c"
    ):  # type: ignore[union-attr]
        scheme = row["s"].value.removeprefix(VOCAB)
        concepts.setdefault(scheme, []).append(row["c"].value.removeprefix(VOCAB + scheme + "/"))
    return Register(kommunen, land_of, neighbours, concepts)


@dataclass
class Injection:
    kind: str
    cooperation: int
    expected: list[tuple[str, str]] = field(default_factory=list)  # (focus IRI, component)


# kind -> constraint components a validator reports (focus filled in by the writer)
INJECTIONS = [
    "cooperation-without-source",
    "cooperation-with-one-member",
    "membership-without-source",
    "membership-end-before-beginning",
    "invalid-date",
    "rechtsform-from-wrong-scheme",
    "unknown-member",
    "signatory-not-member",
    "gremium-without-cooperation",
    "homepage-as-text",
    "partner-also-member",
    "membership-without-beginning",
    "year-of-two-digits",
]


def _date(rng: random.Random, start: int, end: int) -> tuple[int, int, int]:
    return rng.randint(start, end), rng.randint(1, 12), rng.randint(1, 28)


def _iso(d: tuple[int, int, int]) -> str:
    return f"{d[0]:04d}-{d[1]:02d}-{d[2]:02d}"


def cooperation_ttl(
    i: int, reg: Register, rng: random.Random, inject: str | None, prefix: str = "synth"
) -> tuple[str, list[tuple[str, str]]]:
    """One synthetic cooperation as Turtle (without prefixes) and the results it must cause."""
    slug = f"{prefix}-{i:06d}"
    coop = f"kooperation:{slug}"
    coop_iri = f"{ID}kooperation/{slug}"
    expected: list[tuple[str, str]] = []
    kreise = sorted(reg.kommunen)
    kreis = kreise[rng.randrange(len(kreise))]
    pool = list(reg.kommunen[kreis])
    for j, other in enumerate(reg.neighbours[kreis][:3]):
        if j < rng.randint(0, 3) or len(pool) < 3:  # a kreisfreie Stadt works with neighbours
            pool += reg.kommunen[other]
    size = min(len(pool), 2 + min(int(rng.expovariate(1 / 3.0)), 40))
    if inject == "cooperation-with-one-member":
        size = 1
        expected.append((coop_iri, "MinCountConstraintComponent"))
    members = sorted(rng.sample(pool, max(size, 1)))
    founded = _date(rng, 1950, 2022)
    year_only = rng.random() < 0.3
    gremien = rng.choice((0, 1, 1, 2))
    out: list[str] = []
    w = out.append

    # the cooperation
    w(f"{coop}\n    a coop:Kooperation , org:OrganizationalCollaboration ;")
    w(f'    rdfs:label "Synthetische Kooperation {i:06d}" ;')
    w(NOTE + " ;")
    w(f"    coop:land land:{reg.land_of[kreis]} ;")
    if rng.random() < 0.5:
        w(f"    coop:kreis kreis:{kreis} ;")
    if inject == "rechtsform-from-wrong-scheme":
        wrong = reg.concepts["handlungsfeld"][0]
        w(f"    coop:rechtsform handlungsfeld:{wrong} ;")
        expected.append((coop_iri, "NodeConstraintComponent"))
        # the failed skos:inScheme check is nested in that result (sh:detail), not a result
    elif rng.random() < 0.7:
        w(f"    coop:rechtsform rechtsform:{rng.choice(reg.concepts['rechtsform'])} ;")
    fields = rng.sample(reg.concepts["handlungsfeld"], rng.randint(1, 3))
    w("    coop:handlungsfeld " + " , ".join(f"handlungsfeld:{f}" for f in fields) + " ;")
    if inject == "homepage-as-text":
        w(f'    foaf:homepage "www.synth-{i:06d}.example" ;')
        # found twice: by the Kooperation's website shape and by the web-page shape (links)
        expected += [(coop_iri, "NodeKindConstraintComponent")] * 2
        expected += [(coop_iri, "PatternConstraintComponent")] * 2
    elif rng.random() < 0.5:
        w(f"    foaf:homepage <https://synth-{i:06d}.example.org/> ;")
    if inject == "partner-also-member":
        w(f"    coop:partner kommune:{members[0]} ;")
        expected.append((coop_iri, "SPARQLConstraintComponent"))
    named = [
        m if not (inject == "unknown-member" and n == len(members) - 1 and n > 0) else "99999999"
        for n, m in enumerate(members)
    ]  # as its membership says
    w("    org:hasMember " + " , ".join(f"kommune:{m}" for m in named) + " ;")
    for g in range(gremien):
        w(f"    org:hasUnit gremium:{slug}-{g} ;")
    if inject == "cooperation-without-source":
        expected.append((coop_iri, "MinCountConstraintComponent"))
        w(f'    coop:projektstart "{founded[0]}"^^xsd:gYear .\n')
    else:
        w(f"    dct:source <{SOURCE}> .\n")

    # founding instant shared by the founding members, as in the real data
    gruendung = f"zeitpunkt:{slug}-gruendung"
    if year_only:
        w(f'{gruendung} a time:Instant ; time:inXSDgYear "{founded[0]}"^^xsd:gYear .')
    else:
        w(f'{gruendung} a time:Instant ; time:inXSDDate "{_iso(founded)}"^^xsd:date .')

    # memberships: most founding, some joined later, some ended, some with unknown beginning
    founders = []
    special = {
        "membership-without-source", "membership-end-before-beginning", "invalid-date",
        "membership-without-beginning", "year-of-two-digits",
    }  # fmt: skip
    for n, ags in enumerate(members):
        m = f"mitgliedschaft:{slug}-{ags}"
        m_iri = f"{ID}mitgliedschaft/{slug}-{ags}"
        z = f"zeitraum:{slug}-{ags}"
        z_iri = f"{ID}zeitraum/{slug}-{ags}"
        last = n == len(members) - 1 and len(members) > 1
        hit = inject in special and last
        roll = rng.random()
        joined = founded
        kind = "founder" if n == 0 or roll < 0.7 else "later" if roll < 0.9 else "unknown"
        if hit or (last and inject == "unknown-member"):
            kind = "later"
        interval = [f"{z} a time:Interval"]
        extra: list[str] = []
        if kind == "founder":
            founders.append(ags)
            interval.append(f"time:hasBeginning {gruendung}")
        elif kind == "later":
            begin = f"zeitpunkt:{slug}-{ags}-beginn"
            b_iri = f"{ID}zeitpunkt/{slug}-{ags}-beginn"
            joined = _date(rng, max(founded[0] + 1, 1951), 2024)
            if hit and inject == "invalid-date":
                extra.append(
                    f'{begin} a time:Instant ; time:inXSDDate "{joined[0]}-02-30"^^xsd:date .'
                )
                expected.append((b_iri, "DatatypeConstraintComponent"))
            elif hit and inject == "year-of-two-digits":
                extra.append(
                    f'{begin} a time:Instant ; time:inXSDgYear "{joined[0] % 100:02d}"^^xsd:gYear .'
                )
                expected.append((b_iri, "PatternConstraintComponent"))
            elif rng.random() < 0.5:
                extra.append(f'{begin} a time:Instant ; time:inXSDgYear "{joined[0]}"^^xsd:gYear .')
            else:
                extra.append(
                    f'{begin} a time:Instant ; time:inXSDDate "{_iso(joined)}"^^xsd:date .'
                )
            if hit and inject == "membership-without-beginning":
                extra = []
                expected.append((m_iri, "OrConstraintComponent"))
            else:
                interval.append(f"time:hasBeginning {begin}")
            if hit and inject == "membership-end-before-beginning":
                end = f"zeitpunkt:{slug}-{ags}-ende"
                extra.append(
                    f'{end} a time:Instant ; time:inXSDDate "{joined[0] - 1}-06-30"^^xsd:date .'
                )
                interval.append(f"time:hasEnd {end}")
                expected.append((z_iri, "SPARQLConstraintComponent"))
        if kind != "unknown" and not hit and rng.random() < 0.1:
            end = f"zeitpunkt:{slug}-{ags}-ende"
            first = joined[0] if kind == "later" else 2023
            year = rng.randint(max(first, 2023), 2025)
            extra.append(f'{end} a time:Instant ; time:inXSDgYear "{year}"^^xsd:gYear .')
            interval.append(f"time:hasEnd {end}")
        member = f"kommune:{ags}"
        if last and inject == "unknown-member":
            member = "kommune:99999999"
            expected.append((m_iri, "OrConstraintComponent"))
        w(f"{m}\n    a coop:Mitgliedschaft , org:Membership ;")
        w(f"    org:member {member} ;")
        w(f"    org:organization {coop} ;")
        if kind == "founder" and rng.random() < 0.5:
            w("    org:role mitgliedsrolle:gruendungsmitglied ;")
        if kind == "unknown":
            w("    coop:beginnUnbekannt true ;")
        if hit and inject == "membership-without-source":
            expected.append((m_iri, "MinCountConstraintComponent"))
            w(f"    org:memberDuring {z} .")
        else:
            w(f"    org:memberDuring {z} ;")
            w(f"    dct:source <{SOURCE}> .")
        w(" ; ".join(interval) + " .")
        out.extend(extra)
        w("")

    # the founding agreement, signed by the founding members
    k = f"kontrakt:{slug}"
    signers = [f"kommune:{a}" for a in founders]
    if inject == "signatory-not-member":
        outsider = next(a for a in reg.kommunen[kreise[(kreise.index(kreis) + 7) % len(kreise)]]
                        if a not in members)  # fmt: skip
        signers.append(f"kommune:{outsider}")
        expected.append((f"{ID}kontrakt/{slug}", "SPARQLConstraintComponent"))
    w(f"{k}\n    a coop:Kontrakt , org:ChangeEvent ;")
    w(f'    dct:title "Gründungsvertrag der Synthetischen Kooperation {i:06d}" ;')
    w(f"    coop:kontraktart kontraktart:{rng.choice(reg.concepts['kontraktart'])} ;")
    w(f"    coop:abschluss {gruendung} ;")
    w("    coop:unterzeichner " + " , ".join(signers) + " ;")
    w(f"    org:resultingOrganization {coop} ;")
    w(f"    dct:source <{SOURCE}> .\n")

    for g in range(gremien):
        gr = f"gremium:{slug}-{g}"
        w(f"{gr}\n    a coop:Gremium , org:OrganizationalUnit ;")
        w(f'    rdfs:label "Gremium {g + 1} der Synthetischen Kooperation {i:06d}" ;')
        w(f"    coop:gremienart gremienart:{rng.choice(reg.concepts['gremienart'])} ;")
        if inject == "gremium-without-cooperation" and g == 0:
            expected.append((f"{ID}gremium/{slug}-{g}", "MinCountConstraintComponent"))
        else:
            w(f"    org:unitOf {coop} ;")
        w(f"    dct:source <{SOURCE}> .\n")
    if inject == "gremium-without-cooperation" and gremien == 0:
        gr = f"gremium:{slug}-x"
        w(f"{gr}\n    a coop:Gremium , org:OrganizationalUnit ;")
        w(f'    rdfs:label "Gremium der Synthetischen Kooperation {i:06d}" ;')
        w(f"    coop:gremienart gremienart:{reg.concepts['gremienart'][0]} ;")
        w(f"    dct:source <{SOURCE}> .\n")
        expected.append((f"{ID}gremium/{slug}-x", "MinCountConstraintComponent"))
    if rng.random() < 0.3:
        st = f"geschaeftsstelle:{slug}"
        w(f"{st}\n    a coop:Geschaeftsstelle , org:Site ;")
        w(f'    rdfs:label "Geschäftsstelle der Synthetischen Kooperation {i:06d}" ;')
        w(f"    org:siteOf {coop} ;")
        w(f"    coop:traeger kommune:{members[0]} ;")
        w(f"    dct:source <{SOURCE}> .\n")
    return "\n".join(out) + "\n", expected


SOURCE_TTL = f"""<{SOURCE}>
    a coop:Quelle ;
    dct:title "Synthetische Benchmark-Daten von benchmarks/generate.py" ;
{NOTE} .

"""


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def generate(n: int, out: Path, seed: int = 1) -> dict[str, object]:
    """Write the synthetic part for N cooperations into ``out`` (replaced); return the manifest."""
    reg = read_register()
    rng = random.Random(seed)
    picks = random.Random(seed + 1).sample(range(n), min(n, len(INJECTIONS)))
    injected = {i: kind for i, kind in zip(picks, INJECTIONS, strict=False)}
    tmp = Path(tempfile.mkdtemp(dir=out.parent if out.parent.exists() else None,
                                prefix=f".{out.name}-"))  # fmt: skip
    files: list[str] = []
    manifest_violations = []
    for start in range(0, n, CHUNK):
        parts = [PREFIXES, "\n", SOURCE_TTL]
        for i in range(start, min(n, start + CHUNK)):
            text, expected = cooperation_ttl(i, reg, rng, injected.get(i))
            parts.append(text)
            name = f"synth-kooperationen-{start // CHUNK:03d}.ttl"
            for focus, component in expected:
                manifest_violations.append(
                    {"kind": injected[i], "focus": focus, "component": component, "file": name}
                )
        name = f"synth-kooperationen-{start // CHUNK:03d}.ttl"
        (tmp / name).write_text("".join(parts), encoding="utf-8")
        files.append(name)
    (tmp / "new").mkdir()
    new_text, _ = cooperation_ttl(0, reg, random.Random(seed + 2), None, prefix="synth-neu")
    (tmp / "new" / "synth-neu-000000.ttl").write_text(
        PREFIXES + "\n" + SOURCE_TTL + new_text, encoding="utf-8"
    )
    missing = sorted(set(INJECTIONS[: len(picks)]) - {v["kind"] for v in manifest_violations})
    if missing:
        raise RuntimeError(f"injections left nothing to find: {missing}")
    manifest = {
        "seed": seed,
        "n": n,
        "files": files,
        "new_file": "new/synth-neu-000000.ttl",
        "injected": manifest_violations,
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)
    return manifest


def graph_files(out: Path) -> list[Path]:
    """The whole graph: ontology, bundled data and the synthetic files (not ``new/``)."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return [*resources.data_files(), *(out / f for f in manifest["files"])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="synthetic cooperations")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="output folder (replaced)")
    args = parser.parse_args(argv)
    manifest = generate(args.n, args.out, args.seed)
    print(f"{args.n} synthetic cooperations in {len(manifest['files'])} files under {args.out}; "  # type: ignore[arg-type]
          f"{len(manifest['injected'])} injected violations listed in manifest.json")  # type: ignore[arg-type]  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
