"""``coopgraph serve`` against ``oxigraph serve`` on the same store: how soon the server answers
after start, and the latency of ``/sparql`` for the headline query.

Run:  .venv/bin/python benchmarks/bench_sparql_endpoint.py [--requests 30] [--data DIR]

Starts, on 127.0.0.1 and free ports (localhost only), ``coopgraph serve`` on the workspace's
compiled store (built first if needed: the warm case) and ``oxigraph serve-read-only`` (the
server of the ``oxigraph`` PyPI package, the same engine version) on that very store folder with
the union default graph. Prints the seconds from start to the first answered page and the first
answered query, then sends the headline query (``queries/kommunen-in-mehreren-kooperationen.rq``,
SPARQL JSON results) to both servers in turn, one at a time, and prints p50/p90 wall latency and
the servers' CPU seconds per request (process and its children, from /proc). Targets: first
answer ≤ 2 s after start (issue 13); p50 ≤ 1.2× oxigraph serve (issue 20). Never run as a test.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEADLINE = REPO / "queries" / "kommunen-in-mehreren-kooperationen.rq"
JSON = "application/sparql-results+json"
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its living descendants."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        times[child] = (int(fields[11]) + int(fields[12])) / TICK
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += times.get(p, 0.0)
        todo += [c for c, parent in parents.items() if parent == p]
    return total


def own_cpu(pid: int) -> float:
    """CPU seconds (user + system) of one process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def wait_for(url: str, proc: subprocess.Popen[bytes], start: float, limit: float = 120) -> float:
    """Seconds from ``start`` until ``url`` answers 200."""
    while time.perf_counter() - start < limit:
        if proc.poll() is not None:
            raise SystemExit(f"the server ended (exit {proc.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                r.read()
                return time.perf_counter() - start
        except OSError:
            time.sleep(0.02)
    raise SystemExit(f"no answer from {url} within {limit:.0f} s")


def post(conn: http.client.HTTPConnection, path: str, query: str) -> tuple[float, int]:
    start = time.perf_counter()
    conn.request(
        "POST", path, body=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": JSON},
    )  # fmt: skip
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"{path}: {response.status} {body[:200]!r}")
    return time.perf_counter() - start, len(body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per server")
    parser.add_argument("--data", default=str(REPO), help="the workspace (default: this clone)")
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    coopgraph = shutil.which("coopgraph", path=str(bindir)) or "coopgraph"
    oxigraph = shutil.which("oxigraph", path=str(bindir)) or shutil.which("oxigraph")
    if oxigraph is None:
        raise SystemExit("no oxigraph server: pip install oxigraph")
    env = {**os.environ, "COOPGRAPH_DATA": args.data}
    subprocess.run(  # builds the compiled store if needed: the warm case follows
        [coopgraph, "sparql", "ASK { ?s ?p ?o }"], env=env, capture_output=True, check=True
    )
    info = subprocess.run(
        [coopgraph, "info", "--format", "json"], env=env, capture_output=True, text=True, check=True
    )
    store = json.loads(info.stdout)["compiled store"]
    query = HEADLINE.read_text(encoding="utf-8")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        port = free_port()
        start = time.perf_counter()
        coop = subprocess.Popen(
            [coopgraph, "serve", "--port", str(port)], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        procs.append(coop)
        base = f"http://127.0.0.1:{port}"
        first_page = wait_for(base + "/", coop, start)
        page_cpu, page_tree_cpu = own_cpu(coop.pid), tree_cpu(coop.pid)
        ask = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
        first_query = wait_for(f"{base}/sparql?{ask}", coop, start)
        oport = free_port()
        oxi = subprocess.Popen(
            [oxigraph, "serve-read-only", "--location", store, "--union-default-graph",
             "--bind", f"127.0.0.1:{oport}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        procs.append(oxi)
        wait_for(f"http://127.0.0.1:{oport}/query?{ask}", oxi, time.perf_counter())
        servers = {
            "coopgraph serve": (http.client.HTTPConnection("127.0.0.1", port), "/sparql", coop),
            "oxigraph serve": (http.client.HTTPConnection("127.0.0.1", oport), "/query", oxi),
        }
        sizes = {}
        for name, (conn, path, _) in servers.items():  # warm up both
            for _ in range(3):
                sizes[name] = post(conn, path, query)[1]
        walls: dict[str, list[float]] = {name: [] for name in servers}
        cpus: dict[str, float] = dict.fromkeys(servers, 0.0)
        for _ in range(args.requests):  # in turn, so both see the same machine load
            for name, (conn, path, proc) in servers.items():
                before = tree_cpu(proc.pid)
                walls[name].append(post(conn, path, query)[0])
                cpus[name] += tree_cpu(proc.pid) - before
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()

    load = os.getloadavg()
    print(f"coopgraph serve vs oxigraph serve ({os.cpu_count()} cores; load average "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}); store {store}\n")  # fmt: skip
    print(f"first answer after start: page {first_page:.2f} s, query {first_query:.2f} s wall "
          f"(target ≤ 2 s: {'ok' if first_page <= 2 else 'MISSED'}); CPU until the first page: "
          f"server {page_cpu:.2f} s, with its starting query workers "
          f"{page_tree_cpu:.2f} s\n")  # fmt: skip
    print(f"headline query ({HEADLINE.name}, {args.requests} requests each, JSON results)")
    print(f"{'server':18} {'p50':>9} {'p90':>9} {'CPU/request':>12} {'bytes':>8}")
    p50 = {}
    for name in servers:
        ordered = sorted(walls[name])
        p50[name] = statistics.median(ordered)
        p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
        cpu = cpus[name] / args.requests
        print(f"{name:18} {p50[name] * 1000:7.1f}ms {p90 * 1000:7.1f}ms {cpu * 1000:10.1f}ms "
              f"{sizes[name]:8d}")  # fmt: skip
    ratio = p50["coopgraph serve"] / p50["oxigraph serve"]
    print(f"\np50 ratio {ratio:.2f}x (target ≤ 1.2x: {'ok' if ratio <= 1.2 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
