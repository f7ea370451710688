"""How the HTML pages read the graph: the named queries ``read/queries/ld-*.rq`` with IRIs bound
to their parameters, the values of their terms, and threads for a page's independent queries."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyoxigraph as ox

from .. import vocab as V
from ..services import QueryRunner

RDFS_LABEL = V.LABEL


def value_text(term: Any) -> str | None:
    return None if term is None else term.value


def run_named(runner: QueryRunner, name: str, **iris: str) -> Any:
    """Solutions of the named query ``name`` (``read/queries/ld-*.rq``) with IRIs bound to its parameters."""
    return runner.query_sync(runner.catalog[name].text, {k: ox.NamedNode(v) for k, v in iris.items()})


_POOL: tuple[int, ThreadPoolExecutor] | None = None


def page_threads() -> ThreadPoolExecutor:
    """Threads for the independent queries of a page (pyoxigraph evaluates without the GIL); one
    pool per process (a forked worker makes its own)."""
    global _POOL
    if _POOL is None or _POOL[0] != os.getpid():
        _POOL = (os.getpid(), ThreadPoolExecutor(max_workers=4, thread_name_prefix="bibkg-page"))
    return _POOL[1]
