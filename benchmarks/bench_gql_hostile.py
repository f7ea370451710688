"""GraphQL against hostile and careless requests (issue 10): answer times, and /health meanwhile.

    python benchmarks/bench_gql_hostile.py --url http://127.0.0.1:8000
    python benchmarks/bench_gql_hostile.py --store /work/stores/full [--port 18150]

Against a running server (``--url``) or one it starts (``bibkg serve --store``, stopped at the
end), it measures, each with ``/health`` probed every 0.1 s meanwhile (its worst latency):

* the fragment bomb of issue 10 (F0…F{k}, each spreading the next twice) for k = 16, 20, 30,
  on ``Query`` and on ``Person`` — status and seconds;
* ``{ venues { id papers(first: 99) { … } } }`` — refused by cost (status, cost);
* a body of 10 MB — status and seconds;
* six concurrent title searches for common words (``papers(title:)``, distinct words, so the
  response cache does not answer them) — seconds each; and, for comparison, the same search as
  the named query ``gql-search-papers`` that ``papers(title:)`` ran before
  (its text, with the title bound in its ``VALUES`` block, posted to ``/sparql``, in the SPARQL
  worker pool: the read layer's queries are not run by name over HTTP).

Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from bibkg.sparql.catalog import apply_bindings, default_catalog

GRJ = "application/graphql-response+json"
WORDS = ["ing", "ion", "ati", "the", "tion", "ent"]


def bomb(k: int, on: str = "Query") -> str:
    spreads = " ".join(f"fragment F{i} on {on} {{ ...F{i + 1} ...F{i + 1} }}" for i in range(k))
    leaf = "__typename" if on == "Query" else "id name"
    head = "{ ...F0 }" if on == "Query" else '{ person(id: "yaodong-yang") { ...F0 } }'
    return f"{head} {spreads} fragment F{k} on {on} {{ {leaf} }}"


def with_health(url: str, work: Callable[[], Any]) -> tuple[Any, float, float | None]:
    """``work()``'s result, its seconds, and the worst /health latency meanwhile (None: a probe
    failed or took over 5 s)."""
    done = threading.Event()
    worst: list[float | None] = [0.0]

    def probe() -> None:
        while not done.is_set():
            started = time.perf_counter()
            try:
                ok = httpx.get(url + "/health", timeout=5).status_code == 200
            except httpx.HTTPError:
                ok = False
            took = time.perf_counter() - started
            if not ok:
                worst[0] = None
            elif worst[0] is not None:
                worst[0] = max(worst[0], took)
            done.wait(0.1)

    prober = threading.Thread(target=probe)
    prober.start()
    started = time.perf_counter()
    try:
        result = work()
    finally:
        seconds = time.perf_counter() - started
        done.set()
        prober.join()
    return result, seconds, worst[0]


def post(url: str, body: bytes | dict, timeout: float = 120) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(
        url + "/graphql", content=content, timeout=timeout, headers={"content-type": "application/json", "accept": GRJ}
    )


def describe(response: httpx.Response) -> str:
    try:
        error = response.json().get("errors", [{}])[0]
    except (ValueError, AttributeError):
        return str(response.status_code)
    code = error.get("extensions", {}).get("code", "")
    return f"{response.status_code} {code}".strip()


def run(url: str) -> list[tuple[str, str, float, float | None]]:
    rows = []
    for on in ("Query", "Person"):
        for k in (16, 20, 30):
            response, seconds, health = with_health(url, lambda k=k, on=on: post(url, {"query": bomb(k, on)}))
            rows.append((f"fragment bomb k={k} on {on}", describe(response), seconds, health))
    venues = "{ venues { id papers(first: 99) { totalCount edges { node { id title } } } } }"
    response, seconds, health = with_health(url, lambda: post(url, {"query": venues}))
    cost = response.json()["errors"][0]["extensions"].get("cost") if response.status_code == 400 else None
    rows.append((f"venues × papers(first: 99) (cost {cost})", describe(response), seconds, health))
    big = json.dumps({"query": "{ __typename }", "variables": {"pad": "x" * 10_000_000}}).encode()
    response, seconds, health = with_health(url, lambda: post(url, big))
    rows.append(("10 MB body", describe(response), seconds, health))

    def searches() -> list[tuple[str, float, int]]:
        out: list[tuple[str, float, int]] = []

        def one(word: str) -> None:
            started = time.perf_counter()
            r = post(url, {"query": f'{{ papers(title: "{word}", first: 5) {{ totalCount }} }}'})
            out.append((describe(r), time.perf_counter() - started, r.json()["data"]["papers"]["totalCount"]))

        threads = [threading.Thread(target=one, args=(w,)) for w in WORDS]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return out

    found, seconds, health = with_health(url, searches)
    matches = ", ".join(f"{n:,}" for _s, _t, n in found)
    rows.append(
        (
            f"6 concurrent title searches ({matches} matches), slowest",
            found[0][0],
            max(t for _s, t, _n in found),
            health,
        )
    )
    word = "alignment"
    named = default_catalog()["gql-search-papers"]
    text, rest = apply_bindings(named.text, named.bind({"title": word}))
    assert not rest, rest  # every parameter is in the query text: /sparql takes no bindings
    response, seconds, health = with_health(
        url,
        lambda: httpx.post(
            url + "/sparql",
            data={"query": text},
            headers={"accept": "application/sparql-results+json"},
            timeout=120,
        ),
    )
    rows.append(
        (
            f"before: named query gql-search-papers title={word} (one, in the worker pool)",
            str(response.status_code),
            seconds,
            health,
        )
    )
    return rows


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url")
    parser.add_argument("--store")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    proc = None
    url = args.url
    if url is None:
        if not args.store:
            parser.error("give --url or --store")
        port = args.port or _free_port()
        url = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "bibkg", "serve", "--store", args.store, "--port", str(port)], env=dict(os.environ)
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        # the people and title indexes and the data's sizes are built in the background: wait
        post(url, {"query": '{ people(name: "warm up", first: 1) { totalCount } }'})
        post(url, {"query": '{ papers(title: "warm-up", first: 1) { totalCount } }'})
    try:
        rows = run(url)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(30)
    print("| request | answer | seconds | worst /health meanwhile (s) |")
    print("|---|---|---:|---:|")
    for what, answer, seconds, health in rows:
        print(f"| {what} | {answer} | {seconds:.3f} | {'FAILED' if health is None else f'{health:.3f}'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
