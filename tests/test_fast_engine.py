"""The fast SHACL engine's own machinery, tested directly: its fallback to pySHACL when the
shapes cannot be compiled, the equivalent forms it substitutes for known SPARQL constraints
(keyed by the SHA-256 of their text, so they must still match the current shapes), and
``factor_optionals``. That the engine reports what pySHACL reports on real and broken data is
shown in test_validate.py, test_validation_corpus.py and test_benchmarks.py."""

from __future__ import annotations

import hashlib
import importlib
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

import coopgraph
from coopgraph import shacl_sparql
from coopgraph.errors import UnsupportedShapeError
from coopgraph.shacl_sparql import Check, factor_optionals

from .conftest import SEEDS

# the module (``coopgraph.validate`` as an attribute is the function of that name)
validate = importlib.import_module("coopgraph.validate")

CS = "https://w3id.org/coopgraph/shapes#"
RUHR = SEEDS / "staedteregion-ruhr.ttl"


def digest(select: str) -> str:
    """The key of a constraint's rewrite: SHA-256 of its text with whitespace collapsed."""
    return hashlib.sha256(" ".join(select.split()).encode()).hexdigest()


def current_selects() -> dict[str, str]:
    """Every sh:select of the current shapes, by digest."""
    return {digest(str(s)): str(s) for s in validate.shapes_graph().objects(None, SH.select)}


def select_of(shape: str) -> str:
    """The text of a shape's one sh:select constraint."""
    g = validate.shapes_graph()
    (constraint,) = g.objects(URIRef(CS + shape), SH.sparql)
    return str(g.value(constraint, SH.select))


def sparql_check(shape: str) -> Check:
    compiled = validate.compiled_shapes()
    assert compiled is not None, "the current shapes must compile for the fast engine"
    (check,) = [c for c in compiled.checks if c.kind == "sparql" and str(c.shape) == CS + shape]
    return check


# ----------------------------------------------------------------------------- the rewrites


def test_every_rewrite_is_keyed_to_a_constraint_of_the_current_shapes() -> None:
    """A changed constraint no longer matches its key and would silently run unrewritten (minutes
    instead of seconds at national scale): the key must be updated with the shape."""
    current = current_selects()
    for key in [*shacl_sparql._EQUIVALENT, *shacl_sparql._TARGET_IMPLIED]:
        assert key in current, f"no sh:select of ontology/shapes.ttl has the digest {key}"


def test_the_compiled_checks_use_the_rewrites() -> None:
    compiled = validate.compiled_shapes()
    assert compiled is not None
    rewritten = {str(c.shape) for c in compiled.checks if c.kind == "sparql" and c.focused}
    assert rewritten == {CS + "KontraktShape", CS + "LexicalFormShape", CS + "LanguageTagShape"}
    kontrakt = sparql_check("KontraktShape")
    assert "MAX(?covers)" in kontrakt.query  # the decorrelated form for the whole graph
    assert kontrakt.focused is not None and "MAX(?covers)" not in kontrakt.focused
    for shape in ("LexicalFormShape", "LanguageTagShape"):
        check = sparql_check(shape)
        assert check.focused is not None and "%%FOCUS%%" not in check.query  # no target scan
        assert "%%FOCUS%%" in check.focused  # a few focus nodes go through the target


def test_factor_optionals_is_applied_to_the_kontrakt_constraint() -> None:
    """The original form of the Kontrakt constraint (used for a few focus nodes) has its
    OPTIONAL … FILTER (!BOUND …) pairs inside NOT EXISTS factored out."""
    original = select_of("KontraktShape")
    assert original.count("OPTIONAL") == 2
    focused = sparql_check("KontraktShape").focused
    assert focused is not None
    assert "OPTIONAL" not in focused and focused.count("|| EXISTS {") == 2


# Signatories of invented agreements (example.org) and their memberships, one case each.
SIGNATORIES = """
@prefix coop: <https://w3id.org/coopgraph/def#> .
@prefix org:  <http://www.w3.org/ns/org#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix ex:   <http://example.org/> .

ex:k1 a coop:Kontrakt ; org:resultingOrganization ex:coop ; coop:abschluss ex:t1 ;
    coop:unterzeichner ex:a , ex:b , ex:c , ex:d , ex:e , ex:f .
ex:t1 time:inXSDDate "2010-05-15"^^xsd:date .
ex:k2 a coop:Kontrakt ; org:resultingOrganization ex:coop ; coop:abschluss ex:t2 ;
    coop:unterzeichner ex:b , ex:d .
ex:t2 a time:Interval ; time:hasEnd [ time:inXSDgYear "2012"^^xsd:gYear ] .
ex:k3 a coop:Kontrakt ; org:resultingOrganization ex:coop ; coop:abschluss ex:t3 ;
    coop:unterzeichner ex:a , ex:c .
ex:t3 time:inXSDgYearMonth "2010-06"^^xsd:gYearMonth .

# a: member from the year of the agreement (the year covers the day)
ex:ma org:member ex:a ; org:organization ex:coop ;
    org:memberDuring [ time:hasBeginning [ time:inXSDgYear "2010"^^xsd:gYear ] ] .
# b: member only from 2011
ex:mb org:member ex:b ; org:organization ex:coop ;
    org:memberDuring [ time:hasBeginning [ time:inXSDDate "2011-01-01"^^xsd:date ] ] .
# c: member until May 2010 (the month covers the day, not June)
ex:mc org:member ex:c ; org:organization ex:coop ;
    org:memberDuring [ time:hasEnd [ time:inXSDgYearMonth "2010-05"^^xsd:gYearMonth ] ] .
# d: no membership at all
# e: one membership ended before, one begins after the day
ex:me1 org:member ex:e ; org:organization ex:coop ;
    org:memberDuring [ time:hasEnd [ time:inXSDgYear "2009"^^xsd:gYear ] ] .
ex:me2 org:member ex:e ; org:organization ex:coop ;
    org:memberDuring [ time:hasBeginning [ time:inXSDDate "2010-06-01"^^xsd:date ] ] .
# f: a membership without any date
ex:mf org:member ex:f ; org:organization ex:coop .
"""


def rows(store: ox.Store, prologue: str, query: str) -> Counter[tuple[str, str]]:
    result = store.query(prologue + query.replace("%%FOCUS%%", ""))
    assert isinstance(result, ox.QuerySolutions)
    return Counter((r["this"].value, r["value"].value) for r in result)  # type: ignore[union-attr]


def test_the_three_forms_of_the_kontrakt_constraint_give_the_same_rows() -> None:
    """As written in the shapes, with the OPTIONALs factored out, and decorrelated: the same
    rows with the same multiplicity, and the right ones."""
    compiled = validate.compiled_shapes()
    assert compiled is not None
    check = sparql_check("KontraktShape")
    assert check.focused is not None
    original = select_of("KontraktShape")
    inner = original.replace("$this", "?this")
    body = inner[inner.index("{") + 1 : inner.rindex("}")]
    factored = factor_optionals(body)
    assert factored != body and factored in check.focused
    as_written = check.focused.replace(factored, body)
    store = ox.Store()
    store.load(SIGNATORIES.encode(), ox.RdfFormat.TURTLE)
    expected = Counter(
        (f"http://example.org/{k}", f"http://example.org/{who}")
        for k, who in [("k1", "b"), ("k1", "d"), ("k1", "e"), ("k2", "d"), ("k3", "c")]
    )
    assert rows(store, compiled.prologue, as_written) == expected
    assert rows(store, compiled.prologue, check.focused) == expected
    assert rows(store, compiled.prologue, check.query) == expected


# ----------------------------------------------------------------------------- factor_optionals


def test_factor_optionals_rewrites_an_optional_tested_by_its_filter() -> None:
    text = (
        "?x ex:p ?y . FILTER NOT EXISTS { ?m ex:of ?y . "
        "OPTIONAL { ?m ex:begin ?b } FILTER (!BOUND(?b) || ?b <= ?w) }"
    )
    assert " ".join(factor_optionals(text).split()) == (
        "?x ex:p ?y . FILTER NOT EXISTS { ?m ex:of ?y . "
        "FILTER (NOT EXISTS { ?m ex:begin ?b } || EXISTS { ?m ex:begin ?b FILTER ( ?b <= ?w) }) }"
    )


@pytest.mark.parametrize(
    "text",
    [
        # not inside EXISTS: an OPTIONAL there changes the solutions, not only their existence
        "?m ex:of ?y . OPTIONAL { ?m ex:begin ?b } FILTER (!BOUND(?b) || ?b <= ?w)",
        # the optional variable is used elsewhere in the group
        "FILTER EXISTS { ?m ex:of ?y . OPTIONAL { ?m ex:begin ?b } "
        "FILTER (!BOUND(?b) || ?b <= ?w) BIND (?b AS ?c) }",
        # ?m is not bound before the OPTIONAL
        "FILTER EXISTS { OPTIONAL { ?m ex:begin ?b } ?m ex:of ?y . "
        "FILTER (!BOUND(?b) || ?b <= ?w) }",
        # the filter reads another optional variable too
        "FILTER EXISTS { ?m ex:of ?y . OPTIONAL { ?m ex:begin ?b } "
        "OPTIONAL { ?m ex:end ?e } FILTER (!BOUND(?b) || ?b <= ?e) }",
        # no filter of the form !BOUND(?b) || …
        "FILTER EXISTS { ?m ex:of ?y . OPTIONAL { ?m ex:begin ?b } FILTER (?b <= ?w) }",
    ],
)
def test_factor_optionals_leaves_other_patterns_as_they_are(text: str) -> None:
    assert factor_optionals(text) == text


# ----------------------------------------------------------------------------- fallback

# A constraint pySHACL knows and the fast engine does not compile (sh:equals): every
# Kooperation's label must equal its ex:name, which none has.
UNSUPPORTED = """
@prefix sh:   <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/shapes/LabelEqualsName> a sh:NodeShape ;
    sh:targetClass <https://w3id.org/coopgraph/def#Kooperation> ;
    sh:property [ sh:path rdfs:label ; sh:equals <http://example.org/name> ;
                  sh:message "label and name differ (test shape)"@en ] .
"""


@pytest.fixture
def unsupported_shapes(monkeypatch: pytest.MonkeyPatch):
    """The current shapes plus one the fast engine cannot compile; caches cleared around."""
    shapes = Graph()
    for triple in validate.shapes_graph():
        shapes.add(triple)
    shapes.parse(data=UNSUPPORTED, format="turtle")
    validate.compiled_shapes.cache_clear()
    monkeypatch.setattr(validate, "shapes_graph", lambda: shapes)
    yield shapes
    validate.compiled_shapes.cache_clear()


def test_an_unsupported_constraint_is_an_error_when_compiling(unsupported_shapes: Graph) -> None:
    with pytest.raises(UnsupportedShapeError, match="equals"):
        shacl_sparql.compile_shapes(unsupported_shapes, validate.message_languages())


def test_the_fast_engine_falls_back_to_pyshacl_with_a_warning(unsupported_shapes: Graph) -> None:
    with pytest.warns(RuntimeWarning, match="falling back to pySHACL"):
        fast = coopgraph.validate([RUHR], engine="fast")
    # pySHACL ran, with the added shape: its violation is there, never a silent pass
    assert [v.constraint for v in fast.violations] == ["EqualsConstraintComponent"]
    assert fast.violations[0].focus.endswith("staedteregion-ruhr")


def test_the_fast_only_entry_points_refuse_uncompilable_shapes(
    unsupported_shapes: Graph, tmp_path: Path
) -> None:
    from coopgraph.store.loaded import load_store

    loaded = load_store([RUHR])
    with pytest.warns(RuntimeWarning), pytest.raises(UnsupportedShapeError):
        validate.validate_loaded_store(loaded)
    with pytest.raises(UnsupportedShapeError):
        validate.validate_incremental(loaded, [RUHR])


def test_the_current_shapes_compile_without_falling_back() -> None:
    validate.compiled_shapes.cache_clear()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert validate.compiled_shapes() is not None
