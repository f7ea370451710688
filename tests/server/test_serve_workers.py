"""``bibkg serve --workers 2`` on a fresh machine: the bundled sample is ingested once, by the
parent, and both worker processes serve it (they used to race to ingest it, and one failed);
responses on a keep-alive connection are not held back by Nagle's algorithm (with asyncio's own
loop the workers' connections lacked TCP_NODELAY: every response waited ~40 ms for an ACK)."""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sparql_server_util import free_port

QUESTION = '{ coauthors(name: "Yaodong Yang", event: "acl-2025") { totalCount } }'


def test_serve_two_workers_on_a_fresh_sample(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "HOME": str(tmp_path), "BIBKG_CACHE": str(tmp_path / "cache"),
           "XDG_DATA_HOME": str(tmp_path / "data")}  # fmt: skip
    env.pop("BIBKG_STORE", None)
    proc = subprocess.Popen([sys.executable, "-m", "bibkg", "serve", "--workers", "2", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, f"the server exited:\n{proc.stdout.read() if proc.stdout else ''}"
            assert time.monotonic() < deadline, "the server did not answer within 120 s"
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        with httpx.Client(base_url=url, timeout=30) as client:
            answers = {client.post("/graphql", json={"query": QUESTION}).text for _ in range(8)}
        assert len(answers) == 1 and '"totalCount":' in answers.pop()
        assert len(list((tmp_path / "cache").glob("sample-*"))) == 1
        assert statistics.median(_keep_alive_latencies(port, 20)) < 0.025
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def _keep_alive_latencies(port: int, n: int) -> list[float]:
    """Seconds per request of ``n`` requests on one connection, each sent in one write."""
    body = b'{"query": "{ __typename }"}'
    request = (b"POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
               b"content-length: %d\r\n\r\n%s" % (len(body), body))  # fmt: skip
    times = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(n):
            started = time.perf_counter()
            sock.sendall(request)
            data = b""
            while b"\r\n\r\n" not in data:
                data += sock.recv(65536)
            head, _, rest = data.partition(b"\r\n\r\n")
            length = int(
                next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")).split(b":")[1]
            )
            while len(rest) < length:
                rest += sock.recv(65536)
            times.append(time.perf_counter() - started)
    return times
