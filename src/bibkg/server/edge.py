"""The HTTP edge: what every request passes before any route sees it, in one place.

:func:`install` wraps the application in pure ASGI middlewares (no body buffering, no
``BaseHTTPMiddleware``), outermost first:

* :class:`SecurityHeaders` — ``X-Content-Type-Options: nosniff`` on every response; a
  ``Content-Security-Policy`` (scripts only from this origin, no inline script) and
  ``X-Frame-Options: DENY`` on HTML, unless the route sent its own policy.
* :class:`HeaderLimits` — request target (414), header count, one field's size and the headers'
  total size (431), checked before anything parses them (``Accept`` negotiation included).
* :class:`HostGuard` — the ``Host`` header must be one the operator allowed (400): the URLs the
  server writes come from :func:`public_base`, which trusts nothing else of the request.
* :class:`HeadAsGet` — ``HEAD`` is answered wherever ``GET`` is: the route runs as ``GET`` and the
  body is dropped (headers, ``Content-Length`` included, are kept).
* :class:`BodyLimit` — a ``Content-Length`` above the route's limit gets 413 at once; a streamed
  body is counted chunk by chunk and gets 413 the moment it crosses the limit; a body that has
  not arrived within ``body_timeout`` gets 408.

These bound what reaches the application; :mod:`bibkg.server.http_protocol` bounds what reaches
the parser (header bytes and time before the request exists, send timeout for slow readers).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from collections.abc import Callable
from typing import Any

from .settings import ServerSettings

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]

_REASONS = {
    400: "Bad Request",
    408: "Request Timeout",
    413: "Content Too Large",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""The policy of every HTML page: no inline script, nothing from another origin, no framing.
A page that needs more (GraphiQL's bootstrap script) sends its own ``Content-Security-Policy``."""


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)


def policy_for_page(html: str, *, sources: str = "") -> str:
    """A ``Content-Security-Policy`` for a page that cannot do without inline script (GraphiQL's
    bootstrap, Swagger UI): exactly its own inline scripts, by hash, and ``sources`` (e.g. a CDN)
    besides this origin; inline styles allowed; still no framing."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.encode()).digest()).decode() + "'"
        for m in _INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'self'; script-src 'self' {sources} {hashes}; style-src 'self' 'unsafe-inline' {sources}; "
        f"img-src 'self' data: {sources}; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ).replace("  ", " ")


def plain_error(status: int, message: str) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """Headers and body of a plain-text error that closes the connection (the rest of the request
    is not read)."""
    body = f"{status} {_REASONS.get(status, 'Error')}: {message}\n".encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    return headers, body


async def send_error(send: Send, status: int, message: str) -> None:
    headers, body = plain_error(status, message)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def public_base(request: Any, settings: ServerSettings) -> str:
    """The base URL every link the server writes starts with (no trailing slash).

    The configured ``public_url`` when there is one; otherwise the request's scheme and ``Host``,
    which :class:`HostGuard` has already checked against ``allowed_hosts``.  Every URL builder
    goes through here, so nothing else reads ``Host``.
    """
    if settings.public_url:
        return settings.public_url.rstrip("/")
    return str(request.base_url).rstrip("/")


# -- middlewares ------------------------------------------------------------------------------------


class SecurityHeaders:
    """``nosniff`` everywhere; CSP and frame denial on HTML responses (see module docs)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                if ctype.lower().startswith(b"text/html"):
                    if b"content-security-policy" not in names:
                        headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                    if b"x-frame-options" not in names:
                        headers.append((b"x-frame-options", b"DENY"))
                    headers.append((b"referrer-policy", b"same-origin"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeaderLimits:
    """414 for a request target above ``max_url_bytes``; 431 for more than ``max_header_count``
    fields, one field above ``max_header_field_bytes`` or all above ``max_header_bytes``.

    Under ``bibkg serve`` the protocol (:mod:`~bibkg.server.http_protocol`) refuses these before
    they are even parsed; this check holds for any ASGI server the app runs in."""

    def __init__(self, app: ASGIApp, settings: ServerSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problem = check_head(scope, self.settings)
            if problem is not None:
                return await send_error(send, *problem)
        await self.app(scope, receive, send)


def check_head(scope: Scope, s: ServerSettings) -> tuple[int, str] | None:
    """(status, message) when the request's target or headers exceed a limit, else ``None``."""
    target = len(scope.get("raw_path") or scope.get("path", "").encode()) + len(scope.get("query_string", b""))
    if target > s.max_url_bytes:
        return (
            414,
            f"the request target is {target:,} bytes; at most {s.max_url_bytes:,} are accepted (BIBKG_MAX_URL_BYTES)",
        )
    headers = scope.get("headers", [])
    return header_problem(
        len(headers), max((len(k) + len(v) for k, v in headers), default=0), sum(len(k) + len(v) for k, v in headers), s
    )


def header_problem(
    count: int, largest: int, total: int, s: ServerSettings, name: bytes | None = None
) -> tuple[int, str] | None:
    """The 431 for header fields beyond the settings' limits, or ``None``."""
    if count > s.max_header_count:
        return 431, f"the request has more than {s.max_header_count} header fields (BIBKG_MAX_HEADER_COUNT)"
    if largest > s.max_header_field_bytes:
        what = f"header field {name.decode('latin-1')!r}" if name else "a header field"
        return (
            431,
            f"{what} is {largest:,} bytes; at most {s.max_header_field_bytes:,} are accepted (BIBKG_MAX_HEADER_FIELD_BYTES)",
        )
    if total > s.max_header_bytes:
        return 431, f"the request headers exceed {s.max_header_bytes:,} bytes (BIBKG_MAX_HEADER_BYTES)"
    return None


_HOST = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(?P<port>[0-9]{1,5}))?")


class HostGuard:
    """400 unless the ``Host`` header names an allowed host (``ServerSettings.allowed_host_list``;
    ``*.example.org`` matches its subdomains, ``*`` anything).  Without this check a request's
    ``Host`` would end up in the URLs the server writes, and in caches behind it."""

    def __init__(self, app: ASGIApp, settings: ServerSettings) -> None:
        self.app = app
        self.allowed = [h.lower() for h in settings.allowed_host_list]
        self.any = "*" in self.allowed

    def allows(self, header: str | None) -> bool:
        if self.any:
            return True
        match = _HOST.fullmatch(header or "")
        if match is None:
            return False
        host = match["host"].lower()
        return any(host == p or (p.startswith("*.") and host.endswith(p[1:])) for p in self.allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = [v for k, v in scope.get("headers", []) if k == b"host"]
            header = raw[0].decode("latin-1") if len(raw) == 1 else None
            if not self.allows(header):
                shown = "none" if not raw else repr(header)[:100] if header is not None else "several"
                return await send_error(
                    send,
                    400,
                    f"Host header {shown} is not one this server answers for; the operator allows more "
                    "with BIBKG_ALLOWED_HOSTS or sets BIBKG_PUBLIC_URL",
                )
        await self.app(scope, receive, send)


class HeadAsGet:
    """``HEAD`` is ``GET`` without the body, on every route that has ``GET``: the route runs as
    ``GET``; the response's status and headers are sent, its body is not.  Once the headers
    went out the route is told the client left, so a large body is not produced for nothing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            return await self.app(scope, receive, send)
        done = False

        async def send_head(message: Message) -> None:
            nonlocal done
            if done:
                return
            if message["type"] == "http.response.start":
                await send(message)
            elif message["type"] == "http.response.body":
                done = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        async def receive_head() -> Message:
            if done:
                return {"type": "http.disconnect"}
            return await receive()

        await self.app({**scope, "method": "GET"}, receive_head, send_head)


class BodyLimit:
    """413 for a request body above its route's limit, without buffering it.

    A declared ``Content-Length`` above the limit is refused before the route runs.  Otherwise
    the chunks are counted as the route reads them; when they cross the limit the middleware
    answers 413 itself, the route sees the client disconnect, and whatever the route sends after
    is dropped.  ``limits`` maps a path prefix to a smaller limit than ``default``.  The whole
    body must arrive within ``timeout`` seconds of the request (408 otherwise, the same way)."""

    def __init__(self, app: ASGIApp, default: int, limits: dict[str, int] | None = None, timeout: float = 0) -> None:
        self.app = app
        self.default = default
        self.limits = sorted((limits or {}).items(), key=lambda kv: -len(kv[0]))
        self.timeout = timeout

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.limits:
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limit_for(scope.get("path", ""))
        declared = [v for k, v in scope.get("headers", []) if k == b"content-length"]
        if declared:
            try:
                length = int(declared[0])
            except ValueError:
                return await send_error(send, 400, "Content-Length is not a number")
            if length > limit:
                return await send_error(
                    send,
                    413,
                    f"the request body is {length:,} bytes; at most {limit:,} are accepted on {scope.get('path')}",
                )
        received = 0
        refused = False
        started = False
        complete = False
        deadline = asyncio.get_running_loop().time() + self.timeout

        async def counting_receive() -> Message:
            nonlocal received, refused, complete
            if refused:
                return {"type": "http.disconnect"}
            if complete or not self.timeout:
                return await receive()  # after the body: waiting for a disconnect is not bounded
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - asyncio.get_running_loop().time()))
            except TimeoutError:
                refused = True
                if not started:
                    await send_error(
                        send, 408, f"the request body did not arrive within {self.timeout:g} s (BIBKG_BODY_TIMEOUT)"
                    )
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                complete = not message.get("more_body", False)
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not started:
                        await send_error(send, 413, f"the request body exceeds {limit:,} bytes on {scope.get('path')}")
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused:
                raise


def install(app: Any, settings: ServerSettings) -> None:
    """Wrap ``app`` (a Starlette/FastAPI application) in the edge middlewares, in order."""
    sparql_body = 3 * settings.max_query_bytes + 10_000  # a form-encoded query of max_query_bytes
    app.add_middleware(
        BodyLimit,
        default=settings.max_body_bytes,
        limits={"/sparql": min(sparql_body, settings.max_body_bytes)},
        timeout=settings.body_timeout,
    )
    app.add_middleware(HeadAsGet)
    app.add_middleware(HostGuard, settings=settings)
    app.add_middleware(HeaderLimits, settings=settings)
    app.add_middleware(SecurityHeaders)
