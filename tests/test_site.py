"""The site people use, in a real headless Chromium (Debian's /usr/bin/chromium driven by
Playwright): search in the static site and in ``coopgraph serve``, a crawl from the home page
that reaches every cooperation, facets, axe-core over every page type at 1280 and 390 px (0
critical, 0 serious, no horizontal scroll) with screenshots in tests/artifacts/site/.

Small data: the static site of three cooperations (as tests/test_publish.py publishes it) and a
server over NRW's Gemeinden, the Kreise, the Länder and two cooperations (as tests/test_serve.py).
"""

from __future__ import annotations

import gc
import json
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from coopgraph import publish, queries
from coopgraph.catalog import Publisher
from coopgraph.store.graphs import sources
from coopgraph.store.loaded import load
from coopgraph.store.oxigraph import OxigraphStore, to_oxigraph

from .conftest import SEEDS
from .test_publish import ARTIFACTS, CHROMIUM, parse_html_text
from .test_serve import FILES, _start, _stop

BASE = "https://example.org/coopgraph/"
PATHS = [SEEDS / n for n in ("staedteregion-ruhr.ttl", "stadtregion-muenster.ttl",
                             "regionalverband-ruhr.ttl")]  # fmt: skip
AXE = Path(__file__).resolve().parent / ".deps" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ARTIFACTS / "site"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]  # fmt: skip
RUHR = "kooperation/staedteregion-ruhr"
MUENSTER = "kommune/05515000"
# query -> pages that must be among the first five results, in the static site and in serve
SEARCHES = {
    "Ruhr": [RUHR, "kooperation/regionalverband-ruhr"],
    "Muenster": ["kooperation/stadtregion-muenster", MUENSTER],
    "05515000": [MUENSTER],
    "48143": [MUENSTER],  # the main postcode the register gives
    "Stadtregoin Münster": ["kooperation/stadtregion-muenster"],  # a typo
    "Ruhr 2030": [RUHR],  # an alternate name (skos:altLabel)
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    publish.publish(out, BASE, PATHS, publisher=Publisher())
    return out


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``coopgraph serve`` over a small on-disk store; its base URL."""
    root = tmp_path_factory.mktemp("served")
    writer = OxigraphStore.on_disk(root / "store", create=True)
    writer.replace_graphs(sources([*FILES, SEEDS / "regionalverband-ruhr.ttl"]))
    writer.close()
    del writer
    gc.collect()
    proc, base, _log = _start(root, f"oxigraph:{root / 'store'}")
    try:
        yield base
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-test-deps.sh (apt: chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _get(url: str) -> str:
    request = urllib.request.Request(url, headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return str(response.read().decode("utf-8"))


def _result_paths(hrefs: list[str]) -> list[str]:
    return [h.split("/id/", 1)[-1].removesuffix(".html") for h in hrefs if "/id/" in h]


# ---------------------------------------------------------------- search


@pytest.mark.parametrize("query", list(SEARCHES))
def test_static_search_finds(site: Path, browser: Any, query: str) -> None:
    """The published search page (search.js over search-index.js) from disk, no server."""
    page = browser.new_page(bypass_csp=True)  # the test injects its own scripts (axe-core)
    try:
        url = (site / "search.html").as_uri() + "?" + urllib.parse.urlencode({"q": query})
        page.goto(url)
        page.wait_for_function("document.getElementById('search-status').textContent !== ''")
        hrefs = page.eval_on_selector_all("#results a", "as => as.map(a => a.href)")
    finally:
        page.close()
    found = _result_paths(hrefs)
    for expected in SEARCHES[query]:
        assert expected in found[:5], (query, found)


@pytest.mark.parametrize("query", list(SEARCHES))
def test_served_search_finds_without_javascript(served: str, query: str) -> None:
    html = _get(f"{served}/search?" + urllib.parse.urlencode({"q": query}))
    parsed = parse_html_text(html[html.index('<ol id="results"') :])
    found = _result_paths(parsed.links)
    for expected in SEARCHES[query]:
        assert expected in found[:5], (query, found)


def test_search_by_kind_and_nothing_found(served: str) -> None:
    kreise = _get(f"{served}/search?q=Muenster&kind=kreis")
    assert "/id/kreis/05515" in kreise and "/id/kommune/05515000" not in kreise
    nothing = _get(f"{served}/search?q=xyzzyqq")
    assert "Keine Treffer" in nothing


# ---------------------------------------------------------------- browse


def test_a_crawl_from_home_reaches_every_cooperation(site: Path) -> None:
    """Following plain links only (no JavaScript) from index.html."""
    cooperations = {p for p in (site / "id" / "kooperation").glob("*.html") if p.stem != "index"}
    assert len(cooperations) == 3
    seen: set[Path] = set()
    queue = deque([site / "index.html"])
    while queue:
        html = queue.popleft()
        if html in seen or not html.is_file():
            continue
        seen.add(html)
        for link in parse_html_text(html.read_text(encoding="utf-8")).links:
            target = urllib.parse.urldefrag(link)[0]
            if target.endswith(".html") and not urllib.parse.urlparse(target).scheme:
                queue.append((html.parent / urllib.parse.unquote(target)).resolve())
    assert cooperations <= seen
    assert site / "id" / "kreis" / "05558.html" in seen  # and on to Kreise and Kommunen
    assert site / "id" / "kommune" / "05515000.html" in seen


def test_served_home_lists_every_cooperation_as_a_link(served: str) -> None:
    home = _get(served + "/")
    for slug in ("staedteregion-ruhr", "stadtregion-muenster"):
        assert f'href="{served}/id/kooperation/{slug}"' in home
    listing = _get(served + "/id/kooperation/")
    assert f'href="{served}/id/kooperation/staedteregion-ruhr"' in listing


def test_facets_combine_in_the_browser(site: Path, browser: Any) -> None:
    page = browser.new_page(bypass_csp=True)  # the test injects its own scripts (axe-core)
    try:
        page.goto((site / "index.html").as_uri())
        assert page.is_visible("#facets")  # hidden without JavaScript
        visible = "Array.from(document.querySelectorAll('#coop-list li')).filter(li => !li.hidden)"
        assert page.evaluate(f"{visible}.length") == 3
        page.select_option("#facet-rechtsform", "informelle-kooperation")
        names = page.evaluate(f"{visible}.map(li => li.textContent)")
        assert len(names) == 2 and {n.split(" Kooperation")[0] for n in names} == {
            "Städteregion Ruhr", "Stadtregion Münster"}  # fmt: skip

        def fields_of(slug: str) -> set[str]:
            li = f"#coop-list li:has(a[href$='{slug}.html'])"
            return set((page.get_attribute(li, "data-handlungsfeld") or "").split())

        ruhr, muenster = fields_of("staedteregion-ruhr"), fields_of("stadtregion-muenster")
        page.select_option("#facet-handlungsfeld", sorted(muenster - ruhr)[0])  # informal AND it
        assert page.evaluate(f"{visible}.length") == 1
        page.select_option("#facet-handlungsfeld", sorted(ruhr - muenster)[0])
        page.select_option("#facet-rechtsform", "regionalverband")  # the RVR has no such field
        assert page.evaluate(f"{visible}.length") == 0
        assert "0 von 3" in page.text_content("#facet-status")
        page.click("button[type=reset]")
        page.wait_for_function(
            "document.getElementById('facet-status').textContent.startsWith('3')"
        )
    finally:
        page.close()


def test_serve_and_publish_render_the_same_home(site: Path) -> None:
    """The cooperation list and its facets on the home page, from the same graph."""
    from werkzeug.test import Client

    from coopgraph.serve import App

    store = ox.Store()
    store.extend(
        ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
        for s, p, o in load(PATHS).graph
    )
    app = App(OxigraphStore(store), None, BASE)  # type: ignore[arg-type]
    served = Client(app).get("/", headers={"Accept": "text/html"}).text

    def listing(html: str) -> str:
        end = html.index("</ul>", html.index("coop-list"))
        part = html[html.index('<form class="facets"') : end]
        return " ".join(" ".join(parse_html_text(part).text).split())

    static = (site / "index.html").read_text(encoding="utf-8")
    assert listing(served) == listing(static)
    assert "catalog.ttl" not in served  # serve has none to link to
    assert "catalog.ttl" in static


# ---------------------------------------------------------------- pages


def test_resource_pages_embed_schema_org_and_german_dates(site: Path) -> None:
    html = (site / "id" / "kommune" / "05515000.html").read_text(encoding="utf-8")
    start = html.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    doc = json.loads(html[start : html.index("</script>", start)])
    assert doc["@context"] == "https://schema.org" and doc["@type"] == "AdministrativeArea"
    assert doc["name"] == "Münster" and doc["identifier"]["value"] == "05515000"
    assert doc["address"]["postalCode"] == "48143"
    assert "31.12.2024" in html and ">2024-12-31<" not in html  # Einwohner-Stichtag, German
    coop = (site / "id" / RUHR).with_suffix(".html").read_text(encoding="utf-8")
    assert '<time datetime="2000">2000</time>' in coop  # only the year is known: shown as a year


def test_map_markers_are_no_links_and_no_tab_stops(site: Path, browser: Any) -> None:
    page = browser.new_page(bypass_csp=True)  # the test injects its own scripts (axe-core)
    try:
        page.goto((site / "id" / "land" / "05.html").as_uri())
        assert page.eval_on_selector_all("svg a", "as => as.length") == 0
        focusable = page.eval_on_selector_all(
            "svg [tabindex], svg a, svg [focusable=true]", "es => es.length"
        )
        assert focusable == 0
        assert page.get_attribute("svg#map", "role") == "img"
    finally:
        page.close()


def test_a_kreis_member_is_a_distinct_marker_over_the_outlines(tmp_path: Path) -> None:
    coop = tmp_path / "kreis-als-mitglied.ttl"
    coop.write_text(
        """@prefix coop: <https://w3id.org/coopgraph/def#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/coopgraph/id/kooperation/test-kreis> a coop:Kooperation,
        org:OrganizationalCollaboration ;
    rdfs:label "Test mit Kreis" ;
    org:hasMember <https://w3id.org/coopgraph/id/kreis/05558> ,
        <https://w3id.org/coopgraph/id/kommune/05558004> ,
        <https://w3id.org/coopgraph/id/kommune/05558020> ,
        <https://w3id.org/coopgraph/id/kommune/05515000> .
""",
        encoding="utf-8",
    )
    out = tmp_path / "site"
    publish.publish(out, BASE, [coop])
    html = (out / "id" / "kooperation" / "test-kreis.html").read_text(encoding="utf-8")
    svg = html[html.index('<svg id="map"') : html.index("</svg>")]
    assert svg.count('<g class="marker area"') == 1 and svg.count("<rect") == 1
    assert svg.count("<circle") == 3 and "Coesfeld</text>" in svg
    assert '<image href="../../laender.svg"' in svg and (out / "laender.svg").is_file()
    assert "Quadrate: Kreise und Länder als Mitglieder" in html


def test_a_cooperation_shows_the_gemeinden_in_its_area(served: str) -> None:
    """Regionalverband Ruhr: 11 kreisfreie Städte and four Kreise as members; 53 Gemeinden in
    its area (derived, not membership), as the saved query gemeinden-im-gebiet answers."""
    html = _get(served + "/id/kooperation/regionalverband-ruhr")
    start = html.index('<section id="in-area">')
    section = html[start : html.index("</section>", start)]
    assert "Gemeinden im Gebiet" in section and "(53)" in section
    rows = section.count("<tr>") - 1  # the header row
    assert rows == 53
    assert "/id/kommune/05170004" in section  # Alpen, in the area through the Kreis Wesel
    assert "Wesel</a>: 13 Gemeinden" in section
    assert any("/queries/gemeinden-im-gebiet?" in h for h in parse_html_text(section).links)
    store = ox.Store()  # the saved query on the same files as the server's store
    store.extend(
        ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
        for s, p, o in load([*FILES, SEEDS / "regionalverband-ruhr.ttl"]).graph
    )
    rvr = "https://w3id.org/coopgraph/id/kooperation/regionalverband-ruhr"
    answer = queries.run("gemeinden-im-gebiet", store=OxigraphStore(store), kooperation=rvr)
    assert len({row["kommune"] for row in answer}) == rows
    assert '<section id="in-area">' not in _get(served + f"/id/{RUHR}")  # no Kreis members


def test_footer_and_language_switch_in_serve(served: str) -> None:
    home = _get(served + "/")
    assert "catalog.ttl" not in home and "void.ttl" not in home  # no --site: nothing to link
    assert 'href="?lang=en"' in home and '<html lang="de">' in home
    english = _get(served + "/id/kreis/05558?lang=en")
    assert '<html lang="en">' in english and "Municipalities" in english


def test_sparql_editor_offline_with_the_saved_queries(served: str, browser: Any) -> None:
    """The vendored YASGUI at /sparql/editor, reached from /sparql: every saved query is an
    example to load, it runs on this server's endpoint, and the result downloads as CSV."""
    assert 'href="' + served + '/sparql/editor?lang=de"' in _get(served + "/sparql")
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    try:  # under the server's CSP
        page.goto(served + "/sparql/editor")
        page.wait_for_selector(".yasqe_queryButton")
        assert page.is_visible("label[for=example]")
        options = page.eval_on_selector_all("#example option", "os => os.map(o => o.value)")
        assert set(options) - {""} == set(queries.catalog())
        page.select_option("#example", "mitglieder-einer-kooperation")
        text = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
        assert text == queries.catalog()["mitglieder-einer-kooperation"].text
        assert "/queries/mitglieder-einer-kooperation" in (
            page.get_attribute("#example-form a", "href") or ""
        )
        page.click(".yasqe_queryButton")
        page.wait_for_selector(".yasr table tbody tr")
        assert page.eval_on_selector_all(".yasr table tbody tr", "rs => rs.length") > 0
        rows = page.eval_on_selector_all(".yasr table tbody tr", "rs => rs.length")
        with page.expect_download() as download:
            page.click(".yasr_downloadIcon")
        csv = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
        assert csv[0].startswith('"kommune","name","ags"') and len(csv) >= rows + 1
    finally:
        page.close()


def _run_in_editor(page: Any) -> None:
    """The editor with a saved query loaded and its result drawn, for the audit."""
    page.wait_for_selector(".yasqe_queryButton")
    page.select_option("#example", "kooperation-als-schema-org")  # a long query: no inner scroll
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table tbody tr")


# ---------------------------------------------------------------- axe-core, 1280 and 390 px

STATIC_PAGES = {
    "home": "index.html",
    "search": "search.html?q=Muenster",
    "kooperation": f"id/{RUHR}.html",
    "kommune": f"id/{MUENSTER}.html",
    "kreis": "id/kreis/05558.html",
    "land": "id/land/05.html",
    "kooperationen": "id/kooperation/index.html",
}
SERVED_PAGES = {
    "home": "/",
    "search": "/search?q=Ruhr",
    "kooperation": f"/id/{RUHR}",
    "kommune": f"/id/{MUENSTER}",
    "kreis": "/id/kreis/05558",
    "land": "/id/land/05",
    "query-result": "/queries/mitglieder-einer-kooperation?lang=de&run=1&kooperation="
    + urllib.parse.quote(f"https://w3id.org/coopgraph/id/{RUHR}", safe=""),
    "sparql": "/sparql",
    "sparql-editor": "/sparql/editor",
}
# what the audit does on a page before it looks
PREPARE = {"served-sparql-editor": _run_in_editor}


def _audit(browser: Any, url: str, shot_name: str) -> dict[str, Any]:
    """axe-core and the page width at 1280 and 390 px; screenshots kept."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run scripts/install-test-deps.sh (npm: axe-core)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {}
    for width in (1280, 390):
        page = browser.new_page(
            viewport={"width": width, "height": 900}, locale="de-DE", bypass_csp=True
        )
        try:
            page.goto(url)
            page.wait_for_load_state("load")
            if "search" in shot_name:
                page.wait_for_function("document.querySelectorAll('#results li').length > 0")
            if shot_name in PREPARE:
                PREPARE[shot_name](page)
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(
                "axe.run(document).then(r => r.violations.map(v => "
                "({id: v.id, impact: v.impact, nodes: v.nodes.length})))"
            )
            scroll = page.evaluate("document.documentElement.scrollWidth")
            tall = page.evaluate("document.documentElement.scrollHeight") > 5000  # e.g. /def
            page.screenshot(path=str(SHOTS / f"{shot_name}-{width}.png"), full_page=not tall)
        finally:
            page.close()
        report[str(width)] = {"violations": violations, "scroll_width": scroll}
    (SHOTS / f"{shot_name}.axe.json").write_text(json.dumps(report, indent=1))
    return report


def _check(report: dict[str, Any]) -> None:
    for width, found in report.items():
        bad = [v for v in found["violations"] if v["impact"] in ("critical", "serious")]
        assert not bad, (width, bad)
        assert found["scroll_width"] <= int(width), f"horizontal scroll at {width} px"


def test_axe_finds_what_is_broken(tmp_path: Path, browser: Any) -> None:
    """The audit can fail: an unlabelled field, an image without text, grey on grey."""
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!DOCTYPE html><html lang="de"><head><title>x</title></head><body><main>'
        '<input type="text"><img src="x.png"><p style="color:#ccc;background:#ddd">grau</p>'
        "</main></body></html>"
    )
    report = _audit(browser, broken.as_uri(), "axe-selfcheck")
    impacts = {v["id"]: v["impact"] for v in report["1280"]["violations"]}
    assert impacts.get("label") == "critical" and impacts.get("image-alt") == "critical"
    assert impacts.get("color-contrast") == "serious"
    with pytest.raises(AssertionError):
        _check(report)


@pytest.mark.parametrize("name", list(STATIC_PAGES))
def test_static_pages_pass_axe(site: Path, browser: Any, name: str) -> None:
    target = STATIC_PAGES[name]
    path, _, query = target.partition("?")
    url = (site / path).as_uri() + (f"?{query}" if query else "")
    _check(_audit(browser, url, f"static-{name}"))


@pytest.mark.parametrize("name", list(SERVED_PAGES))
def test_served_pages_pass_axe(served: str, browser: Any, name: str) -> None:
    _check(_audit(browser, served + SERVED_PAGES[name], f"served-{name}"))
