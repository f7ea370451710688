"""Helpers the entity modules share: reading rows, ids and sort keys, entity arguments, page sizes.

Entities are records: the resolver that makes them loads their rows first (for all of a list at
once: :func:`first_rows`), so their scalar fields are plain attributes, which strawberry answers
without calling a resolver. Relations (a paper's authors, a person's papers) are resolvers, run
through the request's loaders, so a nested request issues one store query per kind of field and
combination of arguments, not one per object.

Resolvers below the root are synchronous and return a :data:`~bibkg.graphql.maybe.Maybe`: the
value when its rows are known (loaded earlier in the request, or in the cross-request row cache),
else an awaitable of it (the loader's). The field's annotation names its GraphQL type.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import strawberry
from strawberry.types import Info

from ...anthology.ids import sort_key
from ...read.runner import Row, bool_of, int_of, str_of
from ...sparql.catalog import Parameter, ParameterError
from ..errors import UserError
from ..loaders import Loader
from ..maybe import Maybe, pending, then
from ..pagination import check_first
from .context import ctx

T = TypeVar("T")

__all__ = ["bool_of", "int_of", "str_of"]  # the read layer's row accessors, for the entity modules


def first_row(rows: Sequence[Row]) -> Row | None:
    return rows[0] if rows else None


def strip_iri(iri: str, prefix: str) -> str:
    """The id of ``{prefix}{id}/``; other IRIs as they are."""
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
            raise UserError(f"no {kind} with id '{value}' (argument '{argument}')", code="NOT_FOUND", argument=argument)
        return iri

    return then(getattr(ctx(info).loaders, kind).get((iri,)), exists)


def scope_of(info: Info, venue: str | None, event: str | None) -> Maybe[tuple[str, str] | None]:
    """The event or venue a list is filtered by, checked to exist (:func:`existing_iri`)."""
    if venue and event:
        raise UserError(
            "give either 'event' (e.g. acl-2025: main conference, Findings and colocated "
            "workshops) or 'venue' (e.g. acl with year 2025: main conference only), not both"
        )
    if event:
        return then(existing_iri(info, "event", event), lambda iri: ("event", iri))
    if venue:
        return then(existing_iri(info, "venue", venue), lambda iri: ("venue", iri))
    return None


def page_size(info: Info, first: int | None, default: int | None = None) -> int:
    """``first`` checked against the settings' page sizes (``default`` when not given)."""
    settings = ctx(info).settings
    return check_first(first, settings.default_page_size if default is None else default, settings.max_page_size)


def values_of(loader: Loader[T], iris: Sequence[str]) -> Maybe[list[T]]:
    """The value ``loader`` has for each IRI, in order: at once when every IRI's value is known
    (this request or the cross-request cache), else an awaitable of them — every IRI is asked
    before anything is awaited, so the unknown ones share one batch."""
    found = [loader.get((iri,)) for iri in iris]
    waiting = [i for i, value in enumerate(found) if pending(value)]
    if not waiting:
        return found  # type: ignore[return-value]

    async def arrived() -> list[T]:
        out = list(found)
        for i in waiting:
            out[i] = await found[i]  # type: ignore[misc]
        return out  # type: ignore[return-value]

    return arrived()


def first_rows(loader: Loader[list[Row]], iris: Sequence[str]) -> Maybe[list[Row | None]]:
    """The first row ``loader`` has for each IRI (``None`` where it has none), in order (see
    :func:`values_of`)."""
    return then(values_of(loader, iris), lambda found: [rows[0] if rows else None for rows in found])


def links_of(rows: Maybe[list[Row]], kind: str) -> Maybe[list[str]]:
    """The targets of the ``kind`` links (``gql-paper-links``/``gql-volume-links`` rows), sorted."""
    return then(rows, lambda rows: sorted({r["target"].value for r in rows if str_of(r, "kind") == kind}))


def doi_of(value: str | None) -> str | None:
    return value.removeprefix("https://doi.org/") if value else None


def by_year(rows: list[Row], key: str) -> list[str]:
    """The IRIs of ``?key`` newest first (``?year``), then by Anthology id (``?id``)."""
    found = {r[key].value: (int_of(r, "year") or 0, r["id"].value) for r in rows}
    ordered = sorted(found.items(), key=lambda kv: (-kv[1][0], sort_key(kv[1][1])))
    return [iri for iri, _ in ordered]


def maybe_field(*, resolver: Callable[..., Maybe[T]], description: str | None = None) -> T:
    """``strawberry.field(resolver=resolver, description=description)``, typed for a synchronous
    resolver that returns a :data:`~bibkg.graphql.maybe.Maybe`.

    strawberry's overloads of ``field`` take a resolver that returns values or one that returns
    awaitables, not one that returns either: mypy would read the field as a ``T | Awaitable[T]``
    (or a ``StrawberryField``), not as the ``T`` of its annotation. Typed here, mypy checks the
    resolver's ``T`` against the field's annotation; the schema is the one ``strawberry.field``
    builds.
    """
    return strawberry.field(resolver=resolver, description=description)  # type: ignore[return-value]  # strawberry's overloads: no Maybe resolvers
