"""The HTTP edge under the attacks of issue 10 #4, #6, #13: what each costs the server.

    python benchmarks/bench_http_edge.py [--store STORE] [--readers 12] [--hold 40] [--port 18450]

Starts ``bibkg serve`` (on STORE, default the bundled sample) on 127.0.0.1 and replays, one after
the other:

* **slow readers**: N clients ask for a large SPARQL result (a cross join, ``max_rows`` raised,
  ``max_bytes`` at its 50 MB default) and read nothing: RSS of the server process before, at its
  peak, and after; how many of the connections the server dropped, and the statuses;
* **unfinished headers**: 30 connections each send up to 20 MB of one header line: RSS and how many
  were cut off;
* **slowloris**: 200 connections send a header line every second; how many are closed, and when;
* **10.7 MB Accept**: seconds until the answer, and its status.

Run it against the code before (``PYTHONPATH=/work/base/src``) to compare.  Traffic goes to
127.0.0.1 only; every attack stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

BIG = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 2000000"


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def slow_readers(port: int, pid: int, n: int, hold: float) -> str:
    target = "/sparql?" + str(httpx.QueryParams({"query": BIG}))
    request = (f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/sparql-results+json\r\n\r\n").encode()
    before = rss_mib(pid)
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16_384)
        s.connect(("127.0.0.1", port))
        s.sendall(request)
        socks.append(s)
    peak = before
    end = time.monotonic() + hold
    while time.monotonic() < end:
        peak = max(peak, rss_mib(pid))
        await asyncio.sleep(0.2)
    statuses: dict[str, int] = {}
    dropped = 0  # responses the server ended before sending them whole
    for s in socks:  # read what is there now: a connection the server dropped ends (EOF/reset)
        s.settimeout(0.5)
        data = b""
        got = 0
        closed = False
        stop = time.monotonic() + 3
        try:
            while time.monotonic() < stop:
                chunk = s.recv(1 << 20)
                if not chunk:
                    closed = True
                    break
                got += len(chunk)
                data += chunk[:400] if len(data) < 400 else b""
        except TimeoutError:
            pass
        except ConnectionResetError:
            closed = True
        status = data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/1.1") else "none"
        statuses[status] = statuses.get(status, 0) + 1
        head = data.split(b"\r\n\r\n", 1)[0].lower()
        length = int(head.split(b"content-length:", 1)[1].split(b"\r\n", 1)[0]) if b"content-length:" in head else 0
        dropped += status == "200" and closed and got < length + len(head) + 4
        s.close()
    await asyncio.sleep(3)
    after = rss_mib(pid)
    return (
        f"{n} slow readers held {hold:.0f} s: RSS {before:.0f} -> peak {peak:.0f} -> after {after:.0f} MiB; "
        f"statuses {statuses}; {dropped}/{statuses.get('200', 0)} unread 200 responses dropped by the server"
    )


async def unfinished_headers(port: int, pid: int) -> str:
    before = rss_mib(pid)
    peak = before
    cut = 0

    async def one() -> None:
        nonlocal cut, peak
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ")
            sent = 0
            while sent < 20_000_000:
                writer.write(b"a" * 65_000)
                await asyncio.wait_for(writer.drain(), 5)
                sent += 65_000
                peak = max(peak, rss_mib(pid))
        except (TimeoutError, OSError):
            cut += 1
        finally:
            writer.close()

    await asyncio.gather(*(one() for _ in range(30)))
    await asyncio.sleep(2)
    return f"30 x 20 MB unfinished headers: RSS {before:.0f} -> peak {peak:.0f} -> after {rss_mib(pid):.0f} MiB; {cut}/30 cut off"


async def slowloris(port: int) -> str:
    closed_at: list[float] = []
    started = time.monotonic()

    async def one() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            for i in range(30):
                await asyncio.sleep(1)
                writer.write(f"X-Slow-{i}: 1\r\n".encode())
                await writer.drain()
                if reader.at_eof():
                    closed_at.append(time.monotonic() - started)
                    return
        except OSError:
            closed_at.append(time.monotonic() - started)
        finally:
            writer.close()

    await asyncio.gather(*(one() for _ in range(200)))
    when = f", the last after {max(closed_at):.1f} s" if closed_at else ""
    return f"200 slowloris connections for 30 s: {len(closed_at)}/200 closed by the server{when}"


def huge_accept(base: str) -> str:
    accept = ",".join(f"application/x-{i};q=0.{i % 10}" for i in range(500_000))[:10_700_000]
    started = time.perf_counter()
    try:
        r = httpx.get(base + "/sparql", params={"query": "ASK {}"}, headers={"Accept": accept}, timeout=120)
        status: object = r.status_code
    except httpx.HTTPError as exc:
        status = type(exc).__name__
    return f"10.7 MB Accept header: {status} after {time.perf_counter() - started:.2f} s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", help="store directory (default: the bundled sample)")
    ap.add_argument("--readers", type=int, default=12)
    ap.add_argument("--hold", type=float, default=40, help="seconds the slow readers read nothing")
    ap.add_argument("--port", type=int, default=18450)
    args = ap.parse_args()
    cmd = [sys.executable, "-m", "bibkg", "serve", "--port", str(args.port), "--max-rows", "2000000"]
    if args.store:
        cmd += ["--store", args.store]
    # every slow reader's query is evaluated (none is turned away by the worker queue)
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "BIBKG_QUEUE_WAIT": "120", "BIBKG_QUERY_TIMEOUT": "60"}
    proc = subprocess.Popen(cmd, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        print(f"server pid {proc.pid}, RSS {rss_mib(proc.pid):.0f} MiB", flush=True)
        print(asyncio.run(slow_readers(args.port, proc.pid, args.readers, args.hold)), flush=True)
        print(asyncio.run(unfinished_headers(args.port, proc.pid)), flush=True)
        print(asyncio.run(slowloris(args.port)), flush=True)
        print(huge_accept(base), flush=True)
        print(f"/health after: {httpx.get(base + '/health', timeout=10).status_code}", flush=True)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
