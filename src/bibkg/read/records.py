"""The records the read layer hands its shells: typed, frozen, plain data (no store, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PaperCard:
    """A paper as a listing shows it (IRIs are full IRIs; texts as in the graph).

    The mapping makes one per paper (:func:`bibkg.mapping.collection.map_collection`); the ingest
    keeps them in a file published with the snapshot (:mod:`bibkg.cards`), which the person and
    volume pages read."""

    iri: str
    title: str | None
    year: str | None
    volume: str | None
    booktitle: str | None
    pdf: str | None
    venues: tuple[str, ...]
    """Venue IRIs (``bibkg:venue``)."""
    authors: tuple[tuple[str, str], ...]
    """(person IRI, printed full name) by position."""

    def __reduce__(self) -> tuple[type[PaperCard], tuple]:
        # pickled by its fields (a mapping worker sends every card of its collection back)
        return PaperCard, (self.iri, self.title, self.year, self.volume, self.booktitle, self.pdf, self.venues,
                           self.authors)  # fmt: skip


__all__ = ["PaperCard"]
