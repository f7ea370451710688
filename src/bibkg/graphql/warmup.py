"""Keeping the search indexes and data sizes of each snapshot served built, in the background,
so that no request waits for (or times out on) their build."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ..errors import StoreError
from ..services import Generation, Services
from .names import name_index_for
from .sizes import DataSizes, counted_sizes, sizes_for
from .titles import title_index_for


class Warmer:
    """Builds the people and title indexes (and counts the data sizes) of each snapshot served,
    in process and outside any request deadline — they take 10-25 s of CPU on the full corpus —
    in one background thread at a time, for the newest snapshot only (a burst of publishes
    builds once), and at most once per :attr:`MIN_INTERVAL` (a stream of small updates must not
    keep a core busy rebuilding).  Until a new snapshot's indexes are built, searches use the
    newest built ones (their ``fallback``: :func:`~bibkg.graphql.names.name_index_for`), so no
    search waits for a build: which people or titles *match* a search may lag the data by up to
    ``MIN_INTERVAL`` plus a build; what is answered about them comes from the request's snapshot."""

    DEBOUNCE = 1.0
    """Seconds a new snapshot must stay the newest before its indexes are built."""
    MIN_INTERVAL = 60.0
    """Seconds between the starts of two builds."""

    def __init__(self, services: Services, count_sizes: bool, first_built: threading.Event) -> None:
        self.services = services
        self.count_sizes = count_sizes
        self.first_built = first_built
        self._lock = threading.Lock()
        self._last = -self.MIN_INTERVAL

    def warm(self, previous: Generation | None, generation: Generation) -> None:
        if previous is not None:
            for index_for in (name_index_for, title_index_for):
                theirs = index_for(previous)  # built, or the fallback it serves
                index_for(generation, own=True).fallback = theirs if theirs.built else None
        threading.Thread(target=self._build, args=(generation, previous is not None), name="bibkg-warm-indexes",
                         daemon=True).start()  # fmt: skip

    def _build(self, generation: Generation, debounce: bool) -> None:
        if debounce:
            time.sleep(self.DEBOUNCE)
        with self._lock:  # the threads of later publishes queue here; only the newest builds
            pause = self._last + self.MIN_INTERVAL - time.monotonic()
            if debounce and pause > 0 and generation is self.services.current:
                time.sleep(pause)
            if debounce and generation is not self.services.current:
                return  # a newer snapshot came: its own thread builds
            self._last = time.monotonic()
            try:
                with generation.hold():  # its snapshot stays open (and leased) until built
                    name_index_for(generation, own=True).ensure_built(generation.runner)
                    title_index_for(generation, own=True).ensure_built(generation.runner)
                    if self.count_sizes:
                        sizes_for(generation).ready.wait(300)
            except StoreError:  # no longer served
                pass
            finally:
                self.first_built.set()


def sizes_of(services: Services) -> Callable[[], DataSizes]:
    """The data sizes of the cost model for the request's snapshot: counted once per snapshot
    (in a background thread, :func:`~bibkg.graphql.sizes.sizes_for`); until a new snapshot's
    are counted, the previous snapshot's serve (the sizes are estimates that bound the work of a
    request, not part of its answer), and only the first snapshot's are waited for."""
    last: list[DataSizes] = []

    def sizes() -> DataSizes:
        counted = counted_sizes(services.generation) if last else sizes_for(services.generation)
        if counted is not None and counted.ready.is_set():
            if last[:1] != [counted]:
                last[:] = [counted]
            return counted
        if last:
            return last[0]  # a new snapshot's are counted by the warm-up (Warmer)
        assert counted is not None
        return counted.wait(60)

    return sizes
