"""The Anthology side of the linker: papers (title, year, authors in order) and persons' names,
read from a store.

The papers are the read layer's paper listings (:mod:`bibkg.read.listings`): from the snapshot's
paper cards when it has them (the papers of the years that matter in one pass, ~0.3 s for the
full corpus), else from the graph.  Persons' names come from ``link-person-names``, for the
persons of candidate papers only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from ..read.listings import paper_listings
from ..read.records import PaperCard
from ..read.runner import QueryRunner, rows
from ..sparql.catalog import QueryCatalog, default_catalog
from ..store.base import GraphStore
from .link import AnthologyPaper

BATCH = 400
"""Keys per VALUES block of a batched query."""


def _year(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


class AnthologySource:
    """Papers and names of the Anthology in ``store`` (see module docs)."""

    def __init__(self, store: GraphStore, catalog: QueryCatalog | None = None) -> None:
        self.store = store
        self.catalog = catalog or default_catalog()
        self._listings = paper_listings(QueryRunner(store, self.catalog))

    def _rows(self, name: str, var: str, keys: Iterable[str]) -> list[dict]:
        return rows(self.store.query(self.catalog[name].with_values(var, [ox.NamedNode(k) for k in keys])))

    def papers(self, years: range) -> list[AnthologyPaper]:
        """The papers published in ``years``, by IRI."""
        return sorted((_paper(card) for card in self._listings.published(years)), key=lambda paper: paper.iri)

    def papers_by_iri(self, papers: Iterable[str]) -> dict[str, AnthologyPaper]:
        """The records of ``papers`` (IRIs), whatever their year: papers a reviewed decision
        links, which the title index may not hold."""
        keys = sorted(set(papers))
        return {card.iri: _paper(card) for card in self._listings.cards(keys) if card is not None and card.title}

    def person_names(self, persons: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Every name each of ``persons`` (IRIs) published under."""
        keys = sorted(set(persons))
        names: dict[str, list[str]] = defaultdict(list)
        for start in range(0, len(keys), BATCH):
            for row in self._rows("link-person-names", "person", keys[start : start + BATCH]):
                names[row["person"].value].append(row["fullName"].value)
        return {person: tuple(sorted(found)) for person, found in names.items()}


def _paper(card: PaperCard) -> AnthologyPaper:
    return AnthologyPaper(card.iri, _year(card.year), card.title or "", card.authors)
