"""Randomized fault injection: kill `coopgraph load` and the server under `coopgraph push` at
random moments, and count what the store shows afterwards.

Run:  .venv/bin/python benchmarks/fault_injection.py [--runs 50] [--seed 1] [--src DIR]

Load: a store on disk holds the data in state A; each run reloads it with state B (or back to
A), and SIGKILLs the load after a random delay between 0 and 1.2 × the time an undisturbed
reload takes. Push: an ``oxigraph serve --location`` holds state A; each run pushes state B
(or back) and SIGKILLs the *server* after a random delay, then restarts it on the same
database. States A and B differ in two graphs (the first and the last file), so a half-done
switch shows as "mixed". After each kill the store is classified as

  old    the complete state before the run       new    the complete state the run loaded
  mixed  anything else with triples              empty  a store with no triples
  lost   no store at all, or one that cannot be opened or queried

and every run starts from what the previous one left, so the next load or push after each
kill is checked too ("next failed" counts those that did not succeed undisturbed). ``--src``
runs another version of coopgraph (e.g. ``git archive`` of an older commit) for comparison.
Never run as a test.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from coopgraph import resources  # noqa: E402
from coopgraph.errors import CoopgraphError  # noqa: E402
from coopgraph.serve import open_read_only  # noqa: E402
from coopgraph.store.sparql import SparqlStore  # noqa: E402

COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
SMALL = ["ontology", "data/kommunen/laender.ttl", "data/kommunen/kreise.ttl",
         "data/kommunen/gemeinden-05.ttl", "data/kooperationen"]  # fmt: skip


def checkout(root: Path) -> tuple[list[Path], list[Path]]:
    """A copy of ontology/ and data/ (graph names as bundled) and the two files to change."""
    shutil.copytree(resources.ontology_dir(), root / "ontology")
    shutil.copytree(resources.data_dir(), root / "data")
    files = sorted((root / "data").rglob("*.ttl"))
    return files, [root / "ontology" / "coopgraph.ttl", files[-1]]


def set_state(changed: list[Path], state: str) -> None:
    for i, f in enumerate(changed):
        text = f.read_text(encoding="utf-8").split("\n# fault-injection state\n")[0]
        if state == "B":
            text += (
                "\n# fault-injection state\n<https://example.org/fault-injection> "
                f'<https://example.org/state> "B {i}" .\n'
            )
        f.write_text(text, encoding="utf-8")


def env(src: Path | None) -> dict[str, str]:
    e = dict(os.environ)
    e.pop("COOPGRAPH_FAULT", None)
    if src is not None:
        e["PYTHONPATH"] = str(src)
    return e


def coopgraph(args: list[str], cwd: Path, src: Path | None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "coopgraph", *args], cwd=cwd, env=env(src),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def counts_on_disk(db: Path) -> dict[str, int] | None:
    try:
        store = open_read_only(f"oxigraph:{db}")
        try:
            return {str(g): int(n) for g, n in store.select(COUNTS).rows}  # type: ignore[arg-type]
        finally:
            store.close()
    except (CoopgraphError, OSError):
        return None


def counts_remote(url: str) -> dict[str, int] | None:
    try:
        return {str(g): int(n) for g, n in SparqlStore(url).select(COUNTS).rows}  # type: ignore[arg-type]
    except CoopgraphError:
        return None


def classify(got: dict[str, int] | None, old: dict[str, int], new: dict[str, int]) -> str:
    if got is None:
        return "lost"
    if got == old:
        return "old"
    if got == new:
        return "new"
    return "empty" if sum(got.values()) == 0 else "mixed"


def report(title: str, tally: Counter[str], runs: int, extra: str) -> None:
    print(f"{title}: runs {runs} / lost {tally['lost']} / mixed {tally['mixed']} / "
          f"empty {tally['empty']}  (old {tally['old']}, new {tally['new']}; "
          f"next failed {tally['next failed']}; {extra})", flush=True)  # fmt: skip


def undisturbed(
    changed: list[Path],
    args: list[str],
    root: Path,
    src: Path | None,
    counts: Callable[[], dict[str, int] | None],
) -> tuple[dict[str, dict[str, int]], float]:
    """An undisturbed run of the command for each state (B, then A): the content it leaves and
    how long the last one took (kills are drawn from that span)."""
    states: dict[str, dict[str, int]] = {}
    took = 0.0
    for state in ("B", "A"):
        set_state(changed, state)
        start = time.monotonic()
        proc = coopgraph(args, root, src)
        assert proc.wait() == 0, proc.stderr.read() if proc.stderr else ""
        took = time.monotonic() - start
        got = counts()
        assert got is not None
        states[state] = got
    return states, took


def load_runs(root: Path, runs: int, rng: random.Random, src: Path | None) -> None:
    _files, changed = checkout(root)
    db = root / "db"
    paths = [str(root / "ontology"), str(root / "data")]
    states, took = undisturbed(
        changed,
        ["load", *paths, "--store", f"oxigraph:{db}"],
        root,
        src,
        lambda: counts_on_disk(db),
    )
    tally: Counter[str] = Counter()
    current = "A"
    for _ in range(runs):
        target = "B" if current == "A" else "A"
        set_state(changed, target)
        proc = coopgraph(["load", *paths, "--store", f"oxigraph:{db}"], root, src)
        time.sleep(rng.uniform(0, 1.2 * took))
        proc.send_signal(signal.SIGKILL)
        code = proc.wait()
        outcome = classify(counts_on_disk(db), states[current], states[target])
        tally[outcome] += 1
        if code == 0:
            tally["finished before the kill"] += 1
        if outcome in ("old", "new"):
            current = current if outcome == "old" else target
        else:  # the next load must repair it: load the current state undisturbed
            set_state(changed, current)
            repair = coopgraph(["load", *paths, "--store", f"oxigraph:{db}"], root, src)
            if repair.wait() != 0 or counts_on_disk(db) != states[current]:
                tally["next failed"] += 1
    # the load after the last kill
    target = "B" if current == "A" else "A"
    set_state(changed, target)
    final = coopgraph(["load", *paths, "--store", f"oxigraph:{db}"], root, src)
    if final.wait() != 0 or counts_on_disk(db) != states[target]:
        tally["next failed"] += 1
    report("load", tally, runs, f"all bundled data, reload {took:.1f} s undisturbed, "
           f"{tally['finished before the kill']} finished before the kill")  # fmt: skip


class Server:
    def __init__(self, location: Path) -> None:
        self.binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
        self.location = location
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    def start(self) -> str:
        import socket
        import urllib.request

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--location", str(self.location), "--bind",
             f"127.0.0.1:{self.port}", "--union-default-graph"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"http://127.0.0.1:{self.port}/query"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=5).read()
                return url
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("oxigraph serve did not start") from None
                time.sleep(0.1)

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def push_runs(root: Path, runs: int, rng: random.Random, src: Path | None) -> None:
    _files, changed = checkout(root)
    paths = [str(root / p) for p in SMALL]
    server = Server(root / "server-db")
    url = server.start()
    try:
        states, took = undisturbed(
            changed, ["push", *paths, "--store", url], root, src, lambda: counts_remote(url)
        )
        tally: Counter[str] = Counter()
        current = "A"
        for _ in range(runs):
            target = "B" if current == "A" else "A"
            set_state(changed, target)
            proc = coopgraph(["push", *paths, "--store", url], root, src)
            time.sleep(rng.uniform(0, 1.2 * took))
            server.kill()
            code = proc.wait()
            if code == 0:
                tally["finished before the kill"] += 1
            url = server.start()
            outcome = classify(counts_remote(url), states[current], states[target])
            tally[outcome] += 1
            current = target if outcome == "new" else current
            if outcome not in ("old", "new"):  # the next push must repair it
                set_state(changed, current)
                repair = coopgraph(["push", *paths, "--store", url], root, src)
                if repair.wait() != 0 or counts_remote(url) != states[current]:
                    tally["next failed"] += 1
        target = "B" if current == "A" else "A"
        set_state(changed, target)
        final = coopgraph(["push", *paths, "--store", url], root, src)
        if final.wait() != 0 or counts_remote(url) != states[target]:
            tally["next failed"] += 1
    finally:
        server.kill()
    done = tally["finished before the kill"]
    report("push", tally, runs, f"ontology + Kommunen of NRW + cooperations, push {took:.1f} s "
           f"undisturbed, {done} finished before the kill")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50, help="kills of each kind")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--src", type=Path, help="the src/ folder of another coopgraph version")
    parser.add_argument("--only", choices=("load", "push"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"seed {args.seed}, coopgraph from {args.src or REPO / 'src'}", flush=True)
    with tempfile.TemporaryDirectory(prefix="coopgraph-faults-") as tmp:
        if args.only in (None, "load"):
            (Path(tmp) / "load").mkdir()
            load_runs(Path(tmp) / "load", args.runs, rng, args.src)
        if args.only in (None, "push"):
            (Path(tmp) / "push").mkdir()
            push_runs(Path(tmp) / "push", args.runs, rng, args.src)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
