"""Reading and mapping the collection files, in this process or in a pool of worker processes
(each file independently: person resolution is a pure function of the name and the people
metadata), each into the text of its named graph, its facts and its paper cards."""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Set
from pathlib import Path
from typing import TYPE_CHECKING

from ..anthology.people import PeopleMetadata
from ..anthology.records import Collection
from ..anthology.xmlreader import read_collection
from ..mapping.collection import CollectionResult, map_collection
from .inputs import collection_files, load_people_for

if TYPE_CHECKING:
    from ..corrections.effect import Overrides

Progress = Callable[[int, int, str], None]
"""Called as ``progress(done, total, collection_id)`` after each collection file."""


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
            result = map_collection(overridden(overrides, read_collection(path)), people, file_index, render=chosen)
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
    collection = overridden(_WORKER_OVERRIDES, read_collection(path))
    return map_collection(collection, _WORKER_PEOPLE, file_index, render=render)


def overridden(overrides: Overrides | None, collection: Collection) -> Collection:
    return overrides.collection(collection) if overrides else collection
