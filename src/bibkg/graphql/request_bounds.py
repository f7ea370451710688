"""The bounds of a GraphQL request before strawberry sees it: its body or query string read up
to a limit, the client's disconnect watched, abandoned work let go quietly."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request as StarletteRequest
from starlette.types import Message


class Refused(Exception):
    """A request refused before it is parsed: its HTTP status, message and error code."""

    def __init__(self, status: int, message: str, code: str, **extensions: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.extensions = status, message, code, extensions


async def read_bounded(request: StarletteRequest, limit: int) -> StarletteRequest:
    """``request`` with its body read, or :class:`Refused` (413) as soon as it exceeds ``limit``
    bytes — a declared ``Content-Length`` over it is refused before reading anything. A GET
    query string over ``limit`` is refused (414). The body is handed on through a new request
    (the public ``Request(scope, receive)``) whose ``receive`` replays it."""
    if request.method != "POST":
        length = len(request.scope.get("query_string", b""))
        if length > limit:
            raise Refused(
                414,
                f"the query string is {length} bytes long; the limit is {limit} bytes (POST larger documents)",
                "URI_TOO_LONG",
                maxBytes=limit,
            )
        return request
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise Refused(400, f"Content-Length is not a number: {declared[:40]!r}", "BAD_REQUEST")
        if int(declared) > limit:
            raise Refused(
                413,
                f"the request body is {int(declared)} bytes long; the limit is {limit} bytes",
                "PAYLOAD_TOO_LARGE",
                maxBytes=limit,
            )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Refused(
                413, f"the request body is longer than the limit of {limit} bytes", "PAYLOAD_TOO_LARGE", maxBytes=limit
            )
    replayed = False
    original = request.receive

    async def receive() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}
        return await original()

    return StarletteRequest(request.scope, receive)


async def disconnected(request: StarletteRequest) -> None:
    """Returns when the client has gone (its body was read before: only a disconnect is left)."""
    while True:
        message = await request.receive()
        if message.get("type") == "http.disconnect":
            return


def forget(task: asyncio.Future[Any]) -> None:
    """Retrieve the outcome of an abandoned task, so that asyncio does not log it as lost."""
    if not task.cancelled():
        task.exception()
