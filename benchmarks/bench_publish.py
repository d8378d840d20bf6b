"""Figures for ``coopgraph publish`` of the whole bundled graph: time, CPU, files, size.

Run:  .venv/bin/python benchmarks/bench_publish.py [OUTDIR]
(default OUTDIR: build/bench-site, replaced). Prints wall and CPU time per phase, the number of
resources and files, the bytes written and the space taken on disk. Never run as a test.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

from coopgraph.publish import publish

REPO = Path(__file__).resolve().parents[1]


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "build" / "bench-site"
    start, start_cpu = time.perf_counter(), cpu()

    def progress(message: str) -> None:
        print(f"{time.perf_counter() - start:7.1f} s wall {cpu() - start_cpu:7.1f} s CPU  "
              f"{message}", flush=True)  # fmt: skip

    result = publish(out, progress=progress)
    wall, used = time.perf_counter() - start, cpu() - start_cpu
    disk = sum(os.lstat(p).st_blocks * 512 for p in out.rglob("*"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{result.triples} triples -> {result.pages} resources, {result.files} files")
    print(f"{result.bytes / 1e6:.0f} MB written, {disk / 1e6:.0f} MB on disk")
    print(f"{wall:.1f} s wall, {used:.1f} s CPU, peak RSS {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
