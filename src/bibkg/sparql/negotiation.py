"""The result formats of the SPARQL endpoint, and choosing one for a request: its ``format=``
parameters, else its ``Accept`` header (406 when none fits)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .protocol import ProtocolError


@dataclass(frozen=True, slots=True)
class Format:
    """A result serialization: ``kind`` is ``tabular`` (SELECT/ASK) or ``graph``."""

    name: str
    kind: str
    media_type: str
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    extension: str = ""

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)

    def content_type(self, media_type: str | None = None) -> str:
        mt = media_type or self.media_type
        textual = mt.startswith("text/") or mt.endswith(("json", "xml"))
        return f"{mt}; charset=utf-8" if textual else mt


TABULAR_FORMATS: tuple[Format, ...] = (
    Format(
        "json", "tabular", "application/sparql-results+json", ("application/json", "text/json"), ("json", "srj"), "srj"
    ),
    Format("xml", "tabular", "application/sparql-results+xml", ("application/xml", "text/xml"), ("xml", "srx"), "srx"),
    Format("csv", "tabular", "text/csv", (), ("csv",), "csv"),
    Format("tsv", "tabular", "text/tab-separated-values", (), ("tsv",), "tsv"),
)
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "graph", "text/turtle", ("application/x-turtle", "application/turtle"), ("turtle", "ttl"), "ttl"),
    Format(
        "ntriples",
        "graph",
        "application/n-triples",
        ("text/plain", "text/n-triples"),
        ("ntriples", "nt", "n-triples"),
        "nt",
    ),
    Format("jsonld", "graph", "application/ld+json", ("application/json",), ("jsonld", "json-ld", "json"), "jsonld"),
    Format(
        "rdfxml",
        "graph",
        "application/rdf+xml",
        ("application/xml", "text/xml"),
        ("rdfxml", "rdf", "xml", "rdf+xml"),
        "rdf",
    ),
)
FORMATS: dict[str, Format] = {f.name: f for f in TABULAR_FORMATS + GRAPH_FORMATS}
DEFAULT_FORMAT = {"tabular": FORMATS["json"], "graph": FORMATS["turtle"]}
ASK_FORMATS = ("json", "xml", "csv", "tsv")


@dataclass(frozen=True, slots=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> int:
        """Specificity of the match (2 exact, 1 ``type/*``, 0 ``*/*``), or -1."""
        t, _, s = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type == t and self.subtype == "*":
            return 1
        if self.type == t and self.subtype == s:
            return 2
        return -1


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed entries are ignored."""
    ranges: list[MediaRange] = []
    for order, part in enumerate((header or "").split(",")):
        items = [x.strip() for x in part.split(";")]
        mt = items[0].lower()
        if "/" not in mt:
            continue
        t, _, s = mt.partition("/")
        q = 1.0
        for param in items[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(t, s, q, order))
    return ranges


def _quality(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int]:
    """q of ``media_type`` under the most specific matching range, and that specificity."""
    best: tuple[int, float] | None = None
    for r in ranges:
        spec = r.matches(media_type)
        if spec >= 0 and (best is None or spec > best[0]):
            best = (spec, r.q)
    return (0.0, -1) if best is None else (best[1], best[0])


def negotiate(accept: str | None, kind: str, requested: str | None = None, *, ask: bool = False) -> tuple[Format, str]:
    """Choose the result format for a result of ``kind`` (``tabular`` or ``graph``).

    ``requested`` (the ``format=`` / ``output=`` / ``results=`` parameters) wins over the
    ``Accept`` header.  Like Virtuoso and Fuseki, it may name several formats, by name
    (``json-ld``) or media type, comma-separated (SPARQLWrapper sends
    ``format=json-ld,application/ld+json,application/x-json+ld``): the formats it names that fit
    the result are the choices, the ``Accept`` header picks among them (else the first named).
    Without either, SELECT/ASK answer SPARQL JSON and CONSTRUCT/DESCRIBE Turtle.  Returns the
    format and the media type to send.

    Raises:
        ProtocolError: 406, naming the formats that are available.
    """
    candidates = [
        f for f in (TABULAR_FORMATS if kind == "tabular" else GRAPH_FORMATS) if not ask or f.name in ASK_FORMATS
    ]
    ranges = parse_accept(accept)
    if requested:
        keys = [item.split(";")[0].strip().lower() for item in requested.split(",")]
        named = [f for key in keys for f in candidates if key and (key in f.names or key in f.media_types)]
        named = list(dict.fromkeys(named))
        if not named:
            raise ProtocolError(
                406, f"format '{requested}' is not available for this result; use one of {_offer(candidates)}"
            )
        if len(named) == 1 or not ranges:
            return named[0], named[0].media_type
        return _best(ranges, named) or (named[0], named[0].media_type)
    if not ranges:
        f = DEFAULT_FORMAT[kind]
        return f, f.media_type
    choice = _best(ranges, candidates)
    if choice is None:
        raise ProtocolError(
            406,
            f"none of the accepted media types ({accept}) is available for this result; use one of {_offer(candidates)}",
        )
    return choice


def _best(ranges: Sequence[MediaRange], candidates: Sequence[Format]) -> tuple[Format, str] | None:
    """The candidate the ``Accept`` ranges rank highest (then the earlier candidate), or ``None``."""
    best: tuple[float, int, int, int] | None = None
    choice: tuple[Format, str] | None = None
    for rank, f in enumerate(candidates):
        for alias_rank, mt in enumerate(f.media_types):
            q, spec = _quality(ranges, mt)
            if q <= 0:
                continue
            key = (q, spec, -rank, -alias_rank)
            if best is None or key > best:
                best = key
                choice = (f, mt if spec == 2 else f.media_type)
    return choice


def _offer(candidates: Iterable[Format]) -> str:
    return ", ".join(f"{f.media_type} (format={f.name})" for f in candidates)


def prefers_html(accept: str | None) -> bool:
    """True when ``text/html`` is named explicitly and ranks at least as high as any result format."""
    ranges = parse_accept(accept)
    html_q, spec = _quality(ranges, "text/html")
    if html_q <= 0 or spec < 1:
        return False
    others = [_quality(ranges, mt)[0] for f in FORMATS.values() for mt in f.media_types if mt != "text/plain"]
    return html_q >= max(others, default=0.0) and not any(
        _quality(ranges, mt)[1] == 2 and _quality(ranges, mt)[0] >= html_q
        for f in FORMATS.values()
        for mt in f.media_types
    )
