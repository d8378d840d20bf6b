"""Named graphs in a store: one per source file, named after the file's path.

``load`` (embedded store on disk) and ``push`` (SPARQL endpoint) both put each file into its own
named graph and replace that graph on the next run, so loading twice never duplicates triples.
The graph name comes from the file's path relative to the package (``data/…``, ``ontology/…``,
the same in a checkout and an installed wheel) or, for other files, relative to the working
directory; see ``namespaces.graph_iri``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .. import resources
from ..loader import expand_paths, parse_file
from ..namespaces import graph_iri


@dataclass(frozen=True)
class Source:
    """One RDF file and the named graph it goes into."""

    path: Path
    name: str  # e.g. "data/kooperationen/staedteregion-ruhr.ttl"

    @property
    def graph(self) -> str:
        return str(graph_iri(self.name))


def source_name(path: Path) -> str:
    """A file's stable name: its path below the package or a checkout (``data/…``,
    ``ontology/…``) or the working directory, with ``/`` separators; an absolute path (without
    the leading ``/``) otherwise."""
    resolved = path.resolve()
    for prefix, root in (("ontology", resources.ontology_dir()), ("data", resources.data_dir())):
        try:
            return f"{prefix}/{resolved.relative_to(root.resolve()).as_posix()}"
        except ValueError:
            continue
    # a checkout of the repository (or a data repository laid out like it) names its files the
    # same way, whether or not the package is installed from it
    for parent in resolved.parents:
        if parent.name in ("data", "ontology") and (parent.parent / "ontology").is_dir():
            return f"{parent.name}/{resolved.relative_to(parent).as_posix()}"
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix().lstrip("/")


def graph_of(path: Path) -> ox.NamedNode:
    """The named graph of a file, the same as ``coopgraph load`` and ``push`` give it."""
    return ox.NamedNode(str(graph_iri(source_name(path))))


def sources(paths: Sequence[str | Path] | None = None) -> list[Source]:
    """The files to load: the given files and folders, or the ontology (with its vocabularies)
    and all bundled data; a file named twice (e.g. itself and its folder) counts once."""
    files = expand_paths(paths) if paths else [*resources.ontology_files(), *resources.data_files()]
    found: dict[str, Source] = {}
    for path in files:
        src = Source(path, source_name(path))
        found.setdefault(src.name, src)  # the same file named twice (e.g. a file and its folder)
    return list(found.values())


@dataclass(frozen=True)
class Transfer:
    """What ``load`` or ``push`` did: files, distinct triples read, wall-clock seconds."""

    target: str
    files: int
    triples: int
    seconds: float
    union_default_graph: bool = True
    unchanged: int = 0  # graphs the store already held with the same triples

    def to_text(self) -> str:
        same = f" ({self.unchanged} unchanged)" if self.unchanged else ""
        s = "" if self.files == 1 else "s"
        return (
            f"{self.files} file{s}, {self.triples} triples in {self.files} named graph{s}{same}, "
            f"{self.seconds:.1f} s → {self.target}\n"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "target": self.target,
            "files": self.files,
            "graphs": self.files,
            "triples": self.triples,
            "seconds": round(self.seconds, 3),
            "unchanged": self.unchanged,
            "unionDefaultGraph": self.union_default_graph,
        }


Progress = Callable[[Source], None]


def parsed(src: Source) -> list[ox.Triple]:
    """The triples of one source, each once; a syntax error names the file and line."""
    return list(dict.fromkeys(parse_file(src.path)))


def check(sources: Sequence[Source]) -> list[int]:
    """Parse every source before anything is written; distinct triples per source."""
    return [len(parsed(src)) for src in sources]
