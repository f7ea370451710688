"""The listings contract (:mod:`bibkg.read.listings`), one suite for both sources: the snapshot's
paper cards and the graph give equal cards, on every person and volume of the sample and on a
spread of the full corpus (its largest pages among them)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bibkg import config
from bibkg.read import listings as listings_module
from bibkg.read.citations import volume_papers
from bibkg.read.listings import CardListings, GraphListings, paper_listings
from bibkg.read.records import PaperCard
from bibkg.read.runner import QueryRunner
from bibkg.sparql.catalog import QueryCatalog
from bibkg.store.local import LocalStore
from bibkg.store.oxigraph import OxigraphStore

PERSON = "https://aclanthology.org/people/yaodong-yang/"
RANKED_AUTHORS = (
    "PREFIX bibkg: <https://w3id.org/bibkg/ns#> SELECT ?x (COUNT(*) AS ?n) "
    "WHERE { ?paper bibkg:author ?x } GROUP BY ?x ORDER BY DESC(?n) ?x"
)
RANKED_VOLUMES = (
    "PREFIX bibkg: <https://w3id.org/bibkg/ns#> SELECT ?x (COUNT(*) AS ?n) "
    "WHERE { ?paper bibkg:inVolume ?x } GROUP BY ?x ORDER BY DESC(?n) ?x"
)


class Sources:
    """The two implementations on one snapshot, and its graph to pick keys from."""

    def __init__(self, local: LocalStore) -> None:
        catalog = QueryCatalog.load(config.queries_dir())
        self.with_cards = QueryRunner(OxigraphStore.open(local), catalog)
        self.graph_only = QueryRunner(OxigraphStore(local.open_read()), catalog)
        self.cards = paper_listings(self.with_cards)
        self.graph = paper_listings(self.graph_only)

    def ranked(self, query: str) -> list[str]:
        return [row["x"].value for row in self.with_cards.store.query(query)]

    def members(self, volume: str) -> list[str]:
        """The volume's papers and front matter, as its page lists them."""
        return volume_papers(self.with_cards.store, volume, self.with_cards.catalog)

    def close(self) -> None:
        self.with_cards.store.close()
        self.graph_only.store.close()


@pytest.fixture(scope="module")
def sample(sample_store: LocalStore) -> Iterator[Sources]:
    sources = Sources(sample_store)
    yield sources
    sources.close()


@pytest.fixture(scope="module")
def corpus(corpus_store: LocalStore) -> Iterator[Sources]:
    sources = Sources(corpus_store)
    yield sources
    sources.close()


def _agree_on_authors(sources: Sources, persons: list[str]) -> int:
    """Both sources list the same cards for each of ``persons``; the number of cards compared."""
    compared = 0
    for person in persons:
        expected = sorted(sources.graph.of_author(person), key=lambda c: c.iri)
        assert sorted(sources.cards.of_author(person), key=lambda c: c.iri) == expected, person
        assert expected and all(person in [p for p, _ in card.authors] for card in expected), person
        compared += len(expected)
    return compared


def _agree_on_papers(sources: Sources, papers: list[str]) -> list[PaperCard | None]:
    expected = sources.graph.cards(papers)
    assert len(expected) == len(papers)
    assert sources.cards.cards(papers) == expected
    assert all(card is None or card.iri == paper for card, paper in zip(expected, papers, strict=True))
    return expected


# --- the contract, on the sample ---------------------------------------------------------------------------


def test_the_store_decides_the_source(sample: Sources) -> None:
    assert isinstance(sample.cards, CardListings) and isinstance(sample.graph, GraphListings)


def test_every_person_of_the_sample(sample: Sources) -> None:
    persons = sample.ranked(RANKED_AUTHORS)
    assert len(persons) > 70
    assert _agree_on_authors(sample, persons) >= 100


def test_every_volume_of_the_sample_with_front_matter_and_strangers(sample: Sources) -> None:
    for volume in sample.ranked(RANKED_VOLUMES):
        members = sample.members(volume)
        keys = ["https://aclanthology.org/nothing-here/", *members, members[0]]  # a stranger, a repeat
        found = _agree_on_papers(sample, keys)
        assert found[0] is None and found[-1] == found[1]
        assert [card.volume for card in found if card is not None] == [volume] * sum(c is not None for c in found)
    assert _agree_on_papers(sample, []) == []


def test_a_card_as_the_paper_prints_it(sample: Sources) -> None:
    (card,) = [c for c in sample.graph.of_author(PERSON) if c.iri == "https://aclanthology.org/2025.acl-long.1141/"]
    assert card.year == "2025" and card.volume == "https://aclanthology.org/volumes/2025.acl-long/"
    assert card.booktitle and card.booktitle.startswith("Proceedings of the 63rd Annual Meeting")
    assert card.venues == ("https://aclanthology.org/venues/acl/",)
    assert card.authors[0] == ("https://aclanthology.org/people/jiaming-ji/unverified/", "Jiaming Ji")
    assert (PERSON, "Yaodong Yang") in card.authors
    assert card.pdf == "https://aclanthology.org/2025.acl-long.1141.pdf"


def test_front_matter_has_no_card(sample: Sources) -> None:
    front = "https://aclanthology.org/2025.acl-long.0/"
    assert sample.graph.cards([front]) == sample.cards.cards([front]) == [None]


def test_authorships_the_graph_listing_cannot_derive_are_read(sample: Sources, monkeypatch) -> None:
    """Authorships whose IRI is not one bibkg mints are read from the graph: the same cards."""
    expected = sorted(sample.graph.of_author(PERSON), key=lambda c: c.iri)
    monkeypatch.setattr(listings_module, "_minted_place", lambda iri: None)
    assert sorted(sample.graph.of_author(PERSON), key=lambda c: c.iri) == expected


def test_graph_batches_are_joined_in_order(sample: Sources, monkeypatch) -> None:
    members = [m for v in sample.ranked(RANKED_VOLUMES) for m in sample.members(v)]
    expected = sample.graph.cards(members)
    monkeypatch.setattr(GraphListings, "BATCH", 2)
    assert sample.graph.cards(members) == expected


# --- the contract, on the full corpus ----------------------------------------------------------------------


@pytest.mark.corpus
def test_authors_of_the_full_corpus(corpus: Sources) -> None:
    ranked = corpus.ranked(RANKED_AUTHORS)
    persons = ranked[:5] + ranked[5::4000]  # the largest pages and every 4,000th author by rank
    assert len(persons) > 20
    assert _agree_on_authors(corpus, persons) > 1000


@pytest.mark.corpus
def test_volumes_of_the_full_corpus(corpus: Sources) -> None:
    ranked = corpus.ranked(RANKED_VOLUMES)
    volumes = ranked[:2] + ranked[2::300]  # the largest volumes and every 300th by size
    assert len(volumes) > 10
    compared = 0
    for volume in volumes:
        found = _agree_on_papers(corpus, corpus.members(volume))
        compared += sum(card is not None for card in found)
    assert compared > 1500
