"""Error answers over HTTP: plain text for the SPARQL side, a small HTML page for a browser
that hits an unknown path or a method a route does not take, and the one answer to a bibkg error
that a route lets through (its own status and message, never a traceback)."""

from __future__ import annotations

import html
import logging

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import BibkgError
from ..sparql.negotiation import prefers_html

log = logging.getLogger("bibkg.server")


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """Errors raised by routing itself (an unknown path, a method a route does not take): a
    small HTML page for a client that prefers HTML (a browser), FastAPI's JSON otherwise."""
    if not prefers_html(request.headers.get("accept")):
        return await http_exception_handler(request, exc)
    reason = _REASONS.get(exc.status_code, "Error")
    detail = "There is nothing at this address." if exc.status_code == 404 else str(exc.detail)
    body = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{exc.status_code} {reason}</title>"
        "<link rel=stylesheet href=/static/app.css></head><body><main>"
        f"<h1>{exc.status_code} {reason}</h1><p>{html.escape(detail)} <code>{html.escape(request.url.path)}</code></p>"
        '<p><a href="/">Query page</a> · <a href="/queries">named queries</a> · <a href="/graphql">GraphQL</a></p>'
        "</main></body></html>"
    )
    return HTMLResponse(
        body, status_code=exc.status_code, headers={**(getattr(exc, "headers", None) or {}), "Vary": "Accept"}
    )


async def bibkg_error(request: Request, exc: BibkgError) -> Response:
    """A bibkg error no route answered itself: the status its class carries
    (:mod:`bibkg.errors`) and its message as plain text; a 5xx (the server's fault) is logged
    with its traceback, which the client never sees."""
    if exc.status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, exc, exc_info=exc)
    return error_response(exc.status, str(exc))


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Errors are plain text: what went wrong and where (the parser reports line:column)."""
    return Response(
        f"{status} {_REASONS.get(status, 'Error')}: {message}\n",
        status_code=status,
        media_type="text/plain; charset=utf-8",
        headers=headers,
    )


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    408: "Request Timeout",
    413: "Payload Too Large",
    409: "Conflict",
    414: "URI Too Long",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
