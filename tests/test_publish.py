"""coopgraph publish: the static site of the two seed cooperations and the Kommunen they name.

One site is published per session (a few seconds) and checked from every side: pages per kind,
per-resource RDF equal to ``describe``, no broken internal link, DCAT-AP.de against the official
shapes, VoID, dumps, atomic replacement, and a real headless Chromium opening a Kooperation page.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF

from coopgraph.errors import CoopgraphError, RdfSyntaxError
from coopgraph.lod import describe, path_for, render_html
from coopgraph.namespaces import COOP, ID
from coopgraph.publish import publish
from coopgraph.store.loaded import load
from coopgraph.store.oxigraph import OxigraphStore, to_oxigraph

from .conftest import SEEDS

pytestmark = pytest.mark.filterwarnings(  # rdflib's own JSON-LD parser
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning"
)

BASE = "https://example.org/coopgraph/"
# the two seed cooperations, and one whose memberships have unknown beginnings
PATHS = [SEEDS / n for n in ("staedteregion-ruhr.ttl", "stadtregion-muenster.ttl",
                             "regionalverband-ruhr.ttl")]  # fmt: skip
SHAPES = Path(__file__).resolve().parent / "shapes"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
RUHR = f"{ID}kooperation/staedteregion-ruhr"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
VOID = Namespace("http://rdfs.org/ns/void#")
CONTRIBUTOR = "http://dcat-ap.de/def/contributors/openNRW"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from coopgraph.catalog import Publisher

    out = tmp_path_factory.mktemp("publish") / "site"
    publish(out, BASE, PATHS, publisher=Publisher(contributor_id=CONTRIBUTOR))
    return out


@pytest.fixture(scope="module")
def store() -> OxigraphStore:
    """The same graph the site was published from, in a store ``describe`` can query."""
    graph = load(PATHS).graph
    store = ox.Store()
    store.extend(
        ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
        for s, p, o in graph
    )
    return OxigraphStore(store)


def page(site: Path, iri: str, ext: str = ".html") -> Path:
    path = path_for(iri)
    assert path is not None
    return site / (path + ext)


class Links(HTMLParser):
    """Every href/src/id of an HTML page, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize(
    ("iri", "label"),
    [
        (RUHR, "Städteregion Ruhr"),
        (f"{ID}kooperation/stadtregion-muenster", "Stadtregion Münster"),
        (f"{ID}kommune/05117000", "Mülheim an der Ruhr"),
        (f"{ID}kontrakt/staedteregion-ruhr-2003", "Stadtregionaler Kontrakt"),
        (f"{ID}gremium/stadtregion-muenster-beirat", "Beirat Stadtregion"),
        (f"{ID}kreis/05558", "Coesfeld"),
        (f"{ID}land/05", "Nordrhein-Westfalen"),
        (f"{COOP}Kooperation", "Kooperation"),
        ("https://w3id.org/coopgraph/vocab/rechtsform/zweckverband", "Zweckverband"),
    ],
)
def test_a_page_per_kind_titled_with_its_label(site: Path, iri: str, label: str) -> None:
    html = page(site, iri).read_text(encoding="utf-8")
    assert f"<h1>{label}" in html
    for ext in (".ttl", ".jsonld", ".nt"):
        assert page(site, iri, ext).is_file()


def test_kooperation_page_shows_members_with_periods_and_sources(site: Path) -> None:
    html = page(site, RUHR).read_text(encoding="utf-8")
    text = " ".join(parse_html(page(site, RUHR)).text)
    for name in ("Bochum", "Mülheim an der Ruhr", "Hagen", "Bottrop"):
        assert name in text
    assert "https://w3id.org/coopgraph/id/kommune/05911000</" not in html  # labels, not IRIs
    assert html.count('class="member"') == 11
    # founding members since 2000, the three later ones since 2007: only the years are known
    assert '<time datetime="2000">2000</time><div class="note">nur das Jahr ist bekannt' in html
    assert '<time datetime="2007">2007</time><div class="note">nur das Jahr ist bekannt' in html
    assert "Gründungsmitglied" in html and '<span class="alt" lang="en">founding member' in html
    assert "http://kooperation.kdz.eu/index.php?title=St%C3%A4dteregion_Ruhr" in html
    assert "Mühlheim a. d. Ruhr" in html  # the spelling in the source, shown beside the label


def test_unknown_beginnings_are_shown_as_unknown(site: Path, store: OxigraphStore) -> None:
    rows = store.select(
        "PREFIX coop: <https://w3id.org/coopgraph/def#> PREFIX org: <http://www.w3.org/ns/org#>"
        " SELECT ?k WHERE { ?m coop:beginnUnbekannt true ; org:organization ?k }"
    ).rows
    assert rows, "the seed data has memberships with unknown beginnings"
    html = page(site, str(rows[0][0])).read_text(encoding="utf-8")
    assert '<td class="begin unknown" data-label="Beginn">unbekannt' in html


def test_english_pages_put_english_first(store: OxigraphStore) -> None:
    html = render_html(store, RUHR, "en", BASE)
    assert 'Members <span class="alt" lang="de">Mitglieder</span>' in html
    assert 'href="https://example.org/coopgraph/id/kommune/05117000"' in html


def test_kommune_page_lists_its_cooperations(site: Path) -> None:
    html = page(site, f"{ID}kommune/05566012").read_text(encoding="utf-8")  # Greven
    assert 'id="memberships"' in html
    assert "Stadtregion Münster" in html
    assert '<svg id="map"' in html  # its own centre point


# ---------------------------------------------------------------- RDF per resource


def test_every_resource_document_equals_describe(site: Path, store: OxigraphStore) -> None:
    pages = [p for folder in ("id", "vocab", "def") for p in sorted((site / folder).rglob("*.ttl"))]
    assert len(pages) > 150
    for ttl in pages:
        rel = ttl.relative_to(site).with_suffix("").as_posix()
        iri = "https://w3id.org/coopgraph/" + (rel.replace("def/", "def#", 1))
        expected = describe(store, iri)
        assert len(expected) > 0, iri
        for ext, fmt in ((".ttl", "turtle"), (".nt", "nt"), (".jsonld", "json-ld")):
            got = Graph().parse(ttl.with_suffix(ext), format=fmt)
            assert isomorphic(got, expected), f"{ttl.with_suffix(ext)} differs from describe()"


def test_describe_includes_memberships_and_their_periods(store: OxigraphStore) -> None:
    g = describe(store, RUHR)
    memberships = set(g.subjects(URIRef("http://www.w3.org/ns/org#organization"), URIRef(RUHR)))
    assert len(memberships) == 11
    dates = set(g.objects(None, URIRef("http://www.w3.org/2006/time#inXSDDate")))
    years = set(g.objects(None, URIRef("http://www.w3.org/2006/time#inXSDgYear")))
    assert dates == set() and {str(y) for y in years} == {"2000", "2007"}
    mh = describe(store, f"{ID}kommune/05117000")
    assert (URIRef(f"{ID}geometrie/kommune-05117000"), None, None) in mh  # its geometry
    memberships = set(mh.subjects(RDF.type, URIRef("http://www.w3.org/ns/org#Membership")))
    assert {str(m).rsplit("/", 1)[-1] for m in memberships} == {
        "staedteregion-ruhr-05117000",
        "regionalverband-ruhr-05117000",
    }


def test_jsonld_uses_the_published_context(site: Path) -> None:
    import json

    doc = json.loads(page(site, RUHR, ".jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == "../../context.jsonld"
    context = json.loads((site / "context.jsonld").read_text(encoding="utf-8"))
    assert context["@context"]["coop"] == str(COOP)


# ---------------------------------------------------------------- the whole site


def test_no_broken_internal_link(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    checked = 0
    broken: list[str] = []
    for html in pages:
        parsed = parse_html(html)
        for link in parsed.links:
            target, fragment = urldefrag(link)
            if target.startswith(BASE):
                resolved = site / unquote(target[len(BASE) :])
            elif urlparse(target).scheme or target.startswith("//"):
                continue  # external
            elif target == "":
                resolved = html
            else:
                resolved = (html.parent / unquote(target)).resolve()
            checked += 1
            if not resolved.is_file():
                broken.append(f"{html.relative_to(site)}: {link}")
            elif (
                fragment and resolved.suffix == ".html" and fragment not in parse_html(resolved).ids
            ):
                broken.append(f"{html.relative_to(site)}: {link} (no such anchor)")
    assert checked > 5000
    assert not broken, "\n".join(broken[:20])


def test_sitemap_lists_every_page_under_the_base_uri(site: Path) -> None:
    import xml.etree.ElementTree as ET

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = [e.text or "" for e in ET.parse(site / "sitemap.xml").findall("s:url/s:loc", ns)]
    assert all(u.startswith(BASE) for u in urls)
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert {u[len(BASE) :] for u in urls} == pages


def test_dumps_hold_the_whole_graph(site: Path) -> None:
    expected = load(PATHS).graph
    ttl = Graph().parse(site / "dump" / "coopgraph.ttl", format="turtle")
    nt = Graph().parse(data=gzip.decompress((site / "dump" / "coopgraph.nt.gz").read_bytes()),
                       format="nt")  # fmt: skip
    jsonld = Graph().parse(site / "dump" / "coopgraph.jsonld", format="json-ld")
    for g in (ttl, nt, jsonld):
        assert isomorphic(g, expected)


def test_ontology_page_documents_terms_and_schemes(site: Path) -> None:
    html = (site / "def.html").read_text(encoding="utf-8")
    ids = parse_html(site / "def.html").ids
    assert {"Kommune", "Kooperation", "Mitgliedschaft", "rechtsform"} <= ids
    assert "municipality" in html and "Politisch selbständige Gemeinde" in html
    assert "Zweckverband" in html  # a concept of a SKOS scheme
    onto = Graph().parse(site / "def.ttl")
    assert (URIRef("https://w3id.org/coopgraph/def"), None, None) in onto


def test_conneg_snippets_map_every_format(site: Path) -> None:
    apache = (site / ".htaccess").read_text(encoding="utf-8")
    nginx = (site / "conneg" / "nginx.conf").read_text(encoding="utf-8")
    for media, ext in (("text/turtle", ".ttl"), ("application/ld\\+json", ".jsonld"),
                       ("application/n-triples", ".nt")):  # fmt: skip
        assert f"RewriteCond %{{HTTP_ACCEPT}} {media}" in apache
        assert f"RewriteRule ^(.+)$ $1{ext} [L]" in apache
        assert f'"~*{media}"' in nginx


# ---------------------------------------------------------------- DCAT-AP.de and VoID


def _shapes(*files: Path) -> Graph:
    g = Graph()
    for f in files:
        g.parse(f)
    return g


OFFICIAL = sorted((SHAPES / "dcat-ap-de").glob("*.ttl"))
VOCABULARIES = SHAPES / "dcat-ap-de-vocabularies.ttl"


def _violations(data: Graph, shapes: Graph) -> list[str]:
    conforms, _report, text = validate(data, shacl_graph=shapes, allow_warnings=True)
    return [] if conforms else [text]


def test_dcat_ap_de_validates_against_the_official_shapes(site: Path) -> None:
    assert len(OFFICIAL) == 4
    data = Graph().parse(site / "catalog.ttl")
    assert _violations(data, _shapes(*OFFICIAL)) == []
    assert _violations(data, _shapes(VOCABULARIES)) == []
    rdfxml = Graph().parse(site / "catalog.rdf", format="xml")
    assert isomorphic(rdfxml, data)


def test_dcat_ap_de_shapes_catch_a_broken_description(site: Path) -> None:
    data = Graph().parse(site / "catalog.ttl")
    broken = Graph()
    for t in data:
        if t[1] not in (DCTERMS.publisher, DCATDE.licenseAttributionByText):
            broken.add(t)
    dist = next(broken.subjects(RDF.type, DCAT.Distribution))
    broken.set((dist, DCTERMS.license, URIRef("https://example.org/my-licence")))
    assert _violations(broken, _shapes(*OFFICIAL))  # dct:publisher is required
    report = _violations(broken, _shapes(VOCABULARIES))
    assert report and "licenses" in report[0]


def test_dcat_ap_de_content(site: Path) -> None:
    g = Graph().parse(site / "catalog.ttl")
    dataset = next(g.subjects(RDF.type, DCAT.Dataset, unique=True))
    assert set(g.objects(dataset, DCATDE.politicalGeocodingURI)) == {
        URIRef("http://dcat-ap.de/def/politicalGeocoding/stateKey/05")
    }
    assert set(g.objects(dataset, DCATDE.contributorID)) == {URIRef(CONTRIBUTOR)}
    dists = set(g.objects(dataset, DCAT.distribution))
    assert len(dists) == 3
    for dist in dists:
        url = str(g.value(dist, DCAT.downloadURL))
        assert url.startswith(BASE) and (site / url[len(BASE) :]).is_file()
        assert g.value(dist, DCTERMS.license) == URIRef(
            "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
        )
        assert g.value(dist, DCATDE.licenseAttributionByText) == Literal(
            "Quelle: Statistisches Bundesamt (Destatis), Gemeindeverzeichnis GV100AD, "
            "Stand 30.11.2025",
            lang="de",
        )
        assert str(g.value(dist, DCAT.mediaType)).startswith(
            "https://www.iana.org/assignments/media-types/"
        )
    assert g.value(dataset, DCAT.contactPoint) is not None
    assert g.value(dataset, DCTERMS.publisher) is not None


def test_void_counts_and_links(site: Path) -> None:
    g = Graph().parse(site / "void.ttl")
    ds = next(g.subjects(RDF.type, VOID.Dataset))
    assert int(g.value(ds, VOID.triples)) == len(load(PATHS).graph)  # type: ignore[arg-type]
    assert g.value(ds, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    assert URIRef(RUHR) in set(g.objects(ds, VOID.exampleResource))
    dumps = {str(u) for u in g.objects(ds, VOID.dataDump)}
    assert len(dumps) == 3 and all((site / u[len(BASE) :]).is_file() for u in dumps)
    kommunen = [
        int(g.value(p, VOID.entities))  # type: ignore[arg-type]
        for p in g.objects(ds, VOID.classPartition)
        if g.value(p, VOID["class"]) == URIRef(f"{COOP}Kommune")
    ]
    assert kommunen == [len(list((site / "id" / "kommune").glob("*.html")))]


# ---------------------------------------------------------------- atomic output


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_a_bad_input_file_leaves_the_existing_site_untouched(tmp_path: Path, cli) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("the old site")
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;\n  oops\n")
    before = _snapshot(out)
    run = cli("publish", str(out), str(bad))
    assert run.code == 2
    assert run.err.startswith("coopgraph: error: ") and "bad.ttl:3" in run.err
    assert "Traceback" not in run.err
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.ttl", "site"]


def test_a_failure_midway_leaves_the_existing_site_untouched(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("the old site")
    before = _snapshot(out)
    # Valid RDF, but one resource's key is too long for a file name: writing its page fails
    # after other pages of the site have been written.
    data = tmp_path / "long.ttl"
    slug = "z" + "x" * 300
    data.write_text(
        "@prefix coop: <https://w3id.org/coopgraph/def#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f"<https://w3id.org/coopgraph/id/kooperation/{slug}> a coop:Kooperation ;\n"
        '  rdfs:label "Zu lang" ;\n'
        "  <http://www.w3.org/ns/org#hasMember> <https://w3id.org/coopgraph/id/kommune/05515000>"
        " .\n"
    )
    with pytest.raises(CoopgraphError, match="cannot write id/kooperation/zxxx"):
        publish(out, BASE, [data])
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.ttl", "site"]


def test_publish_replaces_an_existing_site_when_complete(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "stale.html").write_text("old")
    result = publish(out, BASE, [SEEDS / "staedteregion-ruhr.ttl"])
    assert not (out / "stale.html").exists()
    assert (out / "index.html").is_file() and result.pages > 20
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file of a site: (inode, mtime in ns)."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_republish_replaces_only_the_files_that_changed(tmp_path: Path) -> None:
    ruhr, muenster = tmp_path / "ruhr.ttl", tmp_path / "muenster.ttl"
    ruhr.write_bytes((SEEDS / "staedteregion-ruhr.ttl").read_bytes())
    muenster.write_bytes((SEEDS / "stadtregion-muenster.ttl").read_bytes())
    out = tmp_path / "site"
    first = publish(out, BASE, [ruhr, muenster], jobs=2)
    before = _files(out)
    assert first.unchanged == 0 and len(before) == first.files

    same = publish(out, BASE, [ruhr, muenster], jobs=2)
    assert same.files == first.files and same.unchanged >= same.files - 3
    rewritten = {p for p, v in _files(out).items() if before[p] != v}
    assert rewritten <= {"catalog.ttl", "catalog.rdf", "void.ttl"}  # blank nodes, today's date

    ruhr.write_text(ruhr.read_text().replace('"Städteregion Ruhr"', '"Städteregion Ruhr (neu)"'))
    changed = publish(out, BASE, [ruhr, muenster], jobs=2)
    after = _files(out)
    page = "id/kooperation/staedteregion-ruhr.html"
    assert after[page] != before[page] and "Städteregion Ruhr (neu)" in (out / page).read_text()
    other = "id/kooperation/stadtregion-muenster.html"
    assert after[other] == before[other]  # the same file: not rewritten
    assert 0 < changed.unchanged < changed.files

    publish(out, BASE, [ruhr], jobs=2)  # Münster's resources are gone, so are their files
    assert not (out / other).exists() and not (out / other.replace(".html", ".ttl")).exists()
    assert (out / page).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["muenster.ttl", "ruhr.ttl", "site"]


def test_worker_processes_write_the_same_site_as_one_process(tmp_path: Path) -> None:
    one = publish(tmp_path / "one", BASE, PATHS, jobs=1)
    two = publish(tmp_path / "two", BASE, PATHS, jobs=2)
    assert (one.files, one.bytes, one.pages) == (two.files, two.bytes, two.pages)
    a, b = _snapshot(tmp_path / "one"), _snapshot(tmp_path / "two")
    descriptions = {"catalog.ttl", "catalog.rdf", "void.ttl"}
    assert a.keys() == b.keys()
    assert [p for p in a if p not in descriptions and a[p] != b[p]] == []


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n")
    with pytest.raises(RdfSyntaxError):
        publish(tmp_path / "site", BASE, [bad])
    assert not (tmp_path / "site").exists()


# ---------------------------------------------------------------- a real browser


def test_kooperation_page_in_headless_chromium(site: Path) -> None:
    """Chromium renders the page from disk (no network): member names and the SVG map with one
    marker per member are in the rendered DOM; the screenshot is kept in tests/artifacts/."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-test-deps.sh (apt: chromium)")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "staedteregion-ruhr.png"
    shot.unlink(missing_ok=True)
    url = page(site, RUHR).resolve().as_uri()
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--hide-scrollbars", "--window-size=1200,2400",
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as profile:
        common = [CHROMIUM, *flags, f"--user-data-dir={profile}"]
        dom = subprocess.run(
            [*common, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
        ).stdout
        subprocess.run(
            [*common, f"--screenshot={shot}", url], capture_output=True, timeout=120, check=True
        )
    parsed = parse_html_text(dom)
    text = " ".join(parsed.text)
    for name in ("Mülheim an der Ruhr", "Bochum", "Dortmund", "Hamm", "Hagen"):
        assert name in text
    svg = dom[dom.index('<svg id="map"') : dom.index("</svg>")]
    assert svg.count("<circle") == 11
    assert svg.count('<g class="marker"') == 11
    assert "Mülheim an der Ruhr</text>" in svg
    assert shot.is_file() and shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


def parse_html_text(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def test_publish_what_a_store_on_disk_holds(tmp_path: Path, cli) -> None:
    disk = tmp_path / "store"
    store = ox.Store(str(disk))
    store.bulk_load(path=str(SEEDS / "staedteregion-ruhr.ttl"), format=ox.RdfFormat.TURTLE)
    store.flush()
    del store
    out = tmp_path / "site"
    run = cli("publish", str(out), "--store", f"oxigraph:{disk}", "--format", "json")
    assert run.code == 0, run.err
    assert (out / "id" / "kooperation" / "staedteregion-ruhr.html").is_file()
    assert (out / "def" / "Kooperation.html").is_file()  # the ontology is always published
    assert not (out / "id" / "kooperation" / "stadtregion-muenster.html").exists()


def test_contributor_id_must_come_from_the_dcat_ap_de_list(tmp_path: Path, cli) -> None:
    run = cli("publish", str(tmp_path / "site"), str(PATHS[0]), "--contributor-id", "acme")
    assert run.code == 2 and "--contributor-id" in run.err
    assert not (tmp_path / "site").exists()


NGINX = "/usr/sbin/nginx"


@contextmanager
def running_nginx(site: Path, work: Path, user: str | None = None) -> Iterator[str]:
    """A real nginx serving ``site`` at /coopgraph/ with the published conneg/nginx.conf (root
    and port set); its workers run as ``user`` if given (nginx started as root switches)."""
    import socket
    import time

    from .conftest import free_port

    if not Path(NGINX).is_file():
        pytest.fail(f"{NGINX} is missing: run scripts/install-test-deps.sh (apt: nginx-light)")
    root = work / "www"
    root.mkdir()
    (root / "coopgraph").symlink_to(site)  # the base URI's path, /coopgraph/
    root.chmod(0o755)
    port = free_port()
    snippet = (site / "conneg" / "nginx.conf").read_text(encoding="utf-8")
    assert "listen 80;" in snippet and "root /var/www/html;" in snippet
    snippet = snippet.replace("listen 80;", f"listen 127.0.0.1:{port};")
    snippet = snippet.replace("root /var/www/html;", f"root {root};")
    (work / "coopgraph.conf").write_text(snippet, encoding="utf-8")
    temps = " ".join(
        f"{kind}_temp_path {work}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    process = f"user {user}; worker_processes 1;" if user else "master_process off;"
    (work / "nginx.conf").write_text(
        f"daemon off; {process} pid {work}/nginx.pid; error_log {work}/error.log;\n"
        f"events {{}}\nhttp {{ access_log off; {temps} include {work}/coopgraph.conf; }}\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [NGINX, "-c", str(work / "nginx.conf"), "-p", str(work)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"nginx did not start: {proc.stderr.read() if proc.stderr else ''}")
            time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/coopgraph/"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def nginx(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_nginx(site, tmp_path_factory.mktemp("nginx")) as url:
        yield url


@pytest.mark.parametrize(
    ("accept", "media", "ext"),
    [
        ("text/turtle", "text/turtle", ".ttl"),
        ("application/ld+json", "application/ld+json", ".jsonld"),
        ("application/n-triples", "application/n-triples", ".nt"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "text/html", ".html"),
    ],
)
def test_nginx_negotiates_the_published_formats(
    nginx: str, site: Path, accept: str, media: str, ext: str
) -> None:
    import urllib.request

    for local in ("id/kooperation/staedteregion-ruhr", "id/kommune/05117000", "def"):
        request = urllib.request.Request(nginx + local, headers={"Accept": accept})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers.get_content_type() == media
            assert "Accept" in response.headers.get("Vary", "")
            assert response.read() == (site / (local + ext)).read_bytes()


def test_describe_answers_the_same_on_the_rdflib_store(store: OxigraphStore) -> None:
    from coopgraph.store.memory import MemoryStore

    memory = MemoryStore(load(PATHS).graph)
    for iri in (RUHR, f"{ID}kommune/05117000", f"{COOP}Kommune", f"{ID}kreis/05558"):
        assert isomorphic(describe(memory, iri), describe(store, iri)), iri


def test_a_beginning_known_to_the_month_is_shown_as_a_month(tmp_path: Path) -> None:
    """ILE Würzburger Norden: its members since April 2015 (only the month is known)."""
    out = tmp_path / "site"
    publish(out, BASE, [SEEDS / "ile-wuerzburger-norden.ttl"])
    html = (out / "id" / "kooperation" / "ile-wuerzburger-norden.html").read_text(encoding="utf-8")
    assert (
        '<time datetime="2015-04">04/2015</time><div class="note">nur der Monat ist bekannt' in html
    )


def test_serve_and_catalog_do_not_import_the_static_publisher() -> None:
    """The LOD layer (coopgraph.lod) is what serve shares with publish; serve and catalog never
    load the site writer."""
    import sys

    code = (
        "import sys, coopgraph.serve, coopgraph.catalog, coopgraph.lod\n"
        "print('coopgraph.publish' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


def _worker_users(master_pid: int) -> set[str]:
    """Owners of the worker processes of an nginx master (from /proc)."""
    import pwd

    users = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if int(fields.get("PPid", "0")) == master_pid:
            users.add(pwd.getpwuid(int(fields["Uid"].split()[0])).pw_name)
    return users


@pytest.mark.skipif(os.geteuid() != 0, reason="nginx switches its workers' user only as root")
def test_nginx_as_an_unprivileged_user_serves_pages_and_dumps() -> None:
    """A site published under the usual umask 022 is readable by a web server that runs as
    nobody: folders 0755, files 0644 (not the 0700 of a temporary folder)."""
    import urllib.request

    www = Path(tempfile.mkdtemp(prefix="coopgraph-www-"))  # /tmp: world-traversable parents
    try:
        www.chmod(0o755)  # where a web server's files live, like /var/www
        umask = os.umask(0o022)
        try:
            publish(www / "site", BASE, PATHS[:1])
        finally:
            os.umask(umask)
        work = www / "nginx"  # its document root must be reachable for nobody too
        work.mkdir(mode=0o755)
        import grp
        import pwd

        group = grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name
        with running_nginx(www / "site", work, user=f"nobody {group}") as url:
            master = int((work / "nginx.pid").read_text())
            assert _worker_users(master) == {"nobody"}
            for local in ("index.html", "id/kooperation/staedteregion-ruhr", "def.html",
                          "dump/coopgraph.ttl", "dump/coopgraph.nt.gz", "catalog.ttl",
                          "id/kommune/05117000.jsonld"):  # fmt: skip
                with urllib.request.urlopen(url + local, timeout=10) as response:
                    assert response.status == 200, local
                    assert len(response.read()) > 100, local
    finally:
        shutil.rmtree(www, ignore_errors=True)
