"""Serializing query results: the SPARQL result formats, RDF formats, and a text table."""

from __future__ import annotations

from typing import TypedDict, cast

import pyoxigraph as ox

from ..store.base import QueryResult
from ..vocab import PREFIXES
from . import negotiation

RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {f.name: f.results for f in negotiation.TABULAR_FORMATS}
"""The formats of SELECT/ASK results (the endpoint's), by name."""
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {f.name: f.rdf for f in negotiation.GRAPH_FORMATS}
"""The formats of CONSTRUCT/DESCRIBE results (the endpoint's), by name."""


def term_text(term: object) -> str:
    """A term as a person reads it: IRIs and literals by value, blank nodes as ``_:id``."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(getattr(term, "value", term))


def render_table(result: ox.QuerySolutions, max_width: int = 60) -> str:
    """Rows as an aligned text table (IRIs shortened with the project's prefixes)."""
    variables = [v.value for v in result.variables]
    rows = [[_short(s[v]) for v in variables] for s in result]
    if not variables:
        return ""
    widths = [min(max_width, max([len(v)] + [len(r[i]) for r in rows])) for i, v in enumerate(variables)]

    def line(cells: list[str]) -> str:
        return "  ".join(_clip(c, w).ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()

    out = [line(variables), line(["-" * w for w in widths])]
    out.extend(line(r) for r in rows)
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _short(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        for prefix, ns in PREFIXES.items():
            if term.value.startswith(ns):
                return f"{prefix}:{term.value[len(ns) :]}"
    return term_text(term)


class _SerializeOptions(TypedDict, total=False):
    prefixes: dict[str, str]


def graph_bytes(triples: list[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    """Serialize triples, with the project's prefixes where the format has prefixes."""
    kwargs: _SerializeOptions = {"prefixes": PREFIXES} if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else {}
    return cast(bytes, ox.serialize(triples, format=fmt, **kwargs))  # no output given: the bytes are returned


def serialize(result: QueryResult, fmt: str) -> bytes:
    """Serialize ``result`` as ``fmt`` (a key of RESULT_FORMATS, GRAPH_FORMATS, or ``table``).

    Raises:
        ValueError: ``fmt`` does not fit the kind of result (e.g. ``turtle`` for a SELECT).
    """
    if isinstance(result, ox.QueryTriples):
        if fmt == "table":
            fmt = "turtle"
        if fmt not in GRAPH_FORMATS:
            raise ValueError(f"a CONSTRUCT/DESCRIBE result is a graph: use one of {', '.join(GRAPH_FORMATS)}")
        return graph_bytes(list(result), GRAPH_FORMATS[fmt])
    if fmt == "table":
        if isinstance(result, ox.QueryBoolean):
            return (b"true" if bool(result) else b"false") + b"\n"
        return (render_table(result) + "\n").encode()
    if fmt not in RESULT_FORMATS:
        raise ValueError(f"a SELECT/ASK result is a table: use one of table, {', '.join(RESULT_FORMATS)}")
    return cast(bytes, result.serialize(format=RESULT_FORMATS[fmt]))  # no output given: the bytes are returned
