"""The query worker pool under careless and hostile clients (issue 10 #3, #7, #13): the figures of
the issue, measured again.

    python benchmarks/bench_worker_pool.py [--store STORE] [--seconds 20] [--port 18300]

Starts ``bibkg serve --store STORE`` (default: the bundled sample) on 127.0.0.1 and measures:

* **tiny timeouts**: for ``--seconds``, 4 clients send a heavy query (a cartesian product) with
  ``timeout=1e-9``, while /health is probed every 0.25 s. Reported: worker kills (from /health),
  probes not 200, /health p50/max latency. (Issue: 117 kills in 20 s, /health 503 on 29 of 69
  probes, /health up to 670 ms.)
* **cheap tiny timeouts**: 30 cheap queries with ``timeout=1e-9``: their statuses and the kills
  they caused (before: each one a kill and a respawn).
* **client leaves**: a heavy query whose client gives up after 0.5 s (``curl -m 0.5``), with one
  query slot (``--query-workers 1``, deadline 30 s): seconds until that slot serves again.
  (Issue: busy until the deadline.)
* **after a kill**: /health every 20 ms for 1.5 s after a deadline kill with one query slot: probes
  not 200. (Issue: 503 for ~0.7 s.)

Pass ``PYTHONPATH=/work/base/src`` (or any older checkout) to measure older code the same way.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CHEAP = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"


@contextmanager
def serve(store: str | None, port: int, workers: int, env: dict[str, str]) -> Iterator[str]:
    args = [sys.executable, "-m", "bibkg", "serve", "--port", str(port), "--query-workers", str(workers)]
    if store:
        args += ["--store", store]
    proc = subprocess.Popen(args, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + 180
        while True:
            if proc.poll() is not None or time.monotonic() > end:
                raise SystemExit(f"the server on port {port} did not start")
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


class Probe:
    def __init__(self, url: str, every: float) -> None:
        self.url, self.every = url + "/health", every
        self.statuses: list[int] = []
        self.latencies: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self.stop.is_set():
                t = time.perf_counter()
                try:
                    status = client.get(self.url).status_code
                except httpx.HTTPError:
                    status = 0
                self.latencies.append(time.perf_counter() - t)
                self.statuses.append(status)
                self.stop.wait(self.every)

    def __enter__(self) -> Probe:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()

    def summary(self) -> str:
        bad = sum(1 for s in self.statuses if s != 200)
        return (f"/health not 200 on {bad} of {len(self.statuses)} probes; latency p50 "
                f"{statistics.median(self.latencies) * 1000:.1f} ms, max {max(self.latencies) * 1000:.0f} ms")  # fmt: skip


def killed(url: str) -> int:
    return int(httpx.get(url + "/health", timeout=10).json().get("killed", 0))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", help="store directory (default: the bundled sample)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--port", type=int, default=18300, help="first of two ports used on 127.0.0.1")
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []

    with serve(args.store, args.port, 2, {}) as url:
        before = killed(url)
        stop = time.monotonic() + args.seconds
        statuses: list[int] = []

        def attacker(_: int) -> None:
            with httpx.Client(timeout=60) as client:
                while time.monotonic() < stop:
                    try:
                        statuses.append(
                            client.get(url + "/sparql", params={"query": HEAVY, "timeout": "1e-9"}).status_code
                        )
                    except httpx.HTTPError:
                        statuses.append(0)

        with Probe(url, 0.25) as probe, ThreadPoolExecutor(4) as pool:
            list(pool.map(attacker, range(4)))
        rows.append((f"heavy, timeout=1e-9, 4 clients, {args.seconds:g} s",
                     f"{len(statuses)} requests ({', '.join(f'{s}x{statuses.count(s)}' for s in sorted(set(statuses)))}); "
                     f"{killed(url) - before} kills; {probe.summary()}"))  # fmt: skip
        time.sleep(3)
        before = killed(url)
        with ThreadPoolExecutor(3) as pool:
            cheap = list(pool.map(lambda _: httpx.get(url + "/sparql", params={"query": CHEAP, "timeout": "1e-9"},
                                                      timeout=60).status_code, range(30)))  # fmt: skip
        rows.append(
            (
                "cheap, timeout=1e-9, 30 requests",
                f"{', '.join(f'{s}x{cheap.count(s)}' for s in sorted(set(cheap)))}; {killed(url) - before} kills",
            )
        )

    with serve(args.store, args.port + 1, 1, {"BIBKG_QUERY_TIMEOUT": "30", "BIBKG_QUEUE_WAIT": "0.2"}) as url:
        try:
            httpx.get(url + "/sparql", params={"query": HEAVY}, timeout=0.5)
        except httpx.TimeoutException:
            pass
        left = time.monotonic()
        while time.monotonic() - left < 40:
            if httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=60).status_code == 200:
                break
            time.sleep(0.05)
        rows.append(
            (
                "client leaves after 0.5 s (1 slot, 30 s deadline)",
                f"slot free again after {time.monotonic() - left:.2f} s",
            )
        )
        time.sleep(2)
        with Probe(url, 0.02) as probe:
            status = httpx.get(url + "/sparql", params={"query": HEAVY, "timeout": "0.5"}, timeout=60).status_code
            time.sleep(1.5)
        rows.append(("deadline kill (1 slot), /health every 20 ms", f"query {status}; {probe.summary()}"))

    print(f"\nWorker pool under hostile clients, store {args.store or 'sample'}, {os.cpu_count()} cores\n")
    print("| case | result |\n|---|---|")
    for case, result in rows:
        print(f"| {case} | {result} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
