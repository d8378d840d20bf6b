"""The linked-open-data layer shared by ``coopgraph publish`` (static site) and ``coopgraph serve``.

- :mod:`~coopgraph.lod.paths` — site paths of IRIs (:func:`path_for`), links (:class:`Linker`);
- :mod:`~coopgraph.lod.graph` — :class:`GraphView`, one resource's description (:func:`describe`);
- :mod:`~coopgraph.lod.pages` — the template context of a page (:class:`PageBuilder`);
- :mod:`~coopgraph.lod.render` — the one Jinja environment and the rendered pages;
- :mod:`~coopgraph.lod.documents` — Turtle, N-Triples and JSON-LD documents.
"""

from __future__ import annotations

from .documents import JsonLdWriter, jsonld_context, serialize
from .graph import GraphView, describe, description_triples, ontology_triples, view_of
from .pages import PageBuilder
from .paths import DEFAULT_BASE, DUMPS, RDF_FILES, Linker, kind_of, path_for, slash
from .render import (
    environment,
    render_html,
    render_ontology,
    render_page,
    render_site_page,
    site_context,
)
from .terms import ONTOLOGY_IRI

__all__ = [
    "DEFAULT_BASE",
    "DUMPS",
    "ONTOLOGY_IRI",
    "RDF_FILES",
    "GraphView",
    "JsonLdWriter",
    "Linker",
    "PageBuilder",
    "describe",
    "description_triples",
    "environment",
    "jsonld_context",
    "kind_of",
    "ontology_triples",
    "path_for",
    "render_html",
    "render_ontology",
    "render_page",
    "render_site_page",
    "serialize",
    "site_context",
    "slash",
    "view_of",
]
