"""The named queries over HTTP: ``/queries`` lists the public catalog (HTML or JSON), and
``/queries/NAME?param=value`` runs one with typed parameters.  Their errors are raised (an unknown
query: 404, a bad parameter: 400) and answered by the server's one error handler."""

from __future__ import annotations

import html
import math
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.convertors import Convertor, register_url_convertor

from ..sparql.catalog import ParameterError
from ..sparql.negotiation import prefers_html
from .edge import public_base
from .query_response import query_response


class _QueryNameConvertor(Convertor[str]):
    """A named query's name: no dots, so ``/queries/NAME.bib`` (BibTeX of a query's papers,
    served by the Linked Data router) is not taken for a query called ``NAME.bib``."""

    regex = "[A-Za-z0-9][A-Za-z0-9_-]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


def add_named_query_routes(router: APIRouter, app_state: Any) -> None:
    """Add the named queries' routes to ``router``; ``app_state`` is ``app.state`` (services and
    executor set by lifespan)."""

    def query_info(request: Request, q: Any) -> dict[str, Any]:
        example = {p.name: p.example for p in q.params if p.example is not None}
        return {
            "name": q.name,
            "summary": q.summary,
            "description": q.description,
            "params": [
                {
                    "name": p.name,
                    "type": p.type,
                    "description": p.description,
                    "example": p.example,
                    "required": p.required,
                    "default": p.default,
                }
                for p in q.params
            ],
            "tags": list(q.tags),
            "returns": q.returns,
            "text": q.text,
            "url": f"{public_base(request, app_state.settings)}/queries/{q.name}",
            "example_url": f"{public_base(request, app_state.settings)}/queries/{q.name}"
            + (f"?{urlencode(example)}" if example else ""),
        }

    async def list_queries(request: Request) -> Response:
        catalog = app_state.services.catalog
        items = [query_info(request, q) for q in catalog.public()]
        if prefers_html(request.headers.get("accept")) and request.query_params.get("format") != "json":
            rows = "".join(
                f'<tr><td><a href="/?name={html.escape(i["name"])}">{html.escape(i["name"])}</a></td>'
                f"<td>{html.escape(i['summary'])}</td>"
                f"<td>{html.escape(', '.join(p['name'] + ': ' + p['type'] for p in i['params']))}</td>"
                f'<td><a href="{html.escape(i["example_url"])}">example</a></td></tr>'
                for i in items
            )
            return HTMLResponse(
                "<!doctype html><html lang=en><head><meta charset=utf-8><title>bibkg named queries</title>"
                "<link rel=stylesheet href=/static/app.css></head><body><main><h1>Named queries</h1>"
                "<p>Run one with <code>GET /queries/NAME?param=value</code> or <code>bibkg query --name NAME --param k=v</code>; "
                '<a href="/queries?format=json">JSON</a>.</p>'
                f"<table class=results><thead><tr><th>name</th><th>summary</th><th>parameters</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
                "</main></body></html>"
            )
        return JSONResponse({"queries": items}, headers={"Vary": "Accept"})

    router.add_api_route("/queries", list_queries, methods=["GET"], summary="The named queries")

    async def run_named(name: str, request: Request) -> Response:
        named = app_state.services.catalog.public_query(name)  # an internal query is no public API (404)
        values: dict[str, str] = {}
        timeout: float | None = None
        fmt: str | None = None
        for key, value in request.query_params.multi_items():
            if key == "timeout":
                timeout = _timeout(value)
            elif key in ("format", "output", "results"):
                fmt = value if fmt is None else f"{fmt},{value}"  # a list, as /sparql takes it
            elif key == "download":
                continue
            elif key in values:
                raise ParameterError(f"parameter '{key}' is given twice")
            else:
                values[key] = value
        bindings = named.bind(values)  # ParameterError (400) for a missing, unknown or mistyped value
        return await query_response(app_state, request, named.text, bindings=bindings, timeout=timeout, fmt=fmt)

    register_url_convertor("queryname", _QueryNameConvertor())
    router.add_api_route(
        "/queries/{name:queryname}", run_named, methods=["GET"], summary="Run a named query with typed parameters"
    )


def _timeout(value: str) -> float:
    """``?timeout=``: a positive number of seconds, else :class:`ParameterError` (400)."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not seconds > 0:  # NaN included
        raise ParameterError(f"timeout: '{value}' is not a positive number of seconds")
    return seconds
