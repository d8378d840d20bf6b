"""Figures for ``coopgraph publish`` of the whole bundled data, beside the file-writing floor.

Run:  .venv/bin/python benchmarks/bench_publish.py [--jobs N] [--workdir DIR]

In one run, on a copy of the data as a workspace (so one cooperation can be changed):

1. fresh publish (no site yet);
2. re-publish with nothing changed (files kept, not rewritten);
3. re-publish after one cooperation's file changed;
4. the floor: writing the very same files (bytes of the published site) into a new folder with
   plain Python in one process (each folder made once, ``open``/``write``), timed for the writes
   only.

Each publish prints wall time and CPU seconds (this process and its worker processes), files
written and files kept. Wall time is what the target (publish ≤ 2× the floor) is about; on a
shared machine read it with the load average printed beside it. Never run as a test.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from coopgraph import workspace
from coopgraph.publish import PublishResult, available_cores, publish

REPO = Path(__file__).resolve().parents[1]
CHANGED = "staedteregion-ruhr.ttl"


def cpu() -> float:
    """CPU seconds of this process and of its finished children (the publish workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed_publish(label: str, out: Path, jobs: int) -> tuple[float, float, PublishResult]:
    start, start_cpu = time.perf_counter(), cpu()
    result = publish(out, jobs=jobs)
    wall, used = time.perf_counter() - start, cpu() - start_cpu
    print(f"{label:<34} {wall:7.1f} s wall {used:7.1f} s CPU  {result.files - result.unchanged:>7}"
          f" written {result.unchanged:>7} kept   ({load()})", flush=True)  # fmt: skip
    return wall, used, result


def floor(site: Path, target: Path, batch: int = 4000) -> tuple[float, float, int, int]:
    """Write the files of ``site`` again under ``target`` with plain Python; the writing only is
    timed (files are read in batches beforehand)."""
    files = sorted(p for p in site.rglob("*") if p.is_file())
    wall = used = 0.0
    made: set[Path] = set()
    size = 0
    for i in range(0, len(files), batch):
        blobs = [(target / p.relative_to(site), p.read_bytes()) for p in files[i : i + batch]]
        start, start_cpu = time.perf_counter(), cpu()
        for path, blob in blobs:
            folder = path.parent
            if folder not in made:
                folder.mkdir(parents=True, exist_ok=True)
                made.add(folder)
            with open(path, "wb") as f:
                f.write(blob)
            size += len(blob)
        wall += time.perf_counter() - start
        used += cpu() - start_cpu
    return wall, used, len(files), size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=available_cores(), help="worker processes")
    parser.add_argument("--workdir", type=Path, default=None, help="where to write (a temp dir)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-publish-", dir=args.workdir))
    try:
        root = work / "workspace"
        shutil.copytree(REPO / "data" / "kooperationen", root / "data" / "kooperationen")
        out = work / "site"
        print(f"coopgraph publish of the bundled data, {args.jobs} worker processes, "
              f"{available_cores()} cores; {load()}")  # fmt: skip
        with workspace.using(workspace.at(root)):
            fresh = timed_publish("fresh publish", out, args.jobs)
            timed_publish("re-publish, nothing changed", out, args.jobs)
            changed = root / "data" / "kooperationen" / CHANGED
            text = changed.read_text(encoding="utf-8")
            changed.write_text(text.replace('"Städteregion Ruhr"', '"Städteregion Ruhr (b)"'))
            timed_publish(f"re-publish, {CHANGED} changed", out, args.jobs)
        f_wall, f_cpu, n, size = floor(out, work / "floor")
        print(f"{'floor: the same files, plain Python':<34} {f_wall:7.1f} s wall {f_cpu:7.1f} s CPU"
              f"  {n:>7} files, {size / 1e6:.0f} MB   ({load()})")  # fmt: skip
        wall, used, result = fresh
        print(f"{result.triples} triples -> {result.pages} resources, {result.files} files, "
              f"{result.bytes / 1e6:.0f} MB")  # fmt: skip
        print(f"fresh publish / floor: {wall / f_wall:.2f}× wall, {used / f_cpu:.2f}× CPU")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process {peak:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
