"""Coauthors of a person, with the papers (and, on request, the preprints) they share, optionally
within an event, venue and year.

``sources`` chooses what counts as writing together: the Anthology's papers (the default), the
arXiv preprints of the Hugging Face Daily Papers the person is a linked author of
(:mod:`bibkg.hf`), or both. A preprint has no event, venue or year of its own in the Anthology:
it counts in a scope when the paper it was published as is one of the person's papers in that
scope, and without a scope (no event, venue or year) every linked preprint counts. A preprint
author the linker did not identify is a name, not a person: such names are listed apart
(``unlinkedCoauthors``), never merged into the edges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

import strawberry
from strawberry.types import Info

from ... import iris
from ...anthology.ids import sort_key
from ...read.records import CoauthorLink, DatedPaper
from ...read.runner import Row
from ..errors import UserError
from ..maybe import Maybe, then
from ..pagination import encode_cursor, page
from . import connection as _connection
from . import paper as _paper
from . import person as _person
from .common import maybe_field, page_size, scope_of, strip_iri
from .context import ctx
from .refs import PageInfoRef, PaperRef, PersonRef, PreprintRef
from .sources import DEFAULT_SOURCES, Source


def _shared_papers(root: CoauthorEdge, info: Info) -> Maybe[list[_paper.Paper]]:
    return _paper.load_papers(info, root.paper_ids)


def _shared_preprints(root: CoauthorEdge | UnlinkedCoauthor, info: Info) -> Maybe[list]:
    from . import preprint as _preprint  # preprint imports person, which imports this module

    return then(_preprint.load_preprints(info, root.preprint_ids), lambda found: [p for p in found if p is not None])


@strawberry.type(description="A coauthor and the papers (and preprints) shared with the person.")
class CoauthorEdge:
    cursor: str
    node: PersonRef
    count: int = strawberry.field(
        description="Number of shared papers in scope (0 when `sources` leaves out ANTHOLOGY)."
    )
    papers: list[PaperRef] = maybe_field(
        resolver=_shared_papers, description="The shared papers in scope, in Anthology id order."
    )
    preprint_count: int = strawberry.field(
        default=0, description="Number of shared preprints in scope (0 unless `sources` includes PREPRINTS)."
    )
    preprints: list[PreprintRef] = maybe_field(
        resolver=_shared_preprints, description="The shared preprints in scope, in arXiv id order."
    )
    paper_ids: strawberry.Private[list[str]]
    preprint_ids: strawberry.Private[list[str]] = strawberry.field(default_factory=list)


@strawberry.type(
    description="A preprint coauthor the linker did not identify as an Anthology person: "
    "a name as printed on arXiv, never a guessed person."
)
class UnlinkedCoauthor:
    name: str = strawberry.field(description="The name as printed on arXiv (one entry per distinct printed name).")
    preprint_count: int = strawberry.field(description="Number of shared preprints in scope printing this name.")
    preprints: list[PreprintRef] = maybe_field(
        resolver=_shared_preprints, description="The shared preprints in scope, in arXiv id order."
    )
    preprint_ids: strawberry.Private[list[str]]


def _paper_count(root: CoauthorConnection, info: Info) -> Maybe[int]:
    if Source.ANTHOLOGY not in root.sources:
        return 0
    return then(
        _person.person_papers(info, root.person.iri, root.scope, root.year),
        len,
    )


@strawberry.type(description="Coauthors ordered by shared papers and preprints (descending), then name.")
class CoauthorConnection:
    person: PersonRef = strawberry.field(description="Whose coauthors these are.")
    total_count: int = strawberry.field(description="Number of distinct coauthors (persons) in scope.")
    edges: list[CoauthorEdge]
    page_info: PageInfoRef
    paper_count: int = maybe_field(
        resolver=_paper_count,
        description="Number of the person's papers in scope (with or without coauthors; "
        "0 when `sources` leaves out ANTHOLOGY).",
    )
    preprint_count: int = strawberry.field(
        default=0,
        description="Number of the person's linked preprints in scope (with or without coauthors; "
        "0 unless `sources` includes PREPRINTS).",
    )
    unlinked_coauthors: list[UnlinkedCoauthor] = strawberry.field(
        default_factory=list,
        description="Preprint coauthors the linker did not identify as a person, by the "
        "name printed on arXiv, most shared preprints first, then name (empty unless `sources` includes "
        "PREPRINTS). Not edges, nor in `totalCount`: a printed name is not a person (one person prints "
        "several names, namesakes share one), so it is listed, never counted as a coauthor.",
    )
    scope: strawberry.Private[tuple[str, str] | None]
    year: strawberry.Private[int | None]
    sources: strawberry.Private[frozenset[Source]] = frozenset(DEFAULT_SOURCES)


class _Shared:
    """What a coauthor shares with the person: papers and preprints (IRIs)."""

    __slots__ = ("name", "papers", "preprints")

    def __init__(self) -> None:
        self.name = ""
        self.papers: set[str] = set()
        self.preprints: set[str] = set()


_ARXIV = iris.preprint_iri("")


def _by_arxiv_id(preprints: set[str]) -> list[str]:
    return sorted(preprints, key=lambda p: sort_key(p.removeprefix(_ARXIV)))


def _collect(
    links: Sequence[CoauthorLink], preprint_rows: Sequence[Row], in_scope: Collection[str] | None
) -> dict[str, _Shared]:
    """The coauthors of the shared papers ``links`` and of ``preprint_rows``
    (``gql-preprint-coauthors``: linked coauthors only), the preprints limited to those published
    as a paper of ``in_scope`` (``None``: all)."""
    shared: dict[str, _Shared] = defaultdict(_Shared)
    for link in links:
        found = shared[link.coauthor]
        found.name = link.name
        found.papers.add(link.paper)
    for row in preprint_rows:
        if "coauthor" in row and _counts(row, in_scope):
            found = shared[row["coauthor"].value]
            found.name = row["name"].value
            found.preprints.add(row["preprint"].value)
    return shared


def _counts(row: Row, in_scope: Collection[str] | None) -> bool:
    """Whether the row's preprint is in scope: always without one, else when it was published as
    one of the papers in scope."""
    return in_scope is None or ("paper" in row and row["paper"].value in in_scope)


def _ordered(shared: dict[str, _Shared]) -> list[tuple[str, _Shared, list[str], list[str]]]:
    ids = {p: strip_iri(p, iris.ANTHOLOGY) for s in shared.values() for p in s.papers}
    order = sorted(shared, key=lambda c: (-(len(shared[c].papers) + len(shared[c].preprints)), shared[c].name, c))
    return [
        (c, shared[c], sorted(shared[c].papers, key=lambda p: sort_key(ids[p])), _by_arxiv_id(shared[c].preprints))
        for c in order
    ]


def _unlinked(preprint_rows: Sequence[Row], in_scope: Collection[str] | None) -> list[UnlinkedCoauthor]:
    names: dict[str, set[str]] = defaultdict(set)
    for row in preprint_rows:
        if "printed" in row and "coauthor" not in row and _counts(row, in_scope):
            names[row["printed"].value].add(row["preprint"].value)
    return [
        UnlinkedCoauthor(name=n, preprint_count=len(names[n]), preprint_ids=_by_arxiv_id(names[n]))
        for n in sorted(names, key=lambda n: (-len(names[n]), n))
    ]


def coauthor_connection(
    info: Info,
    person: _person.Person,
    *,
    event: str | None,
    venue: str | None,
    year: int | None,
    first: int | None,
    after: str | None,
    sources: Sequence[Source] = DEFAULT_SOURCES,
) -> Maybe[CoauthorConnection]:
    """A page of ``person``'s coauthors in scope (``Query.coauthors`` and ``Person.coauthors``)."""
    size = page_size(info, first, ctx(info).settings.max_page_size)
    if not sources:
        raise UserError("'sources' is empty: give ANTHOLOGY, PREPRINTS or both", argument="sources")
    chosen = frozenset(sources)
    return then(
        scope_of(info, venue, event), lambda scope: _coauthor_connection(info, person, scope, year, size, after, chosen)
    )


def _coauthor_connection(
    info: Info,
    person: _person.Person,
    scope: tuple[str, str] | None,
    year: int | None,
    size: int,
    after: str | None,
    sources: frozenset[Source],
) -> Maybe[CoauthorConnection]:
    loaders = ctx(info).loaders
    # every load is asked before any is awaited: they share the request's batches
    links: Maybe[tuple[CoauthorLink, ...]] = ()
    if Source.ANTHOLOGY in sources:
        if scope is None:
            links = loaders.coauthors.get((person.iri, year))
        else:
            kind, iri = scope
            links = loaders.coauthors_at[kind].get((person.iri, iri, year))
    preprint_rows: Maybe[list[Row]] = []
    papers_in_scope: Maybe[tuple[DatedPaper, ...] | None] = None
    if Source.PREPRINTS in sources:
        from .preprint import preprint_coauthor_rows  # preprint imports person, which imports this module

        preprint_rows = preprint_coauthor_rows(info, person.iri)
        if scope is not None or year is not None:
            papers_in_scope = _person.person_papers(info, person.iri, scope, year)

    def connection(
        links: tuple[CoauthorLink, ...], preprint_rows: list[Row], papers: tuple[DatedPaper, ...] | None
    ) -> CoauthorConnection:
        in_scope = None if papers is None else {p.iri for p in papers}
        coauthors = _ordered(_collect(links, preprint_rows, in_scope))
        chunk, has_next, has_previous = page(coauthors, size, after)
        return CoauthorConnection(
            person=person,
            total_count=len(coauthors),
            scope=scope,
            year=year,
            sources=sources,
            edges=[
                CoauthorEdge(
                    cursor=encode_cursor(i),
                    node=_person.Person.named(c, shared.name),
                    count=len(paper_ids),
                    paper_ids=paper_ids,
                    preprint_count=len(preprint_ids),
                    preprint_ids=preprint_ids,
                )
                for i, (c, shared, paper_ids, preprint_ids) in chunk
            ],
            page_info=_connection.page_info(has_next, has_previous, chunk),
            preprint_count=len({r["preprint"].value for r in preprint_rows if _counts(r, in_scope)}),
            unlinked_coauthors=_unlinked(preprint_rows, in_scope),
        )

    return then(
        links,
        lambda links: then(
            preprint_rows,
            lambda preprint_rows: then(papers_in_scope, lambda papers: connection(links, preprint_rows, papers)),
        ),
    )
