"""How the HTML pages read the graph: the named queries ``read/queries/ld-*.rq`` with IRIs bound
to their parameters, and the values of their terms."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from .. import vocab as V
from ..read.runner import QueryRunner

RDFS_LABEL = V.LABEL


def value_text(term: Any) -> str | None:
    return None if term is None else term.value


def run_named(runner: QueryRunner, name: str, **iris: str) -> Any:
    """Solutions of the named query ``name`` (``read/queries/ld-*.rq``) with IRIs bound to its parameters."""
    return runner.query_sync(runner.catalog[name].text, {k: ox.NamedNode(v) for k, v in iris.items()})
