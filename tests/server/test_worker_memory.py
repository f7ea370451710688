"""A query worker gives back what a burst of work left in it (issue 10: RSS +28 % after slow
readers, held in the workers' store caches): once idle, a worker that grew past its ready size
closes its snapshot, trims its heap and reopens it — on the full corpus, where one query that
reads every abstract fills the caches."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from pool_process_util import serve

from bibkg.server.worker_memory import RELEASE_IDLE
from bibkg.store.local import LocalStore

READ_EVERYTHING = """PREFIX bibkg: <https://w3id.org/bibkg/ns#>
SELECT (SUM(STRLEN(?a)) AS ?n) (COUNT(?a) AS ?k) WHERE { ?p bibkg:abstract ?a }"""


def rss_mib(pid: int) -> float:
    """Resident set size of process ``pid``, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


@pytest.mark.corpus
def test_an_idle_worker_gives_back_what_a_burst_left(corpus_store: LocalStore) -> None:
    with serve(corpus_store.root, query_workers=1) as server:
        workers = sorted(server.workers())
        time.sleep(1.0)
        ready = sum(rss_mib(w) for w in workers)
        response = httpx.get(
            server.url + "/sparql", params={"query": READ_EVERYTHING}, headers={"Accept": "text/csv"}, timeout=60
        )
        assert response.status_code == 200, response.text
        assert int(response.text.split()[1].split(",")[1]) > 50_000  # it did read every abstract
        grown = sum(rss_mib(w) for w in workers)
        assert grown > ready + 40, f"the query did not grow the workers ({ready:.0f} → {grown:.0f} MiB)"
        end = time.monotonic() + RELEASE_IDLE + 10
        while time.monotonic() < end and sum(rss_mib(w) for w in workers) > ready * 1.10:
            time.sleep(0.5)
        after = sum(rss_mib(w) for w in workers)
        assert sorted(server.workers()) == workers  # the same processes: nothing was killed
        assert after <= ready * 1.10, f"ready {ready:.0f} MiB, after the query {grown:.0f}, idle {after:.0f}"
        # and it still answers
        again = httpx.get(
            server.url + "/sparql", params={"query": READ_EVERYTHING}, headers={"Accept": "text/csv"}, timeout=60
        )
        assert again.text == response.text
