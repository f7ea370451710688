"""Ingest: an Anthology data directory → a new snapshot of the store, atomically.

The collection files are read and mapped in worker processes (each file independently: person
resolution is a pure function of the name and the people metadata); their N-Quads stream into
Oxigraph's bulk loader, chunk by chunk, while the next files are still being mapped.  The people,
event and venue graphs, which need the whole corpus, are written last.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .anthology.people import PeopleMetadata, load_people
from .anthology.records import Collection
from .anthology.resolve import Warning, register_variants
from .anthology.venues import load_sigs, load_venues
from .anthology.xmlreader import read_collection
from .errors import SourceError
from .mapping.collection import CollectionResult, VolumeFacts, map_collection
from .mapping.globals import PeopleFacts, events_graph, people_graph, venues_graph
from .mapping.stats import StatsFacts, stats_graph
from .store.local import LocalStore

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


def collection_files(datadir: Path) -> list[Path]:
    """The collection files of a data directory, in id order.

    Raises:
        SourceError: ``datadir`` has no ``xml/`` directory with collection files.
    """
    xml_dir = datadir / "xml"
    files = sorted(xml_dir.glob("*.xml")) if xml_dir.is_dir() else []
    if not files:
        raise SourceError(datadir, None, "not an Anthology data directory: no xml/*.xml files")
    return files


def map_corpus(
    datadir: Path,
    people: PeopleMetadata | None = None,
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> Iterator[CollectionResult]:
    """Read and map every collection of ``datadir`` (in worker processes when ``jobs`` > 1)."""
    files = collection_files(datadir)
    if people is None:
        people = load_people_for(datadir, files)
    jobs = jobs or min(len(files), os.cpu_count() or 1)
    total = len(files)
    if jobs <= 1:
        for done, path in enumerate(files, start=1):
            result = map_collection(read_collection(path), people, done - 1)
            if progress:
                progress(done, total, result.collection_id)
            yield result
        return
    ctx = mp.get_context("fork")
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(people,)) as pool:
        for done, result in enumerate(pool.imap(_map_file, enumerate(files), chunksize=8), start=1):
            if progress:
                progress(done, total, result.collection_id)
            yield result


def _collections_with_variants(files: list[Path]) -> Iterator[tuple[int, Collection]]:
    """The collections that have ``<variant>`` names (a byte search skips all others)."""
    for file_index, path in enumerate(files):
        if b"<variant" in path.read_bytes():
            yield file_index, read_collection(path)


def load_people_for(datadir: Path, files: list[Path]) -> PeopleMetadata:
    """People metadata of ``datadir`` with the corpus-dependent variant names registered."""
    people = load_people(datadir)
    register_variants(_collections_with_variants(files), people)
    return people


_WORKER_PEOPLE: PeopleMetadata | None = None


def _init_worker(people: PeopleMetadata) -> None:
    global _WORKER_PEOPLE
    _WORKER_PEOPLE = people


def _map_file(item: tuple[int, Path]) -> CollectionResult:
    assert _WORKER_PEOPLE is not None
    file_index, path = item
    return map_collection(read_collection(path), _WORKER_PEOPLE, file_index)


class _ChunkLoader:
    """Feeds N-Quads text to ``Store.bulk_load`` in chunks, from a background thread.

    Loading in chunks of ``chunk_bytes`` bounds the bulk loader's memory (one huge load keeps
    its whole sort buffer in RAM), and the thread lets Oxigraph index one chunk while worker
    processes map the next files.  Each chunk goes through a file in ``scratch``: loading from
    a path runs entirely in Oxigraph, without holding the interpreter (about 10% faster and
    leaner than loading from a bytes object).  At most two chunks wait in the queue.
    """

    def __init__(self, store: ox.Store, scratch: Path, chunk_bytes: int = 96 << 20) -> None:
        self._store = store
        self._scratch = scratch
        self._chunk_bytes = chunk_bytes
        self._parts: list[bytes] = []
        self._size = 0
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="bibkg-bulk-load", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._error is None:
                try:
                    path = self._scratch / "chunk.nq"
                    path.write_bytes(chunk)
                    del chunk
                    self._store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
                    path.unlink()
                except BaseException as exc:  # reported by close()
                    self._error = exc

    def write(self, text: str) -> None:
        if self._error is not None:
            raise self._error
        data = text.encode("utf-8")
        self._parts.append(data)
        self._size += len(data)
        if self._size >= self._chunk_bytes:
            self._flush()

    def _flush(self) -> None:
        if self._parts:
            self._queue.put(b"".join(self._parts))
            self._parts, self._size = [], 0

    def abort(self) -> None:
        """Stop without loading what is queued (the snapshot is being discarded)."""
        self._error = self._error or RuntimeError("ingest aborted")
        self._parts = []
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._queue.put(None)
        self._thread.join()

    def close(self) -> None:
        """Load what is left and wait; re-raise a loader error."""
        self._flush()
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


def run_ingest(
    datadir: Path,
    store: LocalStore,
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Build a new snapshot of ``store`` from ``datadir``; publish it only if everything worked."""
    started = time.perf_counter()
    datadir = Path(datadir)
    files = collection_files(datadir)  # fail early, before any store is touched
    people = load_people_for(datadir, files)
    venues = load_venues(datadir)
    sigs = load_sigs(datadir)
    report = IngestReport(datadir, people.format.value)
    facts = PeopleFacts()
    volumes: list[VolumeFacts] = []
    events = []
    stats = StatsFacts()
    with store.new_snapshot() as snapshot, store.scratch_dir() as scratch:
        loader = _ChunkLoader(snapshot, scratch)
        try:
            for result in map_corpus(datadir, people, jobs=jobs, progress=progress):
                loader.write(result.nquads)
                report.quads += result.quads
                report.warnings.extend(result.warnings)
                facts.absorb(result)
                stats.absorb(result)
                volumes.extend(result.volumes)
                if result.event is not None:
                    events.append(result.event)
            report.collections = stats.collections
            report.papers, report.frontmatter = stats.papers, stats.frontmatter
            report.authorships, report.editorships = stats.authorships, stats.editorships
            report.persons = len(set(people.persons) | set(facts.names))
            people_quads = people_graph(people, facts)
            event_quads, event_warnings, event_count = events_graph(volumes, events, venues)
            venue_quads = venues_graph(venues, sigs, {v.full_id for v in volumes})
            for part in (people_quads, event_quads, venue_quads):
                loader.write(part.text())
                report.quads += len(part)
            report.warnings.extend(event_warnings)
            stats_quads = stats_graph(
                stats,
                volumes,
                persons=report.persons,
                events=event_count,
                venues=len(venues),
                sigs=len(sigs),
                quads=report.quads,
                source=datadir,
            )
            loader.write(stats_quads.text())
            report.quads += len(stats_quads)
        except BaseException:
            loader.abort()
            raise
        loader.close()
        # Compact the chunk-loaded files into sorted, non-overlapping ones: point queries and
        # dumps on a compacted snapshot are about three times faster.
        snapshot.optimize()
    report.seconds = time.perf_counter() - started
    return report
