"""Which data a command works on: the workspace it runs in, or the bundled snapshot.

A *workspace* is a folder laid out like this repository: ``data/`` (with ``kooperationen/``),
and optionally ``ontology/``, ``queries/`` and ``profiles/``; a file ``coopgraph.toml`` marks one
explicitly. Commands use the nearest workspace at or above the working directory, or the one
named by ``--data DIR`` / ``COOPGRAPH_DATA`` (DIR is the data folder or the workspace folder).
Outside any workspace they use the snapshot bundled with the package. What a workspace lacks
(its own ontology, queries, or the register's Kommunen) comes from the bundled snapshot, so a
data repository may hold nothing but its own cooperations.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

MARKER = "coopgraph.toml"
ENV = "COOPGRAPH_DATA"
RDF_SUFFIXES = (".ttl", ".nt", ".rdf")
# the register's folders: a workspace without them uses the bundled ones
REGISTER_FOLDERS = ("kommunen", "gemeindeverbaende")


def package_dir(name: str) -> Path:
    """A folder shipped inside the package (``ontology``, ``data``, ``templates`` …)."""
    from importlib.resources import as_file, files  # here: slow to import, rarely needed

    with as_file(files("coopgraph") / name) as path:
        return Path(path)


@dataclass(frozen=True)
class Workspace:
    """Where the ontology, data, queries and profiles a command works on are."""

    root: Path | None  # None: the bundled snapshot
    data: Path
    ontology: Path
    queries: Path
    profiles: Path
    register: tuple[Path, ...] = ()  # bundled register folders used besides ``data``

    @property
    def bundled(self) -> bool:
        return self.root is None

    def data_files(self) -> list[Path]:
        """Every Turtle file of the data (and the bundled register, where used), sorted."""
        from .loader import regular_file

        found = sorted(p for p in self.data.rglob("*") if p.suffix in RDF_SUFFIXES)
        for folder in self.register:
            found += sorted(p for p in folder.rglob("*") if p.suffix in RDF_SUFFIXES)
        return [regular_file(p) for p in found]  # a FIFO or a symlink loop: one error line

    def ontology_files(self) -> list[Path]:
        return [self.ontology / "coopgraph.ttl", *sorted((self.ontology / "vocab").glob("*.ttl"))]

    def cache_dir(self) -> Path:
        """Where compiled stores and indexes of this data are kept."""
        if self.root is not None:
            return self.root / ".coopgraph"
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        # one cache per installed copy of the package
        import hashlib

        key = hashlib.sha256(str(self.data.resolve()).encode()).hexdigest()[:12]
        return base / "coopgraph" / f"bundled-{key}"

    def describe(self) -> dict[str, str]:
        return {
            "workspace": "bundled snapshot" if self.root is None else str(self.root),
            "data": str(self.data),
            "ontology": str(self.ontology),
            "queries": str(self.queries),
            "profiles": str(self.profiles),
            "register": ", ".join(str(p) for p in self.register) or str(self.data),
        }


def bundled() -> Workspace:
    return Workspace(
        None,
        package_dir("data"),
        package_dir("ontology"),
        package_dir("queries"),
        package_dir("profiles"),
    )


def is_workspace(folder: Path) -> bool:
    return (folder / MARKER).is_file() or (folder / "data" / "kooperationen").is_dir()


def discover(start: Path | None = None) -> Path | None:
    """The nearest workspace folder at or above ``start`` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_workspace(folder):
            return folder
    return None


def at(root: Path, data: Path | None = None) -> Workspace:
    """The workspace in ``root`` (its data in ``data``, default ``root/data``); what it lacks
    comes from the bundled snapshot."""
    pkg = bundled()
    data = data or root / "data"
    ontology = (
        root / "ontology" if (root / "ontology" / "coopgraph.ttl").is_file() else pkg.ontology
    )
    queries = root / "queries" if (root / "queries").is_dir() else pkg.queries
    register = tuple(
        pkg.data / name
        for name in REGISTER_FOLDERS
        if not (data / name).is_dir() and (pkg.data / name).is_dir()
    )
    if data.resolve() == pkg.data.resolve():
        register = ()
    return Workspace(root, data, ontology, queries, root / "profiles", register)


def find(explicit: str | Path | None = None, start: Path | None = None) -> Workspace:
    """The workspace a command uses: ``explicit`` (``--data``), ``$COOPGRAPH_DATA``, the
    nearest one at or above the working directory, else the bundled snapshot."""
    given = explicit if explicit is not None else os.environ.get(ENV) or None
    if given is not None:
        folder = Path(given).expanduser()
        if not folder.is_dir():
            raise InputError("no such data folder", file=folder, field="--data")
        folder = folder.resolve()
        if is_workspace(folder):
            return at(folder)
        return at(folder.parent, folder)  # DIR is a data folder
    root = discover(start)
    return bundled() if root is None else at(root)


_current: Workspace | None = None


def current() -> Workspace:
    """The workspace in use (found once per process unless ``use`` set one)."""
    global _current
    if _current is None:
        _current = find()
    return _current


def use(workspace: Workspace | None) -> None:
    """Make ``workspace`` the one every lookup uses (None: find it again on next use)."""
    global _current
    _current = workspace


@contextlib.contextmanager
def using(workspace: Workspace) -> Iterator[Workspace]:
    """Use ``workspace`` inside the block, then whatever was in use before."""
    global _current
    before = _current
    _current = workspace
    try:
        yield workspace
    finally:
        _current = before
