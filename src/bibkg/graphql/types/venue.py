"""Venues (acl, findings, …) and their most prolific authors."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import strawberry
from strawberry.types import Info

from ... import iris
from ...read.runner import Row
from ..maybe import Maybe, then
from . import connection as _connection
from . import person as _person
from . import volume as _volume
from .common import bool_of, first_rows, int_of, maybe_field, page_size, str_of, strip_iri
from .context import ctx
from .refs import AuthorCountRef, PaperConnectionRef, VolumeRef


def top_authors(
    info: Info, kind: str, scope: str, year: int | None, first: int | None
) -> Maybe[list[_person.AuthorCount]]:
    """The authors with most papers at the event or venue (``kind``) of IRI ``scope``."""
    size = page_size(info, first, 10)

    def top(rows: list[Row]) -> list[_person.AuthorCount]:
        counts: dict[str, int] = defaultdict(int)
        names: dict[str, str] = {}
        for r in rows:
            person = r["person"].value
            counts[person] += int_of(r, "papers") or 0
            names[person] = r["name"].value
        ordered = sorted(counts, key=lambda p: (-counts[p], names[p], p))[:size]
        return [_person.AuthorCount(person=_person.Person.named(p, names[p]), count=counts[p]) for p in ordered]

    return then(ctx(info).loaders.top_authors_of[kind].get((scope, year)), top)


def _volumes(root: Venue, info: Info, year: int | None = None) -> Maybe[list[_volume.Volume]]:
    return _volume.volumes_of(info, "venue", root.iri, year)


def _papers(
    root: Venue, info: Info, year: int | None = None, first: int | None = None, after: str | None = None
) -> Maybe[_connection.PaperConnection]:
    size = page_size(info, first)
    return then(
        ctx(info).loaders.papers_of["venue"].get((root.iri, year)),
        lambda rows: _connection.paper_connection(
            info, _connection.sorted_papers(rows, newest_first=True), size, after
        ),
    )


def _top_authors(
    root: Venue, info: Info, year: int | None = None, first: int | None = None
) -> Maybe[list[_person.AuthorCount]]:
    return top_authors(info, "venue", root.iri, year, first)


@strawberry.type(description="A publication venue, e.g. acl (the main conference) or findings.")
class Venue:
    iri: str
    id: strawberry.ID = strawberry.field(description="Anthology venue id, e.g. acl.")
    acronym: str | None
    name: str | None
    is_acl: bool | None = strawberry.field(description="Whether the ACL is the venue's organiser.")
    is_toplevel: bool | None
    volumes: list[VolumeRef] = maybe_field(resolver=_volumes, description="Volumes, newest first.")
    papers: PaperConnectionRef = maybe_field(resolver=_papers, description="Papers, newest first.")
    top_authors: list[AuthorCountRef] = maybe_field(
        resolver=_top_authors, description="Authors with most papers at the venue (in the year)."
    )

    @classmethod
    def from_row(cls, iri: str, row: Row | None) -> Venue:
        """The venue of IRI ``iri`` from its ``gql-venues`` row (``None``: no data)."""
        return cls(
            iri=iri,
            id=strawberry.ID(strip_iri(iri, iris.ANTHOLOGY + "venues/")),
            acronym=str_of(row, "acronym"),
            name=str_of(row, "name"),
            is_acl=bool_of(row, "isAcl"),
            is_toplevel=bool_of(row, "isToplevel"),
        )


def load_venues(info: Info, targets: Sequence[str]) -> Maybe[list[Venue]]:
    """The venues of IRIs ``targets``, in order, their rows loaded together."""
    return then(
        first_rows(ctx(info).loaders.venue, targets),
        lambda rows: [Venue.from_row(iri, row) for iri, row in zip(targets, rows, strict=True)],
    )
