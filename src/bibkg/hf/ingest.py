"""Daily Papers into a store: each day's listing replaces its own named graph, and the links to
the Anthology follow — one delta (:mod:`bibkg.store.delta`), published atomically.

Everything is read and checked before the store is touched: a bad file (or the same day in two
files) fails the whole ingest with the file and item named, and the store keeps the graph it
had.  The links graph is derived data, always equal to linking every preprint of the store (as
the latest day listing it has it) against the Anthology of the current snapshot: a new day
links only its new or changed preprints when the snapshot's link state proves that gives the
same links (:mod:`bibkg.hf.link_state`), and relinks everything otherwise.  :func:`relink`
relinks everything, for when the Anthology side changed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import iris
from ..errors import StoreError
from ..mapping.terms import GraphText
from ..store.delta import Delta, apply_delta
from ..store.local import LocalStore
from ..store.oxigraph import OxigraphStore
from ..store.snapshot_dumps import DumpManifest, read_block
from . import link_state
from .anthology import AnthologySource
from .link import Links, TitleIndex, link, score, year_range
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
    """Until the writer was done (the snapshot's dumps written)."""
    visible: float = 0.0
    """Until the new snapshot was published: what readers see."""
    phases: dict[str, float] = field(default_factory=dict)


def stored_days(store: OxigraphStore) -> dict[str, dict[str, Preprint]]:
    """The preprints of every day graph of ``store``, as the linker reads them
    (:func:`~bibkg.hf.link_state.linker_view`)."""
    from ..read.runner import rows
    from ..sparql.catalog import default_catalog

    found: dict[str, dict[str, dict]] = {}
    for row in rows(store.query(default_catalog()["link-preprints"].text)):
        graph = row["graph"].value
        if not graph.startswith(iris.HF_DAY_GRAPH_PREFIX):
            continue
        day = graph.removeprefix(iris.HF_DAY_GRAPH_PREFIX)
        record = found.setdefault(day, {}).setdefault(
            row["id"].value,
            {"title": row["title"].value, "date": row["date"].value if "date" in row else None, "authors": {}},
        )
        record["authors"][int(row["pos"].value)] = row["name"].value
    return {
        day: {
            arxiv_id: Preprint(
                arxiv_id,
                record["title"],
                None,
                record["date"],
                tuple(HfAuthor(pos, None, name) for pos, name in sorted(record["authors"].items())),
            )
            for arxiv_id, record in preprints.items()
        }
        for day, preprints in found.items()
    }


@dataclass(slots=True)
class _Linked:
    links: Links
    state: dict[str, bytes | None]
    """State files of the new snapshot (:mod:`bibkg.hf.link_state`)."""
    preprints: int
    how: str
    """``kept`` (nothing to link), ``new`` (the changed preprints only) or ``full``."""


def _link_days(
    local: LocalStore, store: OxigraphStore, listings: list[DailyListing], quads: dict[str, int], *, full: bool = False
) -> _Linked:
    """The links of the store's days with ``listings`` replacing theirs (``quads``: each
    replaced day graph's size): the changed preprints only when :func:`link_state.plan` and
    :func:`link_state.merge` allow it (and not ``full``), else all of them."""
    snapshot = local.current_snapshot()
    state_dir = local.state_dir(snapshot) if snapshot is not None else None
    old = link_state.LinkState.read(state_dir) if state_dir is not None else None
    manifest = DumpManifest.read(state_dir) if state_dir is not None else None
    sizes = (
        {
            b.iri.removeprefix(iris.HF_DAY_GRAPH_PREFIX): b.quads
            for b in manifest.graphs
            if b.iri.startswith(iris.HF_DAY_GRAPH_PREFIX)
        }
        if manifest is not None
        else {}
    )
    if old is not None and old.quads == sizes:
        days = {day: dict(preprints) for day, preprints in old.days.items()}
    else:  # no state, or the day graphs were changed by another writer: read them
        old, days = None, stored_days(store)
    for listing in listings:
        days[listing.day] = {e.preprint.arxiv_id: link_state.linker_view(e.preprint) for e in listing.entries}
        sizes[listing.day] = quads[listing.day]
    preprints = link_state.effective(days)
    window = year_range(preprints.values())
    years = (window.start, window.stop)
    anthology = link_state.anthology_key(state_dir) if state_dir is not None else None
    from ..corrections import link_decisions  # the reviewed decisions, from the store's log

    decisions = link_decisions(local.root)
    plan = link_state.plan(old, anthology, days, years, decisions)
    source = AnthologySource(store)
    links, index, how = None, None, "full"
    if plan.changed is not None and plan.kept is not None and not full:
        assert state_dir is not None  # a plan of changes needs the old link state, read from state_dir above
        if not plan.changed:
            links, how = plan.kept, "kept"
        elif (index := link_state.read_index(state_dir)) is not None:
            scored = score(plan.changed, index, source.person_names, decisions, source.papers_by_iri)
            links, how = link_state.merge(plan.kept, scored), "new"
    changes: dict[str, bytes | None] = {}
    if links is None:
        how = "full"
        index = TitleIndex(source.papers(window))
        links = link(preprints.values(), index, source.person_names, decisions, source.papers_by_iri)
        changes[link_state.INDEX] = link_state.dump_index(index)
    if anthology is None:
        changes = {link_state.LINKS: None, link_state.INDEX: None}
    else:
        changes[link_state.LINKS] = link_state.LinkState(anthology, days, links, years, sizes, decisions).dumps()
    return _Linked(links, changes, len(preprints), how)


def ingest_hf(
    local: LocalStore,
    paths: Iterable[Path] = (),
    *,
    listings: list[DailyListing] | None = None,
    wait: float | None = None,
    command: str | None = None,
) -> HfIngestReport:
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
    sizes: dict[str, int] = {}
    for listing in listings:
        graph = map_listing(listing)
        report.quads += graph.quads
        sizes[listing.day] = graph.quads
        delta.replace_graph(graph.iri, graph)
    report.phases["mapping"] = time.perf_counter() - step
    step = time.perf_counter()
    store = OxigraphStore.open(local)
    try:
        linked = _link_days(local, store, listings, sizes)
    finally:
        store.close()
    report.phases[f"linking ({linked.how})"] = time.perf_counter() - step
    return _publish(local, delta, linked, report, started, wait=wait, command=command, kind="hf-ingest")


def _publish(
    local: LocalStore,
    delta: Delta,
    linked: _Linked,
    report: HfIngestReport,
    started: float,
    *,
    wait: float | None,
    command: str | None,
    kind: str,
) -> HfIngestReport:
    links_graph = map_links(linked.links)
    delta.replace_graph(iris.HF_LINKS_GRAPH, links_graph)
    delta.state.update(linked.state)
    report.quads += links_graph.quads
    report.preprints, report.paper_links, report.person_links = (
        linked.preprints,
        len(linked.links.papers),
        len(linked.links.persons),
    )
    step = time.perf_counter()
    applied = apply_delta(local, delta, wait=wait, command=command, kind=kind)
    report.phases["delta"] = time.perf_counter() - step
    report.phases.update({f"delta: {name}": seconds for name, seconds in applied.phases.items()})
    report.snapshot = applied.after or None
    report.visible = step - started + applied.visible
    report.seconds = time.perf_counter() - started
    return report


def relink(
    local: LocalStore, *, wait: float | None = None, command: str | None = None, graphs: Iterable[GraphText] = ()
) -> HfIngestReport:
    """Recompute the links graph, every preprint (after the Anthology side or a reviewed link
    decision changed), replacing ``graphs`` too in the same delta."""
    started = time.perf_counter()
    report = HfIngestReport()
    store = OxigraphStore.open(local)
    try:
        linked = _link_days(local, store, [], {}, full=True)
    finally:
        store.close()
    report.phases[f"linking ({linked.how})"] = time.perf_counter() - started
    delta = Delta(note="Daily Papers links recomputed")
    for graph in graphs:
        delta.replace_graph(graph.iri, graph)
    return _publish(local, delta, linked, report, started, wait=wait, command=command, kind="hf-relink")


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
    if not local.wait_for_files(snapshot):
        raise StoreError(
            f"the dumps of {local.root}'s current snapshot are not written yet (its writer died after "
            "publishing it?): any update writes them first, e.g. 'bibkg ingest DATA' without --full"
        )
    return [
        GraphText(block.iri, read_block(files, block), read_block(files, block, "turtle"), block.quads)
        for block in manifest.graphs
        if block.iri.startswith(iris.HF_DAY_GRAPH_PREFIX)
    ]


def restore_days(
    local: LocalStore, graphs: list[GraphText], *, wait: float | None = None, command: str | None = None
) -> HfIngestReport | None:
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
