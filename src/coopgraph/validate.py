"""Validate data against coopgraph's SHACL shapes and report every violation.

The shapes are read into their own graph and never merged into the data graph; the data graph
is the ontology, its vocabularies and the data (so concept schemes and class hierarchies can be
checked).

Two engines give the same results: ``fast`` (default) compiles the shapes into set-based
SPARQL run on pyoxigraph (see ``shacl_sparql``); ``pyshacl`` is the reference. Shapes the fast
engine cannot compile make it fall back to pySHACL, with a warning, never a silent pass.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from . import resources
from .errors import InputError, StoreError, UnsupportedShapeError
from .loader import display_name as loader_display
from .loader import expand_paths, parse_file, to_rdflib
from .namespaces import COOP, GRAPH, ID, PREFIXES, SH
from .shacl_sparql import CompiledShapes, RawResult, compile_shapes, copy_path
from .store import Store
from .store.graphs import graph_of
from .store.loaded import LoadedGraph, LoadedStore, load, load_document, load_store

LANGS = ("de", "en")
ENGINES = ("fast", "pyshacl")
DEFAULT_ENGINE = "fast"


@dataclass(frozen=True)
class Violation:
    """One SHACL result: where, what and why, with the message in every language given."""

    file: str | None
    focus: str
    path: str | None
    value: str | None
    severity: str
    constraint: str
    shape: str | None
    messages: tuple[tuple[str, str], ...]

    def message(self, lang: str = "en") -> str:
        for message_lang, text in self.messages:
            if message_lang == lang:
                return text
        for message_lang, text in self.messages:
            if message_lang == "":
                return text
        return self.messages[0][1] if self.messages else self.constraint

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "file": self.file,
            "focusNode": self.focus,
            "resultPath": self.path,
            "value": self.value,
            "severity": self.severity,
            "constraint": self.constraint,
            "sourceShape": self.shape,
            "message": self.message(lang),
        }


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation: conforms or not, every result, and the SHACL report graph."""

    conforms: bool
    violations: tuple[Violation, ...]
    report_graph: Graph
    files: tuple[str, ...]
    triples: int

    def to_text(self, lang: str = "en") -> str:
        lines = []
        for v in self.violations:
            where = v.file or ("(bundled data)" if lang == "en" else "(mitgelieferte Daten)")
            parts = [f"{where}: {v.severity}: {v.message(lang)}", f"  focus: {v.focus}"]
            if v.path:
                parts.append(f"  path:  {v.path}")
            if v.value is not None:
                parts.append(f"  value: {v.value}")
            parts.append(f"  constraint: {v.constraint}")
            lines.append("\n".join(parts))
        n_viol = sum(1 for v in self.violations if v.severity == "Violation")
        n_warn = sum(1 for v in self.violations if v.severity == "Warning")
        n_info = len(self.violations) - n_viol - n_warn
        if lang == "de":
            infos = f", {n_info} Hinweise" if n_info else ""
            summary = (
                f"{len(self.files)} Datei(en), {self.triples} Tripel: "
                + ("konform" if self.conforms else "nicht konform")
                + f" ({n_viol} Verstöße, {n_warn} Warnungen{infos})"
            )
        else:
            infos = f", {n_info} infos" if n_info else ""
            summary = (
                f"{len(self.files)} file(s), {self.triples} triples: "
                + ("conforms" if self.conforms else "does not conform")
                + f" ({n_viol} violations, {n_warn} warnings{infos})"
            )
        return "\n\n".join([*lines, summary]) + "\n"

    def to_json(self, lang: str = "en") -> str:
        doc = {
            "conforms": self.conforms,
            "files": list(self.files),
            "triples": self.triples,
            "results": [v.as_dict(lang) for v in self.violations],
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"

    def to_turtle(self) -> str:
        return self.report_graph.serialize(format="turtle")


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The SHACL shapes, parsed once, in a graph of their own."""
    g = Graph()
    path = resources.shapes_file()
    for t in parse_file(path):
        g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return g


@lru_cache(maxsize=1)
def message_languages() -> dict[str, str]:
    """Language of every sh:message text in the shapes.

    pySHACL drops the language tag from the messages of SPARQL-based constraints; the text
    finds it again.
    """
    return {
        str(m): m.language
        for m in shapes_graph().objects(None, SH.message)
        if isinstance(m, Literal) and m.language
    }


@lru_cache(maxsize=1)
def _message_templates() -> list[tuple[re.Pattern[str], str]]:
    """Messages with ``{$this}``/``{?value}`` as patterns matching their filled-in text."""
    out = []
    for text, lang in message_languages().items():
        if "{" in text:
            pattern = re.sub(r"\\\{\\?[?$]\w+\\\}", lambda _m: ".*", re.escape(text))
            out.append((re.compile(pattern, re.DOTALL), lang))
    return out


def message_language(text: str) -> str:
    """The language of a result message, also of one filled in from a template."""
    lang = message_languages().get(text)
    if lang is not None:
        return lang
    for pattern, lang in _message_templates():
        if pattern.fullmatch(text):
            return lang
    return ""


def _short(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        text = str(node)
        for prefix, ns in PREFIXES.items():
            if text.startswith(ns) and "/" not in text[len(ns) :] and "#" not in text[len(ns) :]:
                return f"{prefix}:{text[len(ns) :]}"
        return text
    if isinstance(node, Literal):
        return str(node)
    return node.n3()


def _path_text(report: Graph, path: Node | None) -> str | None:
    """A readable SHACL path: ``p``, ``^p`` or ``p/q``."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return _short(path)
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + (_path_text(report, inverse) or "?")
    alternatives = report.value(path, SH.alternativePath)
    if alternatives is not None:
        items = Graph.items(report, alternatives)
        return "|".join(_path_text(report, i) or "?" for i in items)
    first = report.value(path, RDF.first)
    if first is not None:
        return "/".join(_path_text(report, i) or "?" for i in Graph.items(report, path))
    return path.n3()


def _violations(report: Graph, loaded: LoadedGraph) -> list[Violation]:
    """Readable violations from a pySHACL report graph."""
    out = []
    for result in report.objects(None, SH.result):  # not the sh:detail nested in them
        focus = report.value(result, SH.focusNode)
        value = report.value(result, SH.value)
        severity = report.value(result, SH.resultSeverity)
        messages = tuple(
            sorted(
                (m.language or message_language(str(m)), str(m))
                for m in report.objects(result, SH.resultMessage)
                if isinstance(m, Literal)
            )
        )
        component = report.value(result, SH.sourceConstraintComponent)
        shape = report.value(result, SH.sourceShape)
        out.append(
            Violation(
                file=loaded.origin(focus) if focus is not None else None,
                focus=_short(focus) or "",
                path=_path_text(report, report.value(result, SH.resultPath)),
                value=_short(value),
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                constraint=(_short(component) or "").replace("sh:", "") if component else "unknown",
                shape=_short(shape) if isinstance(shape, URIRef) else None,
                messages=messages,
            )
        )
    return out


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise InputError(
            f"unknown engine {engine!r} (one of {', '.join(ENGINES)})", field="--engine"
        )


@lru_cache(maxsize=1)
def compiled_shapes() -> CompiledShapes | None:
    """The shapes compiled for the fast engine; None (and a warning) if they cannot be."""
    try:
        return compile_shapes(shapes_graph(), message_languages())
    except UnsupportedShapeError as exc:
        warnings.warn(
            f"fast SHACL engine: {exc}; falling back to pySHACL", RuntimeWarning, stacklevel=2
        )
        return None


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """No library noise on stderr while ill-typed literals are handled: rdflib logs a traceback
    ("Failed to convert Literal lexical form to value") and warns about odd booleans for every
    ill-typed literal it meets; the validation report is where such a literal is reported."""
    logger = logging.getLogger("rdflib.term")
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module=r"rdflib\..*")
            yield
    finally:
        logger.setLevel(level)
        logger.propagate = propagate


# translated SPARQL queries by (text, base, prefixes): the shapes' queries, kept for the process
_PREPARED: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], Any] = {}


F = TypeVar("F", bound=Callable[..., Any])


def _quietly(function: F) -> F:
    """Run a validation entry point inside ``quiet_rdflib``."""

    @wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        with quiet_rdflib():
            return function(*args, **kwargs)

    return run  # type: ignore[return-value]


@contextmanager
def _prepared_sparql() -> Iterator[None]:
    """While pySHACL runs: each SPARQL text is parsed and translated once, not once per focus
    node (pySHACL passes the text with the focus node's bindings; parsing is most of its time).
    A translated query is what rdflib's own ``prepareQuery`` gives, reusable with any bindings.
    """
    from rdflib.plugins.sparql import processor

    original = processor.SPARQLProcessor.query
    cache = _PREPARED

    def query(
        self: Any,
        strOrQuery: Any,
        initBindings: Any = None,
        initNs: Any = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> Any:
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            prepared = cache.get(key)
            if prepared is None:
                prepared = processor.translateQuery(processor.parseQuery(strOrQuery), base, initNs)
                cache[key] = prepared
            strOrQuery = prepared
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    processor.SPARQLProcessor.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original  # type: ignore[method-assign]


def _pyshacl_report(data_graph: Graph) -> Graph:
    from pyshacl import validate as shacl_validate

    with quiet_rdflib(), _prepared_sparql():
        _conforms, report_graph, _text = shacl_validate(
            data_graph,
            shacl_graph=shapes_graph(),
            inference="none",
            abort_on_first=False,
            allow_warnings=True,
            advanced=True,
            meta_shacl=False,
        )
    assert isinstance(report_graph, Graph)
    # SHACL: sh:conforms is false when there is any result, a warning too (pySHACL, told to
    # allow warnings, says true); the exit code still fails on violations only
    if (None, SH.result, None) in report_graph:
        for report in list(report_graph.subjects(RDF.type, SH.ValidationReport)):
            report_graph.set((report, SH.conforms, Literal(False)))
    return report_graph


def _report(
    violations: list[Violation], report_graph: Graph, files: Sequence[Path], triples: int
) -> ValidationReport:
    violations.sort(
        key=lambda v: (
            v.file or "~",
            v.focus,
            v.path or "",
            v.constraint,
            v.value or "",
            v.shape or "",
            v.messages,
        )
    )
    return ValidationReport(
        conforms=not any(v.severity == "Violation" for v in violations),
        violations=tuple(violations),
        report_graph=report_graph,
        files=tuple(str(p) for p in files),
        triples=triples,
    )


def _fast_results(
    raw: list[RawResult], origin: Callable[[Node], str | None]
) -> tuple[list[Violation], Graph]:
    """Readable violations and the SHACL report graph, from the fast engine's raw results."""
    shapes = shapes_graph()
    report = Graph()
    report.bind("sh", SH)
    node = BNode()
    report.add((node, RDF.type, SH.ValidationReport))
    # SHACL: a report conforms iff it has no results at all, warnings included (the exit code
    # and ValidationReport.conforms fail on violations only)
    report.add((node, SH.conforms, Literal(not raw)))
    out = []

    def describe(r: RawResult) -> BNode:
        focus = to_rdflib(r.focus)
        value = to_rdflib(r.value) if r.value is not None else None
        result = BNode()
        report.add((result, RDF.type, SH.ValidationResult))
        report.add((result, SH.focusNode, focus))
        if value is not None:
            report.add((result, SH.value, value))
        if r.path is not None:
            report.add((result, SH.resultPath, copy_path(shapes, r.path, report)))
        report.add((result, SH.resultSeverity, SH[r.severity]))
        report.add((result, SH.sourceConstraintComponent, SH[r.component]))
        report.add((result, SH.sourceShape, r.shape))
        for lang, text in r.messages:
            report.add((result, SH.resultMessage, Literal(text, lang=lang or None)))
        for d in r.details:
            report.add((result, SH.detail, describe(d)))
        return result

    for r in raw:
        focus = to_rdflib(r.focus)
        value = to_rdflib(r.value) if r.value is not None else None
        report.add((node, SH.result, describe(r)))
        out.append(
            Violation(
                file=origin(focus),
                focus=_short(focus) or "",
                path=_path_text(shapes, r.path),
                value=_short(value),
                severity=r.severity,
                constraint=r.component,
                shape=_short(r.shape) if isinstance(r.shape, URIRef) else None,
                messages=r.messages,
            )
        )
    return out, report


def _oxigraph_copy(graph: Graph) -> ox.Store:
    from .store.oxigraph import to_oxigraph

    store = ox.Store()
    store.extend(
        ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
        for s, p, o in graph
    )
    return store


@_quietly
def validate_graph(loaded: LoadedGraph, *, engine: str = DEFAULT_ENGINE) -> ValidationReport:
    """Validate an already loaded data graph against the shapes."""
    _check_engine(engine)
    data_graph = loaded.graph
    compiled = compiled_shapes() if engine == "fast" else None
    if compiled is None:
        report_graph = _pyshacl_report(data_graph)
        violations = _violations(report_graph, loaded)
    else:
        raw = compiled.run(_oxigraph_copy(data_graph))
        violations, report_graph = _fast_results(raw, loaded.origin)
    return _report(violations, report_graph, loaded.files, len(data_graph))


@_quietly
def validate_loaded_store(
    loaded: LoadedStore, *, focus: Sequence[ox.NamedNode | ox.BlankNode | ox.Literal] | None = None
) -> ValidationReport:
    """Validate an oxigraph store of files (one named graph each) with the fast engine.

    With ``focus``, only those focus nodes are checked (incremental validation); the rest of
    the store is still there for what they refer to (e.g. AGS uniqueness).
    """
    compiled = compiled_shapes()
    if compiled is None:
        raise UnsupportedShapeError("the shapes cannot be compiled for the fast engine")
    raw = compiled.run(loaded.store, focus=focus, union=True)
    violations, report_graph = _fast_results(raw, loaded.origin)
    return _report(violations, report_graph, loaded.files, loaded.triples())


def _affected(store: ox.Store, quads: Sequence[ox.Quad]) -> list[Any]:
    """Focus nodes a change can affect: every term of the changed triples, and what points at
    their subjects (e.g. the Kooperation whose member count a new membership changes)."""
    terms: set[Any] = set()
    for q in quads:
        terms.add(q.subject)
        terms.add(q.object)
    subjects = sorted({str(q.subject) for q in quads if isinstance(q.subject, ox.NamedNode)})
    for start in range(0, len(subjects), 500):
        values = " ".join(subjects[start : start + 500])
        rows = store.query(
            f"SELECT DISTINCT ?s WHERE {{ VALUES ?o {{ {values} }} ?s ?p ?o }}",
            use_default_graph_as_union=True,
        )
        terms.update(row["s"] for row in rows)  # type: ignore[union-attr]
    return [t for t in terms if not isinstance(t, ox.BlankNode)]


def _times_stated(store: ox.Store, quad: ox.Quad, limit: int) -> int:
    """In how many named graphs a triple is stated (counting up to ``limit``)."""
    n = 0
    for _ in store.quads_for_pattern(quad.subject, quad.predicate, quad.object):
        n += 1
        if n >= limit:
            break
    return n


@_quietly
def validate_incremental(loaded: LoadedStore, paths: Sequence[str | Path]) -> ValidationReport:
    """Check new or changed files against an already loaded graph, without re-checking it all.

    Each file replaces the named graph it had (a changed file) or is added (a new one); only
    the focus nodes the change can affect are validated, against the whole graph (so AGS
    uniqueness and membership counts still see everything). The store is left as it was.
    Limitation: a constraint that looks more than one hop away from a changed node (e.g. a
    Kontrakt whose signatory's membership dates changed in another file) is only re-checked
    when that Kontrakt is itself in or next to the change.
    """
    compiled = compiled_shapes()
    if compiled is None:
        raise UnsupportedShapeError("the shapes cannot be compiled for the fast engine")
    files = expand_paths(paths)
    store = loaded.store
    saved: list[ox.Quad] = []
    added: list[ox.NamedNode] = []
    names_before = dict(loaded.names)
    try:
        for path in files:
            name = graph_of(path)
            old = list(store.quads_for_pattern(None, None, None, name))
            saved.extend(old)
            store.clear_graph(name) if old else None
            loaded.add_file(path, name)
            loaded.names[name.value] = loader_display(path)
            added.append(name)
        # what changed: triples of the new files and of the replaced ones that the rest of
        # the graph does not state anyway (e.g. a shared source described in every file)
        changed = [q for q in saved if _times_stated(store, q, 1) == 0]
        for name in added:
            changed.extend(
                q
                for q in store.quads_for_pattern(None, None, None, name)
                if _times_stated(store, q, 2) == 1
            )
        focus = _affected(store, changed)
        raw = compiled.run(store, focus=focus, union=True)
        violations, report_graph = _fast_results(raw, loaded.origin)
        triples = sum(1 for name in added for _ in store.quads_for_pattern(None, None, None, name))
    finally:
        for name in added:
            store.clear_graph(name)
            store.remove_graph(name)
        store.extend(saved)
        loaded.names = names_before
    return _report(violations, report_graph, files, triples)


# Keys unique over the whole graph: a file is checked against the workspace it joins for them.
_UNIQUE_KEYS = (COOP.ags,)


def _key_holders(
    store: ox.Store, keys: dict[str, set[str]], known: set[str]
) -> dict[str, tuple[str, list[ox.Triple]]]:
    """Resources of the workspace's ``store`` (not in ``known``) that carry one of ``keys``
    (property IRI -> values): subject -> (its file, its triples)."""
    from .store.loaded import pull as _pull

    found: dict[str, str] = {}
    for prop, values in keys.items():
        ordered = sorted(values)
        for start in range(0, len(ordered), 500):
            literals = " ".join(ox.Literal(v).__str__() for v in ordered[start : start + 500])
            rows = store.query(
                f"SELECT ?s ?g WHERE {{ VALUES ?v {{ {literals} }} GRAPH ?g {{ ?s <{prop}> ?v }} }}"
            )
            for row in rows:  # type: ignore[union-attr]
                s, g = row["s"], row["g"]
                if isinstance(s, ox.NamedNode) and s.value not in known:
                    found.setdefault(s.value, str(g.value).removeprefix(str(GRAPH)))
    out: dict[str, tuple[str, list[ox.Triple]]] = {}
    for s, file in sorted(found.items()):
        out[s] = (file, [q.triple for q in store.quads_for_pattern(ox.NamedNode(s), None, None)])
    if found:  # what they refer to (Kreis, Land …), so they can be checked as well
        pulled = _pull(known | set(found), {
            t.object.value for _f, ts in out.values() for t in ts
            if isinstance(t.object, ox.NamedNode) and t.object.value.startswith(str(ID))
        }, store, 2)  # fmt: skip
        out[""] = ("", pulled)
    return out


def _file_keys(triples: Iterator[tuple[Any, Any, Any]]) -> tuple[dict[str, set[str]], set[str]]:
    keys: dict[str, set[str]] = {str(k): set() for k in _UNIQUE_KEYS}
    subjects: set[str] = set()
    for s, p, o in triples:
        subjects.add(str(s.value if isinstance(s, ox.NamedNode) else s))
        if str(p.value if isinstance(p, ox.NamedNode) else p) in keys:
            keys[str(p.value if isinstance(p, ox.NamedNode) else p)].add(
                str(o.value if isinstance(o, ox.Literal) else o)
            )
    return keys, subjects


def _with_key_holders_store(loaded: LoadedStore) -> LoadedStore:
    """Add to a file store every workspace resource sharing a unique key with its files, in the
    named graph of the file it comes from (so findings name that file too)."""
    from .store.loaded import REFERENCED_GRAPH, bundled_store

    quads = (
        q for g in list(loaded.names) for q in loaded.store.quads_for_pattern(
            None, None, None, ox.NamedNode(g))
    )  # fmt: skip
    keys, subjects = _file_keys((q.subject, q.predicate, q.object) for q in quads)
    if not any(keys.values()):
        return loaded
    for s, (file, triples) in _key_holders(bundled_store(), keys, subjects).items():
        graph = REFERENCED_GRAPH if not s else ox.NamedNode(str(GRAPH[file]))
        if s and graph.value not in loaded.names:
            loaded.names[graph.value] = file
        loaded.store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    return loaded


def _with_key_holders_graph(loaded: LoadedGraph) -> LoadedGraph:
    """The same for an rdflib data graph (the pySHACL path)."""
    from .store.loaded import bundled_store

    data = [(s, p, o) for s, p, o in loaded.graph if loaded.origins.get(s)]
    keys, subjects = _file_keys(iter(data))
    if not any(keys.values()):
        return loaded
    for file, triples in _key_holders(bundled_store(), keys, subjects).values():
        loaded.add_triples(triples, origin=file or None)
    return loaded


def validate(
    paths: Sequence[str | Path] | None = None, *, engine: str = DEFAULT_ENGINE
) -> ValidationReport:
    """Validate the bundled data (no paths) or the given files with what they refer to.

    Files are checked against the workspace they join for keys that must be unique over the
    whole graph (a new Kommune carrying an AGS the workspace already has does not conform).
    """
    _check_engine(engine)
    with quiet_rdflib():
        if engine == "fast" and compiled_shapes() is not None:
            if paths is None:  # the workspace's compiled store, checked in place
                from .store.cache import compiled

                return validate_loaded_store(LoadedStore.of_graphs(compiled()))
            return validate_loaded_store(_with_key_holders_store(load_store(paths)))
        if paths is None:
            return validate_graph(load(paths), engine="pyshacl")
        return validate_graph(_with_key_holders_graph(load(paths)), engine="pyshacl")


@_quietly
def validate_document(data: bytes, origin: str) -> ValidationReport:
    """Validate a Turtle document not yet written (e.g. an import) with what it refers to."""
    return validate_graph(load_document(data, origin))


@_quietly
def validate_store(store: Store, name: str, *, engine: str = DEFAULT_ENGINE) -> ValidationReport:
    """Validate everything in a store (e.g. a remote endpoint), with the ontology beside it."""
    loaded = load([], with_ontology=True, referenced=False)
    data = store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    if len(data) == 0:  # nothing to check is not "conforms"
        raise StoreError(
            f"{name} shows no triples in its default graph: empty, or its named graphs are not "
            "served as the union default graph (oxigraph serve --union-default-graph)"
        )
    for s, p, o in data:
        loaded.graph.add((s, p, o))
        loaded.origins.setdefault(s, name)
    loaded.files.append(Path(name))
    return validate_graph(loaded, engine=engine)
