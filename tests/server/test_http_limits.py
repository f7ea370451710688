"""Issue 10 (#4, #6, #13): every input of every route is bounded at the HTTP edge of a real
``bibkg serve`` process — body (413), request target (414), headers (431), header time (408 and
close: slowloris), response send time (slow readers are dropped and their memory freed) — and
HEAD is answered wherever GET is."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from http_process_util import ServerProcess, read_all, serve, status_of

HEADER_TIMEOUT = 2.0
SEND_TIMEOUT = 2.0
BODY_TIMEOUT = 2.0
MAX_BYTES = 16_000_000
BUDGET = 40_000_000


@pytest.fixture(scope="module")
def edge_server(sample_store) -> Iterator[ServerProcess]:
    with serve(
        sample_store.root,
        BIBKG_HEADER_TIMEOUT=HEADER_TIMEOUT,
        BIBKG_BODY_TIMEOUT=BODY_TIMEOUT,
        BIBKG_SEND_TIMEOUT=SEND_TIMEOUT,
        BIBKG_MAX_ROWS=1_000_000,
        BIBKG_MAX_BYTES=MAX_BYTES,
        BIBKG_RESPONSE_BUFFER_BYTES=BUDGET,
    ) as running:
        yield running


def _exchange(server: ServerProcess, request: bytes, timeout: float = 10) -> tuple[bytes, bool]:
    with server.connect() as sock:
        try:
            sock.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before it was all sent: the answer is what counts
        return read_all(sock, timeout)


# -- bodies ------------------------------------------------------------------------------------------


def test_declared_oversized_body_is_refused_at_once(edge_server: ServerProcess) -> None:
    """/graphql had no body limit (a 10 MB body cost 6-8 s of event loop)."""
    head = (b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 20000000\r\n\r\n{\"query\": \"")  # fmt: skip
    started = time.monotonic()
    answer, closed = _exchange(edge_server, head)
    assert status_of(answer) == 413, answer[:300]
    assert closed and time.monotonic() - started < 3  # answered without waiting for the body
    assert b"20,000,000 bytes" in answer


def test_streamed_oversized_body_is_refused(edge_server: ServerProcess) -> None:
    """A chunked body declares no length: it is counted as it arrives."""

    def chunks():
        yield b'{"query": "{ __typename }", "variables": {"x": "'
        for _ in range(40):
            yield b"a" * 100_000
        yield b'"}}'

    with httpx.Client(timeout=30) as client:
        r = client.post(edge_server.url + "/graphql", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413, r.text[:300]


def test_sparql_form_body_has_the_smaller_sparql_limit(edge_server: ServerProcess) -> None:
    body = b"query=" + b"%20" * 400_000
    r = httpx.post(edge_server.url + "/sparql", content=body, timeout=30,
                   headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert r.status_code == 413, r.text[:300]


@pytest.mark.parametrize("path", ["/sparql", "/graphql"])
def test_a_trickled_body_gets_408_at_the_body_timeout(edge_server: ServerProcess, path: str) -> None:
    """A body sent a few bytes at a time, never complete: the route does not wait forever."""
    ctype = b"application/x-www-form-urlencoded" if path == "/sparql" else b"application/json"
    with edge_server.connect() as sock:
        started = time.monotonic()
        sock.sendall(b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\nContent-Length: 1000\r\n\r\nquery="
                     % (path.encode(), ctype))  # fmt: skip
        answer, closed = read_all(sock, BODY_TIMEOUT + 8)
    assert status_of(answer) == 408 and closed, answer[:300]
    assert time.monotonic() - started < BODY_TIMEOUT + 4


# -- request heads -------------------------------------------------------------------------------------


def test_huge_accept_header_gets_431_without_parsing_it(edge_server: ServerProcess) -> None:
    """A 10.7 MB Accept header cost 11 s of CPU; 2 MB are refused before the parser buffers them."""
    request = (b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: "
               + b"application/json;q=0.5," * 100_000 + b"\r\n\r\n")  # fmt: skip
    started = time.monotonic()
    answer, closed = _exchange(edge_server, request)
    assert status_of(answer) == 431, answer[:300]
    assert closed and time.monotonic() - started < 3


def test_accept_header_above_the_field_limit_gets_431(edge_server: ServerProcess) -> None:
    r = httpx.get(edge_server.url + "/sparql", params={"query": "ASK {}"},
                  headers={"Accept": "text/csv," * 2000}, timeout=10)  # fmt: skip
    assert r.status_code == 431 and "accept" in r.text.lower(), r.text


def test_too_many_header_fields_get_431(edge_server: ServerProcess) -> None:
    fields = b"".join(b"X-Field-%d: 1\r\n" % i for i in range(300))
    answer, closed = _exchange(edge_server, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + fields + b"\r\n")
    assert status_of(answer) == 431 and closed, answer[:300]


def test_unfinished_huge_headers_do_not_keep_memory(edge_server: ServerProcess) -> None:
    """30 connections sending 20 MB of headers they never finish took RSS 116 -> 691 MiB."""
    before = edge_server.rss_mib()
    socks = []
    answers = []
    try:
        for _ in range(20):
            sock = edge_server.connect()
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Junk: ")
            socks.append(sock)
        for sock in socks:
            try:
                for _ in range(20):
                    sock.sendall(b"j" * 100_000)
            except (BrokenPipeError, ConnectionResetError):
                pass
        peak = edge_server.rss_mib()
        for sock in socks:
            answers.append(read_all(sock, 5))
    finally:
        for sock in socks:
            sock.close()
    assert all(status_of(a) == 431 and closed for a, closed in answers), answers[0][0][:300]
    assert peak - before < 40, f"RSS {before:.0f} -> {peak:.0f} MiB"


def test_slowloris_connections_are_closed_after_the_header_timeout(edge_server: ServerProcess) -> None:
    """0 of 1,000 slowloris connections were closed in 45 s."""
    socks = [edge_server.connect() for _ in range(20)]
    try:
        started = time.monotonic()
        for sock in socks:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        time.sleep(1)
        for sock in socks:
            sock.sendall(b"X-Slow: 1\r\n")  # still trickling: the deadline is for the whole head
        results = [read_all(sock, HEADER_TIMEOUT + 5) for sock in socks]
        elapsed = time.monotonic() - started
    finally:
        for sock in socks:
            sock.close()
    assert all(closed for _, closed in results)
    assert all(status_of(answer) == 408 for answer, _ in results), results[0][0][:300]
    assert elapsed < HEADER_TIMEOUT + 4


def test_idle_connection_is_closed(edge_server: ServerProcess) -> None:
    with edge_server.connect() as sock:
        answer, closed = read_all(sock, HEADER_TIMEOUT + 5)
    assert closed and answer == b""


def test_a_slow_but_complete_request_is_served(edge_server: ServerProcess) -> None:
    with edge_server.connect() as sock:
        for part in (b"GET /health HTTP/1.1\r\n", b"Host: 127.0.0.1\r\n", b"Connection: close\r\n\r\n"):
            sock.sendall(part)
            time.sleep(HEADER_TIMEOUT / 4)
        answer, _ = read_all(sock, 10)
    assert status_of(answer) == 200, answer[:300]


# -- HEAD ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/sparql",
        "/graphql",
        "/health",
        "/queries/person-papers?person=yaodong-yang",
        "/sparql?query=ASK%7B%7D",
        "/queries",
        "/",
    ],
)
def test_head_is_answered_wherever_get_is(edge_server: ServerProcess, path: str) -> None:
    with httpx.Client(base_url=edge_server.url, timeout=30) as client:
        get = client.get(path)
        head = client.head(path)
    assert get.status_code == 200
    assert head.status_code == 200, head.text
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


# -- slow readers ----------------------------------------------------------------------------------------


BIG_QUERY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 400000"


def test_slow_readers_are_dropped_and_memory_is_bounded(edge_server: ServerProcess) -> None:
    """50 clients that asked for a 42 MB result and read nothing took RSS 103 -> 1,862 MiB: the
    whole body was held per connection, forever.  Now results are sent in chunks, at most BUDGET
    bytes of them at once (503 beyond), and a client that reads nothing is dropped after
    SEND_TIMEOUT, which frees its result."""
    target = "/sparql?" + str(httpx.QueryParams({"query": BIG_QUERY}))
    request = (f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/sparql-results+json\r\n\r\n").encode()
    before = edge_server.rss_mib()
    socks = [edge_server.connect(rcvbuf=16_384) for _ in range(8)]
    peak = before
    try:
        for sock in socks:
            sock.sendall(request)
        end = time.monotonic() + 15
        while time.monotonic() < end:  # the queries run, their results are sent to no one
            peak = max(peak, edge_server.rss_mib())
            time.sleep(0.2)
        # a client that comes now is served normally
        assert httpx.get(edge_server.url + "/health", timeout=10).status_code == 200
        results = [read_all(sock, 10) for sock in socks]
    finally:
        for sock in socks:
            sock.close()
    statuses = [status_of(data) for data, _ in results]
    sent = [s for s in statuses if s == 200]
    assert sent and set(statuses) <= {200, 503}, statuses
    for data, closed in results:
        if status_of(data) == 200:
            head, _, body = data.partition(b"\r\n\r\n")
            length = int(
                next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")).split(b":")[1]
            )
            assert length > 5_000_000
            assert closed and len(body) < length, "the slow reader was not dropped"
    time.sleep(1)
    after = edge_server.rss_mib()
    assert peak - before < (BUDGET + 3 * MAX_BYTES) / 2**20, f"RSS {before:.0f} -> peak {peak:.0f} MiB"
    assert after - before < 40, f"RSS {before:.0f} -> {after:.0f} MiB after the slow readers were dropped"


def test_budget_refusal_names_the_setting(sample_store) -> None:
    """While a client that does not read holds the budget, a further big result gets 503.  (Its
    own server: a send timeout long enough that the holder is not dropped meanwhile.)"""
    target = "/sparql?" + str(httpx.QueryParams({"query": BIG_QUERY}))
    request = (f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/sparql-results+json\r\n\r\n").encode()
    with serve(sample_store.root, BIBKG_SEND_TIMEOUT=60, BIBKG_MAX_ROWS=1_000_000, BIBKG_MAX_BYTES=MAX_BYTES,
               BIBKG_RESPONSE_BUFFER_BYTES=MAX_BYTES + 1_000_000, BIBKG_QUEUE_WAIT=30) as server:  # fmt: skip
        with server.connect(rcvbuf=16_384) as holder:
            holder.sendall(request)
            holder.settimeout(60)
            assert holder.recv(15, socket.MSG_PEEK) == b"HTTP/1.1 200 OK"  # sending, and not read
            r = httpx.get(server.url + target, headers={"Accept": "application/sparql-results+json"}, timeout=60)
            assert r.status_code == 503, r.status_code
            assert "BIBKG_RESPONSE_BUFFER_BYTES" in r.text and r.headers.get("retry-after")
        # the holder left: its share of the budget is back
        deadline = time.monotonic() + 10
        while True:
            r = httpx.get(server.url + target, headers={"Accept": "application/sparql-results+json"}, timeout=60)
            if r.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert r.status_code == 200 and len(r.content) > 5_000_000


def test_result_is_sent_whole_to_a_reading_client(edge_server: ServerProcess) -> None:
    query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 30000"
    r = httpx.get(edge_server.url + "/sparql", params={"query": query}, timeout=60,
                  headers={"Accept": "application/sparql-results+json"})  # fmt: skip
    assert r.status_code == 200
    assert int(r.headers["content-length"]) == len(r.content)
    assert len(json.loads(r.content)["results"]["bindings"]) == 30000
