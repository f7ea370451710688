"""GET /dumps and /dumps/bibkg.*: content, gzip, ETag/Last-Modified, 304, snapshot consistency."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from web_support import SAMPLE, make_app  # type: ignore[import-not-found]

from bibkg.export.formats import FORMATS
from bibkg.ingest import run_ingest
from bibkg.store.local import LocalStore


@pytest.fixture()
def fresh(tmp_path: Path, sample_copy):
    from fastapi.testclient import TestClient

    local = sample_copy(tmp_path / "store")
    with TestClient(make_app(local)) as c:
        yield local, c


def test_listing(client) -> None:
    body = client.get("/dumps").json()
    files = {d["file"] for d in body["dumps"]}
    assert {"bibkg.ttl", "bibkg.nt", "bibkg.nq", "bibkg.trig", "bibkg.jsonld", "bibkg.nq.gz"} <= files
    assert body["snapshot"]


@pytest.mark.parametrize("name", ["turtle", "ntriples", "nquads", "trig", "jsonld"])
def test_dump_parses_and_is_complete(client, sample_store: LocalStore, name: str) -> None:
    fmt = FORMATS[name]
    r = client.get(f"/dumps/bibkg.{fmt.ext}.gz")
    assert r.status_code == 200 and r.headers["content-type"] == "application/gzip"
    data = gzip.decompress(r.content)
    parsed = {
        str(q) if fmt.quads else str(ox.Triple(q.subject, q.predicate, q.object)) for q in ox.parse(data, fmt.rdf)
    }
    original = sample_store.open_read()
    expected = {str(q) if fmt.quads else str(ox.Triple(q.subject, q.predicate, q.object)) for q in original}
    assert parsed == expected
    plain = client.get(f"/dumps/bibkg.{fmt.ext}")
    assert plain.content == data  # same bytes, compressed or not, first (streamed) or cached


def test_conditional_get(fresh) -> None:
    local, c = fresh
    first = c.get("/dumps/bibkg.nq")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and local.current_snapshot().name in etag
    assert c.get("/dumps/bibkg.nq", headers={"If-None-Match": etag}).status_code == 304
    assert c.get("/dumps/bibkg.nq", headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304
    assert c.get("/dumps/bibkg.nq", headers={"If-Modified-Since": modified}).status_code == 304
    assert c.get("/dumps/bibkg.nq", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
    assert c.get("/dumps/bibkg.nq", headers={"If-Modified-Since": "garbage"}).status_code == 200
    second = c.get("/dumps/bibkg.nq")  # served from the per-snapshot cache now
    assert second.content == first.content and second.headers["etag"] == etag
    assert c.get("/dumps/bibkg.ttl", headers={"If-None-Match": etag}).status_code == 200  # other file


def test_new_snapshot_changes_etag_and_content(fresh, tmp_path: Path) -> None:
    local, c = fresh
    before = c.get("/dumps/bibkg.nt")
    smaller = tmp_path / "data"
    shutil.copytree(SAMPLE, smaller)
    (smaller / "xml" / "2025.naacl.xml").unlink()
    run_ingest(smaller, local, jobs=1)  # publishes a new snapshot
    after = c.get("/dumps/bibkg.nt")
    assert after.headers["etag"] != before.headers["etag"]
    assert c.get("/dumps/bibkg.nt", headers={"If-None-Match": before.headers["etag"]}).status_code == 200
    assert len(after.content) < len(before.content)


def test_unknown_dump(client) -> None:
    assert client.get("/dumps/bibkg.docx").status_code == 404
    assert client.get("/dumps/other.ttl").status_code == 404


def test_plain_served_from_warm_gzip_cache(fresh) -> None:
    from bibkg.cli import main

    local, c = fresh
    assert main(["export", "--store", str(local.root), "--warm-cache", "--format", "turtle", "--quiet"]) == 0
    plain = c.get("/dumps/bibkg.ttl")
    gz = c.get("/dumps/bibkg.ttl.gz")
    assert gzip.decompress(gz.content) == plain.content and plain.content.startswith(b"@prefix")
    assert c.head("/dumps/bibkg.ttl").status_code == 200
