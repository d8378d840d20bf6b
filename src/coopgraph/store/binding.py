"""Binding query parameters as RDF terms: a ``VALUES`` block opening the WHERE clause.

Every backend binds the same way, so they answer the same. Each value is written as an RDF
term in N-Triples syntax by rdflib (quotes, newlines and braces escaped): data, never query
text. (pyoxigraph's own substitutions only reach projected variables; a remote endpoint has
no standard pre-binding at all.)
"""

from __future__ import annotations

import re

from ..errors import InputError
from . import Bindings

_WORD = re.compile(r"[A-Za-z_]+")
_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")


def _where_brace(query: str) -> int:
    """Index of the ``{`` that opens the query's WHERE clause (outside IRIs, strings, comments)."""
    i, n = 0, len(query)
    form = ""
    while i < n:
        c = query[i]
        if c == "#":
            end = query.find("\n", i)
            i = n if end < 0 else end + 1
        elif c in "\"'":
            quote = query[i : i + 3] if query[i : i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n and query[j : j + len(quote)] != quote:
                j += 2 if query[j] == "\\" else 1
            i = j + len(quote)
        elif c == "<" and _IRI.match(query, i):
            i = query.index(">", i) + 1
        elif c == "{":
            # the first brace opens the WHERE clause, except a CONSTRUCT template before WHERE
            if form != "CONSTRUCT":
                return i
            i += 1
        elif m := _WORD.match(query, i):
            word = m.group().upper()
            if not form and word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                form = word
            elif word == "WHERE":
                form = "WHERE"
            i = m.end()
        else:
            i += 1
    raise InputError("cannot find the WHERE clause of the query to bind its parameters")


def with_values(query: str, bindings: Bindings | None) -> str:
    """The query with its parameters bound by a VALUES block opening the WHERE clause."""
    if not bindings:
        return query
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(term.n3() for term in bindings.values())
    at = _where_brace(query) + 1
    return f"{query[:at]}\n  VALUES ({names}) {{ ({terms}) }}\n{query[at:]}"
