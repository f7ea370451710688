"""Benchmark of the schema queries a SPARQL user types first, on a full-corpus store (issue 11 #2).

For each query: the time Oxigraph takes to evaluate it as the store did before issue 11 (the
union default graph, no shortcut; one run) and the time bibkg's store takes now (median of
``--runs``; the schema queries are answered from the snapshot's ``schema-stats.json``,
:mod:`bibkg.sparql.schema`), and whether both give the same solutions.  Also ``top-authors``
(the ranking precomputed at ingest vs ranked by the query) and the cost of computing the counts.

``SELECT DISTINCT ?p … ORDER BY ?p LIMIT 3`` takes over a minute the old way: it is run only
with ``--slow`` (otherwise the figure of one recorded run is printed and the solutions are
compared with an equivalent form, DISTINCT in a subquery, that Oxigraph answers in seconds).

    python benchmarks/bench_schema_queries.py --store /work/stores/full [--runs 5] [--slow]

Counts are computed into a temporary directory unless the snapshot has them (never written into
the store).  Prints a Markdown table (copied into docs/sparql.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from bibkg import config
from bibkg.sparql import schema
from bibkg.sparql.catalog import QueryCatalog
from bibkg.store.local import LocalStore
from bibkg.store.oxigraph import OxigraphStore
from bibkg.vocab import PREFIXES

COMUNICA = "SELECT DISTINCT ?p WHERE { ?s ?p ?o } ORDER BY ?p LIMIT 3"
QUERIES = {
    "distinct predicates, sorted, first 3 (Comunica)": COMUNICA,
    "distinct predicates": "SELECT DISTINCT ?p WHERE { ?s ?p ?o }",
    "distinct classes, sorted": "SELECT DISTINCT ?c WHERE { ?s a ?c } ORDER BY ?c",
    "instances per class": "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c",
    "triples per predicate": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) ?p",
    "graphs and their sizes": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY DESC(?n) ?g",
    "number of triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "?s ?p ?o LIMIT 10": "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
}
EQUIVALENT = {COMUNICA: "SELECT ?p WHERE { { SELECT DISTINCT ?p WHERE { ?s ?p ?o } } } ORDER BY ?p LIMIT 3"}
COMUNICA_OLD = "72.3-75.8 s (one run each, 2026-12-01)"
LIVE_TOP_AUTHORS = """PREFIX bibkg: <https://w3id.org/bibkg/ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?person ?name ?papers ?first ?last WHERE {
  { SELECT ?person ?papers WHERE { ?person a bibkg:Person ; bibkg:paperCount ?papers } ORDER BY DESC(?papers) ?person LIMIT 100 }
  ?person rdfs:label ?name ; bibkg:firstYear ?first ; bibkg:lastYear ?last .
} ORDER BY DESC(?papers) ?name"""
"""queries/top-authors.rq before issue 11."""


def rows(result: ox.QuerySolutions) -> list[tuple[str, ...]]:
    names = [v.value for v in result.variables]
    return [tuple(str(s[n]) if s[n] is not None else "" for n in names) for s in result]


def timed(run) -> tuple[float, list[tuple[str, ...]]]:
    started = time.perf_counter()
    out = rows(run())
    return time.perf_counter() - started, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", required=True, help="store directory (a full-corpus ingest)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each query the new way (median)")
    parser.add_argument("--slow", action="store_true", help="also run the Comunica query the old way (over a minute)")
    args = parser.parse_args()

    local = LocalStore(Path(args.store))
    snapshot = local.current_snapshot()
    native = local.open_read()
    kept = local.files_dir(snapshot) / schema.FILE if snapshot else None
    scratch = None
    compute_seconds = None
    if kept is not None and kept.is_file():
        files = kept.parent
    else:
        scratch = tempfile.TemporaryDirectory(prefix="bibkg-schema-")
        files = Path(scratch.name)
        started = time.perf_counter()
        schema.write(native, files)
        compute_seconds = time.perf_counter() - started
    store = OxigraphStore(native, files_dir=files)
    prefixes = dict(PREFIXES)

    def old(query: str):
        return native.query(query, use_default_graph_as_union=True, prefixes=prefixes)

    table = []
    for label, query in QUERIES.items():
        store.query(query)  # the counts are read once per process
        new_times, new_rows = [], []
        for _ in range(args.runs):
            t, new_rows = timed(lambda: store.query(query))  # noqa: B023
            new_times.append(t)
        if query == COMUNICA and not args.slow:
            old_time = COMUNICA_OLD
            _t, old_rows = timed(lambda: old(EQUIVALENT[query]))  # noqa: B023
        else:
            t, old_rows = timed(lambda: old(query))  # noqa: B023
            old_time = f"{t * 1000:,.0f} ms"
        same = old_rows == new_rows if "ORDER BY" in query else Counter(old_rows) == Counter(new_rows)
        if "LIMIT 10" in query:
            same = len(old_rows) == len(new_rows) == 10
        table.append((label, query, old_time, statistics.median(new_times), same, len(new_rows)))
        print(f"# {label}: {table[-1][3] * 1000:.1f} ms", flush=True)

    top = QueryCatalog.load(config.queries_dir())["top-authors"].text
    t_old, live = timed(lambda: old(LIVE_TOP_AUTHORS))
    t_new = []
    for _ in range(args.runs):
        t, precomputed = timed(lambda: store.query(top))
        t_new.append(t)

    print()
    print(
        f"store: {snapshot} ({len(native):,} quads); {os.cpu_count()} cores; new = median of {args.runs} runs in process "
        f"(bibkg's OxigraphStore), old = one run of Oxigraph on the union default graph"
    )
    if compute_seconds is not None:
        print(
            f"the snapshot has no {schema.FILE}: computed in {compute_seconds:.1f} s (what the ingest or the first reader does)"
        )
    print()
    print("| query | old | new | same solutions | rows |")
    print("|---|---:|---:|---|---:|")
    for label, query, old_time, new_time, same, n in table:
        print(f"| {label}: `{query}` | {old_time} | {new_time * 1000:.1f} ms | {'yes' if same else 'NO'} | {n} |")
    if precomputed:
        same = sorted(precomputed) == sorted(live)
        print(
            f"| `top-authors` (named query) | {t_old * 1000:,.0f} ms | {statistics.median(t_new) * 1000:.1f} ms | {'yes' if same else 'NO'} | {len(precomputed)} |"
        )
    else:
        print(
            f"| `top-authors` (named query) | {t_old * 1000:,.0f} ms | — (this snapshot predates the precomputed ranking: re-ingest) | | 0 |"
        )
    if scratch is not None:
        scratch.cleanup()


if __name__ == "__main__":
    main()
