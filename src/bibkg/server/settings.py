"""Server settings: a frozen dataclass read from ``BIBKG_*`` environment variables and CLI flags,
the one settings object of a server (the GraphQL API's limits are its ``graphql`` part).

Every field has an environment variable ``BIBKG_<FIELD>`` (upper case), e.g. ``BIBKG_PORT=9000``,
``BIBKG_QUERY_TIMEOUT=5``, ``BIBKG_SPARQL_ENDPOINT=http://localhost:7001/sparql``; those of
``graphql`` are ``BIBKG_GRAPHQL_<FIELD>`` (:class:`~bibkg.graphql.settings.GraphQLSettings`).  CLI
flags of ``bibkg serve`` override the environment; :meth:`ServerSettings.from_env` accepts overrides.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import BibkgError
from ..graphql.settings import GraphQLSettings


@dataclass(frozen=True, slots=True)
class ServerSettings:
    store_dir: Path | None = None
    """Store directory to serve (``bibkg serve`` sets the bundled sample's when none is given);
    required unless ``sparql_endpoint``."""
    sparql_endpoint: str | None = None
    """Serve an external SPARQL 1.1 Protocol endpoint (Virtuoso, QLever, GraphDB, …) instead."""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    """uvicorn worker processes (each has its own query worker pool)."""
    query_workers: int = 0
    """Queries evaluated at once, each in its own worker process, per server process (0: max(4,
    number of cores)).  More than the cores on purpose: a cheap query then shares the CPU with
    the heavy ones running instead of waiting for them to end (each worker: ~100 MB on the full
    corpus)."""
    query_timeout: float = 10.0
    """Deadline of a query in seconds; a request may ask for less with ``timeout=``, never more."""
    max_rows: int = 10_000
    """Rows (SELECT) or triples (CONSTRUCT/DESCRIBE) returned at most; the rest is cut off."""
    max_bytes: int = 50_000_000
    """Bytes of a serialized result at most (graphs: measured on their N-Triples form)."""
    max_query_bytes: int = 100_000
    """Largest accepted query text (413 above)."""
    max_concurrent: int = 0
    """Queries evaluated at once (0: the number of query workers); further ones wait."""
    queue_wait: float = 2.0
    """How long a request waits for a free query worker before 503 with Retry-After."""
    spare_query_workers: int = 1
    """Query worker processes kept warm beyond those that run queries, so a worker killed at its
    deadline is replaced at once (the respawn happens in the background)."""
    min_query_timeout: float = 0.5
    """Smallest deadline in seconds: a smaller ``timeout=`` is raised to it (a tiny timeout would
    turn every query into a worker kill and respawn)."""
    worker_respawn_interval: float = 0.5
    """Query workers are restarted one at a time, at most one per this many seconds: bounds the
    CPU that clients making the server kill workers over and over can take."""
    follow_interval: float = 0.25
    """Seconds between two looks at the store's ``current`` link: a snapshot published by an
    ingest or a delta is served within about this time (plus ~10 ms to open it).  0: serve the
    snapshot found at start until restarted.  Not used over an external SPARQL store."""
    warm_up_wait: float = 120.0
    """Seconds the server waits at start, before it opens its port, for the first snapshot's
    search indexes and data sizes (about 15 s on the full corpus): a request arriving before
    them would wait for them too, past its deadline on a busy machine.  0: open the port at
    once (the first searches may then answer 504)."""
    base_iri: str = "https://aclanthology.org/"
    """Base IRI against which relative IRIs in queries are resolved."""
    public_url: str | None = None
    """Public base URL of the server (e.g. ``https://kg.example.org``): every URL the server writes
    (JSON-LD ``@context``, ``Link``, ``sd:endpoint``, /dumps, /queries) starts with it.  Without
    it they are built from the request's ``Host``, which must then be one of ``allowed_hosts``."""
    allowed_hosts: str | None = None
    """Comma-separated ``Host`` values accepted (``*.example.org`` patterns, ``*`` for any); others
    get 400.  Always allowed: the bound host (unless 0.0.0.0/::), localhost, 127.0.0.1, [::1] and
    the host of ``public_url``."""
    max_body_bytes: int = 1_000_000
    """Largest request body on any route (413 above; /sparql accepts at most 3 x max_query_bytes)."""
    max_url_bytes: int = 400_000
    """Longest request target (path and query string; 414 above).  A GET query of max_query_bytes
    percent-encoded fits."""
    max_header_bytes: int = 65_536
    """Total size of the request's header fields, names and values (431 above)."""
    max_header_field_bytes: int = 8_192
    """Size of one header field (431 above): bounds the parsing of ``Accept`` and its kin."""
    max_header_count: int = 100
    """Number of header fields of a request (431 above)."""
    header_timeout: float = 10.0
    """Seconds a client has from connecting (or from the first byte of a further request on a
    kept-alive connection) to the end of its request headers; then 408 and the connection is
    closed (slowloris)."""
    body_timeout: float = 30.0
    """Seconds a route waits for the whole request body (from the start of the request); then
    408 and the connection is closed (a body trickled byte by byte)."""
    send_timeout: float = 30.0
    """Seconds a response may wait for a client that reads nothing; then the connection is dropped
    and the response's memory freed (slow readers)."""
    response_buffer_bytes: int = 200_000_000
    """Bytes of query results held in memory at once for responses being sent, over all
    connections; a result that would exceed it gets 503 with Retry-After."""
    federation_allow: tuple[str, ...] = ()
    """SPARQL endpoints a query may call with ``SERVICE`` (exact IRIs; env: space-separated).
    Empty by default: federation is off and every ``SERVICE`` is refused with 400."""
    cors: bool = True
    """Send CORS headers (any origin, GET and POST)."""
    corrections: bool = False
    """Open the write doors of corrections (bearer tokens from ``bibkg token create``); off: the
    server is read-only."""
    graphql: GraphQLSettings = field(default_factory=GraphQLSettings)
    """The GraphQL API's limits and switches (env: ``BIBKG_GRAPHQL_<FIELD>``)."""

    @property
    def pool_size(self) -> int:
        return self.query_workers or max(4, os.cpu_count() or 1)

    @property
    def allowed_host_list(self) -> list[str]:
        """The ``Host`` values accepted: the configured ones, the bound host, the loopback names
        and the host of ``public_url``."""
        from urllib.parse import urlsplit

        hosts = [h.strip() for h in (self.allowed_hosts or "").split(",") if h.strip()]
        if self.host not in ("0.0.0.0", "::", ""):
            hosts.append(self.host)
        hosts += ["localhost", "127.0.0.1", "::1", "[::1]"]
        if self.public_url:
            public = urlsplit(self.public_url).hostname
            if public:
                hosts.append(public)
        return list(dict.fromkeys(hosts))

    @property
    def concurrency(self) -> int:
        return min(self.max_concurrent or self.pool_size, self.pool_size)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> ServerSettings:
        """Settings from ``BIBKG_*`` variables, then ``overrides`` (``None`` values ignored)."""
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        values["graphql"] = GraphQLSettings.from_env(env)
        for f in fields(cls):
            if f.name == "graphql":
                continue
            raw = env.get(f"BIBKG_{f.name.upper()}")
            if f.name == "store_dir" and raw is None:
                raw = env.get("BIBKG_STORE")
            if raw is not None and raw != "":
                values[f.name] = _convert(f.name, f.type, raw)
        for key, value in overrides.items():
            if key == "graphql" and value is not None:
                values[key] = value
            elif value is not None:
                values[key] = _convert(key, next(x.type for x in fields(cls) if x.name == key), value)
        return cls(**values)

    def replace(self, **changes: Any) -> ServerSettings:
        return dataclasses.replace(self, **changes)


def _convert(name: str, type_: Any, raw: Any) -> Any:
    if not isinstance(raw, str):
        return Path(raw) if "Path" in str(type_) and raw is not None else raw
    kind = str(type_)
    try:
        if "Path" in kind:
            return Path(raw)
        if kind.startswith("bool"):
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes", "on")
        if kind.startswith("tuple"):
            return tuple(raw.split())
        if kind.startswith("int"):
            return int(raw)
        if kind.startswith("float"):
            return float(raw)
    except ValueError:
        raise BibkgError(f"setting {name} (BIBKG_{name.upper()}): cannot read '{raw}' as {kind}") from None
    return raw
