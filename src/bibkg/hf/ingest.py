"""Daily Papers into a store: each day's listing replaces its own named graph, and the links to
the Anthology are recomputed — one delta (:mod:`bibkg.store.delta`), published atomically.

Everything is read and checked before the store is touched: a bad file (or the same day in two
files) fails the whole ingest with the file and item named, and the store keeps the graph it
had.  The links graph is derived data: it is recomputed for *every* preprint in the store (the
ones already there and the new ones) against the Anthology of the current snapshot, so a
preprint listed again on a new day, or a paper the Anthology added since, is linked the same
way as in a full rebuild.  :func:`relink` recomputes it alone, for when the Anthology side
changed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import iris
from ..export.snapshot_dumps import DumpManifest, read_block
from ..mapping.terms import GraphText
from ..store.delta import Delta, apply_delta
from ..store.local import LocalStore
from ..store.oxigraph import OxigraphStore
from .anthology import AnthologySource
from .link import Links, TitleIndex, link, year_range
from .mapping import map_links, map_listing
from .reader import DailyListing, HfAuthor, HfWarning, Preprint, read_listings


@dataclass(slots=True)
class HfIngestReport:
    """What a Daily Papers ingest did."""

    days: int = 0
    entries: int = 0
    preprints: int = 0
    """Preprints in the store after the ingest (new and kept)."""
    paper_links: int = 0
    person_links: int = 0
    quads: int = 0
    """Quads of the day graphs written and of the links graph."""
    warnings: list[HfWarning] = field(default_factory=list)
    snapshot: str | None = None
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)


def stored_preprints(store: OxigraphStore, skip_graphs: set[str]) -> dict[str, Preprint]:
    """The preprints of the store's day graphs, but those only in ``skip_graphs`` (the days
    being replaced)."""
    from ..services import rows
    from ..sparql.catalog import default_catalog

    found: dict[str, dict] = {}
    kept: set[str] = set()
    for row in rows(store.query(default_catalog()["link-preprints"].text)):
        arxiv_id = row["id"].value
        graph = row["graph"].value
        if not graph.startswith(iris.HF_DAY_GRAPH_PREFIX):
            continue
        if graph not in skip_graphs:
            kept.add(arxiv_id)
        record = found.setdefault(arxiv_id, {"title": row["title"].value, "date": None, "authors": {}})
        if "date" in row:
            record["date"] = row["date"].value
        record["authors"][int(row["pos"].value)] = row["name"].value
    return {
        arxiv_id: Preprint(arxiv_id, record["title"], None, record["date"],
                           tuple(HfAuthor(pos, None, name) for pos, name in sorted(record["authors"].items())))
        for arxiv_id, record in found.items()
        if arxiv_id in kept
    }


def compute_links(store: OxigraphStore, preprints: Iterable[Preprint]) -> Links:
    preprints = list(preprints)
    source = AnthologySource(store)
    index = TitleIndex(source.papers(year_range(preprints)))
    return link(preprints, index, source.person_names)


def ingest_hf(local: LocalStore, paths: Iterable[Path] = (), *, listings: list[DailyListing] | None = None,
              wait: float | None = None, command: str | None = None) -> HfIngestReport:
    """Add (or replace) the days of the Daily Papers files under ``paths`` (or the ``listings``
    already read from them) in ``local``'s current graph, links recomputed, as one published
    delta.

    Raises:
        SourceError: a file is bad (nothing was changed).
        StoreError: the store has no graph to add to, or cannot take a delta.
    """
    started = time.perf_counter()
    report = HfIngestReport()
    if listings is None:
        listings = read_listings(paths)  # every file read and checked before the store is touched
    report.phases["read"] = time.perf_counter() - started
    report.days = len(listings)
    report.entries = sum(len(listing.entries) for listing in listings)
    report.warnings = [w for listing in listings for w in listing.warnings]
    step = time.perf_counter()
    delta = Delta(note=f"Daily Papers: {len(listings)} days")
    for listing in listings:
        graph = map_listing(listing)
        report.quads += graph.quads
        delta.replace_graph(graph.iri, graph)
    report.phases["mapping"] = time.perf_counter() - step
    step = time.perf_counter()
    store = OxigraphStore.open(local)
    try:
        preprints = stored_preprints(store, {iris.hf_day_graph(listing.day) for listing in listings})
        for listing in listings:
            for entry in listing.entries:
                preprints[entry.preprint.arxiv_id] = entry.preprint
        links = compute_links(store, preprints.values())
    finally:
        store.close()
    report.phases["linking"] = time.perf_counter() - step
    links_graph = map_links(links)
    delta.replace_graph(iris.HF_LINKS_GRAPH, links_graph)
    report.quads += links_graph.quads
    report.preprints, report.paper_links, report.person_links = len(preprints), len(links.papers), len(links.persons)
    step = time.perf_counter()
    applied = apply_delta(local, delta, wait=wait, command=command, kind="hf-ingest")
    report.phases["delta"] = time.perf_counter() - step
    report.phases.update({f"delta: {name}": seconds for name, seconds in applied.phases.items()})
    report.snapshot = applied.after or None
    report.seconds = time.perf_counter() - started
    return report


def relink(local: LocalStore, *, wait: float | None = None, command: str | None = None) -> HfIngestReport:
    """Recompute the links graph alone (after the Anthology side changed)."""
    started = time.perf_counter()
    report = HfIngestReport()
    store = OxigraphStore.open(local)
    try:
        preprints = stored_preprints(store, set())
        links = compute_links(store, preprints.values())
    finally:
        store.close()
    graph = map_links(links)
    report.preprints, report.paper_links, report.person_links, report.quads = (
        len(preprints), len(links.papers), len(links.persons), graph.quads)
    delta = Delta(note="Daily Papers links recomputed").replace_graph(iris.HF_LINKS_GRAPH, graph)
    applied = apply_delta(local, delta, wait=wait, command=command, kind="hf-relink")
    report.snapshot = applied.after or None
    report.seconds = time.perf_counter() - started
    return report


def day_graphs(local: LocalStore) -> list[GraphText]:
    """The Daily Papers day graphs of ``local``'s current snapshot, as its dumps hold them
    (empty when it has none, or no dump manifest): what a cold Anthology ingest, which builds
    the graph from the Anthology alone, must carry over (:func:`restore_days`)."""
    snapshot = local.current_snapshot()
    if snapshot is None:
        return []
    files = local.files_dir(snapshot)
    manifest = DumpManifest.read(local.state_dir(snapshot))
    if manifest is None:
        return []
    return [
        GraphText(block.iri, read_block(files, block), read_block(files, block, "turtle"), block.quads)
        for block in manifest.graphs
        if block.iri.startswith(iris.HF_DAY_GRAPH_PREFIX)
    ]


def restore_days(local: LocalStore, graphs: list[GraphText], *, wait: float | None = None,
                 command: str | None = None) -> HfIngestReport | None:
    """Put ``graphs`` (from :func:`day_graphs`) back after a cold Anthology ingest, then
    recompute the links; ``None`` when there is nothing to restore."""
    if not graphs:
        return None
    delta = Delta(note=f"Daily Papers: {len(graphs)} days carried over a cold ingest")
    for graph in graphs:
        delta.replace_graph(graph.iri, graph)
    apply_delta(local, delta, wait=wait, command=command, kind="hf-restore")
    report = relink(local, wait=wait, command=command)
    report.days = len(graphs)
    return report


def has_links(local: LocalStore) -> bool:
    """Whether the current snapshot holds Daily Papers (so links must follow the Anthology)."""
    snapshot = local.current_snapshot()
    manifest = DumpManifest.read(local.state_dir(snapshot)) if snapshot is not None else None
    return manifest is not None and any(
        block.iri == iris.HF_LINKS_GRAPH or block.iri.startswith(iris.HF_DAY_GRAPH_PREFIX) for block in manifest.graphs
    )
