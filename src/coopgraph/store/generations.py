"""A store on disk that a load replaces whole: ``DIR`` is a symlink to a complete generation.

Layout, for ``--store oxigraph:db``::

    db -> db.generations/000007      a relative symlink, switched by one rename(2)
    db.generations/000007/           a complete Oxigraph (RocksDB) store + the COMPLETE marker
    db.generations/000006/           the generation before, kept for readers that opened it
    db.generations/lock              held (flock) while a load runs

A load builds the next generation beside the current one, syncs every file of it, writes the
marker last, and then renames a new symlink over ``DIR``: a reader sees the old or the new
store, never a half-built one, whenever the load is killed (SIGKILL, Ctrl-C, power loss after
the marker is synced). A directory in ``db.generations`` without the marker is the leftover of a
load that did not finish; it is never opened (a reader refuses it) and the next load removes it.

A plain store directory (a store made before generations, or by ``oxigraph load``) is read as it
is; the first ``coopgraph load`` into it swaps it for the symlink with one atomic exchange
(``renameat2(RENAME_EXCHANGE)`` on Linux) and keeps it as the previous generation.

Readers open the generation the symlink points to (``resolve``), never the symlink itself:
RocksDB opens its files lazily by name, and they must not come from the next generation.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

from ..errors import StoreError

MARKER = "COOPGRAPH-COMPLETE"
SUFFIX = ".generations"
LOCK = "lock"
LOCKED = (
    "the store is locked by another process (a running `coopgraph load`, or `oxigraph serve "
    "--location` — then query the server's URL instead)"
)


FAULT_ENV = "COOPGRAPH_FAULT"


def fault_point(name: str) -> None:
    """Test hook for the fault-injection tests: with ``$COOPGRAPH_FAULT`` set to ``NAME`` the
    process kills itself here with SIGKILL (as a crash or ``kill -9`` would), with ``NAME=INT``
    it interrupts itself (as Ctrl-C would). Unset, it does nothing."""
    wanted = os.environ.get(FAULT_ENV)
    if wanted is None:
        return
    point, _, how = wanted.partition("=")
    if point == name:
        os.kill(os.getpid(), signal.SIGINT if how == "INT" else signal.SIGKILL)


def root_of(link: Path) -> Path:
    """The folder beside ``link`` that holds its generations."""
    return link.parent / f"{link.name}{SUFFIX}"


def is_complete(path: Path) -> bool:
    return (path / MARKER).is_file()


def resolve(link: Path) -> Path | None:
    """The store directory to open for ``link``: the generation it points to, or ``link`` itself
    for a plain store directory; ``None`` when there is nothing there (yet).

    A generation without its marker (a load that did not finish) is refused, also when named
    directly.
    """
    if link.is_symlink():
        target = Path(os.path.realpath(link))
        if not target.is_dir():
            return None
    elif link.is_dir():
        target = link
    else:
        return None
    if target.parent.name.endswith(SUFFIX) and not is_complete(target):
        raise StoreError(
            "an incomplete store: a `coopgraph load` into it did not finish; run the load again",
            file=link,
        )
    return target


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_tree(path: Path) -> None:
    """Every file and folder of a generation on disk, before its marker is written."""
    for folder, _dirs, files in os.walk(path):
        for name in files:
            _fsync(Path(folder) / name)
        _fsync(Path(folder))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where the
    system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


class Generations:
    """The generations of one store path; ``build`` and ``switch`` only under ``locked``."""

    def __init__(self, link: Path) -> None:
        self.link = Path(os.path.abspath(link))
        self.root = root_of(self.link)

    def current(self) -> Path | None:
        return resolve(self.link)

    @contextlib.contextmanager
    def locked(self) -> Iterator[Generations]:
        """Hold the load lock (released by the kernel however the process ends)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(LOCKED, file=self.link) from None
            yield self
        finally:
            os.close(fd)

    def _numbers(self) -> list[int]:
        return sorted(int(p.name) for p in self.root.iterdir() if p.name.isdigit())

    def new(self) -> Path:
        """A path for the next generation (not created: ``Store.backup`` wants it absent)."""
        numbers = self._numbers()
        return self.root / f"{(numbers[-1] + 1) if numbers else 1:06d}"

    def dead(self) -> list[Path]:
        """Leftovers of loads that did not finish: generations without the marker, and switch
        symlinks beside ``DIR``. Only meaningful under the lock."""
        current = self.current() if self.link.is_symlink() else None
        found = [
            p for p in self.root.iterdir()
            if p.name != LOCK and p != current and not is_complete(p)
        ]  # fmt: skip
        found += list(self.link.parent.glob(f".{self.link.name}.switch-*"))
        return sorted(found)

    def remove(self, paths: list[Path]) -> None:
        for p in paths:
            if p.is_symlink() or not p.is_dir():
                p.unlink(missing_ok=True)
            else:
                shutil.rmtree(p, ignore_errors=True)

    def switch(self, gen: Path) -> Path | None:
        """Make the (built, closed) generation ``gen`` the store: sync it, write the marker,
        rename a symlink to it over ``DIR``. Returns the generation it replaced."""
        _sync_tree(gen)
        marker = gen / MARKER
        with open(marker, "wb") as out:
            out.write(b"complete\n")
            out.flush()
            os.fsync(out.fileno())
        _fsync(gen)
        fault_point("load:marked")
        before = self.current()
        tmp = self.link.parent / f".{self.link.name}.switch-{os.getpid()}"
        tmp.unlink(missing_ok=True)
        os.symlink(os.path.relpath(gen, self.link.parent), tmp)
        if self.link.is_dir() and not self.link.is_symlink():
            # a plain store directory: swap it for the symlink in one step, then keep it as
            # the generation before (complete: it was a store)
            if not _exchange(tmp, self.link):
                os.rename(self.link, tmp.with_name(tmp.name + "-old"))  # a short window
                os.rename(tmp, self.link)
                tmp = tmp.with_name(tmp.name + "-old")
            kept = self.root / f"{int(gen.name) - 1:06d}-plain"
            os.rename(tmp, kept)
            with contextlib.suppress(OSError):
                (kept / MARKER).write_bytes(b"complete\n")
            before = kept
        else:
            os.replace(tmp, self.link)
        _fsync(self.link.parent)
        return before

    def prune(self, keep: set[Path]) -> None:
        """Remove generations but ``keep`` (the new one and the one it replaced)."""
        self.remove([p for p in self.root.iterdir() if p.name != LOCK and p not in keep])

    def discard(self, gen: Path) -> None:
        """After a failed build: remove it, and the generations folder if nothing else is in
        it (a first load that failed leaves no trace)."""
        self.remove([gen])
        nothing = not self.link.exists() and not self.link.is_symlink()
        if nothing and not [p for p in self.root.iterdir() if p.name != LOCK]:
            shutil.rmtree(self.root, ignore_errors=True)
