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
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from . import resources
from .errors import InputError, StoreError, UnsupportedShapeError
from .loader import (
    LoadedGraph,
    LoadedStore,
    expand_paths,
    graph_of,
    load,
    load_document,
    load_store,
    parse_file,
    to_rdflib,
)
from .loader import _display as loader_display
from .namespaces import PREFIXES, SH
from .shacl_sparql import CompiledShapes, RawResult, compile_shapes, copy_path
from .store import Store

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
        n_warn = len(self.violations) - n_viol
        if lang == "de":
            summary = (
                f"{len(self.files)} Datei(en), {self.triples} Tripel: "
                + ("konform" if self.conforms else "nicht konform")
                + f" ({n_viol} Verstöße, {n_warn} Warnungen)"
            )
        else:
            summary = (
                f"{len(self.files)} file(s), {self.triples} triples: "
                + ("conforms" if self.conforms else "does not conform")
                + f" ({n_viol} violations, {n_warn} warnings)"
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
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        value = report.value(result, SH.value)
        severity = report.value(result, SH.resultSeverity)
        messages = tuple(
            sorted(
                (m.language or message_languages().get(str(m), ""), str(m))
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


def _pyshacl_report(data_graph: Graph) -> Graph:
    from pyshacl import validate as shacl_validate

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
    return report_graph


def _report(
    violations: list[Violation], report_graph: Graph, files: Sequence[Path], triples: int
) -> ValidationReport:
    violations.sort(
        key=lambda v: (v.file or "~", v.focus, v.path or "", v.constraint, v.value or "")
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
    report.add((node, SH.conforms, Literal(not any(r.severity == "Violation" for r in raw))))
    out = []
    for r in raw:
        focus = to_rdflib(r.focus)
        value = to_rdflib(r.value) if r.value is not None else None
        result = BNode()
        report.add((node, SH.result, result))
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


def validate(
    paths: Sequence[str | Path] | None = None, *, engine: str = DEFAULT_ENGINE
) -> ValidationReport:
    """Validate the bundled data (no paths) or the given files with what they refer to."""
    _check_engine(engine)
    if engine == "fast" and compiled_shapes() is not None:
        if paths is None:  # the workspace's compiled store, checked in place
            from .loader import LoadedStore
            from .store.cache import compiled

            return validate_loaded_store(LoadedStore.of_graphs(compiled()))
        return validate_loaded_store(load_store(paths))
    return validate_graph(load(paths), engine="pyshacl")


def validate_document(data: bytes, origin: str) -> ValidationReport:
    """Validate a Turtle document not yet written (e.g. an import) with what it refers to."""
    return validate_graph(load_document(data, origin))


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
