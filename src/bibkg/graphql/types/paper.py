"""Papers and their contributors (authors and editors as printed)."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from strawberry.types import Info

from ... import iris
from ...services import Row
from ..bibtex import paper_bibtex
from ..maybe import Maybe, then
from . import event as _event
from . import person as _person
from . import sig as _sig
from . import venue as _venue
from . import volume as _volume
from .common import doi_of, int_of, links_of, row_of, str_of, strip_iri, value_of
from .context import ctx
from .refs import EventRef, PersonRef, SIGRef, VenueRef, VolumeRef


@strawberry.type(description="An author or editor as printed on a paper or volume.")
class Contributor:
    position: int = strawberry.field(description="1-based position in the printed list.")
    printed_name: str = strawberry.field(description="The name as printed, 'First Last'.")
    given_name: str | None
    family_name: str | None
    affiliation: str | None
    script_variants: list[str] = strawberry.field(description="The printed name in other scripts.")
    person_iri: strawberry.Private[str]

    @strawberry.field(description="The person this name resolves to.")
    def person(self) -> PersonRef:
        return _person.Person(iri=self.person_iri)


def contributors(rows: Sequence[Row], role: str) -> list[Contributor]:
    """The ``role`` (author, editor) contributors of ``gql-contributions`` rows, in printed order."""
    by_position: dict[int, Contributor] = {}
    for r in rows:
        if str_of(r, "role") != role:
            continue
        position = int_of(r, "position") or 0
        item = by_position.get(position)
        if item is None:
            given, family = str_of(r, "givenName"), str_of(r, "familyName")
            printed = str_of(r, "fullName") or " ".join(p for p in (given, family) if p)
            item = by_position[position] = Contributor(
                position=position, printed_name=printed, given_name=given, family_name=family,
                affiliation=str_of(r, "affiliation"), script_variants=[], person_iri=r["person"].value,
            )
        variant = str_of(r, "variant")
        if variant and variant not in item.script_variants:
            item.script_variants.append(variant)
    return [by_position[p] for p in sorted(by_position)]


@strawberry.type(description="A paper (an item with its own Anthology id; front matter excluded).")
class Paper:
    iri: str = strawberry.field(description="The paper's Anthology IRI (its landing page).")
    row: strawberry.Private[Row | None] = None

    @strawberry.field(description="Anthology id, e.g. 2025.acl-long.1141.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(strip_iri(self.iri, iris.ANTHOLOGY))

    def _row(self, info: Info) -> Maybe[Row | None]:
        return self.row if self.row is not None else row_of(self, ctx(info).loaders.paper)

    def _links(self, info: Info, kind: str) -> Maybe[list[str]]:
        return links_of(ctx(info).loaders.paper_links.get((self.iri,)), kind)

    @strawberry.field(description="Title, plain text.")
    def title(self, info: Info) -> str | None:
        return value_of(self._row(info), "title")

    @strawberry.field(description="Abstract, plain text.")
    def abstract(self, info: Info) -> str | None:
        return value_of(self._row(info), "abstract")

    @strawberry.field
    def year(self, info: Info) -> int | None:
        return value_of(self._row(info), "year", int_of)

    @strawberry.field(description="Month of the volume, as printed.")
    def month(self, info: Info) -> str | None:
        return value_of(self._row(info), "month")

    @strawberry.field(description="Pages as printed, e.g. 23411-23432.")
    def pages(self, info: Info) -> str | None:
        return value_of(self._row(info), "pages")

    @strawberry.field(description="DOI, e.g. 10.18653/v1/2025.acl-long.1141.")
    def doi(self, info: Info) -> str | None:
        return then(value_of(self._row(info), "doi"), doi_of)

    @strawberry.field(description="Landing page.")
    def url(self, info: Info) -> str:
        return then(value_of(self._row(info), "url"), lambda url: url or self.iri)

    @strawberry.field(description="PDF URL.")
    def pdf(self, info: Info) -> str | None:
        return value_of(self._row(info), "pdf")

    @strawberry.field(description="The Anthology's BibTeX key.")
    def bibkey(self, info: Info) -> str | None:
        return value_of(self._row(info), "bibkey")

    @strawberry.field(description="Authors in printed order.")
    def authors(self, info: Info) -> list[Contributor]:
        return then(ctx(info).loaders.contributions.get((self.iri,)), lambda rows: contributors(rows, "author"))

    @strawberry.field(description="Editors of the paper, else of its volume.")
    def editors(self, info: Info) -> list[Contributor]:
        contributions = ctx(info).loaders.contributions

        def volume_editors(volume: str | None) -> Maybe[list[Contributor]]:
            if volume is None:
                return []
            return then(contributions.get((volume,)), lambda rows: contributors(rows, "editor"))

        def editors(rows: list[Row]) -> Maybe[list[Contributor]]:
            return contributors(rows, "editor") or then(value_of(self._row(info), "volume"), volume_editors)

        return then(contributions.get((self.iri,)), editors)

    @strawberry.field
    def volume(self, info: Info) -> VolumeRef | None:
        return then(value_of(self._row(info), "volume"), lambda volume: _volume.Volume(iri=volume) if volume else None)

    @strawberry.field(description="Venues (e.g. acl; Findings papers: findings).")
    def venues(self, info: Info) -> list[VenueRef]:
        return then(self._links(info, "venue"), lambda found: [_venue.Venue(iri=i) for i in found])

    @strawberry.field(description="Events (e.g. findings-2025 and acl-2025 for ACL 2025 Findings).")
    def events(self, info: Info) -> list[EventRef]:
        return then(self._links(info, "event"), lambda found: [_event.Event(iri=i) for i in found])

    @strawberry.field(description="Special interest groups.")
    def sigs(self, info: Info) -> list[SIGRef]:
        return then(self._links(info, "sig"), lambda found: [_sig.SIG(iri=i) for i in found])

    @strawberry.field(description="Awards, as named by the Anthology.")
    def awards(self, info: Info) -> list[str]:
        return self._links(info, "award")

    @strawberry.field(description="A BibTeX entry for the paper.")
    async def bibtex(self, info: Info) -> str:
        return await paper_bibtex(ctx(info).services, self.iri)
