"""Papers and their contributors (authors and editors as printed)."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from strawberry.types import Info

from ... import iris
from ...read.records import Contribution
from ...read.runner import Row
from ..bibtex import paper_bibtex
from ..maybe import Maybe, then
from . import event as _event
from . import person as _person
from . import sig as _sig
from . import venue as _venue
from . import volume as _volume
from .common import doi_of, first_rows, int_of, links_of, maybe_field, str_of, strip_iri
from .context import ctx
from .refs import EventRef, PersonRef, PreprintRef, SIGRef, VenueRef, VolumeRef


@strawberry.type(description="An author or editor as printed on a paper or volume.")
class Contributor:
    position: int = strawberry.field(description="1-based position in the printed list.")
    printed_name: str = strawberry.field(description="The name as printed, 'First Last'.")
    given_name: str | None
    family_name: str | None
    affiliation: str | None
    script_variants: list[str] = strawberry.field(description="The printed name in other scripts.")
    person: PersonRef = strawberry.field(description="The person this name resolves to.")


def contributors(info: Info, found: Sequence[Contribution], role: str) -> Maybe[list[Contributor]]:
    """The ``role`` (author, editor) contributors among ``found``, in printed order, with their
    persons loaded."""
    mine = [c for c in found if c.role == role]
    if not mine:
        return []

    def made(persons: list[_person.Person]) -> list[Contributor]:
        return [
            Contributor(
                position=c.position,
                printed_name=c.printed_name,
                given_name=c.given_name,
                family_name=c.family_name,
                affiliation=c.affiliation,
                script_variants=list(c.script_variants),
                person=person,
            )
            for c, person in zip(mine, persons, strict=True)
        ]

    return then(_person.load_persons(info, [c.person for c in mine]), made)


def _contributions(info: Info, iri: str, role: str) -> Maybe[list[Contributor]]:
    return then(ctx(info).loaders.contributions.get((iri,)), lambda found: contributors(info, found, role))


def _links(info: Info, paper: Paper, kind: str) -> Maybe[list[str]]:
    return links_of(ctx(info).loaders.paper_links.get((paper.iri,)), kind)


def _authors(root: Paper, info: Info) -> Maybe[list[Contributor]]:
    return _contributions(info, root.iri, "author")


def _editors(root: Paper, info: Info) -> Maybe[list[Contributor]]:
    def editors(found: list[Contributor]) -> Maybe[list[Contributor]]:
        if found or root.volume_iri is None:
            return found
        return _contributions(info, root.volume_iri, "editor")

    return then(_contributions(info, root.iri, "editor"), editors)


def _volume_of(root: Paper, info: Info) -> Maybe[_volume.Volume | None]:
    if root.volume_iri is None:
        return None
    return then(_volume.load_volumes(info, [root.volume_iri]), lambda found: found[0])


def _venues(root: Paper, info: Info) -> Maybe[list[_venue.Venue]]:
    return then(_links(info, root, "venue"), lambda found: _venue.load_venues(info, found))


def _events(root: Paper, info: Info) -> Maybe[list[_event.Event]]:
    return then(_links(info, root, "event"), lambda found: _event.load_events(info, found))


def _sigs(root: Paper, info: Info) -> Maybe[list[_sig.SIG]]:
    return then(_links(info, root, "sig"), lambda found: _sig.load_sigs(info, found))


def _awards(root: Paper, info: Info) -> Maybe[list[str]]:
    return _links(info, root, "award")


async def _bibtex(root: Paper, info: Info) -> str:
    return await paper_bibtex(ctx(info).services, root.iri)


def _preprints(root: Paper, info: Info) -> Maybe[list]:
    from .preprint import paper_preprints

    return paper_preprints(info, root.iri)


@strawberry.type(description="A paper (an item with its own Anthology id; front matter excluded).")
class Paper:
    iri: str = strawberry.field(description="The paper's Anthology IRI (its landing page).")
    id: strawberry.ID = strawberry.field(description="Anthology id, e.g. 2025.acl-long.1141.")
    title: str | None = strawberry.field(description="Title, plain text.")
    abstract: str | None = strawberry.field(description="Abstract, plain text.")
    year: int | None
    month: str | None = strawberry.field(description="Month of the volume, as printed.")
    pages: str | None = strawberry.field(description="Pages as printed, e.g. 23411-23432.")
    doi: str | None = strawberry.field(description="DOI, e.g. 10.18653/v1/2025.acl-long.1141.")
    url: str = strawberry.field(description="Landing page.")
    pdf: str | None = strawberry.field(description="PDF URL.")
    bibkey: str | None = strawberry.field(description="The Anthology's BibTeX key.")
    authors: list[Contributor] = maybe_field(resolver=_authors, description="Authors in printed order.")
    editors: list[Contributor] = maybe_field(resolver=_editors, description="Editors of the paper, else of its volume.")
    volume: VolumeRef | None = maybe_field(resolver=_volume_of)
    venues: list[VenueRef] = maybe_field(resolver=_venues, description="Venues (e.g. acl; Findings papers: findings).")
    events: list[EventRef] = maybe_field(
        resolver=_events, description="Events (e.g. findings-2025 and acl-2025 for ACL 2025 Findings)."
    )
    sigs: list[SIGRef] = maybe_field(resolver=_sigs, description="Special interest groups.")
    awards: list[str] = maybe_field(resolver=_awards, description="Awards, as named by the Anthology.")
    bibtex: str = strawberry.field(resolver=_bibtex, description="A BibTeX entry for the paper.")
    preprints: list[PreprintRef] = maybe_field(
        resolver=_preprints, description="arXiv preprints (Hugging Face Daily Papers) published as this paper."
    )
    volume_iri: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, iri: str, row: Row | None) -> Paper:
        """The paper of IRI ``iri`` from its ``gql-papers`` row (``None``: no data)."""
        return cls(
            iri=iri,
            id=strawberry.ID(strip_iri(iri, iris.ANTHOLOGY)),
            title=str_of(row, "title"),
            abstract=str_of(row, "abstract"),
            year=int_of(row, "year"),
            month=str_of(row, "month"),
            pages=str_of(row, "pages"),
            doi=doi_of(str_of(row, "doi")),
            url=str_of(row, "url") or iri,
            pdf=str_of(row, "pdf"),
            bibkey=str_of(row, "bibkey"),
            volume_iri=str_of(row, "volume"),
        )


def load_papers(info: Info, targets: Sequence[str]) -> Maybe[list[Paper]]:
    """The papers of IRIs ``targets``, in order, their rows loaded together."""
    return then(
        first_rows(ctx(info).loaders.paper, targets),
        lambda rows: [Paper.from_row(iri, row) for iri, row in zip(targets, rows, strict=True)],
    )
