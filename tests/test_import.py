"""`coopgraph import PROFILE.yaml`, `coopgraph export NAME` and the Steckbrief format.

Broken profiles go through the real command line with a copy of the data folder (--data) and
must leave every file of it byte for byte as it was.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, SKOS

from coopgraph import profile, resources
from coopgraph.namespaces import kooperation_iri

from .conftest import DATA, REPO, SEEDS

PROFILES = REPO / "profiles"
PROFILE_FILES = sorted(p for p in PROFILES.glob("*.yaml") if not p.name.startswith("_"))
# an invented source (the profile below is test input, built but never bundled)
SOURCE = "https://www.example.org/satzung-der-volkshochschule"

# A small valid profile; the tests break it in one place at a time. Line numbers matter.
BASE = f"""\
slug: test-vhs
name: Test-Zweckverband VHS
legal_form: zweckverband
laender: [NW]
members:
  - name: Emsdetten
    since: 1975
    role: gruendungsmitglied
  - name: Greven
    since: 1975
    role: gruendungsmitglied
  - name: Saerbeck
    since: 1975
    role: gruendungsmitglied
contract:
  title: Satzung
  kind: satzung
  date: 1975-07-15
  signatories: [Emsdetten, Greven, Saerbeck]
sources:
  - url: {SOURCE}
    title: Satzung des Zweckverbandes Volkshochschule Emsdetten/Greven/Saerbeck
"""


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}  # fmt: skip


@pytest.fixture(scope="module")
def data_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the whole data folder, shared by the tests that must not change it."""
    target = tmp_path_factory.mktemp("data") / "data"
    shutil.copytree(DATA, target)
    return target


def write(tmp_path: Path, text: str, name: str = "profile.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- broken profiles

BROKEN: dict[str, tuple[str, str, int, list[str]]] = {
    # name: (old text, new text, line the message must name, fragments of the message)
    "unknown-municipality": (
        "  - name: Greven\n", "  - name: Grevenbrück-Nirgendwo\n", 9,
        ["members[1].name", "unknown municipality 'Grevenbrück-Nirgendwo'"],
    ),
    "ambiguous-name": (  # without laender: no Land narrows "Senden" down
        "laender: [NW]\nmembers:\n  - name: Emsdetten\n    since: 1975\n"
        "    role: gruendungsmitglied\n  - name: Greven",
        "members:\n  - name: Emsdetten\n    since: 1975\n"
        "    role: gruendungsmitglied\n  - name: Senden", 8,
        ["members[1].name", "'Senden' is ambiguous", "05558044", "09775152", "land:"],
    ),
    "date-not-a-date": (
        "  - name: Greven\n    since: 1975", "  - name: Greven\n    since: 2003-13-45", 10,
        ["members[1].since", "'2003-13-45' is not a date"],
    ),
    "until-before-since": (
        "    since: 1975\n    role: gruendungsmitglied\n  - name: Saerbeck",
        "    since: 1975\n    until: 1970\n    role: gruendungsmitglied\n  - name: Saerbeck", 11,
        ["members[1].until", "lies before member since 1975"],
    ),
    "unknown-rechtsform": (
        "legal_form: zweckverband", "legal_form: Zweckgemeinschaft", 3,
        ["legal_form", "unknown rechtsform 'Zweckgemeinschaft'", "allowed:", "zweckverband"],
    ),
    "yaml-syntax-error": (
        "  - name: Emsdetten\n    since: 1975", "  - name: Emsdetten\n\tsince: 1975", 7,
        ["YAML syntax error", "'\\t'"],
    ),
    "missing-source": (
        f"sources:\n  - url: {SOURCE}\n    title: Satzung des Zweckverbandes Volkshochschule "
        "Emsdetten/Greven/Saerbeck\n", "", 1, ["'sources' is required but missing"],
    ),
    "source-not-listed": (
        "    role: gruendungsmitglied\n  - name: Saerbeck",
        "    role: gruendungsmitglied\n    sources: [https://example.org/other]\n"
        "  - name: Saerbeck", 12,
        ["members[1].sources[0]", "is not one of the profile's sources"],
    ),
    "ags-does-not-fit": (
        "  - name: Greven\n", "  - name: Greven\n    ags: '05566008'\n", 10,
        ["members[1].ags", "AGS 05566008 does not fit 'Greven'", "05566012"],
    ),
    "unknown-key": (
        "legal_form: zweckverband", "legal_form: zweckverband\ngegruendet: 1975", 4,
        ["Additional properties are not allowed ('gegruendet' was unexpected)", "allowed keys"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_profile_is_refused_and_data_unchanged(cli, tmp_path, data_copy, case) -> None:
    old, new, line, fragments = BROKEN[case]
    assert old in BASE, case
    path = write(tmp_path, BASE.replace(old, new, 1))
    before = snapshot(data_copy)
    run = cli("import", str(path), "--data", str(data_copy))
    assert run.code == 2, run.err
    assert run.err.startswith(f"coopgraph: error: {path}:{line}: "), run.err
    for fragment in fragments:
        assert fragment in run.err, (fragment, run.err)
    assert "Traceback" not in run.err
    assert run.out == ""
    assert snapshot(data_copy) == before


def test_every_rechtsform_of_the_vocabulary_is_offered(cli, tmp_path, data_copy) -> None:
    """The allowed values come from ontology/vocab/rechtsform.ttl, not from a list in code."""
    vocab = Graph().parse(resources.ontology_dir() / "vocab" / "rechtsform.ttl")
    ns = "https://w3id.org/coopgraph/vocab/rechtsform/"
    locals_ = {str(s)[len(ns) :] for s in vocab.subjects() if str(s).startswith(ns)}
    assert len(locals_) > 5
    path = write(tmp_path, BASE.replace("legal_form: zweckverband", "legal_form: stiftung"))
    run = cli("import", str(path), "--data", str(data_copy))
    assert run.code == 2
    listed = run.err.split("allowed: ", 1)[1].rsplit(" (add", 1)[0].split("; ")
    assert {item.split(" (", 1)[0] for item in listed} == locals_
    assert "zweckverband (special-purpose association)" in listed  # each with its label


def test_all_problems_of_a_profile_are_listed(cli, tmp_path, data_copy) -> None:
    text = BASE.replace("  - name: Greven\n", "  - name: Nirgendheim\n").replace(
        "kind: satzung", "kind: handschlag"
    )
    run = cli("import", str(write(tmp_path, text)), "--data", str(data_copy))
    assert run.code == 2
    lines = run.err.strip().splitlines()
    assert len(lines) == 2 and all(x.startswith("coopgraph: error: ") for x in lines), lines
    assert "unknown municipality 'Nirgendheim'" in lines[0]
    assert "unknown kontraktart 'handschlag'" in lines[1] and "unterzeichneter-vertrag" in lines[1]


def test_not_conforming_exits_1_and_writes_nothing(cli, tmp_path, data_copy) -> None:
    """Valid input whose graph breaks a shape: a signatory that is no member on the day."""
    path = write(tmp_path, BASE.replace("date: 1975-07-15", "date: 1970-01-01"))
    before = snapshot(data_copy)
    run = cli("import", str(path), "--data", str(data_copy))
    assert run.code == 1, run.out + run.err
    assert "not a member of the founded cooperation" in run.out
    assert "nothing written" in run.err
    assert snapshot(data_copy) == before


# ---------------------------------------------------------------- dry run, write, re-import


def test_dry_run_prints_turtle_and_report_and_writes_nothing(cli, tmp_path, data_copy) -> None:
    before = snapshot(data_copy)
    run = cli("import", "profile", str(write(tmp_path, BASE)), "--dry-run",
              "--data", str(data_copy))  # fmt: skip
    assert run.code == 0, run.err
    g = Graph().parse(data=run.out, format="turtle")
    coop = kooperation_iri("test-vhs")
    assert g.value(coop, RDFS.label) == Literal("Test-Zweckverband VHS")
    assert "conforms" in run.err and "new file" in run.err
    # the bundled VHS cooperation has exactly these three members: a likely duplicate
    twin = str(kooperation_iri("vhs-emsdetten-greven-saerbeck"))
    assert f"warning: {twin} (Zweckverband Volkshochschule" in run.err
    assert snapshot(data_copy) == before


def test_import_writes_then_reimport_shows_the_change(cli, tmp_path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SEEDS, data / "kooperationen")
    target = data / "kooperationen" / "test-vhs.ttl"
    path = write(tmp_path, BASE)

    run = cli("import", str(path), "--data", str(data), "--lang", "en")
    assert run.code == 0, run.out + run.err
    assert target.is_file() and f"wrote {target}" in run.out
    assert "new file" in run.out
    first = target.read_bytes()
    assert not list(target.parent.glob(".*.tmp"))

    path.write_text(BASE.replace("legal_form: zweckverband\n",
                                 "legal_form: zweckverband\nalt_names: [VHS-Test]\n"))  # fmt: skip
    run = cli("import", str(path), "--data", str(data))
    assert run.code == 0, run.out + run.err
    assert "+1 −0 triples" in run.out
    assert '  + kooperation:test-vhs skos:altLabel "VHS-Test" .' in run.out
    g = Graph().parse(target)
    assert (kooperation_iri("test-vhs"), SKOS.altLabel, Literal("VHS-Test")) in g
    assert target.read_bytes() != first

    second = target.read_bytes()
    run = cli("import", str(path), "--data", str(data))
    assert run.code == 0
    assert "no triple changed" in run.out and "wrote" not in run.out
    assert target.read_bytes() == second


def test_validate_accepts_profiles_without_writing(cli, tmp_path, data_copy) -> None:
    good = write(tmp_path, BASE)
    before = snapshot(data_copy)
    run = cli("validate", str(good))
    assert run.code == 0, run.out + run.err
    assert "conforms" in run.out
    bad = write(tmp_path, BASE.replace("since: 1975", "since: 1975-02-30", 1), "bad.yaml")
    run = cli("validate", str(bad), str(good))  # the good one is still checked after the bad
    assert run.code == 2 and "is not a date" in run.err
    assert "conforms" in run.out
    assert snapshot(data_copy) == before
    assert not (DATA / "kooperationen" / "test-vhs.ttl").exists()


# ---------------------------------------------------------------- seeds and round trip


@pytest.mark.parametrize("path", PROFILE_FILES, ids=lambda p: p.stem)
def test_profile_reproduces_the_committed_turtle(path: Path) -> None:
    """The committed file is the importer's output, byte for byte."""
    built = profile.build_file(path)
    assert built.slug == path.stem
    committed = (SEEDS / f"{built.slug}.ttl").read_text(encoding="utf-8")
    assert built.to_turtle() == committed


def test_every_cooperation_has_a_profile() -> None:
    assert {p.stem for p in SEEDS.glob("*.ttl")} == {p.stem for p in PROFILE_FILES}


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.ttl")), ids=lambda p: p.stem)
def test_export_then_import_gives_the_same_graph(cli, tmp_path, path: Path) -> None:
    out = tmp_path / f"{path.stem}.yaml"
    run = cli("export", path.stem, "--out", str(out), "--data", str(DATA))
    assert run.code == 0, run.err
    rebuilt = profile.build_file(out).graph
    assert isomorphic(rebuilt, Graph().parse(path))


def test_export_by_iri_to_stdout(cli) -> None:
    iri = str(kooperation_iri("stadtregion-muenster"))
    run = cli("export", iri, "--data", str(DATA))
    assert run.code == 0
    assert "slug: stadtregion-muenster" in run.out and "founded: 2001" in run.out
    assert "ags: '05515000'" in run.out  # an AGS is always quoted
    run = cli("export", "no-such-cooperation", "--data", str(DATA))
    assert run.code == 2 and "known: " in run.err


def test_seed_profiles_carry_the_seed_fields() -> None:
    """Every infobox field of the KDZ record that has a value has its key in the profile."""
    ruhr = profile.load(PROFILES / "staedteregion-ruhr.yaml").data
    for key in ("sector", "laender", "members", "contact", "website", "project_start",
                "legal_form", "coordinates", "partners", "funders", "contract", "goals",
                "slogan", "fields_of_action", "description", "sources"):  # fmt: skip
        assert ruhr.get(key), key
    muenster = profile.load(PROFILES / "stadtregion-muenster.yaml").data
    # the page's sentence on Art. 28(2) Basic Law is context, not this body's legal basis: a note
    for key in ("members", "contract", "office", "bodies", "fields_of_action", "goals",
                "founded", "note", "description", "sources"):  # fmt: skip
        assert muenster.get(key), key
    assert "Art. 28" in muenster["note"]["de"] and "legal_basis" not in muenster
    g = profile.build_file(PROFILES / "staedteregion-ruhr.yaml").graph
    spelling = URIRef("https://w3id.org/coopgraph/def#schreibweiseInQuelle")
    assert Literal("Mühlheim a. d. Ruhr") in set(g.objects(None, spelling))


def test_profiles_follow_the_published_schema() -> None:
    schema = json.loads(resources.steckbrief_schema_file().read_text(encoding="utf-8"))
    assert schema["required"] == ["slug", "name", "legal_form", "members", "sources"]
    for path in [*PROFILE_FILES, PROFILES / "_template.yaml"]:
        assert profile.check_schema(profile.read_yaml(path)) == [], path


def test_documented_example_follows_the_schema(tmp_path) -> None:
    text = (REPO / "docs" / "steckbrief.md").read_text(encoding="utf-8")
    example = text.split("```yaml\n")[2].split("```")[0]
    doc = profile.read_yaml(write(tmp_path, example))
    assert profile.check_schema(doc) == []
    assert doc.data["slug"] == "staedteregion-ruhr"


def test_contact_without_a_person_is_a_contact_point(tmp_path) -> None:
    text = BASE.replace(
        "members:\n",
        "contact:\n  organization: Zweckverband VHS\n  kommune: Emsdetten\n"
        "  phone: '+49 2572 0000'\nmembers:\n",
    )
    built = profile.build_file(write(tmp_path, text))
    schema = "https://schema.org/"
    point = built.graph.value(kooperation_iri("test-vhs"), URIRef(schema + "contactPoint"))
    assert point is not None
    assert built.graph.value(point, URIRef(schema + "telephone")) == Literal("+49 2572 0000")
    assert str(built.graph.value(point, URIRef(schema + "location"))).endswith("/05566008")
    again = profile.export(built.graph, kooperation_iri("test-vhs"))
    assert again["contact"]["organization"] == "Zweckverband VHS"
    assert "name" not in again["contact"]


def test_date_range_kreis_member_and_spellings_survive_the_round_trip(tmp_path) -> None:
    text = (
        BASE.replace("  date: 1975-07-15\n", "  date: {from: 1975, to: 1975-07-15}\n")
        .replace("  - name: Saerbeck\n", "  - name: Kreis Steinfurt\n    kind: kreis\n")
        .replace("[Emsdetten, Greven, Saerbeck]", "[Emsdetten, Greven]")
        .replace("  - name: Greven\n", "  - name: Greven\n    as_written: [Stadt Greven]\n")
    )
    built = profile.build_file(write(tmp_path, text))
    g = built.graph
    time = "http://www.w3.org/2006/time#"
    kontrakt = URIRef("https://w3id.org/coopgraph/id/kontrakt/test-vhs-1975")
    span = g.value(kontrakt, URIRef("https://w3id.org/coopgraph/def#abschluss"))
    assert (span, None, URIRef(time + "Interval")) in g
    assert g.value(g.value(span, URIRef(time + "hasEnd")), URIRef(time + "inXSDDate")) == Literal(
        "1975-07-15", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")
    )
    kreis = URIRef("https://w3id.org/coopgraph/id/kreis/05566")
    assert (kooperation_iri("test-vhs"), URIRef("http://www.w3.org/ns/org#hasMember"), kreis) in g
    exported = profile.dump_yaml(profile.export(g, kooperation_iri("test-vhs")))
    again = profile.build_file(write(tmp_path, exported, "again.yaml")).graph
    assert isomorphic(again, g)


def test_missing_data_folder_is_an_input_error(cli, tmp_path) -> None:
    run = cli("import", str(write(tmp_path, BASE)), "--data", str(tmp_path / "nowhere"))
    assert run.code == 2 and "no such data folder" in run.err


def test_report_in_german(cli, tmp_path, data_copy) -> None:
    path = write(tmp_path, BASE.replace("date: 1975-07-15", "date: 1970-01-01"))
    run = cli("import", str(path), "--data", str(data_copy), "--lang", "de")
    assert run.code == 1
    assert "nicht konform" in run.out and "nichts geschrieben" in run.err


def test_approximate_names_are_noted_for_review(cli, tmp_path, data_copy) -> None:
    path = write(tmp_path, BASE.replace("  - name: Saerbeck\n", "  - name: Saerbek\n"))
    run = cli("import", str(path), "--dry-run", "--data", str(data_copy))
    assert run.code == 0, run.err
    assert f"coopgraph: note: {path}:12: members[2].name: 'Saerbek' taken as 05566080" in run.err
    assert 'coop:schreibweiseInQuelle "Saerbek"' in run.out  # the spelling is kept


def test_profile_errors_in_german(cli, tmp_path, data_copy) -> None:
    text = BASE.replace("  - name: Greven\n", "  - name: Nirgendheim\n").replace(
        "since: 1975", "since: 1975-02-30", 1
    )
    run = cli("import", str(write(tmp_path, text)), "--data", str(data_copy), "--lang", "de")
    assert run.code == 2
    assert "'1975-02-30' ist kein Datum" in run.err
    assert "unbekannte Gemeinde 'Nirgendheim'" in run.err
    assert all(x.startswith("coopgraph: error: ") for x in run.err.strip().splitlines())
