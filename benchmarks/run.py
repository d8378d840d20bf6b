"""Benchmark coopgraph on a national-scale graph and print one table; write RESULTS.md.

The graph is the bundled data plus N synthetic cooperations from ``generate.py``. Each heavy
step runs in a child process of its own (so its peak memory is its own, and a slow reference
engine can be stopped at a time limit and reported as "> X s"):

- load: pyoxigraph bulk load (one named graph per file) vs rdflib ``Graph.parse``;
- full validation: the fast engine vs pySHACL (validate.py's options, advanced=True for the
  SPARQL target) on the same graph and shapes, with the results compared;
- every saved query (``queries/*.rq``, with its parameters' examples): median time on the
  embedded Oxigraph store and on rdflib's in-memory store;
- the CLI's cold start (``coopgraph query --list``), and incremental validation of one new
  cooperation file against the loaded graph (in process, and as ``coopgraph validate NEWFILE
  --store oxigraph:DIR``).

Run:  .venv/bin/python benchmarks/run.py --n 20000 [--pyshacl-timeout 600] [--skip-pyshacl]
Never run as a test (tests/test_benchmarks.py runs it at a tiny N with no timing asserted).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

TARGETS = {
    "validate_s": 10.0,
    "incremental_s": 1.0,
    "query_ms": 50.0,
    "query_ratio": 20.0,
    "load_tps": 300_000,
    "cold_start_s": 0.5,
    "rss_mb": 2048,
}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    wall, _cpu, result = median_times(fn, repeat)
    return wall, result


def median_times(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds (this process, all its threads) of ``repeat`` runs. On a
    shared machine CPU seconds are the steadier figure; wall shows what threads gain."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def children_cpu() -> float:
    """CPU seconds of the finished child processes so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


# ---------------------------------------------------------------- workers (child processes)


def _graph_files(data: Path) -> list[Path]:
    return generate.graph_files(data)


def _violation_keys(report: Any) -> list[list[Any]]:
    return sorted(
        [
            v.file or "",
            v.focus,
            v.path or "",
            v.value or "",
            v.severity,
            v.constraint,
            v.shape or "",
            list(v.messages),
        ]
        for v in report.violations
    )


def worker_fast(data: Path, args: argparse.Namespace) -> dict[str, Any]:
    from coopgraph.store.loaded import load_store
    from coopgraph.validate import compiled_shapes, validate_incremental, validate_loaded_store

    compiled_shapes()
    start = time.perf_counter()
    loaded = load_store(_graph_files(data))
    load_s = time.perf_counter() - start
    rss_loaded = rss_mb()
    validate_s, validate_cpu_s, report = median_times(
        lambda: validate_loaded_store(loaded), args.validate_repeat
    )
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    new_file = data / manifest["new_file"]
    inc_s, inc_cpu_s, inc = median_times(lambda: validate_incremental(loaded, [new_file]), 3)
    return {
        "load_s": load_s,
        "triples": loaded.triples(),
        "rss_loaded_mb": rss_loaded,
        "validate_s": validate_s,
        "validate_cpu_s": validate_cpu_s,
        "rss_mb": rss_mb(),
        "violations": _violation_keys(report),
        "incremental_s": inc_s,
        "incremental_cpu_s": inc_cpu_s,
        "incremental_violations": len(inc.violations),  # type: ignore[attr-defined]
    }


def worker_pyshacl(data: Path, args: argparse.Namespace) -> dict[str, Any]:
    from coopgraph.loader import display_name as _display
    from coopgraph.loader import parse_file
    from coopgraph.store.loaded import load
    from coopgraph.validate import validate_graph

    start = time.perf_counter()
    loaded = load([], referenced=False)
    loaded.files.clear()
    for path in _graph_files(data):
        loaded.add_triples(parse_file(path), origin=_display(path))
        loaded.files.append(path)
    load_s = time.perf_counter() - start
    print(json.dumps({"partial": {"load_s": load_s, "triples": len(loaded.graph)}}), flush=True)
    start = time.perf_counter()
    report = validate_graph(loaded, engine="pyshacl")
    return {
        "load_s": load_s,
        "triples": len(loaded.graph),
        "validate_s": time.perf_counter() - start,
        "rss_mb": rss_mb(),
        "violations": _violation_keys(report),
    }


def _saved_queries() -> list[tuple[str, str, str, dict[str, Any]]]:
    from coopgraph import queries

    out = []
    for saved in sorted(queries.catalog().values(), key=lambda q: q.name):
        params = {p.name: p.example for p in saved.params if p.example is not None}
        out.append((saved.name, saved.text, saved.form, saved.bindings(params)))
    return out


def _rows(result: Any) -> int:
    if result.select is not None:
        return len(result.select.rows)
    if result.graph is not None:
        return len(result.graph)
    return int(bool(result.boolean))


def worker_queries_oxigraph(data: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Saved queries on the embedded store; a query over --query-timeout ends the worker
    (pyoxigraph cannot be interrupted) and the parent starts a new one for the rest."""
    import threading

    import pyoxigraph as ox

    from coopgraph import queries, resources
    from coopgraph.store.oxigraph import OxigraphStore

    store = OxigraphStore(ox.Store())
    start = time.perf_counter()
    triples = store.load([*resources.ontology_files(), *_graph_files(data)])
    load_s = time.perf_counter() - start
    out: dict[str, Any] = {"load_s": load_s, "triples": triples, "queries": {}}
    only = set(args.only.split(",")) if args.only else None
    for name, text, form, bindings in _saved_queries():
        if only is not None and name not in only:
            continue
        box: dict[str, Any] = {}

        def first(
            text: str = text, form: str = form, bindings: Any = bindings, box: Any = box
        ) -> None:
            start, cpu = time.perf_counter(), time.process_time()
            box["result"] = queries.execute(store, text, form, bindings)
            box["s"], box["cpu"] = time.perf_counter() - start, time.process_time() - cpu

        thread = threading.Thread(target=first, daemon=True)
        thread.start()
        thread.join(args.query_timeout)
        if thread.is_alive():
            out["queries"][name] = {"s": float("inf"), "rows": None, "n": 0}
            out["rss_mb"] = rss_mb()
            print(json.dumps({"partial": out}), flush=True)
            os._exit(3)
        if box["s"] > 2:  # slow: one run is the figure
            t, cpu, result = box["s"], box["cpu"], box["result"]
        else:
            t, cpu, result = median_times(
                lambda: queries.execute(store, text, form, bindings),  # noqa: B023
                args.repeat,
            )
        out["queries"][name] = {"s": t, "cpu_s": cpu, "rows": _rows(result), "n": args.repeat}
        out["rss_mb"] = rss_mb()
        print(json.dumps({"partial": out}), flush=True)
    return out


class _Timeout(Exception):
    pass


def worker_queries_rdflib(data: Path, args: argparse.Namespace) -> dict[str, Any]:
    from rdflib import Graph

    from coopgraph import queries, resources
    from coopgraph.store.memory import MemoryStore

    graph = Graph()
    start = time.perf_counter()
    for path in [*resources.ontology_files(), *_graph_files(data)]:
        graph.parse(path, format="turtle")
    load_s = time.perf_counter() - start
    print(json.dumps({"partial": {"load_s": load_s, "triples": len(graph)}}), flush=True)
    store = MemoryStore(graph)
    out: dict[str, Any] = {"load_s": load_s, "triples": len(graph), "queries": {}}

    def alarm(signum: int, frame: object) -> None:
        raise _Timeout

    signal.signal(signal.SIGALRM, alarm)
    for name, text, form, bindings in _saved_queries():
        times, rows = [], None
        for _ in range(3):
            signal.setitimer(signal.ITIMER_REAL, args.query_timeout)
            start = time.perf_counter()
            try:
                result = queries.execute(store, text, form, bindings)
            except _Timeout:
                times = [float("inf")]
                break
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            times.append(time.perf_counter() - start)
            rows = _rows(result)
            if sum(times) > 10:
                break
        out["queries"][name] = {"s": statistics.median(times), "rows": rows, "n": len(times)}
        print(json.dumps({"partial": out}), flush=True)
    out["rss_mb"] = rss_mb()
    return out


def worker_cli_incremental(data: Path, args: argparse.Namespace) -> dict[str, Any]:
    import pyoxigraph as ox

    from coopgraph.store.loaded import LoadedStore, load_store

    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        loaded = load_store(_graph_files(data), store=LoadedStore(ox.Store(tmp)))
        loaded.store.flush()
        del loaded
        exe = shutil.which("coopgraph") or str(Path(sys.executable).with_name("coopgraph"))
        cmd = [exe, "validate", str(data / manifest["new_file"]), "--store", f"oxigraph:{tmp}"]
        times, cpus, code = [], [], None
        for _ in range(args.repeat):
            start, cpu = time.perf_counter(), children_cpu()
            run = subprocess.run(cmd, capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - start)
            cpus.append(children_cpu() - cpu)
            code = run.returncode
        return {"s": statistics.median(times), "cpu_s": statistics.median(cpus), "exit": code,
                "out": run.stdout[-300:]}  # fmt: skip


WORKERS = {
    "fast": worker_fast,
    "pyshacl": worker_pyshacl,
    "queries-oxigraph": worker_queries_oxigraph,
    "queries-rdflib": worker_queries_rdflib,
    "cli-incremental": worker_cli_incremental,
}


def run_worker(
    name: str, data: Path, args: argparse.Namespace, timeout: float, only: str = ""
) -> dict[str, Any]:
    """Run one worker in a child process; on timeout return what it reported so far."""
    cmd = [sys.executable, __file__, "--worker", name, "--data", str(data),
           "--repeat", str(args.repeat), "--query-timeout", str(args.query_timeout),
           "--only", only]  # fmt: skip
    start = time.perf_counter()
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) as proc:
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
            result = {"timeout": timeout, "wall_s": time.perf_counter() - start}
            for line in out.splitlines():
                if line.startswith('{"partial"'):
                    result.update(json.loads(line)["partial"])
            return result
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        return {"error": f"exit {proc.returncode}"}
    result = json.loads(lines[-1])
    if "partial" in result:
        if proc.returncode == 0:
            return {"error": "no final result"}
        result = dict(result["partial"], incomplete=True)
    elif proc.returncode != 0:
        return {"error": f"exit {proc.returncode}"}
    return dict(result)


def run_oxigraph_queries(data: Path, args: argparse.Namespace) -> dict[str, Any]:
    """All saved queries on Oxigraph, restarting the worker after a query that hit the limit."""
    sys.path.insert(0, str(HERE.parent / "src"))
    names = [name for name, *_ in _saved_queries()]
    merged: dict[str, Any] = {"queries": {}}
    while True:
        remaining = [n for n in names if n not in merged["queries"]]
        if not remaining:
            return merged
        part = run_worker("queries-oxigraph", data, args, 3600.0, ",".join(remaining))
        if "error" in part:
            return part
        merged["queries"].update(part.pop("queries", {}))
        merged.update(part)


# ---------------------------------------------------------------- the table


def cold_start(repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``coopgraph query --list`` in a fresh process."""
    exe = shutil.which("coopgraph") or str(Path(sys.executable).with_name("coopgraph"))
    times, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), children_cpu()
        subprocess.run([exe, "query", "--list"], capture_output=True, check=True)
        times.append(time.perf_counter() - start)
        cpus.append(children_cpu() - cpu)
    return statistics.median(times), statistics.median(cpus)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(
            int(line.split()[1]) // 1024 // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem = 0
    packages = []
    for pkg in ("coopgraph", "pyoxigraph", "rdflib", "pyshacl"):
        try:
            packages.append(f"{pkg} {version(pkg)}")
        except PackageNotFoundError:
            packages.append(f"{pkg} (not installed)")
    return (
        f"{cpu}; {os.cpu_count()} cores visible; {mem} GB RAM; Python "
        f"{platform.python_version()} on {platform.system()} {platform.release()}; "
        + ", ".join(packages)
    )


def _secs(value: float | None, timeout: float | None = None) -> str:
    if value is None:
        return f"> {timeout:.0f} s" if timeout else "–"
    if value == float("inf"):
        return f"> {timeout:.0f} s" if timeout else "timeout"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def _ratio(slow: float | None, fast: float | None, timeout: float | None = None) -> str:
    if fast is None or fast <= 0 or fast == float("inf"):
        return "–"
    if slow is None or slow == float("inf"):
        return f"> {timeout / fast:.0f}×" if timeout else "–"
    return f"{slow / fast:.1f}×"


def _mark(ok: bool | None) -> str:
    return "" if ok is None else (" ✓" if ok else " ✗")


def build_table(r: dict[str, Any], args: argparse.Namespace) -> list[str]:
    fast, py, qo = r["fast"], r.get("pyshacl", {}), r["queries-oxigraph"]
    qr = r.get("queries-rdflib", {})
    rows = ["| measure | coopgraph (fast) | plain way | ratio | target |", "|---|---|---|---|---|"]
    triples = fast.get("triples", 0)
    rows.append(f"| triples (ontology + bundled data + synthetic) | {triples:,} | "
                f"{py.get('triples', qr.get('triples', '–'))} | | |")  # fmt: skip
    tps = triples / fast["load_s"] if fast.get("load_s") else 0
    r_load = qr.get("load_s")
    r_tps = qr["triples"] / r_load if r_load else None
    rows.append(
        f"| load (pyoxigraph bulk load vs rdflib parse) | {_secs(fast['load_s'])} "
        f"({tps:,.0f} triples/s) | {_secs(r_load, qr.get('timeout')) if qr else 'not run'}"
        + (f" ({r_tps:,.0f} triples/s)" if r_tps else "")
        + f" | {_ratio(r_load, fast['load_s'])} | ≥ 300,000 triples/s{_mark(tps >= 300_000)} |"
    )
    py_s = py.get("validate_s")
    rows.append(
        f"| full validation (fast engine vs pySHACL) | {_secs(fast['validate_s'])} | "
        f"{_secs(py_s, py.get('timeout') or args.pyshacl_timeout) if py else 'not run'} | "
        f"{_ratio(py_s, fast['validate_s'], py.get('timeout')) if py else '–'} | "
        f"≤ 10 s{_mark(fast['validate_s'] <= 10)} |"
    )
    rows.append(
        f"| peak RSS of full validation (process) | {fast['rss_mb']:,.0f} MB | "
        + (f"{py['rss_mb']:,.0f} MB" if "rss_mb" in py else "–")
        + f" | | ≤ 2 GB{_mark(fast['rss_mb'] <= 2048)} |"
    )
    violations = fast["violations"]
    if "violations" in py:
        same = py["violations"] == violations
        eq = (
            f"{'identical' if same else 'DIFFERENT'} ({len(violations)} vs {len(py['violations'])})"
        )
    else:
        eq = "pySHACL did not finish"
    rows.append(f"| violations reported (fast vs pySHACL) | {len(violations)} | {eq} | | equal |")
    manifest = json.loads((args.data / "manifest.json").read_text(encoding="utf-8"))
    want = Counter((v["focus"], v["component"]) for v in manifest["injected"])
    got = Counter((v[1], v[5]) for v in violations if v[4] == "Violation")  # not the warnings
    from coopgraph.validate import _short  # the focus as the report shows it

    want = Counter({(_short_iri(_short, f), c): n for (f, c), n in want.items()})
    rows.append(f"| injected violations found (manifest) | {sum(got.values())} of "
                f"{sum(want.values())} listed | | | exact{_mark(got == want)} |")  # fmt: skip
    rows.append(
        f"| incremental: validate one new cooperation file (in process) | "
        f"{_secs(fast['incremental_s'])} | | | ≤ 1 s{_mark(fast['incremental_s'] <= 1)} |"
    )
    ci = r.get("cli-incremental", {})
    if "s" in ci:
        rows.append(
            f"| incremental: `coopgraph validate NEWFILE --store oxigraph:DIR` (process wall) | "
            f"{_secs(ci['s'])} (exit {ci['exit']}) | | | ≤ 1 s{_mark(ci['s'] <= 1)} |"
        )
    rows.append(
        f"| CLI cold start `coopgraph query --list` (median of {args.repeat}) | "
        f"{_secs(r['cold_start_s'])} | | | ≤ 0.5 s{_mark(r['cold_start_s'] <= 0.5)} |"
    )
    for name, q in qo["queries"].items():
        rq = qr.get("queries", {}).get(name)
        slow = rq["s"] if rq else None
        ok = q["s"] * 1000 <= 50 and (
            slow is None or slow == float("inf") or slow / max(q["s"], 1e-9) >= 20
        )
        rows_info = f"{q['rows']} rows"
        if rq and rq.get("rows") is not None and rq["rows"] != q["rows"]:
            rows_info += f" (rdflib: {rq['rows']} rows!)"
        rows.append(
            f"| query `{name}` (Oxigraph embedded vs rdflib memory; {rows_info}) | "
            f"{_secs(q['s'], args.query_timeout)} | "
            f"{_secs(slow, args.query_timeout) if rq else 'not run'} | "
            f"{_ratio(slow, q['s'], args.query_timeout) if rq else '–'} | "
            f"≤ 50 ms, ≥ 20×{_mark(ok)} |"
        )
    return rows


def compare_table(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Before/after figures, CPU seconds (steadier on a shared machine) and wall."""

    def cell(cpu: float | None, wall: float | None) -> str:
        if wall is None or wall == float("inf"):
            return "–"
        return (f"{_secs(cpu)} CPU / " if cpu is not None else "") + f"{_secs(wall)} wall"

    def ratio(b: float | None, a: float | None) -> str:
        return f"{b / a:.1f}×" if b and a and b != float("inf") else "–"

    rows = ["| measure | before | after | CPU before/after |", "|---|---|---|---|"]

    def add(
        label: str, b: tuple[float | None, float | None], a: tuple[float | None, float | None]
    ) -> None:
        rows.append(f"| {label} | {cell(*b)} | {cell(*a)} | {ratio(b[0], a[0])} |")

    bf, af = before.get("fast", {}), after.get("fast", {})
    add(
        "full validation, check phase (in process)",
        (bf.get("validate_cpu_s"), bf.get("validate_s")),
        (af.get("validate_cpu_s"), af.get("validate_s")),
    )
    add(
        "incremental validation of one new file (in process)",
        (bf.get("incremental_cpu_s"), bf.get("incremental_s")),
        (af.get("incremental_cpu_s"), af.get("incremental_s")),
    )
    bc, ac = before.get("cli-incremental", {}), after.get("cli-incremental", {})
    add(
        "incremental: `coopgraph validate NEWFILE --store oxigraph:DIR` (process)",
        (bc.get("cpu_s"), bc.get("s")),
        (ac.get("cpu_s"), ac.get("s")),
    )
    add("`coopgraph query --list` (process)",
        (before.get("cold_start_cpu_s"), before.get("cold_start_s")),
        (after.get("cold_start_cpu_s"), after.get("cold_start_s")))  # fmt: skip
    bq, aq = (
        before.get("queries-oxigraph", {}).get("queries", {}),
        after["queries-oxigraph"]["queries"],
    )
    for name, q in aq.items():
        b = bq.get(name, {})
        rows_note = f"{q['rows']} rows" + (
            f", before {b['rows']}!" if b.get("rows") not in (None, q["rows"]) else ""
        )
        add(f"query `{name}` ({rows_note})", (b.get("cpu_s"), b.get("s")), (q.get("cpu_s"), q["s"]))
    return rows


def _short_iri(short: Callable[[Any], str | None], iri: str) -> str:
    from rdflib import URIRef

    return short(URIRef(iri)) or iri


def write_results(path: Path, n: int, table: list[str], notes: list[str]) -> None:
    header = "# coopgraph benchmarks\n\nWritten by `benchmarks/run.py`; one section per N.\n"
    text = path.read_text(encoding="utf-8") if path.exists() else header
    section = "\n".join([f"## N = {n:,} synthetic cooperations", "", *notes, "", *table, ""])
    pattern = re.compile(rf"^## N = {n:,} synthetic cooperations\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _m: section + "\n", text) if pattern.search(text) else (
        text.rstrip("\n") + "\n\n" + section)  # fmt: skip
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".md")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text.rstrip("\n") + "\n")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="coopgraph benchmarks at national scale")
    parser.add_argument("--n", type=int, default=2000, help="synthetic cooperations")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, help="generated data folder (default: a temp dir)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timed query (median)")
    parser.add_argument("--pyshacl-timeout", type=float, default=600.0)
    parser.add_argument("--query-timeout", type=float, default=60.0, help="per query")
    parser.add_argument("--skip-pyshacl", action="store_true")
    parser.add_argument("--skip-rdflib", action="store_true", help="no rdflib queries/load")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md",
                        help="file to write ('-' for none)")  # fmt: skip
    parser.add_argument("--validate-repeat", type=int, default=1,
                        help="runs of the full validation (median)")  # fmt: skip
    parser.add_argument("--save", type=Path, help="write the raw figures as JSON to this file")
    parser.add_argument("--before", type=Path,
                        help="figures saved (--save) by an earlier run, e.g. of the code before a "
                        "change: print and write a before/after table too")  # fmt: skip
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--only", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.data, args)), flush=True)
        return 0

    tmp = None
    if args.data is None:
        tmp = tempfile.mkdtemp(prefix=f"coopgraph-bench-{args.n}-")
        args.data = Path(tmp) / "data"
    manifest_path = args.data / "manifest.json"
    fresh = not manifest_path.exists() or json.loads(manifest_path.read_text())[
        "n"] != args.n or json.loads(manifest_path.read_text())["seed"] != args.seed  # fmt: skip
    if fresh:
        start = time.perf_counter()
        generate.generate(args.n, args.data, args.seed)
        print(f"generated N={args.n} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    results: dict[str, Any] = {}
    load_at_start = os.getloadavg()[0]
    steps = [("fast", 3600.0), ("queries-oxigraph", 0.0), ("cli-incremental", 3600.0)]
    if not args.skip_rdflib:
        steps.append(("queries-rdflib", 3600.0))
    if not args.skip_pyshacl:
        steps.append(("pyshacl", args.pyshacl_timeout))
    for name, timeout in steps:
        print(f"running {name} …", file=sys.stderr, flush=True)
        if name == "queries-oxigraph":
            results[name] = run_oxigraph_queries(args.data, args)
        else:
            results[name] = run_worker(name, args.data, args, timeout)
        if "error" in results[name] and name in ("fast", "queries-oxigraph"):
            print(f"{name} failed: {results[name]['error']}", file=sys.stderr)
            return 2
    results["cold_start_s"], results["cold_start_cpu_s"] = cold_start(args.repeat)
    results["load_average"] = [load_at_start, os.getloadavg()[0]]
    table = build_table(results, args)
    print("\n".join(table))
    if args.save:
        args.save.write_text(json.dumps(results, default=str), encoding="utf-8")
    comparison: list[str] = []
    if args.before:
        before = json.loads(args.before.read_text(encoding="utf-8"))
        comparison = compare_table(before, results)
        print()
        print("\n".join(comparison))
    if str(args.results) != "-":
        now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        notes = [
            f"Run {now} on: {machine()}.",
            "",
            "The machine was shared with other jobs while this ran (2 cores for several agents),"
            " so times are noisy; rerun before relying on differences under ~30 %. Plain way ="
            " rdflib `Graph.parse` + rdflib SPARQL + pySHACL with validate.py's options"
            " (advanced=True, needed for the SPARQL target). A '> X s' cell hit its time limit.",
        ]
        if comparison:
            loads = (before.get("load_average") or ["?", "?"], results["load_average"])
            table = [*table, "", "### Before and after", "",
                     "Load average (1 min) at the start and end of each run: before "
                     f"{loads[0][0]:.1f} → {loads[0][1]:.1f}, after {loads[1][0]:.1f} → "
                     f"{loads[1][1]:.1f} (2 cores).", "", *comparison]  # fmt: skip
        write_results(args.results, args.n, table, notes)
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
