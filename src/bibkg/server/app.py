"""The application factory: ``create_app(settings) -> FastAPI``.

Nothing happens at import time.  ``create_app`` loads the named queries and builds every router
over one :class:`~bibkg.services.Services` (``app.state.services``): the SPARQL endpoint and named
queries, GraphQL (``/graphql``), the corrections' write doors (when enabled), Linked Data pages
and dumps.  The lifespan opens the store — a local snapshot (``store_dir``; ``bibkg serve`` gives
the bundled sample's when there is no store) or an external SPARQL 1.1 endpoint
(``sparql_endpoint``) — starts the deadline executor and starts the services on them
(:meth:`~bibkg.services.Services.start`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware

from .. import __version__
from ..errors import StoreError, Unavailable
from ..services import Services
from ..sparql.catalog import QueryCatalog
from ..store.local import LocalStore
from . import edge, error_responses
from .error_responses import bibkg_error
from .routes import build_router
from .settings import ServerSettings
from .streaming import ResponseBudget, return_freed_results_to_the_os

log = logging.getLogger("bibkg.server")


def _open_backend(settings: ServerSettings, local: LocalStore | None):  # noqa: ANN202
    """(store, executor, label) for the settings; ``local`` is the store at ``store_dir`` unless the
    settings name an endpoint."""
    from .inline_executor import InlineExecutor
    from .worker_pool import WorkerPool

    if settings.sparql_endpoint:
        from ..store.remote import RemoteStore

        companion = None
        if settings.store_dir is not None:  # the snapshot the endpoint was loaded from (store.companion)
            from ..store.companion import SnapshotCompanion
            from ..store.local import LocalStore

            companion = SnapshotCompanion.open(LocalStore(Path(settings.store_dir)))
        remote = RemoteStore(settings.sparql_endpoint, timeout=settings.query_timeout, companion=companion)
        problem = remote.health_problem()  # an endpoint without bibkg data would answer everything empty
        if problem is None and companion is not None:
            remote.companion_problem()  # logs whether the snapshot's files are used
        if problem is not None and remote.data_missing:
            remote.close()
            raise StoreError(problem)
        if problem is not None:
            log.warning("%s (serving anyway: /health says so until it answers)", problem)
        inline = InlineExecutor(remote, settings.concurrency, queue_wait=settings.queue_wait)
        return remote, inline, settings.sparql_endpoint
    from ..store.oxigraph import OxigraphStore

    if local is None:
        raise StoreError("no store to serve: set store_dir or sparql_endpoint (bibkg serve falls back to the sample)")
    store = OxigraphStore.open(local)  # raises StoreError when empty; holds a lease on the snapshot
    executor = WorkerPool(
        ("snapshot", str(store.snapshot)),
        settings.concurrency,
        queue_wait=settings.queue_wait,
        spare=settings.spare_query_workers,
        min_deadline=settings.min_query_timeout,
        respawn_interval=settings.worker_respawn_interval,
    )
    return store, executor, str(local.root)


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """Build the application (the store is opened when it starts, not here)."""
    settings = settings or ServerSettings.from_env()

    services = Services(None, QueryCatalog.load(), settings=settings)  # the public catalog and the read layer's
    # the store whose snapshots are served (their dumps at /dumps; corrections); None over an endpoint
    local = LocalStore(Path(settings.store_dir)) if settings.store_dir and not settings.sparql_endpoint else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        return_freed_results_to_the_os()
        store, executor, label = _open_backend(settings, local)
        await executor.start()
        services.start(store, executor)
        app.state.executor = executor
        app.state.store_label = label
        warmed = app.state.warmed
        if settings.warm_up_wait > 0:  # uvicorn opens the port after this
            started = time.monotonic()
            if await run_in_threadpool(warmed.wait, settings.warm_up_wait):
                log.info("search indexes and data sizes built in %.1f s", time.monotonic() - started)
            else:
                log.warning("search indexes not built within %.0f s; serving meanwhile", settings.warm_up_wait)
        follower = None
        if local is not None:  # a local store: serve each snapshot it publishes (server.follow)
            from ..store.oxigraph import OxigraphStore
            from .follow import SnapshotFollower

            follower = SnapshotFollower(
                local.root,
                services,
                lambda: OxigraphStore.open(local),
                interval=settings.follow_interval,
                on_switch=lambda new: executor.follow(str(new.snapshot)),
            )
            follower.start()
        app.state.follower = follower
        try:
            yield
        finally:
            if follower is not None:
                await follower.stop()
            await executor.close()
            services.close()

    app = FastAPI(
        title="bibkg",
        version=__version__,
        description="The ACL Anthology as a knowledge graph: SPARQL 1.1 endpoint, named queries, GraphQL.",
        lifespan=lifespan,
        docs_url=None,  # both served below, with a Content-Security-Policy that lets them run
        redoc_url=None,
    )

    def api_page(render: Any) -> Any:
        async def handler() -> HTMLResponse:
            html = bytes(render(openapi_url=app.openapi_url or "/openapi.json", title="bibkg API").body).decode()
            return HTMLResponse(
                html,
                headers={
                    "Content-Security-Policy": edge.policy_for_page(
                        html,
                        sources="https://cdn.jsdelivr.net https://fastapi.tiangolo.com https://fonts.googleapis.com https://fonts.gstatic.com",
                    )
                },
            )

        return handler

    app.add_api_route("/docs", api_page(get_swagger_ui_html), methods=["GET"], include_in_schema=False)
    app.add_api_route("/redoc", api_page(get_redoc_html), methods=["GET"], include_in_schema=False)

    app.state.settings = settings
    app.state.services = services
    app.state.local = local
    app.state.executor = None
    app.state.store_label = None
    app.state.response_budget = ResponseBudget(settings.response_buffer_bytes)
    if settings.cors:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "HEAD", "POST"],
            allow_headers=["*"],
            expose_headers=[
                "X-Bibkg-Snapshot",
                "X-Bibkg-Truncated",
                "X-Bibkg-Rows",
                "X-Bibkg-Query-Seconds",
                "Warning",
                "Retry-After",
            ],
            max_age=3600,
        )
    app.include_router(build_router(app.state))
    _include_service_routers(app, services, settings, local)
    error_responses.install(app)  # every error a route raises, answered by one handler
    edge.install(app, settings)  # body, header and Host limits, HEAD, security headers: every route
    app.add_middleware(PinSnapshot)  # outermost: the whole exchange on one snapshot
    return app


class PinSnapshot:
    """ASGI middleware: every HTTP request is answered from one snapshot.

    The request is pinned to the newest generation of :class:`~bibkg.services.Services` when it
    arrives (:meth:`Services.pinned`) until its response's last byte is sent — so a page, a
    GraphQL answer or a dump streamed while a new snapshot is published comes entirely from the
    old one, which stays open (and leased) until then.  The response names its snapshot in
    ``X-Bibkg-Snapshot`` (not over an external store, which has none).
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        services = getattr(getattr(scope.get("app"), "state", None), "services", None)
        if scope["type"] != "http" or services is None:
            await self.app(scope, receive, send)
            return
        if not services.started:  # before the lifespan opened the store (or after it closed it)
            # outside the routes (and their exception handlers): answered here, by the same handler
            not_started = Unavailable("the server has not opened its store yet", headers={"Retry-After": "5"})
            answer = await bibkg_error(Request(scope), not_started)
            await answer(scope, receive, send)
            return
        from ..services import _PINNED

        generation = services.pin()
        token = _PINNED.set(generation)
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                generation.release()

        async def send_pinned(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and generation.name:
                headers = [*message.get("headers", ()), (b"x-bibkg-snapshot", generation.name.encode())]
                message = {**message, "headers": headers}
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                release()

        try:
            await self.app(scope, receive, send_pinned)
        finally:
            _PINNED.reset(token)
            release()


def _include_service_routers(
    app: FastAPI, services: Services, settings: ServerSettings, local: LocalStore | None
) -> None:
    """GraphQL, the corrections' write doors (when enabled; a local store only) and the Linked Data
    pages and dumps, over ``services`` (started later, by the lifespan)."""
    from ..graphql.router import build_graphql_router
    from ..web.routes import build_router as build_web_router

    graphql = build_graphql_router(services, settings.graphql)
    app.state.warmed = graphql.warmed
    app.include_router(graphql, prefix="/graphql")
    if local is not None:
        from ..corrections.web.routes import build_corrections_router, enabled

        if enabled(app.state.settings):  # the write doors exist only when the operator enables them
            app.include_router(build_corrections_router(local.root, services))
    app.include_router(build_web_router(services, local))
