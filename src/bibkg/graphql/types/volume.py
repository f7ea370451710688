"""Volumes: proceedings and journal issues."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from strawberry.types import Info

from ... import iris
from ...read.runner import Row
from ..maybe import Maybe, then
from . import connection as _connection
from . import event as _event
from . import paper as _paper
from . import sig as _sig
from . import venue as _venue
from .common import by_year, doi_of, first_rows, int_of, links_of, maybe_field, page_size, str_of, strip_iri
from .context import ctx
from .refs import ContributorRef, EventRef, PaperConnectionRef, SIGRef, VenueRef


def _links(info: Info, volume: Volume, kind: str) -> Maybe[list[str]]:
    return links_of(ctx(info).loaders.volume_links.get((volume.iri,)), kind)


def _editors(root: Volume, info: Info) -> Maybe[list[_paper.Contributor]]:
    return then(
        ctx(info).loaders.contributions.get((root.iri,)), lambda found: _paper.contributors(info, found, "editor")
    )


def _venues(root: Volume, info: Info) -> Maybe[list[_venue.Venue]]:
    return then(_links(info, root, "venue"), lambda found: _venue.load_venues(info, found))


def _events(root: Volume, info: Info) -> Maybe[list[_event.Event]]:
    return then(_links(info, root, "event"), lambda found: _event.load_events(info, found))


def _sigs(root: Volume, info: Info) -> Maybe[list[_sig.SIG]]:
    return then(_links(info, root, "sig"), lambda found: _sig.load_sigs(info, found))


def _papers(
    root: Volume, info: Info, first: int | None = None, after: str | None = None
) -> Maybe[_connection.PaperConnection]:
    size = page_size(info, first)
    return then(
        ctx(info).loaders.papers_of["volume"].get((root.iri, None)),
        lambda rows: _connection.paper_connection(
            info, _connection.sorted_papers(rows, newest_first=False), size, after
        ),
    )


@strawberry.type(description="A volume: proceedings or a journal issue.")
class Volume:
    iri: str
    id: strawberry.ID = strawberry.field(description="Anthology volume id, e.g. 2025.acl-long.")
    title: str | None = strawberry.field(description="Booktitle, plain text.")
    year: int | None
    month: str | None
    address: str | None
    publisher: str | None
    volume_type: str | None = strawberry.field(description="proceedings or journal.")
    pdf: str | None
    doi: str | None
    editors: list[ContributorRef] = maybe_field(resolver=_editors, description="Editors in printed order.")
    venues: list[VenueRef] = maybe_field(resolver=_venues)
    events: list[EventRef] = maybe_field(resolver=_events)
    sigs: list[SIGRef] = maybe_field(resolver=_sigs)
    papers: PaperConnectionRef = maybe_field(resolver=_papers, description="Papers in Anthology id order.")

    @classmethod
    def from_row(cls, iri: str, row: Row | None) -> Volume:
        """The volume of IRI ``iri`` from its ``gql-volumes`` row (``None``: no data)."""
        return cls(
            iri=iri,
            id=strawberry.ID(strip_iri(iri, iris.ANTHOLOGY + "volumes/")),
            title=str_of(row, "title"),
            year=int_of(row, "year"),
            month=str_of(row, "month"),
            address=str_of(row, "address"),
            publisher=str_of(row, "publisher"),
            volume_type=str_of(row, "volumeType"),
            pdf=str_of(row, "pdf"),
            doi=doi_of(str_of(row, "doi")),
        )


def load_volumes(info: Info, targets: Sequence[str]) -> Maybe[list[Volume]]:
    """The volumes of IRIs ``targets``, in order, their rows loaded together."""
    return then(
        first_rows(ctx(info).loaders.volume, targets),
        lambda rows: [Volume.from_row(iri, row) for iri, row in zip(targets, rows, strict=True)],
    )


def volumes_of(info: Info, kind: str, scope: str, year: int | None) -> Maybe[list[Volume]]:
    """The volumes of an event, venue or SIG (``kind``) of IRI ``scope``, newest first."""
    return then(
        ctx(info).loaders.volumes_of[kind].get((scope, year)), lambda rows: load_volumes(info, by_year(rows, "volume"))
    )
