"""Helpers shared by the web tests (a module name no other test directory uses)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from bibkg.read.runner import QueryRunner
from bibkg.server.error_responses import install as install_error_handlers
from bibkg.services import Services
from bibkg.sparql.catalog import QueryCatalog
from bibkg.store.local import LocalStore
from bibkg.store.oxigraph import OxigraphStore
from bibkg.web.routes import build_router

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "anthology"


def make_runner(local: LocalStore) -> QueryRunner:
    """A query runner on ``local`` with the shipped named queries (public and internal)."""
    return QueryRunner(OxigraphStore.open(local), QueryCatalog.load())


def make_app(local: LocalStore, catalog: QueryCatalog | None = None) -> FastAPI:
    """The web router alone, on a store of the sample (as the app factory mounts it), with the
    shipped named queries or ``catalog``."""
    store = OxigraphStore.open(local)
    catalog = QueryCatalog.load() if catalog is None else catalog
    services = Services(store, catalog, QueryRunner(store, catalog))
    app = FastAPI()
    install_error_handlers(app)  # as the app factory does: errors raised by the routes answered
    app.include_router(build_router(services, local))
    return app
