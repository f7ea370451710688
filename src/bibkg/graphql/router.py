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
  Refusals before execution are raised (:class:`GraphQLHTTPError`) and answered in that format by
  the server's one error handler (:mod:`bibkg.server.error_responses`).
* GraphiQL at ``GET /graphql`` for browsers, with its assets served from ``/graphql/static/``
  (:mod:`bibkg.graphql.graphiql`).

Successful responses carry an ``ETag`` (``If-None-Match`` on GET: ``304``) and, when the store is
a local snapshot, are kept for identical requests (:mod:`bibkg.graphql.response_cache`).

Every request is bounded before strawberry sees it: a POST body over ``max_body_bytes`` is ``413``
(a declared ``Content-Length`` over it is refused before reading anything; otherwise reading
stops at the limit), a GET query string over it ``414``. Then parse, validation and execution run
under a deadline (``timeout``, by default the server's ``query_timeout``): past it the request is
``504`` with the error code ``DEADLINE``, and its work is cancelled — no resolver runs and no store
query starts after it (one already running in a worker thread finishes and is dropped). The same
happens as soon as the client disconnects (:mod:`bibkg.graphql.request_bounds`).

Each snapshot served gets its search indexes and data sizes built in the background
(:mod:`bibkg.graphql.warmup`).
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from cross_web import HTTPException
from fastapi import Request
from starlette.requests import Request as StarletteRequest
from starlette.responses import HTMLResponse, Response
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from ..errors import BibkgError
from ..server.executor import ClientGone
from ..services import Services
from .graphiql import asset_response, graphiql_page
from .media import GRAPHQL_RESPONSE_JSON, JSON, negotiate
from .request_bounds import Refused, disconnected, forget, read_bounded
from .response_cache import CachedResponse, ResponseCache, etag, if_none_match, request_key
from .schema import build_schema
from .settings import GraphQLSettings
from .types import GQLContext
from .warmup import Warmer, sizes_of


@dataclass(slots=True)
class _Exchange:
    """What the steps of one HTTP exchange tell each other: the negotiated media type, and the
    entity tag once a successful response was encoded."""

    media: str = JSON
    etag: str | None = None


_exchange: contextvars.ContextVar[_Exchange] = contextvars.ContextVar("bibkg_graphql_exchange")


def _conditional(request: Any, response: Response) -> Response:
    """``304 Not Modified`` for a GET whose ``If-None-Match`` names the response's ``ETag``."""
    tag = response.headers.get("etag")
    if request.method == "GET" and tag and if_none_match(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers={"ETag": tag})
    return response


class GraphQLHTTPError(BibkgError):
    """A GraphQL request refused before or instead of its execution (406, 413, 414, 415, 405,
    504…): answered by the server's one error handler in GraphQL-over-HTTP's error format,
    ``{"errors": [{"message", "extensions": {"code", …}}]}``, in the request's media type."""

    representation = "graphql"
    expected = True  # a refusal (a 504 past the deadline included): logged without a traceback

    def __init__(
        self,
        status: int,
        message: str,
        code: str,
        *,
        media: str = JSON,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(message, status=status, headers=headers)
        self.code, self.media, self.extensions = code, media, extensions


class BibkgGraphQLRouter(GraphQLRouter):
    """strawberry's router with GraphQL-over-HTTP media types and status codes (see module docs)."""

    def __init__(
        self,
        schema: Any,
        *,
        settings: GraphQLSettings,
        response_cache: ResponseCache | Callable[[], ResponseCache],
        timeout: float = 10.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql else None, **kwargs)
        self.warmed = threading.Event()
        """Set once the first snapshot's search indexes (and data sizes) are built: what the
        server waits for before it opens its port (``ServerSettings.warm_up_wait``)."""
        self.settings = settings
        self._response_cache = response_cache
        self.timeout = timeout
        """Seconds a request may take (parse, validation, execution)."""

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if self.is_websocket_request(request):
            return await super().run(request, context=context, root_value=root_value)
        media = negotiate(request.headers.get("accept"))
        adapter = self.request_adapter_class(request)
        if media is None:
            if self.should_render_graphql_ide(adapter):
                return await super().run(request, context=context, root_value=root_value)
            raise GraphQLHTTPError(
                406,
                f"cannot answer in any type of Accept: {request.headers.get('accept')}; "
                f"use {GRAPHQL_RESPONSE_JSON} or {JSON}",
                "NOT_ACCEPTABLE",
                media=JSON,
            )
        token = _exchange.set(_Exchange(media))
        try:
            original = request
            request = await read_bounded(request, self.settings.max_body_bytes)
            adapter = self.request_adapter_class(request)
            answer = self._answer(request, adapter, media, context, root_value)
            return _conditional(request, await self._within_deadline(original, answer, media))
        except Refused as exc:  # request_bounds' refusal, in this request's media type
            raise GraphQLHTTPError(exc.status, exc.message, exc.code, media=media, **exc.extensions) from None
        except HTTPException as exc:  # strawberry's, with the GraphQL-over-HTTP status and code
            status, headers, code = exc.status_code, {}, "BAD_REQUEST"
            if status == 400 and "content type" in exc.reason.lower():
                status, code = 415, "UNSUPPORTED_MEDIA_TYPE"
            elif status == 405:
                headers["Allow"] = "GET, POST"
                code = "METHOD_NOT_ALLOWED"
            elif status == 404:
                code = "NOT_FOUND"
            raise GraphQLHTTPError(status, exc.reason, code, media=media, headers=headers) from None
        finally:
            _exchange.reset(token)

    async def _within_deadline(self, request: StarletteRequest, answer: Awaitable[Response], media: str) -> Response:
        """The response of ``answer``, unless the deadline passes first (``504``) or the client of
        ``request`` (whose body was read) disconnects; then ``answer`` is cancelled: it stops at its next ``await`` (a store query
        running in a worker thread finishes first, and nothing new starts)."""
        task = asyncio.ensure_future(answer)
        watcher = asyncio.ensure_future(disconnected(request))
        try:
            done, _pending = await asyncio.wait(
                {task, watcher}, timeout=self.timeout, return_when=asyncio.FIRST_COMPLETED
            )
        except BaseException:
            task.cancel()
            watcher.cancel()
            raise
        watcher.cancel()
        if task in done:
            return task.result()
        task.cancel()
        task.add_done_callback(forget)
        if watcher in done:
            raise ClientGone("the client went away")  # nobody is listening
        raise GraphQLHTTPError(
            504,
            f"the request did not finish within its deadline of {self.timeout:g} s; ask for less "
            "(smaller pages, fewer nested lists)",
            "DEADLINE",
            media=media,
            timeout=self.timeout,
        )

    async def _answer(self, request: Any, adapter: Any, media: str, context: Any, root_value: Any) -> Response:
        """The response: from the response cache if the same request succeeded before, else
        executed (and kept if it succeeds)."""
        cache = self.response_cache
        key = await self._cache_key(adapter, media) if cache.enabled else None
        if key is not None:
            cached = cache.get(key)
            if cached is not None:
                return Response(cached.body, media_type=media, headers={"ETag": cached.etag})
        response = await super().run(request, context=context, root_value=root_value)
        tag = _exchange.get().etag
        if key is not None and tag is not None:
            cache.put(key, CachedResponse(bytes(response.body), tag))
        return response

    @property
    def response_cache(self) -> ResponseCache:
        """The response cache of the request's snapshot (one per snapshot served, dropped with it)."""
        cache = self._response_cache
        return cache if isinstance(cache, ResponseCache) else cache()

    async def _cache_key(self, adapter: Any, media: str) -> str | None:
        """The response-cache key of a single GET or POST GraphQL request; ``None`` for anything
        else, malformed requests included (strawberry reports those)."""
        if adapter.method not in ("GET", "POST"):
            return None
        try:
            data = await self.parse_http_body(adapter)
        except (HTTPException, ValueError, KeyError):
            return None
        if not isinstance(data, GraphQLRequestData) or not data.query:
            return None
        return request_key(media, data.query, data.operation_name, data.variables, data.extensions)

    async def execute_single(
        self, request: Any, request_adapter: Any, sub_response: Any, context: Any, root_value: Any, request_data: Any
    ) -> ExecutionResult:
        try:
            return await super().execute_single(
                request=request,
                request_adapter=request_adapter,
                sub_response=sub_response,
                context=context,
                root_value=root_value,
                request_data=request_data,
            )
        except HTTPException as exc:
            if isinstance(exc.__cause__, InvalidOperationTypeError) and request_adapter.method == "GET":
                raise HTTPException(405, "mutations are only accepted with POST") from exc
            raise

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        data = process_result(result)
        if result.data is None and result.errors and all(e.path is None for e in result.errors):
            data.pop("data", None)  # a request error (no error is at a path): the operation was not executed
        return data

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        exchange = _exchange.get()
        status = sub_response.status_code or 200
        if exchange.media == GRAPHQL_RESPONSE_JSON and isinstance(response_data, dict) and "data" not in response_data:
            status = 400
        response = Response(self.encode_json(response_data), media_type=exchange.media, status_code=status)
        response.headers.raw.extend(
            (k, v) for k, v in sub_response.headers.raw if k.lower() not in (b"content-length", b"content-type")
        )
        if status == 200 and isinstance(response_data, dict) and "errors" not in response_data:
            exchange.etag = response.headers["ETag"] = etag(bytes(response.body))
        return response

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return graphiql_page(request)


def build_graphql_router(
    services: Services,
    settings: GraphQLSettings | None = None,
    *,
    warm_name_index: bool = True,
    count_sizes: bool = True,
) -> BibkgGraphQLRouter:
    """The ``/graphql`` router (mount with ``app.include_router(router, prefix="/graphql")``).

    ``warm_name_index`` builds the people-search index in a background thread right away, so the
    first name lookup does not pay for it. ``count_sizes`` counts the data's sizes for the cost
    model (:mod:`bibkg.graphql.sizes`, in a background thread); without it the static estimates
    apply.
    """
    settings = settings or GraphQLSettings.from_env()
    schema = build_schema(settings, sizes_of(services) if count_sizes else None)
    server_timeout = getattr(services.settings, "query_timeout", None)
    timeout = settings.timeout or server_timeout or 10.0

    async def context_getter() -> GQLContext:
        return GQLContext(services, settings)

    def response_cache() -> ResponseCache:
        return services.generation.cache("graphql-responses", lambda: ResponseCache.for_store(services.store, settings))

    router = BibkgGraphQLRouter(
        schema, settings=settings, response_cache=response_cache, timeout=timeout, context_getter=context_getter
    )

    @router.get("/static/{name}", include_in_schema=False)
    async def static_asset(name: str, request: Request) -> Response:
        return asset_response(name, request)

    if warm_name_index:
        warmer = Warmer(services, count_sizes, router.warmed)
        services.when_started(lambda generation: warmer.warm(None, generation))
        services.on_publish(warmer.warm)
    else:
        router.warmed.set()
    return router
