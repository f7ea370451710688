"""Sending large results without holding them twice, and never more of them than a budget.

A query result arrives from the worker as one ``bytes``.  Sent in one piece it would be copied
into the transport's write buffer whole, and kept there for as long as the client does not read
it (50 clients that read nothing of a 42 MB result: RSS 103 -> 1,862 MiB).  Here

* :class:`ResponseBudget` admits a result only while the results being sent, over all
  connections, stay within ``response_buffer_bytes`` (else 503 with ``Retry-After``), and takes
  it back when its response ends (sent, client gone, or dropped by the send timeout);
* :class:`ChunkedBody` sends it in slices of :data:`CHUNK` bytes, each only once the transport
  has room (uvicorn's flow control waits for the write buffer to drain), so a connection buffers
  at most one high-water mark; a client that reads nothing is dropped after ``send_timeout``
  (:mod:`bibkg.server.http_protocol`), which ends the sending and frees the result.
"""

from __future__ import annotations

import ctypes
from typing import Any

from starlette.responses import Response

CHUNK = 64 * 1024


def return_freed_results_to_the_os(threshold: int = 128 * 1024) -> bool:
    """Fix glibc's mmap threshold so that a freed result's memory goes back to the system.

    glibc raises its threshold to the size of the largest block freed (up to 32 MiB); after a few
    large results, the pieces a result is assembled from (pipe reads of the worker's answer, the
    chunks sent) come from the heap, and the heap stays at its peak: measured with 12 clients that
    read nothing of 50 MB results, RSS stayed 120 MiB above its start after they were dropped, and
    went back to its start with the threshold fixed (``mallopt(M_MMAP_THRESHOLD)``, which also
    turns the adjustment off).  A no-op where the C library is not glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(-3, threshold))  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        return False


class ResponseBudget:
    """Bytes of response bodies in flight in this process, bounded by ``limit``.

    A body larger than the whole budget is still admitted when nothing else is in flight (it
    could never be sent otherwise; its size is bounded by ``max_bytes``)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0

    def try_acquire(self, size: int) -> bool:
        if self.in_flight and self.in_flight + size > self.limit:
            return False
        self.in_flight += size
        return True

    def release(self, size: int) -> None:
        self.in_flight -= size


class ChunkedBody(Response):
    """A response whose ``bytes`` body is sent in :data:`CHUNK` slices with its
    ``Content-Length``; the budget reservation (if any) is released when sending ends."""

    def __init__(self, payload: bytes, *, budget: ResponseBudget | None = None, **kwargs: Any) -> None:
        super().__init__(b"", **kwargs)
        self.payload = payload
        self.budget = budget
        self.raw_headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        self.raw_headers.append((b"content-length", str(len(payload)).encode()))

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            view = memoryview(self.payload)
            size = len(view)
            if size == 0:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            for start in range(0, size, CHUNK):
                end = min(start + CHUNK, size)
                await send({"type": "http.response.body", "body": bytes(view[start:end]), "more_body": end < size})
        finally:
            if self.budget is not None:
                self.budget.release(len(self.payload))
                self.budget = None
            self.payload = b""
