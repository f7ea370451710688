"""The pure protocol core: request parsing, media type negotiation, query forms."""

from __future__ import annotations

import pytest

from bibkg.sparql.negotiation import negotiate, prefers_html
from bibkg.sparql.protocol import ProtocolError, parse_request
from bibkg.sparql.query_text import query_form


def err(fn, *args, **kwargs) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        fn(*args, **kwargs)
    return info.value


def test_get_with_dataset() -> None:
    req = parse_request(
        "GET", b"query=ASK%20%7B%7D&default-graph-uri=http%3A%2F%2Fa&named-graph-uri=http%3A%2F%2Fb", None, b""
    )
    assert req.query == "ASK {}"
    assert req.default_graphs == ["http://a"] and req.named_graphs == ["http://b"]
    assert req.has_dataset


def test_form_post_and_url_dataset() -> None:
    req = parse_request(
        "POST", b"default-graph-uri=http%3A%2F%2Fa", "application/x-www-form-urlencoded", b"query=ASK%20%7B%7D"
    )
    assert req.query == "ASK {}" and req.default_graphs == ["http://a"]


def test_direct_post() -> None:
    req = parse_request("POST", b"", "application/sparql-query; charset=UTF-8", "SELECT * { ?s ?p 'é' }".encode())
    assert req.query == "SELECT * { ?s ?p 'é' }"


@pytest.mark.parametrize(
    ("method", "qs", "ctype", "body", "status"),
    [
        ("PUT", b"query=ASK%7B%7D", None, b"", 405),
        ("GET", b"query=ASK%7B%7D&query=ASK%7B%7D", None, b"", 400),
        ("POST", b"query=ASK%7B%7D", "application/sparql-query", b"ASK {}", 400),
        ("POST", b"", "text/plain", b"ASK {}", 415),
        ("POST", b"", None, b"query=ASK%20%7B%7D", 415),
        ("POST", b"", "application/sparql-query; charset=UTF-16", b"ASK {}", 415),
        ("POST", b"", "application/sparql-query", b"ASK { \xff }", 415),
        ("POST", b"", "application/x-www-form-urlencoded", b"query=ASK%20%7B%FF%7D", 415),
        ("GET", b"update=CLEAR%20ALL", None, b"", 403),
        ("POST", b"", "application/sparql-update", b"CLEAR ALL", 403),
        ("POST", b"", "application/x-www-form-urlencoded", b"update=CLEAR%20NAMED", 403),
        ("GET", b"query=CLEAR%20ALL", None, b"", 403),
        ("GET", b"query=ASK%7B%7D&default-graph-uri=not%20an%20iri", None, b"", 400),
        ("GET", b"query=ASK%7B%7D&timeout=soon", None, b"", 400),
        ("GET", b"query=%20%20", None, b"", 400),
    ],
)
def test_rejections(method: str, qs: bytes, ctype: str | None, body: bytes, status: int) -> None:
    assert err(parse_request, method, qs, ctype, body).status == status


def test_oversized_query() -> None:
    exc = err(parse_request, "POST", b"", "application/sparql-query", b"ASK {}" + b" " * 200, max_query_bytes=100)
    assert exc.status == 413 and "100" in exc.message


@pytest.mark.parametrize(
    ("accept", "kind", "expected"),
    [
        (None, "tabular", "json"),
        (None, "graph", "turtle"),
        ("*/*", "tabular", "json"),
        ("application/sparql-results+xml", "tabular", "xml"),
        ("application/xml", "tabular", "xml"),
        ("text/csv", "tabular", "csv"),
        ("text/tab-separated-values", "tabular", "tsv"),
        ("text/csv;q=0.5, application/sparql-results+json;q=0.9", "tabular", "json"),
        ("application/n-triples", "graph", "ntriples"),
        ("text/plain", "graph", "ntriples"),
        ("application/ld+json", "graph", "jsonld"),
        ("application/rdf+xml", "graph", "rdfxml"),
        ("application/x-turtle", "graph", "turtle"),
        ("text/*", "graph", "turtle"),
        ("application/json", "tabular", "json"),
        ("application/json", "graph", "jsonld"),
    ],
)
def test_negotiate(accept: str | None, kind: str, expected: str) -> None:
    assert negotiate(accept, kind)[0].name == expected


def test_negotiate_406_and_format_param() -> None:
    assert err(negotiate, "image/png", "tabular").status == 406
    assert err(negotiate, "text/csv", "graph").status == 406
    assert negotiate("image/png", "tabular", "csv")[0].name == "csv"
    assert negotiate(None, "graph", "application/rdf+xml")[0].name == "rdfxml"
    assert err(negotiate, None, "tabular", "turtle").status == 406


def test_prefers_html() -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
    assert prefers_html(browser)
    assert not prefers_html(None)
    assert not prefers_html("*/*")
    assert not prefers_html("application/sparql-results+json, text/html;q=0.5")


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * {}", "SELECT"),
        ("# comment with ASK\nPREFIX a: <http://x#>\nBASE <http://b/>\n  construct {} where {}", "CONSTRUCT"),
        ("PREFIX : <http://x/> DESCRIBE :a", "DESCRIBE"),
        ("ask {}", "ASK"),
        ("PREFIX : <http://x/> INSERT DATA { :a :b :c }", "UPDATE"),
        ("CLEAR ALL", "UPDATE"),
        ("garbage", "UNKNOWN"),
    ],
)
def test_query_form(text: str, form: str) -> None:
    assert query_form(text) == form
