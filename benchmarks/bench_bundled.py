"""Figures for the bundled national data: build, load, validate, query, resolve.

Run:  .venv/bin/python benchmarks/bench_bundled.py [--skip-validate]
Prints wall times (median of repeated runs where cheap) and the process's peak RSS.
Never run as a test.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REGISTER = REPO.parent / "shared" / "data" / "gemeinden"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, fn: Callable[[], object], repeat: int = 1) -> object:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"{label:<58} {median:8.3f} s  (n={repeat})  peak RSS {rss_mb():7.0f} MB", flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-validate", action="store_true")
    args = parser.parse_args()

    from coopgraph import queries, register
    from coopgraph.store.loaded import load
    from coopgraph.store.oxigraph import OxigraphStore
    from coopgraph.validate import validate_graph

    with tempfile.TemporaryDirectory() as tmp:
        result = timed(
            "import register (build all Turtle)", lambda: register.build(REGISTER, Path(tmp))
        )
        print(f"  {result.triples:,} triples in {len(result.files)} files")  # type: ignore[union-attr]

    store = timed("oxigraph store: load ontology + bundled data", OxigraphStore.bundled)
    for saved in sorted(queries.catalog().values(), key=lambda q: q.name):
        params = {p.name: p.example for p in saved.params if p.example is not None}
        bindings = saved.bindings(params)
        timed(
            f"query {saved.name}",
            lambda s=saved, b=bindings: queries.execute(store, s.text, s.form, b),  # type: ignore[misc]
            repeat=3,
        )

    try:
        from coopgraph import resolve
    except ImportError:
        resolve = None  # type: ignore[assignment]
    if resolve is not None:
        timed(
            "resolve: first call (builds the index)", lambda: resolve.resolve("Münster", land="NW")
        )
        names = ["Mühlheim a. d. Ruhr", "Stadt Münster", "Senden", "Koeln", "St. Augustin"] * 20
        timed("resolve: 100 names", lambda: [resolve.resolve(n) for n in names], repeat=3)

    if not args.skip_validate:
        loaded = timed("validate: load ontology + bundled data (rdflib)", load)
        report = timed("validate: pySHACL on the bundled data", lambda: validate_graph(loaded))  # type: ignore[arg-type]
        print(f"  conforms={report.conforms} triples={report.triples:,}")  # type: ignore[union-attr]
    return 0


if __name__ == "__main__":
    sys.exit(main())
