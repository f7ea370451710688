"""The seed question, "coauthors of Yaodong Yang at ACL 2025", in both readings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

EXPECTED = json.loads(
    (Path(__file__).resolve().parents[2] / "data/expected/coauthors-yaodong-yang.ids.json").read_text()
)
EXPECTED_NAMES = json.loads(
    (Path(__file__).resolve().parents[2] / "data/expected/coauthors-yaodong-yang.json").read_text()
)

QUERY = """
query($name: String, $person: ID, $event: ID, $venue: ID, $year: Int) {
  coauthors(name: $name, person: $person, event: $event, venue: $venue, year: $year) {
    person { id }
    totalCount
    paperCount
    edges { count node { id name } papers { id } }
  }
}"""

READINGS = {
    "event:acl-2025": {"event": "acl-2025"},
    "venue:acl:2025": {"venue": "acl", "year": 2025},
}


@pytest.mark.parametrize("reading", sorted(READINGS))
@pytest.mark.parametrize("who", [{"name": "Yaodong Yang"}, {"person": "yaodong-yang"}])
def test_seed_question(gql, reading, who):
    body = gql(QUERY, {**who, **READINGS[reading]})
    assert "errors" not in body, body
    result = body["data"]["coauthors"]
    assert result["person"]["id"] == "yaodong-yang"
    got = {e["node"]["id"]: e["count"] for e in result["edges"]}
    assert got == EXPECTED[reading]
    assert {e["node"]["name"]: e["count"] for e in result["edges"]} == EXPECTED_NAMES[reading]
    assert result["totalCount"] == len(EXPECTED[reading])
    assert result["paperCount"] == (6 if reading.startswith("event") else 2)
    # ordered by count (descending), then name
    keys = [(-e["count"], e["node"]["name"]) for e in result["edges"]]
    assert keys == sorted(keys)
    for edge in result["edges"]:
        assert len(edge["papers"]) == edge["count"]
    if reading.startswith("venue"):
        assert all(p["id"].startswith("2025.acl-long.") for e in result["edges"] for p in e["papers"])


def test_seed_question_is_one_short_query(gql):
    body = gql('{ coauthors(name: "Yaodong Yang", event: "acl-2025") { totalCount edges { count node { name } } } }')
    assert body["data"]["coauthors"]["totalCount"] == 37
    assert body["data"]["coauthors"]["edges"][0] == {"count": 6, "node": {"name": "Jiaming Ji"}}


def test_person_coauthors_field_matches_shortcut(gql):
    body = gql("""{ person(id: "yaodong-yang") {
        acl: coauthors(venue: "acl", year: 2025) { totalCount edges { count node { id } } }
        all: coauthors(event: "acl-2025") { totalCount }
        everything: coauthors { totalCount }
        y2024: coauthors(year: 2024) { totalCount }
    } }""")
    person = body["data"]["person"]
    assert {e["node"]["id"]: e["count"] for e in person["acl"]["edges"]} == EXPECTED["venue:acl:2025"]
    assert person["all"]["totalCount"] == 37
    assert person["everything"]["totalCount"] > 37  # the NAACL demo adds coauthors
    assert person["y2024"]["totalCount"] == 0


def test_event_and_venue_together_is_explained(gql):
    body = gql('{ coauthors(person: "yaodong-yang", event: "acl-2025", venue: "acl") { totalCount } }')
    assert body["data"] is None
    assert "either 'event'" in body["errors"][0]["message"]


def test_unknown_person(gql):
    body = gql('{ coauthors(person: "nobody-at-all", event: "acl-2025") { totalCount } }')
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert gql('{ person(id: "nobody-at-all") { id } }') == {"data": {"person": None}}
