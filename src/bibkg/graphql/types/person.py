"""Persons, and persons found by name."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from strawberry.types import Info

from ... import iris
from ...read.records import DatedPaper, PersonFacts, PersonNames
from ...read.runner import Row
from ..errors import UserError
from ..maybe import Maybe, then
from ..names import MATCH_KINDS
from ..pagination import encode_cursor, page
from . import coauthors as _coauthors
from . import connection as _connection
from . import venue as _venue
from . import volume as _volume
from .common import by_year, int_of, maybe_field, page_size, scope_of, values_of
from .context import ctx
from .refs import CoauthorConnectionRef, PageInfoRef, PaperConnectionRef, PreprintRef, VenueRef, VolumeRef
from .sources import DEFAULT_SOURCES, SourcesArgument


@strawberry.type(description="A name written in another script, e.g. 耀东 杨 (language tag zh-hani).")
class ScriptVariant:
    text: str
    language: str | None


def person_papers(
    info: Info, person: str, scope: tuple[str, str] | None, year: int | None
) -> Maybe[tuple[DatedPaper, ...]]:
    """The person's papers in ``scope`` (``(kind, IRI)`` of an event or venue) and year."""
    loaders = ctx(info).loaders
    if scope is None:
        return loaders.person_papers.get((person, year))
    kind, iri = scope
    return loaders.person_papers_at[kind].get((person, iri, year))


def _details(info: Info, person: Person) -> Maybe[PersonNames]:
    return ctx(info).loaders.person_details.get((person.iri,))


def _names(root: Person, info: Info) -> Maybe[list[str]]:
    return then(_details(info, root), lambda details: list(details.names))


def _script_variants(root: Person, info: Info) -> Maybe[list[ScriptVariant]]:
    return then(
        _details(info, root),
        lambda details: [ScriptVariant(text=text, language=lang) for text, lang in details.script_variants],
    )


def _facts(root: Person, info: Info) -> Maybe[PersonFacts | None]:
    """The person's facts: kept by the object when it was made from them, else loaded (a person
    found with its name — a coauthor, a top author, a name match — has none yet)."""
    if root.facts is not None:
        return root.facts
    return ctx(info).loaders.person.get((root.iri,))


def _orcid(root: Person, info: Info) -> Maybe[str | None]:
    return then(
        _facts(root, info),
        lambda facts: facts.orcid.removeprefix("https://orcid.org/") if facts and facts.orcid else None,
    )


def _verified(root: Person, info: Info) -> Maybe[bool]:
    return then(_facts(root, info), lambda facts: facts is not None and facts.verified)


def _comment(root: Person, info: Info) -> Maybe[str | None]:
    return then(_facts(root, info), lambda facts: facts.comment if facts else None)


def _similar(root: Person, info: Info) -> Maybe[list[Person]]:
    return then(_details(info, root), lambda details: load_persons(info, list(details.similar)))


def _papers(
    root: Person,
    info: Info,
    year: int | None = None,
    venue: strawberry.ID | None = None,
    event: strawberry.ID | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Maybe[_connection.PaperConnection]:
    size = page_size(info, first)
    return then(
        scope_of(info, venue, event),
        lambda scope: then(
            person_papers(info, root.iri, scope, year),
            lambda found: _connection.paper_connection(
                info, _connection.sorted_papers(found, newest_first=True), size, after
            ),
        ),
    )


def _coauthors_of(
    root: Person,
    info: Info,
    event: strawberry.ID | None = None,
    venue: strawberry.ID | None = None,
    year: int | None = None,
    first: int | None = None,
    after: str | None = None,
    sources: SourcesArgument = DEFAULT_SOURCES,
) -> Maybe[_coauthors.CoauthorConnection]:
    return _coauthors.coauthor_connection(
        info, root, event=event, venue=venue, year=year, first=first, after=after, sources=sources
    )


def _venues(root: Person, info: Info) -> Maybe[list[VenueCount]]:
    def venues(rows: list[Row]) -> Maybe[list[VenueCount]]:
        counts = sorted((-(int_of(r, "papers") or 0), r["venue"].value) for r in rows)
        return then(
            _venue.load_venues(info, [v for _c, v in counts]),
            lambda found: [VenueCount(venue=venue, count=-c) for (c, _v), venue in zip(counts, found, strict=True)],
        )

    return then(ctx(info).loaders.person_venues.get((root.iri,)), venues)


def _editor_of(root: Person, info: Info) -> Maybe[list[_volume.Volume]]:
    return then(
        ctx(info).loaders.person_editor_of.get((root.iri,)),
        lambda rows: _volume.load_volumes(info, by_year(rows, "volume")),
    )


def _preprints(root: Person, info: Info) -> Maybe[list]:
    from .preprint import person_preprints

    return person_preprints(info, root.iri)


@strawberry.type(
    description="A person: verified (listed in the Anthology's people metadata) or "
    "inferred from the names printed on papers (id `unverified/{slug}`)."
)
class Person:
    iri: str = strawberry.field(description="The person's Anthology IRI.")
    id: strawberry.ID = strawberry.field(
        description="Anthology person id, e.g. `yaodong-yang` or `unverified/jiaming-ji`."
    )
    name: str = strawberry.field(description="Canonical name.")
    names: list[str] = maybe_field(
        resolver=_names, description="Every name the person published under, canonical first."
    )
    script_variants: list[ScriptVariant] = maybe_field(
        resolver=_script_variants, description="The person's name in other scripts."
    )
    orcid: str | None = maybe_field(resolver=_orcid, description="ORCID iD, e.g. 0000-0002-1825-0097.")
    verified: bool = maybe_field(
        resolver=_verified, description="True for persons listed in the Anthology's people metadata."
    )
    comment: str | None = maybe_field(resolver=_comment, description="Disambiguating comment of the people metadata.")
    similar: list[Person] = maybe_field(
        resolver=_similar, description="Persons with a similar name (possible confusions)."
    )
    papers: PaperConnectionRef = maybe_field(
        resolver=_papers, description="Papers, newest first, optionally within a year, a venue or an event."
    )
    coauthors: CoauthorConnectionRef = maybe_field(
        resolver=_coauthors_of,
        description="Coauthors with shared-paper counts, optionally within an event "
        "(e.g. acl-2025: main conference, Findings, colocated workshops), a venue "
        "(e.g. acl: main conference only) and a year; `sources` adds shared preprints.",
    )
    venues: list[VenueCount] = maybe_field(
        resolver=_venues, description="Venues the person published at, most papers first."
    )
    editor_of: list[VolumeRef] = maybe_field(
        resolver=_editor_of, description="Volumes the person edited, newest first."
    )
    preprints: list[PreprintRef] = maybe_field(
        resolver=_preprints,
        description="arXiv preprints (Hugging Face Daily Papers) the person is a linked author of, newest first.",
    )
    facts: strawberry.Private[PersonFacts | None] = None

    @classmethod
    def from_facts(cls, iri: str, facts: PersonFacts | None) -> Person:
        """The person of IRI ``iri`` from its facts (``None``: no data)."""
        return cls(iri=iri, id=_person_id(iri), name=facts.label if facts else "", facts=facts)

    @classmethod
    def named(cls, iri: str, name: str) -> Person:
        """The person of IRI ``iri`` whose name the query that found it gave (its other scalars
        are read from its row when asked)."""
        return cls(iri=iri, id=_person_id(iri), name=name)


def _person_id(iri: str) -> strawberry.ID:
    return strawberry.ID(iris.person_id_from_iri(iri) or iri)


def load_persons(info: Info, targets: Sequence[str]) -> Maybe[list[Person]]:
    """The persons of IRIs ``targets``, in order, their rows loaded together."""
    return then(
        values_of(ctx(info).loaders.person, targets),
        lambda found: [Person.from_facts(iri, facts) for iri, facts in zip(targets, found, strict=True)],
    )


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
            PersonMatch(
                cursor=encode_cursor(i),
                node=Person.named(m.person, m.label),
                matched_name=m.matched_name,
                match=MATCH_KINDS[m.rank],
            )
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
            f"the name '{name}' is ambiguous: {len(best)} persons match ({listing}); ask again with person: <id>",
            code="AMBIGUOUS_NAME",
            candidates=candidates,
        )
    return best[0].person
