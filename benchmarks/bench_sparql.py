"""Benchmark of the SPARQL endpoint on a full-corpus store, side by side with rdflib.

Starts ``bibkg serve`` on the store in a separate process, then measures over HTTP (keep-alive,
one client) the p50/p99 latency of three named queries with varied parameters — coauthors of a
person at an event, the papers of a person, a venue-year aggregate — and the requests/s of 16
concurrent clients.  The same queries (same parameters, same SPARQL text, parameters bound with
``initBindings``) then run on rdflib's default in-memory store holding the same triples (in
process, so without HTTP: rdflib's numbers are a lower bound of what an rdflib server would do).

    python benchmarks/bench_sparql.py --store /tmp/bibkg-full [--requests 300] [--no-rdflib]

Prints a Markdown table (copied into docs/sparql.md).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

from bibkg import config
from bibkg.sparql.catalog import QueryCatalog
from bibkg.store.local import LocalStore

P = "PREFIX bibkg: <https://w3id.org/bibkg/ns#> "
QUERIES = {
    "coauthors-at-event": "coauthors of a person at an event",
    "person-papers": "papers of a person",
    "venue-year-top-authors": "venue-year aggregate (top authors)",
}
LIVE_AGGREGATE = (
    P
    + """SELECT ?author (COUNT(DISTINCT ?paper) AS ?papers) WHERE {
  ?paper bibkg:venue <https://aclanthology.org/venues/acl/> ; bibkg:year 2023 ; bibkg:author ?author
} GROUP BY ?author ORDER BY DESC(?papers) LIMIT 20"""
)


def pick_parameters(store: ox.Store, n: int, seed: int = 7) -> dict[str, list[dict[str, str]]]:
    """Realistic parameters: an author of a random paper of a random event (2015 or later), that
    person, and random venue-years with at least 50 papers."""
    rng = random.Random(seed)
    events = sorted(
        s["event"].value
        for s in store.query(
            P
            + "SELECT ?event WHERE { GRAPH <https://w3id.org/bibkg/graph/events> { ?event a bibkg:Event ; bibkg:year ?y } FILTER (?y >= 2015) }"
        )
    )
    pairs: list[tuple[str, str]] = []
    while len(pairs) < n:
        event = rng.choice(events)
        # the event IRI comes from the store itself (an ox.NamedNode rendered by str())
        authors = [
            s["person"].value
            for s in store.query(
                P
                + f"SELECT DISTINCT ?person WHERE {{ ?paper bibkg:event {ox.NamedNode(event)} ; bibkg:author ?person }} LIMIT 200",
                use_default_graph_as_union=True,
            )
        ]
        if authors:
            pairs.append((rng.choice(authors), event))
    venue_years = sorted(
        (s["venue"].value, s["year"].value)
        for s in store.query(
            P
            + "SELECT ?venue ?year WHERE { GRAPH <https://w3id.org/bibkg/graph/stats> { ?vy a bibkg:VenueYear ; bibkg:venue ?venue ; bibkg:year ?year ; bibkg:paperCount ?n } FILTER (?n >= 50) }"
        )
    )
    if not venue_years:
        raise SystemExit("the store has no statistics graph: ingest it with this version of bibkg")
    venue_years = [rng.choice(venue_years) for _ in range(n)]
    return {
        "coauthors-at-event": [{"person": p, "event": e} for p, e in pairs],
        "person-papers": [{"person": p} for p, _ in pairs],
        "venue-year-top-authors": [{"venue": v, "year": y} for v, y in venue_years],
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, port: int, query_workers: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bibkg",
            "serve",
            "--store",
            str(store),
            "--port",
            str(port),
            "--query-workers",
            str(query_workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"server did not start: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def http_latencies(url: str, name: str, params: list[dict[str, str]], requests: int) -> list[float]:
    out = []
    with httpx.Client(base_url=url, timeout=60) as client:
        for p in params[:5]:  # warm-up
            client.get(f"/queries/{name}", params=p)
        for i in range(requests):
            p = params[i % len(params)]
            t = time.perf_counter()
            r = client.get(f"/queries/{name}", params=p)
            out.append(time.perf_counter() - t)
            if r.status_code != 200:
                raise SystemExit(f"{name} {p}: {r.status_code} {r.text[:300]}")
    return out


async def throughput(url: str, name: str, params: list[dict[str, str]], clients: int, seconds: float) -> float:
    done = 0
    stop = time.perf_counter() + seconds

    async def worker(k: int) -> None:
        nonlocal done
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            i = k
            while time.perf_counter() < stop:
                r = await client.get(f"/queries/{name}", params=params[i % len(params)])
                if r.status_code == 200:
                    done += 1
                i += clients

    started = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(clients)))
    return done / (time.perf_counter() - started)


def rdflib_latencies(
    store: ox.Store, catalog: QueryCatalog, params: dict, requests: int
) -> tuple[dict[str, list[float]], float]:
    import rdflib
    from rdflib.plugins.sparql import prepareQuery

    t = time.perf_counter()
    data = store.dump(format=ox.RdfFormat.N_QUADS)
    graph = rdflib.Graph()  # the default in-memory store
    # the union default graph: every quad as a triple of one graph
    graph.parse(data=_strip_graphs(data), format="nt")
    load_seconds = time.perf_counter() - t
    del data
    out: dict[str, list[float]] = {}
    for name in QUERIES:
        q = catalog[name]
        prepared = prepareQuery(q.text)
        times = []
        for i in range(requests):
            bindings = {k: _rdflib_term(v) for k, v in q.bind(params[name][i % len(params[name])]).items()}
            t0 = time.perf_counter()
            list(graph.query(prepared, initBindings={rdflib.Variable(k): v for k, v in bindings.items()}))
            times.append(time.perf_counter() - t0)
        out[name] = times
    return out, load_seconds


def _strip_graphs(nquads: bytes) -> bytes:
    store = ox.Store()
    store.bulk_load(input=nquads, format=ox.RdfFormat.N_QUADS)
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in store}
    return ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)


def _rdflib_term(term: ox.NamedNode | ox.Literal):
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value) if term.datatype else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", required=True, help="store directory (a full-corpus ingest)")
    parser.add_argument("--requests", type=int, default=300, help="sequential requests per query (HTTP)")
    parser.add_argument("--rdflib-requests", type=int, default=20, help="runs per query on rdflib")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each throughput run")
    parser.add_argument("--query-workers", type=int, default=max(2, os.cpu_count() or 1))
    parser.add_argument(
        "--no-rdflib", action="store_true", help="skip the rdflib comparison (it loads the corpus into RAM)"
    )
    args = parser.parse_args()

    local = LocalStore(Path(args.store))
    store = local.open_read()
    catalog = QueryCatalog.load(config.queries_dir())
    params = pick_parameters(store, 200)
    t = time.perf_counter()
    list(store.query(LIVE_AGGREGATE, use_default_graph_as_union=True))
    live_aggregate = time.perf_counter() - t

    port = free_port()
    server = start_server(local.root, port, args.query_workers)
    url = f"http://127.0.0.1:{port}"
    results = {}
    try:
        for name in QUERIES:
            lat = http_latencies(url, name, params[name], args.requests)
            rps = asyncio.run(throughput(url, name, params[name], args.clients, args.seconds))
            results[name] = (lat, rps)
    finally:
        server.terminate()
        server.wait(10)

    for name in QUERIES:
        lat, rps = results[name]
        print(
            f"# {name}: HTTP p50 {percentile(lat, 50) * 1000:.1f} ms p99 {percentile(lat, 99) * 1000:.1f} ms, {rps:,.0f} req/s",
            flush=True,
        )
    rdf = None
    if not args.no_rdflib:
        rdf = rdflib_latencies(store, catalog, params, args.rdflib_requests)

    triples = len(store)
    print(
        f"store: {local.current_snapshot()} ({triples:,} quads); {os.cpu_count()} cores; "
        f"{args.query_workers} query workers; {args.requests} requests per query, {args.clients} clients for {args.seconds:g} s"
    )
    print()
    header = "| query | bibkg HTTP p50 | p99 | req/s (16 clients) |"
    sep = "|---|---:|---:|---:|"
    if rdf:
        header += " rdflib in-memory p50 | p99 |"
        sep += "---:|---:|"
    print(header)
    print(sep)
    for name, label in QUERIES.items():
        lat, rps = results[name]
        row = f"| {label} (`{name}`) | {percentile(lat, 50) * 1000:.1f} ms | {percentile(lat, 99) * 1000:.1f} ms | {rps:,.0f} |"
        if rdf:
            r = rdf[0][name]
            row += f" {percentile(r, 50) * 1000:,.1f} ms | {percentile(r, 99) * 1000:,.1f} ms |"
        print(row)
    print()
    print(
        f"The same venue-year aggregate computed live by Oxigraph (no statistics graph): {live_aggregate * 1000:,.0f} ms"
    )
    if rdf:
        print(f"rdflib: loading the {triples:,} quads as triples took {rdf[1]:,.0f} s")


if __name__ == "__main__":
    main()
