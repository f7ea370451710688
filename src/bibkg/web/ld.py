"""Linked Data answers: content negotiation, RDF serializations of a description, the JSON-LD
``@context``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, cast

import pyoxigraph as ox

from ..accept import parse_accept
from ..errors import BibkgError
from ..export.formats import FORMATS
from ..vocab import BIBKG, PREFIXES, RDF, XSD

HTML = "text/html"
ALIASES = {
    "application/x-turtle": "text/turtle",
    "text/n3": "text/turtle",
    "text/plain": "application/n-triples",
    "application/json": "application/ld+json",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
    "application/xhtml+xml": HTML,
}
OFFERED = ["text/turtle", HTML, "application/ld+json", "application/n-triples", "application/rdf+xml"]
"""In order of preference when the client rates several equally (``*/*``: Turtle)."""
BY_FORMAT = {"ttl": "text/turtle", "turtle": "text/turtle", "nt": "application/n-triples",
             "ntriples": "application/n-triples", "jsonld": "application/ld+json",
             "json": "application/ld+json", "rdf": "application/rdf+xml", "rdfxml": "application/rdf+xml",
             "xml": "application/rdf+xml", "html": HTML}  # fmt: skip
_RDF_BY_MEDIA = {f.media_type: f.rdf for f in FORMATS.values()}


class NotAcceptable(BibkgError):
    """No format offered is acceptable (``Accept``, ``?format=``)."""

    status = 406


def negotiate(accept: str | None, fmt: str | None = None) -> str:
    """The media type to answer with; raises :class:`NotAcceptable` (→ 406)."""
    if fmt:
        try:
            return BY_FORMAT[fmt.lower()]
        except KeyError:
            raise NotAcceptable(f"format '{fmt}' is not offered; use one of {', '.join(sorted(BY_FORMAT))}") from None
    if not accept or not accept.strip():
        return OFFERED[0]
    ranges = [(ALIASES.get(media, media), q) for media, q in parse_accept(accept)]
    best: tuple[float, int, str] | None = None
    for rank, offer in enumerate(OFFERED):
        specificity, q_offer = -1, 0.0
        for media, q in ranges:
            if media == offer:
                spec = 2
            elif media.endswith("/*") and media != "*/*" and offer.startswith(media[:-1]):
                spec = 1
            elif media == "*/*":
                spec = 0
            else:
                continue
            if spec > specificity:  # the most specific range decides the offer's q
                specificity, q_offer = spec, q
        if q_offer > 0 and (best is None or (q_offer, -rank) > (best[0], best[1])):
            best = (q_offer, -rank, offer)
    if best is None:
        raise NotAcceptable(f"none of the accepted types ({accept}) is offered; available: {', '.join(OFFERED)}")
    return best[2]


def sorted_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    return sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def serialize(triples: list[ox.Triple], media_type: str, *, context_url: str) -> bytes:
    if media_type == "application/ld+json":
        return json.dumps(to_jsonld(triples, context_url), ensure_ascii=False, indent=1).encode()
    fmt = _RDF_BY_MEDIA[media_type]
    prefixes = dict(sorted(PREFIXES.items())) if fmt != ox.RdfFormat.N_TRIPLES else None
    return cast(bytes, ox.serialize(triples, format=fmt, prefixes=prefixes))  # no output: the bytes are returned


# --- JSON-LD ------------------------------------------------------------------------------------------
def context() -> dict:
    """The published ``@context``: the project's prefixes, ``@vocab`` bibkg, ``id``/``type``."""
    ctx: dict[str, object] = {"@vocab": BIBKG, "id": "@id", "type": "@type"}
    ctx.update(dict(sorted(PREFIXES.items())))
    return {"@context": ctx}


def _compact_iri(iri: str) -> str:
    if iri.startswith(BIBKG) and iri[len(BIBKG) :].replace("_", "").isalnum():
        return iri[len(BIBKG) :]
    for prefix, ns in sorted(PREFIXES.items()):
        if ns != BIBKG and iri.startswith(ns) and iri[len(ns) :] and iri[len(ns) :].replace("_", "").isalnum():
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _value(term: object) -> object:
    if isinstance(term, ox.NamedNode):
        return {"id": term.value}
    if isinstance(term, ox.BlankNode):
        return {"id": f"_:{term.value}"}
    assert isinstance(term, ox.Literal)
    if term.language:
        return {"@value": term.value, "@language": term.language}
    dt = term.datatype.value
    if dt == XSD + "string":
        return term.value
    return {"@value": term.value, "@type": _compact_iri(dt)}


def to_jsonld(triples: list[ox.Triple], context_url: str) -> dict:
    """Compacted JSON-LD against the published context (``@vocab`` bibkg, prefixes)."""
    nodes: dict[str, dict[str, Any]] = {}  # "id": the subject's IRI, every other key: a list of values
    for t in sorted_triples(triples):
        node = nodes.setdefault(str(t.subject.value), {"id": t.subject.value})  # type: ignore[union-attr]  # stubs: a subject is never a Triple
        if t.predicate.value == RDF + "type" and isinstance(t.object, ox.NamedNode):
            node.setdefault("type", []).append(_compact_iri(t.object.value))
            continue
        node.setdefault(_compact_iri(t.predicate.value), []).append(_value(t.object))
    graph = []
    for node in nodes.values():
        graph.append({k: (v[0] if isinstance(v, list) and len(v) == 1 and k != "type" else v) for k, v in node.items()})
    return {"@context": context_url, "@graph": graph}
