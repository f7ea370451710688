"""Events: acl-2025 with its main conference, Findings and colocated workshops; implicit
``{venue}-{year}`` events."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from ... import iris
from ...services import Row
from ..maybe import Maybe, then
from . import connection as _connection
from . import person as _person
from . import venue as _venue
from . import volume as _volume
from .common import bool_of, int_of, page_size, row_of, strip_iri, value_of
from .context import ctx
from .refs import AuthorCountRef, PaperConnectionRef, VenueRef, VolumeRef


@strawberry.type(description="An event: acl-2025 holds the main conference, Findings and colocated "
                 "workshops; implicit events {venue}-{year} hold one venue's volumes of a year.")
class Event:
    iri: str
    row: strawberry.Private[Row | None] = None

    @strawberry.field(description="Anthology event id, e.g. acl-2025.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(strip_iri(self.iri, iris.ANTHOLOGY + "events/"))

    def _row(self, info: Info) -> Maybe[Row | None]:
        return self.row if self.row is not None else row_of(self, ctx(info).loaders.event)

    @strawberry.field(description="Short label, e.g. ACL 2025.")
    def label(self, info: Info) -> str | None:
        return value_of(self._row(info), "label")

    @strawberry.field
    def name(self, info: Info) -> str | None:
        return value_of(self._row(info), "name")

    @strawberry.field
    def year(self, info: Info) -> int | None:
        return value_of(self._row(info), "year", int_of)

    @strawberry.field(description="True if declared by an <event> element of the Anthology.")
    def explicit(self, info: Info) -> bool | None:
        return value_of(self._row(info), "explicit", bool_of)

    @strawberry.field
    def location(self, info: Info) -> str | None:
        return value_of(self._row(info), "location")

    @strawberry.field
    def dates(self, info: Info) -> str | None:
        return value_of(self._row(info), "dates")

    @strawberry.field
    def venue(self, info: Info) -> VenueRef | None:
        return then(value_of(self._row(info), "venue"), lambda venue: _venue.Venue(iri=venue) if venue else None)

    @strawberry.field(description="Volumes of the event, colocated ones included.")
    def volumes(self, info: Info) -> list[VolumeRef]:
        return _volume.volumes_of(info, "event", self.iri, None)

    @strawberry.field(description="Papers in Anthology id order.")
    def papers(self, info: Info, first: int | None = None, after: str | None = None) -> PaperConnectionRef:
        size = page_size(info, first)
        return then(ctx(info).loaders.papers_of["event"].get((self.iri, None)),
                    lambda rows: _connection.paper_connection(_connection.sorted_papers(rows, newest_first=False),
                                                              size, after))

    @strawberry.field(description="Authors with most papers at the event.")
    def top_authors(self, info: Info, first: int | None = None) -> list[AuthorCountRef]:
        return _venue.top_authors(info, "event", self.iri, None, first)
