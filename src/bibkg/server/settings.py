"""Server settings: a frozen dataclass read from ``BIBKG_*`` environment variables and CLI flags.

Every field has an environment variable ``BIBKG_<FIELD>`` (upper case), e.g. ``BIBKG_PORT=9000``,
``BIBKG_QUERY_TIMEOUT=5``, ``BIBKG_SPARQL_ENDPOINT=http://localhost:7001/sparql``.  CLI flags of
``bibkg serve`` override the environment; :meth:`ServerSettings.from_env` accepts overrides.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import BibkgError


@dataclass(frozen=True, slots=True)
class ServerSettings:
    store_dir: Path | None = None
    """Store directory to serve; ``None`` serves the bundled sample (unless ``sparql_endpoint``)."""
    sparql_endpoint: str | None = None
    """Serve an external SPARQL 1.1 Protocol endpoint (Virtuoso, QLever, GraphDB, …) instead."""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    """uvicorn worker processes (each has its own query worker pool)."""
    query_workers: int = 0
    """Query worker processes per server process (0: max(2, number of cores))."""
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
    base_iri: str = "https://aclanthology.org/"
    """Base IRI against which relative IRIs in queries are resolved."""
    public_url: str | None = None
    """Public URL of the server (for the service description); default: from each request."""
    cors: bool = True
    """Send CORS headers (any origin, GET and POST)."""
    cache_dir: Path | None = None
    """Where the bundled sample is ingested (default: ``bibkg.config.cache_dir()``)."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pool_size(self) -> int:
        return self.query_workers or max(2, os.cpu_count() or 1)

    @property
    def concurrency(self) -> int:
        return min(self.max_concurrent or self.pool_size, self.pool_size)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> ServerSettings:
        """Settings from ``BIBKG_*`` variables, then ``overrides`` (``None`` values ignored)."""
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = env.get(f"BIBKG_{f.name.upper()}")
            if f.name == "store_dir" and raw is None:
                raw = env.get("BIBKG_STORE")
            if raw is not None and raw != "":
                values[f.name] = _convert(f.name, f.type, raw)
        for key, value in overrides.items():
            if value is not None:
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
        if kind.startswith("int"):
            return int(raw)
        if kind.startswith("float"):
            return float(raw)
    except ValueError:
        raise BibkgError(f"setting {name} (BIBKG_{name.upper()}): cannot read '{raw}' as {kind}") from None
    return raw
