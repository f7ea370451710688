"""Recognizing the schema queries and answering them from the counts of :mod:`bibkg.sparql.schema`.

:func:`recognize` parses a query (rdflib's SPARQL
algebra, only for short texts shaped like these queries) and accepts exactly these algebra
forms over the union default graph, with no ``FROM``:

* ``DISTINCT``/``REDUCED`` projection of the predicate of ``?s ?p ?o``, the class of
  ``?s a ?c`` or the graph of ``GRAPH ?g { ?s ?p ?o }`` (three distinct variables);
* ``GROUP BY`` that variable (or no ``GROUP BY``: the total) with ``COUNT(*)`` or ``COUNT`` of
  one of the pattern's variables (always bound, so the same number), and the group variable;
* then ``ORDER BY`` projected variables (``ASC``/``DESC``), ``LIMIT``, ``OFFSET``.

Anything else — a ``FILTER``, ``HAVING``, another aggregate, a blank node or literal among the
keys, a protocol dataset — is evaluated by Oxigraph as before.  Rows equal to within the
freedom SPARQL leaves (the order of rows that ``ORDER BY`` does not distinguish).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

import pyoxigraph as ox

from .schema import RDF_TYPE, SchemaStats

MAX_TEXT = 1024
"""Longer queries are never one of these shapes plus prefixes; they go to Oxigraph unparsed
(rdflib's parser needs 0.1 s for 1 KiB of PREFIX lines on a busy machine, 10 ms for a short
query)."""

_V = r"[?$][A-Za-z0-9_\u00B7-\uFFFF]+"
_SHAPE = re.compile(rf"\{{\s*(?:GRAPH\s+{_V}\s*\{{\s*)?{_V}\s+(?:{_V}|a|\S*type\S*)\s+{_V}\s*\.?\s*\}}", re.IGNORECASE)
"""The cheap test before parsing: the text has a group that is one all-variable pattern."""
_NEEDED = re.compile(r"\b(?:DISTINCT|REDUCED|COUNT)\b", re.IGNORECASE)
"""Every shape has one of these (``SELECT ?p … GROUP BY ?p`` alone is left to Oxigraph)."""
_OTHER = re.compile(
    r"\b(?:FILTER|OPTIONAL|UNION|MINUS|BIND|VALUES|SERVICE|HAVING|EXISTS|FROM|CONSTRUCT|DESCRIBE|ASK)\b", re.IGNORECASE
)
"""Keywords none of the shapes has: a text with one goes to Oxigraph unparsed (a keyword inside
a string or IRI costs only the shortcut)."""


@dataclass(frozen=True, slots=True)
class Shape:
    """A recognized query: which table, the output variables and the solution modifiers."""

    table: str
    """``predicates``, ``classes`` or ``graphs``; ``triples``/``quads`` for a total."""
    key: str | None
    """The output variable holding the table's key (``None``: not projected)."""
    counts: tuple[str, ...]
    """Output variables holding the count."""
    variables: tuple[str, ...]
    """The projection, in order."""
    order: tuple[tuple[str, bool], ...]
    """(variable, descending) of ``ORDER BY``."""
    offset: int
    limit: int | None


def recognize(sparql: str, prefixes: Mapping[str, str] | None = None, base_iri: str | None = None) -> Shape | None:
    """The :class:`Shape` of ``sparql`` if it is one of the schema queries, else ``None``
    (``prefixes`` predeclared, relative IRIs resolved against ``base_iri``, as Oxigraph does)."""
    if (len(sparql) > MAX_TEXT or sparql.count("{") > 3 or _OTHER.search(sparql)
            or not _NEEDED.search(sparql) or not _SHAPE.search(sparql)):  # fmt: skip
        return None
    text = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in (prefixes or {}).items()) + sparql
    query = next(_parsed(text, base_iri))
    if query is None:
        return None
    try:
        return _match(query.algebra)
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def _parsed(text: str, base_iri: str | None) -> Iterator[Any]:
    """rdflib's algebra of ``text`` (``None``: it cannot read it), computed in a generator's frame.

    rdflib's parser leaves reference cycles of exceptions and frames behind, and a frame that
    outlives its call keeps its caller's frame alive, up the stack: the query result a caller
    of :func:`recognize` binds later would then be freed by whichever thread's garbage
    collection finds the cycle (pyoxigraph's results must be freed on the thread that made
    them).  The chain of callers stops at a generator's frame, so the cycles reach no frame of
    ours."""
    try:
        from rdflib.plugins.sparql.algebra import translateQuery
        from rdflib.plugins.sparql.parser import parseQuery

        yield translateQuery(parseQuery(text), base=base_iri)
    except Exception:  # noqa: BLE001 - whatever rdflib cannot read, Oxigraph judges
        yield None


def _name(node: Any) -> str:
    return getattr(node, "name", "")


def _match(algebra: Any) -> Shape | None:
    from rdflib.term import URIRef, Variable

    if _name(algebra) != "SelectQuery" or algebra.get("datasetClause"):
        return None
    node = algebra.p
    offset, limit = 0, None
    if _name(node) == "Slice":
        offset, limit = int(node.start or 0), (None if node.length is None else int(node.length))
        node = node.p
    distinct = _name(node) in ("Distinct", "Reduced")
    if distinct:
        node = node.p
    if _name(node) != "Project":
        return None
    variables = tuple(str(v) for v in node.PV)
    node = node.p
    order: tuple[tuple[str, bool], ...] = ()
    if _name(node) == "OrderBy":
        conditions = []
        for cond in node.expr:
            expr, desc = (cond.expr, cond.order == "DESC") if _name(cond) == "OrderCondition" else (cond, False)
            if not isinstance(expr, Variable) or str(expr) not in variables:
                return None
            conditions.append((str(expr), desc))
        order = tuple(conditions)
        node = node.p
    renames: dict[str, str] = {}
    while _name(node) == "Extend":  # (aggregate AS ?var), bound by rdflib to __agg_i__
        if not isinstance(node.expr, Variable):
            return None
        renames[str(node.expr)] = str(node.var)
        node = node.p

    def pattern(p: Any) -> tuple[str, str] | None:
        """(table, key variable) of one all-variable pattern, ``GRAPH ?g`` around it or not."""
        graph = None
        if _name(p) == "Graph":
            if not isinstance(p.term, Variable):
                return None
            graph, p = str(p.term), p.p
        if _name(p) != "BGP" or len(p.triples) != 1:
            return None
        s, pr, o = p.triples[0]
        if graph is not None:
            names = [graph, s, pr, o]
            return (
                ("graphs", graph)
                if all(isinstance(t, Variable) for t in names[1:]) and len({str(t) for t in names}) == 4
                else None
            )
        if isinstance(s, Variable) and isinstance(o, Variable) and s != o:
            if pr == URIRef(RDF_TYPE):
                return "classes", str(o)
            if isinstance(pr, Variable) and pr not in (s, o):
                return "predicates", str(pr)
        return None

    if _name(node) != "AggregateJoin":  # SELECT DISTINCT ?key WHERE { pattern }
        found = pattern(node)
        if renames or not distinct or found is None or variables != (found[1],):
            return None
        return Shape(found[0], found[1], (), variables, order, offset, limit)

    group = node.p
    if _name(group) != "Group":
        return None
    found = pattern(group.p)
    if found is None:
        return None
    key: str | None
    table, key = found
    keys = group.get("expr")
    if keys is None:
        table, key = ("quads" if table == "graphs" else "triples"), None
        if found[0] == "classes":
            return None
    elif [str(k) for k in keys] != [key] or not all(isinstance(k, Variable) for k in keys):
        return None
    pattern_vars = {str(t) for t in _vars_of(group.p)}
    counts, sampled = [], []
    for agg in node.A:
        res = renames.get(str(agg.res))
        if _name(agg) == "Aggregate_Sample" and key is not None and str(agg.vars) == key:
            sampled.append(res)
        elif _name(agg) == "Aggregate_Count":
            target = agg.vars
            if agg.get("distinct") or (target != "*" and str(target) not in pattern_vars):
                return None
            counts.append(res)
        else:
            return None
    outputs = {v for v in counts + sampled if v is not None}
    if set(renames.values()) - outputs or not set(variables) <= outputs or not variables:
        return None
    key_out = next((v for v in sampled if v is not None), None)
    if distinct and key is not None and key_out not in variables:
        return None  # DISTINCT over counts alone would merge rows
    return Shape(table, key_out, tuple(v for v in counts if v is not None), variables, order, offset, limit)


def _vars_of(p: Any) -> list[Any]:
    from rdflib.term import Variable

    out = [p.term] if _name(p) == "Graph" else []
    bgp = p.p if _name(p) == "Graph" else p
    out += [t for t in bgp.triples[0] if isinstance(t, Variable)]
    return out


# --- answering ----------------------------------------------------------------------------------
def answer(shape: Shape, stats: SchemaStats) -> ox.QuerySolutions | None:
    """The solutions of ``shape`` from ``stats``; ``None`` if a key is not an IRI (then the
    order SPARQL defines across term kinds is left to Oxigraph)."""
    rows: list[tuple[str | None, int]]
    if shape.table in ("triples", "quads"):
        rows = [(None, stats.triples if shape.table == "triples" else stats.quads)]
    else:
        table: dict[str, int] = getattr(stats, shape.table)
        if any(not (k.startswith("<") and k.endswith(">")) for k in table):
            return None
        rows = [(k[1:-1], n) for k, n in table.items()]
    index = {shape.key: 0} if shape.key else {}
    index.update(dict.fromkeys(shape.counts, 1))
    for var, desc in reversed(shape.order):  # stable sorts, last condition first
        i = index[var]
        rows.sort(key=lambda r: r[i], reverse=desc)  # type: ignore[arg-type, return-value]
    end = None if shape.limit is None else shape.offset + shape.limit
    rows = rows[shape.offset : end]
    bindings = []
    for row in rows:
        b = {}
        for var in shape.variables:
            i = index[var]
            b[var] = (
                {"type": "uri", "value": row[0]}
                if i == 0
                else {"type": "literal", "value": str(row[1]), "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
            )
        bindings.append(b)
    doc = {"head": {"vars": list(shape.variables)}, "results": {"bindings": bindings}}
    # a results document with bindings: solutions, not a boolean
    return cast(ox.QuerySolutions, ox.parse_query_results(json.dumps(doc).encode(), format=ox.QueryResultsFormat.JSON))
