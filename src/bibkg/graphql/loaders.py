"""Per-request DataLoaders: each runs one named query for all the keys asked in one tick."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from ..services import QueryRunner
from .batch import BatchFunction, ResultCache



class Loaders:
    """The loaders of one request (their caches die with it).

    Keys are tuples: ``(iri,)`` or ``(iri, param, …)`` as documented per loader.
    """

    def __init__(self, runner: QueryRunner, cache: ResultCache | None = None) -> None:
        def _loader(runner: QueryRunner, name: str, var: str, params: tuple[tuple[str, str], ...] = ()) -> DataLoader:
            return DataLoader(load_fn=BatchFunction(runner, name, var, params, cache))

        self.person = _loader(runner, "gql-persons", "person")
        self.person_details = _loader(runner, "gql-person-details", "person")
        self.person_venues = _loader(runner, "gql-person-venues", "person")
        self.person_editor_of = _loader(runner, "gql-person-editor-of", "person")
        # (person, year)
        self.person_papers = _loader(runner, "gql-person-papers", "person", (("year", "integer"),))
        # (person, event or venue IRI, year), by kind of scope
        self.person_papers_at = {
            kind: _loader(runner, f"gql-person-papers-at-{kind}", "person", ((kind, "iri"), ("year", "integer")))
            for kind in ("event", "venue")
        }
        self.coauthors = _loader(runner, "gql-coauthors", "person", (("year", "integer"),))
        self.coauthors_at = {
            kind: _loader(runner, f"gql-coauthors-at-{kind}", "person", ((kind, "iri"), ("year", "integer")))
            for kind in ("event", "venue")
        }
        self.paper = _loader(runner, "gql-papers", "paper")
        self.paper_links = _loader(runner, "gql-paper-links", "paper")
        self.contributions = _loader(runner, "gql-contributions", "item")
        self.volume = _loader(runner, "gql-volumes", "volume")
        self.volume_links = _loader(runner, "gql-volume-links", "volume")
        self.venue = _loader(runner, "gql-venues", "venue")
        self.event = _loader(runner, "gql-events", "event")
        self.sig = _loader(runner, "gql-sigs", "sig")
        # (scope IRI, year), by kind of scope
        self.volumes_of = {
            kind: _loader(runner, f"gql-{kind}-volumes", kind, (("year", "integer"),)) for kind in ("event", "venue", "sig")
        }
        self.papers_of = {
            kind: _loader(runner, f"gql-{kind}-papers", kind, (("year", "integer"),))
            for kind in ("event", "venue", "volume")
        }
        self.top_authors_of = {
            kind: _loader(runner, f"gql-{kind}-top-authors", kind, (("year", "integer"),)) for kind in ("event", "venue")
        }
