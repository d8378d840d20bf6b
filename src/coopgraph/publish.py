"""``coopgraph publish``: the graph as a static linked-open-data site.

:func:`publish` writes the whole site (pages, per-resource Turtle / JSON-LD / N-Triples, dumps,
DCAT-AP.de and VoID descriptions, ontology documentation, sitemap, content-negotiation
snippets) into a temporary sibling folder and swaps it into place only when it is complete.
What a page or a document holds comes from the LOD layer (:mod:`coopgraph.lod`), shared with
``coopgraph serve``.
"""

from __future__ import annotations

import datetime as dt
import gc
import gzip
import json
import multiprocessing
import os
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox

from . import resources
from .catalog import Publisher, SiteSummary, descriptions
from .directory import Directory
from .directory import build as build_directory
from .errors import CoopgraphError, InputError
from .loader import parse_file
from .lod.documents import JsonLdWriter, jsonld_context, serialize
from .lod.graph import GraphView, description_triples, ontology_triples
from .lod.paths import DEFAULT_BASE, DUMPS, RDF_FILES, Linker, kind_of, path_for, slash
from .lod.render import environment, render_ontology, render_page, render_site_page
from .lod.terms import ONTOLOGY_IRI
from .store import Store
from .store.loaded import load
from .store.oxigraph import OxigraphStore, to_oxigraph

CONTRIBUTORS = "http://dcat-ap.de/def/contributors/"
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


@dataclass
class PublishResult:
    """What a publish wrote, and how long it took."""

    outdir: Path
    triples: int = 0
    pages: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    kinds: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0  # files the same as in the site replaced (kept, not rewritten)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outdir": str(self.outdir),
            "triples": self.triples,
            "pages": self.pages,
            "files": self.files,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 2),
            "kinds": self.kinds,
            "unchanged": self.unchanged,
        }


def _load_view(paths: Sequence[str | Path] | None, store: Store | None = None) -> GraphView:
    """Ontology, vocabularies and the data of the workspace; or the given files and the bundled
    resources they refer to; or what a store holds (with the ontology and vocabularies).

    The triples are indexed in a stable order (an Oxigraph store's, or sorted), so the same graph
    gives the same files byte for byte and a re-publish can keep the files that did not change.
    """
    if paths or store is not None:
        triples: list[ox.Triple] = []
        if paths:
            graph = load(paths).graph
        else:
            assert store is not None
            triples = [t for path in resources.ontology_files() for t in parse_file(path)]
            graph = store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        triples += (ox.Triple(*map(to_oxigraph, t)) for t in graph)  # type: ignore[arg-type]
        triples.sort(key=str)
        return GraphView.from_triples(triples)
    ox_store = ox.Store()
    OxigraphStore(ox_store).load([*resources.ontology_files(), *resources.data_files()])
    return GraphView.from_triples((q.triple for q in ox_store), distinct=True)


class SiteWriter:
    """Writes the files of one site into a folder (the temporary one, before the swap).

    A file whose bytes equal those at the same path of the ``previous`` site (the one being
    replaced) is hard-linked to it instead of written: it stays the same file, with its mtime,
    so a re-publish changes only what changed (and a web server's caches stay valid).
    """

    def __init__(
        self,
        root: Path,
        view: GraphView,
        base_uri: str,
        lang: str,
        publisher: Publisher,
        previous: Path | None = None,
    ) -> None:
        self.root = str(root)
        self.previous = str(previous) if previous is not None else None
        self.publisher = publisher
        self.sizes: dict[str, int] = {}
        self.view = view
        self.base_uri = base_uri
        self.lang = lang
        self.files = 0
        self.bytes = 0
        self.kept = 0  # files linked to the previous site's, unchanged
        self.context = jsonld_context()
        self.jsonld = JsonLdWriter(self.context)
        self.pages: dict[str, str] = {}  # IRI -> site path
        for s in view.out:
            if isinstance(s, ox.NamedNode) and s.value != ONTOLOGY_IRI:
                path = path_for(s.value)
                if path is not None:
                    self.pages[s.value] = path
        self.directory = build_directory(view)

    def has_page(self, iri: str) -> bool:
        return iri in self.pages or iri == ONTOLOGY_IRI

    def linker(self, page: str | None) -> Linker:
        return Linker(self.base_uri, page=page, suffix=".html", has_page=self.has_page)

    def write(self, rel: str, data: bytes | str, *, iri: str | None = None) -> None:
        blob = data.encode("utf-8") if isinstance(data, str) else data
        target = os.path.join(self.root, rel)
        try:
            if not (self.previous and self._keep(rel, blob, target)):
                try:
                    fd = os.open(target, _CREATE, 0o666)
                except FileNotFoundError:  # its folder does not exist yet: made once, here
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    fd = os.open(target, _CREATE, 0o666)
                try:
                    view = memoryview(blob)
                    while view:
                        view = view[os.write(fd, view) :]
                finally:
                    os.close(fd)
        except OSError as exc:
            what = f" (for {iri})" if iri else ""
            raise CoopgraphError(f"cannot write {rel}{what}: {exc.strerror}") from exc
        self.files += 1
        self.bytes += len(blob)
        if rel.startswith("dump/"):
            self.sizes[rel] = len(blob)

    def _keep(self, rel: str, blob: bytes, target: str) -> bool:
        """Link ``target`` to the previous site's file at ``rel`` if that holds ``blob``."""
        old = os.path.join(self.previous or "", rel)
        try:
            with open(old, "rb", buffering=0) as f:
                if os.fstat(f.fileno()).st_size != len(blob) or f.read() != blob:
                    return False
        except OSError:
            return False
        try:
            os.link(old, target)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.link(old, target)
        except OSError:  # a file system without hard links: write it
            return False
        self.kept += 1
        return True

    def context_ref(self, page: str) -> str:
        return "../" * page.count("/") + "context.jsonld"

    def rdf_files(self, path: str, triples: list[ox.Triple], iri: str) -> None:
        self.write(path + ".ttl", serialize(triples, ox.RdfFormat.TURTLE), iri=iri)
        self.write(path + ".nt", serialize(triples, ox.RdfFormat.N_TRIPLES), iri=iri)
        doc = self.jsonld.document(triples, self.context_ref(path))
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        self.write(path + ".jsonld", text, iri=iri)

    def resource(self, iri: str, path: str) -> None:
        linker = self.linker(path)
        html = render_page(self.view, iri, self.lang, linker, linker.site_href("style.css"),
                           directory=self.directory, site_files=True)  # fmt: skip
        self.write(path + ".html", html, iri=iri)
        self.rdf_files(path, description_triples(self.view, ox.NamedNode(iri)), iri)

    def kind_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for iri in self.pages:
            counts[kind_of(iri)] += 1
        return dict(sorted(counts.items()))


def write_dumps(writer: SiteWriter) -> None:
    """The whole graph as Turtle, gzipped N-Triples and JSON-LD."""
    triples = sorted(writer.view.triples(), key=lambda t: (str(t.subject), str(t.predicate)))
    writer.write("dump/coopgraph.ttl", serialize(triples, ox.RdfFormat.TURTLE))
    nt = serialize(triples, ox.RdfFormat.N_TRIPLES)
    writer.write("dump/coopgraph.nt.gz", gzip.compress(nt, compresslevel=6, mtime=0))
    doc = writer.jsonld.document(triples, "../context.jsonld")
    writer.write("dump/coopgraph.jsonld", json.dumps(doc, ensure_ascii=False))


def write_sitemap(writer: SiteWriter) -> None:
    """sitemap.xml (split into a sitemap index past 50,000 addresses, the protocol's limit)."""
    urls = [writer.base_uri + page for page in SITE_PAGES]
    urls += [writer.base_uri + path + ".html" for path in sorted(writer.pages.values())]
    env = environment()
    chunks = [urls[i : i + 50000] for i in range(0, len(urls), 50000)]
    if len(chunks) == 1:
        writer.write("sitemap.xml", env.get_template("sitemap.xml").render(urls=chunks[0]))
        return
    names = []
    for n, chunk in enumerate(chunks, 1):
        names.append(f"sitemap-{n}.xml")
        writer.write(names[-1], env.get_template("sitemap.xml").render(urls=chunk))
    index = [writer.base_uri + name for name in names]
    writer.write("sitemap.xml", env.get_template("sitemap-index.xml").render(urls=index))


def write_conneg(writer: SiteWriter) -> None:
    """Content negotiation for the site's extensionless IRIs: Apache (.htaccess) and nginx."""
    env = environment()
    types = {ext: media for ext, (_label, media) in RDF_FILES.items()}
    writer.write(".htaccess", env.get_template("htaccess").render(types=types))
    where = urlsplit(writer.base_uri)
    nginx = env.get_template("nginx.conf").render(
        types=types, location=where.path or "/", host=where.hostname or "_"
    )
    writer.write("conneg/nginx.conf", nginx)


STATIC_ASSETS = ("style.css", "facets.js", "search.js", "laender.svg")
# the site's own pages besides the resources: page name -> file
SITE_PAGES = {"index.html": "index", "def.html": "def", "search.html": "search",
              "id/kooperation/index.html": "kooperationen",
              "gemeindeverbaende.html": "gemeindeverbaende"}  # fmt: skip


def search_index_js(directory: Directory, lang: str) -> str:
    """The directory as the static search page loads it: a script, so it works from disk too
    (browsers refuse fetch() on file:// URLs)."""
    data = json.dumps(directory.search_records(lang), ensure_ascii=False, separators=(",", ":"))
    return f"window.coopgraphIndex={data};\n"


def write_extras(writer: SiteWriter, say: Callable[[str], None]) -> None:
    """Everything besides the per-resource files: context, dumps, ontology, index, browse and
    search pages, search index, sitemap."""
    writer.write("context.jsonld", json.dumps(writer.context, ensure_ascii=False, indent=1) + "\n")
    for asset in STATIC_ASSETS:
        writer.write(asset, (resources.templates_dir() / asset).read_bytes())
    say("writing the dumps")
    write_dumps(writer)
    say("writing the ontology documentation, index, browse and search pages, sitemap")
    linker = writer.linker("def.html")
    html = render_ontology(writer.view, writer.lang, linker, site_files=True,
                           stylesheet=linker.site_href("style.css"))  # fmt: skip
    writer.write("def.html", html)
    writer.rdf_files("def", ontology_triples(writer.view), ONTOLOGY_IRI)
    downloads = [{"href": k, "label": v[0], "type": v[1]} for k, v in DUMPS.items()]
    for page, name in SITE_PAGES.items():
        if name == "def":
            continue
        linker = writer.linker(page)
        html = render_site_page(
            name, writer.directory, writer.lang, linker, site_files=True,
            stylesheet=linker.site_href("style.css"), downloads=downloads, results=None,
            query="", kind="", triples=len(writer.view),
        )  # fmt: skip
        writer.write(page, html)
    writer.write("search-index.js", search_index_js(writer.directory, writer.lang))
    write_sitemap(writer)
    write_conneg(writer)


CHUNK = 250  # resources per task of a worker process


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_WORKER_SITE: SiteWriter | None = None  # what a worker process writes (inherited at the fork)


def _write_chunk(chunk: list[tuple[str, str]]) -> tuple[int, int, int, str | None]:
    """In a worker: write the files of some resources; the counts written, or the error."""
    writer = _WORKER_SITE
    assert writer is not None
    files, size, kept = writer.files, writer.bytes, writer.kept
    try:
        for iri, path in chunk:
            writer.resource(iri, path)
    except CoopgraphError as exc:
        return 0, 0, 0, str(exc)
    return writer.files - files, writer.bytes - size, writer.kept - kept, None


def write_resources(
    writer: SiteWriter, jobs: int, say: Callable[[str], None], meanwhile: Callable[[], None]
) -> None:
    """Every resource's page and documents, by ``jobs`` worker processes (forked: they share
    the indexed graph), while this process runs ``meanwhile`` (the site's other files)."""
    global _WORKER_SITE
    items = sorted(writer.pages.items(), key=lambda kv: kv[1])
    say(f"writing {len(items)} resources" + (f" with {jobs} processes" if jobs > 1 else ""))
    if jobs <= 1 or len(items) <= CHUNK or "fork" not in multiprocessing.get_all_start_methods():
        for iri, path in items:
            writer.resource(iri, path)
        meanwhile()
        return
    environment().get_template("resource.html")  # compiled once, before the fork
    chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
    _WORKER_SITE = writer
    gc.freeze()  # the graph's objects stay shared with the workers (no copy on write by gc)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.imap_unordered(_write_chunk, chunks)
            meanwhile()
            for done, (files, size, kept, error) in enumerate(results, 1):
                if error is not None:
                    raise CoopgraphError(error)
                writer.files += files
                writer.bytes += size
                writer.kept += kept
                if done % 40 == 0:
                    say(f"{min(done * CHUNK, len(items))} of {len(items)} resources written")
    finally:
        _WORKER_SITE = None
        gc.unfreeze()


def _swap_into_place(tmp: Path, outdir: Path) -> None:
    """Move a finished site into ``outdir``; an existing ``outdir`` is replaced only now."""
    if outdir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.old-", dir=outdir.parent))
        os.replace(outdir, old / outdir.name)
        try:
            os.replace(tmp, outdir)
        except OSError:
            os.replace(old / outdir.name, outdir)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, outdir)


def publish(
    outdir: str | Path,
    base_uri: str = DEFAULT_BASE,
    paths: Sequence[str | Path] | None = None,
    *,
    lang: str = "de",
    publisher: Publisher | None = None,
    store: Store | None = None,
    progress: Callable[[str], None] | None = None,
    jobs: int | None = None,
) -> PublishResult:
    """Publish the graph (bundled data, or ``paths`` with what they refer to, or what ``store``
    holds) as a static site.

    Built in a temporary sibling of ``outdir`` and moved into place when complete: a failed
    publish leaves no partial site and an existing ``outdir`` untouched. Files that are the same
    as in the existing ``outdir`` stay the same files (their mtime kept). Pages are rendered by
    ``jobs`` processes (default: one per available core).
    """
    if lang not in ("de", "en"):
        raise InputError(f"unknown language {lang!r}: use de or en", field="lang")
    started = time.perf_counter()
    outdir = Path(outdir)
    base_uri = slash(base_uri)
    if not base_uri.startswith(("http://", "https://")):
        raise InputError(f"not an http(s) URI: {base_uri!r}", field="--base-uri")
    if outdir.exists() and not outdir.is_dir():
        raise InputError("exists and is not a folder", file=outdir)
    say = progress or (lambda _msg: None)
    say("loading the graph")
    if (
        publisher
        and publisher.contributor_id
        and not publisher.contributor_id.startswith(CONTRIBUTORS)
    ):
        raise InputError(f"not an IRI under {CONTRIBUTORS}", field="--contributor-id")
    view = _load_view(paths, store)
    outdir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.tmp-", dir=outdir.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it 0700: a web server must read the site
    try:
        previous = outdir if outdir.is_dir() else None
        writer = SiteWriter(tmp, view, base_uri, lang, publisher or Publisher(), previous)
        write_resources(writer, jobs or available_cores(), say, lambda: write_extras(writer, say))
        site = SiteSummary.of(view, base_uri, writer.pages, writer.sizes)
        for rel, text in descriptions(site, writer.publisher, dt.date.today()).items():
            writer.write(rel, text)
        result = PublishResult(
            outdir=outdir,
            triples=len(view),
            pages=len(writer.pages),
            files=writer.files,
            bytes=writer.bytes,
            kinds=writer.kind_counts(),
            unchanged=writer.kept,
        )
        say("moving the site into place")
        _swap_into_place(tmp, outdir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    result.seconds = time.perf_counter() - started
    return result


__all__ = ["PublishResult", "publish"]
