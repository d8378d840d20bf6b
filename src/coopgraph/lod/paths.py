"""Where a resource lives: site paths of coopgraph IRIs, links between pages, its documents."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..namespaces import BASE, COOP, ID, VOCAB
from .terms import ONTOLOGY_IRI

DEFAULT_BASE = BASE

# a resource's RDF documents: extension -> (label, media type)
RDF_FILES = {
    ".ttl": ("Turtle", "text/turtle"),
    ".jsonld": ("JSON-LD", "application/ld+json"),
    ".nt": ("N-Triples", "application/n-triples"),
}

# the whole graph: site path -> (label, media type)
DUMPS = {
    "dump/coopgraph.ttl": ("Turtle", "text/turtle"),
    "dump/coopgraph.nt.gz": ("N-Triples (gzip)", "application/n-triples"),
    "dump/coopgraph.jsonld": ("JSON-LD", "application/ld+json"),
}


def path_for(iri: str) -> str | None:
    """Site path (no extension) of a coopgraph IRI, e.g. ``id/kommune/05515000``; else None.

    Ontology terms ``…/def#Term`` get ``def/Term``; the ontology itself ``def``.
    """
    if not iri.startswith(BASE):
        return None
    rest = iri[len(BASE) :]
    if rest.startswith("def#"):
        rest = "def/" + rest[4:]
    if not rest or "#" in rest or "?" in rest or "\\" in rest or "%" in rest:
        return None
    parts = rest.split("/")
    if any(p in ("", ".", "..") for p in parts) or not (
        rest == "def" or parts[0] in ("def", "id", "vocab")
    ):
        return None
    return rest


@dataclass(frozen=True)
class Linker:
    """Turns IRIs into hrefs: relative ``….html`` paths in a static site, or absolute URLs."""

    base_uri: str = DEFAULT_BASE
    page: str | None = None  # site path of the current page: links relative to it
    suffix: str = ".html"
    has_page: Callable[[str], bool] = lambda iri: True

    def href(self, iri: str) -> str | None:
        path = path_for(iri)
        if path is None:
            return iri if iri.startswith(("http://", "https://")) else None
        if not self.has_page(iri):
            return None
        return self.site_href(path + self.suffix)

    def site_href(self, site_path: str) -> str:
        """Link to a file of the site, e.g. ``dump/coopgraph.ttl``: relative to the current page
        (up to the site's root, then down), or absolute under ``base_uri``."""
        if self.page is None:
            return self.base_uri + site_path
        return "../" * self.page.count("/") + site_path

    def absolute(self, site_path: str) -> str:
        return self.base_uri + site_path

    @property
    def served(self) -> bool:
        """Links for ``coopgraph serve`` (extensionless, negotiated) rather than static files."""
        return self.suffix == ""

    def special(self, name: str) -> str:
        """The site's own pages: ``index``, ``search``, ``kooperationen`` (the list at
        ``id/kooperation/``), ``gemeindeverbaende``, ``def``; static files or server routes."""
        if name == "kooperationen":
            return self.site_href("id/kooperation/" + ("" if self.served else "index.html"))
        if name == "index":
            return self.site_href("" if self.served else "index.html")
        return self.site_href(name + self.suffix)


def kind_of(iri: str) -> str:
    """The kind of a coopgraph resource from its IRI: ``kommune``, ``kooperation``, ``term`` …"""
    if iri.startswith(str(ID)):
        return iri[len(str(ID)) :].split("/", 1)[0]
    if iri.startswith(str(COOP)):
        return "term"
    if iri == ONTOLOGY_IRI:
        return "ontology"
    if iri.startswith(str(VOCAB)):
        return "scheme" if "/" not in iri[len(str(VOCAB)) :] else "concept"
    return "other"


def slash(uri: str) -> str:
    """A base URI with its trailing slash."""
    return uri if uri.endswith("/") else uri + "/"
