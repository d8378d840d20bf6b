"""The compiled store of a workspace: its files in an on-disk Oxigraph store, kept up to date.

Every command that reads data opens this store instead of parsing all files again. It lives in
the workspace's cache folder (``.coopgraph/store``, or the user cache for the bundled snapshot)
and holds one named graph per file, like ``coopgraph load``. A manifest beside it records each
file's size, modification time and SHA-256; on each use, files whose size or time changed are
hashed, and only those whose content changed are reloaded (their graphs replaced).

Nothing half-done is ever used: before the store is changed the manifest is marked incomplete
and the entries of the files about to change are dropped, so a build killed at any moment is
found on the next use, and exactly the files it was loading are loaded again. One builder at a
time (an exclusive lock); readers open the store read-only and never wait for a complete one.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import StoreError
from ..workspace import Workspace, current, using
from .graphs import Source, check, sources

FORMAT = 2  # bump when the layout of the compiled store changes
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Entry:
    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: Path, sha256: str | None = None) -> Entry:
        st = path.stat()
        return cls(st.st_size, st.st_mtime_ns, sha256 or _sha256(path))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Update:
    """What bringing the store up to date did."""

    loaded: list[str]  # graphs (re)loaded
    removed: list[str]  # graphs of files that are gone
    rebuilt: bool


class CompiledStore:
    """The compiled store of one workspace."""

    def __init__(self, workspace: Workspace | None = None) -> None:
        self.workspace = workspace or current()
        self.folder = self.workspace.cache_dir()
        self.location = self.folder / "store"
        self.manifest_path = self.folder / MANIFEST

    # ------------------------------------------------------------------ manifest

    def _read_manifest(self) -> dict[str, Entry] | None:
        """The files of a complete store of this format, or None."""
        try:
            raw = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if raw.get("format") != _format() or not raw.get("complete"):
            return None
        return {name: Entry(**e) for name, e in raw.get("files", {}).items()}

    def _write_manifest(self, files: dict[str, Entry], *, complete: bool) -> None:
        data = {
            "format": _format(),
            "complete": complete,
            "files": {n: e.__dict__ for n, e in sorted(files.items())},
        }
        tmp = self.manifest_path.with_name(f".{MANIFEST}.{os.getpid()}")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.manifest_path)

    # ------------------------------------------------------------------ state

    def _stale(self, srcs: Sequence[Source], known: dict[str, Entry] | None) -> bool:
        """Quick check (no hashing): does any file differ in size or time from the manifest?"""
        if known is None or set(known) != {s.name for s in srcs}:
            return True
        for src in srcs:
            st = src.path.stat()
            e = known[src.name]
            if (st.st_size, st.st_mtime_ns) != (e.size, e.mtime_ns):
                return True
        return False

    @contextlib.contextmanager
    def _lock(self, mode: int = fcntl.LOCK_EX) -> Iterator[None]:
        """Builders hold it exclusively; readers share it while they open the store."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "store.lock", "a") as fh:
            fcntl.flock(fh, mode)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def sources(self) -> list[Source]:
        """The workspace's files (ontology, vocabularies, data) and their graph names."""
        with using(self.workspace):
            return sources()

    def is_current(self) -> bool:
        srcs = self.sources()
        return not self._stale(srcs, self._read_manifest())

    def update(self) -> Update:
        """Bring the store up to date with the workspace's files (loading only what changed)."""
        srcs = self.sources()
        if not self._stale(srcs, self._read_manifest()):
            return Update([], [], False)
        try:
            with self._lock():
                return self._update_locked(srcs)
        except OSError as exc:
            raise StoreError(f"cannot build the compiled store: {exc}", file=self.folder) from None

    def _update_locked(self, srcs: Sequence[Source]) -> Update:
        known = self._read_manifest()
        if not self._stale(srcs, known):
            return Update([], [], False)
        raw = self._raw_manifest()
        if raw is None or not (self.location / "CURRENT").is_file():
            return self._rebuild(srcs)
        # entries of files whose content is unchanged stay; the rest are reloaded
        keep: dict[str, Entry] = {}
        changed: list[Source] = []
        for src in srcs:
            old = raw.get(src.name)
            st = src.path.stat()
            if old is not None and (st.st_size, st.st_mtime_ns) == (old.size, old.mtime_ns):
                keep[src.name] = old
                continue
            digest = _sha256(src.path)
            if old is not None and old.sha256 == digest:
                keep[src.name] = Entry(st.st_size, st.st_mtime_ns, digest)
            else:
                changed.append(src)
        removed = sorted(set(raw) - {s.name for s in srcs})
        check(changed)  # a syntax error (file and line) before anything is written
        self._write_manifest(keep, complete=False)
        store = ox.Store(str(self.location))
        for name in [*removed, *(s.name for s in changed)]:
            store.remove_graph(ox.NamedNode(_graph(name)))
        store.bulk_extend(_quads(changed))
        store.flush()
        del store
        keep.update({s.name: Entry.of(s.path) for s in changed})
        self._write_manifest(keep, complete=True)
        return Update([s.name for s in changed], removed, False)

    def _raw_manifest(self) -> dict[str, Entry] | None:
        """The manifest's entries, complete or not (an incomplete one lists what is safe)."""
        try:
            raw = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if raw.get("format") != _format():
            return None
        return {name: Entry(**e) for name, e in raw.get("files", {}).items()}

    def _rebuild(self, srcs: Sequence[Source]) -> Update:
        check(srcs)
        if self.manifest_path.exists():
            self.manifest_path.unlink()
        shutil.rmtree(self.location, ignore_errors=True)
        store = ox.Store(str(self.location))
        store.bulk_extend(_quads(srcs))
        store.flush()
        del store
        self._write_manifest({s.name: Entry.of(s.path) for s in srcs}, complete=True)
        return Update([s.name for s in srcs], [], True)

    def open(self) -> ox.Store:
        """The store, up to date, opened read-only (a snapshot: later updates are not seen)."""
        while True:
            self.update()
            try:
                with self._lock(fcntl.LOCK_SH):
                    if self._read_manifest() is None:
                        continue  # a builder got in between: bring it up to date again
                    return ox.Store.read_only(str(self.location))
            except OSError as exc:
                raise StoreError(
                    f"cannot open the compiled store: {exc}", file=self.location
                ) from None

    def clear(self) -> None:
        with self._lock():
            if self.manifest_path.exists():
                self.manifest_path.unlink()
            shutil.rmtree(self.location, ignore_errors=True)


def _format() -> str:
    """The store's layout and the engine that wrote it: another one means a rebuild."""
    return f"{FORMAT}/pyoxigraph-{ox.__version__}"


def _graph(name: str) -> str:
    from ..namespaces import graph_iri

    return str(graph_iri(name))


def _quads(srcs: Sequence[Source]) -> Iterator[ox.Quad]:
    from ..loader import RDF_EXTENSIONS

    for src in srcs:
        graph = ox.NamedNode(src.graph)
        fmt = RDF_EXTENSIONS[src.path.suffix.lower()]
        for q in ox.parse(path=str(src.path), format=fmt, base_iri=src.path.resolve().as_uri()):
            yield ox.Quad(q.subject, q.predicate, q.object, graph)


_opened: dict[Path, tuple[ox.Store, int]] = {}


def compiled(workspace: Workspace | None = None) -> ox.Store:
    """The workspace's compiled store (read-only), up to date with its files: opened once per
    process and opened again when a file or the store changed since."""
    cs = CompiledStore(workspace)
    known = _opened.get(cs.location)
    if known is not None and cs.is_current():
        store, stamp = known
        if cs.manifest_path.stat().st_mtime_ns == stamp:
            return store
    store = cs.open()
    _opened[cs.location] = (store, cs.manifest_path.stat().st_mtime_ns)
    return store
