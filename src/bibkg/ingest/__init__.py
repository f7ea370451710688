"""Ingest: an Anthology data directory → a new snapshot of the store, atomically.

The collection files are read and mapped in worker processes (each file independently: person
resolution is a pure function of the name and the people metadata), each into the text of its
named graph; the people, event, venue and statistics graphs, which need the whole corpus, come
last.  The text is written once, as the snapshot's published dumps (N-Quads, Turtle, TriG: see
:mod:`bibkg.store.snapshot_dumps`), and the N-Quads file is then bulk-loaded into the store.

This module is the entry point (:func:`run_ingest`) and the package's public names; the steps
are in its modules: the inputs (:mod:`~bibkg.ingest.inputs`), the mapping of the collection
files (:mod:`~bibkg.ingest.mapping_pool`), the corpus-wide graphs
(:mod:`~bibkg.ingest.corpus_wide`), the cold path (:mod:`~bibkg.ingest.cold`) and the
incremental one (:mod:`~bibkg.ingest.incremental`).
"""

from __future__ import annotations

from collections.abc import Callable, Set
from pathlib import Path
from typing import TYPE_CHECKING

from ..mapping.terms import GraphText
from ..store.local import LocalStore
from .cold import run_cold
from .incremental import run_incremental
from .inputs import collection_files, load_people_for
from .mapping_pool import Progress, map_corpus
from .report import IngestReport

if TYPE_CHECKING:
    from ..corrections.effect import Overrides


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


__all__ = ["IngestReport", "Progress", "collection_files", "load_people_for", "map_corpus", "run_ingest"]
