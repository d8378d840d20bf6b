"""Wall time and peak memory of `coopgraph load --store oxigraph:DIR`, each run its own process.

Run:  .venv/bin/python benchmarks/bench_load.py [--extra /tmp/synth-20000]
Three runs into a temporary store: a first full load (ontology + bundled data, plus the files
of ``--extra``, e.g. a folder written by ``generate.py``), a full reload over it, and a reload of
one small file into the full store. Peak RSS is the child's ``ru_maxrss``. Never run as a test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COOPGRAPH = [sys.executable, "-m", "coopgraph"]


def run(label: str, args: list[str]) -> None:
    start = time.perf_counter()
    proc = subprocess.Popen([*COOPGRAPH, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    out = proc.stdout.read().decode().strip() if proc.stdout else ""
    err = proc.stderr.read().decode().strip() if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    print(f"{label:<34} {seconds:7.1f} s  peak RSS {usage.ru_maxrss / 1024:7.0f} MB  exit {code}"
          f"  {out or err}", flush=True)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--extra", type=Path, help="a folder of more RDF files to load")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    from coopgraph import resources

    files = [str(p) for p in (*resources.ontology_files(), *resources.data_files())]
    if args.extra:
        files.append(str(args.extra))
    one = str(REPO / "data" / "kooperationen" / "staedteregion-ruhr.ttl")
    with tempfile.TemporaryDirectory() as tmp:
        store = f"oxigraph:{Path(tmp) / 'db'}"
        run("first load (all files)", ["load", *files, "--store", store])
        run("reload (all files)", ["load", *files, "--store", store])
        run("reload one file into the full store", ["load", one, "--store", store])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
