"""Lean field resolvers (:mod:`bibkg.graphql.lean`) answer exactly as strawberry's own."""

from __future__ import annotations

import asyncio
import logging

import pytest
import strawberry
from strawberry.extensions import MaskErrors
from strawberry.types import Info

from bibkg.graphql import lean
from bibkg.graphql.router import GQLContext
from bibkg.graphql.schema import build_schema
from bibkg.graphql.settings import GraphQLSettings

# every type and every field with arguments, plus user errors raised below the root
QUERIES = [
    """{ person(id: "yaodong-yang") {
        id iri name names orcid verified comment scriptVariants { text language } similar { id name }
        venues { count venue { id acronym name isAcl isToplevel } }
        editorOf { id title }
        papers(first: 3) { totalCount edges { cursor node {
            id iri title abstract year month pages doi url pdf bibkey awards
            authors { position printedName givenName familyName affiliation scriptVariants person { id name } }
            editors { position printedName person { id } }
            volume { id title year month address publisher volumeType pdf doi
                     editors { printedName } venues { id } events { id } sigs { id }
                     papers(first: 2) { totalCount edges { node { id } } } }
            venues { id acronym name } events { id label name year explicit location dates venue { id } }
            sigs { id acronym name homepage volumes { id } } } }
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
        byYear: papers(year: 2025, first: 2, after: "Ymlia2c6MA") { totalCount edges { cursor node { id } } }
        atEvent: papers(event: "acl-2025") { totalCount }
        atVenue: papers(venue: "acl", year: 2025) { totalCount }
        coauthors(event: "acl-2025", first: 3) { totalCount paperCount edges { count node { id } papers { id } } }
        all: coauthors(first: 2, after: "Ymlia2c6MA") { totalCount edges { cursor node { name } } } } }""",
    """{ venue(id: "acl") { id acronym name isAcl isToplevel volumes(year: 2025) { id }
        papers(year: 2025, first: 2) { totalCount edges { node { id } } }
        topAuthors(year: 2025, first: 3) { count person { id name } } }
      event(id: "acl-2025") { id label name year explicit location dates venue { id name }
        volumes { id } papers(first: 2) { edges { node { id } } } topAuthors(first: 2) { count person { id } } } }""",
    '{ person(id: "yaodong-yang") { papers(venue: "acl", event: "acl-2025") { totalCount } } }',
    '{ person(id: "yaodong-yang") { id coauthors(first: -1) { totalCount } } }',
    '{ paper(id: "2025.acl-long.1141") { id title authors { person { coauthors(event: "x y") { totalCount } } } } }',
]


@pytest.fixture(scope="module")
def schemas():
    settings = GraphQLSettings()
    ours = build_schema(settings)
    real, lean.install = lean.install, lambda schema: 0
    try:
        plain = build_schema(settings)
    finally:
        lean.install = real
    return settings, ours, plain


def test_every_field_is_lean(schemas):
    _settings, ours, plain = schemas
    for gql_type in ours._schema.type_map.values():
        if not hasattr(gql_type, "interfaces") or gql_type.name.startswith("__"):
            continue
        for name, field in gql_type.fields.items():
            assert field.resolve.__module__ == lean.__name__, f"{gql_type.name}.{name}"
            assert plain._schema.type_map[gql_type.name].fields[name].resolve.__module__ != lean.__name__
    assert ours.as_str() == plain.as_str()


@pytest.mark.parametrize("query", QUERIES)
def test_same_answers(schemas, services, query):
    settings, ours, plain = schemas

    async def run(schema):  # noqa: ANN001, ANN202
        result = await schema.execute(query, context_value=GQLContext(services, settings))
        return result.data, [e.formatted for e in result.errors or []]

    expected, got = asyncio.run(run(plain)), asyncio.run(run(ours))
    assert got == expected
    assert query is not QUERIES[0] or (not got[1] and got[0]["person"]["papers"]["edges"])


@strawberry.type
class _Item:
    value: int

    @strawberry.field
    def scaled(self, info: Info, by_factor: int = 2, label: str | None = None) -> str:
        return f"{label or info.context['prefix']}{self.value * by_factor}"

    @strawberry.field
    def doubled(self) -> int:
        return self.value * 2

    @strawberry.field
    def broken(self, info: Info) -> int:
        raise RuntimeError("secret detail")


@strawberry.type
class _Query:
    @strawberry.field
    def items(self) -> list[_Item]:
        return [_Item(value=1), _Item(value=3)]


def test_arguments_renamed_info_and_masking(caplog):
    schema = strawberry.Schema(query=_Query, extensions=[MaskErrors])
    assert lean.install(schema) == 5  # items, value, scaled, doubled, broken
    fields = '{ items { value doubled scaled a: scaled(byFactor: 5, label: "x") %s } }'
    ok = schema.execute_sync(fields % "", context_value={"prefix": "p"})
    assert ok.errors is None
    assert ok.data == {"items": [{"value": 1, "doubled": 2, "scaled": "p2", "a": "x5"},
                                 {"value": 3, "doubled": 6, "scaled": "p6", "a": "x15"}]}
    with caplog.at_level(logging.CRITICAL):
        failed = schema.execute_sync(fields % "broken", context_value={"prefix": "p"})
    assert failed.data is None  # broken: Int! nulls up to the root
    assert failed.errors and {e.message for e in failed.errors} == {"Unexpected error."}
