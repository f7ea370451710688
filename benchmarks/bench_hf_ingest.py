"""Adding Daily Papers to a store holding the full Anthology, linking included, through the
delta API (each run publishes new snapshots of STORE: use a store of your own, never a shared one).

1. reset: the store's Daily Papers graphs (day graphs and links) are dropped (one delta, not timed);
2. all days of --hf are added in one ingest (read, map, link every preprint, publish): timed;
3. reset, every day but one (--day, default the last) added (not timed), then that day added as
   a new day (its preprints linked alone when the link state allows: bibkg.hf.link_state): timed;
4. the links recomputed alone (a relink), then a maintainer's correction rejecting one link
   (kind ``link``) applied and reverted: timed from the request until the writer is done.

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
from bibkg import vocab as V  # noqa: E402
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


def show(label: str, report) -> None:
    phases = ", ".join(f"{name} {seconds:.2f}" for name, seconds in report.phases.items())
    print(
        f"{label}: published in {report.visible:.2f} s, done in {report.seconds:.2f} s ({phases}); "
        f"{report.days} days, {report.entries} entries, "
        f"{report.preprints} preprints, {report.paper_links} paper links, {report.person_links} author links, "
        f"{report.quads:,} quads"
    )


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
    show(
        f"all {len(files)} days added to the Anthology (target <= 15 s)",
        ingest_hf(store, [args.hf], command="bench_hf_ingest"),
    )

    drop(store, hf_graphs(store), "bench_hf_ingest: reset")
    ingest_hf(store, [path for other, path in sorted(files.items()) if other != day], command="bench_hf_ingest")
    show(f"one new day ({day}) added (target <= 2 s)", ingest_hf(store, [files[day]], command="bench_hf_ingest"))
    started = time.perf_counter()
    report = relink(store, command="bench_hf_ingest")
    print(f"links recomputed alone (relink): {time.perf_counter() - started:.2f} s, {report.paper_links} paper links")
    decide(store)


def decide(store: LocalStore) -> None:
    """A link rejected by a maintainer's correction, applied at once, then reverted."""
    from bibkg.corrections.model import Role
    from bibkg.corrections.service import Actor, CorrectionService

    query = f"SELECT ?id ?paper WHERE {{ ?p <{V.arxivId}> ?id ; <{V.publishedAs}> ?paper }} ORDER BY ?id LIMIT 1"
    row = next(iter(store.open_read().query(query, use_default_graph_as_union=True)))
    arxiv_id, paper = row["id"].value, row["paper"].value.removeprefix(iris.ANTHOLOGY).rstrip("/")
    service = CorrectionService(store.root)
    maintainer = Actor("bench", Role.MAINTAINER)
    request = {
        "change": {"kind": "link", "preprint": arxiv_id, "decision": "reject", "paper": paper},
        "reason": "bench_hf_ingest",
    }
    started = time.perf_counter()
    entry = service.propose(maintainer, request, apply=True)
    applied = time.perf_counter() - started
    started = time.perf_counter()
    service.revert(maintainer, entry.correction.id, "bench_hf_ingest")
    print(
        f"a correction rejecting the link {arxiv_id} -> {paper}: applied (links recomputed, published) "
        f"in {applied:.2f} s, reverted in {time.perf_counter() - started:.2f} s"
    )


if __name__ == "__main__":
    main()
