"""One contract for every backend: the same answers from rdflib, pyoxigraph and a real SPARQL
server (``oxigraph serve`` started by the test on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from coopgraph import resources
from coopgraph.errors import InputError, RdfSyntaxError, StoreError
from coopgraph.store import Store, open_store
from coopgraph.store.binding import with_values
from coopgraph.store.memory import MemoryStore
from coopgraph.store.oxigraph import OxigraphStore
from coopgraph.store.sparql import SparqlStore

from .conftest import SEEDS, free_port

RUHR = URIRef("https://w3id.org/coopgraph/id/kooperation/staedteregion-ruhr")
PREFIXES = """PREFIX coop: <https://w3id.org/coopgraph/def#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
KOMMUNEN = resources.data_dir() / "kommunen"
SEED_FILES = [SEEDS / "staedteregion-ruhr.ttl", SEEDS / "stadtregion-muenster.ttl"]
FILES = [*resources.ontology_files(), KOMMUNEN / "gemeinden-05.ttl", KOMMUNEN / "kreise.ttl"]
FILES += SEED_FILES  # the two seed cooperations (the other files in SEEDS add more members)


def _new(kind: str, server) -> Store:  # type: ignore[no-untyped-def]
    if kind == "memory":
        return MemoryStore()
    if kind == "oxigraph":
        import pyoxigraph

        return OxigraphStore(pyoxigraph.Store())
    return SparqlStore(server())


@pytest.fixture(params=["memory", "oxigraph", "sparql"])
def store(request: pytest.FixtureRequest, oxigraph_server) -> Iterator[Store]:
    s = _new(request.param, oxigraph_server)
    assert s.load(FILES) > 1000
    yield s
    s.close()


def test_select_with_bound_parameter(store: Store) -> None:
    result = store.select(
        PREFIXES + "SELECT ?name WHERE { ?m org:organization ?k ; org:member/rdfs:label ?name }"
        " ORDER BY ?name",
        {"k": RUHR},
    )
    assert result.variables == ("name",)
    names = [str(r[0]) for r in result.rows]
    assert len(names) == 11 and names[0] == "Bochum" and "Mülheim an der Ruhr" in names


def test_typed_literal_parameters_compare_as_rdf_terms(store: Store) -> None:
    query = PREFIXES + (
        "PREFIX time: <http://www.w3.org/2006/time#>\n"
        "SELECT (COUNT(?c) AS ?n) WHERE { ?c org:resultingOrganization ?k ;"
        " coop:abschluss/time:inXSDDate ?d FILTER (?d <= ?day) }"
    )
    # the Kontrakt of the Städteregion Ruhr was signed on 6 June 2003
    early = store.select(query, {"k": RUHR, "day": Literal("2003-06-05", datatype=XSD.date)})
    later = store.select(query, {"k": RUHR, "day": Literal("2003-06-06", datatype=XSD.date)})
    assert int(early.rows[0][0]) == 0  # type: ignore[arg-type]
    assert int(later.rows[0][0]) == 1  # type: ignore[arg-type]


def test_ask_and_construct(store: Store) -> None:
    assert store.ask(PREFIXES + "ASK { ?k a coop:Kooperation }") is True
    assert store.ask(PREFIXES + "ASK { ?k a coop:Nonexistent }") is False
    graph = store.construct(
        PREFIXES + "CONSTRUCT { ?k rdfs:label ?l } WHERE { ?k a coop:Kooperation ; rdfs:label ?l }"
    )
    assert {str(o) for o in graph.objects()} == {"Städteregion Ruhr", "Stadtregion Münster"}


def test_an_injection_attempt_is_a_plain_value(store: Store) -> None:
    evil = '05"} ; DROP ALL ; INSERT DATA { <a:b> <a:c> <a:d> } #{'
    result = store.select(PREFIXES + "SELECT ?k WHERE { ?k coop:ags ?ags }", {"ags": Literal(evil)})
    assert result.rows == ()
    assert store.ask(PREFIXES + "ASK { ?k a coop:Kooperation }") is True


def test_syntax_error_is_an_input_error(store: Store) -> None:
    with pytest.raises((RdfSyntaxError, InputError)):
        store.select("SELECT ?x WHERE { ?x ?y }")


def test_values_block_opens_the_where_clause() -> None:
    q = 'PREFIX a: <http://x/>\n# a { comment WHERE\nSELECT ("{" AS ?z) WHERE { ?s a:p ?o }'
    bound = with_values(q, {"o": Literal('x"}')})
    assert bound.index("VALUES") > bound.index("WHERE {")
    assert '"x\\"}"' in bound
    construct = with_values("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": URIRef("a:b")})
    assert construct.index("VALUES") > construct.index("WHERE")


def test_unreachable_endpoint_is_a_store_error() -> None:
    dead = SparqlStore(f"http://127.0.0.1:{free_port()}/query")
    with pytest.raises(StoreError):
        dead.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")


def test_open_store_by_name(tmp_path: Path) -> None:
    assert isinstance(open_store("http://127.0.0.1:9/query"), SparqlStore)
    with pytest.raises(StoreError, match="no store here yet"):
        open_store(f"oxigraph:{tmp_path / 'db'}")  # only `load` creates a store
    disk = open_store(f"oxigraph:{tmp_path / 'db'}", create=True)
    assert isinstance(disk, OxigraphStore)
    disk.close()
    with pytest.raises(InputError):
        open_store("postgres")
