"""GraphQL over HTTP on the full corpus: latency of everyday queries and throughput, cold and warm.

    python benchmarks/bench_graphql.py [--store /tmp/bibkg-full] [--workers 1] [--requests 150] [--seconds 8]
        [--port PORT] [--only cold] [--source LABEL=SRC_DIR ...]

Starts ``bibkg serve`` (uvicorn, ``--workers`` processes) on a free port of 127.0.0.1 twice:

* **cold** — with ``BIBKG_GRAPHQL_RESPONSE_CACHE_MB=0``: every request is executed (parsed
  documents and rows of named queries are still reused after the warm-up, as in any long-running
  server: the row cache and the document cache stay on);
* **warm** — with the response cache on (the default): after the warm-up, every request of the
  measurement repeats one seen before and is answered from the cache.

Each time it waits for the people-search index, warms up, then measures over keep-alive
connections with a lean HTTP/1.1 client (:class:`RawClient`; the client shares the two cores
with the server, so it must cost it little):

* the scoped coauthor query (``coauthors(person:, event: "acl-2024")``, top authors of ACL 2024)
  and the same through ``name:`` — sequential requests, p50 / p99;
* a person page: person + 20 papers with authors and venues — p50 / p99;
* throughput: 16 concurrent clients cycling through those queries (mixed), and through the
  canonical coauthor query alone, requests/s and errors.

``--source LABEL=SRC_DIR`` (repeatable) serves the code of another source tree (e.g. an
exported older commit: ``git archive COMMIT src | tar -x -C /tmp/before``) through ``PYTHONPATH``,
so that code before and after a change is measured in one run, on the same machine state.

Targets (issue): coauthors p50 ≤ 10 ms and p99 ≤ 30 ms; person page p50 ≤ 30 ms;
≥ 300 requests/s at 16 clients with zero errors. Prints a Markdown table. With ``--url`` it
measures a running server once, as configured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

COAUTHORS = """query($p: ID!, $e: ID!) { coauthors(person: $p, event: $e) {
  totalCount edges { count node { id name } } } }"""
COAUTHORS_BY_NAME = """query($n: String!, $e: ID!) { coauthors(name: $n, event: $e) {
  totalCount edges { count node { id name } } } }"""
PERSON_PAGE = """query($p: ID!) { person(id: $p) {
  id name names orcid verified
  venues { count venue { id acronym } }
  papers(first: 20) { totalCount edges { node {
    id title year pages doi pdf
    venues { id acronym name }
    authors { position printedName person { id name } } } }
    pageInfo { hasNextPage endCursor } } } }"""

LATENCY_ROWS = (
    ("coauthors(person:, event: acl-2024)", "p50 ≤ 10, p99 ≤ 30"),
    ("coauthors(name:, event: acl-2024)", "—"),
    ("person page (20 papers, authors, venues)", "p50 ≤ 30"),
)
THROUGHPUT_ROWS = (
    ("throughput (mixed)", "—"),
    ("throughput (coauthors(person:, event:))", "≥ 300 req/s, 0 errors"),
)
Measurement = dict[str, tuple[str, str]]
"""Row label → (first cell, second cell): p50 and p99 in ms, or req/s and ok/errors."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


class RawClient:
    """A lean HTTP/1.1 keep-alive client for the measured requests: POST a JSON body, read a
    ``Content-Length`` response.  The load generator shares the two cores with the server it
    measures, so it must cost far less than the server (httpx costs several ms per request)."""

    def __init__(self, base: str) -> None:
        url = httpx.URL(base)
        self.host, self.port = url.host, url.port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def request(self, query: str, variables: dict) -> bytes:
        body = json.dumps({"query": query, "variables": variables}).encode()
        head = (
            f"POST /graphql HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nAccept: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body

    async def send(self, request: bytes) -> float:
        """Send one prepared request; its latency in ms.  Raises on a non-200 or GraphQL error."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        start = time.perf_counter()
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = None
        for line in head.split(b"\r\n")[1:]:
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length is None:
            raise RuntimeError(f"no Content-Length in {head[:200]!r}")
        body = await self.reader.readexactly(length)
        elapsed = time.perf_counter() - start
        if not head.startswith(b"HTTP/1.1 200") or b'"errors"' in body:
            raise RuntimeError(f"{head.split(b' ', 2)[1].decode()}: {body[:300]!r}")
        return elapsed * 1000

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def _sequential(base: str, query: str, variables_list: list[dict], n: int) -> list[float]:
    client = RawClient(base)
    requests = [client.request(query, v) for v in variables_list]
    try:
        return [await client.send(requests[i % len(requests)]) for i in range(n)]
    finally:
        await client.close()


async def _throughput(base: str, jobs: list[tuple[str, dict]], clients: int, seconds: float) -> tuple[float, int, int]:
    done = errors = 0
    stop = time.perf_counter() + seconds

    async def worker(k: int) -> None:
        nonlocal done, errors
        client = RawClient(base)
        requests = [client.request(q, v) for q, v in jobs]
        i = k
        try:
            while time.perf_counter() < stop:
                try:
                    await client.send(requests[i % len(requests)])
                    done += 1
                except Exception:  # noqa: BLE001
                    errors += 1
                    await client.close()
                    client.writer = None
                i += 1
        finally:
            await client.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(clients)))
    return done / (time.perf_counter() - start), done, errors


async def measure(base: str, n: int, clients: int, seconds: float) -> Measurement:
    """Latency rows (:data:`LATENCY_ROWS`) and the throughput row of the server at ``base``."""
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        # the people-search index is built in the background at startup, by each worker process:
        # wait for it, over fresh connections so that every worker is reached
        for _ in range(12):
            async with httpx.AsyncClient(base_url=base, timeout=300) as fresh:
                await fresh.post("/graphql", json={"query": '{ people(name: "Graham Neubig") { totalCount } }'})
        top = await client.post(
            "/graphql", json={"query": '{ event(id: "acl-2024") { topAuthors(first: 10) { person { id name } } } }'}
        )
        people = [a["person"] for a in top.json()["data"]["event"]["topAuthors"]]
        coauthor_vars = [{"p": p["id"], "e": "acl-2024"} for p in people]
        name_vars = [{"n": p["name"], "e": "acl-2024"} for p in people]
        page_vars = [{"p": p["id"]} for p in people]
        # the name lookup is resolved once per name (unique names only)
        unique = []
        for v in name_vars:
            r = await client.post("/graphql", json={"query": COAUTHORS_BY_NAME, "variables": v})
            if not r.json().get("errors"):
                unique.append(v)
        jobs = {
            LATENCY_ROWS[0][0]: (COAUTHORS, coauthor_vars),
            LATENCY_ROWS[1][0]: (COAUTHORS_BY_NAME, unique),
            LATENCY_ROWS[2][0]: (PERSON_PAGE, page_vars),
        }
    for query, vs in jobs.values():
        if vs:
            await _sequential(base, query, vs, 30)  # warm-up
    rows: Measurement = {}
    for label, (query, vs) in jobs.items():
        if vs:
            times = await _sequential(base, query, vs, n)
            rows[label] = (f"{statistics.median(times):.1f}", f"{_pct(times, 99):.1f}")
    mixed = [(COAUTHORS, v) for v in coauthor_vars] + [(PERSON_PAGE, v) for v in page_vars]
    coauthors = [(COAUTHORS, v) for v in coauthor_vars]
    for (label, _target), load in zip(THROUGHPUT_ROWS, (mixed, coauthors), strict=True):
        rps, done, errors = await _throughput(base, load, clients, seconds)
        rows[label] = (f"{rps:.0f} req/s", f"{done} ok / {errors} errors")
    return rows


@contextmanager
def serve(store: str, workers: int, env: dict[str, str], port: int | None = None) -> Iterator[str]:
    """``bibkg serve`` on ``port`` (default: a free port) with ``env`` added to the environment;
    yields its base URL once it answers GraphQL."""
    port = port or _free_port()
    base = f"http://127.0.0.1:{port}"
    bibkg = Path(sys.executable).with_name("bibkg")
    proc = subprocess.Popen(
        [str(bibkg), "serve", "--store", store, "--port", str(port), "--workers", str(workers), "--query-workers", "1"],
        env={**os.environ, "PYTHONWARNINGS": "ignore", **env},
    )
    try:
        deadline = time.time() + 180
        while True:
            try:
                if httpx.post(f"{base}/graphql", json={"query": "{ __typename }"}, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError("server did not start")
            time.sleep(0.5)
        time.sleep(2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def table(columns: dict[str, Measurement], clients: int, seconds: float) -> str:
    """The Markdown table: one p50/p99 pair of columns per measured configuration."""
    names = list(columns)
    head = "| query | " + " | ".join(f"{n} p50 (ms) | {n} p99 (ms)" for n in names) + " | target |"
    lines = [head, "|---|" + "---|---|" * len(names) + "---|"]
    for label, target in LATENCY_ROWS:
        if all(label in columns[n] for n in names):
            lines.append(f"| {label} | " + " | ".join(" | ".join(columns[n][label]) for n in names) + f" | {target} |")
    for label, target in THROUGHPUT_ROWS:
        lines.append(
            f"| {label}, {clients} clients, {seconds:.0f} s | "
            + " | ".join(" | ".join(columns[n][label]) for n in names)
            + f" | {target} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", default="/tmp/bibkg-full")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--requests", type=int, default=150, help="sequential requests per latency row")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--url", help="benchmark a running server (once, as configured) instead of starting one")
    parser.add_argument("--port", type=int, help="port of the servers started (default: a free port)")
    parser.add_argument("--only", choices=("cold", "warm"), help="measure one configuration only")
    parser.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="LABEL=SRC_DIR",
        help="also serve the package found in SRC_DIR (PYTHONPATH), columns named LABEL",
    )
    args = parser.parse_args()
    columns: dict[str, Measurement] = {}
    if args.url:
        columns["server"] = asyncio.run(measure(args.url, args.requests, args.clients, args.seconds))
        where = args.url
    else:
        if not Path(args.store, "current").exists():
            print(
                f"no store at {args.store}: run `bibkg ingest <anthology data> --store {args.store}`", file=sys.stderr
            )
            return 2
        sources = [("", {})]
        for item in args.source:
            label, _, src = item.partition("=")
            if not src or not Path(src, "bibkg").is_dir():
                print(f"--source {item}: expected LABEL=DIR with DIR/bibkg", file=sys.stderr)
                return 2
            sources.append((f"{label} ", {"PYTHONPATH": str(Path(src).resolve())}))
        configs = (("cold", {"BIBKG_GRAPHQL_RESPONSE_CACHE_MB": "0"}), ("warm", {}))
        for label, source_env in sources:
            for name, env in configs:
                if args.only and name != args.only:
                    continue
                with serve(args.store, args.workers, {**source_env, **env}, args.port) as base:
                    columns[label + name] = asyncio.run(measure(base, args.requests, args.clients, args.seconds))
        where = (
            f"store {args.store}, {args.workers} uvicorn worker(s); cold: response cache off "
            "(rows and documents cached after the warm-up), warm: response cache on; "
            "columns without a label: this checkout" + "".join(f"; {item}" for item in args.source)
        )
    print(f"\nGraphQL over HTTP, {where}, {os.cpu_count()} cores\n")
    print(table(columns, args.clients, args.seconds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
