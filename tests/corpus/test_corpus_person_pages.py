"""Person and volume pages on the full corpus: the paper cards published with the snapshot give
the same pages as the graph, for the most prolific authors and a spread of others, and for
volumes large and small."""

from __future__ import annotations

import pytest

from bibkg import config
from bibkg.ingest import IngestReport
from bibkg.read.runner import QueryRunner
from bibkg.sparql.catalog import QueryCatalog
from bibkg.store.local import LocalStore
from bibkg.store.oxigraph import OxigraphStore
from bibkg.web import pages
from bibkg.web import person as person_pages

pytestmark = pytest.mark.corpus


def test_person_pages_from_cards_equal_pages_from_graph(corpus_ingest: tuple[LocalStore, IngestReport]) -> None:
    local, _ = corpus_ingest
    catalog = QueryCatalog.load(config.queries_dir())
    with_cards = QueryRunner(OxigraphStore.open(local), catalog)
    assert with_cards.store.paper_cards is not None
    from_graph = QueryRunner(OxigraphStore(local.open_read()), catalog)
    ranked = [r["p"].value for r in with_cards.store.query(
        "PREFIX bibkg: <https://w3id.org/bibkg/ns#> SELECT ?p (COUNT(*) AS ?n) "
        "WHERE { ?paper bibkg:author ?p } GROUP BY ?p ORDER BY DESC(?n) ?p")]  # fmt: skip
    persons = ranked[:10] + ranked[10::2000]  # the largest pages and every 2,000th author by rank
    assert len(persons) > 40
    for person in persons:
        expected = person_pages.fetch_person(from_graph, person)
        assert expected is not None and expected.papers, person
        assert person_pages.fetch_person(with_cards, person) == expected, person


def test_volume_pages_from_cards_equal_pages_from_graph(corpus_ingest: tuple[LocalStore, IngestReport]) -> None:
    local, _ = corpus_ingest
    catalog = QueryCatalog.load(config.queries_dir())
    with_cards = QueryRunner(OxigraphStore.open(local), catalog)
    from_graph = QueryRunner(OxigraphStore(local.open_read()), catalog)
    ranked = [r["v"].value for r in with_cards.store.query(
        "PREFIX bibkg: <https://w3id.org/bibkg/ns#> SELECT ?v (COUNT(*) AS ?n) "
        "WHERE { ?paper bibkg:inVolume ?v } GROUP BY ?v ORDER BY DESC(?n) ?v")]  # fmt: skip
    volumes = ranked[:3] + ranked[3::150]  # the largest volumes and every 150th by size
    assert len(volumes) > 15
    for volume in volumes:
        html = pages.volume_page(with_cards, volume)
        assert html is not None and html == pages.volume_page(from_graph, volume), volume
