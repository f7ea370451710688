"""Per-request loaders: each runs one named query for all the keys asked in one tick, and answers
at once the keys whose rows are already known.

Rows outlive a request through the DataLoader's public ``cache_map``: :class:`RowCache` holds
this request's futures and, under them, the rows kept across requests (over an immutable
snapshot: :func:`~bibkg.graphql.batch.result_cache_for`). A key found there never reaches the
batch function; a key loaded is kept there once its rows arrive.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from typing import Any

from strawberry.dataloader import AbstractCache, DataLoader

from ..read.runner import QueryRunner, Row
from .batch import BatchFunction, ResultCache
from .maybe import Maybe

Key = tuple[Hashable, ...]


class RowCache(AbstractCache[Key, list[Row]]):
    """A DataLoader's ``cache_map``: the futures of this request, then the rows of ``shared``
    (kept across requests, under the query's ``name``; ``None``: none)."""

    def __init__(self, name: str, shared: ResultCache | None) -> None:
        self.name = name
        self.shared = shared
        self.futures: dict[Key, asyncio.Future[list[Row]]] = {}

    def rows(self, key: Key) -> list[Row] | None:
        """The rows of ``key`` if known now (loaded in this request or kept across requests)."""
        future = self.futures.get(key)
        if future is not None:
            if future.done() and not future.cancelled() and future.exception() is None:
                return future.result()
            return None
        return None if self.shared is None else self.shared.get((self.name, *key))

    def get(self, key: Key) -> asyncio.Future[list[Row]] | None:
        future = self.futures.get(key)
        if future is None and self.shared is not None:
            rows = self.shared.get((self.name, *key))
            if rows is not None:
                future = self.futures[key] = asyncio.get_running_loop().create_future()
                future.set_result(rows)
        return future

    def set(self, key: Key, value: asyncio.Future[list[Row]]) -> None:
        self.futures[key] = value
        if self.shared is not None and not value.done():
            value.add_done_callback(lambda done: self._keep(key, done))

    def _keep(self, key: Key, future: asyncio.Future[list[Row]]) -> None:
        if not future.cancelled() and future.exception() is None and self.shared is not None:
            self.shared.put((self.name, *key), future.result())

    def delete(self, key: Key) -> None:
        self.futures.pop(key, None)

    def clear(self) -> None:
        self.futures.clear()


class Loader:
    """A DataLoader over one named query (:class:`~bibkg.graphql.batch.BatchFunction`).

    :meth:`get` returns the rows themselves when they are known — loaded earlier in this request
    or kept across requests (:class:`RowCache`) — and otherwise the DataLoader's awaitable, so
    that resolvers can stay synchronous (:mod:`bibkg.graphql.maybe`) without giving up batching.
    """

    def __init__(
        self,
        runner: QueryRunner,
        name: str,
        var: str,
        params: tuple[tuple[str, str], ...] = (),
        cache: ResultCache | None = None,
    ) -> None:
        self.name = name
        self._cache = RowCache(name, cache)
        self._loader: DataLoader[Key, list[Row]] = DataLoader(
            load_fn=BatchFunction(runner, name, var, params), cache_map=self._cache
        )

    def get(self, key: Key) -> Maybe[list[Row]]:
        rows: Any = self._cache.rows(key)
        return rows if rows is not None else self._loader.load(key)


class Loaders:
    """The loaders of one request (their own caches die with it).

    Keys are tuples: ``(iri,)`` or ``(iri, param, …)`` as documented per loader.
    """

    def __init__(self, runner: QueryRunner, cache: ResultCache | None = None) -> None:
        def _loader(name: str, var: str, params: tuple[tuple[str, str], ...] = ()) -> Loader:
            return Loader(runner, name, var, params, cache)

        self.person = _loader("gql-persons", "person")
        self.person_details = _loader("gql-person-details", "person")
        self.person_venues = _loader("gql-person-venues", "person")
        self.person_editor_of = _loader("gql-person-editor-of", "person")
        # (person, year)
        self.person_papers = _loader("gql-person-papers", "person", (("year", "integer"),))
        # (person, event or venue IRI, year), by kind of scope
        self.person_papers_at = {
            kind: _loader(f"gql-person-papers-at-{kind}", "person", ((kind, "iri"), ("year", "integer")))
            for kind in ("event", "venue")
        }
        self.coauthors = _loader("gql-coauthors", "person", (("year", "integer"),))
        self.coauthors_at = {
            kind: _loader(f"gql-coauthors-at-{kind}", "person", ((kind, "iri"), ("year", "integer")))
            for kind in ("event", "venue")
        }
        self.paper = _loader("gql-papers", "paper")
        self.paper_links = _loader("gql-paper-links", "paper")
        self.contributions = _loader("gql-contributions", "item")
        self.volume = _loader("gql-volumes", "volume")
        self.volume_links = _loader("gql-volume-links", "volume")
        self.venue = _loader("gql-venues", "venue")
        self.event = _loader("gql-events", "event")
        self.sig = _loader("gql-sigs", "sig")
        # (scope IRI, year), by kind of scope
        self.volumes_of = {
            kind: _loader(f"gql-{kind}-volumes", kind, (("year", "integer"),)) for kind in ("event", "venue", "sig")
        }
        self.papers_of = {
            kind: _loader(f"gql-{kind}-papers", kind, (("year", "integer"),)) for kind in ("event", "venue", "volume")
        }
        self.top_authors_of = {
            kind: _loader(f"gql-{kind}-top-authors", kind, (("year", "integer"),)) for kind in ("event", "venue")
        }
