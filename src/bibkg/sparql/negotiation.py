"""The result formats of the SPARQL endpoint, and choosing one for a request: its ``format=``
parameters, else its ``Accept`` header (406 when none fits)."""

from __future__ import annotations

from collections.abc import Iterable

from ..accept import EXACT, TYPE_WILDCARD, choose, parse_accept, quality
from ..formats import ENDPOINT, FORMAT, GRAPH, PAGE, TABULAR, Format, of_kind
from .protocol import ProtocolError

__all__ = ["ASK_FORMATS", "DEFAULT_FORMAT", "FORMATS", "GRAPH_FORMATS", "TABULAR_FORMATS", "Format", "negotiate",
           "prefers_html"]  # fmt: skip

TABULAR_FORMATS: tuple[Format, ...] = of_kind(TABULAR)
"""The formats of SELECT and ASK results, in order of preference (JSON first)."""
GRAPH_FORMATS: tuple[Format, ...] = of_kind(GRAPH, ("turtle", "ntriples", "jsonld", "rdfxml"))
"""The formats of CONSTRUCT and DESCRIBE results, in order of preference (Turtle first)."""
FORMATS: dict[str, Format] = {f.name: f for f in TABULAR_FORMATS + GRAPH_FORMATS}
DEFAULT_FORMAT = {TABULAR: TABULAR_FORMATS[0], GRAPH: GRAPH_FORMATS[0]}
ASK_FORMATS = tuple(f.name for f in TABULAR_FORMATS)


_MEDIA_TYPES = {f.name: f.media_types_at(ENDPOINT) for f in FORMATS.values()}
"""The media types accepted for each format at this door: its own, then the aliases."""
_NAMES = {f.name: f.names_at(ENDPOINT) for f in FORMATS.values()}
"""The names accepted for each format in ``format=``."""
HTML = FORMAT[PAGE, "html"].media_type
PLAIN = FORMAT[GRAPH, "ntriples"].aliases[0]
"""``text/plain``: too general to outrank HTML in :func:`prefers_html` unless named exactly."""


def _offers(candidates: Iterable[Format]) -> list[tuple[Format, tuple[str, ...]]]:
    return [(f, _MEDIA_TYPES[f.name]) for f in candidates]


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
        f for f in (TABULAR_FORMATS if kind == TABULAR else GRAPH_FORMATS) if not ask or f.name in ASK_FORMATS
    ]
    ranges = parse_accept(accept)
    if requested:
        keys = [item.split(";")[0].strip().lower() for item in requested.split(",")]
        named = [
            f for key in keys for f in candidates if key and (key in _NAMES[f.name] or key in _MEDIA_TYPES[f.name])
        ]
        named = list(dict.fromkeys(named))
        if not named:
            raise ProtocolError(
                406, f"format '{requested}' is not available for this result; use one of {_offer(candidates)}"
            )
        if len(named) == 1 or not ranges:
            return named[0], named[0].media_type
        return choose(ranges, _offers(named)) or (named[0], named[0].media_type)
    if not ranges:
        f = DEFAULT_FORMAT[kind]
        return f, f.media_type
    choice = choose(ranges, _offers(candidates))
    if choice is None:
        raise ProtocolError(
            406,
            f"none of the accepted media types ({accept}) is available for this result; use one of {_offer(candidates)}",
        )
    return choice


def _offer(candidates: Iterable[Format]) -> str:
    return ", ".join(f"{f.media_type} (format={f.name})" for f in candidates)


def prefers_html(accept: str | None) -> bool:
    """True when ``text/html`` is named explicitly and ranks at least as high as any result format."""
    ranges = parse_accept(accept)
    html_q, spec = quality(ranges, HTML)
    if html_q <= 0 or spec < TYPE_WILDCARD:
        return False
    offered = {mt: quality(ranges, mt) for types in _MEDIA_TYPES.values() for mt in types}
    others = max((q for mt, (q, _) in offered.items() if mt != PLAIN), default=0.0)
    return html_q >= others and not any(s == EXACT and q >= html_q for q, s in offered.values())
