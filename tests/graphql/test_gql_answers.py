"""Every type, field and argument answers as recorded: the answers of :data:`QUERIES` on the
bundled sample, kept in ``golden/answers.json``.

The file was written by the code before the types became records (scalars as plain fields,
resolvers for relations only); a change of any answer — data, order, nulls, error messages and
codes — fails here. Rewrite it only for an intended change of answers::

    python tests/graphql/test_gql_answers.py --write
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).with_name("golden") / "answers.json"

QUERIES = {
    "person-everything": """{ person(id: "yaodong-yang") {
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
    "venue-event": """{ venue(id: "acl") { id acronym name isAcl isToplevel volumes(year: 2025) { id }
        papers(year: 2025, first: 2) { totalCount edges { node { id } } }
        topAuthors(year: 2025, first: 3) { count person { id name } } }
      event(id: "acl-2025") { id label name year explicit location dates venue { id name }
        volumes { id } papers(first: 2) { edges { node { id } } } topAuthors(first: 2) { count person { id } } } }""",
    "both-scopes": '{ person(id: "yaodong-yang") { papers(venue: "acl", event: "acl-2025") { totalCount } } }',
    "negative-first": '{ person(id: "yaodong-yang") { id coauthors(first: -1) { totalCount } } }',
    "bad-event-below-root": """{ paper(id: "2025.acl-long.1141") { id title authors {
        person { coauthors(event: "x y") { totalCount } } } } }""",
    "unknown-event": '{ person(id: "yaodong-yang") { papers(event: "acl-2052") { totalCount } } }',
    "root-lists": """{ venues { id acronym name isAcl isToplevel }
        papers(venue: "acl", year: 2025, first: 5) { totalCount edges { cursor node { id title year authors { printedName } } }
          pageInfo { hasNextPage endCursor } }
        yearOnly: papers(year: 2025, first: 3) { totalCount edges { node { id } } }
        titled: papers(title: "alignment", first: 5) { totalCount edges { node { id title } } }
        titledAt: papers(title: "language", event: "acl-2025", first: 3) { totalCount edges { node { id } } } }""",
    "people": """{ people(name: "yang, yaodong", first: 5) { totalCount
        edges { cursor matchedName match node { id name orcid verified } } pageInfo { hasNextPage endCursor } }
      initials: people(name: "Y. Yang") { totalCount edges { match node { id } } } }""",
    "coauthors-root": """{ coauthors(person: "yaodong-yang", event: "acl-2025") { person { id name } totalCount paperCount
        edges { cursor count node { id name verified } papers { id title } } pageInfo { hasNextPage } }
      byName: coauthors(name: "Yaodong Yang", venue: "acl", year: 2025, first: 2) { totalCount edges { node { id } } } }""",
    "entities-by-id": """{ paper(id: "2025.acl-long.1141") { id title bibkey editors { printedName person { id } }
          volume { id title editors { position printedName } } }
      volume(id: "2025.acl-long") { id title year volumeType editors { printedName person { id name } }
          papers(first: 3, after: "Ymlia2c6MA") { totalCount edges { cursor node { id } } pageInfo { hasPreviousPage } } }
      sig(id: "sigdat") { id acronym name homepage volumes { id } volumes2025: volumes(year: 2025) { id } }
      missingPaper: paper(id: "2025.acl-long.99999") { id }
      missingPerson: person(id: "nobody-at-all") { id } }""",
    "errors": """{ coauthors(person: "yaodong-yang", name: "x") { totalCount } }""",
    "ambiguous-or-unknown-name": """{ coauthors(name: "Nobody Hasthisname") { totalCount } }""",
    "malformed-id": """{ paper(id: "not an id") { id } }""",
    "papers-needs-a-filter": """{ papers { totalCount } }""",
    "bibtex": """{ paper(id: "2025.acl-long.1141") { bibtex } }""",
}


async def _answers(services, settings) -> dict:
    from bibkg.graphql.schema import build_schema
    from bibkg.graphql.types import GQLContext

    schema = build_schema(settings)
    out = {}
    for name, query in QUERIES.items():
        result = await schema.execute(query, context_value=GQLContext(services, settings))
        out[name] = {"data": result.data, "errors": [e.formatted for e in result.errors or []]}
    return out


def test_answers_are_as_recorded(services):
    from bibkg.graphql.settings import GraphQLSettings

    expected = json.loads(GOLDEN.read_text("utf-8"))
    got = json.loads(json.dumps(asyncio.run(_answers(services, GraphQLSettings(max_cost=1_000_000)))))
    assert set(got) == set(expected)
    for name in QUERIES:
        assert got[name] == expected[name], name
    assert got["person-everything"]["data"]["person"]["papers"]["edges"]  # not a vacuous comparison
    assert all(
        not got[n]["errors"]
        for n in (
            "person-everything",
            "venue-event",
            "root-lists",
            "people",
            "coauthors-root",
            "entities-by-id",
            "bibtex",
        )
    )


def main() -> None:  # pragma: no cover - rewrites the golden file
    import tempfile

    from bibkg.graphql.settings import GraphQLSettings
    from bibkg.ingest import run_ingest
    from bibkg.read.runner import QueryRunner
    from bibkg.services import Services
    from bibkg.sparql.catalog import QueryCatalog
    from bibkg.store.local import LocalStore
    from bibkg.store.oxigraph import OxigraphStore

    repo = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory() as tmp:
        local = LocalStore(Path(tmp))
        run_ingest(repo / "data" / "anthology", local, jobs=1)
        store = OxigraphStore.open(local)
        catalog = QueryCatalog.load(repo / "queries")
        answers = asyncio.run(
            _answers(Services(store, catalog, QueryRunner(store, catalog)), GraphQLSettings(max_cost=1_000_000))
        )
    GOLDEN.write_text(json.dumps(answers, indent=1, ensure_ascii=False, sort_keys=True) + "\n", "utf-8")
    print(f"wrote {GOLDEN}")


if __name__ == "__main__" and "--write" in sys.argv:  # pragma: no cover
    main()
elif __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__])
