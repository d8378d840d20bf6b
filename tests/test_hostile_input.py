"""Hostile files given to the command line: a YAML "billion laughs", a FIFO, a symlink loop.
Each is refused with one error line and exit 2, within bounded memory (a resource limit on the
subprocess, not a clock)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

from .test_serve import _coopgraph

MEMORY_LIMIT = 200 * 1024 * 1024

LAUGHS = "\n".join(
    [
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(
            f"{y}: &{y} [{', '.join([f'*{x}'] * 9)}]"
            for x, y in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    """``coopgraph ARGS`` in a subprocess limited to 200 MB of address space."""
    return subprocess.run(
        [*_coopgraph(), *args], capture_output=True, text=True, timeout=120,
        preexec_fn=_limited if sys.platform == "linux" else None,
    )  # fmt: skip


def test_billion_laughs_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    bomb = tmp_path / "laughs.yaml"
    bomb.write_text(LAUGHS + "\n")
    run = _run("import", "--dry-run", str(bomb))
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert f"{bomb}:2:" in run.stderr and "alias" in run.stderr


def test_many_scalar_aliases_and_a_large_file_are_refused(tmp_path: Path) -> None:
    many = tmp_path / "many.yaml"
    many.write_text("a: &a x\nb: [" + ", ".join(["*a"] * 200) + "]\n")
    run = _run("import", "--dry-run", str(many))
    assert run.returncode == 2 and "more than 100 aliases" in run.stderr
    large = tmp_path / "large.yaml"
    large.write_text("# " + "x" * 2_000_000 + "\n")
    run = _run("import", "--dry-run", str(large))
    assert run.returncode == 2 and "too large" in run.stderr and str(large) in run.stderr


def test_fifo_and_symlink_loop_are_one_error_line(tmp_path: Path) -> None:
    fifo = tmp_path / "profile.yaml"
    os.mkfifo(fifo)
    run = _run("import", "--dry-run", str(fifo))  # would block forever if it were read
    assert run.returncode == 2 and "not a regular file" in run.stderr
    assert run.stderr.count("\n") == 1
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    run = _run("import", "--dry-run", str(loop))
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert run.stderr.count("\n") == 1 and str(loop) in run.stderr


def test_symlink_loop_or_fifo_in_a_data_folder(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.ttl").write_text("<http://example.org/a> <http://example.org/b> 1 .\n")
    loop = folder / "loop.ttl"
    loop.symlink_to(loop)
    for command in ("validate", "load"):
        extra = ["--store", f"oxigraph:{tmp_path / 'store'}"] if command == "load" else []
        run = cli(command, *extra, str(folder))
        assert run.code == 2 and run.err.count("\n") == 1, run.err
        assert f"{loop}: cannot read" in run.err
    loop.unlink()
    os.mkfifo(folder / "pipe.ttl")
    run = cli("validate", str(folder))
    assert run.code == 2 and "pipe.ttl: not a regular file" in run.err
    run = cli("validate", str(folder / "pipe.ttl"))
    assert run.code == 2 and "not a regular file" in run.err


def test_resolve_and_errors_do_not_echo_terminal_escapes(cli) -> None:  # type: ignore[no-untyped-def]
    name = "Zzqx\x1b[31mred\x1b]0;title\x07"
    run = cli("resolve", name)
    assert run.code == 1 and "\x1b" not in run.out + run.err and "\x07" not in run.out
    assert "\\x1b[31mred" in run.out
    run = cli("validate", "/nonexistent/\x1b[2J.ttl")
    assert run.code == 2 and "\x1b" not in run.err and "\\x1b[2J" in run.err
