"""A query worker is warm when it says ready: a fresh worker's first schema query (``COUNT(*)``,
answered from the counts kept with the snapshot) costs milliseconds, not the ~0.3 s of importing
the recognizer's parser — which passed the 0.5 s minimum deadline on a busy machine, got the
worker killed and its replacement started over (bench_attacks, ``timeout=1e-9``: 44 load errors)."""

from __future__ import annotations

import httpx
from pool_process_util import serve

from bibkg.store.local import LocalStore

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_first_schema_query_of_a_fresh_worker_is_fast(sample_store: LocalStore) -> None:
    with serve(sample_store.root, query_workers=1) as server:
        response = httpx.get(server.url + "/sparql", params={"query": COUNT}, timeout=30)
        assert response.status_code == 200, response.text
        seconds = float(response.headers["X-Bibkg-Query-Seconds"])
        assert seconds < 0.05, f"the worker's first schema query took {seconds:.3f} s"
