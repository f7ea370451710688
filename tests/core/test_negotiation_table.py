"""One table of formats, one content negotiation: every door's offers are views of
``bibkg.formats.TABLE``; every door chooses with ``bibkg.accept`` and answers as before the
table.

The expected answers of ``ACCEPT_CASES``, ``FORMAT_CASES`` and ``FILE_CASES`` were recorded by
running the five modules of formats and negotiation as they were before (commit 9621b63) on these
headers and names; ``406`` stands for the door's "not acceptable" answer (its messages are
checked verbatim below).
"""

from __future__ import annotations

import time
from collections import Counter

import pyoxigraph as ox
import pytest

from bibkg import accept as accept_module
from bibkg import formats as table
from bibkg.errors import BibkgError
from bibkg.export import formats as export_formats
from bibkg.graphql import media
from bibkg.sparql import formats as sparql_formats
from bibkg.sparql import negotiation
from bibkg.sparql.protocol import ProtocolError
from bibkg.web import dumps, ld, page_parts

ACCEPT_CASES = [  # Accept → (SPARQL SELECT/ASK, SPARQL CONSTRUCT, Linked Data page, GraphQL, prefers_html)
    (None, "json application/sparql-results+json", "turtle text/turtle", "text/turtle", "application/json", False),
    ("", "json application/sparql-results+json", "turtle text/turtle", "text/turtle", "application/json", False),
    ("  ", "json application/sparql-results+json", "turtle text/turtle", "text/turtle", "application/json", False),
    ("*/*", "json application/sparql-results+json", "turtle text/turtle", "text/turtle", "application/json", False),
    ("*/*;q=0", "406", "406", "406", None, False),
    ("text/*", "json application/sparql-results+json", "turtle text/turtle", "text/turtle", None, True),
    (
        "application/*",
        "json application/sparql-results+json",
        "turtle text/turtle",
        "application/ld+json",
        "application/json",
        False,
    ),
    ("image/*", "406", "406", "406", None, False),
    ("foo", "json application/sparql-results+json", "turtle text/turtle", "406", None, False),
    ("text", "json application/sparql-results+json", "turtle text/turtle", "406", None, False),
    (",,,", "json application/sparql-results+json", "turtle text/turtle", "406", None, False),
    ("*", "json application/sparql-results+json", "turtle text/turtle", "406", None, False),
    ("text/html", "406", "406", "text/html", None, True),
    ("application/xhtml+xml", "406", "406", "text/html", None, False),
    ("TEXT/HTML", "406", "406", "text/html", None, True),
    (
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
        "xml application/xml",
        "rdfxml application/xml",
        "text/html",
        "application/json",
        True,
    ),
    (
        "text/html, */*",
        "json application/sparql-results+json",
        "turtle text/turtle",
        "text/turtle",
        "application/json",
        True,
    ),
    (
        "text/html;q=0.5, */*",
        "json application/sparql-results+json",
        "turtle text/turtle",
        "text/turtle",
        "application/json",
        False,
    ),
    (
        "application/sparql-results+json, text/html;q=0.5",
        "json application/sparql-results+json",
        "406",
        "text/html",
        None,
        False,
    ),
    ("text/turtle", "406", "turtle text/turtle", "text/turtle", None, False),
    ("application/x-turtle", "406", "turtle application/x-turtle", "text/turtle", None, False),
    ("application/turtle", "406", "turtle application/turtle", "406", None, False),
    ("text/n3", "406", "406", "text/turtle", None, False),
    ("text/plain", "406", "ntriples text/plain", "application/n-triples", None, False),
    ("text/n-triples", "406", "ntriples text/n-triples", "406", None, False),
    ("application/n-triples", "406", "ntriples application/n-triples", "application/n-triples", None, False),
    (
        "application/json",
        "json application/json",
        "jsonld application/json",
        "application/ld+json",
        "application/json",
        False,
    ),
    ("text/json", "json text/json", "406", "406", None, False),
    ("application/ld+json", "406", "jsonld application/ld+json", "application/ld+json", None, False),
    ("application/xml", "xml application/xml", "rdfxml application/xml", "application/rdf+xml", None, False),
    ("text/xml", "xml text/xml", "rdfxml text/xml", "application/rdf+xml", None, False),
    ("application/rdf+xml", "406", "rdfxml application/rdf+xml", "application/rdf+xml", None, False),
    ("application/sparql-results+json", "json application/sparql-results+json", "406", "406", None, False),
    ("application/sparql-results+xml", "xml application/sparql-results+xml", "406", "406", None, False),
    ("text/csv", "csv text/csv", "406", "406", None, False),
    ("text/tab-separated-values", "tsv text/tab-separated-values", "406", "406", None, False),
    ("application/graphql-response+json", "406", "406", "406", "application/graphql-response+json", False),
    ("application/n-quads", "406", "406", "406", None, False),
    ("application/trig", "406", "406", "406", None, False),
    ("image/png", "406", "406", "406", None, False),
    ("text/turtle;q=0", "406", "406", "406", None, False),
    ("text/turtle;q=0.5, application/ld+json", "406", "jsonld application/ld+json", "application/ld+json", None, False),
    ("TEXT/TURTLE", "406", "turtle text/turtle", "text/turtle", None, False),
    ("text/turtle;q=abc", "406", "406", "406", None, False),
    ("text/turtle; Q=0.5, text/plain;q=0.6", "406", "ntriples text/plain", "application/n-triples", None, False),
    ("text/turtle;q=2, application/ld+json", "406", "turtle text/turtle", "text/turtle", None, False),
    (
        "text/turtle;q=-1, */*",
        "json application/sparql-results+json",
        "turtle text/turtle",
        "text/html",
        "application/json",
        False,
    ),
    ("text/turtle;level=1", "406", "turtle text/turtle", "text/turtle", None, False),
    ("text/turtle ; q=0.3 , application/rdf+xml ; q=0.2", "406", "turtle text/turtle", "text/turtle", None, False),
    (
        "text/*, application/ld+json",
        "json application/sparql-results+json",
        "jsonld application/ld+json",
        "text/turtle",
        None,
        False,
    ),
    (
        "text/*;q=0.5, text/plain",
        "json application/sparql-results+json",
        "ntriples text/plain",
        "application/n-triples",
        None,
        False,
    ),
    (
        "application/*;q=0.5, text/csv",
        "csv text/csv",
        "turtle text/turtle",
        "application/ld+json",
        "application/json",
        False,
    ),
    (
        "*/*;q=0.1, text/html",
        "json application/sparql-results+json",
        "turtle text/turtle",
        "text/html",
        "application/json",
        True,
    ),
    (
        "application/json;q=0.9, application/graphql-response+json;q=0.9",
        "json application/json",
        "jsonld application/json",
        "application/ld+json",
        "application/graphql-response+json",
        False,
    ),
    (
        "application/json, application/graphql-response+json",
        "json application/json",
        "jsonld application/json",
        "application/ld+json",
        "application/graphql-response+json",
        False,
    ),
    (
        "application/graphql-response+json, application/json",
        "json application/json",
        "jsonld application/json",
        "application/ld+json",
        "application/graphql-response+json",
        False,
    ),
    (
        "application/graphql-response+json;q=0.5, application/json",
        "json application/json",
        "jsonld application/json",
        "application/ld+json",
        "application/json",
        False,
    ),
    (
        "application/graphql-response+json, application/json;q=0.5",
        "json application/json",
        "jsonld application/json",
        "application/ld+json",
        "application/graphql-response+json",
        False,
    ),
    ("application/json;q=0", "406", "406", "406", None, False),
    (
        "application/json;q=0, */*",
        "json application/sparql-results+json",
        "turtle text/turtle",
        "text/turtle",
        "application/graphql-response+json",
        False,
    ),
    (
        "application/graphql-response+json;q=0, */*",
        "json application/sparql-results+json",
        "turtle text/turtle",
        "text/turtle",
        "application/json",
        False,
    ),
    (
        "application/*;q=0.5, application/graphql-response+json;q=0.1",
        "json application/sparql-results+json",
        "turtle text/turtle",
        "application/ld+json",
        "application/json",
        False,
    ),
    (
        "*/*, application/json",
        "json application/json",
        "jsonld application/json",
        "text/turtle",
        "application/json",
        False,
    ),
    (
        "application/ld+json;q=0.5, application/json",
        "json application/json",
        "jsonld application/json",
        "application/ld+json",
        "application/json",
        False,
    ),
    (
        "application/json;q=0.5, application/ld+json",
        "json application/json",
        "jsonld application/ld+json",
        "application/ld+json",
        "application/json",
        False,
    ),
    (
        "application/xml, application/sparql-results+json;q=0.9",
        "xml application/xml",
        "rdfxml application/xml",
        "application/rdf+xml",
        None,
        False,
    ),
    (
        "text/xml;q=0.9, application/sparql-results+xml",
        "xml application/sparql-results+xml",
        "rdfxml text/xml",
        "application/rdf+xml",
        None,
        False,
    ),
    (
        "application/sparql-results+json;q=0.5, application/json",
        "json application/json",
        "jsonld application/json",
        "application/ld+json",
        "application/json",
        False,
    ),
    ("text/csv;q=0.5, text/tab-separated-values;q=0.5", "csv text/csv", "406", "406", None, False),
    ("text/tab-separated-values, text/csv", "csv text/csv", "406", "406", None, False),
    ("text/csv;q=0.2, */*;q=0.1", "csv text/csv", "turtle text/turtle", "text/turtle", "application/json", False),
    (
        "application/n-triples;q=0.1, text/*;q=0.2",
        "json application/sparql-results+json",
        "turtle text/turtle",
        "text/turtle",
        None,
        True,
    ),
    (
        "text/plain;q=0.9, application/n-triples;q=0.8",
        "406",
        "ntriples text/plain",
        "application/n-triples",
        None,
        False,
    ),
    ("application/rdf+xml, text/turtle;q=0.9", "406", "rdfxml application/rdf+xml", "application/rdf+xml", None, False),
    (
        "application/ld+json, application/json;q=0.9, */*;q=0.1",
        "json application/json",
        "jsonld application/ld+json",
        "application/ld+json",
        "application/json",
        False,
    ),
    ("application/javascript", "406", "406", "406", None, False),
    ("text/javascript", "406", "406", "406", None, False),
    ("application/xhtml+xml;q=0.8, text/turtle;q=0.7", "406", "turtle text/turtle", "text/html", None, False),
    (
        "text/html;q=0, */*",
        "json application/sparql-results+json",
        "turtle text/turtle",
        "text/turtle",
        "application/json",
        False,
    ),
]
FORMAT_CASES = [  # (format=, Accept) → (SPARQL SELECT, SPARQL CONSTRUCT, Linked Data page)
    (None, None, "json application/sparql-results+json", "turtle text/turtle", "text/turtle"),
    (None, "application/sparql-results+xml", "xml application/sparql-results+xml", "406", "406"),
    (None, "application/xml", "xml application/xml", "rdfxml application/xml", "application/rdf+xml"),
    (None, "text/turtle;q=0", "406", "406", "406"),
    (None, "application/ld+json;q=0.1, text/turtle", "406", "turtle text/turtle", "text/turtle"),
    (None, "text/csv", "csv text/csv", "406", "406"),
    ("", None, "json application/sparql-results+json", "turtle text/turtle", "text/turtle"),
    ("", "application/sparql-results+xml", "xml application/sparql-results+xml", "406", "406"),
    ("", "application/xml", "xml application/xml", "rdfxml application/xml", "application/rdf+xml"),
    ("", "text/turtle;q=0", "406", "406", "406"),
    ("", "application/ld+json;q=0.1, text/turtle", "406", "turtle text/turtle", "text/turtle"),
    ("", "text/csv", "csv text/csv", "406", "406"),
    ("json", None, "json application/sparql-results+json", "jsonld application/ld+json", "application/ld+json"),
    ("xml", None, "xml application/sparql-results+xml", "rdfxml application/rdf+xml", "application/rdf+xml"),
    ("csv", None, "csv text/csv", "406", "406"),
    ("tsv", None, "tsv text/tab-separated-values", "406", "406"),
    ("srj", None, "json application/sparql-results+json", "406", "406"),
    ("srx", None, "xml application/sparql-results+xml", "406", "406"),
    ("turtle", None, "406", "turtle text/turtle", "text/turtle"),
    ("ttl", None, "406", "turtle text/turtle", "text/turtle"),
    ("TTL", None, "406", "turtle text/turtle", "text/turtle"),
    ("nt", None, "406", "ntriples application/n-triples", "application/n-triples"),
    ("ntriples", None, "406", "ntriples application/n-triples", "application/n-triples"),
    ("n-triples", None, "406", "ntriples application/n-triples", "406"),
    ("jsonld", None, "406", "jsonld application/ld+json", "application/ld+json"),
    ("json-ld", None, "406", "jsonld application/ld+json", "406"),
    ("rdf", None, "406", "rdfxml application/rdf+xml", "application/rdf+xml"),
    ("rdfxml", None, "406", "rdfxml application/rdf+xml", "application/rdf+xml"),
    ("rdf+xml", None, "406", "rdfxml application/rdf+xml", "406"),
    ("html", None, "406", "406", "text/html"),
    ("nquads", None, "406", "406", "406"),
    ("trig", None, "406", "406", "406"),
    ("foo", None, "406", "406", "406"),
    ("application/ld+json", None, "406", "jsonld application/ld+json", "406"),
    ("text/csv", None, "csv text/csv", "406", "406"),
    ("application/sparql-results+json", None, "json application/sparql-results+json", "406", "406"),
    ("text/turtle", None, "406", "turtle text/turtle", "406"),
    ("json-ld,application/ld+json,application/x-json+ld", None, "406", "jsonld application/ld+json", "406"),
    ("xml, json", None, "xml application/sparql-results+xml", "rdfxml application/rdf+xml", "406"),
    ("xml, json", "application/xml", "xml application/xml", "rdfxml application/xml", "406"),
    (
        "xml, json",
        "application/ld+json;q=0.1, text/turtle",
        "xml application/sparql-results+xml",
        "jsonld application/ld+json",
        "406",
    ),
    ("csv;charset=utf-8", None, "csv text/csv", "406", "406"),
    ("csv,,tsv", None, "csv text/csv", "406", "406"),
    ("application/json", None, "json application/sparql-results+json", "jsonld application/ld+json", "406"),
    ("text/plain", None, "406", "ntriples application/n-triples", "406"),
]
FILE_CASES = [  # recorded from bibkg.export.formats before the table
    ("get_format", "turtle", "turtle"),
    ("get_format", "ttl", "turtle"),
    ("get_format", ".ttl", "turtle"),
    ("get_format", "TTL", "turtle"),
    ("get_format", "nt", "ntriples"),
    ("get_format", "ntriples", "ntriples"),
    ("get_format", "nq", "nquads"),
    ("get_format", "nquads", "nquads"),
    ("get_format", "trig", "trig"),
    ("get_format", "jsonld", "jsonld"),
    ("get_format", "json", "jsonld"),
    ("get_format", "rdf", "rdfxml"),
    ("get_format", "rdfxml", "rdfxml"),
    ("get_format", "xml", "rdfxml"),
    ("get_format", "owl", "rdfxml"),
    ("get_format", "n3", "turtle"),
    (
        "get_format",
        "json-ld",
        "BibkgError: unknown RDF format 'json-ld'; use one of turtle, ntriples, nquads, trig, jsonld, rdfxml",
    ),
    (
        "get_format",
        "foo",
        "BibkgError: unknown RDF format 'foo'; use one of turtle, ntriples, nquads, trig, jsonld, rdfxml",
    ),
    (
        "get_format",
        "csv",
        "BibkgError: unknown RDF format 'csv'; use one of turtle, ntriples, nquads, trig, jsonld, rdfxml",
    ),
    ("guess_format", "a.ttl", ["turtle", False]),
    ("guess_format", "a.ttl.gz", ["turtle", True]),
    ("guess_format", "A.NQ.GZ", ["nquads", True]),
    ("guess_format", "x.nt", ["ntriples", False]),
    ("guess_format", "x.trig", ["trig", False]),
    ("guess_format", "x.jsonld", ["jsonld", False]),
    ("guess_format", "x.json", ["jsonld", False]),
    ("guess_format", "x.rdf", ["rdfxml", False]),
    ("guess_format", "x.owl", ["rdfxml", False]),
    ("guess_format", "x.xml", ["rdfxml", False]),
    ("guess_format", "x.n3", ["turtle", False]),
    ("guess_format", "x.nq", ["nquads", False]),
    (
        "guess_format",
        "x",
        "BibkgError: x: cannot tell the RDF format from the extension; give --format (turtle, ntriples, nquads, trig, jsonld, rdfxml)",
    ),
    (
        "guess_format",
        "x.gz",
        "BibkgError: x.gz: cannot tell the RDF format from the extension; give --format (turtle, ntriples, nquads, trig, jsonld, rdfxml)",
    ),
    (
        "guess_format",
        "x.csv",
        "BibkgError: x.csv: cannot tell the RDF format from the extension; give --format (turtle, ntriples, nquads, trig, jsonld, rdfxml)",
    ),
    (
        "guess_format",
        "x.srj",
        "BibkgError: x.srj: cannot tell the RDF format from the extension; give --format (turtle, ntriples, nquads, trig, jsonld, rdfxml)",
    ),
]


def sparql(accept: str | None, kind: str, requested: str | None = None, *, ask: bool = False) -> str:
    try:
        fmt, media_type = negotiation.negotiate(accept, kind, requested, ask=ask)
    except ProtocolError as exc:
        assert exc.status == 406
        return "406"
    return f"{fmt.name} {media_type}"


def page(accept: str | None, fmt: str | None = None) -> str:
    try:
        return ld.negotiate(accept, fmt)
    except ld.NotAcceptable as exc:
        assert exc.status == 406
        return "406"


# --- the one table --------------------------------------------------------------------------------


def test_media_types_names_and_extensions_appear_in_one_format_of_a_kind() -> None:
    for kind in {f.kind for f in table.TABLE}:
        rows = table.of_kind(kind)
        for door in (table.ENDPOINT, table.PAGES):
            media = Counter(mt for f in rows for mt in f.media_types_at(door))
            names = Counter(n for f in rows for n in {f.name, *f.names_at(door)})
            assert [mt for mt, n in media.items() if n > 1] == [], (kind, door)
            assert [name for name, n in names.items() if n > 1] == [], (kind, door)
        files = Counter(x for f in rows for x in f.files)
        assert [x for x, n in files.items() if n > 1] == [], kind
        exts = Counter(f.ext for f in rows if f.ext)
        assert [x for x, n in exts.items() if n > 1] == [], kind
        for f in rows:
            assert not f.files or f.files[0] == f.ext, f.name
            assert not f.names or f.names[0] == f.name, f.name


def test_every_rdf_and_results_format_has_its_pyoxigraph_format() -> None:
    for f in table.of_kind(table.GRAPH):
        assert isinstance(f.rdf, ox.RdfFormat) and f.rdf.media_type == f.media_type
        assert f.quads == f.rdf.supports_datasets or f.name == "jsonld"  # JSON-LD dumps keep the graphs
    for f in table.of_kind(table.TABULAR):
        assert isinstance(f.results, ox.QueryResultsFormat)
        assert f.results.media_type.split(";")[0] == f.media_type


def test_every_door_offers_rows_of_the_table() -> None:
    rows = set(table.TABLE)
    # the SPARQL endpoint (and the CLI's serialize, the VoID and service descriptions)
    assert set(negotiation.TABULAR_FORMATS) | set(negotiation.GRAPH_FORMATS) <= rows
    assert set(negotiation.FORMATS.values()) <= rows
    assert {f.name: f.results for f in negotiation.TABULAR_FORMATS} == sparql_formats.RESULT_FORMATS
    assert {f.name: f.rdf for f in negotiation.GRAPH_FORMATS} == sparql_formats.GRAPH_FORMATS
    # the Linked Data pages: their offers, aliases and format= names
    pages = [f for f in table.TABLE if f.media_type in ld.OFFERED]
    assert [f.media_type for f in pages] != [] and set(ld.OFFERED) == {f.media_type for f in pages}
    assert {a: f.media_type for f in pages for a in f.media_types_at(table.PAGES)[1:]} == ld.ALIASES
    assert {n: f.media_type for f in pages for n in f.names_at(table.PAGES)} == ld.BY_FORMAT
    assert set(page_parts.DATA_FORMATS) <= rows
    # GraphQL
    assert {media.JSON, media.GRAPHQL_RESPONSE_JSON} == {f.media_type for f in table.of_kind(table.GRAPHQL)}
    # the dumps: bibkg export / load and /dumps
    assert set(export_formats.FORMATS.values()) == set(table.of_kind(table.GRAPH))
    assert export_formats.DumpFormat is table.Format
    assert {dumps.FORMATS[n] for n in dumps.HTTP_FORMATS} <= rows


def test_no_door_lists_a_media_type_of_its_own() -> None:
    """The modules that had tables of formats name no media type in their source any more."""
    import inspect

    known = {mt for f in table.TABLE for door in (table.ENDPOINT, table.PAGES) for mt in f.media_types_at(door)}
    for module in (negotiation, sparql_formats, ld, media, export_formats, page_parts):
        source = inspect.getsource(module)
        assert [mt for mt in known if f'"{mt}"' in source] == [], module.__name__
    assert (negotiation.HTML, negotiation.PLAIN) == ("text/html", "text/plain")


# --- the doors choose as they did -----------------------------------------------------------------


@pytest.mark.parametrize(("accept", "tabular", "graph", "linked_data", "graphql", "html"), ACCEPT_CASES)
def test_accept_header_at_every_door(
    accept: str | None, tabular: str, graph: str, linked_data: str, graphql: str | None, html: bool
) -> None:
    assert sparql(accept, "tabular") == tabular
    assert sparql(accept, "tabular", ask=True) == tabular
    assert sparql(accept, "graph") == graph
    assert page(accept) == linked_data
    assert media.negotiate(accept) == graphql
    assert negotiation.prefers_html(accept) is html


@pytest.mark.parametrize(("fmt", "accept", "tabular", "graph", "linked_data"), FORMAT_CASES)
def test_format_parameter_at_every_door(
    fmt: str | None, accept: str | None, tabular: str, graph: str, linked_data: str
) -> None:
    assert sparql(accept, "tabular", fmt) == tabular
    assert sparql(accept, "graph", fmt) == graph
    assert page(accept, fmt) == linked_data


@pytest.mark.parametrize(("function", "arg", "expected"), FILE_CASES)
def test_dump_format_names_and_file_names(function: str, arg: str, expected: object) -> None:
    try:
        if function == "get_format":
            got: object = export_formats.get_format(arg).name
        else:
            fmt, gz = export_formats.guess_format(arg)
            got = [fmt.name, gz]
    except BibkgError as exc:
        got = f"BibkgError: {exc}"
    assert got == expected


def test_406_messages_as_recorded() -> None:
    with pytest.raises(ProtocolError) as exc:
        negotiation.negotiate("image/png", "tabular")
    assert exc.value.message == (
        "none of the accepted media types (image/png) is available for this result; use one of "
        "application/sparql-results+json (format=json), application/sparql-results+xml (format=xml), "
        "text/csv (format=csv), text/tab-separated-values (format=tsv)"
    )
    with pytest.raises(ProtocolError) as exc:
        negotiation.negotiate(None, "graph", "foo")
    assert exc.value.message == (
        "format 'foo' is not available for this result; use one of text/turtle (format=turtle), "
        "application/n-triples (format=ntriples), application/ld+json (format=jsonld), "
        "application/rdf+xml (format=rdfxml)"
    )
    with pytest.raises(ld.NotAcceptable, match=r"^none of the accepted types \(image/png\) is offered; available: "
                       r"text/turtle, text/html, application/ld\+json, application/n-triples, application/rdf\+xml$"):  # fmt: skip
        ld.negotiate("image/png")
    with pytest.raises(ld.NotAcceptable, match=r"^format 'foo' is not offered; use one of html, json, jsonld, nt, "
                       r"ntriples, rdf, rdfxml, ttl, turtle, xml$"):  # fmt: skip
        ld.negotiate(None, "foo")


# --- a hostile header -----------------------------------------------------------------------------


def test_hostile_accept_header_is_parsed_with_bounded_work(monkeypatch: pytest.MonkeyPatch) -> None:
    header = ", ".join(["image/png;q=0.5", "text/turtle;q=0.1"] * 50_000)  # 100,000 ranges
    ranges = accept_module.parse_accept(header)
    assert len(ranges) == accept_module.MAX_RANGES
    assert ranges == accept_module.parse_accept(", ".join(header.split(", ")[: accept_module.MAX_RANGES]))

    seen: list[int] = []
    quality = accept_module.quality

    def counting(ranges: list, media_type: str) -> tuple[float, int]:
        seen.append(len(ranges))
        return quality(ranges, media_type)

    monkeypatch.setattr(accept_module, "quality", counting)
    monkeypatch.setattr(negotiation, "quality", counting)
    started = time.perf_counter()
    assert sparql(header, "graph") == "turtle text/turtle"
    assert sparql(header, "tabular") == "406"
    assert page(header) == "text/turtle"
    assert media.negotiate(header) is None
    assert negotiation.prefers_html(header) is False
    assert time.perf_counter() - started < 1.0
    assert seen and max(seen) <= accept_module.MAX_RANGES
    assert len(seen) < 100  # a few media types per offer, each against at most MAX_RANGES ranges
