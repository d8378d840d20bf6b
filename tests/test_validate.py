"""`coopgraph validate` and the library's validate(): each shape constraint, each output format."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, RDF, RDFS, TIME, XSD

import coopgraph
from coopgraph import resources
from coopgraph.namespaces import COOP, SH, kommune_iri, kooperation_iri
from coopgraph.store.loaded import load

from .conftest import SEEDS

ID = Namespace("https://w3id.org/coopgraph/id/")
RUHR = kooperation_iri("staedteregion-ruhr")
MUENSTER = kooperation_iri("stadtregion-muenster")
RUHR_FILE = SEEDS / "staedteregion-ruhr.ttl"
MUENSTER_FILE = SEEDS / "stadtregion-muenster.ttl"


@pytest.mark.parametrize("path", resources.data_files(), ids=lambda p: p.name)
def test_every_bundled_data_file_conforms(path: Path) -> None:
    report = coopgraph.validate([path])
    assert report.conforms, report.to_text()
    # warnings are allowed: what a source does not say (an agreement's date, say) stays unsaid
    assert [v for v in report.violations if v.severity != "Warning"] == []


def test_cli_validates_bundled_seeds_with_exit_0(cli) -> None:
    run = cli("validate", str(RUHR_FILE), str(MUENSTER_FILE))
    assert run.code == 0, run.out + run.err
    assert "conforms" in run.out


def test_validation_never_merges_shapes_or_mutates_the_data() -> None:
    loaded = load([RUHR_FILE])
    before = set(loaded.graph)
    from coopgraph.validate import validate_graph

    validate_graph(loaded)
    assert set(loaded.graph) == before
    assert not any(p.startswith(str(SH)) for _, p, _ in loaded.graph)
    assert not list(loaded.graph.subjects(RDF.type, SH.NodeShape))


# ---------------------------------------------------------------- one broken copy per constraint

Mutation = Callable[[Graph], None]
M_BOCHUM = ID["mitgliedschaft/staedteregion-ruhr-05911000"]
BOCHUM = kommune_iri("05911000")
KONTRAKT_RUHR = ID["kontrakt/staedteregion-ruhr-2003"]
KONTRAKT_MS = ID["kontrakt/stadtregion-muenster-2018"]
GREMIUM = ID["gremium/stadtregion-muenster-beirat"]
STELLE = ID["geschaeftsstelle/stadtregion-muenster"]


def _replace(g: Graph, s: URIRef, p: URIRef, o) -> None:
    g.remove((s, p, None))
    g.add((s, p, o))


def _other_coop(g: Graph) -> None:
    other = URIRef("https://example.org/other-cooperation")
    g.add((other, RDF.type, COOP.Kooperation))


CASES: dict[str, tuple[Path, Mutation, str, str]] = {
    # name: (file, mutation, constraint component, English message fragment)
    "ags-pattern": (RUHR_FILE, lambda g: _replace(g, BOCHUM, COOP.ags, Literal("5911000")),
                    "PatternConstraintComponent", "exactly one AGS of eight digits"),
    "ags-unique": (RUHR_FILE, lambda g: _replace(g, kommune_iri("05913000"), COOP.ags,
                                                 Literal("05911000")),
                   "SPARQLConstraintComponent", "AGS is not unique"),
    "ags-ars-consistent": (RUHR_FILE, lambda g: _replace(g, BOCHUM, COOP.ars,
                                                         Literal("059110000001")),
                           "SPARQLConstraintComponent", "AGS, ARS and district do not agree"),
    "ags-kreis-consistent": (RUHR_FILE, lambda g: _replace(g, BOCHUM, COOP.kreis,
                                                           ID["kreis/05913"]),
                             "SPARQLConstraintComponent", "AGS, ARS and district do not agree"),
    "two-members": (RUHR_FILE, lambda g: [g.remove((m, ORG.organization, RUHR))
                                          for m in list(g.subjects(ORG.organization, RUHR))[1:]],
                    "MinCountConstraintComponent", "at least two distinct members"),
    "cooperation-source": (RUHR_FILE, lambda g: g.remove((RUHR, DCTERMS.source, None)),
                           "MinCountConstraintComponent", "at least one source"),
    "member-known-kommune": (RUHR_FILE, lambda g: _replace(g, M_BOCHUM, ORG.member,
                                                           kommune_iri("99999999")),
                             "OrConstraintComponent", "known municipality"),
    "membership-end-before-beginning": (
        RUHR_FILE,
        lambda g: (g.add((ID["zeitraum/staedteregion-ruhr-05911000"], TIME.hasEnd,
                          ID["zeitpunkt/test-ende"])),
                   g.add((ID["zeitpunkt/test-ende"], TIME.inXSDDate,
                          Literal("1999-01-01", datatype=XSD.date)))),
        "SPARQLConstraintComponent", "end lies before the beginning"),
    "membership-beginning-stated": (
        RUHR_FILE, lambda g: g.remove((ID["zeitraum/staedteregion-ruhr-05911000"],
                                       TIME.hasBeginning, None)),
        "OrConstraintComponent", "states its beginning"),
    "signatory-is-member": (RUHR_FILE, lambda g: g.add((KONTRAKT_RUHR, COOP.unterzeichner,
                                                        kommune_iri("05512000"))),
                            "SPARQLConstraintComponent", "not a member of the founded cooperation"),
    "signatory-is-member-year-precision": (
        MUENSTER_FILE, lambda g: (_replace(g, ID["zeitraum/stadtregion-muenster-05566004"],
                                           TIME.hasBeginning, ID["zeitpunkt/test-2019"]),
                                  g.add((ID["zeitpunkt/test-2019"], TIME.inXSDgYear,
                                         Literal("2019", datatype=XSD.gYear)))),
        "SPARQLConstraintComponent", "not a member of the founded cooperation"),
    "gremium-one-cooperation": (
        MUENSTER_FILE, lambda g: g.remove((GREMIUM, ORG.unitOf, None)),
        "MinCountConstraintComponent", "belongs to exactly one cooperation"),
    "gremium-not-two-cooperations": (
        MUENSTER_FILE, lambda g: (g.add((GREMIUM, ORG.unitOf, RUHR)),
                                  g.add((RUHR, RDF.type, COOP.Kooperation))),
        "MaxCountConstraintComponent", "belongs to exactly one cooperation"),
    "valid-date": (RUHR_FILE, lambda g: _replace(g, ID["zeitpunkt/staedteregion-ruhr-2003-06-06"],
                                                 TIME.inXSDDate,
                                                 Literal("2003-06-31", datatype=XSD.date)),
                   "DatatypeConstraintComponent", "not a valid xsd:date"),
    "valid-year": (
        RUHR_FILE, lambda g: _replace(g, ID["zeitpunkt/staedteregion-ruhr-2007"],
                                      TIME.inXSDgYear, Literal("07", datatype=XSD.gYear)),
        "PatternConstraintComponent", "not a valid xsd:gYear"),
    "website-is-iri": (RUHR_FILE, lambda g: _replace(g, RUHR, FOAF.homepage,
                                                     Literal("www.staedteregion-ruhr-2030.de")),
                       "NodeKindConstraintComponent", "must be an http(s) IRI"),
    "rechtsform-from-scheme": (RUHR_FILE, lambda g: _replace(
        g, RUHR, COOP.rechtsform, URIRef("https://w3id.org/coopgraph/vocab/handlungsfeld/mobilitaet")),
        "NodeConstraintComponent", "Rechtsform scheme"),
    "handlungsfeld-from-scheme": (MUENSTER_FILE, lambda g: g.add((
        MUENSTER, COOP.handlungsfeld, URIRef("https://w3id.org/coopgraph/vocab/rechtsform/amt"))),
        "NodeConstraintComponent", "Handlungsfeld scheme"),
    "gremienart-from-scheme": (MUENSTER_FILE, lambda g: _replace(
        g, GREMIUM, COOP.gremienart, URIRef("https://w3id.org/coopgraph/vocab/rechtsform/amt")),
        "NodeConstraintComponent", "Gremienart scheme"),
    "kontrakt-founds-cooperation": (MUENSTER_FILE, lambda g: g.remove(
        (KONTRAKT_MS, URIRef(str(ORG) + "resultingOrganization"), None)),
        "MinCountConstraintComponent", "founds exactly one cooperation"),
    "geschaeftsstelle-host": (MUENSTER_FILE, lambda g: g.add((STELLE, COOP.traeger, BOCHUM)),
                              "MaxCountConstraintComponent", "hosted by at most one known"),
    "kontrakt-one-date": (RUHR_FILE, lambda g: g.add(
        (KONTRAKT_RUHR, COOP.abschluss, ID["zeitpunkt/x"])),
        "MaxCountConstraintComponent", "at most one date"),
    "partner-not-member": (RUHR_FILE, lambda g: g.add((RUHR, COOP.partner, BOCHUM)),
                           "SPARQLConstraintComponent", "must not also be a member"),
    "cooperation-name": (RUHR_FILE, lambda g: g.remove((RUHR, RDFS.label, None)),
                         "MinCountConstraintComponent", "needs a name"),
}  # fmt: skip


def broken_copy(name: str, folder: Path) -> Path:
    """The file of case NAME: its source with the referenced Kommunen, broken as CASES says."""
    source, mutate, _component, _fragment = CASES[name]
    loaded = load([source])
    mutate(loaded.graph)
    broken = folder / f"{name}.ttl"
    loaded.graph.serialize(broken, format="turtle")
    return broken


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_copy_is_rejected_with_the_constraints_message(name: str, tmp_path: Path) -> None:
    _source, _mutate, component, fragment = CASES[name]
    broken = broken_copy(name, tmp_path)
    report = coopgraph.validate([broken])
    assert not report.conforms
    hits = [v for v in report.violations if v.constraint == component]
    assert hits, report.to_text()
    assert any(fragment in v.message("en") for v in hits), report.to_text()
    # the German message is there too, and different
    assert all(v.message("de") != v.message("en") for v in hits)
    assert all(v.file == str(broken) or v.file is None for v in hits)


@pytest.mark.parametrize(
    ("source", "node", "prop", "fragment"),
    [
        (RUHR_FILE, KONTRAKT_RUHR, COOP.abschluss, "date of conclusion is not given"),
        (RUHR_FILE, KONTRAKT_RUHR, COOP.unterzeichner, "signatories are not given"),
        (MUENSTER_FILE, STELLE, COOP.traeger, "hosting the secretariat is not given"),
    ],
)
def test_what_a_source_does_not_say_is_a_warning_not_a_violation(
    source: Path, node: URIRef, prop: URIRef, fragment: str, tmp_path: Path, cli
) -> None:
    """An agreement without a known date or signatories, an office without a known host: the
    data stays honest and conforms, and the gap is reported as a warning."""
    loaded = load([source])
    loaded.graph.remove((node, prop, None))
    path = tmp_path / "gap.ttl"
    loaded.graph.serialize(path, format="turtle")
    report = coopgraph.validate([path])
    assert report.conforms, report.to_text()
    warnings = [v for v in report.violations if v.severity == "Warning"]
    assert [v.message("en") for v in warnings if fragment in v.message("en")], report.to_text()
    result = cli("validate", str(path))
    assert result.code == 0 and "1 warnings" in result.out


def test_every_violation_is_reported_not_just_the_first(tmp_path: Path, cli) -> None:
    loaded = load([RUHR_FILE])
    loaded.graph.remove((RUHR, DCTERMS.source, None))
    loaded.graph.remove((RUHR, RDFS.label, None))
    _replace(loaded.graph, BOCHUM, COOP.ags, Literal("123"))
    broken = tmp_path / "three.ttl"
    loaded.graph.serialize(broken, format="turtle")
    run = cli("validate", str(broken), "--format", "json")
    assert run.code == 1
    doc = json.loads(run.out)
    assert doc["conforms"] is False
    paths = {r["resultPath"] for r in doc["results"]}
    assert {"dct:source", "rdfs:label", "coop:ags"} <= paths
    for result in doc["results"]:
        assert set(result) >= {"file", "focusNode", "resultPath", "value", "message"}


def test_lang_picks_the_message_language(tmp_path: Path, cli) -> None:
    loaded = load([RUHR_FILE])
    loaded.graph.remove((RUHR, DCTERMS.source, None))
    broken = tmp_path / "nosource.ttl"
    loaded.graph.serialize(broken, format="turtle")
    de = cli("validate", str(broken), "--lang", "de")
    en = cli("validate", str(broken), "--lang", "en")
    assert de.code == en.code == 1
    assert "braucht mindestens eine Quelle" in de.out and "nicht konform" in de.out
    assert "needs at least one source" in en.out and "does not conform" in en.out
    assert f"{broken}:" in en.out and "kooperation/staedteregion-ruhr" in en.out


def test_turtle_format_is_the_shacl_report_graph(tmp_path: Path, cli) -> None:
    loaded = load([RUHR_FILE])
    loaded.graph.remove((RUHR, DCTERMS.source, None))
    broken = tmp_path / "nosource.ttl"
    loaded.graph.serialize(broken, format="turtle")
    run = cli("validate", str(broken), "--format", "turtle")
    assert run.code == 1
    report = Graph().parse(data=run.out, format="turtle")
    assert (None, SH.conforms, Literal(False)) in report
    assert len(list(report.subjects(RDF.type, SH.ValidationResult))) == 1


def test_turtle_syntax_error_names_file_and_line(tmp_path: Path, cli) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix coop: <https://w3id.org/coopgraph/def#> .\n\n"
        "<https://example.org/k> a coop:Kooperation ;\n"
        '    coop:ziel "x"\n'
        "    coop:ziel .\n",
        encoding="utf-8",
    )
    run = cli("validate", str(bad))
    assert run.code == 2
    assert run.out == ""
    assert f"{bad}:5:" in run.err
    assert "Traceback" not in run.err
    assert len(run.err.strip().splitlines()) == 1


def test_missing_file_is_exit_2(tmp_path: Path, cli) -> None:
    run = cli("validate", str(tmp_path / "nope.ttl"))
    assert run.code == 2
    assert "no such file" in run.err


def test_non_utf8_file_is_exit_2(tmp_path: Path, cli) -> None:
    bad = tmp_path / "latin1.ttl"
    bad.write_bytes('<https://e.org/a> <https://e.org/b> "Münster" .\n'.encode("latin-1"))
    run = cli("validate", str(bad))
    assert run.code == 2
    assert str(bad) in run.err and "Traceback" not in run.err


def test_validate_what_a_remote_sparql_store_holds(oxigraph_server, cli) -> None:
    from coopgraph.store.sparql import SparqlStore

    url = oxigraph_server()
    remote = SparqlStore(url)
    kommunen = resources.data_dir() / "kommunen"
    # pinned to the two NRW seeds: cooperations elsewhere need the Kommunen of their Länder
    remote.load([kommunen / "gemeinden-05.ttl", kommunen / "kreise.ttl",
                 kommunen / "laender.ttl", RUHR_FILE, MUENSTER_FILE])  # fmt: skip
    ok = cli("validate", "--store", url)
    assert ok.code == 0, ok.out + ok.err
    remote.update(f"DELETE WHERE {{ <{RUHR}> <{DCTERMS.source}> ?s }}")
    broken = cli("validate", "--store", url, "--format", "json")
    assert broken.code == 1
    results = json.loads(broken.out)["results"]
    assert [(r["focusNode"], r["resultPath"]) for r in results] == [(str(RUHR), "dct:source")]
    assert results[0]["file"] == url


def test_a_changed_file_is_checked_against_a_loaded_store(tmp_path: Path, cli) -> None:
    """`coopgraph load` fills a store; `coopgraph validate FILE --store oxigraph:DIR` checks an
    edited copy of one of its files (same place in a checkout: same named graph) against the
    rest of the graph without re-checking it all, and leaves the store as it was."""
    store = f"oxigraph:{tmp_path / 'db'}"
    kommunen = resources.data_dir() / "kommunen"
    files = [*resources.ontology_files(), kommunen / "laender.ttl", kommunen / "kreise.ttl"]
    files.append(kommunen / "gemeinden-05.ttl")
    assert (
        cli("load", *map(str, files), str(RUHR_FILE), str(MUENSTER_FILE), "--store", store).code
        == 0
    )
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = cli("sparql", count, "--store", store, "--format", "csv").out

    checkout = tmp_path / "checkout"
    (checkout / "ontology").mkdir(parents=True)
    edited = checkout / "data" / "kooperationen" / RUHR_FILE.name
    edited.parent.mkdir(parents=True)
    text = RUHR_FILE.read_text(encoding="utf-8")
    edited.write_text(text, encoding="utf-8")
    same = cli("validate", str(edited), "--store", store)
    assert same.code == 0, same.out + same.err

    graph = Graph().parse(data=text, format="turtle")
    graph.remove((RUHR, RDFS.label, None))
    graph.serialize(edited, format="turtle")
    broken = cli("validate", str(edited), "--store", store, "--format", "json")
    assert broken.code == 1
    found = json.loads(broken.out)["results"]
    assert [v["focusNode"] for v in found if v["severity"] == "Violation"] == [str(RUHR)]
    assert cli("sparql", count, "--store", store, "--format", "csv").out == before
