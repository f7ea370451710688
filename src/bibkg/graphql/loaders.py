"""Per-request loaders: each runs one named query for all the keys asked in one tick, and answers
at once the keys whose rows are already known."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from strawberry.dataloader import DataLoader

from ..services import QueryRunner, Row
from .batch import BatchFunction, ResultCache
from .maybe import Maybe

Key = tuple[Hashable, ...]


class Loader:
    """A DataLoader over one named query (:class:`~bibkg.graphql.batch.BatchFunction`).

    :meth:`get` returns the rows themselves when they are known — loaded earlier in this request
    or kept by the cross-request ``cache`` — and otherwise the DataLoader's awaitable, so that
    resolvers can stay synchronous (:mod:`bibkg.graphql.maybe`) without giving up batching.
    """

    def __init__(self, runner: QueryRunner, name: str, var: str, params: tuple[tuple[str, str], ...] = (),
                 cache: ResultCache | None = None) -> None:
        self.name = name
        self._cache = cache
        self._loader: DataLoader[Key, list[Row]] = DataLoader(load_fn=BatchFunction(runner, name, var, params, cache))

    def get(self, key: Key) -> Maybe[list[Row]]:
        future: Any = self._loader.cache_map.get(key)
        if future is not None and future.done() and not future.cancelled() and future.exception() is None:
            return future.result()
        if future is None and self._cache is not None:
            rows = self._cache.get((self.name, *key))
            if rows is not None:
                return rows
        return self._loader.load(key)


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
