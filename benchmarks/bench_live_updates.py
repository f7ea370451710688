"""Live updates seen by a running server (issue 13): how fast a published change is served, and
whether requests fail while snapshots are published under load.

    python benchmarks/bench_live_updates.py --store STORE [--prepare-from /work/stores/full]
        [--paper P19-1001] [--updates 20] [--clients 16] [--port 8120] [--workers 1]

``STORE`` must be writable: the benchmark publishes snapshots into it.  ``--prepare-from SRC``
first makes ``STORE`` a copy of SRC's current snapshot (a RocksDB checkpoint: hard links, a
second; its derived files hard-linked too), so a prebuilt full-corpus store is never written.
Starts ``bibkg serve --store STORE`` on 127.0.0.1 and measures:

* **(a) visibility**: ``--updates`` times, a one-quad change (the title of ``--paper`` replaced)
  is published from another process while a poller asks the server for that title every 10 ms.
  Reported: seconds from the publish (``current`` swung to the new snapshot) to the first answer
  with the new title, p50 and max; and from the start of the writer's call.
* **(b) under load**: ``--clients`` threads send mixed requests (SPARQL, GraphQL, the paper's
  HTML page and N-Triples, the dump listing) while ``--updates`` changes are published one after
  the other.  Reported: requests, failures (not 200, or no answer), answers whose body does not
  match the snapshot named in ``X-Bibkg-Snapshot`` (an answer from two snapshots, or from a cache
  of an older one), and answers sent more than 1 s after a publish but served from an older
  snapshot.

The writer is a separate process (a writer in this process would stall the clients: dropping a
writable RocksDB holds the GIL for up to a second).  Each change is one delta through the delta
API (``bibkg.store.delta.apply_delta``: the title quad removed and its replacement added, the
paper's card updated); on a store without update state (made by an older version), a checkpoint
of the current snapshot plus the changed quads (``LocalStore.build_snapshot(copy_current=True)``).
"call" times start when the writer calls the API (its imports and reads excluded); "publish"
times when the call returned (``current`` was swung shortly before).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

PUBLISH = """
import dataclasses, os, sys, time
from pathlib import Path
import pyoxigraph as ox
from bibkg.store.local import LocalStore

root, iri, title = sys.argv[1:4]
store = LocalStore(Path(root))
paper, TITLE = ox.NamedNode(iri), ox.NamedNode("https://w3id.org/bibkg/ns#title")
current = store.current_snapshot()
if store.state_dir(current).is_dir():  # the delta API (bibkg.store.delta): the real update path
    from bibkg.cards import PaperCards
    from bibkg.store.delta import Delta, apply_delta

    reader = ox.Store.read_only(str(current))
    old = list(reader.quads_for_pattern(paper, TITLE, None, None))
    del reader
    delta = Delta(note="bench_live_updates: one title replaced")
    delta.remove_quads(old)
    delta.add_quads([ox.Quad(paper, TITLE, ox.Literal(title), q.graph_name) for q in old])
    cards = PaperCards.find(store.files_dir(current))
    for card in (cards.of_papers([iri]).values() if cards is not None else []):
        delta.set_card(dataclasses.replace(card, title=title))
    called = time.monotonic()
    apply_delta(store, delta, wait=60, command="benchmarks/bench_live_updates.py", kind="delta")
else:  # a store without update state: a checkpoint of the current snapshot plus the change
    called = time.monotonic()
    with store.build_snapshot(copy_current=True) as build:
        for quad in list(build.store.quads_for_pattern(paper, TITLE, None, None)):
            build.store.remove(quad)
            build.store.add(ox.Quad(paper, TITLE, ox.Literal(title), quad.graph_name))
        kept = store.files_dir(current) / "schema-stats.json"
        if kept.is_file():  # counts a retitling leaves unchanged
            os.link(kept, build.files / kept.name)
at = time.monotonic()
print(store.current_snapshot().name, called, at, flush=True)
os._exit(0)  # published; closing the writable RocksDB would only cost time
"""


def prepare(source: Path, target: Path) -> None:
    """``target`` := a store whose one snapshot is a checkpoint of ``source``'s current one."""
    import pyoxigraph as ox

    current = source / "current"
    snapshot = (source / os.readlink(current)).resolve()
    if target.exists():
        shutil.rmtree(target)
    (target / "snapshots").mkdir(parents=True)
    ox.Store.read_only(str(snapshot)).backup(str(target / "snapshots" / snapshot.name))
    for kind in ("dumps", "state"):
        src = source / kind / snapshot.name
        if src.is_dir():
            shutil.copytree(src, target / kind / snapshot.name, copy_function=os.link)
    (target / "current").symlink_to(Path("snapshots") / snapshot.name)


@contextmanager
def serve(store: Path, port: int, workers: int) -> Iterator[str]:
    args = [sys.executable, "-m", "bibkg", "serve", "--store", str(store), "--port", str(port)]
    if workers > 1:
        args += ["--workers", str(workers)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + 300
        while True:
            if proc.poll() is not None or time.monotonic() > end:
                raise SystemExit(f"the server on port {port} did not start")
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


class Writer:
    def __init__(self, store: Path, iri: str, original: str, first: str) -> None:
        self.store, self.iri, self.original = store, iri, original
        self.versions = {first: 0}
        self.published: list[tuple[int, float, float]] = []  # (version, call start, publish)

    def title(self, version: int) -> str:
        return self.original if version == 0 else f"{self.original} [v{version}]"

    def publish(self) -> tuple[int, str]:
        version = len(self.versions)
        out = subprocess.run([sys.executable, "-c", PUBLISH, str(self.store), self.iri, self.title(version)],
                             capture_output=True, text=True, timeout=300, check=True)  # fmt: skip
        name, called, at = out.stdout.split()
        self.versions[name] = version
        self.published.append((version, float(called), float(at)))
        return version, name


def mixed(pid: str, iri: str, words: str) -> dict[str, tuple[str, str, dict]]:
    return {
        "title-search": (
            "POST",
            "/graphql",
            {"json": {"query": f'{{ papers(title: "{words}", first: 3) {{ edges {{ node {{ title }} }} }} }}'}},
        ),
        "sparql": (
            "GET",
            "/sparql",
            {"params": {"query": f"SELECT ?t WHERE {{ <{iri}> bibkg:title ?t }}"}, "headers": {"Accept": "text/csv"}},
        ),
        "graphql": (
            "POST",
            "/graphql",
            {"json": {"query": f'{{ paper(id: "{pid}") {{ title authors {{ printedName }} }} }}'}},
        ),
        "html": ("GET", f"/{pid}/", {"headers": {"Accept": "text/html"}}),
        "rdf": ("GET", f"/{pid}/", {"params": {"format": "nt"}}),
        "dumps": ("GET", "/dumps", {}),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def visibility(url: str, writer: Writer, updates: int) -> dict[str, float]:
    query = {"query": f"SELECT ?t WHERE {{ <{writer.iri}> bibkg:title ?t }}"}
    after_publish, after_call = [], []
    with httpx.Client(base_url=url, timeout=30, headers={"Accept": "text/csv"}) as client:
        for _ in range(updates):
            version, _name = writer.publish()
            _, called, at = writer.published[-1]
            want = writer.title(version)
            while True:
                if want in client.get("/sparql", params=query).text:
                    seen = time.monotonic()
                    break
                if time.monotonic() - at > 30:
                    raise SystemExit(f"v{version} not visible after 30 s")
                time.sleep(0.01)
            after_publish.append(seen - at)
            after_call.append(seen - called)
            time.sleep(0.3)
    return {
        "publish->visible p50": statistics.median(after_publish),
        "publish->visible max": max(after_publish),
        "call->visible p50": statistics.median(after_call),
        "call->visible max": max(after_call),
    }


def search_words(title: str) -> str:
    """Words of ``title`` that a title search finds it by (and few others)."""
    return " ".join(title.split()[-6:-2]).lower()


def warm_up(url: str, pid: str, words: str) -> float:
    """Wait until GraphQL answers a title and a people search at once (the indexes of the first
    snapshot are built at start, tens of seconds on the full corpus); seconds waited."""
    started = time.monotonic()
    probes = [
        {"query": f'{{ papers(title: "{words}", first: 1) {{ totalCount }} }}'},
        {"query": '{ people(name: "Yang", first: 1) { totalCount } }'},
        {"query": f'{{ paper(id: "{pid}") {{ title }} }}'},
    ]
    with httpx.Client(base_url=url, timeout=120) as client:
        for probe in probes:
            while True:
                t = time.monotonic()
                r = client.post("/graphql", json=probe)
                if r.status_code == 200 and time.monotonic() - t < 1.0:
                    break
                if time.monotonic() - started > 600:
                    raise SystemExit(f"GraphQL did not warm up: {r.status_code} {r.text[:200]}")
    return time.monotonic() - started


def under_load(url: str, writer: Writer, pid: str, updates: int, clients: int) -> dict[str, float]:
    kinds = mixed(pid, writer.iri, search_words(writer.original))
    answers: list[tuple[str, float, float, int, str | None, str]] = []
    stop = threading.Event()

    def client(offset: int) -> None:
        names = list(kinds)
        i = offset
        with httpx.Client(base_url=url, timeout=60) as http:
            while not stop.is_set():
                kind = names[i % len(names)]
                i += 1
                method, path, kwargs = kinds[kind]
                sent = time.monotonic()
                try:
                    r = http.request(method, path, **kwargs)
                    answers.append(
                        (kind, sent, time.monotonic(), r.status_code, r.headers.get("x-bibkg-snapshot"), r.text)
                    )
                except httpx.HTTPError as exc:
                    answers.append((kind, sent, time.monotonic(), 0, None, f"{type(exc).__name__}: {exc}"))

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    time.sleep(2.0)
    first = len(writer.published)
    for _ in range(updates):
        writer.publish()
        time.sleep(0.5)
    time.sleep(2.0)
    stop.set()
    for t in threads:
        t.join(120)
    failed, mixed_up, stale = 0, 0, 0
    examples: list[str] = []
    published = writer.published[first:]
    for kind, sent, _received, status, snapshot, body in answers:
        if status != 200:
            failed += 1
            text = " ".join(re.sub(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", " ", body, flags=re.S).split())
            examples.append(f"{kind} {status} {text[-200:]!r}")
            continue
        version = writer.versions.get(snapshot or "")
        if kind == "dumps":
            ok = version is not None and f'"snapshot":"{snapshot}"' in body.replace(" ", "")
        else:
            markers = {int(v) for v in re.findall(r" \[v(\d+)\]", body)}
            ok = version is not None and writer.original in body and markers == ({version} if version else set())
        if not ok:
            mixed_up += 1
            examples.append(f"{kind} from {snapshot}: body does not match")
        elif any(at + 1.0 < sent and v > version for v, _c, at in published):
            stale += 1
    latencies = []
    for version, _called, at in published:
        seen = [
            r
            for _k, _s, r, st, snap, _b in answers
            if st == 200 and writer.versions.get(snap or "", -1) >= version and r >= at
        ]
        latencies.append(min(seen) - at if seen else float("inf"))
    duration = (published[-1][2] - published[0][2]) if published else 0.0
    return {
        "requests": len(answers),
        "failed": failed,
        "not one snapshot": mixed_up,
        "stale (>1 s after a publish)": stale,
        "updates": len(published),
        "updates span (s)": round(duration, 1),
        "publish->first new answer p50": statistics.median(latencies),
        "publish->first new answer max": max(latencies),
        "examples": examples[:5],
    }  # type: ignore[dict-item]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--prepare-from", type=Path)
    parser.add_argument("--paper", default="P19-1001")
    parser.add_argument("--updates", type=int, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--port", type=int, default=8120)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if args.prepare_from:
        started = time.monotonic()
        prepare(args.prepare_from, args.store)
        print(f"prepared {args.store} from {args.prepare_from} in {time.monotonic() - started:.1f} s", flush=True)
    import pyoxigraph as ox

    iri = f"https://aclanthology.org/{args.paper}/"
    current = args.store / "current"
    first = Path(os.readlink(current)).name
    reader = ox.Store.read_only(str(args.store / "snapshots" / first))
    titles = [
        q.object.value
        for q in reader.quads_for_pattern(
            ox.NamedNode(iri), ox.NamedNode("https://w3id.org/bibkg/ns#title"), None, None
        )
    ]
    del reader
    if len(titles) != 1:
        raise SystemExit(f"paper {args.paper}: {len(titles)} titles in the store")
    if re.search(r" \[v\d+\]$", titles[0]):
        raise SystemExit(f"{args.store} was changed by an earlier run: prepare it again (--prepare-from)")
    writer = Writer(args.store, iri, titles[0], first)
    results: dict[str, object] = {"store": str(args.store), "paper": args.paper, "workers": args.workers}
    with serve(args.store, args.port, args.workers) as url:
        httpx.get(url + f"/{args.paper}/", headers={"Accept": "text/html"}, timeout=60)  # warm
        print(f"GraphQL warm after {warm_up(url, args.paper, search_words(writer.original)):.1f} s", flush=True)
        print("(a) visibility of a one-quad change, no load ...", flush=True)
        results["a"] = visibility(url, writer, args.updates)
        print(json.dumps(results["a"], indent=1), flush=True)
        print(f"(b) {args.updates} updates under {args.clients} clients ...", flush=True)
        results["b"] = under_load(url, writer, args.paper, args.updates, args.clients)
        print(json.dumps(results["b"], indent=1), flush=True)
    snapshots = sorted(p.name for p in (args.store / "snapshots").iterdir())
    results["snapshots left"] = len(snapshots)
    print(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
