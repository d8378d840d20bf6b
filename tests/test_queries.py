"""Every saved query: well-formed metadata, and its hand-written expected result on the fixture,
in every backend (rdflib, pyoxigraph, a real SPARQL server)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import BNode, Literal, URIRef
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


XSD_NS = "http://www.w3.org/2001/XMLSchema#"


def typed_cell(node: Node | None) -> str | None:
    """A result cell as a term in Turtle notation, so that the expected results compare kind,
    datatype and language, not just text: ``<iri>``, ``"Münster"``, ``"Münster"@de``,
    ``"12"^^xsd:integer``, ``_:`` (any blank node), None (unbound)."""
    if node is None:
        return None
    if isinstance(node, BNode):
        return "_:"
    if isinstance(node, Literal):
        text = json.dumps(str(node), ensure_ascii=False)
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is None or str(node.datatype) == XSD_NS + "string":
            return text
        dt = str(node.datatype)
        return f"{text}^^xsd:{dt[len(XSD_NS) :]}" if dt.startswith(XSD_NS) else f"{text}^^<{dt}>"
    return f"<{node}>"


def _set_cell(node: Node | None, separator: str) -> Node | None:
    """A GROUP_CONCAT cell with its parts sorted (their order is not defined)."""
    if not isinstance(node, Literal):
        return node
    parts = separator.join(sorted(str(node).split(separator)))
    return Literal(parts, lang=node.language, datatype=node.datatype)


def _parse_cell(cell: str) -> Node:
    """The term a typed cell writes (literals only: used to sort a set cell)."""
    text, _, rest = cell.rpartition('"')
    value = json.loads(text + '"')
    if rest.startswith("@"):
        return Literal(value, lang=rest[1:])
    if rest.startswith("^^xsd:"):
        return Literal(value, datatype=URIRef(XSD_NS + rest[6:]))
    return Literal(value)


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
        sets = expected.get("sets", {})
        if result.graph is not None:  # CONSTRUCT/DESCRIBE: the triples, as rows
            assert expected["columns"] == ["subject", "predicate", "object"]
            got = [[typed_cell(t) for t in triple] for triple in result.graph]
        else:
            assert result.select is not None
            assert list(result.select.variables) == expected["columns"]
            seps = [sets.get(v) for v in expected["columns"]]
            got = [
                [
                    typed_cell(_set_cell(c, sep) if sep else c)
                    for c, sep in zip(row, seps, strict=True)
                ]
                for row in result.select.rows
            ]
        want = [list(row) for row in case["rows"]]
        # columns that join a set of names (GROUP_CONCAT) have no defined order inside the cell
        for column, separator in sets.items():
            i = expected["columns"].index(column)
            for row in want:
                if row[i]:
                    row[i] = typed_cell(_set_cell(_parse_cell(row[i]), separator))
        if not expected.get("ordered", True):
            got.sort(key=json.dumps)
            want.sort(key=json.dumps)
        assert got == want, f"params {case.get('params', {})}"


COUNTING = [p for p in QUERY_FILES if "COUNT(" in p.read_text(encoding="utf-8")]


@pytest.mark.parametrize("path", COUNTING, ids=lambda p: p.stem)
def test_a_count_turned_into_text_is_caught(path: Path) -> None:
    """The comparison is by RDF term: a count given as a plain string no longer matches."""
    store = OxigraphStore(pyoxigraph.Store())
    store.load(FIXTURE_FILES)
    expected = _expected(path)
    query = queries.read(path)
    mutated = re.sub(r"COUNT\(([^()]*)\)", r"STR(COUNT(\1))", query.text)
    bindings = query.bindings(expected.get("params", {}))
    result = queries.execute(store, mutated, query.form, bindings)
    assert result.select is not None
    got = [[typed_cell(c) for c in row] for row in result.select.rows]
    assert got != [list(row) for row in expected["rows"]]


def test_a_language_tag_on_a_name_is_a_different_cell() -> None:
    assert typed_cell(Literal("Münster", lang="de")) != typed_cell(Literal("Münster"))
    assert typed_cell(Literal("12")) != typed_cell(Literal(12))
    assert typed_cell(URIRef("http://example.org/x")) != typed_cell(Literal("http://example.org/x"))
