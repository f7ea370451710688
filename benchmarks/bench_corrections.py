"""Corrections on the full corpus: how long until one is visible everywhere, a prolific person's
merge, kill -9 during an apply, 100 concurrent proposals from 10 tokens.

Usage::

    python benchmarks/bench_corrections.py --store STORE [--data DATA] [--port 8141] [--only NAMES]

STORE must be a writable store of the full corpus made by ``bibkg ingest`` (never a shared one:
the benchmark applies and reverts corrections in it). Steps (``--only`` picks some, comma-separated):

* ``one`` — a maintainer's correction of one authorship (a paper of the most prolific author,
  Pushpak Bhattacharyya, moved to another verified person): seconds from the request until a
  server that follows the store shows it in SPARQL, GraphQL, both person pages, coauthors
  and the statistics graph (top authors), and until its writer is done (it writes the dumps
  after publishing; a write that comes meanwhile waits for it); then reverted the same way
  once the writer is done.  ``--rounds`` times (3), after the server ran ``--settle`` seconds
  (40; the first correction 10 s after the server started on the full corpus was slower).
* ``merge`` — every paper of Iryna Gurevych (318) merged into a verified person: seconds until
  the request is answered (the snapshot published) and until GraphQL and the person page show
  it; then, once its writer is done, reverted the same way.
* ``inprocess`` — the step one and the merge through ``CorrectionService`` in this process (no
  server), on a clone of STORE: seconds until published, with the update's phases.
* ``kill`` — ``bibkg corrections apply`` killed with SIGKILL while it publishes; after
  ``bibkg corrections sync`` the correction must be applied exactly once (one ``applied`` event,
  the graph showing it, the snapshot's log sequence caught up).
* ``proposals`` — 100 proposals from 10 contributor tokens at once over HTTP: all logged, none lost,
  none duplicated.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bibkg.store.local import LocalStore

BIBKG = str(Path(sys.executable).with_name("bibkg"))
B = "https://w3id.org/bibkg/ns#"
P = "https://aclanthology.org/people/"


def sh(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([BIBKG, *args], capture_output=True, text=True, check=check)


def serve(store: str, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [BIBKG, "serve", "--store", store, "--port", str(port), "--corrections"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(1200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    proc.kill()
    raise SystemExit("the server did not start")


def sparql(url: str, query: str) -> list[dict]:
    r = httpx.get(
        url + "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=60
    )
    r.raise_for_status()
    return r.json()["results"]["bindings"]


def gql(url: str, query: str) -> dict:
    r = httpx.post(url + "/graphql", json={"query": query}, timeout=60)
    return r.json()


def printed(url: str, node: str) -> dict[str, str | None]:
    """The printed name of an authorship node (the request must say it: a stale one is refused)."""
    rows = sparql(
        url,
        f"SELECT ?f ?l WHERE {{ <{node}> <{B}printedName> ?n . ?n <{B}familyName> ?l . "
        f"OPTIONAL {{ ?n <{B}givenName> ?f }} }}",
    )
    return {"first": rows[0]["f"]["value"] if "f" in rows[0] else None, "last": rows[0]["l"]["value"]}


def views(url: str, paper: str, node: str, source: str, target: str) -> dict[str, object]:
    """What each door says about the moved authorship (asked at once: a round takes as long as
    its slowest answer, which bounds how late a change is seen)."""
    html = {"Accept": "text/html"}
    asks = {
        "sparql": lambda: sparql(url, f"SELECT ?p WHERE {{ <{node}> <{B}person> ?p }}"),
        "stats": lambda: sparql(
            url,
            f"SELECT ?n WHERE {{ ?r <{B}rankedPerson> <{P}{source}/> ; <{B}paperCount> ?n . "
            f"<https://w3id.org/bibkg/dataset> <{B}topAuthor> ?r }}",
        ),
        "graphql": lambda: gql(url, f'{{ person(id: "{target}") {{ papers {{ totalCount }} }} }}'),
        "source page": lambda: httpx.get(f"{url}/people/{source}/", headers=html, timeout=60).text,
        "target page": lambda: httpx.get(f"{url}/people/{target}/", headers=html, timeout=60).text,
    }
    with ThreadPoolExecutor(len(asks)) as pool:
        said = dict(zip(asks, pool.map(lambda ask: ask(), asks.values()), strict=True))
    person, top, count = said["sparql"], said["stats"], said["graphql"]
    return {
        "sparql": person[0]["p"]["value"] if person else None,
        "graphql": ((count.get("data") or {}).get("person") or {}).get("papers", {}).get("totalCount"),
        "source page": f"/{paper}/" in said["source page"],
        "target page": f"/{paper}/" in said["target page"],
        "stats": int(top[0]["n"]["value"]) if top else None,
    }


def wait_for(url: str, want, args, limit: float = 120.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if want(views(url, *args)):
            return time.perf_counter() - started
        time.sleep(0.05)
    raise SystemExit(f"not visible after {limit} s: {views(url, *args)}")


def step_one(store: str, url: str, maintainer: str) -> None:
    paper, position, source, target = "2018.icon-1.13", 3, "pushpak-bhattacharyya", "pranav-a"
    node = f"https://aclanthology.org/{paper}/#author-{position}"
    args = (paper, node, source, target)
    before = views(url, *args)
    body = {
        "change": {
            "kind": "reassign",
            "from": source,
            "authorships": [{"paper": paper, "position": position, "name": printed(url, node)}],
            "to": {"type": "person", "id": target},
        },
        "reason": "benchmark",
        "apply": True,
    }
    started = time.perf_counter()
    r = httpx.post(url + "/corrections", json=body, headers={"Authorization": f"Bearer {maintainer}"}, timeout=600)
    applied = time.perf_counter() - started
    r.raise_for_status()
    cid = r.json()["id"]

    def shown(v: dict) -> bool:  # every door differs from before in the expected direction
        return (
            v["sparql"] == f"{P}{target}/"
            and v["graphql"] != before["graphql"]
            and not v["source page"]
            and v["target page"]
            and v["stats"] == (before["stats"] or 0) - 1
        )

    seen = wait_for(url, shown, args)
    after = views(url, *args)
    LocalStore(store).wait_for_ingest()  # the writer goes on with the dumps after publishing
    done = time.perf_counter() - started
    print(
        f"one authorship: request answered {applied:.1f} s, visible everywhere {applied + seen:.1f} s "
        f"(SPARQL, GraphQL, both person pages, top-author statistics), writer done {done:.1f} s; "
        f"before {before}, after {after}"
    )
    started = time.perf_counter()
    httpx.post(
        f"{url}/corrections/{cid}/revert", headers={"Authorization": f"Bearer {maintainer}"}, timeout=600
    ).raise_for_status()
    seen = wait_for(url, lambda v: v == before, args)
    visible = time.perf_counter() - started
    LocalStore(store).wait_for_ingest()
    print(
        f"one authorship reverted: visible everywhere {visible:.1f} s, writer done {time.perf_counter() - started:.1f} s"
    )


def step_merge(store: str, url: str, maintainer: str) -> None:
    body = {
        "change": {"kind": "merge", "source": "iryna-gurevych", "into": "pranav-a"},
        "reason": "benchmark",
        "apply": True,
    }

    def merged() -> bool:  # the source person is gone from GraphQL and its page
        gone = gql(url, '{ person(id: "iryna-gurevych") { id } }').get("data", {}).get("person") is None
        return gone and httpx.get(f"{url}/people/iryna-gurevych/", timeout=60).status_code == 404

    def visible(want: bool) -> float:
        while merged() != want:
            time.sleep(0.05)
        return time.perf_counter() - started

    started = time.perf_counter()
    r = httpx.post(url + "/corrections", json=body, headers={"Authorization": f"Bearer {maintainer}"}, timeout=900)
    r.raise_for_status()
    moved = len(r.json()["effect"]["moved"])
    seconds = time.perf_counter() - started
    print(
        f"merge of iryna-gurevych ({moved} authorships/editorships) into pranav-a: applied and published {seconds:.1f} s, "
        f"visible in GraphQL and on the person page {visible(True):.1f} s"
    )
    LocalStore(store).wait_for_ingest()  # its writer finishes the dumps before the revert starts
    started = time.perf_counter()
    httpx.post(
        f"{url}/corrections/{r.json()['id']}/revert", headers={"Authorization": f"Bearer {maintainer}"}, timeout=900
    ).raise_for_status()
    print(f"merge reverted: {time.perf_counter() - started:.1f} s, visible {visible(False):.1f} s")


def step_in_process(store: str) -> None:
    """The same corrections through :class:`CorrectionService` in this process, on a clone of
    ``store`` (no HTTP, no server): one authorship and the merge, each applied then reverted,
    each once the previous writer is done; seconds until ``apply``/``revert`` returned (the
    snapshot is published), and the update's largest phases from the store's ``updates.log``."""
    import shutil
    import tempfile

    from bibkg.corrections.service import Actor, CorrectionService
    from bibkg.corrections.tokens import Role

    work = Path(tempfile.mkdtemp(prefix="bibkg-bench-corrections-")) / "store"
    try:
        LocalStore(store).clone(work)
        service = CorrectionService(work)
        actor = Actor("bench", Role.MAINTAINER)
        service.base_people()
        service.keep_spare_cards()
        one = {"kind": "reassign", "from": "pushpak-bhattacharyya", "to": {"type": "person", "id": "pranav-a"},
               "authorships": [{"paper": "2018.icon-1.13", "position": 3,
                                "name": {"first": "Pushpak", "last": "Bhattacharya"}}]}  # fmt: skip
        merge = {"kind": "merge", "source": "iryna-gurevych", "into": "pranav-a"}
        for label, change in (("one authorship", one), ("merge", merge)):
            cid = service.propose(actor, {"change": change, "reason": "benchmark"}).correction.id
            service.approve(actor, cid)
            for action, call in (("applied", service.apply), ("reverted", service.revert)):
                service.store.wait_for_ingest()
                started = time.perf_counter()
                call(actor, cid)
                seconds = time.perf_counter() - started
                service.store.wait_for_ingest()  # the writer logs its update once its dumps are written
                record = next(r for r in reversed(service.store.read_log()) if r.get("event") == "published")
                top = sorted(record.get("phases", {}).items(), key=lambda kv: -kv[1])[:4]
                print(f"in process, {label} {action}: published {seconds:.2f} s (largest phases: "
                      + ", ".join(f"{name} {value:.2f}" for name, value in top) + ")")  # fmt: skip
        service.store.wait_for_ingest()
    finally:
        shutil.rmtree(work.parent, ignore_errors=True)


def step_kill(store: str) -> None:
    out = sh(
        "correct",
        "reassign",
        "I11-1152:2",
        "--from",
        "pushpak-bhattacharyya",
        "--to",
        "pranav-a",
        "--reason",
        "benchmark: kill -9",
        "--store",
        store,
        "--json",
    )
    cid = json.loads(out.stdout)["id"]
    sh("corrections", "approve", cid, "--store", store)
    proc = subprocess.Popen(
        [BIBKG, "corrections", "apply", cid, "--store", store], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    log = Path(store) / "corrections" / "log.jsonl"

    def applied() -> bool:
        return any(
            '"event":"applied"' in line and f'"correction":"{cid}"' in line for line in log.read_text().splitlines()
        )

    while proc.poll() is None and not applied():
        time.sleep(0.01)
    snapshots = Path(store) / "snapshots"
    while proc.poll() is None and not any(p.name.startswith(".staging-") for p in snapshots.iterdir()):
        time.sleep(0.005)  # until it builds the new snapshot: into the publish
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    events = [json.loads(line) for line in log.read_text().splitlines() if cid in line]
    sync = time.perf_counter()
    sh("corrections", "sync", "--store", store)
    sync = time.perf_counter() - sync
    again = sh("corrections", "sync", "--store", store).stderr.strip()
    listed = json.loads(sh("corrections", "list", "--store", store, "--json").stdout)
    entry = next(e for e in listed if e["id"] == cid)
    applied_events = [e for e in entry["history"] if e["event"] == "applied"]
    node = "https://aclanthology.org/I11-1152/#author-2"
    person = sh("query", "--store", store, "--format", "json", f"SELECT ?p WHERE {{ <{node}> <{B}person> ?p }}").stdout
    print(
        f"kill -9 during apply (killed while publishing: {killed}): log events {[e['event'] for e in events]}; "
        f"after sync ({sync:.1f} s): status {entry['status']}, applied events {len(applied_events)}, "
        f"graph says {'pranav-a' if 'pranav-a' in person else person.strip()[:80]}; second sync: {again}"
    )
    sh("corrections", "revert", cid, "--store", store)


def step_proposals(store: str, url: str, maintainer: str) -> None:
    tokens = [
        sh(
            "token", "create", f"bench-c{i}-{int(time.time())}", "--role", "contributor", "--store", store
        ).stdout.strip()
        for i in range(10)
    ]
    rows = sparql(
        url,
        f"SELECT ?node ?pos WHERE {{ ?node <{B}person> <{P}pushpak-bhattacharyya/> ; <{B}position> ?pos . "
        "FILTER(CONTAINS(STR(?node), '#author-')) } ORDER BY ?node LIMIT 100",
    )
    authorships = [(r["node"]["value"].split("/#")[0].rsplit("/", 1)[1], int(r["pos"]["value"])) for r in rows]
    names = [printed(url, r["node"]["value"]) for r in rows]
    before = {e["id"] for e in httpx.get(url + "/corrections", timeout=60).json()}

    def send(i: int) -> tuple[int, str]:
        paper, position = authorships[i]
        body = {
            "change": {
                "kind": "reassign",
                "from": "pushpak-bhattacharyya",
                "authorships": [{"paper": paper, "position": position, "name": names[i]}],
                "to": {"type": "person", "id": "pranav-a"},
            },
            "reason": f"benchmark proposal {i}",
        }
        r = httpx.post(
            url + "/corrections", json=body, headers={"Authorization": f"Bearer {tokens[i % 10]}"}, timeout=300
        )
        return r.status_code, r.json().get("id", r.text)

    started = time.perf_counter()
    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(send, range(len(authorships))))
    seconds = time.perf_counter() - started
    listed = [e for e in httpx.get(url + "/corrections", timeout=60).json() if e["id"] not in before]
    ids = [e["id"] for e in listed]
    sent = [cid for code, cid in results if code == 201]
    lines = (Path(store) / "corrections" / "log.jsonl").read_text().splitlines()
    seqs = [json.loads(line)["seq"] for line in lines]
    print(
        f"{len(results)} concurrent proposals from 10 tokens (20 client threads) in {seconds:.1f} s: "
        f"HTTP {sorted({code for code, _ in results})}, accepted {len(sent)}, in the log {len(ids)}, "
        f"lost {len(set(sent) - set(ids))}, duplicated {len(ids) - len(set(ids))}, "
        f"log seq 1..{max(seqs)} without gaps: {seqs == list(range(1, len(seqs) + 1))}"
    )
    with ThreadPoolExecutor(10) as pool:  # clean up: reject them all
        list(
            pool.map(
                lambda cid: httpx.post(
                    f"{url}/corrections/{cid}/reject", headers={"Authorization": f"Bearer {maintainer}"}, timeout=300
                ),
                sent,
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", required=True)
    parser.add_argument("--port", type=int, default=8141)
    parser.add_argument("--only", default="one,merge,kill,proposals")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the step one (a correction, its revert)")
    parser.add_argument(
        "--settle", type=float, default=40.0, help="seconds the server runs (warming up) before the first step"
    )
    args = parser.parse_args()
    steps = args.only.split(",")
    os.environ["BIBKG_CORRECTIONS_RATE"] = "0"
    maintainer = sh(
        "token", "create", f"bench-m-{int(time.time())}", "--role", "maintainer", "--store", args.store
    ).stdout.strip()
    url = f"http://127.0.0.1:{args.port}"
    server = serve(args.store, args.port) if {"one", "merge", "proposals"} & set(steps) else None
    try:
        if server is not None:
            time.sleep(args.settle)
        for _ in range(args.rounds if "one" in steps else 0):
            step_one(args.store, url, maintainer)
        if "merge" in steps:
            step_merge(args.store, url, maintainer)
        if "inprocess" in steps:
            step_in_process(args.store)
        if "kill" in steps:
            step_kill(args.store)
        if "proposals" in steps:
            step_proposals(args.store, url, maintainer)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
