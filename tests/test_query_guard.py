"""The lexical scan of untrusted SPARQL: SERVICE endpoints found however they are written (and
never in strings, comments or IRIs), nesting depth, updates, size."""

from __future__ import annotations

import pytest

from coopgraph.query_guard import MAX_QUERY_BYTES, QueryRefused, QueryTooLarge, check, scan

EVIL = "http://127.0.0.1:9/sparql"


@pytest.mark.parametrize(
    "text",
    [
        f"SELECT * {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
        f"select * {{ service silent <{EVIL}> {{ ?s ?p ?o }} }}",
        "PREFIX e: <http://127.0.0.1:9/>\nSELECT * { SERVICE e:sparql { } }",
        "BASE <http://127.0.0.1:9/x>\nSELECT * { SERVICE <sparql> { } }",
        "SELECT * { SERVICE ?endpoint { } }",
        f"SELECT * {{ \\u0053ERVICE <{EVIL}> {{ }} }}",  # engines that expand escapes first
        f'SELECT * {{ ?s ?p "a\\u0022" SERVICE <{EVIL}> {{ }} # " }}',  # and those that do not
        f"SELECT * {{ # a comment\nSERVICE\t<{EVIL}> {{ }} }}",
    ],
)
def test_service_is_found(text: str) -> None:
    assert scan(text).services
    with pytest.raises(QueryRefused, match="SERVICE"):
        check(text)


@pytest.mark.parametrize(
    "text",
    [
        'SELECT ?x { BIND("SERVICE <http://x/>" AS ?x) }',
        "SELECT ?x { BIND('''SERVICE\n<http://x/>''' AS ?x) }",
        "SELECT ?x { ?x <http://x/SERVICE> ?y } # SERVICE <http://x/>",
        "PREFIX service: <http://x/>\nSELECT ?x { ?x service:p ?service }",
        "SELECT ?x { FILTER(?a < ?b && ?c > 1) }",
    ],
)
def test_no_service_where_there_is_none(text: str) -> None:
    assert scan(text).services == ()
    check(text)


def test_allowed_endpoint_passes() -> None:
    check(f"SELECT * {{ SERVICE <{EVIL}> {{ }} }}", allow_service=[EVIL])
    with pytest.raises(QueryRefused, match="allowed endpoints"):
        check("SELECT * { SERVICE <http://other/> { } }", allow_service=[EVIL])


def test_depth_size_and_updates() -> None:
    assert scan("SELECT * " + "{" * 5000).depth == 5000
    with pytest.raises(QueryRefused, match="5000 deep"):
        check("SELECT * WHERE " + "{" * 5000 + "}" * 5000)
    assert scan('SELECT * { ?s ?p "{{{{" }').depth == 1
    with pytest.raises(QueryTooLarge):
        check("#" * (MAX_QUERY_BYTES + 1))
    for update in ("INSERT DATA { }", "PREFIX : <x:>\n# c\ndrop all", "\\u0049NSERT DATA { }"):
        assert scan(update).is_update
    assert not scan("SELECT ?insert { }").is_update
