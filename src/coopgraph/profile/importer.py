"""``coopgraph import``: a profile built, validated with what it refers to, and written as the
cooperation's Turtle file only when it conforms; the change to the file and likely twins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.namespace import ORG, RDFS
from rdflib.term import Node

from .. import turtle
from ..errors import InputError
from ..namespaces import COOPERATION_PREFIXES
from .build import Built, build_file
from .document import Problem


@dataclass
class ImportResult:
    """What an import did or would do: the Turtle, its validation, the change to the file."""

    target: Path
    turtle: str
    report: Any  # validate.ValidationReport
    existed: bool
    added: list[str]
    removed: list[str]
    written: bool
    twins: list[tuple[str, str]] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    source: str = ""

    def diff_text(self, lang: str = "en") -> str:
        de = lang == "de"
        if not self.existed:
            head = (f"neue Datei {self.target}: {len(self.added)} Tripel" if de
                    else f"new file {self.target}: {len(self.added)} triples")  # fmt: skip
            return head + "\n"
        if not self.added and not self.removed:
            return (
                f"{self.target}: kein Tripel geändert\n"
                if de
                else f"{self.target}: no triple changed\n"
            )
        counts = f"+{len(self.added)} −{len(self.removed)}"
        head = (
            f"Änderungen an {self.target}: {counts} Tripel"
            if de
            else f"changes to {self.target}: {counts} triples"
        )
        lines = [f"  - {t}" for t in self.removed] + [f"  + {t}" for t in self.added]
        return head + "\n" + "\n".join(lines) + "\n"

    def warnings(self, lang: str = "en") -> str:
        """Approximate name matches to review, and cooperations with the same members (probably
        the same one under another IRI)."""
        out = "".join(f"coopgraph: note: {n.render(self.source, lang)}\n" for n in self.notes)
        for iri, name in self.twins:
            out += (
                f"coopgraph: Warnung: {iri} ({name}) hat genau dieselben Mitglieder; "
                "dieselbe Kooperation?\n"
                if lang == "de"
                else f"coopgraph: warning: {iri} ({name}) has exactly the same members; "
                "the same cooperation?\n"
            )
        return out


def _graph_of(data: bytes, origin: str) -> Graph:
    import pyoxigraph as ox

    from ..errors import RdfSyntaxError
    from ..loader import to_rdflib

    g = Graph()
    try:
        for q in ox.parse(data, format=ox.RdfFormat.TURTLE):
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    except SyntaxError as exc:
        raise RdfSyntaxError(f"syntax error: {exc}", file=origin, line=exc.lineno) from exc
    return g


def _triple_text(g: Graph, triples: Iterable[tuple[Node, Node, Node]]) -> list[str]:
    nm = turtle._namespace_manager(COOPERATION_PREFIXES)
    return sorted(" ".join(t.n3(nm) for t in triple) + " ." for triple in triples)


def import_profile(
    path: str | Path, data_dir: str | Path, *, dry_run: bool = False
) -> ImportResult:
    """Build a profile's Turtle, validate it with what it refers to and, only if it conforms
    (and not ``dry_run``), write ``data_dir/kooperationen/<slug>.ttl`` atomically."""
    from ..register import write_atomically
    from ..validate import validate_document

    data = Path(data_dir)
    if not data.is_dir():
        raise InputError("no such data folder (give --data DIR)", file=data)
    built = build_file(path)
    text = built.to_turtle()
    target = data / "kooperationen" / f"{built.slug}.ttl"
    report = validate_document(text.encode("utf-8"), str(target))
    new = _graph_of(text.encode("utf-8"), str(target))
    existed = target.is_file()
    old = _graph_of(target.read_bytes(), str(target)) if existed else Graph()
    added = _triple_text(new, set(new) - set(old))
    removed = _triple_text(old, set(old) - set(new))
    written = False
    if (
        report.conforms
        and not dry_run
        and (not existed or target.read_bytes() != text.encode("utf-8"))
    ):
        write_atomically(target, text.encode("utf-8"))
        written = True
    twins = same_members(built)
    return ImportResult(
        target, text, report, existed, added, removed, written, twins, built.notes, str(path)
    )


def same_members(built: Built) -> list[tuple[str, str]]:
    """Other bundled cooperations with exactly the same members: (IRI, label), likely the same
    body under another IRI (e.g. an Amt the register already holds as ``gemeindeverband-…``)."""
    import pyoxigraph as ox

    from ..store.loaded import bundled_store

    members = sorted(str(m) for m in built.graph.objects(built.iri, ORG.hasMember))
    if not members:
        return []
    values = " ".join(f"<{m}>" for m in members)
    query = f"""
        SELECT ?k (SAMPLE(?label) AS ?name) WHERE {{
          ?k <{ORG.hasMember}> ?m . VALUES ?m {{ {values} }}
          FILTER (?k != <{built.iri}>)
          FILTER NOT EXISTS {{ ?k <{ORG.hasMember}> ?other .
                               FILTER (?other NOT IN ({", ".join(f"<{m}>" for m in members)})) }}
          OPTIONAL {{ ?k <{RDFS.label}> ?label }}
        }} GROUP BY ?k HAVING (COUNT(DISTINCT ?m) = {len(members)})"""
    rows = bundled_store().query(query, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    out = []
    for row in rows:
        k, name = row["k"], row["name"]
        out.append((str(getattr(k, "value", k)), str(getattr(name, "value", "")) if name else ""))
    return sorted(out)
