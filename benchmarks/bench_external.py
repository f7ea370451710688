"""bibkg over an external SPARQL server vs the embedded store: cold latency per request.

The external servers are installed, loaded with the store's published N-Quads dump
(``STORE/dumps/<snapshot>/bibkg.nq``) and started by the repo's own script,
``scripts/external-servers.sh`` (install, start and load times are printed as it reports them;
a server directory already loaded from the same dump is reused).  Then the same requests go to
bibkg in process (ASGI, no network between client and bibkg) over the embedded store and over
each server: every named query (entity parameters with data in the Aug 2024 corpus:
``FULL_CORPUS_VALUES``, else the query's example), the GraphQL seed question and
``people(name:)``, HTML and RDF (N-Triples) pages of one entity per kind.

Each server is timed twice (``--files``): bibkg over the endpoint alone, and with the store as
the endpoint's snapshot (``serve --sparql-endpoint URL --store STORE``: its paper cards and kept
schema counts answer listings and counts while the endpoint holds its data).

"Cold" is the first request of each kind on a freshly started bibkg (nothing cached: the
embedded store caches HTML pages and the name index, an external store does not cache pages);
"warm" is the median of ``--repeat`` more.  Target (issue 11): external cold within 3x of
embedded cold.

    python benchmarks/bench_external.py --store /work/stores/full --servers oxigraph,virtuoso \\
        --dir /tmp/bench-external --port 18830

Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "external-servers.sh"

SEED = """query($person: ID, $event: ID) { coauthors(person: $person, event: $event) {
  totalCount paperCount edges { count node { id name } papers { id } } } }"""
PEOPLE = """query($name: String!) { people(name: $name) { totalCount edges { match node { id name } } } }"""


FULL_CORPUS_VALUES = {  # parameter type -> a value with data in the Aug 2024 corpus (the examples are 2025's)
    "person": "jie-zhou", "event": "acl-2024", "venue": "acl", "volume": "2024.acl-long", "paper": "2024.acl-long.1",
}  # fmt: skip


def requests_to_time(catalog, entities: dict[str, str], person: str, event: str) -> list[tuple[str, str, dict]]:
    """(label, method/path, kwargs) of every request timed.

    A public named query runs at ``/queries/NAME``; an internal one (the read layer's, not run by
    name over HTTP) is posted to ``/sparql`` with its parameters in its ``VALUES`` placeholders,
    and left out when one of them is bound by substitution only (the pages that run it are timed)."""
    from bibkg.sparql.catalog import apply_bindings

    out: list[tuple[str, str, dict]] = []
    accept = {"Accept": "application/sparql-results+json, application/n-triples;q=0.9"}
    for query in catalog:
        if not all(p.example is not None or p.default is not None or not p.required for p in query.params):
            continue
        params = {}
        for p in query.params:
            value = FULL_CORPUS_VALUES.get(p.type) or p.example or p.default
            if p.name == "year" and p.example:
                value = "2024"
            if value is not None:
                params[p.name] = value
        if not query.internal:
            out.append((f"query {query.name}", f"/queries/{query.name}", {"params": params, "headers": accept}))
            continue
        text, rest = apply_bindings(query.text, query.bind(params))
        if not rest:
            out.append((f"query {query.name}", "POST /sparql", {"data": {"query": text}, "headers": accept}))
    out.append(
        (
            f"graphql coauthors({person}, {event})",
            "POST /graphql",
            {"json": {"query": SEED, "variables": {"person": person, "event": event}}},
        )
    )
    out.append(
        (
            'graphql people(name: "Yang Liu")',
            "POST /graphql",
            {"json": {"query": PEOPLE, "variables": {"name": "Yang Liu"}}},
        )
    )
    for kind, path in entities.items():
        out.append((f"html {kind} {path}", path, {"headers": {"Accept": "text/html"}}))
        out.append((f"rdf {kind} {path}", path, {"headers": {"Accept": "application/n-triples"}}))
    return out


def time_app(settings, items, repeat: int) -> dict[str, tuple[float, float, int]]:
    """label -> (cold seconds, warm median seconds, status) on a fresh app."""
    from fastapi.testclient import TestClient

    from bibkg.server.app import create_app

    results: dict[str, tuple[float, float, int]] = {}
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        for label, target, kwargs in items:
            method, _, path = target.rpartition(" ")
            call = client.post if method == "POST" else client.get
            started = time.perf_counter()
            response = call(path, **kwargs)
            cold = time.perf_counter() - started
            warm = []
            for _ in range(repeat):
                started = time.perf_counter()
                call(path, **kwargs)
                warm.append(time.perf_counter() - started)
            status = response.status_code
            if method == "POST" and status == 200 and response.json().get("errors"):
                status = 500
            results[label] = (cold, statistics.median(warm) if warm else cold, status)
            print(f"  {label}: {cold * 1000:.0f} ms cold, status {status}", file=sys.stderr)
    return results


def start(kind: str, dump: Path, directory: Path, port: int) -> str:
    subprocess.run(["bash", str(SCRIPT), "install", kind], check=True)
    done = subprocess.run(
        ["bash", str(SCRIPT), "start", kind, str(dump), str(directory), str(port)],
        check=True,
        capture_output=True,
        text=True,
    )
    sys.stderr.write(done.stderr)
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a full-corpus store (read only)")
    parser.add_argument("--servers", default="oxigraph", help="comma-separated: oxigraph, virtuoso")
    parser.add_argument(
        "--dir", type=Path, default=Path("/tmp/bibkg-bench-external"), help="server directories (reused)"
    )
    parser.add_argument("--port", type=int, default=18830, help="first port (each server takes two)")
    parser.add_argument("--repeat", type=int, default=3, help="warm requests per item")
    parser.add_argument("--timeout", type=float, default=60.0, help="bibkg's query timeout for both")
    parser.add_argument(
        "--files",
        choices=("without", "with", "both"),
        default="both",
        help="bibkg over each server without and/or with the store's snapshot files (serve --store with "
        "--sparql-endpoint: its paper cards and kept counts)",
    )
    parser.add_argument(
        "--only", default="", help="comma-separated substrings: time only the requests whose label has one"
    )
    args = parser.parse_args()

    from bibkg.server.settings import ServerSettings
    from bibkg.sparql.catalog import QueryCatalog
    from bibkg.store.local import LocalStore

    local = LocalStore(args.store)
    snapshot = local.current_snapshot()
    dump = args.store / "dumps" / snapshot.name / "bibkg.nq"
    if not dump.is_file():
        sys.exit(f"no N-Quads dump at {dump} (bibkg export --store {args.store} --format nquads -o …)")
    entities = {
        "person": f"/people/{FULL_CORPUS_VALUES['person']}/", "paper": "/2024.acl-long.1/", "volume": "/volumes/2024.acl-long/",
        "event": "/events/acl-2024/", "venue": "/venues/acl/",
    }  # fmt: skip
    items = requests_to_time(QueryCatalog.load(), entities, FULL_CORPUS_VALUES["person"], FULL_CORPUS_VALUES["event"])
    if args.only:
        items = [item for item in items if any(word in item[0] for word in args.only.split(","))]
    print(f"embedded store {args.store} ({snapshot.name})", file=sys.stderr)
    embedded = time_app(
        ServerSettings(store_dir=args.store, query_timeout=args.timeout, query_workers=2), items, args.repeat
    )
    columns = {"embedded": embedded}
    for i, kind in enumerate(k for k in args.servers.split(",") if k):
        endpoint = start(kind, dump, args.dir / kind, args.port + 2 * i)
        print(f"{kind} at {endpoint}", file=sys.stderr)
        if args.files in ("without", "both"):
            columns[kind] = time_app(
                ServerSettings(sparql_endpoint=endpoint, query_timeout=args.timeout), items, args.repeat
            )
        if args.files in ("with", "both"):  # serve --sparql-endpoint URL --store STORE (bibkg.store.companion)
            print(f"{kind} with the snapshot's files", file=sys.stderr)
            columns[f"{kind}+files"] = time_app(
                ServerSettings(sparql_endpoint=endpoint, store_dir=args.store, query_timeout=args.timeout),
                items,
                args.repeat,
            )
    names = list(columns)
    print(f"\n{os.cpu_count()} cores; cold = first request on a fresh bibkg, warm = median of {args.repeat}\n")
    header = (
        "| request | "
        + " | ".join(f"{n} cold | {n} warm" for n in names)
        + " | "
        + " | ".join(f"{n}/embedded cold" for n in names[1:])
        + " |"
    )
    print(header)
    print("|---|" + "---:|" * (2 * len(names) + len(names) - 1))
    worst: dict[str, float] = dict.fromkeys(names[1:], 0.0)
    ratios: dict[str, list[float]] = {n: [] for n in names[1:]}
    for label, _, _ in items:
        cells = []
        for n in names:
            cold, warm, status = columns[n][label]
            mark = "" if status == 200 else f" ({status})"
            cells.append(f"{cold * 1000:.0f} ms{mark} | {warm * 1000:.0f} ms")
        ratio_cells = []
        for n in names[1:]:
            ratio = columns[n][label][0] / max(columns["embedded"][label][0], 1e-3)
            ratios[n].append(ratio)
            worst[n] = max(worst[n], ratio)
            ratio_cells.append(f"{ratio:.1f}x")
        print(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(ratio_cells) + " |")
    for n in names[1:]:
        bad = [label for (label, _, _), r in zip(items, ratios[n], strict=True) if r > 3]
        failed = [label for label, _, _ in items if columns[n][label][2] != 200]
        print(
            f"\n{n}: median ratio {statistics.median(ratios[n]):.1f}x, worst {worst[n]:.1f}x; "
            f"{len(bad)} of {len(items)} over 3x{': ' + ', '.join(bad) if bad else ''}; "
            f"{len(failed)} not 200{': ' + ', '.join(failed) if failed else ''}"
        )


if __name__ == "__main__":
    main()
