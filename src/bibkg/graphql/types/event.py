"""Events: acl-2025 with its main conference, Findings and colocated workshops; implicit
``{venue}-{year}`` events."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from strawberry.types import Info

from ... import iris
from ...read.runner import Row
from ..maybe import Maybe, then
from . import connection as _connection
from . import person as _person
from . import venue as _venue
from . import volume as _volume
from .common import bool_of, first_rows, int_of, maybe_field, page_size, str_of, strip_iri
from .context import ctx
from .refs import AuthorCountRef, PaperConnectionRef, VenueRef, VolumeRef


def _venue_of(root: Event, info: Info) -> Maybe[_venue.Venue | None]:
    if not root.venue_iri:
        return None
    return then(_venue.load_venues(info, [root.venue_iri]), lambda found: found[0])


def _volumes(root: Event, info: Info) -> Maybe[list[_volume.Volume]]:
    return _volume.volumes_of(info, "event", root.iri, None)


def _papers(
    root: Event, info: Info, first: int | None = None, after: str | None = None
) -> Maybe[_connection.PaperConnection]:
    size = page_size(info, first)
    return then(
        ctx(info).loaders.papers_of["event"].get((root.iri, None)),
        lambda rows: _connection.paper_connection(
            info, _connection.sorted_papers(rows, newest_first=False), size, after
        ),
    )


def _top_authors(root: Event, info: Info, first: int | None = None) -> Maybe[list[_person.AuthorCount]]:
    return _venue.top_authors(info, "event", root.iri, None, first)


@strawberry.type(
    description="An event: acl-2025 holds the main conference, Findings and colocated "
    "workshops; implicit events {venue}-{year} hold one venue's volumes of a year."
)
class Event:
    iri: str
    id: strawberry.ID = strawberry.field(description="Anthology event id, e.g. acl-2025.")
    label: str | None = strawberry.field(description="Short label, e.g. ACL 2025.")
    name: str | None
    year: int | None
    explicit: bool | None = strawberry.field(description="True if declared by an <event> element of the Anthology.")
    location: str | None
    dates: str | None
    venue: VenueRef | None = maybe_field(resolver=_venue_of)
    volumes: list[VolumeRef] = maybe_field(
        resolver=_volumes, description="Volumes of the event, colocated ones included."
    )
    papers: PaperConnectionRef = maybe_field(resolver=_papers, description="Papers in Anthology id order.")
    top_authors: list[AuthorCountRef] = maybe_field(
        resolver=_top_authors, description="Authors with most papers at the event."
    )
    venue_iri: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, iri: str, row: Row | None) -> Event:
        """The event of IRI ``iri`` from its ``gql-events`` row (``None``: no data)."""
        return cls(
            iri=iri,
            id=strawberry.ID(strip_iri(iri, iris.ANTHOLOGY + "events/")),
            label=str_of(row, "label"),
            name=str_of(row, "name"),
            year=int_of(row, "year"),
            explicit=bool_of(row, "explicit"),
            location=str_of(row, "location"),
            dates=str_of(row, "dates"),
            venue_iri=str_of(row, "venue"),
        )


def load_events(info: Info, targets: Sequence[str]) -> Maybe[list[Event]]:
    """The events of IRIs ``targets``, in order, their rows loaded together."""
    return then(
        first_rows(ctx(info).loaders.event, targets),
        lambda rows: [Event.from_row(iri, row) for iri, row in zip(targets, rows, strict=True)],
    )
