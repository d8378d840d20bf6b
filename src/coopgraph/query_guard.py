"""What the text of an untrusted SPARQL query shows before any parser sees it: its size, how
deeply it nests, which endpoints its SERVICE clauses call, and whether it is an update.

A lexical scan (comments, strings and IRIs skipped), linear in the length of the text and safe
in any thread. It guards the parsers: Oxigraph's recursive parser overflows the stack on a few
thousand nested braces, and a SERVICE clause makes the engine send HTTP requests to any address
the query names (server-side request forgery), so both are refused before a query runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

from .errors import InputError

MAX_QUERY_BYTES = 64 * 1024
MAX_DEPTH = 64  # braces, parentheses and brackets together; real queries stay below 20
UPDATE_WORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w*)
  | (?P<word>(?:[^\W\d]|_)[\w.\-\u00b7]*(?::[\w.\-:%\\\u00b7]*)?|:[\w.\-:%\\\u00b7]*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class QueryRefused(InputError):
    """A query refused for what it is, not for its syntax; ``status`` is the HTTP answer."""

    status = 400


class QueryTooLarge(QueryRefused):
    status = 413


@dataclass(frozen=True)
class Scan:
    """What the scan found."""

    depth: int  # deepest nesting of { ( [
    services: tuple[str, ...]  # SERVICE endpoints: resolved IRIs, or the variable/name as written
    first_word: str | None  # the first keyword after the prologue (BASE, PREFIX)

    @property
    def is_update(self) -> bool:
        return self.first_word is not None and self.first_word.upper() in UPDATE_WORDS


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def scan(text: str) -> Scan:
    """Scan query text (any length, any content) without parsing it.

    SPARQL allows ``\\uXXXX`` escapes anywhere in a query, and some engines (rdflib) expand them
    before parsing while others (Oxigraph) only within strings and IRIs; a query with escapes is
    scanned both ways and what either way finds counts."""
    raw = _scan(text)
    if not _ESCAPE.search(text):
        return raw
    expanded = _scan(_ESCAPE.sub(_unescape, text))
    return Scan(
        max(raw.depth, expanded.depth),
        raw.services + tuple(s for s in expanded.services if s not in raw.services),
        raw.first_word if raw.is_update or not expanded.is_update else expanded.first_word,
    )


def _unescape(m: re.Match[str]) -> str:
    code = int(m[1] or m[2], 16)
    return chr(code) if code <= 0x10FFFF else m[0]


def _scan(text: str) -> Scan:
    depth = deepest = 0
    services: list[str] = []
    prefixes: dict[str, str] = {}
    base = ""
    first_word: str | None = None
    pending: list[tuple[str, str]] = []  # the significant tokens after a keyword that needs them
    expect: str | None = None  # "prefix", "base", "service"
    for m in _TOKEN.finditer(text):
        kind, value = m.lastgroup, m.group()
        if kind in ("comment", "space"):
            continue
        if kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(0, depth - 1)
        if expect is not None:
            pending.append((kind or "", value))
            if expect == "base" and kind == "iri":
                base = urljoin(base, value[1:-1])
                expect = None
            elif expect == "prefix" and len(pending) == 2:
                if pending[0][0] == "word" and pending[1][0] == "iri":
                    prefixes[pending[0][1].rstrip(":")] = urljoin(base, pending[1][1][1:-1])
                expect = None
            elif expect == "service":
                if kind == "word" and value.upper() == "SILENT":
                    continue
                services.append(_endpoint(kind or "", value, prefixes, base))
                expect = None
            elif expect == "base":
                expect = None
            continue
        if kind != "word":
            continue
        word = value.upper()
        if word == "SERVICE":
            expect, pending = "service", []
        elif word in ("PREFIX", "BASE") and first_word is None:
            expect, pending = word.lower(), []
        elif first_word is None and ":" not in value:
            first_word = value
    return Scan(deepest, tuple(services), first_word)


def _endpoint(kind: str, value: str, prefixes: dict[str, str], base: str) -> str:
    if kind == "iri":
        return urljoin(base, value[1:-1])
    if kind == "word" and ":" in value:
        prefix, _, local = value.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return value  # a variable or an unknown name: never on an allow-list


def check(
    text: str, *, allow_service: Iterable[str] = (), max_bytes: int | None = MAX_QUERY_BYTES
) -> Scan:
    """The scan of a query that may run; QueryRefused for one too large, nested too deeply or
    calling a SERVICE endpoint not on ``allow_service``."""
    if max_bytes is not None:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > max_bytes:
            raise QueryTooLarge(
                f"the query is {size:,} bytes long; at most {max_bytes:,} are accepted"
            )
    found = scan(text)
    if found.depth > MAX_DEPTH:
        raise QueryRefused(
            f"the query nests braces, parentheses or brackets {found.depth} deep; "
            f"at most {MAX_DEPTH} are accepted"
        )
    allowed = set(allow_service)
    refused = [s for s in found.services if s not in allowed]
    if refused:
        raise QueryRefused(
            f"SERVICE (federated query) to {refused[0]} is not allowed here"
            + ("; allow an endpoint with --allow-service URL" if not allowed else
               f"; allowed endpoints: {', '.join(sorted(allowed))}")
        )  # fmt: skip
    return found


__all__ = ["MAX_DEPTH", "MAX_QUERY_BYTES", "QueryRefused", "QueryTooLarge", "Scan", "check", "scan"]
