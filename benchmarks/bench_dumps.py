"""Benchmark: full-corpus dumps (Turtle, N-Quads) and the largest HTML pages (person, volume).

    python benchmarks/bench_dumps.py --store /tmp/bibkg-full [--formats turtle nquads] [--person ID]

Each dump runs in a child process (``bibkg export``) so that its peak RSS is its own; the figures
are wall seconds, peak RSS (MB, from ``wait4``) and output bytes.  Each format is measured twice:
``kept`` is what ``bibkg export`` and ``GET /dumps`` do for a snapshot built by ``bibkg ingest``
(the dump the ingest wrote with the snapshot, copied; ``--gzip`` compresses it on the way), and
``store`` writes it from the store itself (``--no-cache``: what a snapshot made by ``bibkg load``
costs the first time).  The person page is rendered
in-process exactly as the HTTP handler does (``bibkg.web.person.person_page``), 1 warm-up + 5 runs;
the figure is server time, without HTTP.  It is measured twice: ``cards`` as served (papers from
the paper cards the ingest publishes with the snapshot, :mod:`bibkg.cards`) and ``graph`` with
every paper read from the graph (what a snapshot without cards, e.g. one made by ``bibkg load``,
costs).  The volume page of the largest volume is measured the same way.  Targets (issue):
Turtle dump ≤ 10 s and ≤ 500 MB; person page ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIBKG = [sys.executable, "-m", "bibkg"]


def bench_dump(store: str, fmt: str, out_dir: Path, gz: bool, source: str) -> dict:
    out = out_dir / f"bench.{fmt}{'.gz' if gz else ''}"
    cmd = [*BIBKG, "export", "--store", store, "--format", fmt, "-o", str(out), "--quiet"]
    cmd += (["--gzip"] if gz else []) + (["--no-cache"] if source == "store" else [])
    started = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with status {status}")
    result = {"format": fmt, "gzip": gz, "source": source, "seconds": round(seconds, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024),
              "bytes": out.stat().st_size, "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1)}  # fmt: skip
    out.unlink()
    return result


def largest(store, predicate: str) -> tuple[str, int]:
    """The object of ``predicate`` with the most papers (the most prolific author, the largest volume)."""
    rows = list(store.query(
        f"PREFIX bibkg: <https://w3id.org/bibkg/ns#> SELECT ?x (COUNT(*) AS ?n) "
        f"WHERE {{ ?paper {predicate} ?x }} GROUP BY ?x ORDER BY DESC(?n) LIMIT 1"))  # fmt: skip
    return rows[0]["x"].value, int(rows[0]["n"].value)


def bench_page(store_dir: str, render, iri: str, papers: int | None) -> dict:
    """``render(runner, iri)`` timed in process (1 warm-up + 5 runs), from the paper cards and
    from the graph."""
    from bibkg import config
    from bibkg.read.runner import QueryRunner
    from bibkg.sparql.catalog import QueryCatalog
    from bibkg.store.local import LocalStore
    from bibkg.store.oxigraph import OxigraphStore

    local = LocalStore(Path(store_dir))
    store = OxigraphStore.open(local)
    catalog = QueryCatalog.load(config.queries_dir())
    result: dict = {"iri": iri, "papers": papers}
    sources = {"cards": store, "graph": OxigraphStore(local.open_read())}
    if store.paper_cards is None:
        del sources["cards"]
    for source, backend in sources.items():
        query = QueryRunner(backend, catalog)
        render(query, iri)  # warm-up (RocksDB blocks, pylatexenc)
        times = []
        for _ in range(5):
            t = time.perf_counter()
            html = render(query, iri)
            times.append((time.perf_counter() - t) * 1000)
        result[source] = {"html_bytes": len(html or ""), "ms_median": round(statistics.median(times), 1),
                          "ms_min": round(min(times), 1)}  # fmt: skip
    return result


def bench_pages(store_dir: str, person: str | None) -> dict:
    from bibkg import iris
    from bibkg.store.local import LocalStore
    from bibkg.store.oxigraph import OxigraphStore
    from bibkg.web.pages import volume_page
    from bibkg.web.person import person_page

    store = OxigraphStore.open(LocalStore(Path(store_dir)))
    if person:
        iri, papers = (person if "://" in person else iris.person_iri(person)), None
    else:
        iri, papers = largest(store, "bibkg:author")
    volume, size = largest(store, "bibkg:inVolume")
    store.close()
    return {
        "person_page": bench_page(store_dir, person_page, iri, papers),
        "volume_page": bench_page(store_dir, volume_page, volume, size),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", required=True)
    ap.add_argument("--formats", nargs="*", default=["turtle", "nquads"])
    ap.add_argument("--gzip", action="store_true", help="also measure the gzipped dumps")
    ap.add_argument("--person", help="person id or IRI (default: the most prolific author)")
    ap.add_argument("--skip-dumps", action="store_true")
    ap.add_argument("--sources", nargs="*", default=["kept", "store"], choices=["kept", "store"])
    args = ap.parse_args()
    results: dict = {"store": args.store, "cpus": os.cpu_count(), "load_avg": os.getloadavg()[0], "dumps": []}
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_dumps:
            for source in args.sources:
                for fmt in args.formats:
                    for gz in [False, True] if args.gzip else [False]:
                        r = bench_dump(args.store, fmt, Path(tmp), gz, source)
                        print(json.dumps(r), flush=True)
                        results["dumps"].append(r)
    results.update(bench_pages(args.store, args.person))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
