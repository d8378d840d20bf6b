"""``coopgraph serve``: the resource pages with content negotiation, a read-only SPARQL endpoint
and the saved queries, over HTTP.

- ``/id/…``, ``/def``, ``/vocab/…`` answer for the IRIs ``https://w3id.org/coopgraph/…``: the
  description ``lod.describe`` gives (the same triples as the static site) as Turtle,
  JSON-LD, N-Triples or RDF/XML, or the HTML page of ``lod.render_html``, chosen by
  ``Accept`` (or a ``.ttl``/``.jsonld``/``.nt``/``.rdf``/``.html`` suffix) and, for HTML,
  ``Accept-Language`` (German unless English is preferred).
- ``/sparql`` is a SPARQL 1.1 Protocol query endpoint (GET, POST form, POST
  ``application/sparql-query``). Each query runs in a worker process with a deadline: a query
  past ``--query-timeout`` is stopped (its worker killed and replaced) and answered 503. At most
  ``--result-limit`` rows (or triples) are returned; a cut result carries the header
  ``Coopgraph-Truncated: true``. Updates are refused (403) before they reach the store, which
  is opened read-only besides.
- ``/queries`` lists the saved queries, each with a form; parameters are bound as RDF terms.

The web layer is a WSGI application (Werkzeug) served by waitress; any WSGI server can host
``App`` as well.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import multiprocessing
import os
import pickle
import queue
import resource
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import NotFound
from werkzeug.utils import send_from_directory
from werkzeug.wrappers import Request, Response

from . import directory, lod, queries, query_guard, resources, results
from .directory import KINDS, Directory
from .errors import CoopgraphError, InputError, StoreError
from .hrefs import safe_href
from .loader import parse_file, to_rdflib
from .namespaces import BASE, PREFIXES
from .results import NotAcceptable, Serialized
from .store import SelectResult, Store, open_store
from .store.cache import CompiledStore
from .store.generations import resolve
from .store.oxigraph import OxigraphStore

LANGS = ("de", "en")
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_RESULT_LIMIT = 10_000
DEFAULT_WORKERS = 2
CONNECTION_LIMIT = 1000
CHANNEL_TIMEOUT_S = 30
DEFAULT_WORKER_MEMORY_MB = 2048  # what one query may add to a worker's memory
DEFAULT_WAITING = 8  # queries waiting for a busy worker; more are answered 503 at once
WORKER_NICE = 5  # the general lane's workers yield the CPU to pages and quick queries
QUICK_S = 0.25  # a query whose last run took at most this much CPU goes to the quick lane
PR_SET_PDEATHSIG = 1  # Linux prctl(2): a signal for a child when the thread that made it ends

# media type -> rdflib serializer, for resource descriptions and CONSTRUCT/DESCRIBE results;
# the order is the server's preference when a client accepts several equally.
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
GRAPH_ALIASES = {"application/json": "application/ld+json", "text/plain": "application/n-triples",
                 "application/x-turtle": "text/turtle"}  # fmt: skip
SUFFIXES = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples",
            ".rdf": "application/rdf+xml", ".html": "text/html"}  # fmt: skip
# media types of SELECT and ASK results (SPARQL 1.1 Query Results formats) and of CONSTRUCT and
# DESCRIBE results, each written by the engine (``results``)
RESULT_TYPES = list(results.RESULT_MEDIA)
QUERY_GRAPH_TYPES = list(results.GRAPH_MEDIA)
RESULT_ALIASES = {"application/json": "application/sparql-results+json",
                  "application/xml": "application/sparql-results+xml",
                  "text/xml": "application/sparql-results+xml"}  # fmt: skip


class HttpError(Exception):
    """An answer other than 200, with a message for the client."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


# ---------------------------------------------------------------- stores


# what a client accepts: the media type for SELECT/ASK results and for graph results (None:
# none of that kind), decided before the query's form is known
Wire = tuple[str | None, str | None]


@dataclass(frozen=True)
class Outcome:
    """What a query gave, cut at the result limit."""

    form: str
    select: SelectResult | None = None
    boolean: bool | None = None
    graph: Graph | None = None
    truncated: bool = False


class ServedOxigraph(OxigraphStore):
    """An embedded oxigraph store as the server holds it (bundled data in memory, or a folder
    opened read-only), whose query results can be read lazily up to the result limit."""

    def __init__(
        self, raw: ox.Store, *, read_only: bool, link: Path | None = None,
        generation: Path | None = None,
    ) -> None:  # fmt: skip
        super().__init__(raw)
        self.read_only = read_only
        self.link, self.generation = link, generation
        self._switching = threading.Lock()

    def _follow(self) -> None:
        """After a ``coopgraph load`` switched ``link`` to a new generation, answer from that
        one: reopen (read-only) before the next query. Queries running on the old generation
        finish on it (a load keeps the generation before its own)."""
        if self.link is None:
            return
        try:
            now = resolve(self.link)
        except StoreError:
            return  # never a half-built generation; keep the one we have
        if now is None or now == self.generation:
            return
        with self._switching:
            if now != self.generation:
                self._open = ox.Store.read_only(str(now))
                self.generation = now

    def _query(
        self, query: str, bindings: Mapping[str, Node] | None
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        self._follow()
        return super()._query(query, bindings)

    def first(self, text: str, bindings: Mapping[str, Node] | None, limit: int) -> Outcome:
        """Run a query and keep at most ``limit`` rows or triples, reading no further."""
        result = self._query(text, bindings)  # the store's binding and error handling
        if isinstance(result, ox.QueryBoolean):
            return Outcome("ASK", boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            variables = tuple(v.value for v in result.variables)
            rows = [
                tuple(None if (t := s[v]) is None else to_rdflib(t) for v in variables)
                for s in islice(result, limit + 1)
            ]
            select = SelectResult(variables, tuple(rows[:limit]))
            return Outcome("SELECT", select=select, truncated=len(rows) > limit)
        triples = list(islice(result, limit + 1))
        graph = Graph()
        for t in triples[:limit]:
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return Outcome("CONSTRUCT", graph=graph, truncated=len(triples) > limit)

    def serialized(
        self, text: str, bindings: Mapping[str, Node] | None, wire: Wire, limit: int
    ) -> Serialized:
        """Run a query and have the engine write its answer (``wire``: the media types accepted
        for SELECT/ASK and for graph results), at most ``limit`` rows or triples."""
        return results.serialize(
            self._query(text, bindings), result_media=wire[0], graph_media=wire[1], limit=limit
        )

    def triples(self, text: str) -> Iterable[ox.Triple]:
        """A CONSTRUCT query's triples as pyoxigraph terms (no conversion: the directory)."""
        result = self._query(text, None)
        assert isinstance(result, ox.QueryTriples)
        return result

    @property
    def spec(self) -> str:
        """The ``--store`` value that opens this store again (in a query worker)."""
        where = self.link or self.generation
        return "oxigraph" if where is None else f"oxigraph:{where}"

    def close(self) -> None:
        if not self.read_only:
            super().close()


def open_read_only(spec: str) -> Store:
    """The store for serving: ``oxigraph`` is the workspace's compiled store (brought up to date
    first), ``oxigraph:DIR`` a folder; both opened read-only (several processes share it, nothing
    can change it); other specs as ``open_store``."""
    name, _, arg = spec.partition(":")
    if name != "oxigraph":
        return open_store(spec)
    if not arg:
        compiled = CompiledStore()
        return ServedOxigraph(compiled.open(), read_only=True, generation=compiled.location)
    location = resolve(Path(arg))  # the generation the path points to, now
    if location is None:
        raise StoreError("no such store folder", file=arg)
    try:
        raw = ox.Store.read_only(str(location))
        return ServedOxigraph(raw, read_only=True, link=Path(arg), generation=location)
    except OSError as exc:
        raise StoreError(f"cannot open the store read-only: {exc}", file=arg) from exc


# ---------------------------------------------------------------- query workers


class QueryTimeout(CoopgraphError):
    """A query ran past the deadline and was stopped."""


class PoolBusy(CoopgraphError):
    """No query worker became free in time."""


class QueryTooHeavy(CoopgraphError):
    """A query needed more memory than a worker may use (or its worker ended under it)."""


def _evaluate(
    store: Store, text: str, form: str | None, bindings: Mapping[str, Node] | None, limit: int
) -> Outcome:
    """Run a query; ``form`` None for an ad-hoc query, which is parsed here, in the worker,
    under the deadline (Oxigraph learns the form as it parses)."""
    if isinstance(store, ServedOxigraph):
        return store.first(text, bindings, limit)
    form = form or queries.adhoc(text).form
    result = queries.execute(store, text, form, bindings)
    if result.select is not None:
        rows = result.select.rows
        return Outcome(
            form, select=SelectResult(result.select.variables, rows[:limit]),
            truncated=len(rows) > limit,
        )  # fmt: skip
    if result.boolean is not None:
        return Outcome(form, boolean=result.boolean)
    assert result.graph is not None
    if len(result.graph) <= limit:
        return Outcome(form, graph=result.graph)
    cut = Graph()
    for triple in islice(result.graph, limit):
        cut.add(triple)
    return Outcome(form, graph=cut, truncated=True)


def _answer(
    store: Store, text: str, form: str | None, bindings: Mapping[str, Node] | None, wire: Wire,
    limit: int,
) -> Serialized:  # fmt: skip
    """Run a query and write its answer with the engine's writers, in the worker: an embedded
    store's result as it comes, another backend's rows handed to the same writers."""
    if isinstance(store, ServedOxigraph):
        return store.serialized(text, bindings, wire, limit)
    outcome = _evaluate(store, text, form, bindings, limit)
    raw: ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Triple]
    if outcome.select is not None:
        raw = results.solutions(outcome.select)
    elif outcome.boolean is not None:
        raw = results.boolean(outcome.boolean)
    else:
        assert outcome.graph is not None
        raw = results.graph_triples(outcome.graph)
    answer = results.serialize(raw, result_media=wire[0], graph_media=wire[1], limit=limit)  # type: ignore[arg-type]
    if outcome.truncated:
        answer = Serialized(answer.form, answer.media, answer.body, truncated=True)
    return answer


def _end_with_parent() -> None:
    """Have Linux kill this worker when the thread that started it ends (the server's main
    thread or the pool's respawn thread), even mid-query: the engine holds the GIL while it
    evaluates, so no Python watchdog could run then."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _cap_memory(extra_mb: int) -> None:
    """Let this process grow by at most ``extra_mb`` beyond its present address space (the store
    it holds): a query that needs more fails here, in its worker, not on the whole machine."""
    if extra_mb <= 0 or sys.platform != "linux":
        return
    with open("/proc/self/statm", encoding="ascii") as f:
        present = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    cap = present + extra_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _worker_main(spec: str, conn: Connection, limit: int, memory_mb: int = 0) -> None:
    """A query worker: open the store, then answer jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    _end_with_parent()
    try:
        store = open_read_only(spec)
        _cap_memory(memory_mb)
    except CoopgraphError as exc:
        conn.send(("error", str(exc)))
        return
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            break
        if job is None:
            break
        text, form, bindings, wire = job
        began = time.process_time()
        reply: tuple[str, Any]
        try:
            if wire is None:  # rows as terms, for a page
                reply = ("ok", _evaluate(store, text, form, bindings, limit))
            else:
                reply = ("ok", _answer(store, text, form, bindings, wire, limit))
        except NotAcceptable as exc:
            reply = ("unacceptable", exc.form)
        except InputError as exc:  # e.g. a syntax error only the engine sees
            reply = ("input", str(exc))
        except CoopgraphError as exc:
            reply = ("error", str(exc))
        except MemoryError:
            reply = ("memory", None)
        except Exception as exc:  # an engine failure must not end the worker silently
            reply = ("error", f"query failed: {exc}")
        conn.send((*reply, time.process_time() - began))  # with the CPU seconds it took
    store.close()


class _Worker:
    def __init__(
        self, ctx: Any, spec: str, limit: int, memory_mb: int = 0, *, quick: bool = False
    ) -> None:
        self.conn, child = ctx.Pipe()
        self.quick = quick
        self.process = ctx.Process(
            target=_worker_main, args=(spec, child, limit, memory_mb), daemon=True,
            name="coopgraph-query",
        )  # fmt: skip
        self.process.start()
        if not quick and self.process.pid is not None:  # from its start on: imports, opening
            with contextlib.suppress(OSError, AttributeError):
                mine = os.getpriority(os.PRIO_PROCESS, 0)
                os.setpriority(os.PRIO_PROCESS, self.process.pid, mine + WORKER_NICE)
        child.close()

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            self.kill()
            raise StoreError(f"a query worker did not open the store within {timeout:.0f} s")
        try:
            status, message = self.conn.recv()
        except (EOFError, OSError):
            status, message = "error", "a query worker ended before it opened the store"
        if status != "ready":
            self.kill()
            raise StoreError(message)

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2)
        self.conn.close()


class QueryPool:
    """Worker processes that run untrusted queries, each with a deadline.

    A query engine cannot be interrupted from Python, so a query past its deadline is stopped
    by killing its worker process; a fresh worker replaces it in the background.

    Two lanes, so that heavy queries do not hold up cheap ones: ``size`` general workers (at a
    lower CPU priority) take every query at first; a query (text and bindings) whose last run
    took at most ``QUICK_S`` goes to the ``quick`` workers, which only such queries use, with a
    queue of their own.
    """

    def __init__(
        self,
        spec: str,
        *,
        size: int,
        timeout: float,
        limit: int,
        memory_mb: int = 0,
        waiting: int = DEFAULT_WAITING,
        quick: int = 1,
    ) -> None:
        """``waiting``: how many queries may wait for a busy worker in each lane; more are
        PoolBusy at once. ``quick``: workers of the quick lane (0: one lane)."""
        self.spec, self.timeout, self.limit, self.memory_mb = spec, timeout, limit, memory_mb
        self.size, self.waiting, self.quick = size, waiting, quick
        self._places = threading.BoundedSemaphore(size + waiting)
        # quick queries are over soon: more of them may wait
        self._quick_places = threading.BoundedSemaphore(quick + 4 * waiting)
        self._durations: dict[str, float] = {}  # seconds of each query's last run
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._quick_idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._ready = threading.Event()  # set once a first worker has opened the store
        # they load while we go on
        self._starting = [self._spawn() for _ in range(size)]
        self._starting += [self._spawn(quick=True) for _ in range(quick)]
        # replacements all start from one long-lived thread (see _end_with_parent)
        self._respawn: queue.Queue[bool | None] = queue.Queue()
        threading.Thread(target=self._respawner, daemon=True, name="coopgraph-respawn").start()

    def wait_ready(self) -> None:
        """Wait until the first workers have opened the store; their error if one could not."""
        try:
            for worker in self._starting:
                worker.wait_ready(max(120.0, self.timeout))
        except CoopgraphError:
            self.close()
            raise
        for worker in self._starting:
            self._home(worker).put(worker)
        self._starting = []
        self._ready.set()

    def ready_later(self) -> None:
        """Let each of the first workers take queries as soon as it has opened the store, while
        the server already answers pages; one that cannot is reported (queries then wait for
        the others)."""
        starting, self._starting = self._starting, []

        def wait(worker: _Worker) -> None:
            try:
                worker.wait_ready(max(120.0, self.timeout))
            except CoopgraphError as exc:
                if not self._closed:
                    print(f"coopgraph serve: {exc}", file=sys.stderr, flush=True)
                with self._lock:
                    self._all.discard(worker)
                return
            self._home(worker).put(worker)
            self._ready.set()

        for worker in starting:
            threading.Thread(
                target=wait, args=(worker,), daemon=True, name="coopgraph-ready"
            ).start()

    def _home(self, worker: _Worker) -> queue.Queue[_Worker]:
        return self._quick_idle if worker.quick else self._idle

    def _spawn(self, quick: bool = False) -> _Worker:
        worker = _Worker(self._ctx, self.spec, self.limit, self.memory_mb, quick=quick)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, dead: _Worker) -> None:
        with self._lock:
            self._all.discard(dead)
            if self._closed:
                return

        print("coopgraph serve: query worker stopped, starting a fresh one", file=sys.stderr)
        self._respawn.put(dead.quick)

    def _respawner(self) -> None:
        while (quick := self._respawn.get()) is not None:
            worker = self._spawn(quick)
            try:
                worker.wait_ready(max(120.0, self.timeout))
            except CoopgraphError as exc:
                if not self._closed:
                    print(f"coopgraph serve: {exc}", file=sys.stderr, flush=True)
                with self._lock:
                    self._all.discard(worker)
                continue
            self._home(worker).put(worker)
            print("coopgraph serve: a fresh query worker is ready", file=sys.stderr, flush=True)

    def run(
        self, text: str, form: str | None, bindings: Mapping[str, Node] | None = None
    ) -> Outcome:
        """Run a query in a free worker (``form`` None: it parses it) and return its rows or
        graph as rdflib terms; QueryTimeout past the deadline, PoolBusy at once when the queue
        is full."""
        outcome = self._queued(text, form, bindings, None)
        assert isinstance(outcome, Outcome)
        return outcome

    def answer(self, text: str, wire: Wire) -> Serialized:
        """Run a query in a free worker and return its answer as the engine wrote it there in
        a media type of ``wire`` (NotAcceptable when none fits the query's form)."""
        answer = self._queued(text, None, None, wire)
        assert isinstance(answer, Serialized)
        return answer

    def _queued(
        self, text: str, form: str | None, bindings: Mapping[str, Node] | None, wire: Wire | None
    ) -> Outcome | Serialized:
        key = f"{text}\0{sorted((k, str(v)) for k, v in (bindings or {}).items())}"
        quick = self.quick > 0 and self._durations.get(key, QUICK_S + 1) <= QUICK_S
        places = self._quick_places if quick else self._places
        if not places.acquire(blocking=False):
            most = self.quick + 4 * self.waiting if quick else self.size + self.waiting
            raise PoolBusy(
                f"too many queries are running or waiting (at most {most}); try again later"
            )
        try:
            return self._run(text, form, bindings, wire, key, quick)
        finally:
            places.release()

    def _run(
        self, text: str, form: str | None, bindings: Mapping[str, Node] | None, wire: Wire | None,
        key: str, quick: bool,
    ) -> Outcome | Serialized:  # fmt: skip
        # right after the start, the first workers are still opening the store: wait for them
        self._ready.wait(max(120.0, self.timeout))
        try:
            worker = (self._quick_idle if quick else self._idle).get(timeout=self.timeout)
        except queue.Empty:
            raise PoolBusy(
                f"every query worker stayed busy for {self.timeout:g} s; try again later"
            ) from None
        try:
            worker.conn.send((text, form, dict(bindings or {}), wire))
            if not worker.conn.poll(self.timeout):
                self._durations.pop(key, None)
                worker.kill()
                self._replace(worker)
                raise QueryTimeout(
                    f"the query ran past the time limit of {self.timeout:g} s and was stopped"
                )
            status, payload, cpu = worker.conn.recv()
        except (EOFError, OSError):  # the worker died under the query (e.g. out of memory)
            self._durations.pop(key, None)
            worker.kill()
            self._replace(worker)
            raise QueryTooHeavy(
                "the query ended its worker (it may need more memory than a query may use); "
                "the server goes on"
            ) from None
        self._home(worker).put(worker)
        if len(self._durations) > 10_000:  # bounded: forget, the next runs learn again
            self._durations.clear()
        if status == "ok":  # CPU seconds, not wall: a busy machine does not make it slow
            self._durations[key] = cpu
        else:
            self._durations.pop(key, None)
        if status == "memory":
            raise QueryTooHeavy(f"the query needed more than {self.memory_mb} MB and was stopped")
        if status == "input":
            raise InputError(payload)
        if status == "error":
            raise StoreError(payload)
        if status == "unacceptable":
            raise NotAcceptable(payload)
        assert isinstance(payload, Outcome | Serialized)
        return payload

    def close(self) -> None:
        self._respawn.put(None)
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()


# ---------------------------------------------------------------- negotiation


def negotiate(accept: MIMEAccept, offers: Sequence[str], aliases: Mapping[str, str]) -> str:
    """The offered media type the client prefers most; 406 when it accepts none of them."""
    if not accept:  # no Accept header: anything goes
        return offers[0]
    candidates = [*offers, *aliases]
    best = accept.best_match(candidates)
    if best is None:
        raise HttpError(
            406,
            f"none of the accepted media types can be served here; available: {', '.join(offers)}",
        )
    return aliases.get(best, best)


def _acceptable(
    accept: MIMEAccept, offers: Sequence[str], aliases: Mapping[str, str]
) -> str | None:
    """The offered media type the client prefers most, None when it accepts none of them."""
    try:
        return negotiate(accept, offers, aliases)
    except HttpError:
        return None


def choose_lang(request: Request) -> str:
    """``?lang=`` if given, else ``Accept-Language`` (German unless English is preferred)."""
    forced = request.args.get("lang")
    if forced in LANGS:
        return forced
    best = request.accept_languages.best_match(LANGS)
    return best or "de"


# ---------------------------------------------------------------- paths and IRIs


def iri_for_path(path: str) -> tuple[URIRef, str | None] | None:
    """The coopgraph IRI a request path names (the inverse of ``lod.path_for``: ``/def/X``
    is ``…/def#X``), and the media type its suffix asks for, if any."""
    local = path.lstrip("/")
    suffix = None
    for ending, media in SUFFIXES.items():
        if local.endswith(ending):
            local, suffix = local[: -len(ending)], media
            break
    iri = BASE + ("def#" + local[4:] if local.startswith("def/") else local)
    if lod.path_for(iri) != local:
        return None
    return URIRef(iri), suffix


def public_link(iri: str, base_uri: str) -> str:
    """Where this server shows a coopgraph IRI; other IRIs stay as they are."""
    path = lod.path_for(iri)
    return iri if path is None else base_uri + path


# ---------------------------------------------------------------- rendering


# the server's own words (saved queries, SPARQL form, errors); the site's are lod.UI
WORDS = {
    "de": {"queries": "Gespeicherte Abfragen", "sparql": "SPARQL-Endpunkt",
           "run": "Ausführen", "params": "Parameter", "optional": "optional", "example": "Beispiel",
           "rows": "Zeilen", "truncated": "Ergebnis nach %d Zeilen abgeschnitten (Ergebnisgrenze).",
           "none": "Keine Ergebnisse.", "error": "Fehler", "query": "Abfrage", "note": "Hinweis",
           "result": "Ergebnis", "editor": "SPARQL-Editor",
           "editor_help": "Mit Syntaxhervorhebung, Vervollständigung, Ergebnistabelle und "
                          "Download; die gespeicherten Abfragen als Beispiele. Ohne JavaScript "
                          "dient das",
           "examples": "Beispielabfrage laden", "example_pick": "– Beispiel wählen –",
           "example_form": "Mit Eingabefeldern und Auswahl:", "rows_per_page": "Zeilen pro Seite",
           "filter_rows": "Ergebniszeilen filtern", "row_number": "Nr.",
           "editor_offer": "mit Syntaxhervorhebung, Vervollständigung, den gespeicherten Abfragen "
                           "als Beispielen, Ergebnistabelle und Download (CSV, JSON).",
           "sparql_form": "einfache Abfrageformular",
           "editor_noscript": "Der Editor braucht JavaScript. Ohne JavaScript:",
           "editor_vendored": "mitgeliefert, läuft ohne Netzzugang.",
           "sparql_help": "Nur lesende Abfragen (SELECT, ASK, CONSTRUCT, DESCRIBE); Ergebnisse "
                          "als JSON, XML, CSV oder TSV je nach Accept-Header."},
    "en": {"queries": "Saved queries", "sparql": "SPARQL endpoint",
           "run": "Run", "params": "Parameters", "optional": "optional", "example": "example",
           "rows": "rows", "truncated": "Result cut after %d rows (result limit).",
           "none": "No results.", "error": "Error", "query": "Query", "note": "Note",
           "result": "Result", "editor": "SPARQL editor",
           "editor_help": "With syntax highlighting, completion, a result table and downloads; "
                          "the saved queries as examples. Without JavaScript, use the",
           "examples": "Load an example query", "example_pick": "– choose an example –",
           "example_form": "With input fields and pickers:", "rows_per_page": "Rows per page",
           "filter_rows": "Filter result rows", "row_number": "No.",
           "editor_offer": "syntax highlighting, completion, the saved queries as examples, a "
                           "result table and downloads (CSV, JSON).",
           "sparql_form": "plain query form",
           "editor_noscript": "The editor needs JavaScript. Without it:",
           "editor_vendored": "shipped with coopgraph, works offline.",
           "sparql_help": "Read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE); results as JSON, "
                          "XML, CSV or TSV by the Accept header."},
}  # fmt: skip
# files of the site's look, served from the package (the static site has them at its root)
ASSETS = {"style.css": "text/css", "facets.js": "text/javascript", "search.js": "text/javascript",
          "laender.svg": "image/svg+xml", "editor.js": "text/javascript", "editor.css": "text/css",
          "vendor/yasgui/yasgui.min.js": "text/javascript",
          "vendor/yasgui/yasgui.min.css": "text/css"}  # fmt: skip
# the site's own pages: request path -> lod.render_site_page name
SITE_PAGES = {"/": "index", "/index.html": "index", "/id/kooperation/": "kooperationen",
              "/id/kooperation/index.html": "kooperationen",
              "/gemeindeverbaende": "gemeindeverbaende",
              "/gemeindeverbaende.html": "gemeindeverbaende"}  # fmt: skip


def serialize_graph(graph: Graph, media: str) -> bytes:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    fmt = GRAPH_TYPES[media]
    kwargs: dict[str, Any] = {"indent": 2} if fmt == "json-ld" else {}
    data = graph.serialize(format=fmt, encoding="utf-8", **kwargs)
    return data if isinstance(data, bytes) else data.encode("utf-8")


# ---------------------------------------------------------------- the application


class App:
    """The WSGI application: resource pages, ``/sparql``, ``/queries``."""

    def __init__(
        self,
        store: Store,
        pool: QueryPool,
        base_uri: str | None,
        site: Path | None = None,
        allow_service: Iterable[str] = (),
        directory_cache: tuple[Path, str] | None = None,
    ) -> None:
        """``base_uri``: the public address pages link to; None links to the address each
        request came to (its Host). ``allow_service``: the SERVICE endpoints queries may call
        (none by default). ``directory_cache``: a file and the key of the store's content, where
        the directory is kept between runs."""
        self.allow_service = frozenset(allow_service)
        self.store = store
        self.pool = pool
        self.site = site
        self.base_uri = base_uri and (base_uri if base_uri.endswith("/") else base_uri + "/")
        self.prefix = (urlsplit(self.base_uri).path or "/") if self.base_uri else "/"
        self.env = lod.environment()
        self.site_files = site is not None and (site / "catalog.ttl").is_file()
        self._directory: Directory | None = None
        self._directory_cache = directory_cache
        self._ontology: lod.GraphView | None = None
        self._lock = threading.Lock()

    def base(self, request: Request) -> str:
        return self.base_uri or request.host_url

    def directory(self) -> Directory:
        """What search and the browse pages list, fetched from the store once (a few seconds
        for the bundled data) or read from the cache beside a compiled store (a fraction)."""
        with self._lock:
            if self._directory is None:
                cached = _read_directory(*self._directory_cache) if self._directory_cache else None
                if cached is not None:
                    self._directory = cached
                elif isinstance(self.store, ServedOxigraph):
                    self._directory = directory.from_triples(self.store.triples(directory.QUERY))
                else:
                    self._directory = directory.fetch(self.store)
                if cached is None and self._directory_cache:
                    _write_directory(*self._directory_cache, self._directory)
            return self._directory

    def linker(self, request: Request) -> lod.Linker:
        return lod.Linker(base_uri=self.base(request), page=None, suffix="")

    def render(self, template: str, request: Request, **context: Any) -> str:
        """One of the server's own pages, in the request's language, in the site's layout."""
        base = self.base(request)
        lang = choose_lang(request)

        def node_href(node: Node | None) -> str:
            return safe_href(public_link(str(node), base)) if isinstance(node, URIRef) else ""

        site = lod.site_context(self.linker(request), lang, site_files=self.site_files)
        return self.env.get_template("serve/" + template).render(
            **site, base=base, node_href=node_href, words=WORDS[lang], **context
        )

    # -- WSGI
    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        started = time.monotonic()
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except HttpError as exc:
            response = self.error_response(request, exc)
        except (QueryTimeout, PoolBusy, QueryTooHeavy) as exc:
            response = self.error_response(request, HttpError(503, str(exc), {"Retry-After": "5"}))
        except InputError as exc:
            response = self.error_response(request, HttpError(400, str(exc)))
        except CoopgraphError as exc:  # the store failed: a remote one is a bad gateway
            status = 502 if self.store.name == "sparql" else 500
            response = self.error_response(request, HttpError(status, str(exc)))
        except Exception as exc:  # never a traceback to the client
            where = traceback.extract_tb(exc.__traceback__)[-1]
            print(
                f"coopgraph serve: internal error: {where.filename}:{where.lineno}: {exc!r}",
                file=sys.stderr,
                flush=True,
            )
            response = self.error_response(request, HttpError(500, "internal server error"))
        response.headers["Access-Control-Allow-Origin"] = "*"  # open data, read-only
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        self.log(request, response, time.monotonic() - started)
        return response(environ, start_response)

    @staticmethod
    def log(request: Request, response: Response, seconds: float) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        target = request.full_path.rstrip("?")
        print(
            f'{request.remote_addr or "-"} {stamp} "{request.method} {target}" '
            f"{response.status_code} {response.calculate_content_length() or 0} "
            f"{seconds * 1000:.0f}ms",
            file=sys.stderr,
            flush=True,
        )

    def error_response(self, request: Request, exc: HttpError) -> Response:
        if _names_html(request, "text/plain"):
            body = self.render("error.html", request, status=exc.status, message=exc.message)
            response = Response(body, exc.status, content_type="text/html; charset=utf-8")
        else:
            response = Response(
                exc.message + "\n", exc.status, content_type="text/plain; charset=utf-8"
            )
        response.headers.update(exc.headers)
        return response

    def dispatch(self, request: Request) -> Response:
        path = request.path
        if self.prefix != "/" and path.startswith(self.prefix):
            path = "/" + path[len(self.prefix) :]
        if path == "/sparql":
            if request.method == "OPTIONS":  # a browser's preflight before a POST
                return Response(status=204, headers=_PREFLIGHT)
            return self.sparql(request)
        if request.method not in ("GET", "HEAD"):
            raise HttpError(
                405, f"method {request.method} is not allowed here", {"Allow": "GET, HEAD"}
            )
        if path in SITE_PAGES:
            return self.site_page(request, SITE_PAGES[path])
        if path in ("/search", "/search.html"):
            return self.search(request)
        if path.lstrip("/") in ASSETS:
            name = path.lstrip("/")
            body = (resources.templates_dir() / name).read_bytes()
            response = Response(body, content_type=f"{ASSETS[name]}; charset=utf-8")
            response.headers["Cache-Control"] = "public, max-age=3600"
            return response
        if path == "/sparql/editor":
            lang = choose_lang(request)
            saved = [{"name": q.name, "title": q.summary_in(lang), "text": q.text}
                     for q in sorted(queries.catalog().values(), key=lambda q: q.name)]  # fmt: skip
            return self.page("editor.html", request, saved=saved)
        if path == "/queries":
            return self.query_list(request)
        if path.startswith("/queries/"):
            return self.saved_query(request, path[len("/queries/") :])
        found = iri_for_path(path)
        if found is not None:
            return self.resource(request, *found)
        if self.site is not None:  # catalog.ttl, void.ttl, dumps … of a published site
            try:
                return send_from_directory(self.site, path.lstrip("/"), request.environ)
            except NotFound:
                pass
        raise HttpError(404, f"nothing here: {path}")

    def page(self, template: str, request: Request, status: int = 200, **context: Any) -> Response:
        """One of the server's own pages, in the request's language."""
        return self.html(self.render(template, request, **context), request, status)

    def html(self, body: str, request: Request, status: int = 200) -> Response:
        response = Response(body, status, content_type="text/html; charset=utf-8")
        response.headers["Content-Language"] = choose_lang(request)
        return response

    # -- resources
    def resource(self, request: Request, iri: URIRef, suffix: str | None) -> Response:
        offers = (
            ["text/html", *GRAPH_TYPES] if _prefers_html(request) else [*GRAPH_TYPES, "text/html"]
        )
        media = suffix or negotiate(request.accept_mimetypes, offers, GRAPH_ALIASES)
        description = lod.describe(self.store, iri)
        if len(description) == 0:
            raise HttpError(404, f"no such resource: {iri}")
        if media == "text/html" and str(iri) == lod.ONTOLOGY_IRI:
            response = self.html(self.ontology_page(request), request)
        elif media == "text/html":
            lang = choose_lang(request)
            kind = lod.kind_of(str(iri))
            body = lod.render_html(
                self.store, str(iri), lang, self.base(request), site_files=self.site_files,
                directory=self.directory() if kind in ("kreis", "land", "kooperation") else None,
            )  # fmt: skip
            response = self.html(body, request)
        else:
            response = Response(
                serialize_graph(description, media), content_type=_content_type(media)
            )
        response.vary.update(("Accept", "Accept-Language"))
        local = lod.path_for(str(iri))
        response.headers["Link"] = ", ".join(
            f'<{self.base(request)}{local}{ending}>; rel="alternate"; type="{typ}"'
            for ending, typ in SUFFIXES.items()
        )
        return response

    # -- the site's own pages: home, browse, search, ontology (as the static site has them)
    def site_page(self, request: Request, name: str, **extra: Any) -> Response:
        lang = choose_lang(request)
        downloads = None
        if self.site is not None:
            downloads = [
                {"href": k, "label": v[0], "type": v[1]}
                for k, v in lod.DUMPS.items()
                if (self.site / k).is_file()
            ]
        body = lod.render_site_page(
            name, self.directory(), lang, self.linker(request), site_files=self.site_files,
            downloads=downloads, triples=None, **extra,
        )  # fmt: skip
        return self.html(body, request)

    def search(self, request: Request) -> Response:
        """``/search?q=…&kind=…``: the results as a page, no JavaScript needed."""
        query = request.args.get("q", "").strip()[:200]
        kind = request.args.get("kind", "")
        if kind not in KINDS:
            kind = ""
        lang = choose_lang(request)
        base = self.base(request)
        directory = self.directory()
        found = directory.search(query, kind or None) if query else []
        results = [
            {"href": base + e.path, "label": e.label(lang), "kind": KINDS[e.kind][lang != "de"],
             "context": directory.context(e, lang)}
            for e in found
        ]  # fmt: skip
        return self.site_page(request, "search", query=query, kind=kind, results=results)

    def ontology_page(self, request: Request) -> str:
        with self._lock:
            if self._ontology is None:
                view = lod.GraphView()
                for path in resources.ontology_files():
                    for t in parse_file(path):
                        view.add(t.subject, t.predicate, t.object)  # type: ignore[arg-type]
                self._ontology = view
        return lod.render_ontology(
            self._ontology, choose_lang(request), self.linker(request), site_files=self.site_files
        )

    # -- SPARQL protocol
    def sparql(self, request: Request) -> Response:
        text = self._query_text(request)
        if text is None:
            if _prefers_html(request):
                return self.page("sparql.html", request)
            raise HttpError(400, "no query: send it as ?query=… (GET), as the form field 'query' "
                            "or as an application/sparql-query body (POST)")  # fmt: skip
        _checked(text, self.allow_service)
        if _names_html(request, *RESULT_TYPES, *QUERY_GRAPH_TYPES):  # a person at the form
            outcome = self.pool.run(text, None)
            return self.page(
                "sparql.html", request, text=text, **self._shown_result(request, outcome)
            )
        wire = (
            _acceptable(request.accept_mimetypes, RESULT_TYPES, RESULT_ALIASES),
            _acceptable(request.accept_mimetypes, QUERY_GRAPH_TYPES, GRAPH_ALIASES),
        )
        if wire == (None, None):
            negotiate(request.accept_mimetypes, [*RESULT_TYPES, *QUERY_GRAPH_TYPES], {})  # 406
        try:
            answer = self.pool.answer(text, wire)
        except NotAcceptable as exc:
            offers = RESULT_TYPES if exc.form in ("SELECT", "ASK") else QUERY_GRAPH_TYPES
            raise HttpError(
                406, f"{exc.form} results can be served as {', '.join(offers)}; none of them is "
                "accepted",
            ) from None  # fmt: skip
        response = Response(answer.body, content_type=_content_type(answer.media))
        response.vary.add("Accept")
        response.headers["Coopgraph-Result-Limit"] = str(self.pool.limit)
        response.headers["Coopgraph-Truncated"] = "true" if answer.truncated else "false"
        return response

    def _query_text(self, request: Request) -> str | None:
        if request.method in ("GET", "HEAD"):
            if "update" in request.args:
                raise _refuse_update()
            _no_dataset(request.args)
            return request.args.get("query") or None
        if request.method != "POST":
            raise HttpError(
                405,
                f"method {request.method} is not allowed on /sparql",
                {"Allow": "GET, HEAD, POST"},
            )
        if (request.content_length or 0) > 3 * query_guard.MAX_QUERY_BYTES:  # %-encoded at most
            raise HttpError(413, f"the request body is {request.content_length:,} bytes long; a "
                            f"query may have at most {query_guard.MAX_QUERY_BYTES:,}")  # fmt: skip
        mimetype = request.mimetype
        if mimetype == "application/sparql-update":
            raise _refuse_update()
        if mimetype == "application/sparql-query":
            _no_dataset(request.args)
            return request.get_data(as_text=True) or None
        if mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            if "update" in request.form:
                raise _refuse_update()
            _no_dataset(request.form)
            return request.form.get("query") or None
        raise HttpError(
            415,
            f"unsupported request body {mimetype or '(none)'}: POST application/sparql-query or "
            "an application/x-www-form-urlencoded form with 'query'",
        )

    # -- saved queries
    def query_list(self, request: Request) -> Response:
        items = sorted(queries.catalog().values(), key=lambda q: q.name)
        return self.page("queries.html", request, queries=items)

    def saved_query(self, request: Request, name: str) -> Response:
        saved = queries.catalog().get(name)
        if saved is None:
            raise HttpError(404, f"no saved query named {name!r}")
        values = {k: v for k, v in request.args.items() if k not in ("lang", "run") and v != ""}
        if "run" not in request.args and not values:
            return self.page("query.html", request, query=saved, values={}, result=None)
        try:
            bindings = saved.bindings(values)
        except InputError as exc:  # a bad parameter: the form again, with the message
            return self.page(
                "query.html", request, 400, query=saved, values=values, result=None, error=str(exc)
            )
        _checked(saved.text, self.allow_service)
        outcome = self.pool.run(saved.text, saved.form, bindings)
        return self.page(
            "query.html", request, query=saved, values=values,
            **self._shown_result(request, outcome),
        )  # fmt: skip

    def _shown_result(self, request: Request, outcome: Outcome) -> dict[str, Any]:
        """What the results table needs: the outcome, labels for its IRIs, the graph as Turtle."""
        labels: dict[Node, str] = {}
        if outcome.select is not None:
            nodes = {t for row in outcome.select.rows for t in row if t is not None}
            labels = queries.labels(self.store, nodes, choose_lang(request))
        turtle = b"" if outcome.graph is None else serialize_graph(outcome.graph, "text/turtle")
        return {
            "result": outcome,
            "shown": lambda node: _shown(node, labels),
            "limit": self.pool.limit,
            "turtle": turtle.decode("utf-8"),
        }


def _shown(node: Node | None, labels: Mapping[Node, str]) -> str:
    if node is None:
        return ""
    return labels.get(node) or str(node)


def _names_html(request: Request, *others: str) -> bool:
    """Whether the client names text/html itself (a browser) at least as high as the other
    types; ``*/*`` alone does not count."""
    accept = request.accept_mimetypes
    html = dict(accept).get("text/html", 0)
    return html > 0 and html >= max(accept[t] for t in others)


def _prefers_html(request: Request) -> bool:
    """HTML rather than RDF for a resource: only when text/html is named (``*/*`` gets Turtle)."""
    return _names_html(request, *GRAPH_TYPES)


def _content_type(media: str) -> str:
    return f"{media}; charset=utf-8" if media.startswith("text/") or "json" in media else media


# on every answer: no MIME sniffing, pages that load only the site's own assets (styles inline)
# and cannot be framed, no full URLs (with queries) sent on to other sites; scripts may read
# the truncation headers of a /sparql answer
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Access-Control-Expose-Headers": "Coopgraph-Truncated, Coopgraph-Result-Limit",
}

_PREFLIGHT = {
    "Allow": "GET, HEAD, POST, OPTIONS",
    "Access-Control-Allow-Methods": "GET, HEAD, POST",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
    "Access-Control-Max-Age": "86400",
}


def _refuse_update() -> HttpError:
    return HttpError(403, "SPARQL Update is not allowed: this endpoint is read-only")


def _no_dataset(params: Mapping[str, str]) -> None:
    for key in ("default-graph-uri", "named-graph-uri"):
        if params.get(key):
            raise HttpError(400, f"{key} is not supported by this endpoint (it has one graph)")


def _checked(text: str, allow_service: Iterable[str]) -> None:
    """Refuse, before any parser or worker sees it, a query that is too large (413), nested too
    deeply or calling a SERVICE endpoint not allowed (400), or an update (403). Its syntax and
    form are learned in the worker, under the deadline."""
    try:
        scan = query_guard.check(text, allow_service=allow_service)
    except query_guard.QueryRefused as exc:
        raise HttpError(exc.status, str(exc)) from None
    if scan.is_update:
        raise _refuse_update()


# ---------------------------------------------------------------- running


DIRECTORY_FORMAT = 1  # bump when Directory changes shape


def directory_cache(store: Store) -> tuple[Path, str] | None:
    """Where the directory of a compiled store is kept, and the key of the store's content (its
    manifest: the size, time and hash of every file); None for other stores."""
    if not isinstance(store, ServedOxigraph) or store.link is not None:
        return None
    compiled = CompiledStore()
    if store.generation != compiled.location:
        return None
    try:
        manifest = compiled.manifest_path.read_bytes()
    except OSError:
        return None
    key = f"{DIRECTORY_FORMAT}/{hashlib.sha256(manifest).hexdigest()}"
    return compiled.folder / "directory.pickle", key


def _read_directory(path: Path, key: str) -> Directory | None:
    """The cached directory if it was built from the same content (else None)."""
    try:
        with path.open("rb") as fh:
            stored_key, found = pickle.load(fh)  # our own cache, beside the store
    except (OSError, pickle.PickleError, EOFError, ValueError, TypeError, AttributeError):
        return None
    return found if stored_key == key and isinstance(found, Directory) else None


def _write_directory(path: Path, key: str, found: Directory) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        with tmp.open("wb") as fh:
            pickle.dump((key, found), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:  # no cache then; the next start builds it again
        with contextlib.suppress(OSError):
            tmp.unlink()


def _warm(app: App) -> None:
    try:
        app.directory()
    except CoopgraphError as exc:  # reported again on the first request that needs it
        print(f"coopgraph serve: {exc}", file=sys.stderr, flush=True)


def _raise_open_files(wanted: int) -> None:
    """Raise this process's soft limit of open files towards ``wanted`` (as far as the hard
    limit allows), so that many connections do not run out of file descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    base_uri: str | None = None,
    store_spec: str = "oxigraph",
    timeout: float = DEFAULT_TIMEOUT_S,
    limit: int = DEFAULT_RESULT_LIMIT,
    workers: int = DEFAULT_WORKERS,
    worker_memory_mb: int = DEFAULT_WORKER_MEMORY_MB,
    waiting: int = DEFAULT_WAITING,
    site: Path | None = None,
    allow_service: Sequence[str] = (),
) -> None:
    """Open the store, listen, start the query workers and serve until Ctrl-C or SIGTERM: pages
    are answered at once, queries as soon as a worker has opened the store (a second or so).

    ``site``: a folder written by ``coopgraph publish`` whose other files (catalog, VoID,
    dumps) are served as they are."""
    from waitress.server import create_server

    if site is not None and not (site / "index.html").is_file():
        raise InputError("not a site written by coopgraph publish (no index.html)", file=site)

    if timeout <= 0:
        raise InputError("must be a positive number of seconds", field="--query-timeout")
    if limit <= 0:
        raise InputError("must be a positive number of rows", field="--result-limit")
    if workers <= 0:
        raise InputError("must be at least 1", field="--workers")
    if waiting < 0:
        raise InputError("must be 0 or more", field="--queue")
    started = time.monotonic()
    store = open_read_only(store_spec)  # its errors (no such folder …) before anything starts
    apps: list[App] = []  # the application, made once the port is ours

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return apps[0](environ, start_response)

    try:
        # waitress reads requests asynchronously, so slow clients hold only a connection: allow
        # many (default 100, which 100 slow clients would fill), each idle for at most 30 s
        _raise_open_files(CONNECTION_LIMIT + 100)
        server = create_server(
            application, host=host, port=port, ident="coopgraph",
            # the queries running or waiting in both lanes, and pages besides
            threads=workers + 1 + 5 * waiting + 4,
            connection_limit=CONNECTION_LIMIT, channel_timeout=CHANNEL_TIMEOUT_S,
        )  # fmt: skip
    except OSError as exc:
        store.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}", field="--port") from exc
    # the workers open exactly the store the server opened (the compiled store's folder)
    worker_spec = store.spec if isinstance(store, ServedOxigraph) else store_spec
    pool = QueryPool(
        worker_spec, size=workers, timeout=timeout, limit=limit, memory_mb=worker_memory_mb,
        waiting=waiting,
    )  # fmt: skip
    pool.ready_later()  # pages are answered meanwhile; queries wait for the first free worker
    public = base_uri or f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    # links name --base-uri, else the address bound: never a client's Host header
    app = App(store, pool, base_uri or public, site, allow_service, directory_cache(store))
    apps.append(app)
    # search and the browse pages need the directory: read or build it while the server starts
    threading.Thread(target=_warm, args=(app,), daemon=True, name="coopgraph-directory").start()

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    print(
        f"coopgraph serve: {public} (store {store_spec}, {workers} query workers, timeout "
        f"{timeout:g} s, limit {limit} rows; ready in {time.monotonic() - started:.1f} s; "
        "Ctrl-C stops)",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.run()  # returns on KeyboardInterrupt (Ctrl-C, SIGTERM)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
        pool.close()
        store.close()
        print("coopgraph serve: stopped", file=sys.stderr, flush=True)


__all__ = ["App", "QueryPool", "QueryTimeout", "iri_for_path", "negotiate", "serve"]
