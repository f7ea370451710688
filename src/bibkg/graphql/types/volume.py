"""Volumes: proceedings and journal issues."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from ... import iris
from ...services import Row
from ..maybe import Maybe, then
from . import connection as _connection
from . import event as _event
from . import paper as _paper
from . import sig as _sig
from . import venue as _venue
from .common import by_year, doi_of, int_of, links_of, page_size, row_of, strip_iri, value_of
from .context import ctx
from .refs import ContributorRef, EventRef, PaperConnectionRef, SIGRef, VenueRef


@strawberry.type(description="A volume: proceedings or a journal issue.")
class Volume:
    iri: str
    row: strawberry.Private[Row | None] = None

    @strawberry.field(description="Anthology volume id, e.g. 2025.acl-long.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(strip_iri(self.iri, iris.ANTHOLOGY + "volumes/"))

    def _row(self, info: Info) -> Maybe[Row | None]:
        return self.row if self.row is not None else row_of(self, ctx(info).loaders.volume)

    def _links(self, info: Info, kind: str) -> Maybe[list[str]]:
        return links_of(ctx(info).loaders.volume_links.get((self.iri,)), kind)

    @strawberry.field(description="Booktitle, plain text.")
    def title(self, info: Info) -> str | None:
        return value_of(self._row(info), "title")

    @strawberry.field
    def year(self, info: Info) -> int | None:
        return value_of(self._row(info), "year", int_of)

    @strawberry.field
    def month(self, info: Info) -> str | None:
        return value_of(self._row(info), "month")

    @strawberry.field
    def address(self, info: Info) -> str | None:
        return value_of(self._row(info), "address")

    @strawberry.field
    def publisher(self, info: Info) -> str | None:
        return value_of(self._row(info), "publisher")

    @strawberry.field(description="proceedings or journal.")
    def volume_type(self, info: Info) -> str | None:
        return value_of(self._row(info), "volumeType")

    @strawberry.field
    def pdf(self, info: Info) -> str | None:
        return value_of(self._row(info), "pdf")

    @strawberry.field
    def doi(self, info: Info) -> str | None:
        return then(value_of(self._row(info), "doi"), doi_of)

    @strawberry.field(description="Editors in printed order.")
    def editors(self, info: Info) -> list[ContributorRef]:
        return then(ctx(info).loaders.contributions.get((self.iri,)),
                    lambda rows: _paper.contributors(rows, "editor"))

    @strawberry.field
    def venues(self, info: Info) -> list[VenueRef]:
        return then(self._links(info, "venue"), lambda found: [_venue.Venue(iri=i) for i in found])

    @strawberry.field
    def events(self, info: Info) -> list[EventRef]:
        return then(self._links(info, "event"), lambda found: [_event.Event(iri=i) for i in found])

    @strawberry.field
    def sigs(self, info: Info) -> list[SIGRef]:
        return then(self._links(info, "sig"), lambda found: [_sig.SIG(iri=i) for i in found])

    @strawberry.field(description="Papers in Anthology id order.")
    def papers(self, info: Info, first: int | None = None, after: str | None = None) -> PaperConnectionRef:
        size = page_size(info, first)
        return then(ctx(info).loaders.papers_of["volume"].get((self.iri, None)),
                    lambda rows: _connection.paper_connection(_connection.sorted_papers(rows, newest_first=False),
                                                              size, after))


def volumes_of(info: Info, kind: str, scope: str, year: int | None) -> Maybe[list[Volume]]:
    """The volumes of an event, venue or SIG (``kind``) of IRI ``scope``, newest first."""
    return then(ctx(info).loaders.volumes_of[kind].get((scope, year)),
                lambda rows: [Volume(iri=v) for v in by_year(rows, "volume")])
