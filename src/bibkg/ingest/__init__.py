"""Ingest: an Anthology data directory → a new snapshot of the store, atomically.

The collection files are read and mapped in worker processes (each file independently: person
resolution is a pure function of the name and the people metadata), each into the text of its
named graph; the people, event, venue and statistics graphs, which need the whole corpus, come
last.  The text is written once, as the snapshot's published dumps (N-Quads, Turtle, TriG: see
:mod:`bibkg.export.snapshot_dumps`), and the N-Quads file is then bulk-loaded into the store.
"""

from __future__ import annotations

import ctypes
import datetime
import gc
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..anthology.people import PeopleMetadata, load_people
from ..anthology.records import Collection
from ..anthology.resolve import Warning, register_variants
from ..anthology.venues import load_sigs, load_venues
from ..anthology.xmlreader import read_collection
from ..cards import CARDS_FILE, SPARES_DIR, CardWriter, keep_spare
from ..errors import SourceError
from ..export.snapshot_dumps import SnapshotDumps
from ..mapping.collection import CollectionResult, VolumeFacts, map_collection
from ..mapping.globals import PeopleFacts, events_graph, people_graph, venues_graph
from ..mapping.stats import StatsFacts, stats_graph, with_triples
from ..mapping.terms import GraphText
from ..safeparse import check_size
from ..sparql import schema as schema_stats
from ..store.local import LocalStore
from . import corpus_index
from .state import (
    FACTS_DIR,
    SOURCES,
    SUMMARY,
    CollectionFacts,
    CorpusSummary,
    Sources,
    facts_path,
    globals_key,
    resolution_fingerprint,
    scan_source,
)

if TYPE_CHECKING:
    from ..corrections.effect import Overrides

Progress = Callable[[int, int, str], None]
"""Called as ``progress(done, total, collection_id)`` after each collection file."""


@dataclass(slots=True)
class IngestReport:
    """What an ingest did."""

    datadir: Path
    people_format: str
    collections: int = 0
    papers: int = 0
    frontmatter: int = 0
    authorships: int = 0
    editorships: int = 0
    persons: int = 0
    quads: int = 0
    warnings: list[Warning] = field(default_factory=list)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds of each step: mapping, global graphs, bulk load, compaction."""
    mode: str = "cold"
    """``cold`` (everything mapped and loaded) or ``incremental`` (:mod:`bibkg.ingest.incremental`)."""
    changed: dict[str, int] = field(default_factory=dict)
    """Incremental: collection files ``added``, ``modified``, ``removed``, ``remapped``."""
    corpus_graphs: str = "built"
    """How the corpus-wide graphs (people, events, venues, statistics) were made: ``built`` from
    the facts of every collection; incremental only: ``kept`` as they were, no fact they are
    built from having changed (a title, an abstract, a link), or ``spliced``: only the blocks of
    the persons and venue-years that changed rendered again (:mod:`bibkg.ingest.corpus_index`)."""


def collection_files(datadir: Path) -> list[Path]:
    """The collection files of a data directory, in id order.

    Raises:
        SourceError: ``datadir`` has no ``xml/`` directory with collection files, or one of them
            is larger than the size limit (:func:`bibkg.safeparse.max_file_bytes`): checked here,
            before any file is read or any store touched.
    """
    xml_dir = datadir / "xml"
    files = sorted(xml_dir.glob("*.xml")) if xml_dir.is_dir() else []
    if not files:
        raise SourceError(datadir, None, "not an Anthology data directory: no xml/*.xml files")
    for path in files:
        check_size(path)
    return files


def map_corpus(
    datadir: Path,
    people: PeopleMetadata | None = None,
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    only: set[str] | None = None,
    overrides: Overrides | None = None,
    render: Mapping[str, Set[str]] | None = None,
) -> Iterator[CollectionResult]:
    """Read and map every collection of ``datadir`` (in worker processes when ``jobs`` > 1), or
    those whose id is in ``only``; ``overrides`` (applied corrections, :mod:`bibkg.corrections`)
    set explicit person ids on the entries as they are read; ``render``: collection id → the
    only items of it to render (:func:`~bibkg.mapping.collection.map_collection`)."""
    files = collection_files(datadir)
    if people is None:
        people, _ = load_people_for(datadir, files)
    render = render or {}
    items = [(i, path, render.get(path.stem)) for i, path in enumerate(files) if only is None or path.stem in only]
    jobs = jobs or min(len(items), os.cpu_count() or 1)
    total = len(items)
    if jobs <= 1:
        for done, (file_index, path, chosen) in enumerate(items, start=1):
            result = map_collection(_overridden(overrides, read_collection(path)), people, file_index, render=chosen)
            if progress:
                progress(done, total, result.collection_id)
            yield result
        return
    # fork is the cheapest start (the people metadata is inherited, not pickled), but forking a
    # process that runs other threads copies their locks in whatever state they are (a child
    # waited forever on one when a test server's threads were running): spawn there instead
    ctx = mp.get_context("fork" if threading.active_count() == 1 else "spawn")
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(people, os.getpid(), overrides)) as pool:
        for done, result in enumerate(pool.imap(_map_file, items, chunksize=8), start=1):
            if progress:
                progress(done, total, result.collection_id)
            yield result


def load_people_for(datadir: Path, files: list[Path], *, hashes: bool = False) -> tuple[PeopleMetadata, Sources]:
    """People metadata of ``datadir`` with the corpus-dependent variant names registered, and
    (with ``hashes``) the content hash of every collection file (:mod:`bibkg.ingest.state`),
    from one read of each file, none of those this process read before unchanged since
    (:func:`~bibkg.ingest.state.scan_source`)."""
    people = load_people(datadir)
    digests: dict[str, str] = {}
    with_variants: list[int] = []
    for file_index, path in enumerate(files):
        scanned = scan_source(path)
        if hashes:
            digests[path.stem] = scanned.digest
        if scanned.has_variants:
            with_variants.append(file_index)
    register_variants(((i, read_collection(files[i])) for i in with_variants), people)
    file_ids = {i: path.stem for i, path in enumerate(files)}
    return people, Sources(digests, resolution_fingerprint(people, file_ids), str(datadir.resolve()))


_WORKER_PEOPLE: PeopleMetadata | None = None
_WORKER_OVERRIDES: Overrides | None = None
_WORKER_PARENT: int | None = None
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _init_worker(people: PeopleMetadata, parent: int, overrides: Overrides | None = None) -> None:
    global _WORKER_PEOPLE, _WORKER_PARENT, _WORKER_OVERRIDES
    _WORKER_PEOPLE, _WORKER_PARENT, _WORKER_OVERRIDES = people, parent, overrides
    _die_with_parent(parent)


def _die_with_parent(parent: int) -> None:
    """Make this worker die when the ingest that forked it dies.

    A worker inherits the store's ingest lock (an open file with a ``flock``): if the ingest is
    killed (``kill -9``, the OOM killer) while its workers live on, the lock stays held and the
    next ingest fails with "another ingest is writing" until they finish.  On Linux the kernel
    sends the worker SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``); the parent may
    have died before that call, hence the check of ``getppid`` after it, which
    :func:`_map_file` repeats before each file (the only check on other systems).
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
            pass
    _exit_if_orphaned()


def _exit_if_orphaned() -> None:
    if _WORKER_PARENT is not None and os.getppid() != _WORKER_PARENT:
        os._exit(1)


def _map_file(item: tuple[int, Path, Set[str] | None]) -> CollectionResult:
    assert _WORKER_PEOPLE is not None
    _exit_if_orphaned()
    file_index, path, render = item
    collection = _overridden(_WORKER_OVERRIDES, read_collection(path))
    return map_collection(collection, _WORKER_PEOPLE, file_index, render=render)


def _overridden(overrides: Overrides | None, collection: Collection) -> Collection:
    return overrides.collection(collection) if overrides else collection


def with_corrections(
    people: PeopleMetadata, sources: Sources, overrides: Overrides | None
) -> tuple[PeopleMetadata, Sources]:
    """The people metadata with the applied corrections' person entries, and the sources whose
    resolution fingerprint says which corrections were applied (``{data}+{corrections}``: an
    incremental ingest re-maps everything only when the data's part changed)."""
    if not overrides:
        return people, sources
    sources.resolution = f"{sources.resolution.partition('+')[0]}+{overrides.fingerprint()}"
    return overrides.people(people), sources


def run_ingest(
    datadir: Path,
    store: LocalStore,
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    stage: Callable[[str], None] | None = None,
    full: bool = False,
    wait: bool | float = False,
    overrides: Overrides | None = None,
    remap: set[str] | None = None,
    items: Set[str] | None = None,
    extra_graphs: dict[str, GraphText] | None = None,
    on_published: Callable[[], None] | None = None,
) -> IngestReport:
    """Build a new snapshot of ``store`` from ``datadir``; publish it only if everything worked.

    Applied corrections (:mod:`bibkg.corrections`) are an input of the mapping, as the
    Anthology's explicit ids are: ``overrides`` and the corrections graph (``extra_graphs``) are
    those of the store's corrections log unless given.  ``remap``: collection ids an applied or
    reverted correction changed, mapped again even though their files did not change; with
    ``items`` (the volumes and papers whose entries it pins), only those items of them are
    rendered again and the rest of their graphs is kept (:mod:`bibkg.ingest.units`).

    When the current snapshot was made by an ingest of this version (it has update state, see
    :mod:`bibkg.ingest.state`), only the collection files whose content changed are mapped again
    and the new snapshot is built from the current one (:mod:`bibkg.ingest.incremental`); with
    ``full``, or without such a snapshot, everything is mapped and bulk-loaded into an empty
    snapshot (a cold ingest).  Both give the same graph and the same files.

    ``progress`` is called after each collection file, ``stage`` with a description of each
    later step (loading, compacting).  ``wait``: how long to wait for another writer.
    ``on_published``: called once the snapshot is current (its dumps may still be written).
    """
    datadir = Path(datadir)
    files = collection_files(datadir)  # fail early, before any store is touched
    if overrides is None:
        from ..corrections import stored

        overrides, stored_graphs = stored(store.root)
        extra_graphs = stored_graphs if extra_graphs is None else extra_graphs
    extra = extra_graphs or {}
    if not full:
        from .incremental import run_incremental

        report = run_incremental(
            datadir,
            files,
            store,
            jobs=jobs,
            progress=progress,
            stage=stage,
            wait=wait,
            overrides=overrides,
            remap=remap,
            items=items,
            extra_graphs=extra,
            on_published=on_published,
        )
        if report is not None:
            return report
    return run_cold(datadir, files, store, jobs=jobs, progress=progress, stage=stage, wait=wait, overrides=overrides,
                    extra_graphs=extra, on_published=on_published)  # fmt: skip


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


def corpus_graphs(
    report: IngestReport,
    facts: list[CollectionFacts],
    people: PeopleMetadata,
    venues: dict,
    sigs: dict,
    datadir: Path,
    quads_before: int,
) -> tuple[list[GraphText], dict[str, bytes]]:
    """The graphs built from the whole corpus, in dump order (events, people, venues,
    statistics), from the facts of every collection in file order, and the files of their
    index (:mod:`bibkg.ingest.corpus_index`, what the next update splices them with); fills in
    ``report``'s counts and warnings.  ``quads_before``: the quads of the collection graphs."""
    people_facts = PeopleFacts()
    stats = StatsFacts()
    volumes: list[VolumeFacts] = []
    events = []
    for one in facts:
        report.warnings.extend(one.warnings)
        people_facts.absorb(one)
        stats.absorb(one)
        volumes.extend(one.volumes)
        if one.event is not None:
            events.append(one.event)
    report.collections = stats.collections
    report.papers, report.frontmatter = stats.papers, stats.frontmatter
    report.authorships, report.editorships = stats.authorships, stats.editorships
    report.persons = len(set(people.persons) | set(people_facts.names))
    event_writer, event_warnings, event_count = events_graph(volumes, events, venues)
    report.warnings.extend(event_warnings)
    people_text, people_index = people_graph(people, people_facts)
    graphs = [event_writer.finish(), people_text, venues_graph(venues, sigs, {v.full_id for v in volumes}).finish()]
    quads = quads_before + sum(graph.quads for graph in graphs)
    stats_text, stats_index, counts, dataset = stats_graph(
        stats,
        volumes,
        persons=report.persons,
        events=event_count,
        venues=len(venues),
        sigs=len(sigs),
        quads=quads,
        source=datadir,
    )
    graphs.append(stats_text)
    files = corpus_index.full_state(facts, people, people_index, stats_index, counts, dataset,
                                    corpus_index.inputs_key(venues, sigs, datadir))  # fmt: skip
    return graphs, files


def corpus_summary(key: str, report: IngestReport, facts: list[CollectionFacts]) -> CorpusSummary:
    """The report's corpus-wide part after :func:`corpus_graphs` filled it from ``facts``."""
    warnings = {one.collection_id: list(one.warnings) for one in facts}
    collection_warnings = sum(len(w) for w in warnings.values())
    return CorpusSummary(
        key,
        report.collections,
        report.papers,
        report.frontmatter,
        report.authorships,
        report.editorships,
        report.persons,
        warnings,
        list(report.warnings[collection_warnings:]),
    )


def release_free_memory() -> None:
    """Collect garbage and return the freed heap to the operating system (glibc only)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
