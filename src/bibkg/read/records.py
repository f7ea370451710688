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


@dataclass(frozen=True, slots=True)
class DatedPaper:
    """A member of a list of papers ordered by year and Anthology id (the papers of a person, a
    venue, an event, a volume, a year: ``gql-*-papers``)."""

    iri: str
    anthology_id: str
    year: int
    """0 when the graph gives none."""


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """A person's own facts (``gql-persons``)."""

    iri: str
    label: str
    """The canonical name."""
    verified: bool
    """Listed in the Anthology's people metadata."""
    orcid: str | None
    """The ORCID iD as an IRI (``https://orcid.org/…``)."""
    comment: str | None


@dataclass(frozen=True, slots=True)
class PersonNames:
    """The names a person published under, their name in other scripts and the persons with a
    similar name (``gql-person-details``)."""

    names: tuple[str, ...]
    """Full names, canonical first, then in order."""
    script_variants: tuple[tuple[str, str | None], ...]
    """(text, language tag) in order of text."""
    similar: tuple[str, ...]
    """Person IRIs, in order."""


@dataclass(frozen=True, slots=True)
class Contribution:
    """An author or editor as printed on a paper or volume (``gql-contributions``)."""

    role: str
    """``author`` or ``editor``."""
    position: int
    """1-based position in the printed list."""
    printed_name: str
    given_name: str | None
    family_name: str | None
    affiliation: str | None
    script_variants: tuple[str, ...]
    person: str
    """The IRI of the person the name resolves to."""


@dataclass(frozen=True, slots=True)
class CoauthorLink:
    """A paper a person shares with a coauthor (``gql-coauthors*``)."""

    coauthor: str
    """The coauthor's IRI."""
    name: str
    """The coauthor's canonical name."""
    paper: str
    """The shared paper's IRI."""


__all__ = ["CoauthorLink", "Contribution", "DatedPaper", "PaperCard", "PersonFacts", "PersonNames"]
