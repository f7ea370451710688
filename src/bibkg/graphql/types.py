"""The GraphQL types and their resolvers.

Objects carry their IRI plus what the query that found them already returned (a person's name,
an entity's row); every other field is loaded through the request's loaders, so a nested request
issues one store query per kind of field and combination of arguments, not one per object.

Field resolvers below the root are synchronous and return a :data:`~bibkg.graphql.maybe.Maybe`:
the value when its rows are known (passed in, loaded earlier in the request, or in the
cross-request row cache), else an awaitable of it (the loader's). Their annotations name the
GraphQL type of the value, which is what strawberry reads.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import cached_property, lru_cache
from typing import Any

import pyoxigraph as ox
import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.fastapi import BaseContext
from strawberry.types import Info

from .. import iris
from ..services import Row, Services
from ..sparql.catalog import Parameter, ParameterError
from .batch import result_cache_for
from .bibtex import paper_bibtex
from .errors import UserError
from .loaders import Loader, Loaders
from .maybe import Maybe, then
from .names import MATCH_KINDS, NameIndex, name_index_for
from .pagination import check_first, encode_cursor, page
from .settings import GraphQLSettings
from .titles import TitleIndex, title_index_for


class GQLContext(BaseContext):
    """What resolvers get as ``info.context``: the services, the settings, this request's loaders."""

    def __init__(self, services: Services, settings: GraphQLSettings) -> None:
        super().__init__()
        self.services = services
        self.settings = settings

    @cached_property
    def loaders(self) -> Loaders:
        """This request's loaders, made when a resolver first needs them (a request answered
        from the response cache never does)."""
        return Loaders(self.services.runner, result_cache_for(self.services.store, self.settings.cache_entries,
                                                              self.settings.cache_mb * 2**20))

    async def name_index(self) -> NameIndex:
        index = name_index_for(self.services.store)
        if not index.built:
            await run_in_threadpool(index.ensure_built, self.services.runner)
        return index

    async def title_index(self) -> TitleIndex:
        index = title_index_for(self.services.store)
        if not index.built:
            await run_in_threadpool(index.ensure_built, self.services.runner)
        return index


def _ctx(info: Info) -> GQLContext:
    return info.context


# --- small helpers ---------------------------------------------------------------------------------
_DIGITS = re.compile(r"(\d+)")


@lru_cache(maxsize=1 << 15)
def natural_key(text: str) -> tuple[Any, ...]:
    """``2025.acl-long.388`` sorts before ``2025.acl-long.1141``.

    Cached: paper lists are sorted on every request, and their ids recur."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(text))


def _str(row: Row | None, key: str) -> str | None:
    if row is None or key not in row:
        return None
    return row[key].value


def _int(row: Row | None, key: str) -> int | None:
    value = _str(row, key)
    try:
        return None if value is None else int(value)
    except ValueError:
        return None


def _bool(row: Row | None, key: str) -> bool | None:
    value = _str(row, key)
    return None if value is None else value in ("true", "1")


def _first(rows: Sequence[Row]) -> Row | None:
    return rows[0] if rows else None


def _strip(iri: str, prefix: str) -> str:
    return iri[len(prefix) : -1] if iri.startswith(prefix) and iri.endswith("/") else iri


def entity_iri(kind: str, value: str) -> str:
    """The IRI of an entity given by Anthology id or IRI; a clear error for malformed ids."""
    try:
        term = Parameter(name=kind, type=kind).to_term(str(value))
    except (ParameterError, ValueError) as exc:
        raise UserError(f"'{value}' is not a valid {kind} id ({exc})") from None
    return term.value


def existing_iri(info: Info, kind: str, value: str, argument: str | None = None) -> Maybe[str]:
    """The IRI of the ``kind`` (person, paper, volume, venue, event, sig) an argument names by
    Anthology id or IRI, once the graph is known to have it; else a ``NOT_FOUND`` error naming
    the argument.

    Every filter argument that names an entity goes through here, so that a typo
    (``event: "acl-2052"``) is an error instead of an empty list.  The check is the entity's own
    loader (``gql-events`` …): batched and cached per request like any field, so a list of
    persons filtered by one event costs one query, and the entity's fields reuse its row."""
    argument = argument or kind
    iri = entity_iri(kind, value)

    def exists(rows: list[Row]) -> str:
        if not rows:
            raise UserError(f"no {kind} with id '{value}' (argument '{argument}')",
                            code="NOT_FOUND", argument=argument)
        return iri

    return then(getattr(_ctx(info).loaders, kind).get((iri,)), exists)


def _scope(info: Info, venue: str | None, event: str | None) -> Maybe[tuple[str, str] | None]:
    """The event or venue a list is filtered by, checked to exist (:func:`existing_iri`)."""
    if venue and event:
        raise UserError("give either 'event' (e.g. acl-2025: main conference, Findings and colocated "
                        "workshops) or 'venue' (e.g. acl with year 2025: main conference only), not both")
    if event:
        return then(existing_iri(info, "event", event), lambda iri: ("event", iri))
    if venue:
        return then(existing_iri(info, "venue", venue), lambda iri: ("venue", iri))
    return None


def _page_size(info: Info, first: int | None, default: int | None = None) -> int:
    settings = _ctx(info).settings
    return check_first(first, settings.default_page_size if default is None else default, settings.max_page_size)


def _page_info(has_next: bool, has_previous: bool, chunk: list[tuple[int, Any]]) -> PageInfo:
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=has_previous,
        start_cursor=encode_cursor(chunk[0][0]) if chunk else None,
        end_cursor=encode_cursor(chunk[-1][0]) if chunk else None,
    )


def paper_connection(papers: list[tuple[str, str]], first: int, after: str | None) -> PaperConnection:
    """``papers``: ordered ``(iri, anthology id)`` pairs."""
    chunk, has_next, has_previous = page(papers, first, after)
    return PaperConnection(
        total_count=len(papers),
        edges=[PaperEdge(cursor=encode_cursor(i), node=Paper(iri=iri)) for i, (iri, _id) in chunk],
        page_info=_page_info(has_next, has_previous, chunk),
    )


def _sorted_papers(rows: Sequence[Row], *, newest_first: bool) -> list[tuple[str, str]]:
    seen: dict[str, tuple[int, str]] = {}
    for row in rows:
        seen.setdefault(row["paper"].value, (_int(row, "year") or 0, row["id"].value))
    sign = -1 if newest_first else 1
    ordered = sorted(seen.items(), key=lambda kv: (sign * kv[1][0], natural_key(kv[1][1])))
    return [(iri, ident) for iri, (_year, ident) in ordered]


# --- pagination types ------------------------------------------------------------------------------
@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class PaperEdge:
    cursor: str
    node: Paper


@strawberry.type(description="A page of papers; `totalCount` counts all pages.")
class PaperConnection:
    total_count: int
    edges: list[PaperEdge]
    page_info: PageInfo


@strawberry.type(description="A person found by name, with the name that matched.")
class PersonMatch:
    cursor: str
    node: Person
    matched_name: str = strawberry.field(description="The name (or script variant) that matched.")
    match: str = strawberry.field(
        description="How it matched, best first: EXACT, NORMALIZED (case, diacritics, punctuation, "
        "name order), REORDERED (same words), INITIALS."
    )


@strawberry.type(description="Persons matching a name, best match first.")
class PersonMatchConnection:
    total_count: int
    edges: list[PersonMatch]
    page_info: PageInfo


@strawberry.type(description="A coauthor and the papers shared with the person.")
class CoauthorEdge:
    cursor: str
    node: Person
    count: int = strawberry.field(description="Number of shared papers in scope.")
    paper_ids: strawberry.Private[list[str]]

    @strawberry.field(description="The shared papers in scope, in Anthology id order.")
    def papers(self) -> list[Paper]:
        return [Paper(iri=iri) for iri in self.paper_ids]


@strawberry.type(description="Coauthors ordered by shared papers (descending), then name.")
class CoauthorConnection:
    person: Person = strawberry.field(description="Whose coauthors these are.")
    total_count: int = strawberry.field(description="Number of distinct coauthors in scope.")
    edges: list[CoauthorEdge]
    page_info: PageInfo
    scope: strawberry.Private[tuple[str, str] | None]
    year: strawberry.Private[int | None]

    @strawberry.field(description="Number of the person's papers in scope (with or without coauthors).")
    def paper_count(self, info: Info) -> int:
        return then(_person_papers(info, self.person.iri, self.scope, self.year),
                    lambda rows: len({r["paper"].value for r in rows}))


def _person_papers(info: Info, person: str, scope: tuple[str, str] | None, year: int | None) -> Maybe[list[Row]]:
    loaders = _ctx(info).loaders
    if scope is None:
        return loaders.person_papers.get((person, year))
    kind, iri = scope
    return loaders.person_papers_at[kind].get((person, iri, year))


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
        ids[paper] = _strip(paper, iris.ANTHOLOGY)
    ordered = sorted(papers, key=lambda c: (-len(papers[c]), names[c], c))
    return [(c, names[c], sorted(papers[c], key=lambda p: natural_key(ids[p]))) for c in ordered]


def coauthor_connection(
    info: Info, person: Person, *, event: str | None, venue: str | None, year: int | None,
    first: int | None, after: str | None,
) -> Maybe[CoauthorConnection]:
    loaders = _ctx(info).loaders
    size = _page_size(info, first, _ctx(info).settings.max_page_size)
    return then(_scope(info, venue, event), lambda scope: _coauthor_connection(loaders, person, scope, year, size, after))


def _coauthor_connection(
    loaders: Loaders, person: Person, scope: tuple[str, str] | None, year: int | None, size: int, after: str | None,
) -> Maybe[CoauthorConnection]:
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
                CoauthorEdge(cursor=encode_cursor(i), node=Person(iri=c, label=name), count=len(p), paper_ids=p)
                for i, (c, name, p) in chunk
            ],
            page_info=_page_info(has_next, has_previous, chunk),
        )

    return then(rows, connection)


async def resolve_person_name(info: Info, name: str) -> str:
    """The one person best matching ``name``; an error listing the candidates otherwise."""
    if not name.strip():
        raise UserError("'name' is empty")
    matches = (await _ctx(info).name_index()).search(name)
    if not matches:
        raise UserError(f"no person has published under the name '{name}'", code="NOT_FOUND")
    best = [m for m in matches if m.rank == matches[0].rank]
    if len(best) > 1:
        candidates = [{"id": m.person_id, "name": m.label, "matchedName": m.matched_name} for m in best[:20]]
        listing = "; ".join(f"{c['id']} ({c['name']})" for c in candidates)
        raise UserError(
            f"the name '{name}' is ambiguous: {len(best)} persons match ({listing}); "
            "ask again with person: <id>",
            code="AMBIGUOUS_NAME",
            candidates=candidates,
        )
    return best[0].person


# --- entities --------------------------------------------------------------------------------------
@strawberry.type(description="A name written in another script, e.g. 耀东 杨 (language tag zh-hani).")
class ScriptVariant:
    text: str
    language: str | None


def _row_of(entity: Person | Paper | Volume | Venue | Event | SIG, loader: Loader) -> Maybe[Row | None]:
    """The first row ``loader`` has for the entity's IRI, kept as the entity's ``row`` (an object
    lives for one request), so that its other fields need not ask the loader again.

    The ``_row`` methods call this only when ``row`` is not known yet: passed in by the resolver
    that created the object, or kept by an earlier field."""
    def keep(rows: list[Row]) -> Row | None:
        row = entity.row = _first(rows)
        return row

    return then(loader.get((entity.iri,)), keep)


def _value(row: Maybe[Row | None], key: str, convert: Callable[[Row | None, str], Any] = _str) -> Maybe[Any]:
    """``convert(row, key)`` (by default the lexical value of ``?key``) once the row is known."""
    return then(row, lambda r: convert(r, key))


def _links(rows: Maybe[list[Row]], kind: str) -> Maybe[list[str]]:
    """The targets of the ``kind`` links (``gql-paper-links``/``gql-volume-links`` rows), sorted."""
    return then(rows, lambda rows: sorted({r["target"].value for r in rows if _str(r, "kind") == kind}))


def _doi(value: str | None) -> str | None:
    return value.removeprefix("https://doi.org/") if value else None


def _by_year(rows: list[Row], key: str) -> list[str]:
    """The IRIs of ``?key`` newest first (``?year``), then by Anthology id (``?id``)."""
    found = {r[key].value: (_int(r, "year") or 0, r["id"].value) for r in rows}
    ordered = sorted(found.items(), key=lambda kv: (-kv[1][0], natural_key(kv[1][1])))
    return [iri for iri, _ in ordered]


@strawberry.type(description="A person: verified (listed in the Anthology's people metadata) or "
                 "inferred from the names printed on papers (id `unverified/{slug}`).")
class Person:
    iri: str = strawberry.field(description="The person's Anthology IRI.")
    label: strawberry.Private[str | None] = None
    row: strawberry.Private[Row | None] = None

    @strawberry.field(description="Anthology person id, e.g. `yaodong-yang` or `unverified/jiaming-ji`.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(iris.person_id_from_iri(self.iri) or self.iri)

    def _row(self, info: Info) -> Maybe[Row | None]:
        return self.row if self.row is not None else _row_of(self, _ctx(info).loaders.person)

    def _details(self, info: Info) -> Maybe[list[Row]]:
        return _ctx(info).loaders.person_details.get((self.iri,))

    @strawberry.field(description="Canonical name.")
    def name(self, info: Info) -> str:
        if self.label is not None:
            return self.label
        return then(self._row(info), lambda row: _str(row, "label") or "")

    @strawberry.field(description="Every name the person published under, canonical first.")
    def names(self, info: Info) -> list[str]:
        def names(rows: list[Row]) -> list[str]:
            found = {(not _bool(r, "canonical"), r["fullName"].value) for r in rows if "fullName" in r}
            return [n for _c, n in sorted(found)]

        return then(self._details(info), names)

    @strawberry.field(description="The person's name in other scripts.")
    def script_variants(self, info: Info) -> list[ScriptVariant]:
        def variants(rows: list[Row]) -> list[ScriptVariant]:
            seen = {}
            for r in rows:
                if "variant" in r:
                    term = r["variant"]
                    seen[term.value] = getattr(term, "language", None)
            return [ScriptVariant(text=t, language=lang) for t, lang in sorted(seen.items())]

        return then(self._details(info), variants)

    @strawberry.field(description="ORCID iD, e.g. 0000-0002-1825-0097.")
    def orcid(self, info: Info) -> str | None:
        return then(_value(self._row(info), "orcid"),
                    lambda value: value.removeprefix("https://orcid.org/") if value else None)

    @strawberry.field(description="True for persons listed in the Anthology's people metadata.")
    def verified(self, info: Info) -> bool:
        return then(_value(self._row(info), "verified", _bool), bool)

    @strawberry.field(description="Disambiguating comment of the people metadata.")
    def comment(self, info: Info) -> str | None:
        return _value(self._row(info), "comment")

    @strawberry.field(description="Persons with a similar name (possible confusions).")
    def similar(self, info: Info) -> list[Person]:
        return then(self._details(info),
                    lambda rows: [Person(iri=i) for i in sorted({r["similar"].value for r in rows if "similar" in r})])

    @strawberry.field(description="Papers, newest first, optionally within a year, a venue or an event.")
    def papers(
        self, info: Info, year: int | None = None, venue: strawberry.ID | None = None,
        event: strawberry.ID | None = None, first: int | None = None, after: str | None = None,
    ) -> PaperConnection:
        size = _page_size(info, first)
        return then(_scope(info, venue, event), lambda scope: then(
            _person_papers(info, self.iri, scope, year),
            lambda rows: paper_connection(_sorted_papers(rows, newest_first=True), size, after)))

    @strawberry.field(description="Coauthors with shared-paper counts, optionally within an event "
                      "(e.g. acl-2025: main conference, Findings, colocated workshops), a venue "
                      "(e.g. acl: main conference only) and a year.")
    def coauthors(
        self, info: Info, event: strawberry.ID | None = None, venue: strawberry.ID | None = None,
        year: int | None = None, first: int | None = None, after: str | None = None,
    ) -> CoauthorConnection:
        return coauthor_connection(info, self, event=event, venue=venue, year=year, first=first, after=after)

    @strawberry.field(description="Venues the person published at, most papers first.")
    def venues(self, info: Info) -> list[VenueCount]:
        def venues(rows: list[Row]) -> list[VenueCount]:
            counts = sorted(((-(_int(r, "papers") or 0), r["venue"].value) for r in rows))
            return [VenueCount(venue=Venue(iri=v), count=-c) for c, v in counts]

        return then(_ctx(info).loaders.person_venues.get((self.iri,)), venues)

    @strawberry.field(description="Volumes the person edited, newest first.")
    def editor_of(self, info: Info) -> list[Volume]:
        return then(_ctx(info).loaders.person_editor_of.get((self.iri,)),
                    lambda rows: [Volume(iri=v) for v in _by_year(rows, "volume")])


@strawberry.type(description="A venue and the number of the person's papers there.")
class VenueCount:
    venue: Venue
    count: int


@strawberry.type(description="A person and a number of papers.")
class AuthorCount:
    person: Person
    count: int


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
    def person(self) -> Person:
        return Person(iri=self.person_iri)


def _contributors(rows: Sequence[Row], role: str) -> list[Contributor]:
    by_position: dict[int, Contributor] = {}
    for r in rows:
        if _str(r, "role") != role:
            continue
        position = _int(r, "position") or 0
        item = by_position.get(position)
        if item is None:
            given, family = _str(r, "givenName"), _str(r, "familyName")
            printed = _str(r, "fullName") or " ".join(p for p in (given, family) if p)
            item = by_position[position] = Contributor(
                position=position, printed_name=printed, given_name=given, family_name=family,
                affiliation=_str(r, "affiliation"), script_variants=[], person_iri=r["person"].value,
            )
        variant = _str(r, "variant")
        if variant and variant not in item.script_variants:
            item.script_variants.append(variant)
    return [by_position[p] for p in sorted(by_position)]


@strawberry.type(description="A paper (an item with its own Anthology id; front matter excluded).")
class Paper:
    iri: str = strawberry.field(description="The paper's Anthology IRI (its landing page).")
    row: strawberry.Private[Row | None] = None

    @strawberry.field(description="Anthology id, e.g. 2025.acl-long.1141.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(_strip(self.iri, iris.ANTHOLOGY))

    def _row(self, info: Info) -> Maybe[Row | None]:
        return self.row if self.row is not None else _row_of(self, _ctx(info).loaders.paper)

    def _links(self, info: Info, kind: str) -> Maybe[list[str]]:
        return _links(_ctx(info).loaders.paper_links.get((self.iri,)), kind)

    @strawberry.field(description="Title, plain text.")
    def title(self, info: Info) -> str | None:
        return _value(self._row(info), "title")

    @strawberry.field(description="Abstract, plain text.")
    def abstract(self, info: Info) -> str | None:
        return _value(self._row(info), "abstract")

    @strawberry.field
    def year(self, info: Info) -> int | None:
        return _value(self._row(info), "year", _int)

    @strawberry.field(description="Month of the volume, as printed.")
    def month(self, info: Info) -> str | None:
        return _value(self._row(info), "month")

    @strawberry.field(description="Pages as printed, e.g. 23411-23432.")
    def pages(self, info: Info) -> str | None:
        return _value(self._row(info), "pages")

    @strawberry.field(description="DOI, e.g. 10.18653/v1/2025.acl-long.1141.")
    def doi(self, info: Info) -> str | None:
        return then(_value(self._row(info), "doi"), _doi)

    @strawberry.field(description="Landing page.")
    def url(self, info: Info) -> str:
        return then(_value(self._row(info), "url"), lambda url: url or self.iri)

    @strawberry.field(description="PDF URL.")
    def pdf(self, info: Info) -> str | None:
        return _value(self._row(info), "pdf")

    @strawberry.field(description="The Anthology's BibTeX key.")
    def bibkey(self, info: Info) -> str | None:
        return _value(self._row(info), "bibkey")

    @strawberry.field(description="Authors in printed order.")
    def authors(self, info: Info) -> list[Contributor]:
        return then(_ctx(info).loaders.contributions.get((self.iri,)), lambda rows: _contributors(rows, "author"))

    @strawberry.field(description="Editors of the paper, else of its volume.")
    def editors(self, info: Info) -> list[Contributor]:
        contributions = _ctx(info).loaders.contributions

        def volume_editors(volume: str | None) -> Maybe[list[Contributor]]:
            if volume is None:
                return []
            return then(contributions.get((volume,)), lambda rows: _contributors(rows, "editor"))

        def editors(rows: list[Row]) -> Maybe[list[Contributor]]:
            return _contributors(rows, "editor") or then(_value(self._row(info), "volume"), volume_editors)

        return then(contributions.get((self.iri,)), editors)

    @strawberry.field
    def volume(self, info: Info) -> Volume | None:
        return then(_value(self._row(info), "volume"), lambda volume: Volume(iri=volume) if volume else None)

    @strawberry.field(description="Venues (e.g. acl; Findings papers: findings).")
    def venues(self, info: Info) -> list[Venue]:
        return then(self._links(info, "venue"), lambda found: [Venue(iri=i) for i in found])

    @strawberry.field(description="Events (e.g. findings-2025 and acl-2025 for ACL 2025 Findings).")
    def events(self, info: Info) -> list[Event]:
        return then(self._links(info, "event"), lambda found: [Event(iri=i) for i in found])

    @strawberry.field(description="Special interest groups.")
    def sigs(self, info: Info) -> list[SIG]:
        return then(self._links(info, "sig"), lambda found: [SIG(iri=i) for i in found])

    @strawberry.field(description="Awards, as named by the Anthology.")
    def awards(self, info: Info) -> list[str]:
        return self._links(info, "award")

    @strawberry.field(description="A BibTeX entry for the paper.")
    async def bibtex(self, info: Info) -> str:
        return await paper_bibtex(_ctx(info).services, self.iri)


@strawberry.type(description="A volume: proceedings or a journal issue.")
class Volume:
    iri: str
    row: strawberry.Private[Row | None] = None

    @strawberry.field(description="Anthology volume id, e.g. 2025.acl-long.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(_strip(self.iri, iris.ANTHOLOGY + "volumes/"))

    def _row(self, info: Info) -> Maybe[Row | None]:
        return self.row if self.row is not None else _row_of(self, _ctx(info).loaders.volume)

    def _links(self, info: Info, kind: str) -> Maybe[list[str]]:
        return _links(_ctx(info).loaders.volume_links.get((self.iri,)), kind)

    @strawberry.field(description="Booktitle, plain text.")
    def title(self, info: Info) -> str | None:
        return _value(self._row(info), "title")

    @strawberry.field
    def year(self, info: Info) -> int | None:
        return _value(self._row(info), "year", _int)

    @strawberry.field
    def month(self, info: Info) -> str | None:
        return _value(self._row(info), "month")

    @strawberry.field
    def address(self, info: Info) -> str | None:
        return _value(self._row(info), "address")

    @strawberry.field
    def publisher(self, info: Info) -> str | None:
        return _value(self._row(info), "publisher")

    @strawberry.field(description="proceedings or journal.")
    def volume_type(self, info: Info) -> str | None:
        return _value(self._row(info), "volumeType")

    @strawberry.field
    def pdf(self, info: Info) -> str | None:
        return _value(self._row(info), "pdf")

    @strawberry.field
    def doi(self, info: Info) -> str | None:
        return then(_value(self._row(info), "doi"), _doi)

    @strawberry.field(description="Editors in printed order.")
    def editors(self, info: Info) -> list[Contributor]:
        return then(_ctx(info).loaders.contributions.get((self.iri,)), lambda rows: _contributors(rows, "editor"))

    @strawberry.field
    def venues(self, info: Info) -> list[Venue]:
        return then(self._links(info, "venue"), lambda found: [Venue(iri=i) for i in found])

    @strawberry.field
    def events(self, info: Info) -> list[Event]:
        return then(self._links(info, "event"), lambda found: [Event(iri=i) for i in found])

    @strawberry.field
    def sigs(self, info: Info) -> list[SIG]:
        return then(self._links(info, "sig"), lambda found: [SIG(iri=i) for i in found])

    @strawberry.field(description="Papers in Anthology id order.")
    def papers(self, info: Info, first: int | None = None, after: str | None = None) -> PaperConnection:
        size = _page_size(info, first)
        return then(_ctx(info).loaders.papers_of["volume"].get((self.iri, None)),
                    lambda rows: paper_connection(_sorted_papers(rows, newest_first=False), size, after))


def _volumes_of(info: Info, kind: str, scope: str, year: int | None) -> Maybe[list[Volume]]:
    return then(_ctx(info).loaders.volumes_of[kind].get((scope, year)),
                lambda rows: [Volume(iri=v) for v in _by_year(rows, "volume")])


def _top_authors(info: Info, kind: str, scope: str, year: int | None, first: int | None) -> Maybe[list[AuthorCount]]:
    size = _page_size(info, first, 10)

    def top(rows: list[Row]) -> list[AuthorCount]:
        counts: dict[str, int] = defaultdict(int)
        names: dict[str, str] = {}
        for r in rows:
            person = r["person"].value
            counts[person] += _int(r, "papers") or 0
            names[person] = r["name"].value
        ordered = sorted(counts, key=lambda p: (-counts[p], names[p], p))[:size]
        return [AuthorCount(person=Person(iri=p, label=names[p]), count=counts[p]) for p in ordered]

    return then(_ctx(info).loaders.top_authors_of[kind].get((scope, year)), top)


@strawberry.type(description="A publication venue, e.g. acl (the main conference) or findings.")
class Venue:
    iri: str
    row: strawberry.Private[Row | None] = None

    @strawberry.field(description="Anthology venue id, e.g. acl.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(_strip(self.iri, iris.ANTHOLOGY + "venues/"))

    def _row(self, info: Info) -> Maybe[Row | None]:
        return self.row if self.row is not None else _row_of(self, _ctx(info).loaders.venue)

    @strawberry.field
    def acronym(self, info: Info) -> str | None:
        return _value(self._row(info), "acronym")

    @strawberry.field
    def name(self, info: Info) -> str | None:
        return _value(self._row(info), "name")

    @strawberry.field(description="Whether the ACL is the venue's organiser.")
    def is_acl(self, info: Info) -> bool | None:
        return _value(self._row(info), "isAcl", _bool)

    @strawberry.field
    def is_toplevel(self, info: Info) -> bool | None:
        return _value(self._row(info), "isToplevel", _bool)

    @strawberry.field(description="Volumes, newest first.")
    def volumes(self, info: Info, year: int | None = None) -> list[Volume]:
        return _volumes_of(info, "venue", self.iri, year)

    @strawberry.field(description="Papers, newest first.")
    def papers(self, info: Info, year: int | None = None, first: int | None = None,
               after: str | None = None) -> PaperConnection:
        size = _page_size(info, first)
        return then(_ctx(info).loaders.papers_of["venue"].get((self.iri, year)),
                    lambda rows: paper_connection(_sorted_papers(rows, newest_first=True), size, after))

    @strawberry.field(description="Authors with most papers at the venue (in the year).")
    def top_authors(self, info: Info, year: int | None = None, first: int | None = None) -> list[AuthorCount]:
        return _top_authors(info, "venue", self.iri, year, first)


@strawberry.type(description="An event: acl-2025 holds the main conference, Findings and colocated "
                 "workshops; implicit events {venue}-{year} hold one venue's volumes of a year.")
class Event:
    iri: str
    row: strawberry.Private[Row | None] = None

    @strawberry.field(description="Anthology event id, e.g. acl-2025.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(_strip(self.iri, iris.ANTHOLOGY + "events/"))

    def _row(self, info: Info) -> Maybe[Row | None]:
        return self.row if self.row is not None else _row_of(self, _ctx(info).loaders.event)

    @strawberry.field(description="Short label, e.g. ACL 2025.")
    def label(self, info: Info) -> str | None:
        return _value(self._row(info), "label")

    @strawberry.field
    def name(self, info: Info) -> str | None:
        return _value(self._row(info), "name")

    @strawberry.field
    def year(self, info: Info) -> int | None:
        return _value(self._row(info), "year", _int)

    @strawberry.field(description="True if declared by an <event> element of the Anthology.")
    def explicit(self, info: Info) -> bool | None:
        return _value(self._row(info), "explicit", _bool)

    @strawberry.field
    def location(self, info: Info) -> str | None:
        return _value(self._row(info), "location")

    @strawberry.field
    def dates(self, info: Info) -> str | None:
        return _value(self._row(info), "dates")

    @strawberry.field
    def venue(self, info: Info) -> Venue | None:
        return then(_value(self._row(info), "venue"), lambda venue: Venue(iri=venue) if venue else None)

    @strawberry.field(description="Volumes of the event, colocated ones included.")
    def volumes(self, info: Info) -> list[Volume]:
        return _volumes_of(info, "event", self.iri, None)

    @strawberry.field(description="Papers in Anthology id order.")
    def papers(self, info: Info, first: int | None = None, after: str | None = None) -> PaperConnection:
        size = _page_size(info, first)
        return then(_ctx(info).loaders.papers_of["event"].get((self.iri, None)),
                    lambda rows: paper_connection(_sorted_papers(rows, newest_first=False), size, after))

    @strawberry.field(description="Authors with most papers at the event.")
    def top_authors(self, info: Info, first: int | None = None) -> list[AuthorCount]:
        return _top_authors(info, "event", self.iri, None, first)


@strawberry.type(name="SIG", description="A special interest group of the ACL.")
class SIG:
    iri: str
    row: strawberry.Private[Row | None] = None

    @strawberry.field(description="Anthology SIG id, e.g. sigdat.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(_strip(self.iri, iris.ANTHOLOGY + "sigs/"))

    def _row(self, info: Info) -> Maybe[Row | None]:
        return self.row if self.row is not None else _row_of(self, _ctx(info).loaders.sig)

    @strawberry.field
    def acronym(self, info: Info) -> str | None:
        return _value(self._row(info), "acronym")

    @strawberry.field
    def name(self, info: Info) -> str | None:
        return _value(self._row(info), "name")

    @strawberry.field
    def homepage(self, info: Info) -> str | None:
        return _value(self._row(info), "homepage")

    @strawberry.field(description="Volumes of the SIG, newest first.")
    def volumes(self, info: Info, year: int | None = None) -> list[Volume]:
        return _volumes_of(info, "sig", self.iri, year)


def person_match_connection(matches: list, first: int, after: str | None) -> PersonMatchConnection:
    chunk, has_next, has_previous = page(matches, first, after)
    return PersonMatchConnection(
        total_count=len(matches),
        edges=[
            PersonMatch(cursor=encode_cursor(i), node=Person(iri=m.person, label=m.label),
                        matched_name=m.matched_name, match=MATCH_KINDS[m.rank])
            for i, m in chunk
        ],
        page_info=_page_info(has_next, has_previous, chunk),
    )


__all__ = [
    "GQLContext", "Paper", "Person", "Volume", "Venue", "Event", "SIG", "ox",
]
