"""Saved SPARQL queries: the catalog in ``queries/*.rq``, their metadata, typed parameters, running.

A query file starts with ``#+`` metadata lines::

    #+ summary@de: Mitglieder einer Kooperation zu einem Stichtag
    #+ summary@en: Members of a cooperation on a given date
    #+ param kooperation: iri, example https://w3id.org/coopgraph/id/kooperation/staedteregion-ruhr
    #+ param stichtag: date, example 2005-01-01
    #+ param land: string, optional, example 05

A parameter ``name`` is the variable ``?name``; its value is turned into an RDF term of the
declared type and bound by the store, never pasted into the query text.

    >>> from coopgraph import queries
    >>> rows = queries.run("mitglieder-zum-stichtag", kooperation=..., stichtag="2005-01-01")
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import resources
from .errors import InputError, RdfSyntaxError

if TYPE_CHECKING:  # rdflib is imported where it is used: listing queries needs no rdflib
    from rdflib import Graph
    from rdflib.term import Node

    from .store import SelectResult, Store

PARAM_TYPES = ("iri", "string", "date", "year", "integer")
_META = re.compile(
    r"^#\+\s*(?P<key>[\w-]+)(?:@(?P<lang>[a-z]{2}))?(?:\s+(?P<arg>[\w-]+))?\s*:\s*(?P<value>.*)$"
)
_PARAM_SPEC = re.compile(
    r"^(?P<type>\w+)(?P<optional>,\s*optional)?(?:,\s*example\s+(?P<example>.+))?$"
)
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]+$")


@dataclass(frozen=True)
class Param:
    """A declared query parameter."""

    name: str
    type: str
    optional: bool = False
    example: str | None = None

    def bind(self, raw: str) -> Node:
        """The RDF term for a value given as text; an ill-typed value is an InputError."""
        return to_term(raw, self.type, field=self.name)


@dataclass(frozen=True)
class SavedQuery:
    """One ``.rq`` file: its name, text, form (SELECT …), summaries and parameters."""

    name: str
    path: Path
    text: str
    form: str
    summary: Mapping[str, str] = field(default_factory=dict)
    notes: Mapping[str, str] = field(default_factory=dict)
    params: tuple[Param, ...] = ()

    def summary_in(self, lang: str) -> str:
        return self.summary.get(lang) or next(iter(self.summary.values()), "")

    def bindings(self, values: Mapping[str, str | Node]) -> dict[str, Node]:
        """Check names, types and required parameters; return the RDF terms to bind."""
        declared = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(declared))
        if unknown:
            known = ", ".join(declared) or "none"
            raise InputError(
                f"unknown parameter for query {self.name!r} (its parameters: {known})",
                field=unknown[0],
            )
        missing = [p.name for p in self.params if not p.optional and p.name not in values]
        if missing:
            p = declared[missing[0]]
            example = f", e.g. {p.name}={p.example}" if p.example else ""
            raise InputError(
                f"missing required parameter of type {p.type} for query {self.name!r}{example}",
                field=p.name,
            )
        from rdflib.term import Node

        out: dict[str, Node] = {}
        for name, value in values.items():
            out[name] = value if isinstance(value, Node) else declared[name].bind(value)
        return out


# parameters whose values are concepts of the scheme named alike (``-p rechtsform=zweckverband``)
_SCHEME_PARAMS = ("rechtsform", "handlungsfeld", "themenbereich", "gremienart", "kontraktart")


def _short_iri(raw: str, param: str) -> str | None:
    """The IRI a short form names: an AGS (Kommune), a Kreis or Land key, a concept's local
    name (for a parameter named after its scheme) or a slug (Kooperation); else None."""
    from .namespaces import ID, VOCAB

    text = raw.strip()
    if param in _SCHEME_PARAMS and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", text):
        return f"{VOCAB}{param}/{text}"
    if re.fullmatch(r"\d{8}", text):
        return f"{ID}kommune/{text}"
    if re.fullmatch(r"\d{5}", text):
        return f"{ID}kreis/{text}"
    if re.fullmatch(r"\d{2}", text):
        return f"{ID}land/{text}"
    if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", text) and not text.isdigit():
        return f"{ID}kooperation/{text}"
    return None


def to_term(raw: str, type_: str, *, field: str) -> Node:
    """Turn a parameter value given as text into an RDF term of the declared type."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    if type_ == "iri":
        short = _short_iri(raw, field)
        if short is not None:
            return URIRef(short)
        if not _IRI.match(raw):
            raise InputError(
                f"not an absolute IRI, an AGS or a cooperation's slug: {raw!r}", field=field
            )
        return URIRef(raw)
    if type_ == "date":
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                raise ValueError
            dt.date.fromisoformat(raw)
        except ValueError:
            raise InputError(f"not a date (YYYY-MM-DD): {raw!r}", field=field) from None
        return Literal(raw, datatype=XSD.date)
    if type_ == "year":
        if not re.fullmatch(r"\d{4}", raw):
            raise InputError(f"not a year (YYYY): {raw!r}", field=field)
        return Literal(raw, datatype=XSD.gYear)
    if type_ == "integer":
        if not re.fullmatch(r"[+-]?\d+", raw):
            raise InputError(f"not an integer: {raw!r}", field=field)
        return Literal(int(raw))
    if type_ == "string":
        return Literal(raw)
    raise InputError(f"unknown parameter type {type_!r} (one of {', '.join(PARAM_TYPES)})")


RDFLIB_POSITION_MAX = 8_000  # characters


def _form(text: str, path: Path) -> str:
    """The query's form, checking its syntax with Oxigraph's SPARQL parser (fast, in Rust, and
    safe to call from several threads)."""
    import pyoxigraph as ox

    from .query_guard import MAX_DEPTH, QueryRefused, scan

    found = scan(text)
    if found.depth > MAX_DEPTH:  # the recursive parser would overflow the stack
        raise QueryRefused(f"the query nests {found.depth} deep; at most {MAX_DEPTH} is accepted",
                           file=path)  # fmt: skip
    if found.services:  # even on an empty store the engine would call them: the form by its word
        first = (found.first_word or "").upper()
        if first not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            raise RdfSyntaxError("SPARQL syntax error: not a SELECT, ASK, CONSTRUCT or DESCRIBE "
                                 "query", file=path)  # fmt: skip
        return first
    try:
        result = ox.Store().query(text)  # an empty store: parsing is the whole cost
    except SyntaxError as exc:
        message = str(exc)
        m = re.match(r"error at (\d+):\d+: ", message)
        line = int(m[1]) if m else None
        # Oxigraph often places the error where parsing gave up (the end); rdflib's parser
        # names the line where the grammar failed, so ask it for the position (errors only, and
        # short queries only: pyparsing takes minutes on a long one)
        if len(text) > RDFLIB_POSITION_MAX:
            raise RdfSyntaxError(f"SPARQL syntax error: {message}", file=path, line=line) from None
        from pyparsing import ParseException
        from rdflib.plugins.sparql.parser import parseQuery

        try:
            parseQuery(text)
        except ParseException as pexc:
            message, line = pexc.msg, pexc.lineno
        except Exception:  # any other failure: keep the position Oxigraph gave
            pass
        raise RdfSyntaxError(f"SPARQL syntax error: {message}", file=path, line=line) from None
    if isinstance(result, ox.QuerySolutions):
        return "SELECT"
    if isinstance(result, ox.QueryBoolean):
        return "ASK"
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    word = _FORM_WORD.search(body)
    return "DESCRIBE" if word and word[1].upper() == "DESCRIBE" else "CONSTRUCT"


def _metadata(text: str, path: Path) -> tuple[dict[str, str], dict[str, str], tuple[Param, ...]]:
    summary: dict[str, str] = {}
    notes: dict[str, str] = {}
    params: list[Param] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#+"):
            continue
        m = _META.match(line)
        if not m:
            raise InputError("malformed metadata line", file=path, line=number)
        key, lang, arg, value = m["key"], m["lang"] or "", m["arg"], m["value"].strip()
        if key == "summary":
            summary[lang] = value
        elif key == "note":
            notes[lang] = value
        elif key == "param" and arg:
            spec = _PARAM_SPEC.match(value)
            if not spec or spec["type"] not in PARAM_TYPES:
                raise InputError(
                    f"parameter {arg!r}: expected 'TYPE[, optional][, example VALUE]' with TYPE "
                    f"one of {', '.join(PARAM_TYPES)}",
                    file=path,
                    line=number,
                )
            params.append(Param(arg, spec["type"], bool(spec["optional"]), spec["example"]))
        else:
            raise InputError(f"unknown metadata key {key!r}", file=path, line=number)
    return summary, notes, tuple(params)


def read(path: str | Path) -> SavedQuery:
    """Read and check one query file (metadata and SPARQL syntax)."""
    path = Path(path)
    text = _read_text(path)
    summary, notes, params = _metadata(text, path)
    return SavedQuery(path.stem, path, text, _form(text, path), summary, notes, params)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read query file: {exc}", file=path) from exc


_FORM_WORD = re.compile(r"^\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE | re.MULTILINE)


def headers() -> list[SavedQuery]:
    """Every saved query's name, summary and parameters from its ``#+`` header alone.

    For listing (``coopgraph query --list``): no SPARQL parsing and no rdflib import, so it is
    fast; the form is the first query keyword. ``catalog()`` checks the SPARQL as well.
    """
    out = []
    for path in resources.query_files():
        text = _read_text(path)
        summary, notes, params = _metadata(text, path)
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        form = _FORM_WORD.search(body)
        out.append(
            SavedQuery(
                path.stem, path, text, form[1].upper() if form else "SELECT", summary, notes, params
            )
        )
    return out


@lru_cache(maxsize=1)
def catalog() -> dict[str, SavedQuery]:
    """Every saved query of the package, by name."""
    return {p.stem: read(p) for p in resources.query_files()}


def get(name_or_path: str | Path) -> SavedQuery:
    """A saved query by name, or a query file by path."""
    text = str(name_or_path)
    if text.endswith(".rq") or "/" in text or Path(text).is_file():
        if not Path(text).is_file():
            raise InputError("no such query file", file=text)
        return read(text)
    path = resources.queries_dir() / f"{text}.rq"
    if not path.is_file():
        raise InputError(
            f"no saved query named {text!r}; `coopgraph query --list` shows them", field="query"
        )
    return read(path)


@dataclass(frozen=True)
class QueryResult:
    """What a query gave: rows (SELECT), a boolean (ASK) or a graph (CONSTRUCT/DESCRIBE)."""

    form: str
    select: SelectResult | None = None
    boolean: bool | None = None
    graph: Graph | None = None


def execute(
    store: Store, text: str, form: str, bindings: Mapping[str, Node] | None = None
) -> QueryResult:
    """Run query text of a known form on a store."""
    if form == "SELECT":
        return QueryResult(form, select=store.select(text, bindings))
    if form == "ASK":
        return QueryResult(form, boolean=store.ask(text, bindings))
    return QueryResult(form, graph=store.construct(text, bindings))


def adhoc(text: str) -> SavedQuery:
    """An ad-hoc query given on the command line, checked like a saved one."""
    where = Path("<query>")
    return SavedQuery("adhoc", where, text, _form(text, where))


def run(
    name_or_path: str | Path, *, store: Store | None = None, **params: str | Node
) -> list[dict[str, Node | None]]:
    """Run a saved SELECT query and return its rows as dicts (library entry point)."""
    query = get(name_or_path)
    if query.form != "SELECT":
        raise InputError(f"query {query.name!r} is a {query.form} query, not SELECT")
    active = store if store is not None else default_store()
    result = execute(active, query.text, query.form, query.bindings(params))
    assert result.select is not None
    return result.select.dicts()


@lru_cache(maxsize=1)
def default_store() -> Store:
    """The embedded store with the bundled data, opened once per process."""
    from .store import open_store

    return open_store("oxigraph")


LABEL_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?label WHERE { VALUES ?s { %s } ?s rdfs:label|skos:prefLabel ?label }
"""


def labels(store: Store, nodes: set[Node], lang: str) -> dict[Node, str]:
    """A human label for each IRI that has one, preferring ``lang``, then untagged, then any."""
    from rdflib import Literal, URIRef

    iris = sorted(n for n in nodes if isinstance(n, URIRef))
    found: dict[Node, tuple[int, str]] = {}
    for start in range(0, len(iris), 2000):
        chunk = " ".join(i.n3() for i in iris[start : start + 2000])  # IRIs from results
        for s, label in store.select(LABEL_QUERY % chunk).rows:
            if s is None or not isinstance(label, Literal):
                continue
            rank = 0 if label.language == lang else 1 if not label.language else 2
            if s not in found or (rank, str(label)) < found[s]:
                found[s] = (rank, str(label))
    return {s: text for s, (_, text) in found.items()}
