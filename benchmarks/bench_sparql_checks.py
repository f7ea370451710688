"""Cost of the checks every SPARQL query passes before it runs (``bibkg.sparql.lexer``).

    python benchmarks/bench_sparql_checks.py [--repeat 200]

Prints, per case, the median time of :func:`check_federation` (the ``SERVICE`` refusal) and of
:func:`prefix_block` (the predeclared prefixes a remote store sends), in process, no store:

* every named query of ``queries/`` (the texts the server runs most; none mentions ``service``,
  so the federation check is one substring search; prefix_block is cached per text, the
  uncached tokenization is shown too);
* a query that mentions ``service`` in a literal (tokenized, then confirmed by pyoxigraph's parser);
* a 92 KB query with 2,000 ``"service …"`` literals (near the 100 KB ``max_query_bytes``);
* an allowed ``SERVICE`` (federation_allow) and a refused one.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from bibkg.sparql.catalog import default_catalog
from bibkg.sparql.lexer import FederationRefused, check_federation, prefix_block, undeclared_prefixes
from bibkg.vocab import PREFIXES

ENDPOINT = "http://127.0.0.1:9/sparql"


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def refused(query: str, allow: tuple[str, ...] = ()) -> Callable[[], None]:
    def run() -> None:
        try:
            check_federation(query, allow, prefixes=PREFIXES)
        except FederationRefused:
            return
        raise AssertionError("not refused")

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    named = [q.text for q in default_catalog()]
    big = "SELECT * WHERE { " + " ".join(f'?s <http://example.org/p{i}> "service {i}" .' for i in range(2000)) + " }"
    literal = 'SELECT ?x WHERE { ?p bibkg:title ?x FILTER(CONTAINS(?x, "web service")) }'
    service = f"SELECT * WHERE {{ SERVICE <{ENDPOINT}> {{ ?s ?p ?o }} }}"
    cases: list[tuple[str, Callable[[], object]]] = [
        (
            f"check_federation, all {len(named)} named queries (total)",
            lambda: [check_federation(q, prefixes=PREFIXES) for q in named],
        ),
        (
            f"prefix_block, all {len(named)} named queries (total, cached)",
            lambda: [prefix_block(q, PREFIXES) for q in named],
        ),
        ("the same, uncached (tokenize each)", lambda: [undeclared_prefixes(q) for q in named]),
        ("check_federation, 'service' in a literal", lambda: check_federation(literal, prefixes=PREFIXES)),
        (
            f"check_federation, {len(big) / 1000:.0f} KB, 2,000 'service' literals",
            lambda: check_federation(big, prefixes=PREFIXES),
        ),
        ("check_federation, allowed SERVICE", lambda: check_federation(service, (ENDPOINT,), prefixes=PREFIXES)),
        ("check_federation, refused SERVICE", refused(service)),
    ]
    print(f"{'case':<60} {'median ms':>10}")
    for name, fn in cases:
        repeat = max(5, args.repeat // 20) if "KB" in name else args.repeat
        print(f"{name:<60} {median_ms(fn, repeat):>10.3f}")


if __name__ == "__main__":
    main()
