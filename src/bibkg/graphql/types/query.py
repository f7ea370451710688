"""The root fields over the Anthology's entities (``AnthologyQuery``, a part of ``Query``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from ...read.papers import dated_papers
from ...read.records import DatedPaper
from ..batch import integer
from ..errors import UserError
from ..maybe import settle
from .coauthors import CoauthorConnection, coauthor_connection
from .common import entity_iri, existing_iri, first_row, page_size
from .connection import PaperConnection, paper_connection, sorted_papers
from .context import ctx
from .event import Event
from .paper import Paper
from .person import Person, PersonMatchConnection, load_persons, person_match_connection, resolve_person_name
from .sig import SIG
from .sources import DEFAULT_SOURCES, SourcesArgument
from .venue import Venue
from .volume import Volume

_E = TypeVar("_E", Paper, Volume, Venue, Event, SIG)


async def _entity(info: Info, kind: str, id: str, cls: type[_E]) -> _E | None:
    """The ``cls`` object of Anthology id or IRI ``id`` if the graph has it (``kind``: its loader),
    holding the row that proved it exists."""
    iri = entity_iri(kind, id)
    row = first_row(await settle(getattr(ctx(info).loaders, kind).get((iri,))))
    return None if row is None else cls.from_row(iri, row)


@strawberry.type
class AnthologyQuery:
    """Root fields over the Anthology's persons, papers, volumes, venues, events and SIGs."""

    @strawberry.field(description="A person by Anthology id (`yaodong-yang`, `unverified/jiaming-ji`) or IRI.")
    async def person(self, info: Info, id: strawberry.ID) -> Person | None:
        iri = entity_iri("person", id)
        facts = await settle(ctx(info).loaders.person.get((iri,)))
        return None if facts is None else Person.from_facts(iri, facts)

    @strawberry.field(
        description="Persons who published under a name: insensitive to case, diacritics, "
        "punctuation and name order ('Last, First'), matching initials and names in other "
        "scripts (耀东 杨). Best matches first."
    )
    async def people(
        self, info: Info, name: str, first: int | None = None, after: str | None = None
    ) -> PersonMatchConnection:
        size = page_size(info, first)
        if not name.strip():
            raise UserError("'name' is empty")
        index = await ctx(info).name_index()
        return person_match_connection(index.search(name), size, after)

    @strawberry.field(description="A paper by Anthology id (`2025.acl-long.1141`) or IRI.")
    async def paper(self, info: Info, id: strawberry.ID) -> Paper | None:
        return await _entity(info, "paper", id, Paper)

    @strawberry.field(
        description="Papers of a venue, an event, a year and/or with a title containing "
        "some text (at least one is required), newest first."
    )
    async def papers(
        self,
        info: Info,
        venue: strawberry.ID | None = None,
        event: strawberry.ID | None = None,
        year: int | None = None,
        title: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> PaperConnection:
        size = page_size(info, first)
        context = ctx(info)
        runner = context.services.runner
        candidates: list[dict[str, DatedPaper]] = []

        def collect(papers: Iterable[DatedPaper]) -> dict[str, DatedPaper]:
            return {p.iri: p for p in papers}

        titled: list[tuple[str, str]] | None = None
        if title is not None:
            if len(title.strip()) < 3:
                raise UserError("'title' needs at least 3 characters")
            # the in-memory title index answers what the named query gql-search-papers would,
            # in milliseconds instead of a scan of every title in the store per search, already
            # in this field's order (in a worker thread: a common word matches many titles)
            index = await context.title_index()
            titled = await run_in_threadpool(index.search, title.strip(), year)
        for kind, value in (("venue", venue), ("event", event)):
            if value:
                iri = await settle(existing_iri(info, kind, value))
                candidates.append(collect(await settle(context.loaders.papers_of[kind].get((iri, year)))))
        if titled is not None:
            for other in candidates:
                titled = [paper for paper in titled if paper[0] in other]
            return await settle(paper_connection(info, titled, size, after))
        if not candidates and year is not None:
            candidates.append(
                collect(dated_papers(await runner.named_rows("gql-year-papers", {"year": integer(year)})))
            )
        if not candidates:
            raise UserError("'papers' needs at least one of venue, event, year or title")
        keys = set(candidates[0])
        for other in candidates[1:]:
            keys &= set(other)
        found = [candidates[0][k] for k in keys]
        return await settle(paper_connection(info, sorted_papers(found, newest_first=True), size, after))

    @strawberry.field(description="A volume by Anthology id (`2025.acl-long`) or IRI.")
    async def volume(self, info: Info, id: strawberry.ID) -> Volume | None:
        return await _entity(info, "volume", id, Volume)

    @strawberry.field(description="A venue by Anthology id (`acl`, `findings`) or IRI.")
    async def venue(self, info: Info, id: strawberry.ID) -> Venue | None:
        return await _entity(info, "venue", id, Venue)

    @strawberry.field(description="Every venue, by id.")
    async def venues(self, info: Info) -> list[Venue]:
        rows = await ctx(info).services.runner.named_rows("gql-venues")
        return [Venue.from_row(r["venue"].value, r) for r in rows]

    @strawberry.field(description="An event by Anthology id (`acl-2025`) or IRI.")
    async def event(self, info: Info, id: strawberry.ID) -> Event | None:
        return await _entity(info, "event", id, Event)

    @strawberry.field(description="A special interest group by id (`sigdat`) or IRI.")
    async def sig(self, info: Info, id: strawberry.ID) -> SIG | None:
        return await _entity(info, "sig", id, SIG)

    @strawberry.field(
        description="Coauthors of a person (by `person` id, or by `name` — an ambiguous name "
        "is an error listing the candidates) with shared-paper counts, ordered by count "
        'then name. `event: "acl-2025"` is ACL 2025 with Findings and colocated '
        'workshops; `venue: "acl", year: 2025` is the main conference only. '
        "`sources: [ANTHOLOGY, PREPRINTS]` counts linked arXiv preprints too."
    )
    async def coauthors(
        self,
        info: Info,
        person: strawberry.ID | None = None,
        name: str | None = None,
        event: strawberry.ID | None = None,
        venue: strawberry.ID | None = None,
        year: int | None = None,
        first: int | None = None,
        after: str | None = None,
        sources: SourcesArgument = DEFAULT_SOURCES,
    ) -> CoauthorConnection:
        if (person is None) == (name is None):
            raise UserError("give exactly one of 'person' (an id) or 'name'")
        if person is not None:
            iri = await settle(existing_iri(info, "person", person))
        else:
            iri = await resolve_person_name(info, name or "")
        found = (await settle(load_persons(info, [iri])))[0]
        return await settle(
            coauthor_connection(
                info, found, event=event, venue=venue, year=year, first=first, after=after, sources=sources
            )
        )
