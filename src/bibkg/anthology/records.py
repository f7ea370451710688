"""Frozen records read from the Anthology's files; they know nothing of RDF."""

from __future__ import annotations

from dataclasses import dataclass

from .names import Name


@dataclass(frozen=True, slots=True)
class NameSpec:
    """An ``<author>`` or ``<editor>`` element: a printed name plus what the file says about it."""

    name: Name
    id: str | None = None
    orcid: str | None = None
    affiliation: str | None = None
    variants: tuple[Name, ...] = ()
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Paper:
    """A ``<paper>`` or ``<frontmatter>`` of a volume."""

    full_id: str
    volume_id: str
    is_frontmatter: bool
    title: str | None
    title_markup: str | None
    abstract: str | None
    authors: tuple[NameSpec, ...]
    editors: tuple[NameSpec, ...]
    pages: str | None
    doi: str | None
    url: str | None
    bibkey: str | None
    language: str | None
    awards: tuple[str, ...]
    note: str | None
    line: int | None


@dataclass(frozen=True, slots=True)
class Volume:
    full_id: str
    collection_id: str
    volume_type: str
    booktitle: str
    booktitle_markup: str
    short_booktitle: str | None
    editors: tuple[NameSpec, ...]
    publisher: str | None
    address: str | None
    month: str | None
    year: int
    isbn: str | None
    doi: str | None
    url: str | None
    venue_ids: tuple[str, ...]
    journal_title: str | None
    journal_volume: str | None
    journal_issue: str | None
    ingest_date: str | None
    papers: tuple[Paper, ...]
    line: int | None


@dataclass(frozen=True, slots=True)
class EventDecl:
    """An explicit ``<event>`` element of a collection."""

    id: str
    collection_id: str
    title: str | None
    location: str | None
    dates: str | None
    colocated: tuple[str, ...]
    line: int | None
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Collection:
    """One ``xml/{id}.xml`` file."""

    id: str
    path: str
    volumes: tuple[Volume, ...]
    event: EventDecl | None


@dataclass(frozen=True, slots=True)
class PersonEntry:
    """A person declared in the people metadata (``people.yaml`` or ``name_variants.yaml``)."""

    id: str
    names: tuple[Name, ...]
    orcid: str | None = None
    comment: str | None = None
    degree: str | None = None
    similar: tuple[str, ...] = ()
    disable_name_matching: bool = False


@dataclass(frozen=True, slots=True)
class VenueEntry:
    id: str
    acronym: str
    name: str
    is_acl: bool
    is_toplevel: bool
    oldstyle_letter: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class SigEntry:
    id: str
    name: str
    acronym: str
    url: str | None
    meetings: tuple[tuple[int, str], ...]
    """(year, volume id) pairs from the SIG's ``Meetings`` list."""
