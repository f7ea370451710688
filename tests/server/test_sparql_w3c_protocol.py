"""Replay of the W3C SPARQL 1.1 Protocol test manifest (../shared/conformance/...).

Query tests must pass as specified.  The endpoint is read-only, so every update request of the
manifest must be refused with a 4xx (the follow-up requests of update tests, which check the
effect of the update, are not replayed: there is none).  The manifest's data1/2/3.nt are loaded
into a store as the named graphs it names (see the ``protocol_store`` fixture).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection

PROTOCOL_DIR = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "w3c-sparql11-protocol"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
TABULAR = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values")
BOOLEAN = ("application/sparql-results+json", "application/sparql-results+xml")
RDF = ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json")


def _manifest():
    path = PROTOCOL_DIR / "manifest.ttl"
    if not path.is_file():
        return None, []
    g = Graph()
    g.parse(path, format="turtle", publicID="http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest")
    manifest = next(g.subjects(MF.entries, None))
    entries = list(Collection(g, g.value(manifest, MF.entries)))
    return g, entries


GRAPH, ENTRIES = _manifest()


def _requests(entry: URIRef) -> list[dict]:
    g = GRAPH
    action = g.value(entry, MF.action)
    out = []
    for req in Collection(g, g.value(action, HT.requests)):
        headers = {}
        hl = g.value(req, HT.headers)
        if hl is not None:
            for h in Collection(g, hl):
                headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
        body = g.value(req, HT.body)
        resp = g.value(req, HT.resp)
        out.append(
            {
                "method": str(g.value(req, HT.methodName)),
                "path": str(g.value(req, HT.absolutePath)),
                "headers": headers,
                "body": None if body is None else str(g.value(body, CNT.chars)),
                "status": {str(s).rsplit("#", 1)[-1] for s in g.objects(resp, MF.expectedStatus)},
                "format": None if g.value(resp, MF.expectedFormat) is None else str(g.value(resp, MF.expectedFormat)),
                "boolean": None
                if g.value(resp, MF.expectedBoolean) is None
                else g.value(resp, MF.expectedBoolean).toPython(),
            }
        )
    return out


def _is_update(req: dict) -> bool:
    ctype = req["headers"].get("content-type", "")
    return (
        "sparql-update" in ctype
        or "update=" in (req["body"] or "")
        or "update=" in req["path"]
        or "using-" in req["path"]
    )


def _send(client: httpx.Client, req: dict) -> httpx.Response:
    body = req["body"]
    content = None
    if body is not None:
        # cnt:characterEncoding is UTF-8 throughout; the non-UTF-8 tests only *declare* UTF-16
        content = body.encode("utf-8")
    return client.request(req["method"], req["path"], content=content, headers=req["headers"])


def _check_status(resp: httpx.Response, expected: set[str]) -> None:
    klass = f"StatusCode{resp.status_code // 100}xx"
    assert klass in expected, f"{resp.status_code} not in {expected}: {resp.text[:300]}"


def _boolean(resp: httpx.Response) -> bool:
    ctype = resp.headers["content-type"].split(";")[0]
    if ctype.endswith("json"):
        return json.loads(resp.content)["boolean"]
    root = ET.fromstring(resp.content)
    return root.find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"


names = [str(e).rsplit("#", 1)[-1] for e in ENTRIES]


@pytest.mark.skipif(GRAPH is None, reason=f"W3C SPARQL 1.1 Protocol manifest not found at {PROTOCOL_DIR}")
@pytest.mark.parametrize("entry", ENTRIES, ids=names)
def test_protocol_manifest(protocol_server, entry: URIRef) -> None:
    requests = _requests(entry)
    with httpx.Client(base_url=protocol_server.url, timeout=30) as client:
        first = requests[0]
        if _is_update(first):
            resp = _send(client, first)
            assert 400 <= resp.status_code < 500, f"update not refused: {resp.status_code} {resp.text}"
            return
        for req in requests:
            resp = _send(client, req)
            _check_status(resp, req["status"])
            if resp.status_code >= 400:
                assert resp.text.strip(), "an error needs a message"
                continue
            ctype = resp.headers["content-type"].split(";")[0].strip()
            if req["format"] == "boolean":
                assert ctype in BOOLEAN
            elif req["format"] == "tabular":
                assert ctype in TABULAR
            elif req["format"] == "RDF":
                assert ctype in RDF
            if req["boolean"] is not None:
                assert _boolean(resp) is req["boolean"]


@pytest.mark.skipif(GRAPH is None, reason=f"W3C SPARQL 1.1 Protocol manifest not found at {PROTOCOL_DIR}")
def test_manifest_is_complete() -> None:
    queries = [e for e in ENTRIES if not _is_update(_requests(e)[0])]
    updates = [e for e in ENTRIES if _is_update(_requests(e)[0])]
    assert len(queries) >= 20 and len(updates) >= 10
