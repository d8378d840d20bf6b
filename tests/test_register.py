"""The register build: complete, faithful to the official register, reproducible byte for byte."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph import register

from .conftest import DATA, REGISTER

COOP = "https://w3id.org/coopgraph/def#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _csv(name: str) -> list[dict[str, str]]:
    with (REGISTER / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, register.BuildResult]:
    out = tmp_path_factory.mktemp("build")
    return out, register.build(REGISTER, out)


@pytest.fixture(scope="module")
def store(built: tuple[Path, register.BuildResult]) -> ox.Store:
    out, _ = built
    s = ox.Store()
    for path in sorted(out.rglob("*.ttl")):
        s.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    return s


def _select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    prefixed = f"PREFIX coop: <{COOP}>\nPREFIX org: <http://www.w3.org/ns/org#>\n{query}"
    solutions = store.query(prefixed)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [tuple(str(s[n].value) if s[n] is not None else "" for n in names) for s in solutions]


def test_build_is_byte_identical_and_equals_the_committed_data(
    built: tuple[Path, register.BuildResult], tmp_path: Path
) -> None:
    out, first = built
    second = register.build(REGISTER, tmp_path)
    names = [p.relative_to(out).as_posix() for p in first.files]
    assert names == [p.relative_to(tmp_path).as_posix() for p in second.files]
    for name in names:
        assert (out / name).read_bytes() == (tmp_path / name).read_bytes(), name
        assert (out / name).read_bytes() == (DATA / name).read_bytes(), f"{name} is stale"


def test_counts_match_the_register(built: tuple[Path, register.BuildResult]) -> None:
    _, result = built
    assert result.gemeinden == 10_751
    assert result.gemeindefreie_gebiete == 202
    assert result.kreise == 400
    assert result.laender == 16
    assert result.kooperationen == 1_203
    assert result.mitgliedschaften == 7_565


def test_kommunen_are_exactly_the_registers_gemeinden(store: ox.Store) -> None:
    rows = _select(store, "SELECT ?ags ?land WHERE { ?k a coop:Kommune ; coop:ags ?ags ; "
                          "coop:land/coop:schluessel ?land }")  # fmt: skip
    ags = [r[0] for r in rows]
    assert len(ags) == 10_751
    assert len(set(ags)) == len(ags), "duplicate AGS"
    register_rows = _csv("gemeinden.csv")
    assert set(ags) == {r["ags"] for r in register_rows}
    assert Counter(r[1] for r in rows) == Counter(r["land_schluessel"] for r in register_rows)


def test_gemeindefreie_gebiete_are_their_own_class(store: ox.Store) -> None:
    rows = _select(store, "SELECT ?ags WHERE { ?g a coop:GemeindefreiesGebiet ; coop:ags ?ags "
                          "FILTER NOT EXISTS { ?g a coop:Kommune } }")  # fmt: skip
    assert {r[0] for r in rows} == {r["ags"] for r in _csv("gemeindefreie_gebiete.csv")}


def test_kreise_and_laender(store: ox.Store) -> None:
    kreise = _select(store, "SELECT ?key WHERE { ?k a coop:Kreis ; coop:schluessel ?key }")
    assert {r[0] for r in kreise} == {r["kreis_schluessel"] for r in _csv("kreise.csv")}
    laender = _select(store, "SELECT ?key ?code WHERE { ?l a coop:Land ; coop:schluessel ?key ; "
                             "coop:kuerzel ?code }")  # fmt: skip
    assert len(laender) == 16
    assert ("05", "NW") in laender and ("09", "BY") in laender


def test_gemeindeverbaende_are_cooperations_with_their_members(store: ox.Store) -> None:
    rows = _select(store, """
        SELECT ?key ?ags ?form WHERE {
          ?k coop:gemeindeverband ?key ; coop:rechtsform ?form .
          ?m org:organization ?k ; org:member/coop:ags ?ags .
        }""")  # fmt: skip
    expected = {(r["gemeindeverband_schluessel"], r["ags"]) for r in _csv("gemeinden.csv")
                if r["gemeindeverband_typ"] != "verbandsfreie Gemeinde"}  # fmt: skip
    per_verband = Counter(key for key, _ in expected)
    expected = {pair for pair in expected if per_verband[pair[0]] >= 2}
    assert {(key, ags) for key, ags, _ in rows} == expected
    assert len(expected) == 7_565
    assert len({key for key, _, _ in rows}) == 1_203
    forms = Counter(form.rsplit("/", 1)[-1] for key, _, form in {(r[0], "", r[2]) for r in rows})
    assert forms["amt"] > 0 and forms["samtgemeinde"] > 0 and forms["verbandsgemeinde"] > 0


def test_gemeindeverband_memberships_do_not_invent_a_beginning(store: ox.Store) -> None:
    invented = _select(
        store,
        """
        SELECT ?m WHERE { ?m org:organization/coop:gemeindeverband ?key ;
                             org:memberDuring/<http://www.w3.org/2006/time#hasBeginning> ?b }""",
    )
    assert invented == []
    honest = _select(store, """
        SELECT (COUNT(?m) AS ?n) WHERE { ?m org:organization/coop:gemeindeverband ?key ;
               coop:beginnUnbekannt true ; coop:bestaetigtAm ?day
               FILTER (STR(?day) = "2025-11-30") }""")  # fmt: skip
    assert honest == [("7565",)]


def test_every_resource_carries_its_provenance(store: ox.Store) -> None:
    missing = _select(
        store,
        """
        SELECT ?s WHERE {
          VALUES ?class { coop:Kommune coop:GemeindefreiesGebiet coop:Kreis coop:Land
                          coop:Regierungsbezirk coop:Kooperation org:Membership }
          ?s a ?class .
          FILTER NOT EXISTS { ?s <http://purl.org/dc/terms/source> ?src }
        }""",
    )
    assert missing == []
    attribution = _select(store, "SELECT ?a WHERE { ?q coop:zitierweise ?a }")
    assert attribution == [(register.ATTRIBUTION,)]


def test_seed_cooperations_reuse_the_register_kommunen() -> None:
    for seed in (DATA / "kooperationen").glob("*.ttl"):
        store = ox.Store()
        store.bulk_load(path=str(seed), format=ox.RdfFormat.TURTLE)
        assert _select(store, "SELECT ?k WHERE { ?k a coop:Kommune }") == [], seed.name
        members = _select(store, "SELECT ?k WHERE { ?m org:member ?k }")
        kinds = tuple(
            f"https://w3id.org/coopgraph/id/{kind}/" for kind in ("kommune", "kreis", "land")
        )
        assert members and all(k.startswith(kinds) for (k,) in members)


def test_cli_import_register(cli, tmp_path: Path) -> None:
    run = cli("import", "register", str(REGISTER), "--out", str(tmp_path), "--format", "json")
    assert run.code == 0, run.err
    assert '"gemeinden": 10751' in run.out
    assert (tmp_path / "kommunen" / "gemeinden-05.ttl").is_file()


def test_cli_import_register_from_a_missing_folder_is_exit_2(cli, tmp_path: Path) -> None:
    run = cli("import", "register", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert run.code == 2
    assert "register folder not found" in run.err
    assert not (tmp_path / "out").exists()
