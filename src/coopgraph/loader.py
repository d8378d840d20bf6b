"""Read RDF files: which files, parsing with ``file:line`` errors, and term conversion.

Parsing goes through pyoxigraph (fast, with precise syntax positions); terms convert to and from
rdflib, which pySHACL and the in-memory store work on. This module only parses: graphs and
stores built from files (and their graph names) live in ``store`` (``store.loaded``,
``store.graphs``), which imports this module and never the other way round.
"""

from __future__ import annotations

import stat
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from .errors import InputError, RdfSyntaxError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_EXTENSIONS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES,
                  ".rdf": ox.RdfFormat.RDF_XML, ".owl": ox.RdfFormat.RDF_XML}  # fmt: skip


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    """Convert one pyoxigraph term into the equal rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == XSD_STRING:
            return Literal(term.value)
        # the same term: rdflib would otherwise rewrite the lexical form it can parse
        # ("ja"^^xsd:boolean becomes "false", "015"^^xsd:integer "15")
        return Literal(term.value, datatype=URIRef(dt), normalize=False)
    raise InputError(f"RDF-star triple terms are not supported: {term}")


def regular_file(path: Path) -> Path:
    """``path`` if it is a regular file (through symlinks); a symlink loop, a FIFO, a device or
    a socket is an InputError (reading a FIFO could block forever)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise InputError("a symlink to nothing", file=path) from None
        raise InputError("no such file or folder", file=path) from None
    except OSError as exc:  # ELOOP: a symlink loop
        raise InputError(f"cannot read: {exc.strerror or exc}", file=path) from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError("not a regular file", file=path)
    return path


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, plus every RDF file below each named folder; missing ones are an error, and
    so is anything that is not a regular file."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in RDF_EXTENSIONS)
            if not found:
                raise InputError("folder holds no RDF files (.ttl, .nt, .rdf)", file=path)
            out.extend(regular_file(p) for p in found)
        else:
            out.append(regular_file(path))
    return out


def parse_file(path: Path) -> list[ox.Triple]:
    """Parse one RDF file; a syntax error names the file and line."""
    fmt = RDF_EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"unknown RDF file type {path.suffix!r} (expected {', '.join(RDF_EXTENSIONS)})",
            file=path,
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=path) from exc
    try:
        return [q.triple for q in ox.parse(data, format=fmt, base_iri=path.resolve().as_uri())]
    except SyntaxError as exc:
        message = str(exc.msg if hasattr(exc, "msg") else exc)
        message = message.split(": ", 1)[1] if message.startswith("Parser error") else message
        raise RdfSyntaxError(f"syntax error: {message}", file=path, line=exc.lineno) from exc
    except ValueError as exc:  # e.g. invalid UTF-8
        raise RdfSyntaxError(f"cannot parse: {exc}", file=path) from exc


def to_oxigraph_term(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
    """The pyoxigraph term equal to an rdflib term (None for anything else, e.g. a variable)."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    return None


def display_name(path: Path) -> str:
    """A file as messages show it: relative to the working directory where it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
