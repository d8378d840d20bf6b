"""Slow clients against ``coopgraph serve``: are fresh clients still served while many slow
connections ("slowloris": a request header trickling in a byte at a time) are held open?

Run:  .venv/bin/python benchmarks/bench_slow_clients.py [--slow 100] [--hold 15] [--store SPEC]
Starts ``coopgraph serve`` on 127.0.0.1 and a free port (localhost only), opens --slow
connections that each send one header byte per second, and meanwhile times plain requests of
fresh clients (GET /, a 5 s timeout each). Prints how many fresh requests were served and how
fast. Bounded: everything ends after --hold seconds. Never run as a test.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(store: str, port: int) -> subprocess.Popen[bytes]:
    script = shutil.which("coopgraph") or str(Path(sys.executable).with_name("coopgraph"))
    proc = subprocess.Popen(
        [script, "serve", "--port", str(port), "--store", store, "--workers", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("coopgraph serve did not start")


def slow_client(port: int, until: float, held: list[int], lock: threading.Lock) -> None:
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError:
        return
    with lock:
        held[0] += 1
    try:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        while time.monotonic() < until:
            sock.sendall(b"X")  # never a complete header line
            time.sleep(1)
    except OSError:
        with lock:
            held[1] += 1  # the server closed it
    finally:
        sock.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=100, help="slow connections (default 100)")
    parser.add_argument("--hold", type=float, default=15, help="seconds to hold them (15)")
    parser.add_argument("--store", default="oxigraph", help="store spec (default: bundled)")
    args = parser.parse_args()
    port = free_port()
    proc = start(args.store, port)
    try:
        until = time.monotonic() + args.hold
        held, lock = [0, 0], threading.Lock()
        threads = [
            threading.Thread(target=slow_client, args=(port, until, held, lock), daemon=True)
            for _ in range(args.slow)
        ]
        for t in threads:
            t.start()
        time.sleep(2)  # let them connect
        served, failed, times = 0, 0, []
        while time.monotonic() < until - 1:
            begun = time.perf_counter()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
                served += 1
                times.append(time.perf_counter() - begun)
            except OSError:
                failed += 1
            time.sleep(0.2)
        for t in threads:
            t.join(args.hold + 10)
        print(f"slow connections opened: {held[0]} of {args.slow}, closed by the server: {held[1]}")
        print(f"fresh requests served: {served} of {served + failed}")
        if times:
            print(f"latency: median {statistics.median(times) * 1000:.0f} ms, "
                  f"max {max(times) * 1000:.0f} ms")  # fmt: skip
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
