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

Successful responses carry an ``ETag`` (``If-None-Match`` on GET: ``304``) and, when the store is
a local snapshot, are kept for identical requests (:mod:`bibkg.graphql.response_cache`).

Every request is bounded before strawberry sees it: a POST body over ``max_body_bytes`` is ``413``
(a declared ``Content-Length`` over it is refused before reading anything; otherwise reading
stops at the limit), a GET query string over it ``414``. Then parse, validation and execution run
under a deadline (``timeout``, by default the server's ``query_timeout``): past it the request is
``504`` with the error code ``DEADLINE``, and its work is cancelled — no resolver runs and no store
query starts after it (one already running in a worker thread finishes and is dropped). The same
happens as soon as the client disconnects.
"""

from __future__ import annotations

import asyncio
import contextvars
import gzip
import json
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from cross_web import HTTPException
from fastapi import Request
from starlette.requests import Request as StarletteRequest
from starlette.responses import HTMLResponse, Response
from starlette.types import Message
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from ..accept import parse_accept
from ..errors import StoreError
from ..services import Generation, Services
from .names import name_index_for
from .response_cache import CachedResponse, ResponseCache, etag, if_none_match, request_key
from .schema import build_schema
from .settings import GraphQLSettings
from .sizes import DataSizes, counted_sizes, sizes_for
from .titles import title_index_for
from .types import GQLContext

JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


@dataclass(slots=True)
class _Exchange:
    """What the steps of one HTTP exchange tell each other: the negotiated media type, and the
    entity tag once a successful response was encoded."""

    media: str = JSON
    etag: str | None = None


_exchange: contextvars.ContextVar[_Exchange] = contextvars.ContextVar("bibkg_graphql_exchange")

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


def _conditional(request: Any, response: Response) -> Response:
    """``304 Not Modified`` for a GET whose ``If-None-Match`` names the response's ``ETag``."""
    tag = response.headers.get("etag")
    if request.method == "GET" and tag and if_none_match(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers={"ETag": tag})
    return response


def _error_body(message: str, code: str, **extensions: Any) -> bytes:
    return json.dumps({"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}).encode()


class _Refused(Exception):
    """A request refused before it is parsed: its HTTP status, message and error code."""

    def __init__(self, status: int, message: str, code: str, **extensions: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.extensions = status, message, code, extensions


async def read_bounded(request: StarletteRequest, limit: int) -> StarletteRequest:
    """``request`` with its body read, or :class:`_Refused` (413) as soon as it exceeds ``limit``
    bytes — a declared ``Content-Length`` over it is refused before reading anything. A GET
    query string over ``limit`` is refused (414). The body is handed on through a new request
    (the public ``Request(scope, receive)``) whose ``receive`` replays it."""
    if request.method != "POST":
        length = len(request.scope.get("query_string", b""))
        if length > limit:
            raise _Refused(
                414,
                f"the query string is {length} bytes long; the limit is {limit} bytes (POST larger documents)",
                "URI_TOO_LONG",
                maxBytes=limit,
            )
        return request
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise _Refused(400, f"Content-Length is not a number: {declared[:40]!r}", "BAD_REQUEST")
        if int(declared) > limit:
            raise _Refused(
                413,
                f"the request body is {int(declared)} bytes long; the limit is {limit} bytes",
                "PAYLOAD_TOO_LARGE",
                maxBytes=limit,
            )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _Refused(
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


async def _disconnected(request: StarletteRequest) -> None:
    """Returns when the client has gone (its body was read before: only a disconnect is left)."""
    while True:
        message = await request.receive()
        if message.get("type") == "http.disconnect":
            return


def _forget(task: asyncio.Future[Any]) -> None:
    """Retrieve the outcome of an abandoned task, so that asyncio does not log it as lost."""
    if not task.cancelled():
        task.exception()


@lru_cache(maxsize=8)
def _asset(name: str) -> bytes:
    return resources.files("bibkg.graphql").joinpath("static", name + ".gz").read_bytes()


@lru_cache(maxsize=1)
def _graphiql_template() -> str:
    return resources.files("bibkg.graphql").joinpath("static", "graphiql.html").read_text("utf-8")


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
            return Response(
                _error_body(
                    f"cannot answer in any type of Accept: {request.headers.get('accept')}; "
                    f"use {GRAPHQL_RESPONSE_JSON} or {JSON}",
                    "NOT_ACCEPTABLE",
                ),
                status_code=406,
                media_type=JSON,
            )
        token = _exchange.set(_Exchange(media))
        try:
            original = request
            request = await read_bounded(request, self.settings.max_body_bytes)
            adapter = self.request_adapter_class(request)
            answer = self._answer(request, adapter, media, context, root_value)
            return _conditional(request, await self._within_deadline(original, answer, media))
        except _Refused as exc:
            return Response(
                _error_body(exc.message, exc.code, **exc.extensions), status_code=exc.status, media_type=media
            )
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
            _exchange.reset(token)

    async def _within_deadline(self, request: StarletteRequest, answer: Awaitable[Response], media: str) -> Response:
        """The response of ``answer``, unless the deadline passes first (``504``) or the client of
        ``request`` (whose body was read) disconnects; then ``answer`` is cancelled: it stops at its next ``await`` (a store query
        running in a worker thread finishes first, and nothing new starts)."""
        task = asyncio.ensure_future(answer)
        watcher = asyncio.ensure_future(_disconnected(request))
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
        task.add_done_callback(_forget)
        if watcher in done:
            return Response(status_code=499)  # nobody is listening
        return Response(
            _error_body(
                f"the request did not finish within its deadline of {self.timeout:g} s; ask for less "
                "(smaller pages, fewer nested lists)",
                "DEADLINE",
                timeout=self.timeout,
            ),
            status_code=504,
            media_type=media,
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
        base = request.url.path.rstrip("/")
        page = _graphiql_template().replace("{{BASE}}", base)
        from ..server.edge import policy_for_page  # its inline bootstrap script, by hash

        return HTMLResponse(page, headers={"Content-Security-Policy": policy_for_page(page)})


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
    schema = build_schema(settings, _sizes_of(services) if count_sizes else None)
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
        warmer = _Warmer(services, count_sizes, router.warmed)
        warmer.warm(None, services.generation)
        services.on_publish(warmer.warm)
    else:
        router.warmed.set()
    return router


class _Warmer:
    """Builds the people and title indexes (and counts the data sizes) of each snapshot served,
    in process and outside any request deadline — they take 10-25 s of CPU on the full corpus —
    in one background thread at a time, for the newest snapshot only (a burst of publishes
    builds once), and at most once per :attr:`MIN_INTERVAL` (a stream of small updates must not
    keep a core busy rebuilding).  Until a new snapshot's indexes are built, searches use the
    newest built ones (their ``fallback``: :func:`~bibkg.graphql.names.name_index_for`), so no
    search waits for a build: which people or titles *match* a search may lag the data by up to
    ``MIN_INTERVAL`` plus a build; what is answered about them comes from the request's snapshot."""

    DEBOUNCE = 1.0
    """Seconds a new snapshot must stay the newest before its indexes are built."""
    MIN_INTERVAL = 60.0
    """Seconds between the starts of two builds."""

    def __init__(self, services: Services, count_sizes: bool, first_built: threading.Event) -> None:
        self.services = services
        self.count_sizes = count_sizes
        self.first_built = first_built
        self._lock = threading.Lock()
        self._last = -self.MIN_INTERVAL

    def warm(self, previous: Generation | None, generation: Generation) -> None:
        if previous is not None:
            for index_for in (name_index_for, title_index_for):
                theirs = index_for(previous.store)  # built, or the fallback it serves
                index_for(generation.store, own=True).fallback = theirs if theirs.built else None
        threading.Thread(target=self._build, args=(generation, previous is not None), name="bibkg-warm-indexes",
                         daemon=True).start()  # fmt: skip

    def _build(self, generation: Generation, debounce: bool) -> None:
        if debounce:
            time.sleep(self.DEBOUNCE)
        with self._lock:  # the threads of later publishes queue here; only the newest builds
            pause = self._last + self.MIN_INTERVAL - time.monotonic()
            if debounce and pause > 0 and generation is self.services.current:
                time.sleep(pause)
            if debounce and generation is not self.services.current:
                return  # a newer snapshot came: its own thread builds
            self._last = time.monotonic()
            try:
                with generation.hold():  # its snapshot stays open (and leased) until built
                    name_index_for(generation.store, own=True).ensure_built(generation.runner)
                    title_index_for(generation.store, own=True).ensure_built(generation.runner)
                    if self.count_sizes:
                        sizes_for(generation.store).ready.wait(300)
            except StoreError:  # no longer served
                pass
            finally:
                self.first_built.set()


def _sizes_of(services: Services) -> Callable[[], DataSizes]:
    """The data sizes of the cost model for the request's snapshot: counted once per snapshot
    (in a background thread, :func:`~bibkg.graphql.sizes.sizes_for`); until a new snapshot's
    are counted, the previous snapshot's serve (the sizes are estimates that bound the work of a
    request, not part of its answer), and only the first snapshot's are waited for."""
    last: list[DataSizes] = []

    def sizes() -> DataSizes:
        counted = counted_sizes(services.store) if last else sizes_for(services.store)
        if counted is not None and counted.ready.is_set():
            if last[:1] != [counted]:
                last[:] = [counted]
            return counted
        if last:
            return last[0]  # a new snapshot's are counted by the warm-up (_Warmer)
        assert counted is not None
        return counted.wait(60)

    return sizes
