"""GraphQL "preprint by arXiv id with its Anthology paper and linked authors" over HTTP.

    python benchmarks/bench_hf_graphql.py --store /work/stores/hf-full [--port 8160] [--requests 200]

Starts ``bibkg serve`` on STORE (which must hold the Daily Papers: ``bibkg ingest HF_DIR``) twice,
with the response cache off (every request executed: cold) and on (the default: warm), and
measures sequential requests cycling through every preprint linked to an Anthology paper, with
the lean keep-alive client of bench_graphql.py. Target (issue 15): p50 ≤ 10 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_graphql import _pct, _sequential

QUERY = """query($id: ID!) { preprint(arxivId: $id) { arxivId title date authorCount
  publishedAs { score titleSimilarity authorOverlap yearGap method paper { id title year venues { id } } }
  authors { position printedName hfAccount link { score nameSimilarity person { id name } } } } }"""
LINKED = "SELECT DISTINCT ?id WHERE { ?p bibkg:publishedAs ?paper ; bibkg:arxivId ?id }"


def serve(store: str, port: int, cache: bool) -> subprocess.Popen:
    env = dict(os.environ)
    if not cache:
        env["BIBKG_GRAPHQL_RESPONSE_CACHE_MB"] = "0"
    bibkg = Path(sys.executable).with_name("bibkg")
    proc = subprocess.Popen(
        [str(bibkg), "serve", "--store", store, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--port", type=int, default=8160)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    for label, cache in (("cold (response cache off)", False), ("warm (response cache on)", True)):
        proc = serve(args.store, args.port, cache)
        try:
            found = httpx.get(
                f"{base}/sparql",
                params={"query": LINKED},
                timeout=120,
                headers={"Accept": "application/sparql-results+json"},
            ).json()["results"]["bindings"]
            ids = sorted(row["id"]["value"] for row in found)
            variables = [{"id": i} for i in ids]
            for _ in range(12):  # the first request waits for the server's start-up work (data sizes)
                first = httpx.post(f"{base}/graphql", json={"query": QUERY, "variables": variables[0]}, timeout=120)
                if first.status_code == 200 and "errors" not in first.json():
                    break
            asyncio.run(_sequential(base, QUERY, variables, 50))  # warm-up
            times = asyncio.run(_sequential(base, QUERY, variables, args.requests))
            print(
                f"{label}: {len(ids)} linked preprints, {args.requests} requests: "
                f"p50 {statistics.median(times):.1f} ms, p99 {_pct(times, 99):.1f} ms (target p50 <= 10 ms)"
            )
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
