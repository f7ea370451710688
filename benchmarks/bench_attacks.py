"""Reliability under attack: replay hostile requests against a server on the full corpus while a
16-client mixed load runs, and print what each attack did to the load and to the server's memory.

    python benchmarks/bench_attacks.py --store STORE [--clients 16] [--seconds 6] [--only NAME ...]

Starts ``bibkg serve --store STORE`` on 127.0.0.1 (``--port``, default a free one; or measures
``--url``), loads it for ``--warmup`` seconds, then:

* **quiet**: the mixed load alone for ``--seconds``: GraphQL coauthors at an event, a ``/sparql``
  SELECT, a person page (HTML), a named query; p50/p99 of the load, errors;
* **each attack** (:data:`ATTACKS`: a table of request bursts, plus raw-socket attacks): the same
  load runs while the attack is replayed from another address (:data:`ATTACKER`, 127.0.0.2: the
  attacker is not the load's client); printed per attack: the load's p50/p99 and errors during
  it, what the attacker got (status codes or the transport error; a 413/431 cut while the body
  is still being sent is a refusal, and so is a GraphQL request error), and the server's RSS
  (the server process and its query workers, summed from ``/proc``; in brackets the server
  process alone) before, at its peak and a few seconds after. A load error is any answer other
  than 200 (or a transport error).

Targets (issue 10): the load's p99 during every attack ≤ 3x its quiet value, 0 load errors, RSS
back within 10 % of its start after each attack, and no attack needs a restart (``/health`` 200
after each). The attacks send traffic to 127.0.0.1 only, are bounded in count and time, and stop
by themselves.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

COAUTHORS = (
    "query($p: ID!, $e: ID!) { coauthors(person: $p, event: $e) { totalCount edges { count node { id name } } } }"
)
SPARQL_SELECT = (
    "PREFIX bibkg: <https://w3id.org/bibkg/ns#> SELECT ?paper ?title WHERE { "
    "?paper bibkg:author <https://aclanthology.org/people/{pid}/> ; "
    "<http://purl.org/dc/terms/title> ?title } LIMIT 50"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


# -- the server's memory ------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                kids.extend(int(x) for x in fh.read().split())
    except OSError:
        pass
    return kids


def tree_rss_mib(pid: int) -> float:
    """RSS of ``pid`` and all its descendants, in MiB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
        todo.extend(_children(p))
    return total / 1024


def own_rss_mib(pid: int) -> float:
    """RSS of ``pid`` alone, in MiB."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024
    except (OSError, StopIteration):
        return float("nan")


class RssSampler:
    """Samples the server tree's RSS every 0.1 s in a thread; ``peak`` since the last reset."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> float:
        return tree_rss_mib(self.pid) if self.pid else float("nan")

    def server(self) -> float:
        """The server process alone (without its query workers)."""
        return own_rss_mib(self.pid) if self.pid else float("nan")

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, self.now())

    def reset(self) -> None:
        self.peak = self.now()

    def __enter__(self) -> RssSampler:
        if self.pid:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()


# -- the load -----------------------------------------------------------------------------------


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    examples: list[str] = field(default_factory=list)

    def row(self) -> tuple[str, str, str]:
        return (
            f"{statistics.median(self.latencies):.1f}" if self.latencies else "—",
            f"{_pct(self.latencies, 99):.1f}" if self.latencies else "—",
            str(self.errors),
        )


async def run_load(base: str, people: list[str], clients: int, stop: asyncio.Event) -> LoadResult:
    """``clients`` concurrent clients cycling through the four kinds of request until ``stop``."""
    result = LoadResult()
    requests: list[tuple[str, str, dict]] = []
    for pid in people:
        requests.append(("POST", "/graphql", {"json": {"query": COAUTHORS, "variables": {"p": pid, "e": "acl-2024"}}}))
        requests.append(
            (
                "GET",
                "/sparql",
                {
                    "params": {"query": SPARQL_SELECT.replace("{pid}", pid)},
                    "headers": {"Accept": "application/sparql-results+json"},
                },
            )
        )
        requests.append(("GET", f"/people/{pid}/", {"headers": {"Accept": "text/html"}}))
        requests.append(
            (
                "GET",
                "/queries/coauthors-at-event",
                {
                    "params": {"person": pid, "event": "acl-2024"},
                    "headers": {"Accept": "application/sparql-results+json"},
                },
            )
        )

    async def client(k: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            i = k
            while not stop.is_set():
                method, path, kwargs = requests[i % len(requests)]
                i += 1
                start = time.perf_counter()
                try:
                    response = await http.request(method, path, **kwargs)
                    ok = response.status_code == 200 and (path != "/graphql" or "errors" not in response.json())
                    if not ok:
                        result.errors += 1
                        if len(result.examples) < 3:
                            result.examples.append(f"{method} {path}: {response.status_code} {response.text[:120]!r}")
                except httpx.HTTPError as exc:
                    result.errors += 1
                    if len(result.examples) < 3:
                        result.examples.append(f"{method} {path}: {type(exc).__name__}")
                    continue
                result.latencies.append((time.perf_counter() - start) * 1000)

    await asyncio.gather(*(client(k) for k in range(clients)))
    return result


# -- the attacks ----------------------------------------------------------------------------------
# An attack is either a table row of HTTP requests (:class:`Burst`: the attacker's outcome is the
# status of each answer, or the transport error it met) or, for what HTTP clients cannot send
# (raw sockets), a coroutine.  Either gives (what the attacker got, whether the server answered as
# it should: refused, limited or stopped the request instead of serving it).

GQL = {"Accept": "application/graphql-response+json"}  # a request error is then a 4xx, not a 200
CUT = ("ReadError", "WriteError", "RemoteProtocolError")
"""Transport outcomes of a body or header the server refused while it was still being sent
(it answered 413/431 and closed the connection): refusals too."""
ATTACKER = "127.0.0.2"
"""Source address of every attack: the attacker is another client than the load, which comes
from 127.0.0.1 (the server shares its query slots fairly between client addresses)."""


def _outcome(response: httpx.Response) -> int | str:
    """The status, except that a GraphQL 200 carrying errors and no data is a refusal (``"200-errors"``)."""
    if (
        response.status_code == 200
        and response.headers.get("content-type", "").startswith(
            ("application/json", "application/graphql-response+json")
        )
        and response.request.url.path == "/graphql"
    ):
        try:
            body = response.json()
        except ValueError:
            return 200
        if body.get("errors") and body.get("data") is None:
            return "200-errors"
    return response.status_code


@dataclass(frozen=True)
class Burst:
    """Requests sent ``rounds`` times in batches of ``n`` concurrent ones (``for_seconds``:
    batches repeated that long instead).  Defended when every outcome is in ``refused`` (empty:
    any outcome — the client leaves, only the load and memory decide) and, with ``within``,
    the whole attack ended within that many seconds (its work was bounded, not served)."""

    method: str
    path: str
    kwargs: Callable[[int], dict] = lambda i: {}
    n: int = 1
    rounds: int = 1
    for_seconds: float = 0.0
    timeout: float = 60.0
    refused: frozenset = frozenset()
    within: float | None = None
    source: str = ""  # the attacker's address: ATTACKER (set below)

    async def __call__(self, base: str, port: int) -> tuple[str, bool]:
        transport = httpx.AsyncHTTPTransport(local_address=self.source or ATTACKER)
        outcomes: list[object] = []
        started = time.perf_counter()
        async with httpx.AsyncClient(base_url=base, timeout=self.timeout, transport=transport) as http:

            async def one(i: int) -> object:
                kwargs = self.kwargs(i)
                path = kwargs.pop("url", self.path)  # a row may vary the path per request
                try:
                    return _outcome(await http.request(self.method, path, **kwargs))
                except httpx.HTTPError as exc:
                    return type(exc).__name__

            i = 0
            while True:
                outcomes += await asyncio.gather(*(one(i + k) for k in range(self.n)))
                i += self.n
                elapsed = time.perf_counter() - started
                if (elapsed >= self.for_seconds) if self.for_seconds else i >= self.n * self.rounds:
                    break
        seconds = time.perf_counter() - started
        defended = not self.refused or all(o in self.refused for o in outcomes)
        got = _statuses(outcomes)
        if self.within is not None:
            defended = defended and seconds < self.within
            got += f" in {seconds:.1f} s"
        return got, defended


def _statuses(codes: list[object]) -> str:
    counts: dict[str, int] = {}
    for c in codes:
        counts[str(c)] = counts.get(str(c), 0) + 1
    return ", ".join(f"{k}×{v}" for k, v in sorted(counts.items()))


def _fragment_bomb(k: int = 30) -> str:
    return (
        "{ ...F0 } "
        + " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(k))
        + f" fragment F{k} on Query {{ __typename }}"
    )


def _padded(size: int) -> bytes:
    return b'{"query": "{ __typename }", "pad": "' + b"x" * size + b'"}'


_TEN_MB, _THREE_MB = _padded(10_000_000), _padded(3_000_000)
_ACCEPT = ",".join(f"application/x-{i};q=0.{i % 10}" for i in range(500_000))[:10_700_000]
_BAD_VALUES = ("a%b", "a\tb", "a\x01b", "a\x7fb")


def _big_document(i: int) -> dict:
    return {
        "json": {"query": "{ " + " ".join(f"a{i}_{j}: __typename" for j in range(100_000)) + " }"},  # ~2 MB
        "headers": GQL,
    }


async def ssrf_service(base: str, port: int) -> tuple[str, bool]:
    """SERVICE (and SERVICE SILENT) to a listener of ours: refused, and no connection made to it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    target = listener.getsockname()[1]
    connections = 0
    try:
        queries = [
            f"SELECT * WHERE {{ SERVICE {silent}<http://127.0.0.1:{target}/sparql> {{ ?s ?p ?o }} }}"
            for silent in ("", "SILENT ")
        ]
        got, refused = await Burst(
            "GET", "/sparql", lambda i: {"params": {"query": queries[i % 2]}}, n=4, refused=frozenset({400})
        )(base, port)
        for _ in range(5):
            try:
                conn, _ = listener.accept()
                conn.close()
                connections += 1
            except OSError:
                break
    finally:
        listener.close()
    return f"{got}; connections to the target: {connections}", connections == 0 and refused


async def unfinished_headers(base: str, port: int) -> tuple[str, bool]:
    """30 connections each send up to 20 MB of header lines and never finish the request."""
    closed = 0

    async def one() -> None:
        nonlocal closed
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(ATTACKER, 0))
        except OSError:
            return
        try:
            writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            chunk = b"X-Pad: " + b"a" * 65_000 + b"\r\n"
            sent = 0
            while sent < 20_000_000:
                writer.write(chunk)
                await asyncio.wait_for(writer.drain(), 2)
                sent += len(chunk)
        except (TimeoutError, OSError):
            closed += 1
        finally:
            writer.close()

    await asyncio.gather(*(one() for _ in range(30)))
    return f"{closed}/30 connections cut off by the server before 20 MB", closed == 30


async def slowloris(base: str, port: int) -> tuple[str, bool]:
    """200 connections send a header line every second and never finish; how many get closed."""
    closed = 0

    async def one() -> None:
        nonlocal closed
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(ATTACKER, 0))
        except OSError:
            return
        try:
            writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            for i in range(20):
                await asyncio.sleep(1)
                writer.write(f"X-Slow-{i}: 1\r\n".encode())
                await writer.drain()
                if reader.at_eof():
                    closed += 1
                    return
        except OSError:
            closed += 1
        finally:
            writer.close()

    await asyncio.gather(*(one() for _ in range(200)))
    return f"{closed}/200 slow connections closed by the server within 20 s", closed == 200


async def slow_readers(base: str, port: int) -> tuple[str, bool]:
    """50 clients (from :data:`ATTACKER`) ask for a 42 MB result and never read it."""
    q = "PREFIX bibkg: <https://w3id.org/bibkg/ns#> SELECT ?p ?a WHERE { ?p bibkg:abstract ?a }"
    request = (
        f"GET /sparql?{httpx.QueryParams({'query': q})} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Accept: application/sparql-results+json\r\n\r\n"
    ).encode()
    writers = []
    for _ in range(50):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port, limit=1024, local_addr=(ATTACKER, 0))
            writer.transport.set_write_buffer_limits(0)  # type: ignore[attr-defined]
            writer.write(request)
            writers.append(writer)
        except OSError:
            pass
    await asyncio.sleep(10)
    for w in writers:
        w.transport.abort()  # type: ignore[attr-defined]
    return f"{len(writers)} connections from {ATTACKER} held unread for 10 s", True


Attack = Callable[[str, int], Awaitable[tuple[str, bool]]]

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
VENUES = "{ venues { id papers(first: 99) { totalCount edges { node { id title } } } } }"
TITLES = '{ papers(title: "language model", first: 50) { totalCount edges { node { id } } } }'
RDF_PATHS = ("/venues/acl/", "/events/acl-2024/", "/volumes/2024.lrec-main/")

ATTACKS: dict[str, Attack] = {
    "fragment bomb (k=30)": Burst(
        "POST",
        "/graphql",
        lambda i: {"json": {"query": _fragment_bomb()}, "headers": GQL},
        n=3,
        refused=frozenset({400, "200-errors"}),
    ),
    "SPARQL SERVICE to 127.0.0.1": ssrf_service,
    "10 MB and 3 MB GraphQL bodies": Burst(
        "POST",
        "/graphql",
        lambda i: {"content": _TEN_MB if i < 2 else _THREE_MB, "headers": {"Content-Type": "application/json", **GQL}},
        n=1,
        rounds=7,
        refused=frozenset({413, *CUT}),
    ),
    "40 distinct 2 MB documents": Burst(
        "POST", "/graphql", _big_document, rounds=40, refused=frozenset({400, 413, "200-errors", *CUT})
    ),
    "10.7 MB Accept header": Burst(
        "GET",
        "/sparql",
        lambda i: {"params": {"query": "ASK {}"}, "headers": {"Accept": _ACCEPT}},
        n=2,
        refused=frozenset({431, *CUT}),
    ),
    "30 x 20 MB unfinished headers": unfinished_headers,
    "200 slowloris connections": slowloris,
    "named query as .bib (emnlp-2023)": Burst(
        "GET",
        "/queries/papers-without-verified-authors.bib",
        lambda i: {"params": {"event": "emnlp-2023"}},
        n=2,
        timeout=200,
        within=15,
    ),
    "venues x papers(first: 99)": Burst(
        "POST", "/graphql", lambda i: {"json": {"query": VENUES}, "headers": GQL}, n=2, timeout=200, within=15
    ),
    "6 x papers(title:)": Burst(
        "POST", "/graphql", lambda i: {"json": {"query": TITLES}, "headers": GQL}, n=6, timeout=200, within=15
    ),
    "Linked Data RDF, client leaves": Burst(
        "GET",
        "/",
        lambda i: {"url": RDF_PATHS[i // 2 % 3], "headers": {"Accept": "text/turtle"}},
        n=2,
        rounds=3,
        timeout=0.5,
    ),
    "50 slow readers (another address)": slow_readers,
    "heavy queries, client leaves": Burst(
        "GET", "/sparql", lambda i: {"params": {"query": HEAVY}}, n=2, rounds=4, timeout=0.5
    ),
    "timeout=1e-9 for 8 s": Burst(
        "GET",
        "/sparql",
        lambda i: {"params": {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "timeout": "1e-9"}},
        # answered (the deadline is raised to the server's minimum) or refused, never a 503
        n=4,
        for_seconds=8,
        refused=frozenset({200, 400, 504}),
    ),
    "bad percent-encoding": Burst(
        "GET",
        "/",
        lambda i: {
            "url": ("/queries/person-venues", "/queries/person-venues.bib")[i % 2],
            "params": {"person": _BAD_VALUES[i // 2]},
        },
        rounds=8,
        refused=frozenset({400}),
    ),
    "Host: evil.example": Burst(
        "GET",
        "/.well-known/void",
        lambda i: {"headers": {"Host": "evil.example", "Accept": "text/turtle"}},
        refused=frozenset({400}),
    ),
}


# -- the run --------------------------------------------------------------------------------------


@contextmanager
def serve(store: str, port: int = 0) -> Iterator[tuple[str, int, int]]:
    port = port or _free_port()
    base = f"http://127.0.0.1:{port}"
    bibkg = Path(sys.executable).with_name("bibkg")
    log = tempfile.TemporaryFile()  # noqa: SIM115 - the server writes to it until the end
    proc = subprocess.Popen(
        [str(bibkg), "serve", "--store", store, "--port", str(port)],
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        deadline = time.time() + 180
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                log.seek(0)
                raise RuntimeError("server did not start: " + log.read().decode(errors="replace")[-2000:])
            time.sleep(0.5)
        yield base, port, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


async def _people(base: str) -> list[str]:
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        for _ in range(5):  # the first request of a fresh server may meet its warm-up
            r = await http.post(
                "/graphql", json={"query": '{ event(id: "acl-2024") { topAuthors(first: 8) { person { id } } } }'}
            )
            if r.status_code == 200 and r.json().get("data"):
                return [a["person"]["id"] for a in r.json()["data"]["event"]["topAuthors"]]
            await asyncio.sleep(2)
        raise RuntimeError(f"the load's people could not be read: {r.status_code} {r.text[:300]}")


async def _health(base: str) -> int | str:
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            return (await http.get(f"{base}/health")).status_code
    except httpx.HTTPError as exc:
        return type(exc).__name__


async def _phase(
    base: str, port: int, people: list[str], clients: int, seconds: float, attack: Attack | None
) -> tuple[LoadResult, tuple[str, bool]]:
    stop = asyncio.Event()
    load = asyncio.create_task(run_load(base, people, clients, stop))
    outcome = ("", True)
    started = time.perf_counter()
    if attack is not None:
        await asyncio.sleep(0.5)
        try:
            outcome = await asyncio.wait_for(attack(base, port), timeout=240)
        except TimeoutError:
            outcome = ("attack still running after 240 s (abandoned)", False)
    remaining = seconds - (time.perf_counter() - started)
    if remaining > 0:
        await asyncio.sleep(remaining)
    stop.set()
    return await load, outcome


async def run(
    base: str,
    port: int,
    pid: int | None,
    names: list[str],
    clients: int,
    seconds: float,
    settle: float,
    warmup: float = 10.0,
) -> list[list[str]]:
    people = await _people(base)
    warm = asyncio.Event()
    asyncio.get_running_loop().call_later(warmup, warm.set)
    await run_load(base, people, clients, warm)  # warm-up
    rows: list[list[str]] = []
    with RssSampler(pid) as rss:
        rss.reset()
        quiet, _ = await _phase(base, port, people, clients, seconds, None)
        quiet_p99 = _pct(quiet.latencies, 99)
        rows.append(
            [
                "quiet",
                *quiet.row(),
                "—",
                f"{rss.now():.0f} ({rss.server():.0f})",
                f"{rss.peak:.0f}",
                f"{rss.now():.0f} ({rss.server():.0f})",
                "200",
            ]
        )
        for name in names:
            await asyncio.sleep(settle)
            before, server_before = rss.now(), rss.server()
            rss.reset()
            result, (outcome, defended) = await _phase(base, port, people, clients, seconds, ATTACKS[name])
            peak = rss.peak
            await asyncio.sleep(settle)
            after, server_after = rss.now(), rss.server()
            health = await _health(base)
            p50, p99, errors = result.row()
            ratio = _pct(result.latencies, 99) / quiet_p99 if result.latencies else float("nan")
            met = defended and ratio <= 3 and result.errors == 0 and after <= before * 1.10 and health == 200
            verdict = "ok" if met else "MISSED"
            rows.append(
                [
                    name,
                    p50,
                    f"{p99} ({ratio:.1f}x)",
                    errors,
                    f"{outcome} ({'yes' if defended else 'NO'})",
                    f"{before:.0f} ({server_before:.0f})",
                    f"{peak:.0f}",
                    f"{after:.0f} ({server_after:.0f})",
                    f"{health} {verdict}",
                ]
            )
            for example in result.examples:
                print(f"  [{name}] load error: {example}", file=sys.stderr)
    return rows


def table(rows: list[list[str]]) -> str:
    head = (
        "| attack | load p50 (ms) | load p99 (ms, x quiet) | load errors | attacker got (defended?) | "
        "RSS before, MiB (server alone) | RSS peak | RSS after (server alone) | /health after, verdict |"
    )
    lines = [head, "|" + "---|" * 9]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", default="/tmp/bibkg-full")
    parser.add_argument("--url", help="attack a running server instead (its RSS is then not measured)")
    parser.add_argument("--port", type=int, default=0, help="port of the server started (default: a free one)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=6.0, help="load duration of each phase (at least)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds between attacks")
    parser.add_argument(
        "--warmup", type=float, default=10.0, help="seconds of load before the quiet phase (fills caches)"
    )
    parser.add_argument("--only", nargs="*", choices=list(ATTACKS), metavar="NAME", help="a subset of the attacks")
    parser.add_argument("--list", action="store_true", help="list the attacks")
    args = parser.parse_args()
    if args.list:
        print("\n".join(ATTACKS))
        return 0
    names = args.only or list(ATTACKS)
    if args.url:
        port = httpx.URL(args.url).port or 80
        rows = asyncio.run(run(args.url, port, None, names, args.clients, args.seconds, args.settle, args.warmup))
        where = args.url
    else:
        if not Path(args.store, "current").exists():
            print(
                f"no store at {args.store}: run `bibkg ingest <anthology data> --store {args.store}`", file=sys.stderr
            )
            return 2
        with serve(args.store, args.port) as (base, port, pid):
            rows = asyncio.run(run(base, port, pid, names, args.clients, args.seconds, args.settle, args.warmup))
        where = f"bibkg serve --store {args.store}"
    print(f"\nAttacks under a {args.clients}-client mixed load, {where}, {os.cpu_count()} cores\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
