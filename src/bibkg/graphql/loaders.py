"""Per-request loaders: each runs one named query for all the keys asked in one tick, and answers
at once the keys whose values are already known.

A key's value is its rows, or the read record made of them (``shape``: e.g.
:func:`bibkg.read.people.person_facts`), made once when the rows arrive.  Values outlive a
request through the DataLoader's public ``cache_map``: :class:`ValueCache` holds this request's
futures and, under them, the values kept across requests (over an immutable snapshot:
:func:`~bibkg.graphql.batch.result_cache_for`). A key found there never reaches the batch
function; a key loaded is kept there once its value arrives.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar, cast

from strawberry.dataloader import AbstractCache, DataLoader

from ..read import papers, people
from ..read.records import CoauthorLink, DatedPaper
from ..read.runner import QueryRunner, Row
from .batch import BatchFunction, ResultCache
from .maybe import Maybe

Key = tuple[Hashable, ...]
R = TypeVar("R")

_UNKNOWN: Any = object()
"""What :meth:`ValueCache.known` answers for a key whose value is not known (a value may be ``None``)."""


class ValueCache(AbstractCache[Key, R]):
    """A DataLoader's ``cache_map``: the futures of this request, then the values of ``shared``
    (kept across requests, under the query's ``name``; ``None``: none)."""

    def __init__(self, name: str, shared: ResultCache | None) -> None:
        self.name = name
        self.shared = shared
        self.futures: dict[Key, asyncio.Future[R]] = {}

    def known(self, key: Key) -> R:
        """The value of ``key`` if known now (loaded in this request or kept across requests),
        else :data:`_UNKNOWN`."""
        future = self.futures.get(key)
        if future is not None:
            if future.done() and not future.cancelled() and future.exception() is None:
                return future.result()
            return cast(R, _UNKNOWN)
        if self.shared is None:
            return cast(R, _UNKNOWN)
        return cast(R, self.shared.get((self.name, *key), _UNKNOWN))

    def get(self, key: Key) -> asyncio.Future[R] | None:
        future = self.futures.get(key)
        if future is None and self.shared is not None:
            value = self.shared.get((self.name, *key), _UNKNOWN)
            if value is not _UNKNOWN:
                future = self.futures[key] = asyncio.get_running_loop().create_future()
                future.set_result(cast(R, value))
        return future

    def set(self, key: Key, value: asyncio.Future[R]) -> None:
        self.futures[key] = value
        if self.shared is not None and not value.done():
            value.add_done_callback(lambda done: self._keep(key, done))

    def _keep(self, key: Key, future: asyncio.Future[R]) -> None:
        if not future.cancelled() and future.exception() is None and self.shared is not None:
            self.shared.put((self.name, *key), future.result())

    def delete(self, key: Key) -> None:
        self.futures.pop(key, None)

    def clear(self) -> None:
        self.futures.clear()


class Loader(Generic[R]):
    """A DataLoader over one named query (:class:`~bibkg.graphql.batch.BatchFunction`); each
    key's rows become its value through ``shape``.

    :meth:`get` returns the value itself when it is known — loaded earlier in this request or
    kept across requests (:class:`ValueCache`) — and otherwise the DataLoader's awaitable, so
    that resolvers can stay synchronous (:mod:`bibkg.graphql.maybe`) without giving up batching.
    """

    def __init__(
        self,
        runner: QueryRunner,
        name: str,
        var: str,
        params: tuple[tuple[str, str], ...],
        cache: ResultCache | None,
        shape: Callable[[list[Row]], R],
    ) -> None:
        self.name = name
        self._cache: ValueCache[R] = ValueCache(name, cache)
        batch = BatchFunction(runner, name, var, params)

        async def load(keys: list[Key]) -> list[R]:
            return [shape(rows) for rows in await batch(keys)]

        self._loader: DataLoader[Key, R] = DataLoader(load_fn=load, cache_map=self._cache)

    def get(self, key: Key) -> Maybe[R]:
        value = self._cache.known(key)
        return value if value is not _UNKNOWN else self._loader.load(key)


def row_loader(
    runner: QueryRunner,
    name: str,
    var: str,
    params: tuple[tuple[str, str], ...] = (),
    cache: ResultCache | None = None,
) -> Loader[list[Row]]:
    """A :class:`Loader` whose values are the rows themselves."""
    return Loader(runner, name, var, params, cache, list)


class Loaders:
    """The loaders of one request (their own caches die with it).

    Keys are tuples: ``(iri,)`` or ``(iri, param, …)`` as documented per loader.
    """

    def __init__(self, runner: QueryRunner, cache: ResultCache | None = None) -> None:
        def _loader(name: str, var: str, params: tuple[tuple[str, str], ...] = ()) -> Loader[list[Row]]:
            return row_loader(runner, name, var, params, cache)

        def _papers(name: str, var: str, params: tuple[tuple[str, str], ...]) -> Loader[tuple[DatedPaper, ...]]:
            return Loader(runner, name, var, params, cache, papers.dated_papers)

        def _coauthors(name: str, var: str, params: tuple[tuple[str, str], ...]) -> Loader[tuple[CoauthorLink, ...]]:
            return Loader(runner, name, var, params, cache, people.coauthor_links)

        self.person = Loader(runner, "gql-persons", "person", (), cache, people.person_facts)
        self.person_details = Loader(runner, "gql-person-details", "person", (), cache, people.person_names)
        self.person_venues = _loader("gql-person-venues", "person")
        self.person_editor_of = _loader("gql-person-editor-of", "person")
        # (person, year)
        self.person_papers = _papers("gql-person-papers", "person", (("year", "integer"),))
        # (person, event or venue IRI, year), by kind of scope
        self.person_papers_at = {
            kind: _papers(f"gql-person-papers-at-{kind}", "person", ((kind, "iri"), ("year", "integer")))
            for kind in ("event", "venue")
        }
        self.coauthors = _coauthors("gql-coauthors", "person", (("year", "integer"),))
        self.coauthors_at = {
            kind: _coauthors(f"gql-coauthors-at-{kind}", "person", ((kind, "iri"), ("year", "integer")))
            for kind in ("event", "venue")
        }
        self.paper = _loader("gql-papers", "paper")
        self.paper_links = _loader("gql-paper-links", "paper")
        self.contributions = Loader(runner, "gql-contributions", "item", (), cache, people.contributions)
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
            kind: _papers(f"gql-{kind}-papers", kind, (("year", "integer"),)) for kind in ("event", "venue", "volume")
        }
        self.top_authors_of = {
            kind: _loader(f"gql-{kind}-top-authors", kind, (("year", "integer"),)) for kind in ("event", "venue")
        }
