"""GraphQL over HTTP for FastAPI: ``build_graphql_router(services)`` is mounted at ``/graphql``.

Follows the GraphQL-over-HTTP spec:

* GET (queries only; a mutation over GET is ``405 Method Not Allowed`` with ``Allow: POST``) and
  POST with ``Content-Type: application/json`` (other types: ``415``).
* Responses in ``application/graphql-response+json`` when the client's ``Accept`` prefers it,
  else ``application/json``; ``406`` when it accepts neither. With ``application/json`` every
  well-formed request gets ``200``, as the spec requires; with
  ``application/graphql-response+json`` a request error (syntax, validation, limits: no
  ``data`` in the response) gets ``400`` and an executed request ``200``.
* Malformed requests (bad JSON, no query, bad variables) get ``400`` with a GraphQL error body.
* GraphiQL at ``GET /graphql`` for browsers, with its assets served from ``/graphql/static/``.
"""

from __future__ import annotations

import contextvars
import gzip
import json
import threading
from functools import lru_cache
from importlib import resources
from typing import Any

from cross_web import HTTPException
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.unset import UNSET

from ..accept import parse_accept
from ..services import Services
from .names import name_index_for
from .schema import build_schema
from .settings import GraphQLSettings
from .types import GQLContext

JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
_media: contextvars.ContextVar[str] = contextvars.ContextVar("bibkg_graphql_media", default=JSON)

_STATIC = {
    "graphiql-3.8.3.min.js": "text/javascript; charset=utf-8",
    "graphiql-3.8.3.min.css": "text/css; charset=utf-8",
    "react-18.2.0.production.min.js": "text/javascript; charset=utf-8",
    "react-dom-18.2.0.production.min.js": "text/javascript; charset=utf-8",
}


def negotiate(accept: str | None) -> str | None:
    """The response media type for an ``Accept`` header; ``None`` if neither is acceptable.

    No header means ``application/json`` (the spec's default for legacy clients); an explicit
    ``application/graphql-response+json`` wins ties; wildcards choose ``application/json``.
    """
    if not accept or not accept.strip():
        return JSON
    entries = parse_accept(accept)

    def quality(media: str) -> tuple[float, bool]:
        exact = [q for m, q in entries if m == media]
        if exact:
            return max(exact), True
        wild = [q for m, q in entries if m in ("application/*", "*/*")]
        return (max(wild), False) if wild else (0.0, False)

    grj, grj_explicit = quality(GRAPHQL_RESPONSE_JSON)
    js, _ = quality(JSON)
    if grj <= 0 and js <= 0:
        return None
    if grj_explicit and grj >= js:
        return GRAPHQL_RESPONSE_JSON
    return JSON if js >= grj else GRAPHQL_RESPONSE_JSON


def _error_body(message: str, code: str) -> bytes:
    return json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()


@lru_cache(maxsize=8)
def _asset(name: str) -> bytes:
    return resources.files("bibkg.graphql").joinpath("static", name + ".gz").read_bytes()


@lru_cache(maxsize=1)
def _graphiql_template() -> str:
    return resources.files("bibkg.graphql").joinpath("static", "graphiql.html").read_text("utf-8")


class BibkgGraphQLRouter(GraphQLRouter):
    """strawberry's router with GraphQL-over-HTTP media types and status codes (see module docs)."""

    def __init__(self, schema: Any, *, settings: GraphQLSettings, **kwargs: Any) -> None:
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None, **kwargs)
        self.settings = settings

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if self.is_websocket_request(request):
            return await super().run(request, context=context, root_value=root_value)
        media = negotiate(request.headers.get("accept"))
        adapter = self.request_adapter_class(request)
        if media is None:
            if self.should_render_graphql_ide(adapter):
                return await super().run(request, context=context, root_value=root_value)
            return Response(
                _error_body(f"cannot answer in any type of Accept: {request.headers.get('accept')}; "
                            f"use {GRAPHQL_RESPONSE_JSON} or {JSON}", "NOT_ACCEPTABLE"),
                status_code=406, media_type=JSON,
            )
        token = _media.set(media)
        try:
            return await super().run(request, context=context, root_value=root_value)
        except HTTPException as exc:
            status, headers, code = exc.status_code, {}, "BAD_REQUEST"
            if status == 400 and "content type" in exc.reason.lower():
                status, code = 415, "UNSUPPORTED_MEDIA_TYPE"
            elif status == 405:
                headers["Allow"] = "GET, POST"
                code = "METHOD_NOT_ALLOWED"
            elif status == 404:
                code = "NOT_FOUND"
            return Response(_error_body(exc.reason, code), status_code=status, media_type=media, headers=headers)
        finally:
            _media.reset(token)

    async def execute_single(self, request: Any, request_adapter: Any, sub_response: Any, context: Any,
                             root_value: Any, request_data: Any) -> ExecutionResult:
        try:
            return await super().execute_single(request=request, request_adapter=request_adapter,
                                                sub_response=sub_response, context=context,
                                                root_value=root_value, request_data=request_data)
        except HTTPException as exc:
            if isinstance(exc.__cause__, InvalidOperationTypeError) and request_adapter.method == "GET":
                raise HTTPException(405, "mutations are only accepted with POST") from exc
            raise

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        data = process_result(result)
        if isinstance(result, PreExecutionError):
            data.pop("data", None)  # a request error: the operation was not executed
        return data

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        media = _media.get()
        status = sub_response.status_code or 200
        if media == GRAPHQL_RESPONSE_JSON and isinstance(response_data, dict) and "data" not in response_data:
            status = 400
        response = Response(self.encode_json(response_data), media_type=media, status_code=status)
        response.headers.raw.extend(
            (k, v) for k, v in sub_response.headers.raw if k.lower() not in (b"content-length", b"content-type")
        )
        return response

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        base = request.url.path.rstrip("/")
        return HTMLResponse(_graphiql_template().replace("{{BASE}}", base))


def build_graphql_router(
    services: Services, settings: GraphQLSettings | None = None, *, warm_name_index: bool = True
) -> APIRouter:
    """The ``/graphql`` router (mount with ``app.include_router(router, prefix="/graphql")``).

    ``warm_name_index`` builds the people-search index in a background thread right away, so the
    first name lookup does not pay for it.
    """
    settings = settings or GraphQLSettings.from_env()
    schema = build_schema(settings)

    async def context_getter() -> GQLContext:
        return GQLContext(services, settings)

    router = BibkgGraphQLRouter(schema, settings=settings, context_getter=context_getter)

    @router.get("/static/{name}", include_in_schema=False)
    async def static_asset(name: str, request: Request) -> Response:
        media = _STATIC.get(name)
        if media is None:
            return Response("not found", status_code=404, media_type="text/plain")
        body = _asset(name)
        headers = {"Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(body, media_type=media, headers=headers)
        return Response(gzip.decompress(body), media_type=media, headers=headers)

    if warm_name_index:
        index = name_index_for(services.store)
        threading.Thread(target=index.ensure_built, args=(services.runner,), name="bibkg-name-index",
                         daemon=True).start()
    return router
