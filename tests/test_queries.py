"""Every saved query: well-formed metadata, and its hand-written expected result on the fixture,
in every backend (rdflib, pyoxigraph, a real SPARQL server)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import BNode, Literal
from rdflib.term import Node

from coopgraph import queries, resources
from coopgraph.store import Store
from coopgraph.store.memory import MemoryStore
from coopgraph.store.oxigraph import OxigraphStore
from coopgraph.store.sparql import SparqlStore

from .conftest import FIXTURES

QUERY_FILES = resources.query_files()
EXPECTED_DIR = FIXTURES / "queries"
FIXTURE_FILES = [*resources.ontology_files(), FIXTURES / "fixture.ttl"]


def _expected(path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((EXPECTED_DIR / f"{path.stem}.json").read_text(encoding="utf-8"))


def test_every_query_has_an_expected_result_and_every_expected_result_a_query() -> None:
    assert QUERY_FILES, "no saved queries"
    assert {p.stem for p in QUERY_FILES} == {p.stem for p in EXPECTED_DIR.glob("*.json")}


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_file_is_self_describing(path: Path) -> None:
    query = queries.read(path)
    assert query.summary.get("de") and query.summary.get("en"), "summary in de and en"
    assert "PREFIX" in query.text, "its own PREFIX lines"
    for param in query.params:
        assert param.example is not None, f"param {param.name} needs an example"
        param.bind(param.example)  # the example has the declared type
        assert f"?{param.name}" in query.text


@pytest.fixture(scope="module", params=["memory", "oxigraph", "sparql"])
def fixture_store(request: pytest.FixtureRequest, oxigraph_server) -> Iterator[Store]:
    store: Store
    if request.param == "memory":
        store = MemoryStore()
    elif request.param == "oxigraph":
        store = OxigraphStore(pyoxigraph.Store())
    else:
        store = SparqlStore(oxigraph_server())
    store.load(FIXTURE_FILES)
    yield store
    store.close()


def _cell(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode):
        return "_:"
    if isinstance(node, Literal):
        return str(node)
    return str(node)


def _cases(expected: dict) -> list[dict]:  # type: ignore[type-arg]
    """The main case (its rows must not be empty) and further parameter sets under "more"."""
    return [expected, *expected.get("more", [])]


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_gives_its_expected_result_on_the_fixture(path: Path, fixture_store: Store) -> None:
    expected = _expected(path)
    assert expected["rows"], "the main expected result should not be empty"
    query = queries.read(path)
    for case in _cases(expected):
        bindings = query.bindings(case.get("params", {}))
        result = queries.execute(fixture_store, query.text, query.form, bindings)
        if result.graph is not None:  # CONSTRUCT/DESCRIBE: the triples, as rows
            assert expected["columns"] == ["subject", "predicate", "object"]
            got = [[_cell(t) for t in triple] for triple in result.graph]
        else:
            assert result.select is not None
            assert list(result.select.variables) == expected["columns"]
            got = [[_cell(c) for c in row] for row in result.select.rows]
        want = [list(row) for row in case["rows"]]
        # columns that join a set of names (GROUP_CONCAT) have no defined order inside the cell
        for column, separator in expected.get("sets", {}).items():
            i = expected["columns"].index(column)
            for rows in (got, want):
                for row in rows:
                    if row[i]:
                        row[i] = separator.join(sorted(row[i].split(separator)))
        if not expected.get("ordered", True):
            got.sort(key=json.dumps)
            want.sort(key=json.dumps)
        assert got == want, f"params {case.get('params', {})}"
