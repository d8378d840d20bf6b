"""``coopgraph serve`` under load: do cheap requests keep their latency while heavy queries run?

Run:  .venv/bin/python benchmarks/bench_serve_load.py [--clients 50] [--heavy 5] [--seconds 30]
      [--store SPEC] [--workers N]

Starts ``coopgraph serve`` on 127.0.0.1 and a free port (localhost only) with a query timeout of
5 s, then runs two bounded phases of ``--seconds`` each: ``--clients`` threads sending cheap
requests (resource pages as Turtle and HTML, and a small ``/sparql`` SELECT), alone
(unloaded), then again while ``--heavy`` more threads send heavy queries (the headline query
and a cross product that runs into the timeout). Each client keeps one connection
(``http.client``) and sends its next request when the last one is answered. Prints, per phase,
the requests, the error rate (any answer but 200, or no answer) and p50/p99 latency of the
cheap requests, the heavy queries' outcomes, and the server's memory (RSS of the server and
its query workers, sampled each second; peak). Target (issue 14): cheap-request p99 under
heavy load within 3x of the unloaded p99. Never run as a test.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGE = os.sysconf("SC_PAGE_SIZE")
ID = "/id/"
CHEAP_PATHS = [  # resource pages of the bundled data: Kooperationen, Kommunen, Kreise, concepts
    "kooperation/staedteregion-ruhr", "kooperation/stadtregion-muenster", "kommune/05513000",
    "kommune/05515000", "kommune/09162000", "kreis/05558", "land/05",
]  # fmt: skip
CHEAP_QUERY = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?m ?name WHERE {
  <https://w3id.org/coopgraph/id/kooperation/stadtregion-muenster> org:hasMember ?m .
  ?m rdfs:label ?name } LIMIT 20"""
HEAVY_QUERIES = [
    (REPO / "queries" / "kommunen-in-mehreren-kooperationen.rq").read_text(encoding="utf-8"),
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }",  # runs into the timeout
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and its descendants."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        p = int(stat.parent.name)
        parents[p] = int(fields[1])
        rss[p] = int(fields[21]) * PAGE
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += [c for c, parent in parents.items() if parent == p]
    return total


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: Counter[str] = Counter()

    def add(self, seconds: float, status: str) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] += 1


def client(port: int, until: float, rec: Recorder, heavy: bool, seed: int) -> None:
    rnd = random.Random(seed)
    conn: http.client.HTTPConnection | None = None
    while time.monotonic() < until:
        kind = "heavy"
        if heavy:
            query = rnd.choice(HEAVY_QUERIES)
            method, path, body = "POST", "/sparql", query.encode()
            headers = {"Content-Type": "application/sparql-query",
                       "Accept": "application/sparql-results+json"}  # fmt: skip
        else:
            draw = rnd.random()
            body = None
            if draw < 0.4:
                kind, method, path = "turtle", "GET", ID + rnd.choice(CHEAP_PATHS)
                headers = {"Accept": "text/turtle"}
            elif draw < 0.7:
                kind, method, path = "html", "GET", ID + rnd.choice(CHEAP_PATHS)
                headers = {"Accept": "text/html", "Accept-Language": rnd.choice(["de", "en"])}
            else:
                kind, method = "sparql", "GET"
                path = "/sparql?" + urllib.parse.urlencode({"query": CHEAP_QUERY})
                headers = {"Accept": "application/sparql-results+json"}
        start = time.perf_counter()
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status = str(response.status)
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as exc:
            status = type(exc).__name__
            if conn is not None:
                conn.close()
            conn = None
        rec.add(time.perf_counter() - start, f"{kind} {status}")
    if conn is not None:
        conn.close()


def phase(port: int, pid: int, clients: int, heavy: int, seconds: float) -> dict[str, object]:
    until = time.monotonic() + seconds
    cheap, hard = Recorder(), Recorder()
    threads = [
        threading.Thread(target=client, args=(port, until, cheap, False, i), daemon=True)
        for i in range(clients)
    ] + [
        threading.Thread(target=client, args=(port, until, hard, True, 1000 + i), daemon=True)
        for i in range(heavy)
    ]
    for t in threads:
        t.start()
    peak = 0
    while time.monotonic() < until:
        peak = max(peak, tree_rss(pid))
        time.sleep(1)
    for t in threads:
        t.join(90)
    lat = sorted(cheap.latencies)
    errors = sum(n for s, n in cheap.statuses.items() if not s.endswith(" 200"))
    return {
        "requests": len(lat),
        "errors": errors / max(1, len(lat)),
        "p50": statistics.median(lat) if lat else float("nan"),
        "p99": lat[min(len(lat) - 1, int(0.99 * len(lat)))] if lat else float("nan"),
        "heavy": dict(hard.statuses),
        "rss": peak,
        "statuses": dict(cheap.statuses),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--heavy", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--store", default=None, help="store spec (default: the compiled store)")
    parser.add_argument("--workers", type=int, default=None, help="serve --workers")
    parser.add_argument("--data", default=str(REPO), help="the workspace (default: this clone)")
    args = parser.parse_args()
    coopgraph = shutil.which("coopgraph", path=str(Path(sys.executable).parent)) or "coopgraph"
    port = free_port()
    cmd = [coopgraph, "serve", "--port", str(port), "--query-timeout", "5"]
    if args.store:
        cmd += ["--store", args.store]
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    env = {**os.environ, "COOPGRAPH_DATA": args.data}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        ask = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
        while True:  # up, and its workers too
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/sparql?{ask}", timeout=60).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("coopgraph serve did not start") from None
                time.sleep(0.3)
        for path in CHEAP_PATHS:  # warm: the directory, templates
            urllib.request.urlopen(f"http://127.0.0.1:{port}{ID}{path}", timeout=60).read()
        cheap = urllib.parse.urlencode({"query": CHEAP_QUERY})  # learnt as quick by the server
        urllib.request.urlopen(f"http://127.0.0.1:{port}/sparql?{cheap}", timeout=60).read()
        quiet = phase(port, proc.pid, args.clients, 0, args.seconds)
        loaded = phase(port, proc.pid, args.clients, args.heavy, args.seconds)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    load = os.getloadavg()
    print(f"coopgraph serve under load ({os.cpu_count()} cores; load average {load[0]:.2f} "
          f"{load[1]:.2f} {load[2]:.2f}); {args.clients} cheap clients, {args.seconds:g} s a "
          f"phase\n")  # fmt: skip
    print(f"{'phase':26} {'requests':>8} {'errors':>7} {'p50':>8} {'p99':>8} {'peak RSS':>9}")
    for name, r in (("unloaded", quiet), (f"with {args.heavy} heavy clients", loaded)):
        print(f"{name:26} {r['requests']:8d} {r['errors']:6.1%} {r['p50'] * 1000:6.0f}ms "  # type: ignore[operator]
              f"{r['p99'] * 1000:6.0f}ms {r['rss'] // 2**20:7d}MB")  # type: ignore[operator]  # fmt: skip
    print(f"\ncheap answers: unloaded {quiet['statuses']}, loaded {loaded['statuses']}")
    print(f"heavy answers (503 = stopped at the 5 s timeout or queue full): {loaded['heavy']}")
    ratio = loaded["p99"] / quiet["p99"]  # type: ignore[operator]
    print(f"p99 under load / unloaded: {ratio:.2f}x (target ≤ 3x: "
          f"{'ok' if ratio <= 3 else 'MISSED'})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
