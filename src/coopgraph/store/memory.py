"""The reference backend: an rdflib graph in memory (simple, slow at national scale)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import cast

from pyparsing import ParseException
from rdflib import Graph
from rdflib.query import Result, ResultRow

from ..errors import InputError, RdfSyntaxError
from ..loader import expand_paths, parse_file
from . import Bindings, SelectResult
from .binding import with_values
from .loaded import LoadedGraph, load


class MemoryStore:
    """rdflib ``Graph.query`` with ``initBindings``."""

    name = "memory"

    def __init__(self, graph: Graph | None = None) -> None:
        self._loaded = LoadedGraph(graph=graph if graph is not None else Graph())

    @classmethod
    def bundled(cls) -> MemoryStore:
        return cls(load().graph)

    def _query(self, query: str, bindings: Bindings | None) -> Result:
        try:
            return self._loaded.graph.query(with_values(query, bindings))
        except ParseException as exc:
            raise RdfSyntaxError(f"SPARQL syntax error: {exc.msg}", line=exc.lineno) from exc

    def select(self, query: str, bindings: Bindings | None = None) -> SelectResult:
        result = self._query(query, bindings)
        if result.type != "SELECT":
            raise InputError("not a SELECT query")
        variables = tuple(str(v) for v in result.vars or ())
        rows = tuple(tuple(cast(ResultRow, row)) for row in result)
        return SelectResult(variables, rows)

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        result = self._query(query, bindings)
        if result.type != "ASK":
            raise InputError("not an ASK query")
        return bool(result.askAnswer)

    def construct(self, query: str, bindings: Bindings | None = None) -> Graph:
        result = self._query(query, bindings)
        if result.type not in ("CONSTRUCT", "DESCRIBE") or result.graph is None:
            raise InputError("not a CONSTRUCT or DESCRIBE query")
        return result.graph

    def load(self, paths: Sequence[Path]) -> int:
        before = len(self._loaded.graph)
        for path in expand_paths(paths):
            self._loaded.add_triples(parse_file(path), origin=str(path))
        return len(self._loaded.graph) - before

    def close(self) -> None:
        pass
