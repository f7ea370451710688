"""``bibkg serve``: the HTTP server (SPARQL 1.1 endpoint, named queries, query page, GraphQL)."""

from __future__ import annotations

import argparse


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from ..server.http_protocol import uvicorn_options
    from ..server.settings import ServerSettings

    settings = ServerSettings.from_env(
        store_dir=args.store,
        sparql_endpoint=args.sparql_endpoint,
        host=args.host,
        port=args.port,
        workers=args.workers,
        query_workers=args.query_workers,
        query_timeout=args.timeout,
        max_rows=args.max_rows,
        public_url=args.public_url,
        allowed_hosts=args.allowed_hosts,
        corrections=True if args.corrections else None,
    )
    if settings.store_dir is None and settings.sparql_endpoint is None:
        from .. import config
        from ..store.local import LocalStore

        default = LocalStore(config.default_store_dir())
        if default.exists():
            settings = settings.replace(store_dir=default.root)
    if settings.host in ("0.0.0.0", "::") and not (settings.allowed_hosts or settings.public_url):
        print(
            "bibkg: listening on all interfaces; requests are answered only for Host "
            f"{', '.join(settings.allowed_host_list)} — set BIBKG_PUBLIC_URL or --allowed-hosts",
            flush=True,
        )
    _check_settings(settings)
    where = settings.sparql_endpoint or settings.store_dir or "the bundled sample"
    if settings.store_dir is None and settings.sparql_endpoint is None:
        # no store anywhere: the bundled sample, ingested here once (the app serves what it is given)
        from ..sample import sample_store

        settings = settings.replace(store_dir=sample_store().root)  # in BIBKG_CACHE (bibkg.config.cache_dir)
    print(f"bibkg: serving {where} on http://{settings.host}:{settings.port}/ (SPARQL at /sparql)", flush=True)
    if settings.workers > 1:
        import os

        # uvicorn re-imports the factory in each worker process: pass the settings through the
        # environment, which ServerSettings.from_env reads.
        for key, value in (
            ("BIBKG_STORE_DIR", settings.store_dir),
            ("BIBKG_SPARQL_ENDPOINT", settings.sparql_endpoint),
            ("BIBKG_QUERY_WORKERS", settings.query_workers or None),
            ("BIBKG_QUERY_TIMEOUT", settings.query_timeout),
            ("BIBKG_MAX_ROWS", settings.max_rows),
            ("BIBKG_CORRECTIONS", "1" if settings.corrections else None),
            ("BIBKG_PUBLIC_URL", settings.public_url),
            ("BIBKG_ALLOWED_HOSTS", settings.allowed_hosts),
            ("BIBKG_HOST", settings.host),  # the Host check allows the bound host
            ("BIBKG_PORT", settings.port),
        ):
            if value is not None:
                os.environ[key] = str(value)
        uvicorn.run(
            "bibkg.server.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level="warning",
            **uvicorn_options(settings, by_name=True),
        )
        return 0
    from ..server.app import create_app

    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, log_level="warning", **uvicorn_options(settings)
    )
    return 0


def _check_settings(settings) -> None:  # noqa: ANN001 - ServerSettings
    """Refuse what would fail after "serving …" is printed, or serve somewhere else than said:
    a port outside 1-65535 (the socket layer wraps 99999 to 34463) and a store without a graph."""
    from ..errors import BibkgError, StoreError
    from ..store.local import LocalStore

    if not 1 <= settings.port <= 65535:
        raise BibkgError(f"port {settings.port}: not a TCP port (1-65535)")
    if settings.store_dir is not None:  # served, or the snapshot an endpoint was loaded from
        store = LocalStore(settings.store_dir)
        if not store.exists():
            raise StoreError(
                f"store {store.root}: no graph in this store (run 'bibkg ingest DATA_DIR --store {store.root}' first)"
            )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the graph over HTTP: SPARQL 1.1 endpoint, named queries, query page, GraphQL",
        description="Serve the store over HTTP: the SPARQL 1.1 Protocol at /sparql (query page for "
        "browsers), named queries at /queries, the dataset's VoID at /.well-known/void, /health, and "
        "GraphQL at /graphql. With no store it serves the bundled sample. Settings also come from "
        "BIBKG_* environment variables (see docs/sparql.md; every limit: docs/limits.md).",
        epilog="examples:\n"
        "  bibkg serve                                   the bundled sample on http://127.0.0.1:8000\n"
        "  bibkg serve --store ./store --port 9000 --workers 2\n"
        "  bibkg serve --sparql-endpoint http://localhost:7001/sparql   an external SPARQL store\n"
        "  bibkg serve --sparql-endpoint http://localhost:7001/sparql --store ./store   ... loaded from ./store's dump",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--store",
        metavar="DIR",
        help="store directory (default: $BIBKG_STORE, else the default store, else the bundled sample); "
        "with --sparql-endpoint: the store the endpoint's dump was exported from, whose paper cards and kept "
        "counts answer listings while the endpoint holds that snapshot's data",
    )
    p.add_argument(
        "--sparql-endpoint", metavar="URL", help="serve an external SPARQL 1.1 endpoint instead of a local store"
    )
    p.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 8000)")
    p.add_argument("--workers", type=int, metavar="N", help="uvicorn worker processes (default 1)")
    p.add_argument(
        "--query-workers",
        type=int,
        metavar="N",
        help="query worker processes per server process = queries evaluated at once (default: max(4, cores))",
    )
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="query deadline (default 10)")
    p.add_argument("--max-rows", type=int, metavar="N", help="result row cap (default 10000)")
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="public base URL of the server; every URL it writes starts with it (default: from the allowed Host header)",
    )
    p.add_argument(
        "--allowed-hosts",
        metavar="H1,H2",
        help="Host header values accepted besides the bound host and localhost ('*.example.org' patterns; '*' any)",
    )
    p.add_argument(
        "--corrections",
        action="store_true",
        help="enable the write doors of corrections (bearer tokens from 'bibkg token create'; docs/corrections.md); default: read-only",
    )
    p.set_defaults(func=cmd_serve)
