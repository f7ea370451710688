"""Encoded GraphQL responses kept for identical requests, and their entity tags.

The local store is a snapshot that does not change while the server runs
(:attr:`bibkg.store.base.GraphStore.immutable`), so the response to a request — its query text, operation name,
variables and extensions, answered in one media type — is the same every time. The router keeps
the bytes of *successful* responses (no errors) in an LRU bounded by their size
(``response_cache_mb``), and answers a repeated request from it without executing anything.
It is off for stores whose data can change (a remote SPARQL endpoint).

Every successful response carries an ``ETag``, a hash of its body; a ``GET`` whose
``If-None-Match`` names it is answered ``304 Not Modified``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .lru import LRU
from .settings import GraphQLSettings

_ENTRY_OVERHEAD = 200
"""Bytes counted per entry beyond its key and body (the objects holding them)."""


@dataclass(frozen=True, slots=True)
class CachedResponse:
    body: bytes
    etag: str


def etag(body: bytes) -> str:
    """A strong entity tag of ``body``: its BLAKE2b-128 hash, quoted."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def if_none_match(header: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` header value matches ``tag`` (weak comparison, RFC 9110)."""
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or tag in tags


def request_key(
    media: str,
    query: str,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    extensions: Mapping[str, Any] | None,
) -> str | None:
    """The cache key of a request, or ``None`` if it cannot be cached (values that are not JSON)."""
    try:
        return json.dumps(
            [media, query, operation_name, variables or {}, extensions or {}],
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
    except (TypeError, ValueError):
        return None


class ResponseCache:
    """Responses by :func:`request_key`, at most ``max_bytes`` of keys and bodies in all."""

    def __init__(self, max_bytes: int) -> None:
        self._lru: LRU[tuple[str, CachedResponse]] = LRU(
            max_bytes, weigh=lambda entry: len(entry[0]) + len(entry[1].body) + _ENTRY_OVERHEAD
        )

    @classmethod
    def for_store(cls, store: object, settings: GraphQLSettings) -> ResponseCache:
        """``settings.response_cache_mb`` megabytes if ``store`` is immutable, else none."""
        return cls(settings.response_cache_mb * 2**20 if getattr(store, "immutable", False) else 0)

    @property
    def enabled(self) -> bool:
        return self._lru.enabled

    def get(self, key: str) -> CachedResponse | None:
        entry = self._lru.get(key)
        return None if entry is None else entry[1]

    def put(self, key: str, response: CachedResponse) -> None:
        self._lru.put(key, (key, response))
