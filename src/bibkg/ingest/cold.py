"""A cold ingest: every collection mapped, every graph written as the snapshot's dumps (with the
paper cards and the update state), and the N-Quads dump bulk-loaded into an empty snapshot."""

from __future__ import annotations

import ctypes
import datetime
import gc
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..anthology.venues import load_sigs, load_venues
from ..cards import CARDS_FILE, SPARES_DIR, CardWriter, keep_spare
from ..mapping.stats import with_triples
from ..mapping.terms import GraphText
from ..sparql import schema as schema_stats
from ..store.local import LocalStore
from ..store.snapshot_dumps import SnapshotDumps
from .corpus_wide import corpus_graphs, corpus_summary
from .inputs import load_people_for, with_corrections
from .mapping_pool import Progress, map_corpus
from .report import IngestReport
from .state import FACTS_DIR, SOURCES, SUMMARY, CollectionFacts, facts_path, globals_key

if TYPE_CHECKING:
    from ..corrections.effect import Overrides


def run_cold(
    datadir: Path,
    files: list[Path],
    store: LocalStore,
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    stage: Callable[[str], None] | None = None,
    wait: bool | float = False,
    overrides: Overrides | None = None,
    extra_graphs: dict[str, GraphText] | None = None,
    on_published: Callable[[], None] | None = None,
) -> IngestReport:
    """A cold ingest: map every collection and bulk-load the graph into an empty snapshot."""
    started = time.perf_counter()
    with store.build_snapshot(wait=wait, kind="ingest", on_published=on_published) as build:
        report = write_graphs(
            datadir,
            files,
            build.files,
            jobs=jobs,
            progress=progress,
            state=build.state,
            overrides=overrides,
            extra_graphs=extra_graphs,
        )
        build.record["changes"] = {"mode": "cold", "collections": report.collections, "quads": report.quads}
        # The mapping's memory is free again (it lived in write_graphs); hand it back to the
        # system so that the bulk loader, the peak of an ingest, has it.
        release_free_memory()
        # One bulk load of the whole N-Quads dump (measured cheaper in time than loading in
        # chunks while mapping, though it peaks higher: still under 2 GB on the full corpus).
        if stage:
            stage(f"loading {report.quads:,} quads into the store")
        step = time.perf_counter()
        build.store.bulk_load(path=str(build.files / SnapshotDumps.NQUADS), format=ox.RdfFormat.N_QUADS)
        report.phases["bulk load"] = time.perf_counter() - step
        if stage:
            stage("compacting the store")
        step = time.perf_counter()
        build.store.optimize()  # point queries on a compacted snapshot are about twice as fast
        report.phases["compaction"] = time.perf_counter() - step
        step = time.perf_counter()
        schema_stats.write(build.store, build.files)  # answers of the schema queries (bibkg.sparql.schema)
        report.phases["schema statistics"] = time.perf_counter() - step
        # a spare copy of the cards, for the next update to change in place (bibkg.cards.keep_spare)
        build.after_publish.append(
            lambda: keep_spare(store.files_dir(build.name) / CARDS_FILE, store.root / SPARES_DIR)
        )
    report.seconds = time.perf_counter() - started
    return report


def write_graphs(
    datadir: Path,
    files: list[Path],
    directory: Path,
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    state: Path | None = None,
    overrides: Overrides | None = None,
    extra_graphs: dict[str, GraphText] | None = None,
) -> IngestReport:
    """Map the corpus of ``datadir`` and write every graph as the snapshot dumps in ``directory``,
    with the papers' cards (:mod:`bibkg.cards`); the dumps' manifest and the facts of every
    collection go to ``state`` (what an update of the snapshot builds on, :mod:`bibkg.ingest.state`)."""
    step = time.perf_counter()
    today = datetime.date.today().isoformat()  # before the statistics date their dataset
    people, sources = with_corrections(*load_people_for(datadir, files, hashes=state is not None), overrides)
    venues = load_venues(datadir)
    sigs = load_sigs(datadir)
    report = IngestReport(datadir, people.format.value)
    facts: list[CollectionFacts] = []
    if state is not None:
        (state / FACTS_DIR).mkdir(parents=True, exist_ok=True)
    with SnapshotDumps(directory) as dumps, CardWriter(directory / CARDS_FILE) as cards:
        for result in map_corpus(datadir, people, jobs=jobs, progress=progress, overrides=overrides):
            assert result.graph is not None
            dumps.add(result.graph)
            cards.add(result.cards)
            one = CollectionFacts.of(result)
            facts.append(one)
            if state is not None:
                (state / facts_path(one.collection_id)).write_bytes(one.dumps())
        report.phases["mapping"] = time.perf_counter() - step
        step = time.perf_counter()
        (*globals_, stats), index_files = corpus_graphs(report, facts, people, venues, sigs, datadir, dumps.quads)
        for graph in globals_:
            dumps.add(graph)
        for graph in (extra_graphs or {}).values():  # other graphs before statistics, as a delta orders them
            dumps.add(graph)
        if extra_graphs:
            stats = with_triples(stats, dumps.quads + stats.quads)
        dumps.add(stats)
    if state is not None:
        dumps.manifest.write(state)
        (state / SOURCES).write_bytes(sources.to_bytes())
        key = globals_key(sources.resolution, venues, sigs, datadir, today)
        (state / SUMMARY).write_bytes(corpus_summary(key, report, facts).dumps())
        for name, data in index_files.items():
            (state / name).parent.mkdir(parents=True, exist_ok=True)
            (state / name).write_bytes(data)
    report.quads = dumps.quads
    report.phases["global graphs"] = time.perf_counter() - step
    return report


def release_free_memory() -> None:
    """Collect garbage and return the freed heap to the operating system (glibc only)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
