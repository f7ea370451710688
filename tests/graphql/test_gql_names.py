"""People search: names, script variants, "Last, First", diacritics, initials, ambiguity."""

from __future__ import annotations

import pytest

from bibkg.graphql.names import NameIndex, swap_comma, tokens

PEOPLE = """query($name: String!) { people(name: $name) {
  totalCount edges { matchedName match node { id name } } } }"""


def test_tokens_and_comma():
    assert tokens("Yao-Dong  Yáng") == ["yao", "dong", "yang"]
    assert tokens("O'Connor, J.") == ["o", "connor", "j"]
    assert swap_comma("Yang, Yaodong") == "Yaodong Yang"
    assert swap_comma("Yaodong Yang") == "Yaodong Yang"


@pytest.mark.parametrize(
    ("query", "matched", "kind"),
    [
        ("Yaodong Yang", "Yaodong Yang", "EXACT"),
        ("yaodong yang", "Yaodong Yang", "EXACT"),
        ("Yang, Yaodong", "Yaodong Yang", "EXACT"),
        ("Yáodōng Yáng", "Yaodong Yang", "NORMALIZED"),
        ("YAODONG-YANG", "Yaodong Yang", "NORMALIZED"),
        ("Yang Yaodong", "Yaodong Yang", "NORMALIZED"),
        ("Yao-Dong Yang", "Yao-Dong Yang", "EXACT"),
        ("Yao Dong Yang", "Yaodong Yang", "NORMALIZED"),
        ("耀东 杨", "耀东 杨", "EXACT"),
        ("杨耀东", "耀东 杨", "NORMALIZED"),
        ("Y. Yang", None, "INITIALS"),
        ("Yang, Y.", None, "INITIALS"),
    ],
)
def test_finds_yaodong_yang(gql, query, matched, kind):
    edges = gql(PEOPLE, {"name": query})["data"]["people"]["edges"]
    assert edges, query
    top = edges[0]
    assert top["node"] == {"id": "yaodong-yang", "name": "Yaodong Yang"}
    assert top["match"] == kind
    if matched:
        assert top["matchedName"] == matched


def test_other_name_of_a_person(gql):
    edges = gql(PEOPLE, {"name": "Juntao Dai"})["data"]["people"]["edges"]
    assert [(e["node"]["id"], e["node"]["name"], e["matchedName"]) for e in edges] == [
        ("juntao-dai", "Josef Dai", "Juntao Dai")
    ]


def test_ambiguous_name_lists_every_person(gql):
    result = gql(PEOPLE, {"name": "Liu, Yi"})["data"]["people"]
    ids = [e["node"]["id"] for e in result["edges"]]
    assert set(ids) == {"yi-liu-sample-a", "yi-liu-sample-b", "unverified/yi-liu"}
    assert ids[-1] == "unverified/yi-liu"  # verified persons rank first
    assert "unverified/yunhuai-liu" not in ids


def test_ambiguous_name_in_coauthors_is_an_error_listing_candidates(gql):
    body = gql('{ coauthors(name: "Yi Liu", event: "acl-2025") { totalCount } }')
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "AMBIGUOUS_NAME"
    assert {c["id"] for c in error["extensions"]["candidates"]} == {
        "yi-liu-sample-a",
        "yi-liu-sample-b",
        "unverified/yi-liu",
    }
    for candidate in ("yi-liu-sample-a", "yi-liu-sample-b", "unverified/yi-liu"):
        assert candidate in error["message"]


def test_unknown_name(gql):
    assert gql(PEOPLE, {"name": "Nobody Atall"})["data"]["people"] == {"totalCount": 0, "edges": []}
    body = gql('{ coauthors(name: "Nobody Atall") { totalCount } }')
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_han_script_name_answers_the_seed_question(gql):
    body = gql('{ coauthors(name: "耀东 杨", venue: "acl", year: 2025) { person { id } totalCount } }')
    assert body["data"]["coauthors"] == {"person": {"id": "yaodong-yang"}, "totalCount": 15}


def test_index_unit():
    index = NameIndex()
    index.persons.update(
        {
            "p:a": type("P", (), {"label": "José Müller", "verified": True})(),
            "p:b": type("P", (), {"label": "J. Muller", "verified": False})(),
        }
    )
    index.add("p:a", "José Müller", "José", "Müller")
    index.add("p:b", "J. Muller", "J.", "Muller")
    assert [m.person for m in index.search("jose muller")] == ["p:a", "p:b"]  # p:b through initials
    assert [m.rank for m in index.search("Muller, Jose")] == [1, 3]
    assert [m.person for m in index.search("J. Müller")] == ["p:b", "p:a"]
