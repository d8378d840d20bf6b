"""Readable, deterministic Turtle for one cooperation's file.

rdflib writes every term (escaping, prefixed names, datatypes); this module only decides the
layout the hand-written files had: subjects grouped in sections with a comment line, ``a``
first, predicates in a fixed reading order, short IRI lists packed onto lines, a comment with
the member's name after ``org:member``. The same graph and outline always give the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, RDF, RDFS, SKOS, TIME, NamespaceManager
from rdflib.term import Node

from .namespaces import COOP, GEO, SCHEMA

LINE = 100
INDENT = "    "
CONTINUATION = "        "

# Predicates in the order a reader expects them; anything else follows alphabetically,
# dct:source always comes last.
PREDICATE_ORDER: tuple[URIRef, ...] = (
    RDFS.label, SKOS.altLabel, SCHEMA.honorificPrefix, SCHEMA.name, DCTERMS.title,
    DCTERMS.publisher, DCTERMS.date, COOP.abgerufenAm, FOAF.page, DCTERMS.description,
    SCHEMA.slogan, COOP.ziel, COOP.rechtsgrundlage, COOP.themenbereich, COOP.rechtsform,
    COOP.kontraktart, COOP.gremienart, COOP.sitz, COOP.land, COOP.staat, COOP.gebietskoerperschaft,
    COOP.gruendungsdatum, COOP.projektstart, COOP.mitgliederVollstaendig,
    FOAF.homepage, OWL.sameAs, GEO.hasGeometry, GEO.asWKT, COOP.kontaktperson, COOP.partner,
    SCHEMA.funder, COOP.handlungsfeld, COOP.geschaeftsstelle, ORG.hasSite, ORG.hasUnit,
    ORG.siteOf, COOP.traeger, COOP.abschluss, COOP.unterzeichnetDurch, COOP.unterzeichner,
    ORG.resultingOrganization, ORG.member, ORG.organization, ORG.role, ORG.memberDuring,
    TIME.hasBeginning, TIME.hasEnd, TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear,
    COOP.beginnUnbekannt,
    COOP.bestaetigtAm, COOP.bestandteilVon, ORG.unitOf, COOP.status, SCHEMA.worksFor,
    SCHEMA.email, SCHEMA.telephone, SCHEMA.address, COOP.schreibweiseInQuelle, SKOS.note,
    ORG.hasMember,
)  # fmt: skip
_RANK: dict[Node, int] = {p: i for i, p in enumerate(PREDICATE_ORDER)}
_LANG_RANK = {"de": 0, "en": 1}


@dataclass
class Section:
    """A group of subjects written together under one comment line (or none)."""

    comment: str | None
    subjects: list[URIRef] = field(default_factory=list)


def _namespace_manager(prefixes: Mapping[str, str]) -> NamespaceManager:
    nm = NamespaceManager(Graph(bind_namespaces="none"), bind_namespaces="none")
    for prefix, ns in prefixes.items():
        nm.bind(prefix, ns, override=True, replace=True)
    return nm


def _object_key(o: Node) -> tuple[int, int, str]:
    if isinstance(o, Literal):
        return (1, _LANG_RANK.get(o.language or "", 2), str(o))
    return (0, 0, str(o))


def _type_key(o: Node) -> tuple[int, int, str]:
    """coopgraph's own class first (``a coop:Kooperation , org:OrganizationalCollaboration``)."""
    return (0 if str(o).startswith(str(COOP)) else 1, 0, str(o))


class _Writer:
    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.prefixes = dict(prefixes)
        self.nm = _namespace_manager(prefixes)
        self.used: set[str] = set()

    def term(self, node: Node) -> str:
        if isinstance(node, URIRef):
            if node == RDF.type:
                return "a"
            text = node.n3(self.nm)
        elif isinstance(node, Literal):
            text = node.n3(self.nm)
        else:
            raise ValueError(f"blank nodes are not written: {node!r}")
        for prefix, ns in self.prefixes.items():
            named = isinstance(node, URIRef) and str(node).startswith(ns)
            typed = isinstance(node, Literal) and str(node.datatype or "").startswith(ns)
            if (text.startswith(prefix + ":") and named) or (f"^^{prefix}:" in text and typed):
                self.used.add(prefix)
        return text

    def objects(self, objs: list[Node], head: str) -> str:
        key = _type_key if head.endswith(" a") else _object_key
        terms = [self.term(o) for o in sorted(objs, key=key)]
        if all(isinstance(o, URIRef) for o in objs):
            lines: list[str] = []
            line = head
            for i, t in enumerate(terms):
                piece = t + (" ," if i < len(terms) - 1 else "")
                if line != head and len(line) + 1 + len(piece) + 2 > LINE:
                    lines.append(line)
                    line = CONTINUATION + piece
                else:
                    line = f"{line} {piece}" if line != head else f"{head} {piece}"
            lines.append(line)
            return "\n".join(lines)
        one_line = head + " " + " , ".join(terms)
        if len(one_line) + 2 <= LINE:
            return one_line
        return head + " " + (" ,\n" + CONTINUATION).join(terms)

    def subject(self, graph: Graph, s: URIRef, comments: Mapping[Node, str]) -> str:
        preds = sorted(
            set(graph.predicates(s)),
            key=lambda p: (p != RDF.type, p == DCTERMS.source, _RANK.get(p, len(_RANK)), str(p)),
        )
        parts = []
        for p in preds:
            objs = list(graph.objects(s, p))
            text = self.objects(objs, INDENT + self.term(p))
            comment = comments.get(objs[0]) if len(objs) == 1 and p == ORG.member else None
            parts.append((text, comment))
        out = [self.term(s)]
        for i, (text, comment) in enumerate(parts):
            end = " ;" if i < len(parts) - 1 else " ."
            out.append(text + end + (f"  # {comment}" if comment else ""))
        return "\n".join(out)


def write(
    graph: Graph,
    sections: Sequence[Section],
    *,
    header: str,
    prefixes: Mapping[str, str],
    comments: Mapping[Node, str] | None = None,
) -> str:
    """The graph as Turtle: header comment, the prefixes used, then each section in order.

    Subjects no section names are written last, sorted, so nothing is ever dropped.
    """
    writer = _Writer(prefixes)
    seen: set[Node] = set()
    blocks: list[str] = []
    for section in sections:
        subjects = [s for s in section.subjects if s not in seen and (s, None, None) in graph]
        if not subjects:
            continue
        text = "\n\n".join(writer.subject(graph, s, comments or {}) for s in subjects)
        if section.comment:
            text = f"# {'-' * 64} {section.comment}\n\n{text}"
        blocks.append(text)
        seen.update(subjects)
    rest = sorted({s for s in graph.subjects() if s not in seen}, key=str)
    for s in rest:
        if not isinstance(s, URIRef):
            raise ValueError(f"blank nodes are not written: {s!r}")
        blocks.append(writer.subject(graph, s, comments or {}))
    used = [p for p in prefixes if p in writer.used]
    width = max((len(p) for p in used), default=0) + 2
    prefix_lines = [f"@prefix {(p + ':').ljust(width)}<{prefixes[p]}> ." for p in used]
    head = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return head + "\n" + "\n".join(prefix_lines) + "\n\n" + "\n\n".join(blocks) + "\n"
