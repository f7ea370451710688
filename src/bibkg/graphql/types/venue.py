"""Venues (acl, findings, …) and their most prolific authors."""

from __future__ import annotations

from collections import defaultdict

import strawberry
from strawberry.types import Info

from ... import iris
from ...services import Row
from ..maybe import Maybe, then
from . import connection as _connection
from . import person as _person
from . import volume as _volume
from .common import bool_of, int_of, page_size, row_of, strip_iri, value_of
from .context import ctx
from .refs import AuthorCountRef, PaperConnectionRef, VolumeRef


def top_authors(info: Info, kind: str, scope: str, year: int | None,
                first: int | None) -> Maybe[list[AuthorCountRef]]:
    """The authors with most papers at the event or venue (``kind``) of IRI ``scope``."""
    size = page_size(info, first, 10)

    def top(rows: list[Row]) -> list[AuthorCountRef]:
        counts: dict[str, int] = defaultdict(int)
        names: dict[str, str] = {}
        for r in rows:
            person = r["person"].value
            counts[person] += int_of(r, "papers") or 0
            names[person] = r["name"].value
        ordered = sorted(counts, key=lambda p: (-counts[p], names[p], p))[:size]
        return [_person.AuthorCount(person=_person.Person(iri=p, label=names[p]), count=counts[p]) for p in ordered]

    return then(ctx(info).loaders.top_authors_of[kind].get((scope, year)), top)


@strawberry.type(description="A publication venue, e.g. acl (the main conference) or findings.")
class Venue:
    iri: str
    row: strawberry.Private[Row | None] = None

    @strawberry.field(description="Anthology venue id, e.g. acl.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(strip_iri(self.iri, iris.ANTHOLOGY + "venues/"))

    def _row(self, info: Info) -> Maybe[Row | None]:
        return self.row if self.row is not None else row_of(self, ctx(info).loaders.venue)

    @strawberry.field
    def acronym(self, info: Info) -> str | None:
        return value_of(self._row(info), "acronym")

    @strawberry.field
    def name(self, info: Info) -> str | None:
        return value_of(self._row(info), "name")

    @strawberry.field(description="Whether the ACL is the venue's organiser.")
    def is_acl(self, info: Info) -> bool | None:
        return value_of(self._row(info), "isAcl", bool_of)

    @strawberry.field
    def is_toplevel(self, info: Info) -> bool | None:
        return value_of(self._row(info), "isToplevel", bool_of)

    @strawberry.field(description="Volumes, newest first.")
    def volumes(self, info: Info, year: int | None = None) -> list[VolumeRef]:
        return _volume.volumes_of(info, "venue", self.iri, year)

    @strawberry.field(description="Papers, newest first.")
    def papers(self, info: Info, year: int | None = None, first: int | None = None,
               after: str | None = None) -> PaperConnectionRef:
        size = page_size(info, first)
        return then(ctx(info).loaders.papers_of["venue"].get((self.iri, year)),
                    lambda rows: _connection.paper_connection(_connection.sorted_papers(rows, newest_first=True),
                                                              size, after))

    @strawberry.field(description="Authors with most papers at the venue (in the year).")
    def top_authors(self, info: Info, year: int | None = None,
                    first: int | None = None) -> list[AuthorCountRef]:
        return top_authors(info, "venue", self.iri, year, first)
