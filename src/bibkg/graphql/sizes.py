"""The sizes of the data, for the cost model: how long the lists a field returns really are.

The cost of a document (:mod:`bibkg.graphql.cost`) multiplies each field by the sizes of the
lists enclosing it. Those sizes come from the store, counted once per snapshot (a snapshot does
not change while it is served): the exact number of venues, events and SIGs — ``Query.venues``
lists every venue — and, for every list an entity has (a venue's volumes and papers, a paper's
authors, a person's papers, …), the largest such list and the mean one (links ÷ entities, rounded
up). The coster uses the largest for a list of *one* entity (it may be the largest one) and the
mean for lists of many entities reached through another list (together they average out).

Counting takes a few seconds on the full corpus: :func:`sizes_for` starts it in a thread and
:meth:`DataSizes.wait` lets the first costs wait for it; without a store (a schema built for its
SDL) the static :data:`FALLBACK` estimates apply.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from ..errors import StoreError
from ..sparql.catalog import default_catalog

if TYPE_CHECKING:
    import pyoxigraph as ox

    from ..services import Generation
    from ..store.base import GraphStore

log = logging.getLogger("bibkg.graphql")

_COUNTS = {
    "venues": "bibkg:Venue",
    "events": "bibkg:Event",
    "sigs": "bibkg:SIG",
    "volumes": "bibkg:Volume",
    "papers": "bibkg:Paper",
    "persons": "bibkg:Person",
}
"""Entity counts: name → class (counted by the internal query ``sizes-classes``)."""

LISTS: Mapping[str, tuple[str, str | None]] = {
    # list → (the internal query counting its links per parent, ``read/queries/sizes-*.rq``; the
    # count of entities the links are divided by for the mean; None: the parents that have a list)
    "Venue.volumes": ("sizes-venue-volumes", "venues"),
    "Event.volumes": ("sizes-event-volumes", "events"),
    "SIG.volumes": ("sizes-sig-volumes", "sigs"),
    "Venue.papers": ("sizes-venue-papers", "venues"),
    "Event.papers": ("sizes-event-papers", "events"),
    "Volume.papers": ("sizes-volume-papers", "volumes"),
    "Person.papers": ("sizes-person-papers", "persons"),
    "Paper.authors": ("sizes-paper-authors", "papers"),
    "Volume.editors": ("sizes-volume-editors", "volumes"),
    "Year.papers": ("sizes-year-papers", None),
}
"""The lists whose sizes are counted in the store."""


@dataclass(frozen=True, slots=True)
class ListSize:
    mean: int
    """Links ÷ entities, rounded up."""
    max: int
    """The longest list of one entity."""


@dataclass(slots=True)
class DataSizes:
    """Counts of entities and sizes of lists (see module docs); ``ready`` once counted."""

    counts: dict[str, int] = field(default_factory=dict)
    lists: dict[str, ListSize] = field(default_factory=dict)
    ready: threading.Event = field(default_factory=threading.Event)

    def wait(self, timeout: float | None = None) -> DataSizes:
        """These sizes once counted; :data:`FALLBACK` if they are not within ``timeout`` seconds."""
        return self if self.ready.wait(timeout) else FALLBACK

    def count(self, name: str, default: int) -> int:
        return self.counts.get(name, default)

    def list_size(self, name: str, default: int, *, single: bool) -> int:
        """The estimated size of list ``name`` (``Venue.volumes``) of one entity (``single``:
        the largest in the data) or of each of many (the mean); ``default`` if not counted."""
        size = self.lists.get(name)
        if size is None:
            return default
        return max(size.max if single else size.mean, 1)


FALLBACK = DataSizes(
    counts={"venues": 50, "events": 2000, "sigs": 30, "volumes": 3000, "papers": 100_000, "persons": 90_000},
    lists={
        "Venue.volumes": ListSize(20, 500),
        "Event.volumes": ListSize(20, 100),
        "SIG.volumes": ListSize(20, 100),
        "Venue.papers": ListSize(250, 12_000),
        "Event.papers": ListSize(100, 3_000),
        "Volume.papers": ListSize(50, 1_000),
        "Person.papers": ListSize(4, 400),
        "Paper.authors": ListSize(4, 100),
        "Volume.editors": ListSize(5, 30),
        "Year.papers": ListSize(2_000, 12_000),
    },
)
"""Estimates for a schema without a store (the full corpus of 2024-08, rounded up)."""
FALLBACK.ready.set()


def _int(term: object) -> int:
    try:
        return int(getattr(term, "value", 0))
    except ValueError:
        return 0


def count_sizes(store: GraphStore) -> DataSizes:
    """Count the entities and list sizes of ``store`` (one query per list, ``read/queries/sizes-*.rq``)."""
    sizes = DataSizes()
    query = store.query
    catalog = default_catalog()
    for solution in cast("ox.QuerySolutions", query(catalog["sizes-classes"].text)):  # a SELECT query's result
        iri = solution["k"].value
        for name, cls in _COUNTS.items():
            if iri.endswith("#" + cls.split(":")[1]):
                sizes.counts[name] = _int(solution["n"])
    for name, (counting, parents) in LISTS.items():
        for solution in cast("ox.QuerySolutions", query(catalog[counting].text)):  # a SELECT query's result
            links, largest = _int(solution["links"]), _int(solution["max"])
            entities = max(sizes.counts.get(parents, 0) if parents else _int(solution["groups"]), 1)
            sizes.lists[name] = ListSize(mean=max(1, math.ceil(links / entities)), max=max(1, largest))
    return sizes


def counted_sizes(generation: Generation) -> DataSizes | None:
    """The sizes of the snapshot ``generation`` serves if their counting was started
    (:func:`sizes_for`), else ``None``."""
    if not getattr(generation.store, "immutable", False):
        return FALLBACK
    return generation.cached("data-sizes")


def sizes_for(generation: Generation) -> DataSizes:
    """The sizes of the data of the snapshot ``generation`` serves, counted once (in a background
    thread) and kept with it.

    Only a local snapshot is counted (:attr:`~bibkg.store.base.GraphStore.immutable`): a remote
    endpoint's data can change and counting it may cost its operator much; it gets the static
    :data:`FALLBACK` estimates.
    """
    store = generation.store
    if not getattr(store, "immutable", False):
        return FALLBACK
    return generation.cache("data-sizes", lambda: _start_counting(store))


def _start_counting(store: GraphStore) -> DataSizes:
    """Sizes that a background thread fills with ``store``'s counts (or the static estimates if
    counting fails), then marks ``ready``."""
    sizes = DataSizes()

    def count() -> None:
        try:
            counted = count_sizes(store)
            sizes.counts.update(counted.counts)
            sizes.lists.update(counted.lists)
        except StoreError as exc:  # e.g. its snapshot is no longer served: nobody will ask
            log.info("data sizes not counted: %s", exc)
            sizes.counts.update(FALLBACK.counts)
            sizes.lists.update(FALLBACK.lists)
        except Exception:
            log.exception("could not count the data's sizes; the GraphQL cost model uses static estimates")
            sizes.counts.update(FALLBACK.counts)
            sizes.lists.update(FALLBACK.lists)
        finally:
            sizes.ready.set()

    threading.Thread(target=count, name="bibkg-graphql-sizes", daemon=True).start()
    return sizes


__all__ = ["FALLBACK", "DataSizes", "ListSize", "count_sizes", "counted_sizes", "sizes_for"]
