"""Membership as of a date, over the bundled seed data, with the saved query."""

from __future__ import annotations

import pytest
from rdflib import Literal, Variable
from rdflib.namespace import XSD

from coopgraph import loader, resources
from coopgraph.namespaces import kooperation_iri

from .conftest import SEEDS

RUHR_FOUNDERS = {"Bochum", "Dortmund", "Duisburg", "Essen", "Gelsenkirchen", "Herne",
                 "Mülheim an der Ruhr", "Oberhausen"}  # fmt: skip
RUHR_ALL = RUHR_FOUNDERS | {"Bottrop", "Hamm", "Hagen"}
MUENSTER = {"Altenberge", "Ascheberg", "Drensteinfurt", "Everswinkel", "Greven", "Havixbeck",
            "Münster", "Nottuln", "Ostbevern", "Senden", "Sendenhorst", "Telgte"}  # fmt: skip


@pytest.fixture(scope="module")
def graph():
    return loader.load([SEEDS]).graph


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


def test_ruhr_before_the_kontrakt_has_no_members(graph) -> None:
    assert members(graph, "staedteregion-ruhr", "2003-06-05") == {}


def test_ruhr_in_2007_the_joiners_are_uncertain(graph) -> None:
    got = members(graph, "staedteregion-ruhr", "2007-03-01")
    assert {k for k, v in got.items() if v == "unsicher"} == {"Bottrop", "Hamm", "Hagen"}
    assert {k for k, v in got.items() if v == "belegt"} == RUHR_FOUNDERS


def test_muenster_has_twelve_members_after_2018(graph) -> None:
    assert members(graph, "stadtregion-muenster", "2020-01-01") == dict.fromkeys(MUENSTER, "belegt")


def test_muenster_in_2018_is_honestly_uncertain(graph) -> None:
    assert members(graph, "stadtregion-muenster", "2018-06-30") == dict.fromkeys(
        MUENSTER, "unsicher"
    )
