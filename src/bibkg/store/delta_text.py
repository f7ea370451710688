"""Quads and graph texts given to a delta (:mod:`bibkg.store.delta`): checked, and written
exactly as bibkg's mapping writes them (:mod:`bibkg.mapping.terms`), so that a graph changed by
a delta has the text a cold ingest of the same graph would have."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from ..errors import DeltaError
from ..mapping.terms import GraphText, QuadWriter, escape

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def checked_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    out = []
    for index, quad in enumerate(quads):
        if not isinstance(quad, ox.Quad):
            raise DeltaError(f"quad {index}: expected a pyoxigraph Quad, got {type(quad).__name__}")
        if not isinstance(quad.graph_name, ox.NamedNode):
            raise DeltaError(f"quad {index}: every quad of a delta belongs to a named graph, not the default graph")
        _check_terms(index, (quad.subject, quad.predicate, quad.object))
        out.append(quad)
    return out


def _check_terms(index: int, terms: Iterable[Any]) -> None:
    for term in terms:
        if isinstance(term, ox.BlankNode):
            raise DeltaError(f"quad {index}: blank nodes are not allowed in bibkg's graph (every node has an IRI)")
        if isinstance(term, ox.Triple):
            raise DeltaError(f"quad {index}: quoted triples are not allowed in bibkg's graph")


def term_text(term: ox.NamedNode | ox.Literal) -> str:
    """A term as bibkg's mapping writes it in N-Quads (:mod:`bibkg.mapping.terms`)."""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    text = f'"{escape(term.value)}"'
    if term.language:
        return f"{text}@{term.language}"
    datatype = term.datatype.value
    return text if datatype in (_XSD_STRING, _RDF_LANG_STRING) else f"{text}^^<{datatype}>"


def nquad_line(quad: ox.Quad) -> str:
    """``quad`` as one N-Quads line, exactly as the mapping writes it."""
    # the quads of a delta: checked_quads excluded blank nodes, quoted triples and the default graph
    return (
        f"{term_text(quad.subject)} {term_text(quad.predicate)} {term_text(quad.object)} <{quad.graph_name.value}> .\n"  # type: ignore[arg-type, union-attr]
    )


def text_from_lines(iri: str, lines: list[bytes]) -> GraphText:
    """A graph's text from its N-Quads lines (in bibkg's form), Turtle included."""
    out = QuadWriter(iri)
    suffix = f" <{iri}> .\n".encode()
    for number, line in enumerate(lines, start=1):
        if not line.endswith(suffix) or not line.startswith(b"<"):
            raise DeltaError(f"graph {iri}, line {number}: not an N-Quads line of this graph: {line[:200]!r}")
        body = line[: -len(suffix)].decode()
        s_end = body.find("> <")
        p_end = body.find("> ", s_end + 3)
        if s_end < 0 or p_end < 0:
            raise DeltaError(f"graph {iri}, line {number}: not an N-Quads line in bibkg's form: {line[:200]!r}")
        out.add(body[1:s_end], body[s_end + 3 : p_end], body[p_end + 2 :])
    return out.finish()


def graph_text(iri: str, content: GraphText | bytes | str | Iterable[ox.Quad]) -> GraphText:
    if isinstance(content, GraphText):
        if content.iri != iri:
            raise DeltaError(f"graph text for {content.iri} given as the content of {iri}")
        return content
    if isinstance(content, str):
        content = content.encode()
    if isinstance(content, bytes):
        try:
            quads = list(ox.parse(content, ox.RdfFormat.N_QUADS))
        except SyntaxError as exc:
            raise DeltaError(f"graph {iri}: malformed N-Quads: {exc}") from None
        for index, quad in enumerate(quads):
            if quad.graph_name != ox.NamedNode(iri):
                raise DeltaError(f"graph {iri}, quad {index}: in graph {quad.graph_name}, not in {iri}")
        return graph_text(iri, quads)
    out = QuadWriter(iri)
    for index, quad in enumerate(content):
        if not isinstance(quad, (ox.Quad, ox.Triple)):
            raise DeltaError(f"graph {iri}, quad {index}: expected a pyoxigraph Quad, got {type(quad).__name__}")
        _check_terms(index, (quad.subject, quad.predicate, quad.object))
        # _check_terms excluded blank nodes and quoted triples
        out.add(quad.subject.value, quad.predicate.value, term_text(quad.object))  # type: ignore[union-attr, arg-type]
    return out.finish()
