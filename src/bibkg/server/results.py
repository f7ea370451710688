"""Capped serialization of query results in the four SPARQL result formats and the RDF formats.

Oxigraph's own serializers write a whole result; the endpoint must stop at ``max_rows`` rows and
``max_bytes`` bytes and say so, so SELECT results are written here row by row (following the
W3C result format specifications: JSON, XML, CSV, TSV) and graph results are collected up to the
cap and handed to Oxigraph's RDF serializers.  No web framework is imported: this runs in the
query worker processes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from xml.sax.saxutils import escape as _xml_escape

import pyoxigraph as ox

from ..sparql.formats import graph_bytes
from ..sparql.negotiation import GRAPH_FORMATS

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(slots=True)
class Serialized:
    payload: bytes
    format: str
    kind: str  # "tabular" | "graph"
    form: str  # "SELECT" | "ASK" | "GRAPH"
    rows: int
    truncated: str | None = None
    """``None``, or which cap cut the result: ``max_rows`` or ``max_bytes``."""


# --- terms ------------------------------------------------------------------------------------------


def _json_term(term: object) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        value = _xml_escape(term.value)
        if term.language:
            return f'<literal xml:lang="{_xml_escape(term.language, {chr(34): "&quot;"})}">{value}</literal>'
        if term.datatype.value != XSD_STRING:
            return f'<literal datatype="{_xml_escape(term.datatype.value, {chr(34): "&quot;"})}">{value}</literal>'
        return f"<literal>{value}</literal>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
            f"</predicate><object>{_xml_term(term.object)}</object></triple>"
        )
    raise TypeError(f"not an RDF term: {term!r}")


def _csv_field(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, ox.NamedNode | ox.Literal):
        text = term.value
    else:
        text = str(term)
    if any(c in text for c in '",\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _tsv_field(term: object) -> str:
    if term is None:
        return ""
    return str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# --- SELECT / ASK -------------------------------------------------------------------------------------


def serialize_boolean(value: bool, fmt: str) -> Serialized:
    if fmt == "json":
        data = json.dumps({"head": {}, "boolean": value}).encode()
    elif fmt == "xml":
        data = (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head></head><boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        ).encode()
    else:  # csv/tsv: not defined by the specifications; the common convention
        data = (b"true" if value else b"false") + b"\n"
    return Serialized(data, fmt, "tabular", "ASK", 1)


def serialize_solutions(solutions: ox.QuerySolutions, fmt: str, *, max_rows: int, max_bytes: int) -> Serialized:
    variables = [v.value for v in solutions.variables]
    parts: list[str] = []
    size = 0
    rows = 0
    truncated: str | None = None
    if fmt == "json":
        head = '{"head":{"vars":' + json.dumps(variables) + '},"results":{"bindings":['
        tail = "]}}\n"
        sep = ","

        def row_text(s: ox.QuerySolution) -> str:
            return json.dumps({v: _json_term(s[v]) for v in variables if s[v] is not None}, ensure_ascii=False)

    elif fmt == "xml":
        head = (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
            + "".join(f'<variable name="{v}"/>' for v in variables)
            + "</head><results>\n"
        )
        tail = "</results></sparql>\n"
        sep = "\n"

        def row_text(s: ox.QuerySolution) -> str:
            cells = "".join(f'<binding name="{v}">{_xml_term(s[v])}</binding>' for v in variables if s[v] is not None)
            return f"<result>{cells}</result>"

    elif fmt == "csv":
        head = ",".join(variables) + "\r\n"
        tail = ""
        sep = ""

        def row_text(s: ox.QuerySolution) -> str:
            return ",".join(_csv_field(s[v]) for v in variables) + "\r\n"

    elif fmt == "tsv":
        head = "\t".join(f"?{v}" for v in variables) + "\n"
        tail = ""
        sep = ""

        def row_text(s: ox.QuerySolution) -> str:
            return "\t".join(_tsv_field(s[v]) for v in variables) + "\n"

    else:
        raise ValueError(f"unknown result format {fmt}")
    size = len(head) + len(tail)
    for solution in solutions:
        if rows >= max_rows:
            truncated = "max_rows"
            break
        text = row_text(solution)
        added = len(text.encode("utf-8")) + (len(sep) if rows else 0)
        if size + added > max_bytes:
            truncated = "max_bytes"
            break
        if rows and sep:
            parts.append(sep)
        parts.append(text)
        size += added
        rows += 1
    data = (head + "".join(parts) + tail).encode("utf-8")
    return Serialized(data, fmt, "tabular", "SELECT", rows, truncated)


# --- CONSTRUCT / DESCRIBE ------------------------------------------------------------------------------


def serialize_triples(triples: object, fmt: str, *, max_rows: int, max_bytes: int) -> Serialized:
    kept: list[ox.Triple] = []
    size = 0
    truncated: str | None = None
    for triple in triples:  # type: ignore[attr-defined]
        if len(kept) >= max_rows:
            truncated = "max_rows"
            break
        size += len(str(triple)) + 3
        if size > max_bytes:
            truncated = "max_bytes"
            break
        kept.append(triple)
    data = graph_bytes(kept, _RDF[fmt])
    return Serialized(data, fmt, "graph", "GRAPH", len(kept), truncated)


_RDF = {f.name: f.rdf for f in GRAPH_FORMATS}


def serialize_result(result: object, tabular: str, graph: str, *, max_rows: int, max_bytes: int) -> Serialized:
    """Serialize any query result in the format chosen for its kind."""
    if isinstance(result, ox.QueryBoolean):
        return serialize_boolean(bool(result), tabular)
    if isinstance(result, ox.QuerySolutions):
        return serialize_solutions(result, tabular, max_rows=max_rows, max_bytes=max_bytes)
    return serialize_triples(result, graph, max_rows=max_rows, max_bytes=max_bytes)
