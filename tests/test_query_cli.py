"""`coopgraph query` and `coopgraph sparql` as a user runs them: the catalog listing, typed
parameters and their errors, every output format, and parameter values that try to break out."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from coopgraph import queries, resources
from coopgraph.store.oxigraph import OxigraphStore

from .conftest import FIXTURES

RUHR = "https://w3id.org/coopgraph/id/kooperation/staedteregion-ruhr"
GRENZRAUM = "http://example.org/grenzraum"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An embedded store on disk holding the ontology and the query fixture."""
    path = tmp_path_factory.mktemp("store") / "oxigraph"
    store = OxigraphStore.on_disk(path, create=True)
    store.load([*resources.ontology_files(), FIXTURES / "fixture.ttl"])
    store.close()
    del store  # the process holds the store's lock until the object is gone
    yield f"oxigraph:{path}"


def _count(cli, store: str) -> int:  # type: ignore[no-untyped-def]
    result = cli("sparql", COUNT_ALL, "--store", store, "--format", "csv")
    assert result.code == 0, result.err
    return int(result.out.splitlines()[1])


# ---------------------------------------------------------------- the catalog


@pytest.mark.parametrize("lang", ["de", "en"])
def test_list_names_every_query_with_its_summary_in_the_language(cli, lang: str) -> None:
    result = cli("query", "--list", "--lang", lang)
    assert result.code == 0
    for query in queries.catalog().values():
        assert query.name in result.out
        assert query.summary[lang] in result.out
    other = "en" if lang == "de" else "de"
    name = "kommunen-in-mehreren-kooperationen"
    assert queries.catalog()[name].summary[other] not in result.out


def test_list_as_json_describes_parameters(cli) -> None:
    result = cli("query", "--list", "--format", "json", "--lang", "de")
    doc = {item["name"]: item for item in json.loads(result.out)}
    assert set(doc) == set(queries.catalog())
    land = doc["kommunen-in-mehreren-kooperationen"]["params"]
    assert land == [{"name": "land", "type": "string", "optional": True, "example": "05"}]
    assert doc["mitglieder-zum-stichtag"]["summary"].startswith("Mitglieder einer Kooperation")


# ---------------------------------------------------------------- parameters and their errors


def test_parameters_are_bound_and_change_the_answer(cli, store_dir: str) -> None:
    base = ("query", "kooperationen-nach-land", "--store", store_dir, "--format", "csv")
    ni = list(csv.DictReader(io.StringIO(cli(*base, "-p", "land=03").out)))
    everywhere = list(csv.DictReader(io.StringIO(cli(*base).out)))
    assert [(r["land"], r["name"]) for r in ni] == [("03", "Testkooperation Grenzraum (erfunden)")]
    # five cooperations with members in NW or NI, one of them in both (the Grenzraum)
    assert {r["land"] for r in everywhere} == {"03", "05"} and len(everywhere) == 6


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["no-such-query"], "no saved query named 'no-such-query'"),
        (["kontrakte", "-p", "color=blue"], "color: unknown parameter for query 'kontrakte'"),
        (["mitglieder-einer-kooperation"], "kooperation: missing required parameter of type iri"),
        (
            ["mitglieder-zum-stichtag", "-p", f"kooperation={RUHR}", "-p", "stichtag=2005-13-01"],
            "stichtag: not a date (YYYY-MM-DD): '2005-13-01'",
        ),
        (["mitglieder-einer-kooperation", "-p", "kooperation=Städteregion Ruhr"], "not an abs"),
        (["kontrakte", "-p", "kooperation"], "--param: expected NAME=VALUE"),
        (["kontrakte", "-p", f"kooperation={RUHR}", "-p", f"kooperation={RUHR}"], "given twice"),
    ],
)
def test_bad_parameters_are_one_clear_error_and_exit_2(
    cli, store_dir: str, args: list[str], expected: str
) -> None:
    result = cli("query", *args, "--store", store_dir)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("coopgraph: error: ") and expected in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_a_syntax_error_in_a_query_file_names_the_file_and_line(cli, tmp_path: Path) -> None:
    bad = tmp_path / "kaputt.rq"
    bad.write_text(
        "#+ summary@de: kaputt\n#+ summary@en: broken\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?s WHERE {\n  ?s rdfs:label ?name\n  FILTER (?name = )\n}\n",
        encoding="utf-8",
    )
    result = cli("query", str(bad))
    assert result.code == 2
    assert f"{bad}:6: SPARQL syntax error" in result.err


def test_a_malformed_parameter_declaration_names_the_file_and_line(cli, tmp_path: Path) -> None:
    bad = tmp_path / "param.rq"
    bad.write_text(
        "#+ summary@en: x\n#+ param when: datetime, example now\nSELECT * WHERE { ?s ?p ?o }\n"
    )
    result = cli("query", str(bad))
    assert result.code == 2 and f"{bad}:2: parameter 'when'" in result.err


def test_a_query_file_runs_with_its_parameters(cli, store_dir: str) -> None:
    path = resources.queries_dir() / "gremien-einer-kooperation.rq"
    srm = "https://w3id.org/coopgraph/id/kooperation/stadtregion-muenster"
    result = cli("query", str(path), "-p", f"kooperation={srm}", "--store", store_dir)
    assert result.code == 0 and "Beirat Stadtregion" in result.out


# ---------------------------------------------------------------- formats


def test_table_shows_labels_not_iris(cli, store_dir: str) -> None:
    result = cli(
        "query", "kooperationen-einer-kommune", "-p", "ags=05566012", "--store", store_dir,
        "--lang", "de",
    )  # fmt: skip
    assert result.code == 0
    assert "Zweckverband Volkshochschule Emsdetten/Greven/Saerbeck" in result.out
    assert "Gründungsmitglied" in result.out  # the role's SKOS label, not its IRI
    assert "https://w3id.org/coopgraph/id/kooperation/" not in result.out


def test_table_labels_follow_the_language(cli, store_dir: str) -> None:
    args = ("query", "kooperationen-einer-kommune", "-p", "ags=05566012", "--store", store_dir)
    assert "founding member" in cli(*args, "--lang", "en").out
    assert "Gründungsmitglied" in cli(*args, "--lang", "de").out


def test_json_is_sparql_query_results_json(cli, store_dir: str) -> None:
    result = cli(
        "query", "mitglieder-einer-kooperation", "-p", f"kooperation={GRENZRAUM}",
        "--store", store_dir, "--format", "json",
    )  # fmt: skip
    doc = json.loads(result.out)
    assert doc["head"]["vars"] == ["kommune", "name", "ags", "rolle", "beginn", "ende"]
    ostbevern = doc["results"]["bindings"][2]
    assert ostbevern["kommune"] == {
        "type": "uri", "value": "https://w3id.org/coopgraph/id/kommune/05570032"
    }  # fmt: skip
    assert ostbevern["ende"]["datatype"] == "http://www.w3.org/2001/XMLSchema#date"
    assert "beginn" not in doc["results"]["bindings"][1]  # unbound is left out


def test_csv_tsv_and_markdown(cli, store_dir: str) -> None:
    args = ("query", "kontrakte", "--store", store_dir, "--format")
    rows = list(csv.reader(io.StringIO(cli(*args, "csv").out)))
    assert rows[0][:5] == ["kontrakt", "titel", "kooperation", "art", "datum"]
    assert [r[4] for r in rows[1:]] == ["1975-07-15", "2003-06-06", "2018"]
    tsv = cli(*args, "tsv").out.splitlines()
    assert tsv[0].startswith("?kontrakt\t?titel")
    assert '"2003-06-06"^^<http://www.w3.org/2001/XMLSchema#date>' in tsv[2]
    markdown = cli(*args, "markdown").out.splitlines()
    assert markdown[0].startswith("| kontrakt") and set(markdown[1]) <= {"|", "-", " ", ":"}


def test_construct_gives_turtle_json_ld_and_n_triples(cli, store_dir: str) -> None:
    construct = (
        "PREFIX org: <http://www.w3.org/ns/org#> "
        "CONSTRUCT { ?k org:hasMember ?m } WHERE { ?x org:organization ?k ; org:member ?m }"
    )
    sizes = set()
    for fmt, parser in (("turtle", "turtle"), ("jsonld", "json-ld"), ("ntriples", "nt")):
        result = cli("sparql", construct, "--store", store_dir, "--format", fmt)
        assert result.code == 0, result.err
        graph = Graph().parse(data=result.out, format=parser)
        assert (URIRef(RUHR), None, None) in graph
        sizes.add(len(graph))
    assert sizes == {11 + 12 + 3 + 4 + 2}  # Ruhr, Münster, VHS, Grenzraum, Kreisverbund


def test_a_saved_construct_query_gives_turtle_by_default_and_json_ld(cli, store_dir: str) -> None:
    args = ("query", "kooperation-als-schema-org", "-p", f"kooperation={GRENZRAUM}")
    turtle = cli(*args, "--store", store_dir)
    jsonld = cli(*args, "--store", store_dir, "--format", "jsonld")
    assert turtle.code == jsonld.code == 0
    graphs = [
        Graph().parse(data=turtle.out, format="turtle"),
        Graph().parse(data=jsonld.out, format="json-ld"),
    ]
    member = URIRef("https://schema.org/member")
    for graph in graphs:
        assert len(list(graph.objects(URIRef(GRENZRAUM), member))) == 3  # Ostbevern has left
    assert graphs[0].isomorphic(graphs[1])


def test_a_format_that_does_not_fit_the_query_form_is_refused(cli, store_dir: str) -> None:
    result = cli("query", "kontrakte", "--format", "turtle", "--store", store_dir)
    assert result.code == 2 and "SELECT results come as" in result.err


def test_sparql_reads_the_query_from_stdin(store_dir: str, monkeypatch, cli) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("ASK { ?s ?p ?o }"))
    result = cli("sparql", "-", "--store", store_dir)
    assert (result.code, result.out) == (0, "true\n")


def test_sparql_syntax_error_is_exit_2(cli, store_dir: str) -> None:
    result = cli("sparql", "SELECT ?s WHERE { ?s ?p }", "--store", store_dir)
    assert result.code == 2 and "SPARQL syntax error" in result.err


# ---------------------------------------------------------------- values that try to break out


BREAKOUTS = [
    '05566012" } ; DROP ALL ; SELECT * WHERE { "',
    "05566012' } DROP ALL #",
    '"} UNION { ?kommune ?p ?o } #',
    "} ; DROP ALL",
    '\\" } DROP ALL { \\"',
    "05566012\n} DROP ALL",
]


@pytest.mark.parametrize("value", BREAKOUTS)
def test_a_parameter_meant_to_break_out_is_a_plain_value(cli, store_dir: str, value: str) -> None:
    before = _count(cli, store_dir)
    result = cli(
        "query", "kooperationen-einer-kommune", "-p", f"ags={value}",
        "--store", store_dir, "--format", "json",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert json.loads(result.out)["results"]["bindings"] == []  # no AGS is that string
    assert _count(cli, store_dir) == before


def test_a_breakout_string_matches_exactly_the_literal_that_holds_it(tmp_path: Path) -> None:
    """The value is compared as an RDF literal: a Kommune whose AGS *is* that text is found."""
    value = BREAKOUTS[0]
    kommune = URIRef("http://example.org/kommune/evil")
    data = Graph()
    data.add((kommune, URIRef("https://w3id.org/coopgraph/def#ags"), Literal(value)))
    data.add((URIRef("http://example.org/m"), URIRef("http://www.w3.org/ns/org#member"), kommune))
    data.add(
        (URIRef("http://example.org/m"), URIRef("http://www.w3.org/ns/org#organization"),
         URIRef(GRENZRAUM))
    )  # fmt: skip
    path = tmp_path / "evil.ttl"
    data.serialize(path, format="turtle")
    store = OxigraphStore.on_disk(tmp_path / "db", create=True)
    store.load([FIXTURES / "fixture.ttl", path])
    try:
        rows = queries.run("kooperationen-einer-kommune", store=store, ags=value)
        assert [str(r["kooperation"]) for r in rows] == [GRENZRAUM]
    finally:
        store.close()


# ---------------------------------------------------------------- the library and the real data


def test_library_run_with_keyword_parameters() -> None:
    rows = queries.run("kommunen-in-mehreren-kooperationen", land="05")
    by_name = {str(r["name"]): r for r in rows}
    assert "Städteregion Ruhr" in str(by_name["Bochum"]["kooperationen"])
    assert all(str(r["ags"]).startswith("05") for r in rows)
    assert queries.run("kommunen-in-mehreren-kooperationen", land="03") == [
        r for r in queries.run("kommunen-in-mehreren-kooperationen") if str(r["ags"])[:2] == "03"
    ]


def test_bundled_data_answers_which_cities_belong_to_several_cooperations() -> None:
    """The command as a user runs it, on the bundled data: real cities, real cooperations."""
    result = subprocess.run(
        [sys.executable, "-m", "coopgraph", "query", "kommunen-in-mehreren-kooperationen",
         "--format", "csv"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert {"Bochum", "Mülheim an der Ruhr", "Münster", "Greven"} <= set(rows)
    assert set(rows["Greven"]["kooperationen"].split("; ")) >= {
        "Stadtregion Münster", "Zweckverband Volkshochschule Emsdetten/Greven/Saerbeck"
    }  # fmt: skip
    assert all(int(r["anzahl"]) >= 2 for r in rows.values())


@pytest.mark.parametrize("args", [["query", "--list"], ["--help"], ["--version"]])
def test_light_commands_import_neither_rdflib_nor_pyshacl(args: list[str]) -> None:
    """``coopgraph query --list`` and ``--help`` start fast: the heavy libraries are imported
    where they are used (checked in a fresh interpreter, as the command starts)."""
    probe = (
        "import sys\nfrom coopgraph.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'rdflib', 'pyshacl', 'pyoxigraph', 'owlrl'})\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=60
    )
    assert "HEAVY []" in run.stderr, run.stderr[-2000:]
