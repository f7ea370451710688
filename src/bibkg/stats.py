"""Statistics of a store: triples, entities per class, named graphs."""

from __future__ import annotations

from typing import Any, cast

import pyoxigraph as ox

from .sparql.catalog import QueryCatalog
from .sparql.formats import term_text
from .store.local import LocalStore
from .store.oxigraph import OxigraphStore
from .vocab import PREFIXES


def _short(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def graph_statistics(local: LocalStore) -> dict[str, Any]:
    catalog = QueryCatalog.load()
    store = OxigraphStore.open(local)
    # the named queries are SELECTs
    classes = {
        _short(term_text(row["class"])): int(term_text(row["count"]))
        for row in cast(ox.QuerySolutions, store.query(catalog["class-counts"].text))
    }
    graphs = {
        term_text(row["graph"]): int(term_text(row["triples"]))
        for row in cast(ox.QuerySolutions, store.query(catalog["graph-sizes"].text))
    }
    # `bibkg load` puts the triples of a triple format (Turtle, N-Triples, RDF/XML) into the
    # default graph, which queries see (the union) but GRAPH ?g does not: count it too
    count = cast(ox.QuerySolutions, store.native.query(catalog["stats-default-graph"].text))
    default = int(next(iter(count))["n"].value)
    return {
        "store": str(local.current_snapshot()),
        "triples": sum(graphs.values()) + default,
        "default_graph_triples": default,
        "classes": classes,
        "graphs": graphs,
    }
