"""Benchmark of the Linked Data routes (RDF descriptions) on a full-corpus store.

Starts ``bibkg serve`` on the store in a separate process (or uses ``--url`` of a running one),
then, per entity kind (person, paper, volume, event, venue, SIG) and per RDF format (Turtle,
N-Triples, JSON-LD, RDF/XML), GETs the descriptions of random entities of that kind over one
keep-alive HTTP client and prints the p50/p99 latency and the answer size, plus the latency of the
largest entity of each kind (the most prolific person, volume ``2024.lrec-main``, event
``acl-2024``, venue ``ws``, …): its first request, which no cache answers, and the median of 5.
``html`` is the page a browser gets.

``--old`` also times the description query of commit c5ae782 (before issue 11) on ONE entity per
kind, in a subprocess on the same store with the same bindings the server used then (each takes
about a minute; ``--old-timeout`` bounds it).  Without it, the figures of one measured run are
printed for comparison.

    python benchmarks/bench_linked_data.py --store /work/stores/full [--per-kind 40] [--old]

Prints a Markdown table (copied into docs/dumps-and-linked-data.md).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

from bibkg import iris
from bibkg import vocab as V
from bibkg.store.local import LocalStore

FORMATS = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "html": "text/html",  # the page a browser gets (issue 12: the most prolific author's ≤ 30 ms)
}
KINDS = {  # kind → (class, the largest entity of the kind or None to find it)
    "person": (V.Person, None),
    "paper": (V.Paper, None),
    "volume": (V.Volume, iris.volume_iri("2024.lrec-main")),
    "event": (V.Event, iris.event_iri("acl-2024")),
    "venue": (V.Venue, iris.venue_iri("ws")),
    "sig": (V.SIG, iris.sig_iri("sigdat")),
}
OLD_FIGURES = {  # one run of --old on the full corpus (2 cores shared with other work), 2026-12-01
    "person": "11.6 s", "paper": "11.7 s", "volume": "10.9 s", "event": "10.9 s", "venue": "10.9 s", "sig": "11.4 s",
}  # fmt: skip
"""Issue 11 measured 70-86 s per entity over HTTP on a busier machine (18 s with the IRI written in)."""
OLD_DESCRIBE = """PREFIX bibkg: <https://w3id.org/bibkg/ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?s ?p ?o . ?x ?lp ?l }
WHERE {
  {
    ?entity ?p ?o . BIND (?entity AS ?s)
  } UNION {
    ?entity ?hp ?s .
    FILTER (isIRI(?s) && STRSTARTS(STR(?s), CONCAT(STR(?entity), "#")))
    ?s ?p ?o .
  } UNION {
    ?entity ?p1 ?x . FILTER (isIRI(?x))
    VALUES ?lp { rdfs:label bibkg:title bibkg:booktitle }
    ?x ?lp ?l .
  } UNION {
    ?entity ?hp ?h .
    FILTER (isIRI(?h) && STRSTARTS(STR(?h), CONCAT(STR(?entity), "#")))
    ?h ?p2 ?x . FILTER (isIRI(?x) && !STRSTARTS(STR(?x), CONCAT(STR(?entity), "#")))
    VALUES ?lp { rdfs:label bibkg:title bibkg:booktitle }
    ?x ?lp ?l .
  }
}"""
"""queries/ld-describe.rq of commit c5ae782; the server bound ?entity with pyoxigraph's
substitutions (the query had no ``VALUES ?entity { UNDEF }`` placeholder)."""


def most_prolific_person(store: ox.Store) -> str:
    counts = store.quads_for_pattern(None, ox.NamedNode(V.paperCount), None, ox.NamedNode(iris.STATS_GRAPH))
    return max((int(q.object.value), q.subject.value) for q in counts if "/people/" in q.subject.value)[1]


def paper_with_most_authors(store: ox.Store) -> str:
    counts: dict[str, int] = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(V.author), None, None):
        counts[q.subject.value] = counts.get(q.subject.value, 0) + 1
    return max((n, iri) for iri, n in counts.items())[1]


def pick_entities(store: ox.Store, per_kind: int, seed: int = 11) -> dict[str, list[str]]:
    """``per_kind`` random entities of each kind (by their rdf:type), in a fixed order."""
    rng = random.Random(seed)
    out = {}
    for kind, (cls, _largest) in KINDS.items():
        members = sorted(
            {q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(V.TYPE), ox.NamedNode(cls), None)}
        )
        out[kind] = rng.sample(members, min(per_kind, len(members)))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "bibkg", "serve", "--store", str(store), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
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
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def local_path(iri: str) -> str:
    if iri.startswith(iris.ANTHOLOGY):
        return "/" + iri[len(iris.ANTHOLOGY) :]
    return "/resource?iri=" + iri


def get(client: httpx.Client, iri: str, media: str) -> tuple[float, int]:
    t = time.perf_counter()
    r = client.get(local_path(iri), headers={"Accept": media})
    elapsed = time.perf_counter() - t
    if r.status_code != 200 or not r.headers["content-type"].startswith(media):
        raise SystemExit(f"{iri} ({media}): {r.status_code} {r.text[:300]}")
    return elapsed, len(r.content)


def old_time(store_dir: Path, iri: str, timeout: float) -> str:
    """Seconds the pre-issue-11 description query takes on ``iri`` (in a subprocess)."""
    code = (
        "import sys, time, pyoxigraph as ox\n"
        "s = ox.Store.read_only(sys.argv[1])\n"
        "t = time.perf_counter()\n"
        "n = len(list(s.query(sys.argv[3], use_default_graph_as_union=True, substitutions={ox.Variable('entity'): ox.NamedNode(sys.argv[2])})))\n"
        "print(f'{time.perf_counter() - t:.1f} s ({n} triples)')\n"
    )
    try:
        done = subprocess.run([sys.executable, "-c", code, str(store_dir), iri, OLD_DESCRIBE],
                              capture_output=True, text=True, timeout=timeout, check=True)  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"> {timeout:g} s"
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", required=True, help="store directory (a full-corpus ingest)")
    parser.add_argument("--url", help="a server already serving --store (default: start one)")
    parser.add_argument("--per-kind", type=int, default=40, help="random entities per kind")
    parser.add_argument("--old", action="store_true", help="time the old description query once per kind (~1 min each)")
    parser.add_argument("--old-timeout", type=float, default=300.0)
    args = parser.parse_args()

    local = LocalStore(Path(args.store))
    store = local.open_read()
    entities = pick_entities(store, args.per_kind)
    finders = {"person": most_prolific_person, "paper": paper_with_most_authors}
    largest = {kind: big or finders[kind](store) for kind, (_cls, big) in KINDS.items()}
    quads = len(store)
    del store

    server = None
    url = args.url
    if url is None:
        port = free_port()
        server = start_server(local.root, port)
        url = f"http://127.0.0.1:{port}"
    rows = []
    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            for kind, sample in entities.items():
                for fmt, media in FORMATS.items():
                    for iri in sample[:3]:  # warm-up (connection, code paths)
                        get(client, iri, media)
                    measured = [get(client, iri, media) for iri in sample]
                    times = [t for t, _ in measured]
                    big = [get(client, largest[kind], media) for _ in range(5)]
                    rows.append((kind, fmt, times, statistics.median(n for _, n in measured), big[0][0],
                                 statistics.median(t for t, _ in big), big[0][1]))  # fmt: skip
                    print(f"# {kind} {fmt}: p50 {percentile(times, 50) * 1000:.1f} ms", file=sys.stderr, flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)

    old = {kind: OLD_FIGURES[kind] for kind in KINDS}
    if args.old:
        for kind in KINDS:
            old[kind] = old_time(local.current_snapshot(), largest[kind], args.old_timeout)
            print(f"# old {kind}: {old[kind]}", file=sys.stderr, flush=True)

    print(
        f"store: {local.current_snapshot()} ({quads:,} quads); {os.cpu_count()} cores; "
        f"{args.per_kind} random entities per kind, one keep-alive client, times as the client sees them"
    )
    print()
    print(
        "| kind | format | p50 | p99 | median size | largest entity | its first request | its time (median of 5) "
        "| its size | old (one request) |"
    )
    print("|---|---|---:|---:|---:|---|---:|---:|---:|---|")
    for kind, fmt, times, size, big_first, big_time, big_size in rows:
        print(f"| {kind} | {fmt} | {percentile(times, 50) * 1000:.1f} ms | {percentile(times, 99) * 1000:.1f} ms | "
              f"{size / 1024:.1f} KiB | `{local_path(largest[kind])}` | {big_first * 1000:.1f} ms | "
              f"{big_time * 1000:.1f} ms | {big_size / 1024:.1f} KiB | "
              f"{old[kind] if fmt == 'ttl' else ''} |")  # fmt: skip
    print()
    print(
        "old: the description query before issue 11, in process on the largest entity of the kind, "
        + ("measured now (--old)" if args.old else "figures of one recorded --old run (rerun with --old)")
    )


if __name__ == "__main__":
    main()
