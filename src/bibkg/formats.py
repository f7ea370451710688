"""The one table of the serializations bibkg reads and writes: SPARQL result formats, RDF formats,
the HTML pages of the Linked Data routes and the media types of GraphQL over HTTP.

Every other list of formats (the SPARQL endpoint's offers, the Linked Data pages' offers and
``?format=`` names, ``bibkg export --format``, the extensions of dump files, the CLI's
``serialize``) is a view of :data:`TABLE`: no other module lists a media type or an extension of
its own.  What the doors accept differently today is data of this table too: an alias or a name
honoured at one door only is in :attr:`Format.door_aliases` / :attr:`Format.door_names`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

TABULAR = "tabular"
"""SELECT and ASK results."""
GRAPH = "graph"
"""RDF: CONSTRUCT and DESCRIBE results, descriptions, dumps."""
PAGE = "page"
"""A page for people (the HTML of the Linked Data routes)."""
GRAPHQL = "graphql"
"""A GraphQL response."""

ENDPOINT = "endpoint"
"""The door of the SPARQL endpoint (``/sparql``, the VoID and service descriptions)."""
PAGES = "pages"
"""The door of the Linked Data pages (``/person/…``, ``/paper/…``)."""


@dataclass(frozen=True, slots=True)
class Format:
    """One serialization."""

    name: str
    """Its name in bibkg: ``format=`` parameters, ``--format`` options, keys of the views."""
    kind: str
    """:data:`TABULAR`, :data:`GRAPH`, :data:`PAGE` or :data:`GRAPHQL`."""
    media_type: str
    """The media type answered."""
    label: str
    """As a person names it (``Turtle``)."""
    syntax: ox.RdfFormat | ox.QueryResultsFormat | None = None
    """The pyoxigraph format that reads and writes it."""
    ext: str = ""
    """File extension, without the dot."""
    aliases: tuple[str, ...] = ()
    """Other media types accepted for it (in ``Accept`` and ``format=``) at every door."""
    names: tuple[str, ...] = ()
    """Names accepted for it in ``format=`` and ``--format`` at every door (``name`` first)."""
    files: tuple[str, ...] = ()
    """File-name extensions read as this format (``ext`` first); with ``name``, what ``bibkg
    export``/``load`` accept for it."""
    quads: bool = False
    """Keeps named graphs (``False``: the union of all graphs is written as one graph)."""
    door_aliases: tuple[tuple[str, str], ...] = ()
    """``(door, media type)``: further aliases honoured at that door only."""
    door_names: tuple[tuple[str, str], ...] = ()
    """``(door, name)``: further ``format=`` names honoured at that door only."""

    @property
    def rdf(self) -> ox.RdfFormat:
        assert isinstance(self.syntax, ox.RdfFormat), self.name
        return self.syntax

    @property
    def results(self) -> ox.QueryResultsFormat:
        assert isinstance(self.syntax, ox.QueryResultsFormat), self.name
        return self.syntax

    def media_types_at(self, door: str) -> tuple[str, ...]:
        """The media types accepted for it at ``door``: its own first, then the aliases."""
        return (self.media_type, *self.aliases, *(mt for d, mt in self.door_aliases if d == door))

    def names_at(self, door: str) -> tuple[str, ...]:
        """The ``format=`` names accepted for it at ``door``."""
        return (*self.names, *(n for d, n in self.door_names if d == door))

    def content_type(self, media_type: str | None = None) -> str:
        """``Content-Type`` for ``media_type`` (default: its own), with ``charset=utf-8`` if textual."""
        mt = media_type or self.media_type
        textual = mt.startswith("text/") or mt.endswith(("json", "xml"))
        return f"{mt}; charset=utf-8" if textual else mt


TABLE: tuple[Format, ...] = (
    # SPARQL query results (SELECT, ASK)
    Format("json", TABULAR, "application/sparql-results+json", "SPARQL JSON", ox.QueryResultsFormat.JSON, "srj",
           aliases=("application/json", "text/json"), names=("json", "srj")),
    Format("xml", TABULAR, "application/sparql-results+xml", "SPARQL XML", ox.QueryResultsFormat.XML, "srx",
           aliases=("application/xml", "text/xml"), names=("xml", "srx")),
    Format("csv", TABULAR, "text/csv", "CSV", ox.QueryResultsFormat.CSV, "csv", names=("csv",)),
    Format("tsv", TABULAR, "text/tab-separated-values", "TSV", ox.QueryResultsFormat.TSV, "tsv", names=("tsv",)),
    # RDF (in the order of `bibkg export --format`)
    Format("turtle", GRAPH, "text/turtle", "Turtle", ox.RdfFormat.TURTLE, "ttl",
           aliases=("application/x-turtle",), names=("turtle", "ttl"), files=("ttl", "n3"),
           door_aliases=((ENDPOINT, "application/turtle"), (PAGES, "text/n3"))),
    Format("ntriples", GRAPH, "application/n-triples", "N-Triples", ox.RdfFormat.N_TRIPLES, "nt",
           aliases=("text/plain",), names=("ntriples", "nt"), files=("nt",),
           door_aliases=((ENDPOINT, "text/n-triples"),), door_names=((ENDPOINT, "n-triples"),)),
    Format("nquads", GRAPH, "application/n-quads", "N-Quads", ox.RdfFormat.N_QUADS, "nq",
           names=("nquads", "nq"), files=("nq",), quads=True),
    Format("trig", GRAPH, "application/trig", "TriG", ox.RdfFormat.TRIG, "trig",
           names=("trig",), files=("trig",), quads=True),
    Format("jsonld", GRAPH, "application/ld+json", "JSON-LD", ox.RdfFormat.JSON_LD, "jsonld",
           aliases=("application/json",), names=("jsonld", "json"), files=("jsonld", "json"), quads=True,
           door_names=((ENDPOINT, "json-ld"),)),
    Format("rdfxml", GRAPH, "application/rdf+xml", "RDF/XML", ox.RdfFormat.RDF_XML, "rdf",
           aliases=("application/xml", "text/xml"), names=("rdfxml", "rdf", "xml"), files=("rdf", "owl", "xml"),
           door_names=((ENDPOINT, "rdf+xml"),)),
    # the pages of the Linked Data routes
    Format("html", PAGE, "text/html", "HTML", None, "html", aliases=("application/xhtml+xml",), names=("html",)),
    # GraphQL over HTTP
    Format("graphql-response", GRAPHQL, "application/graphql-response+json", "GraphQL response"),
    Format("graphql-json", GRAPHQL, "application/json", "GraphQL response as JSON"),
)  # fmt: skip
"""Every serialization, in order of preference within a kind."""

FORMAT: dict[tuple[str, str], Format] = {(f.kind, f.name): f for f in TABLE}
"""``(kind, name)`` → format."""
assert len(FORMAT) == len(TABLE), "a name is used twice in one kind"


def of_kind(kind: str, names: tuple[str, ...] | None = None) -> tuple[Format, ...]:
    """The formats of ``kind`` in the order of the table, or those ``names`` in that order."""
    if names is None:
        return tuple(f for f in TABLE if f.kind == kind)
    return tuple(FORMAT[kind, n] for n in names)
