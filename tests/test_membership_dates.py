"""Membership as of a date, over the bundled seed data, with the saved query."""

from __future__ import annotations

import pytest
from rdflib import Literal, Variable
from rdflib.namespace import XSD

from coopgraph import resources
from coopgraph.namespaces import kooperation_iri
from coopgraph.store.loaded import load

from .conftest import SEEDS

RUHR_FOUNDERS = {"Bochum", "Dortmund", "Duisburg", "Essen", "Gelsenkirchen", "Herne",
                 "Mülheim an der Ruhr", "Oberhausen"}  # fmt: skip
RUHR_ALL = RUHR_FOUNDERS | {"Bottrop", "Hamm", "Hagen"}
MUENSTER = {"Altenberge", "Ascheberg", "Drensteinfurt", "Everswinkel", "Greven", "Havixbeck",
            "Münster", "Nottuln", "Ostbevern", "Senden", "Sendenhorst", "Telgte"}  # fmt: skip


@pytest.fixture(scope="module")
def graph():
    return load([SEEDS]).graph


def members(graph, slug: str, day: str) -> dict[str, str]:
    query = (resources.queries_dir() / "mitglieder-zum-stichtag.rq").read_text(encoding="utf-8")
    rows = graph.query(
        query,
        initBindings={
            Variable("kooperation"): kooperation_iri(slug),
            Variable("stichtag"): Literal(day, datatype=XSD.date),
        },
    )
    return {str(r.name): str(r.gewissheit) for r in rows}


def test_ruhr_members_2005_are_the_eight_founders(graph) -> None:
    assert members(graph, "staedteregion-ruhr", "2005-01-01") == dict.fromkeys(
        RUHR_FOUNDERS, "belegt"
    )


def test_ruhr_members_2008_are_all_eleven(graph) -> None:
    assert members(graph, "staedteregion-ruhr", "2008-01-01") == dict.fromkeys(RUHR_ALL, "belegt")


def test_ruhr_in_2001_has_the_eight_cities_that_joined_in_2000(graph) -> None:
    # the sources date the cooperation of the eight cities from 2000; the Kontrakt came in 2003
    assert members(graph, "staedteregion-ruhr", "2001-01-01") == dict.fromkeys(
        RUHR_FOUNDERS, "belegt"
    )


def test_ruhr_before_its_founding_has_no_members(graph) -> None:
    assert members(graph, "staedteregion-ruhr", "1999-12-31") == {}


def test_ruhr_in_2000_the_founders_are_uncertain(graph) -> None:
    # only the year 2000 is known: on a day of 2000 membership is possible, not certain
    assert members(graph, "staedteregion-ruhr", "2000-06-01") == dict.fromkeys(
        RUHR_FOUNDERS, "unsicher"
    )


def test_ruhr_in_2007_the_joiners_are_uncertain(graph) -> None:
    got = members(graph, "staedteregion-ruhr", "2007-03-01")
    assert {k for k, v in got.items() if v == "unsicher"} == {"Bottrop", "Hamm", "Hagen"}
    assert {k for k, v in got.items() if v == "belegt"} == RUHR_FOUNDERS


def test_muenster_in_2005_has_the_eleven_founders_without_ostbevern(graph) -> None:
    # network founded 2001; Ostbevern joined in 2007 (council paper Havixbeck 087/2013)
    assert members(graph, "stadtregion-muenster", "2005-01-01") == dict.fromkeys(
        MUENSTER - {"Ostbevern"}, "belegt"
    )


def test_muenster_has_all_twelve_members_in_2019(graph) -> None:
    assert members(graph, "stadtregion-muenster", "2019-06-01") == dict.fromkeys(MUENSTER, "belegt")


def test_muenster_in_2007_ostbevern_is_uncertain(graph) -> None:
    got = members(graph, "stadtregion-muenster", "2007-03-01")
    assert got == {**dict.fromkeys(MUENSTER - {"Ostbevern"}, "belegt"), "Ostbevern": "unsicher"}


def test_the_area_of_a_cooperation_of_kreise_is_derived(graph) -> None:
    """Gemeinden im Gebiet: the Regionalverband Ruhr's Kreise bring their Gemeinden, kept apart
    from membership (its Kreis Recklinghausen is a member, Marl is not)."""
    query = (resources.queries_dir() / "gemeinden-im-gebiet.rq").read_text(encoding="utf-8")
    full = load([SEEDS / "regionalverband-ruhr.ttl"]).graph
    for path in sorted((resources.data_dir() / "kommunen").glob("gemeinden-05.ttl")):
        full.parse(path)
    rows = full.query(query, initBindings={
        Variable("kooperation"): kooperation_iri("regionalverband-ruhr")})  # fmt: skip
    via = {str(r.name): str(r.ueberName) for r in rows}
    assert via["Marl"] == "Recklinghausen" and via["Bochum"] == "Bochum"
    assert len(via) == 53  # 11 kreisfreie Städte and the 42 Gemeinden of its 4 Kreise
