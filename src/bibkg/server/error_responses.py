"""Error answers over HTTP: a small HTML page for a browser that hits an unknown path or a method a
route does not take (:func:`http_error`), and the one answer to every bibkg error a route raises
(:func:`bibkg_error`: its own status, headers and message, never a traceback) — plain text for
the SPARQL side, a page or plain text for the Linked Data pages, JSON for the dumps, GraphQL's
error format for ``/graphql``, JSON or a page for the corrections.  No route builds an error
answer itself (``tests/server/test_error_handler.py`` checks)."""

from __future__ import annotations

import html
import logging
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import BibkgError
from ..sparql.negotiation import prefers_html

log = logging.getLogger("bibkg.server")


def install(app: FastAPI) -> None:
    """Register the error handlers on ``app``: :func:`create_app <bibkg.server.app.create_app>`
    does, and so does a test that mounts one router alone."""
    # Starlette types handlers as taking any Exception, too narrow for one registered for a class
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]  # a browser gets an HTML 404
    app.add_exception_handler(BibkgError, bibkg_error)  # type: ignore[arg-type]  # every error a route raises


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
    """The one answer to a bibkg error a route raises (every route raises, none answers an error
    itself): the status and headers its class or instance carries (:mod:`bibkg.errors`) and its
    message, in the format of its family (:data:`RENDERERS`, :func:`representation`).  A 5xx that
    is the server's fault is logged with its traceback, which the client never sees; a refusal
    that is no fault (busy, past its deadline, not started yet) is logged without."""
    if exc.status >= 500:
        if _expected(exc):
            log.info("%s %s: %d %s", request.method, request.url.path, exc.status, exc)
        else:
            log.error("%s %s: %s", request.method, request.url.path, exc, exc_info=exc)
    return RENDERERS[representation(request, exc)](request, exc)


def representation(request: Request, exc: BibkgError) -> str:
    """The format of the answer to ``exc``: its family's when it has one (``exc.representation``:
    the dumps' JSON, GraphQL's error format, the corrections'), else the one of the route that
    raised it (:func:`answer_errors_as`: the Linked Data pages), else plain text."""
    if exc.representation is not None:
        return exc.representation
    try:
        return _BY_ENDPOINT.get(request.scope.get("endpoint"), "text")  # type: ignore[arg-type]
    except TypeError:  # no endpoint, or one that cannot be weakly referenced: none of those marked
        return "text"


def answer_errors_as(name: str, endpoints: Iterable[Callable[..., Any]]) -> None:
    """The errors ``endpoints`` raise are answered in the format ``name`` (one of
    :data:`RENDERERS`) unless their family has its own."""
    if name not in RENDERERS:
        raise ValueError(f"no error representation {name!r}")
    for endpoint in endpoints:
        _BY_ENDPOINT[endpoint] = name


_BY_ENDPOINT: weakref.WeakKeyDictionary[Callable[..., Any], str] = weakref.WeakKeyDictionary()


def _expected(exc: BibkgError) -> bool:
    from .executor import Stopped  # a query not (fully) evaluated: the executor logs why

    return exc.expected or isinstance(exc, Stopped)


def _text(request: Request, exc: BibkgError) -> Response:
    return error_response(exc.status, str(exc), dict(exc.headers))


def _page(request: Request, exc: BibkgError) -> Response:
    """The Linked Data pages': an HTML page for a client that accepts HTML, the message as plain
    text otherwise."""
    from ..web import page_parts

    headers = {**exc.headers, "Vary": "Accept"}
    message = str(exc)
    if "text/html" in (request.headers.get("accept") or ""):
        body = (
            page_parts.not_found_page(message)
            if exc.status == 404
            else page_parts.page("Error", f"<h1>Error {exc.status}</h1><p>{page_parts.e(message)}</p>")
        )
        return HTMLResponse(body, status_code=exc.status, headers=headers)
    return PlainTextResponse(message + "\n", status_code=exc.status, headers=headers)


def _json(request: Request, exc: BibkgError) -> Response:
    """``{"error": message}`` (the dumps')."""
    return JSONResponse({"error": str(exc)}, status_code=exc.status, headers=dict(exc.headers))


def _graphql(request: Request, exc: BibkgError) -> Response:
    """GraphQL-over-HTTP's error format (``{"errors": [{"message", "extensions": {"code"…}}]}``)
    in the media type negotiated for the request (:class:`bibkg.graphql.router.GraphQLHTTPError`)."""
    from ..graphql.media import JSON, error_body

    body = error_body(str(exc), getattr(exc, "code", "BAD_REQUEST"), **getattr(exc, "extensions", {}))
    return Response(body, status_code=exc.status, media_type=getattr(exc, "media", JSON), headers=dict(exc.headers))


def _correction(request: Request, exc: BibkgError) -> Response:
    """A refused correction (:class:`bibkg.corrections.errors.CorrectionError`): a page for a
    browser's form, its ``as_dict()`` as JSON otherwise."""
    from ..corrections.errors import CorrectionError

    if not isinstance(exc, CorrectionError):
        return _text(request, exc)
    headers = dict(exc.headers)
    browser_form = (
        "text/html" in request.headers.get("accept", "")
        and request.method == "POST"
        and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
    )
    if browser_form:
        from ..corrections.web.pages import refused_page

        return HTMLResponse(refused_page(exc), status_code=exc.status, headers=headers)
    return JSONResponse(exc.as_dict(), status_code=exc.status, headers=headers)


RENDERERS: dict[str, Callable[[Request, BibkgError], Response]] = {
    "text": _text,
    "page": _page,
    "json": _json,
    "graphql": _graphql,
    "correction": _correction,
}
"""The formats of an error answer, by name (``BibkgError.representation``, :func:`answer_errors_as`)."""


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
