"""Persons, and persons found by name."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from ... import iris
from ...services import Row
from ..errors import UserError
from ..maybe import Maybe, then
from ..names import MATCH_KINDS
from ..pagination import encode_cursor, page
from . import coauthors as _coauthors
from . import connection as _connection
from . import venue as _venue
from . import volume as _volume
from .common import bool_of, by_year, int_of, page_size, row_of, scope_of, str_of, value_of
from .context import ctx
from .refs import CoauthorConnectionRef, PageInfoRef, PaperConnectionRef, VenueRef, VolumeRef


@strawberry.type(description="A name written in another script, e.g. 耀东 杨 (language tag zh-hani).")
class ScriptVariant:
    text: str
    language: str | None


def person_papers(info: Info, person: str, scope: tuple[str, str] | None, year: int | None) -> Maybe[list[Row]]:
    """The rows of the person's papers in ``scope`` (``(kind, IRI)`` of an event or venue) and year."""
    loaders = ctx(info).loaders
    if scope is None:
        return loaders.person_papers.get((person, year))
    kind, iri = scope
    return loaders.person_papers_at[kind].get((person, iri, year))


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
        return self.row if self.row is not None else row_of(self, ctx(info).loaders.person)

    def _details(self, info: Info) -> Maybe[list[Row]]:
        return ctx(info).loaders.person_details.get((self.iri,))

    @strawberry.field(description="Canonical name.")
    def name(self, info: Info) -> str:
        if self.label is not None:
            return self.label
        return then(self._row(info), lambda row: str_of(row, "label") or "")

    @strawberry.field(description="Every name the person published under, canonical first.")
    def names(self, info: Info) -> list[str]:
        def names(rows: list[Row]) -> list[str]:
            found = {(not bool_of(r, "canonical"), r["fullName"].value) for r in rows if "fullName" in r}
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
        return then(value_of(self._row(info), "orcid"),
                    lambda value: value.removeprefix("https://orcid.org/") if value else None)

    @strawberry.field(description="True for persons listed in the Anthology's people metadata.")
    def verified(self, info: Info) -> bool:
        return then(value_of(self._row(info), "verified", bool_of), bool)

    @strawberry.field(description="Disambiguating comment of the people metadata.")
    def comment(self, info: Info) -> str | None:
        return value_of(self._row(info), "comment")

    @strawberry.field(description="Persons with a similar name (possible confusions).")
    def similar(self, info: Info) -> list[Person]:
        return then(self._details(info),
                    lambda rows: [Person(iri=i) for i in sorted({r["similar"].value for r in rows if "similar" in r})])

    @strawberry.field(description="Papers, newest first, optionally within a year, a venue or an event.")
    def papers(
        self, info: Info, year: int | None = None, venue: strawberry.ID | None = None,
        event: strawberry.ID | None = None, first: int | None = None, after: str | None = None,
    ) -> PaperConnectionRef:
        size = page_size(info, first)
        return then(scope_of(info, venue, event), lambda scope: then(
            person_papers(info, self.iri, scope, year),
            lambda rows: _connection.paper_connection(_connection.sorted_papers(rows, newest_first=True), size, after)))

    @strawberry.field(description="Coauthors with shared-paper counts, optionally within an event "
                      "(e.g. acl-2025: main conference, Findings, colocated workshops), a venue "
                      "(e.g. acl: main conference only) and a year.")
    def coauthors(
        self, info: Info, event: strawberry.ID | None = None, venue: strawberry.ID | None = None,
        year: int | None = None, first: int | None = None, after: str | None = None,
    ) -> CoauthorConnectionRef:
        return _coauthors.coauthor_connection(info, self, event=event, venue=venue, year=year, first=first,
                                             after=after)

    @strawberry.field(description="Venues the person published at, most papers first.")
    def venues(self, info: Info) -> list[VenueCount]:
        def venues(rows: list[Row]) -> list[VenueCount]:
            counts = sorted(((-(int_of(r, "papers") or 0), r["venue"].value) for r in rows))
            return [VenueCount(venue=_venue.Venue(iri=v), count=-c) for c, v in counts]

        return then(ctx(info).loaders.person_venues.get((self.iri,)), venues)

    @strawberry.field(description="Volumes the person edited, newest first.")
    def editor_of(self, info: Info) -> list[VolumeRef]:
        return then(ctx(info).loaders.person_editor_of.get((self.iri,)),
                    lambda rows: [_volume.Volume(iri=v) for v in by_year(rows, "volume")])


@strawberry.type(description="A venue and the number of the person's papers there.")
class VenueCount:
    venue: VenueRef
    count: int


@strawberry.type(description="A person and a number of papers.")
class AuthorCount:
    person: Person
    count: int


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
    page_info: PageInfoRef


def person_match_connection(matches: list, first: int, after: str | None) -> PersonMatchConnection:
    """A page of name-index matches (:meth:`~bibkg.graphql.names.NameIndex.search`)."""
    chunk, has_next, has_previous = page(matches, first, after)
    return PersonMatchConnection(
        total_count=len(matches),
        edges=[
            PersonMatch(cursor=encode_cursor(i), node=Person(iri=m.person, label=m.label),
                        matched_name=m.matched_name, match=MATCH_KINDS[m.rank])
            for i, m in chunk
        ],
        page_info=_connection.page_info(has_next, has_previous, chunk),
    )


async def resolve_person_name(info: Info, name: str) -> str:
    """The one person best matching ``name``; an error listing the candidates otherwise."""
    if not name.strip():
        raise UserError("'name' is empty")
    matches = (await ctx(info).name_index()).search(name)
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
