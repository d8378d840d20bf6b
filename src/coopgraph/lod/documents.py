"""A resource's RDF documents: Turtle and N-Triples through pyoxigraph, compact JSON-LD with the
published context."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from ..namespaces import DATA_PREFIXES, ID, PREFIXES, VOCAB, XSD_NS
from .terms import RDF_TYPE, Subject, Term


def jsonld_context() -> dict[str, Any]:
    """The published JSON-LD context: coopgraph's prefixes, so documents use short names."""
    prefixes = {**PREFIXES, **DATA_PREFIXES}
    for kind in ("person", "organisation", "kontrakt", "gremium", "geschaeftsstelle"):
        prefixes.setdefault(kind, f"{ID}{kind}/")
    for scheme in ("handlungsfeld", "themenbereich", "gremienart", "kontraktart"):
        prefixes.setdefault(scheme, f"{VOCAB}{scheme}/")
    return {"@context": dict(sorted(prefixes.items()))}


class JsonLdWriter:
    """Compact JSON-LD with a referenced context: keys and types as prefixed names."""

    def __init__(self, context: dict[str, Any]) -> None:
        ctx = context["@context"]
        self._prefixes = sorted(ctx.items(), key=lambda kv: -len(kv[1]))

    def compact(self, iri: str) -> str:
        for prefix, ns in self._prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                local = iri[len(ns) :]
                if not local.startswith("//") and ":" not in local:
                    return f"{prefix}:{local}"
        return iri

    @staticmethod
    def _id(node: Subject) -> str:
        return node.value if isinstance(node, ox.NamedNode) else f"_:{node.value}"

    def _object(self, o: Term) -> dict[str, str]:
        if isinstance(o, ox.Literal):
            if o.language:
                return {"@value": o.value, "@language": o.language}
            if o.datatype.value == XSD_NS + "string":
                return {"@value": o.value}
            return {"@value": o.value, "@type": o.datatype.value}
        return {"@id": self._id(o)}

    def document(self, triples: Iterable[ox.Triple], context_ref: str) -> dict[str, Any]:
        nodes: dict[str, dict[str, Any]] = {}
        for t in triples:
            sid = self._id(t.subject)  # type: ignore[arg-type]
            node = nodes.setdefault(sid, {"@id": sid})
            if t.predicate == RDF_TYPE and isinstance(t.object, ox.NamedNode):
                node.setdefault("@type", []).append(self.compact(t.object.value))
            else:
                key = self.compact(t.predicate.value)
                node.setdefault(key, []).append(self._object(t.object))  # type: ignore[arg-type]
        return {"@context": context_ref, "@graph": [nodes[k] for k in sorted(nodes)]}


@lru_cache(maxsize=1)
def _namespaces() -> dict[str, str]:
    """Namespace IRI -> prefix, for the prefixes of the published context."""
    return {ns: prefix for prefix, ns in jsonld_context()["@context"].items()}


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("/"), iri.rfind("#")) + 1
    return iri[:cut]


def serialize(triples: Sequence[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    """Turtle / N-Triples through pyoxigraph's serializer; Turtle with the prefixes it uses."""
    prefixes = None
    if fmt == ox.RdfFormat.TURTLE:
        known = _namespaces()
        used: set[str] = set()
        for t in triples:
            used.add(_namespace(t.predicate.value))
            for x in (t.subject, t.object):
                if isinstance(x, ox.NamedNode):
                    used.add(_namespace(x.value))
                elif isinstance(x, ox.Literal) and not x.language:
                    used.add(_namespace(x.datatype.value))
        prefixes = {known[ns]: ns for ns in sorted(used) if ns in known}
    data = ox.serialize(triples, format=fmt, prefixes=prefixes)
    assert data is not None
    return data
