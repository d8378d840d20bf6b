"""`coopgraph load`: an embedded pyoxigraph store on disk, one named graph per source file,
reused by later commands; and the errors a user meets with a store path."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coopgraph import resources
from coopgraph.namespaces import graph_iri
from coopgraph.store.graphs import source_name, sources

from .conftest import SEEDS

RUHR_FILE = SEEDS / "staedteregion-ruhr.ttl"
MUENSTER_FILE = SEEDS / "stadtregion-muenster.ttl"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
KOOPERATIONEN = (
    "PREFIX coop: <https://w3id.org/coopgraph/def#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?name WHERE { ?k a coop:Kooperation ; rdfs:label ?name } ORDER BY ?name"
)


def _count(cli, store: str) -> int:  # type: ignore[no-untyped-def]
    run = cli("sparql", COUNT, "--store", store, "--format", "csv")
    assert run.code == 0, run.err
    return int(run.out.splitlines()[1])


def test_graph_names_come_from_the_path_below_the_package() -> None:
    assert source_name(RUHR_FILE) == "data/kooperationen/staedteregion-ruhr.ttl"
    assert source_name(resources.ontology_dir() / "coopgraph.ttl") == "ontology/coopgraph.ttl"
    assert str(graph_iri("data/kooperationen/staedteregion-ruhr.ttl")) == (
        "https://w3id.org/coopgraph/graph/data/kooperationen/staedteregion-ruhr.ttl"
    )
    default = [s.name for s in sources()]
    assert default[0] == "ontology/coopgraph.ttl"
    assert "ontology/shapes.ttl" not in default  # the shapes check data, they are not data
    assert "data/kommunen/gemeinden-05.ttl" in default
    assert len(default) == len(set(default))
    # a file named twice (itself and in its folder) is one source
    assert len(sources([SEEDS, RUHR_FILE])) == len(list(SEEDS.glob("*.ttl")))


def test_load_fills_one_named_graph_per_file_and_reload_replaces(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = f"oxigraph:{tmp_path / 'db'}"
    run = cli("load", str(RUHR_FILE), str(MUENSTER_FILE), "--store", store)
    assert run.code == 0, run.err
    assert re.fullmatch(
        r"2 files, (\d+) triples in 2 named graphs, [\d.]+ s → oxigraph:\S+/db\n", run.out
    )
    triples = int(run.out.split()[2])
    assert _count(cli, store) == triples

    graphs = cli("sparql", GRAPHS, "--store", store, "--format", "csv").out.splitlines()[1:]
    assert graphs == [
        "https://w3id.org/coopgraph/graph/data/kooperationen/stadtregion-muenster.ttl",
        "https://w3id.org/coopgraph/graph/data/kooperationen/staedteregion-ruhr.ttl",
    ]
    # later commands see the union of the graphs as their default graph
    names = cli("sparql", KOOPERATIONEN, "--store", store, "--format", "csv").out.splitlines()
    assert names == ["name", "Stadtregion Münster", "Städteregion Ruhr"]

    # loading again never duplicates
    again = cli("load", str(RUHR_FILE), str(MUENSTER_FILE), "--store", store, "--format", "json")
    assert again.code == 0, again.err
    doc = json.loads(again.out)
    assert (doc["files"], doc["graphs"], doc["triples"]) == (2, 2, triples)
    assert _count(cli, store) == triples

    # a changed file replaces its graph only; COOPGRAPH_STORE feeds --store
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.ttl").write_text(
        "<https://example.org/a> <https://example.org/p> 1 , 2 .\n", encoding="utf-8"
    )
    monkeypatch.setenv("COOPGRAPH_STORE", store)
    assert cli("load", "mine.ttl", RUHR_FILE.as_posix()).code == 0
    (tmp_path / "mine.ttl").write_text(
        "<https://example.org/a> <https://example.org/p> 3 .\n", encoding="utf-8"
    )
    assert cli("load", "mine.ttl").code == 0
    assert _count(cli, store) == triples + 1
    values = cli(
        "sparql",
        "SELECT ?v WHERE { GRAPH <https://w3id.org/coopgraph/graph/mine.ttl> { ?s ?p ?v } }",
        "--format",
        "csv",
    ).out.splitlines()
    assert values == ["v", "3"]


def test_a_broken_file_loads_nothing(cli, tmp_path: Path) -> None:
    store = f"oxigraph:{tmp_path / 'db'}"
    assert cli("load", str(RUHR_FILE), "--store", store).code == 0
    before = _count(cli, store)
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e\n")
    run = cli("load", str(MUENSTER_FILE), str(broken), "--store", store)
    assert run.code == 2
    assert re.fullmatch(r"coopgraph: error: \S*broken\.ttl:\d+: syntax error: .+\n", run.err)
    assert run.out == ""
    assert _count(cli, store) == before  # Münster, parsed fine, was not loaded either
    fresh = tmp_path / "fresh"
    assert cli("load", str(broken), "--store", f"oxigraph:{fresh}").code == 2
    assert not fresh.exists()  # no empty store left behind


def test_load_needs_a_store_on_disk(cli) -> None:
    for store in ("memory", "oxigraph", "http://127.0.0.1:7878/query"):
        run = cli("load", str(RUHR_FILE), "--store", store)
        assert run.code == 2
        assert run.err.startswith("coopgraph: error: --store: load fills a store on disk")
    assert "coopgraph push" in cli("load", "--store", "http://127.0.0.1:7878/query").err


# ---------------------------------------------------------------- store path errors


@pytest.mark.parametrize("command", ["query", "sparql", "validate", "load"])
def test_not_a_store(cli, tmp_path: Path, command: str) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("not a store")
    other = tmp_path / "photos"
    other.mkdir()
    (other / "holiday.jpg").write_bytes(b"\xff\xd8")
    args = {
        "query": ["query", "mitglieder-zum-stichtag", "-p", "kooperation=https://x.org/k",
                  "-p", "stichtag=2005-01-01"],
        "sparql": ["sparql", "ASK { ?s ?p ?o }"],
        "validate": ["validate"],
        "load": ["load", str(RUHR_FILE)],
    }[command]  # fmt: skip
    for path, message in (
        (plain, "not an Oxigraph store: a file, not a directory"),
        (other, "not an Oxigraph store: a directory holding other files"),
    ):
        run = cli(*args, "--store", f"oxigraph:{path}")
        assert run.code == 2, run.err
        assert run.err == f"coopgraph: error: {path}: {message}\n"
    assert sorted(p.name for p in other.iterdir()) == ["holiday.jpg"]  # left as it was


def test_querying_a_store_that_was_never_loaded(cli, tmp_path: Path) -> None:
    run = cli("sparql", "ASK { ?s ?p ?o }", "--store", f"oxigraph:{tmp_path / 'nothing'}")
    assert run.code == 2
    assert "no store here yet; fill it with `coopgraph load --store oxigraph:DIR`" in run.err
    assert not (tmp_path / "nothing").exists()


def test_a_store_locked_by_another_process(cli, tmp_path: Path) -> None:
    db = tmp_path / "db"
    assert cli("load", str(RUHR_FILE), "--store", f"oxigraph:{db}").code == 0
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('open', flush=True);"
         " sys.stdin.read()", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        for args in (["load", str(MUENSTER_FILE)], ["sparql", "ASK { ?s ?p ?o }"], ["validate"]):
            run = cli(*args, "--store", f"oxigraph:{db}")
            assert run.code == 2
            assert run.err.startswith(
                f"coopgraph: error: {db}: the store is locked by another process"
            )
            assert "\n" not in run.err.rstrip("\n")
    finally:
        holder.communicate("", timeout=30)
    deadline = time.monotonic() + 10
    while cli("sparql", "ASK { ?s ?p ?o }", "--store", f"oxigraph:{db}").code != 0:
        assert time.monotonic() < deadline, "the store stayed locked after its holder ended"
        time.sleep(0.1)


def test_validate_checks_what_the_store_holds(cli, tmp_path: Path) -> None:
    store = f"oxigraph:{tmp_path / 'db'}"
    kommunen = resources.data_dir() / "kommunen"
    odd = tmp_path / "odd.ttl"
    odd.write_text(
        "<https://w3id.org/coopgraph/id/kooperation/ohne-alles> a "
        "<https://w3id.org/coopgraph/def#Kooperation> .\n",
        encoding="utf-8",
    )
    files = [kommunen / "laender.ttl", kommunen / "kreise.ttl", kommunen / "gemeinden-05.ttl"]
    assert cli("load", *map(str, files), str(RUHR_FILE), str(odd), "--store", store).code == 0
    run = cli("validate", "--store", store, "--format", "json")
    assert run.code == 1, run.err
    focus = {r["focusNode"] for r in json.loads(run.out)["results"]}
    assert focus == {"https://w3id.org/coopgraph/id/kooperation/ohne-alles"}


def test_no_triple_is_stated_in_two_bundled_files_but_shared_sources() -> None:
    """Queries on named-graph stores see a triple once per graph holding it (Oxigraph's union
    default graph is a bag), rdflib once: the bundled data states each triple in one file, except
    the description of a source (coop:Quelle) or of a partner organisation that several
    cooperations cite, which each of their files carries so that every file stands on its own.
    Queries count DISTINCT."""
    import pyoxigraph

    from coopgraph.store.oxigraph import OxigraphStore

    store = OxigraphStore(pyoxigraph.Store())
    store.replace_graphs(sources())
    repeated = store.select(
        "PREFIX coop: <https://w3id.org/coopgraph/def#> "
        "SELECT ?s ?p ?o WHERE { GRAPH ?g1 { ?s ?p ?o } GRAPH ?g2 { ?s ?p ?o } "
        "FILTER (STR(?g1) < STR(?g2)) "
        "FILTER NOT EXISTS { GRAPH ?g1 { ?s a coop:Quelle } GRAPH ?g2 { ?s a coop:Quelle } } "
        "FILTER (!STRSTARTS(STR(?s), 'https://w3id.org/coopgraph/id/organisation/')) }"
    )
    assert repeated.rows == ()
