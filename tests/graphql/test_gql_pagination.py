"""Relay pagination: round trips, stable order, opaque cursors, the page-size cap."""

from __future__ import annotations

COAUTHORS = """query($after: String, $first: Int) {
  coauthors(person: "yaodong-yang", event: "acl-2025", first: $first, after: $after) {
    totalCount
    edges { cursor count node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }"""


def _walk(gql, query, path, first):
    seen, after, pages = [], None, 0
    while True:
        data = gql(query, {"first": first, "after": after})["data"]
        for key in path:
            data = data[key]
        seen.extend(data["edges"])
        pages += 1
        info = data["pageInfo"]
        assert info["hasPreviousPage"] == (after is not None)
        if data["edges"]:
            assert info["startCursor"] == data["edges"][0]["cursor"]
            assert info["endCursor"] == data["edges"][-1]["cursor"]
        if not info["hasNextPage"]:
            return seen, pages, data["totalCount"]
        after = info["endCursor"]


def test_coauthor_round_trip(gql):
    whole = gql(COAUTHORS, {"first": 100})["data"]["coauthors"]
    assert not whole["pageInfo"]["hasNextPage"]
    paged, pages, total = _walk(gql, COAUTHORS, ["coauthors"], 5)
    assert pages == 8 and total == 37
    assert [e["node"]["id"] for e in paged] == [e["node"]["id"] for e in whole["edges"]]
    assert len({e["cursor"] for e in paged}) == 37


def test_papers_round_trip(gql):
    query = """query($after: String, $first: Int) { person(id: "yaodong-yang") {
        papers(first: $first, after: $after) { totalCount edges { cursor node { id year } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }"""
    paged, pages, total = _walk(gql, query, ["person", "papers"], 2)
    assert total == 7 and pages == 4
    ids = [e["node"]["id"] for e in paged]
    assert len(set(ids)) == 7
    # stable order: newest first, then Anthology id in natural order (388 before 1028)
    assert ids.index("2025.findings-acl.388") < ids.index("2025.findings-acl.1028")
    again, _, _ = _walk(gql, query, ["person", "papers"], 3)
    assert [e["node"]["id"] for e in again] == ids


def test_people_and_root_papers_round_trip(gql):
    people = """query($after: String, $first: Int) { people(name: "Yi Liu", first: $first, after: $after) {
        totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""
    seen, pages, total = _walk(gql, people, ["people"], 1)
    assert total == 3 and pages == 3 and len({e["node"]["id"] for e in seen}) == 3
    papers = """query($after: String, $first: Int) { papers(event: "acl-2025", first: $first, after: $after) {
        totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""
    seen, pages, total = _walk(gql, papers, ["papers"], 4)
    assert total == 6 and pages == 2


def test_cursor_is_opaque_and_checked(gql):
    body = gql(COAUTHORS, {"first": 2, "after": "not-a-cursor"})
    assert body["data"] is None
    assert "invalid cursor" in body["errors"][0]["message"]


def test_first_is_capped(gql):
    body = gql(COAUTHORS, {"first": 101})
    assert body["errors"][0]["extensions"]["code"] == "PAGE_SIZE"
    assert "between 0 and 100" in body["errors"][0]["message"]
    assert gql(COAUTHORS, {"first": 0})["data"]["coauthors"]["edges"] == []


def test_root_papers_filters(gql):
    body = gql("""{ a: papers(venue: "acl", year: 2025) { totalCount }
                    b: papers(event: "acl-2025") { totalCount }
                    c: papers(title: "alignment") { totalCount edges { node { id } } }
                    d: papers(title: "alignment", venue: "findings") { totalCount }
                    e: papers(year: 2025) { totalCount }
                    f: papers(venue: "naacl") { totalCount } }""")["data"]
    assert body["a"]["totalCount"] == 2
    assert body["b"]["totalCount"] == 6
    assert body["c"]["totalCount"] == 4
    assert body["d"]["totalCount"] == 2
    assert body["e"]["totalCount"] == 7
    assert body["f"]["totalCount"] == 1
    assert gql("{ papers { totalCount } }")["errors"][0]["message"].startswith("'papers' needs")
