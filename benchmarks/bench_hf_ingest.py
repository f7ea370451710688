"""Adding Daily Papers to a store holding the full Anthology, linking included, through the
delta API (each run publishes new snapshots of STORE: use a store of your own, never a shared one).

1. reset: the store's Daily Papers graphs (day graphs and links) are dropped (one delta, not timed);
2. all days of --hf are added in one ingest (read, map, link every preprint, publish): timed;
3. reset, every day but one (--day, default the last) added (not timed), then that day added as
   a new day (its preprints linked alone when the link state allows: bibkg.hf.link_state): timed.

Each step reports seconds until the new snapshot was published (what a reader sees) and until
the writer was done (its dumps written), with the phases.

    python benchmarks/bench_hf_ingest.py --store /work/stores/hf-full \
        [--hf ../shared/corpora/hf-daily-papers] [--day 2026-08-21]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from bibkg import iris  # noqa: E402
from bibkg.hf.ingest import ingest_hf, relink  # noqa: E402
from bibkg.hf.reader import listing_files, read_listing  # noqa: E402
from bibkg.store.delta import Delta, apply_delta  # noqa: E402
from bibkg.store.local import LocalStore  # noqa: E402


def hf_graphs(store: LocalStore) -> list[str]:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    graphs = [row["g"].value for row in store.open_read().query(query)]
    return [g for g in graphs if g.startswith(iris.HF_DAY_GRAPH_PREFIX) or g == iris.HF_LINKS_GRAPH]


def drop(store: LocalStore, graphs: list[str], note: str) -> None:
    if graphs:
        delta = Delta(note=note)
        for graph in graphs:
            delta.drop_graph(graph)
        apply_delta(store, delta, command="bench_hf_ingest")


def show(label: str, report) -> None:  # noqa: ANN001
    phases = ", ".join(f"{name} {seconds:.2f}" for name, seconds in report.phases.items())
    print(f"{label}: published in {report.visible:.2f} s, done in {report.seconds:.2f} s ({phases}); "
          f"{report.days} days, {report.entries} entries, "
          f"{report.preprints} preprints, {report.paper_links} paper links, {report.person_links} author links, "
          f"{report.quads:,} quads")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, type=Path)
    parser.add_argument("--hf", type=Path, default=ROOT.parent / "shared" / "corpora" / "hf-daily-papers")
    parser.add_argument("--day", help="the day added last (default: the last day of --hf)")
    args = parser.parse_args()
    store = LocalStore(args.store)
    files = {read_listing(path).day: path for path in listing_files([args.hf])}
    day = args.day or max(files)

    drop(store, hf_graphs(store), "bench_hf_ingest: reset")
    print(f"store {store.current_snapshot()}")
    show(f"all {len(files)} days added to the Anthology (target <= 15 s)", ingest_hf(store, [args.hf], command="bench_hf_ingest"))

    drop(store, hf_graphs(store), "bench_hf_ingest: reset")
    ingest_hf(store, [path for other, path in sorted(files.items()) if other != day], command="bench_hf_ingest")
    show(f"one new day ({day}) added (target <= 2 s)", ingest_hf(store, [files[day]], command="bench_hf_ingest"))
    started = time.perf_counter()
    report = relink(store, command="bench_hf_ingest")
    print(f"links recomputed alone (relink): {time.perf_counter() - started:.2f} s, {report.paper_links} paper links")


if __name__ == "__main__":
    main()
