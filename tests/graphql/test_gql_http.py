"""GraphQL over HTTP: methods, media types, status codes, GraphiQL, the committed SDL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

GRJ = "application/graphql-response+json"
JSON = "application/json"
Q = '{ paper(id: "2025.acl-long.1141") { title } }'


@pytest.mark.parametrize("accept", [JSON, GRJ])
def test_post_and_get(client, accept):
    post = client.post("/graphql", json={"query": Q}, headers={"accept": accept})
    get = client.get("/graphql", params={"query": Q}, headers={"accept": accept})
    for response in (post, get):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(accept)
        assert response.json()["data"]["paper"]["title"].startswith("Language Models Resist Alignment")


def test_get_with_variables(client):
    response = client.get(
        "/graphql",
        params={
            "query": "query($id: ID!) { paper(id: $id) { id } }",
            "variables": json.dumps({"id": "2025.findings-acl.820"}),
        },
    )
    assert response.json() == {"data": {"paper": {"id": "2025.findings-acl.820"}}}


def test_accept_negotiation(client):
    def media(accept):
        return client.post("/graphql", json={"query": Q}, headers={"accept": accept}).headers["content-type"]

    assert media(f"{GRJ}, {JSON};q=0.9").startswith(GRJ)
    assert media(f"{JSON}, {GRJ};q=0.5").startswith(JSON)
    assert media("*/*").startswith(JSON)
    assert media(f"{GRJ};charset=utf-8").startswith(GRJ)
    response = client.post("/graphql", json={"query": Q}, headers={"accept": "text/plain"})
    assert response.status_code == 406


@pytest.mark.parametrize(("accept", "status"), [(JSON, 200), (GRJ, 400)])
def test_request_errors(client, accept, status):
    for query in ("{ paper(id: ", "{ noSuchField }", "query($x: Int!) { venues { id } }"):
        response = client.post("/graphql", json={"query": query}, headers={"accept": accept})
        assert response.status_code == status, (query, response.text)
        body = response.json()
        assert "data" not in body and body["errors"]


@pytest.mark.parametrize("accept", [JSON, GRJ])
def test_field_errors_are_200_with_partial_data(client, accept):
    response = client.post(
        "/graphql",
        json={"query": '{ a: person(id: "yaodong-yang") { id } b: coauthors(name: "Yi Liu") { totalCount } }'},
        headers={"accept": accept},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None or body["data"].get("a") == {"id": "yaodong-yang"}
    assert body["errors"][0]["extensions"]["code"] == "AMBIGUOUS_NAME"


@pytest.mark.parametrize("accept", [JSON, GRJ])
def test_malformed_requests(client, accept):
    bad_json = client.post("/graphql", content=b"{not json", headers={"content-type": JSON, "accept": accept})
    assert bad_json.status_code == 400
    assert bad_json.json()["errors"]
    no_query = client.post("/graphql", json={"variables": {}}, headers={"accept": accept})
    assert no_query.status_code == 400
    bad_vars = client.post("/graphql", json={"query": Q, "variables": [1]}, headers={"accept": accept})
    assert bad_vars.status_code == 400
    wrong_type = client.post("/graphql", content=Q.encode(), headers={"content-type": "text/plain", "accept": accept})
    assert wrong_type.status_code == 415


def test_mutations_refused_over_get(client):
    response = client.get("/graphql", params={"query": "mutation { x }"}, headers={"accept": GRJ})
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]
    # over POST it is an ordinary validation error: there are no mutations
    post = client.post("/graphql", json={"query": "mutation { x }"}, headers={"accept": GRJ})
    assert post.status_code == 400


def test_other_methods(client):
    assert client.put("/graphql", json={"query": Q}).status_code == 405


def test_graphiql_served_locally(client):
    page = client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "unpkg.com" not in html and "cdn" not in html.lower()
    assets = [
        "graphiql-3.8.3.min.js",
        "graphiql-3.8.3.min.css",
        "react-18.2.0.production.min.js",
        "react-dom-18.2.0.production.min.js",
    ]
    for asset in assets:
        assert f"/graphql/static/{asset}" in html
        plain = client.get(f"/graphql/static/{asset}", headers={"accept-encoding": "identity"})
        assert plain.status_code == 200 and len(plain.content) > 1000
        assert "content-encoding" not in plain.headers
        zipped = client.get(f"/graphql/static/{asset}", headers={"accept-encoding": "gzip"})
        assert zipped.status_code == 200 and zipped.content == plain.content  # httpx decodes gzip
    assert client.get("/graphql/static/../router.py").status_code == 404


def test_committed_sdl_matches_schema():
    from bibkg.graphql.schema import sdl

    committed = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text(encoding="utf-8")
    assert committed == sdl(), "schema.graphql drifted: run `python -m bibkg.graphql.schema > schema.graphql`"
