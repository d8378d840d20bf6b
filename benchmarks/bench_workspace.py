"""Cold versus warm: what the compiled store and the cached name index save per command.

Runs the installed ``coopgraph`` command in a copy of the repository's data tree (a workspace)
with its own cache folder, and prints CPU seconds (user + system, of the whole process) and peak
memory for each command: first cold (no compiled store, no index: what every command cost before
the cache), then warm. Usage:

    .venv/bin/python benchmarks/bench_workspace.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COOPGRAPH = str(Path(sys.executable).with_name("coopgraph"))
TARGETS = {  # figure: target (CPU seconds unless said otherwise), from issue 13
    "query kommunen-in-mehreren-kooperationen": 0.5,
    "validate FILE": 0.8,
    "resolve": 0.4,
    "query after editing one file": 1.5,
}


def run(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """CPU seconds, wall seconds and peak RSS (MB) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [COOPGRAPH, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(f"{args}: exit {done.returncode}: {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, after.ru_maxrss // 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_first_answer(cwd: Path, env: dict[str, str]) -> float:
    """Seconds from starting ``coopgraph serve`` to its first answered request."""
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(
        [COOPGRAPH, "serve", "--port", str(port)], cwd=cwd, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while time.perf_counter() - start < 120:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    r.read()
                return time.perf_counter() - start
            except OSError:
                time.sleep(0.05)
        return float("nan")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ws-") as tmp:
        ws = Path(tmp) / "ws"
        for name in ("data", "ontology", "queries"):
            shutil.copytree(REPO / name, ws / name)
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        env.pop("COOPGRAPH_DATA", None)
        coop = ws / "data" / "kooperationen" / "stadtregion-muenster.ttl"
        commands = {
            "query kommunen-in-mehreren-kooperationen":
                ["query", "kommunen-in-mehreren-kooperationen", "--format", "csv"],
            "validate FILE": ["validate", str(coop)],
            "resolve": ["resolve", "Mühlheim a. d. Ruhr"],
        }  # fmt: skip
        rows = []
        for name, cmd in commands.items():
            shutil.rmtree(ws / ".coopgraph", ignore_errors=True)
            cold = run(cmd, ws, env)
            warm = [run(cmd, ws, env) for _ in range(args.repeat)]
            rows.append((name, cold, min(warm, key=lambda r: r[0])))
        # a query right after one cooperation file was edited (one graph reloaded)
        edits = []
        for i in range(args.repeat):
            coop.write_text(coop.read_text(encoding="utf-8") + f"\n# edit {i}\n", encoding="utf-8")
            edits.append(run(commands["query kommunen-in-mehreren-kooperationen"], ws, env))
        shutil.rmtree(ws / ".coopgraph", ignore_errors=True)
        cold_edit = run(commands["query kommunen-in-mehreren-kooperationen"], ws, env)
        rows.append(("query after editing one file", cold_edit, min(edits, key=lambda r: r[0])))
        # validate what a loaded store holds, in place, against plain validate
        store = Path(tmp) / "store"
        run(["load", "--store", f"oxigraph:{store}"], ws, env)
        plain = min((run(["validate"], ws, env) for _ in range(args.repeat)), key=lambda r: r[0])
        on_store = min((run(["validate", "--store", f"oxigraph:{store}"], ws, env)
                        for _ in range(args.repeat)), key=lambda r: r[0])  # fmt: skip
        serve_cold = float("nan")
        shutil.rmtree(ws / ".coopgraph", ignore_errors=True)
        serve_cold = serve_first_answer(ws, env)
        serve_warm = statistics.median(serve_first_answer(ws, env) for _ in range(args.repeat))

    print(f"coopgraph workspace benchmark ({os.cpu_count()} cores; CPU = user + system seconds "
          "of the whole process; best of the warm runs)\n")  # fmt: skip
    print(f"{'command':44} {'cold CPU':>9} {'warm CPU':>9} {'target':>7} {'warm RSS':>9}")
    for name, cold, warm in rows:
        target = TARGETS.get(name)
        mark = "" if target is None else ("ok" if warm[0] <= target else "MISSED")
        print(f"{name:44} {cold[0]:8.2f}s {warm[0]:8.2f}s {target or '':>6}s {warm[2]:7d}MB {mark}")
    ratio = on_store[0] / plain[0]
    print(f"\nvalidate (workspace):           {plain[0]:.2f}s CPU, {plain[2]} MB")
    print(f"validate --store oxigraph:DIR:  {on_store[0]:.2f}s CPU, {on_store[2]} MB "
          f"({ratio:.2f}x; target ≤ 1.5x and ≤ 400 MB: "
          f"{'ok' if ratio <= 1.5 and on_store[2] <= 400 else 'MISSED'})")  # fmt: skip
    print(f"serve, first answer after start: cold {serve_cold:.2f}s, warm {serve_warm:.2f}s wall "
          f"(target ≤ 2 s: {'ok' if serve_warm <= 2 else 'MISSED'})")  # fmt: skip


if __name__ == "__main__":
    main()
