"""Issue 11 #5 (GraphQL): an unknown id given as a filter argument is an error that says so
(``extensions.code`` NOT_FOUND, ``extensions.argument`` naming the argument), not an empty list;
a lookup field (``person(id:)``) still answers null.  Against real ``bibkg serve`` processes: the
sample, and the full corpus (skipped without it)."""

from __future__ import annotations

from collections.abc import Iterator

import http_process_util
import httpx
import pytest
from http_process_util import ServerProcess, serve

from bibkg.store.local import LocalStore


@pytest.fixture(scope="module")
def gql_server(sample_store: LocalStore) -> Iterator[ServerProcess]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(http_process_util, "PORTS", range(18900, 18950))  # a port range of its own
        with serve(sample_store.root) as running:
            yield running


def gql(server: ServerProcess, query: str) -> dict:
    r = httpx.post(server.url + "/graphql", json={"query": query}, timeout=120)
    assert r.status_code == 200, r.text[:500]
    return r.json()


def not_found(answer: dict) -> list[tuple[str, str]]:
    """``(argument, message)`` of each NOT_FOUND error of an answer."""
    return [
        (e["extensions"]["argument"], e["message"])
        for e in answer.get("errors", [])
        if e.get("extensions", {}).get("code") == "NOT_FOUND"
    ]


@pytest.mark.parametrize(("query", "argument", "value"), [
    ('{ coauthors(person: "yaodong-yang", event: "acl-2052") { totalCount } }', "event", "acl-2052"),
    ('{ coauthors(person: "yaodong-yang", venue: "no-such-venue", year: 2025) { totalCount } }', "venue", "no-such-venue"),
    ('{ coauthors(person: "no-such-person", event: "acl-2025") { totalCount } }', "person", "no-such-person"),
    ('{ papers(event: "acl-2052") { totalCount } }', "event", "acl-2052"),
    ('{ papers(venue: "no-such-venue", year: 2025) { totalCount } }', "venue", "no-such-venue"),
    ('{ papers(event: "acl-2052", title: "alignment") { totalCount } }', "event", "acl-2052"),
    ('{ person(id: "yaodong-yang") { papers(event: "acl-2052") { totalCount } } }', "event", "acl-2052"),
    ('{ person(id: "yaodong-yang") { papers(venue: "no-such-venue") { totalCount } } }', "venue", "no-such-venue"),
    ('{ person(id: "yaodong-yang") { coauthors(event: "acl-2052") { totalCount } } }', "event", "acl-2052"),
    ('{ person(id: "yaodong-yang") { coauthors(venue: "no-such-venue", year: 2025) { totalCount } } }', "venue", "no-such-venue"),
])  # fmt: skip
def test_unknown_filter_id_is_not_found(gql_server: ServerProcess, query: str, argument: str, value: str) -> None:
    answer = gql(gql_server, query)
    assert not_found(answer) == [(argument, f"no {argument} with id '{value}' (argument '{argument}')")]


def test_known_ids_still_answer(gql_server: ServerProcess) -> None:
    answer = gql(
        gql_server,
        '{ coauthors(person: "yaodong-yang", event: "acl-2025") { totalCount }'
        '  person(id: "yaodong-yang") { papers(venue: "acl") { totalCount }'
        '    coauthors(event: "acl-2025") { totalCount } } }',
    )
    assert "errors" not in answer
    assert answer["data"]["coauthors"]["totalCount"] == 37
    assert answer["data"]["person"]["coauthors"]["totalCount"] == 37
    assert answer["data"]["person"]["papers"]["totalCount"] >= 1
    # an IRI works as well as an id
    iri = gql(
        gql_server,
        '{ coauthors(person: "yaodong-yang", event: "https://aclanthology.org/events/acl-2025/") { totalCount } }',
    )
    assert iri["data"]["coauthors"]["totalCount"] == 37


def test_a_known_id_with_no_matches_is_an_empty_list(gql_server: ServerProcess) -> None:
    """A venue that exists, in a year without the person's papers: 0, not an error."""
    answer = gql(
        gql_server,
        '{ coauthors(person: "yaodong-yang", venue: "naacl", year: 2020) { totalCount }'
        '  person(id: "yaodong-yang") { papers(venue: "acl", year: 2020) { totalCount } } }',
    )
    assert "errors" not in answer
    assert answer["data"]["coauthors"]["totalCount"] == 0 and answer["data"]["person"]["papers"]["totalCount"] == 0


def test_lookup_of_an_unknown_id_is_null(gql_server: ServerProcess) -> None:
    answer = gql(gql_server, '{ person(id: "no-such-person") { name } event(id: "acl-2052") { label } }')
    assert answer == {"data": {"person": None, "event": None}}


@pytest.mark.corpus
def test_unknown_event_on_the_full_corpus(corpus_store: LocalStore) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(http_process_util, "PORTS", range(18900, 18950))
        with serve(corpus_store.root) as server:
            wrong = gql(server, '{ coauthors(person: "adrian-lopez-monroy", event: "acl-2052") { totalCount } }')
            assert not_found(wrong) == [("event", "no event with id 'acl-2052' (argument 'event')")]
            wrong = gql(server, '{ person(id: "adrian-lopez-monroy") { papers(venue: "acll") { totalCount } } }')
            assert not_found(wrong) == [("venue", "no venue with id 'acll' (argument 'venue')")]
            right = gql(server, '{ coauthors(person: "adrian-lopez-monroy") { totalCount } }')
            assert "errors" not in right and right["data"]["coauthors"]["totalCount"] > 0
