"""The linker on the full Anthology and every shared Daily Papers file, against the gold set."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bibkg.hf.anthology import AnthologySource
from bibkg.hf.evaluate import load_gold, score_authors, score_papers
from bibkg.hf.link import TitleIndex, link, year_range
from bibkg.hf.reader import read_listings
from bibkg.store.oxigraph import OxigraphStore

from .test_reader import HF_CORPUS

pytestmark = pytest.mark.corpus


def test_gold_set_precision_and_recall(corpus_store, repo_root: Path) -> None:
    if not HF_CORPUS.is_dir():
        pytest.skip(f"shared Daily Papers files not found at {HF_CORPUS}")
    store = OxigraphStore.open(corpus_store)
    try:
        started = time.perf_counter()
        preprints = [e.preprint for listing in read_listings([HF_CORPUS]) for e in listing.entries]
        source = AnthologySource(store)
        links = link(preprints, TitleIndex(source.papers(year_range(preprints))), source.person_names)
        seconds = time.perf_counter() - started
    finally:
        store.close()
    gold = load_gold(repo_root / "tests" / "data" / "hf-gold.json")
    papers, authors = score_papers(links, gold), score_authors(links, gold)
    assert papers.precision >= 0.98 and papers.recall >= 0.95, papers.errors
    assert authors.precision >= 0.95 and authors.recall >= 0.9, authors.errors
    assert seconds < 30  # the benchmark measures it (about 2 s); this only catches a blow-up
