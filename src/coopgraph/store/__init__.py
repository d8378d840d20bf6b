"""Stores behind one small interface: ``select``, ``ask``, ``construct``, ``load``, ``close``.

Backends are picked by name from one registry:

- ``oxigraph`` (default): embedded pyoxigraph in memory, loaded with the ontology and bundled data;
- ``oxigraph:DIR``: an embedded pyoxigraph store on disk (the generation ``DIR`` points to,
  see ``generations``), used as it is;
- ``memory``: an rdflib graph of the ontology and bundled data (the reference, slow at scale);
- ``http://…`` / ``https://…``: any SPARQL 1.1 endpoint, through SPARQLWrapper.

Query parameters are RDF terms, bound the same way in every backend (see ``binding``), never
pasted text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..errors import InputError

if TYPE_CHECKING:  # annotations only: opening a store imports rdflib, this module does not
    from rdflib import Graph
    from rdflib.term import Node

Bindings = Mapping[str, "Node"]


@dataclass(frozen=True)
class SelectResult:
    """Rows of a SELECT query: variable names and rdflib terms (None where unbound)."""

    variables: tuple[str, ...]
    rows: tuple[tuple[Node | None, ...], ...]

    def dicts(self) -> list[dict[str, Node | None]]:
        return [dict(zip(self.variables, row, strict=True)) for row in self.rows]


class Store(Protocol):
    """What every backend offers."""

    name: str

    def select(self, query: str, bindings: Bindings | None = None) -> SelectResult: ...

    def ask(self, query: str, bindings: Bindings | None = None) -> bool: ...

    def construct(self, query: str, bindings: Bindings | None = None) -> Graph: ...

    def load(self, paths: Sequence[Path]) -> int: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class StoreOptions:
    """How to open a store: ``timeout`` (seconds, endpoints), ``create`` (a new store on disk)."""

    timeout: float | None = None
    create: bool = False


def _oxigraph(arg: str | None, options: StoreOptions) -> Store:
    from .oxigraph import OxigraphStore

    if arg:
        return OxigraphStore.on_disk(Path(arg), create=options.create)
    return OxigraphStore.bundled()


def _memory(arg: str | None, options: StoreOptions) -> Store:
    from .memory import MemoryStore

    return MemoryStore.bundled()


def _sparql(arg: str | None, options: StoreOptions) -> Store:
    from .sparql import SparqlStore

    assert arg is not None
    return SparqlStore(arg, timeout=options.timeout)


REGISTRY: dict[str, Callable[[str | None, StoreOptions], Store]] = {
    "oxigraph": _oxigraph,
    "memory": _memory,
    "sparql": _sparql,
}


def open_store(spec: str, *, timeout: float | None = None, create: bool = False) -> Store:
    """Open a store by its spec: ``oxigraph``, ``oxigraph:DIR``, ``memory`` or an endpoint URL.

    ``timeout`` bounds each request to an endpoint; ``create`` lets ``oxigraph:DIR`` start an
    empty store (only ``coopgraph load`` does).
    """
    options = StoreOptions(timeout=timeout, create=create)
    if spec.startswith(("http://", "https://")):
        return REGISTRY["sparql"](spec, options)
    name, _, arg = spec.partition(":")
    factory = REGISTRY.get(name)
    if factory is None or (name == "sparql" and not arg):
        raise InputError(
            f"unknown store {spec!r}: use 'oxigraph', 'oxigraph:DIR', 'memory' or the URL of a "
            "SPARQL endpoint",
            field="--store",
        )
    return factory(arg or None, options)


__all__ = ["REGISTRY", "Bindings", "SelectResult", "Store", "StoreOptions", "open_store"]
