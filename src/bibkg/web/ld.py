"""Linked Data answers: content negotiation, RDF serializations of a description, the JSON-LD
``@context``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, cast

import pyoxigraph as ox

from ..accept import choose, parse_accept, rewrite
from ..errors import BibkgError
from ..formats import FORMAT, GRAPH, PAGE, PAGES
from ..vocab import BIBKG, PREFIXES, RDF, XSD

_OFFERS = (FORMAT[GRAPH, "turtle"], FORMAT[PAGE, "html"], FORMAT[GRAPH, "jsonld"], FORMAT[GRAPH, "ntriples"],
           FORMAT[GRAPH, "rdfxml"])  # fmt: skip
"""What the pages offer, in order of preference when the client rates several equally
(``*/*``: Turtle).  A wildcard matches only their own media types, a more specific match does
not outrank an earlier offer, and an alias of the table counts as its main media type."""
HTML = FORMAT[PAGE, "html"].media_type
JSON_LD = FORMAT[GRAPH, "jsonld"].media_type
OFFERED = [f.media_type for f in _OFFERS]
ALIASES = {alias: f.media_type for f in _OFFERS for alias in f.media_types_at(PAGES)[1:]}
"""Alias → the media type it stands for (``text/plain`` → N-Triples, ``application/json`` → JSON-LD)."""
BY_FORMAT = {name: f.media_type for f in _OFFERS for name in f.names_at(PAGES)}
"""``?format=`` names → media type."""
_RDF_BY_MEDIA = {f.media_type: f.rdf for f in _OFFERS if f.kind == GRAPH}
_CHOICES = [(mt, (mt,)) for mt in OFFERED]


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
    ranges = rewrite(parse_accept(accept), ALIASES)
    choice = choose(ranges, _CHOICES, specific_first=False)
    if choice is None:
        raise NotAcceptable(f"none of the accepted types ({accept}) is offered; available: {', '.join(OFFERED)}")
    return choice[0]


def sorted_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    return sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def serialize(triples: list[ox.Triple], media_type: str, *, context_url: str) -> bytes:
    if media_type == JSON_LD:
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
