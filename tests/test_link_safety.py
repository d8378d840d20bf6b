"""Only http, https and mailto IRIs (and the site's own paths) become links: a ``javascript:``
IRI in the data is shown as text on the resource pages and refused by the shapes."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph import lod, resources
from coopgraph.hrefs import safe_href
from coopgraph.store.oxigraph import OxigraphStore

from .conftest import SEEDS

RUHR = "https://w3id.org/coopgraph/id/kooperation/staedteregion-ruhr"
SOURCE = "http://kooperation.kdz.eu/index.php?title=St%C3%A4dteregion_Ruhr"
HOSTILE = f"""
<{SOURCE}> <http://xmlns.com/foaf/0.1/page> <javascript:alert(1)> .
<{RUHR}> <http://xmlns.com/foaf/0.1/homepage> <javascript:alert(2)> .
<{RUHR}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <data:text/html,hi> .
"""


class Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v or "" for k, v in attrs if k in ("href", "src", "action")]


def hrefs_of(html: str) -> list[str]:
    parser = Hrefs()
    parser.feed(html)
    return parser.hrefs


@pytest.mark.parametrize(
    ("value", "safe"),
    [("https://a.example/", True), ("http://a", True), ("mailto:a@b.example", True),
     ("../id/x.html", True), ("?lang=en", True), ("javascript:alert(1)", False),
     (" JavaScript:alert(1)", False), ("java\tscript:alert(1)", False), ("\x01javascript:x", False),
     ("data:text/html,x", False), ("vbscript:x", False)],
)  # fmt: skip
def test_safe_href(value: str, safe: bool) -> None:
    assert (safe_href(value) == value) is safe


def test_a_javascript_iri_in_the_data_is_never_an_href(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.nt"
    hostile.write_text(HOSTILE)
    store = OxigraphStore(ox.Store())
    store.load([*resources.ontology_files(), SEEDS / "staedteregion-ruhr.ttl", hostile])
    for lang in ("de", "en"):
        html = lod.render_html(store, RUHR, lang, "https://coopgraph.example/")
        assert "javascript:alert(1)" in html and "javascript:alert(2)" in html  # shown as text
        links = hrefs_of(html)
        assert links and all(safe_href(h) == h for h in links), links
        assert not [h for h in links if h.lower().startswith(("javascript", "data"))]


def test_shapes_refuse_a_web_page_that_is_not_http(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hostile = tmp_path / "hostile.ttl"
    hostile.write_text(HOSTILE)
    for lang, words in (("en", "http or https IRI"), ("de", "IRI mit http oder https")):
        run = cli("validate", "--lang", lang, str(hostile))
        assert run.code == 1
        assert run.out.count(words) + run.err.count(words) >= 2  # foaf:page and foaf:homepage
