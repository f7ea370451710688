"""Coauthors of a person, with the papers they share, optionally within an event, venue and year."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import strawberry
from strawberry.types import Info

from ... import iris
from ...services import Row
from ..maybe import Maybe, then
from ..pagination import encode_cursor, page
from . import connection as _connection
from . import paper as _paper
from . import person as _person
from .common import natural_key, page_size, scope_of, strip_iri
from .context import ctx
from .refs import PageInfoRef, PaperRef, PersonRef


def _shared_papers(root: CoauthorEdge, info: Info) -> Maybe[list[_paper.Paper]]:
    return _paper.load_papers(info, root.paper_ids)


@strawberry.type(description="A coauthor and the papers shared with the person.")
class CoauthorEdge:
    cursor: str
    node: PersonRef
    count: int = strawberry.field(description="Number of shared papers in scope.")
    papers: list[PaperRef] = strawberry.field(resolver=_shared_papers,
                                              description="The shared papers in scope, in Anthology id order.")
    paper_ids: strawberry.Private[list[str]]


def _paper_count(root: CoauthorConnection, info: Info) -> Maybe[int]:
    return then(_person.person_papers(info, root.person.iri, root.scope, root.year),
                lambda rows: len({r["paper"].value for r in rows}))


@strawberry.type(description="Coauthors ordered by shared papers (descending), then name.")
class CoauthorConnection:
    person: PersonRef = strawberry.field(description="Whose coauthors these are.")
    total_count: int = strawberry.field(description="Number of distinct coauthors in scope.")
    edges: list[CoauthorEdge]
    page_info: PageInfoRef
    paper_count: int = strawberry.field(
        resolver=_paper_count, description="Number of the person's papers in scope (with or without coauthors).")
    scope: strawberry.Private[tuple[str, str] | None]
    year: strawberry.Private[int | None]


def aggregate_coauthors(rows: Sequence[Row]) -> list[tuple[str, str, list[str]]]:
    """``(coauthor IRI, name, shared paper IRIs)`` ordered by count desc, name, IRI."""
    names: dict[str, str] = {}
    papers: dict[str, set[str]] = defaultdict(set)
    ids: dict[str, str] = {}
    for row in rows:
        coauthor = row["coauthor"].value
        names[coauthor] = row["name"].value
        paper = row["paper"].value
        papers[coauthor].add(paper)
        ids[paper] = strip_iri(paper, iris.ANTHOLOGY)
    ordered = sorted(papers, key=lambda c: (-len(papers[c]), names[c], c))
    return [(c, names[c], sorted(papers[c], key=lambda p: natural_key(ids[p]))) for c in ordered]


def coauthor_connection(
    info: Info, person: _person.Person, *, event: str | None, venue: str | None, year: int | None,
    first: int | None, after: str | None,
) -> Maybe[CoauthorConnection]:
    """A page of ``person``'s coauthors in scope (``Query.coauthors`` and ``Person.coauthors``)."""
    size = page_size(info, first, ctx(info).settings.max_page_size)
    return then(scope_of(info, venue, event), lambda scope: _coauthor_connection(info, person, scope, year, size, after))


def _coauthor_connection(
    info: Info, person: _person.Person, scope: tuple[str, str] | None, year: int | None, size: int,
    after: str | None,
) -> Maybe[CoauthorConnection]:
    loaders = ctx(info).loaders
    if scope is None:
        rows = loaders.coauthors.get((person.iri, year))
    else:
        kind, iri = scope
        rows = loaders.coauthors_at[kind].get((person.iri, iri, year))

    def connection(rows: list[Row]) -> CoauthorConnection:
        coauthors = aggregate_coauthors(rows)
        chunk, has_next, has_previous = page(coauthors, size, after)
        return CoauthorConnection(
            person=person,
            total_count=len(coauthors),
            scope=scope,
            year=year,
            edges=[
                CoauthorEdge(cursor=encode_cursor(i), node=_person.Person.named(c, name), count=len(p), paper_ids=p)
                for i, (c, name, p) in chunk
            ],
            page_info=_connection.page_info(has_next, has_previous, chunk),
        )

    return then(rows, connection)
