"""Limits and switches of the GraphQL API; every value can be set from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True, slots=True)
class GraphQLSettings:
    """Defaults are generous for real use and tight enough to refuse abusive documents.

    Environment: ``BIBKG_GRAPHQL_<FIELD>`` in upper case, e.g. ``BIBKG_GRAPHQL_MAX_DEPTH=8``,
    ``BIBKG_GRAPHQL_MASK_ERRORS=false``.
    """

    max_depth: int = 10
    """Deepest field nesting (introspection is not counted)."""
    max_aliases: int = 30
    """Aliased fields per document, fragments included."""
    max_selections: int = 2000
    """Field selections per document with every fragment spread expanded (a fragment spread
    twice counts twice)."""
    max_field_pairs: int = 20_000
    """Pairs of fields with the same response name that validation compares to merge them,
    nested levels included (graphql-core's rule is quadratic in repeated fields)."""
    max_tokens: int = 2000
    """Lexical tokens per document."""
    max_string_length: int = 1000
    """Characters of a string argument (literal or variable), e.g. a name or title searched."""
    max_body_bytes: int = 100_000
    """Bytes of a POST body or of a GET query string (413 above; reading stops at the limit)."""
    timeout: float = 0.0
    """Deadline of a request in seconds (504 after it); 0: the server's ``query_timeout``
    (``BIBKG_QUERY_TIMEOUT``, 10 s), or 10 s outside the server."""
    max_cost: int = 25_000
    """Estimated work: every field costs 1, times the page sizes (``first``) and estimated list
    sizes of the lists enclosing it."""
    max_page_size: int = 100
    """Largest ``first`` of a connection."""
    default_page_size: int = 20
    """``first`` when not given (coauthor lists default to ``max_page_size``)."""
    cache_entries: int = 50_000
    """Batched query results kept across requests (per store, local snapshots only: they are
    immutable); 0: none."""
    cache_mb: int = 64
    """Megabytes (estimated) of those results at most; 0: none."""
    response_cache_mb: int = 64
    """Megabytes of encoded responses kept for identical requests (local snapshots only); 0: none."""
    document_cache_entries: int = 500
    """Parsed and validated documents kept, and as many (document, variables) costs."""
    document_cache_mb: int = 16
    """Megabytes (estimated) of those documents, errors and costs at most; 0: none."""
    mask_errors: bool = True
    """Replace unexpected (internal) errors by a generic message; user errors stay explained."""
    graphiql: bool = True
    """Serve GraphiQL at ``GET /graphql`` to browsers."""
    allow_introspection: bool = True

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> GraphQLSettings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"BIBKG_GRAPHQL_{f.name.upper()}")
            if raw is None:
                continue
            if f.type in ("bool", bool):
                values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            elif f.type in ("float", float):
                values[f.name] = float(raw)
            else:
                values[f.name] = int(raw)
        return replace(cls(), **values, **overrides)  # type: ignore[arg-type]
