"""Some items of a collection rendered alone and spliced into its whole graph give the whole
graph byte for byte (bibkg.ingest.units), on the sample and on large files of the full corpus;
the facts gathered are those of the whole mapping; a previous text that does not fit is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bibkg.anthology.xmlreader import read_collection
from bibkg.ingest import collection_files, load_people_for
from bibkg.ingest.state import CollectionFacts
from bibkg.ingest.units import LayoutError, splice_items
from bibkg.iris import paper_iri
from bibkg.mapping.collection import map_collection
from bibkg.mapping.terms import GraphText

CORPUS_FILES = ("2023.acl", "2022.lrec", "L16", "P19", "2020.coling")


def _check_collection(path: Path, people, file_index: int) -> int:
    collection = read_collection(path)
    whole = map_collection(collection, people, file_index)
    assert whole.graph is not None and not whole.units
    items = [(v.full_id, None) for v in collection.volumes] + [
        (p.full_id, None) for v in collection.volumes for p in v.papers
    ]
    checked = 0
    for step, offset in ((3, 0), (7, 5), (1, 0), (len(items) + 1, len(items) - 1), (2, 1)):
        chosen = {item_id for item_id, _ in items[offset::step]}
        part = map_collection(collection, people, file_index, render=chosen)
        assert part.graph is None and set(part.units) == chosen
        assert CollectionFacts.of(part) == CollectionFacts.of(whole)
        assert part.cards == [card for card in whole.cards if card.iri in {paper_iri(i) for i in chosen}]
        spliced = splice_items(whole.graph, part.items, part.units)
        assert spliced.quads == whole.graph.quads
        assert spliced.span(0, spliced.size("nquads")) == whole.graph.nquads
        assert spliced.span(0, spliced.size("turtle"), "turtle") == whole.graph.turtle
        checked += 1
    return checked


def test_rendered_items_spliced_give_the_whole_graph_on_the_sample(sample_datadir: Path) -> None:
    files = collection_files(sample_datadir)
    people, _ = load_people_for(sample_datadir, files)
    assert sum(_check_collection(path, people, i) for i, path in enumerate(files)) == 5 * len(files)


def test_a_changed_item_replaces_only_its_own_lines(sample_datadir: Path) -> None:
    files = collection_files(sample_datadir)
    people, _ = load_people_for(sample_datadir, files)
    collection = read_collection(files[0])
    whole = map_collection(collection, people, 0)
    assert whole.graph is not None
    paper = collection.volumes[0].papers[-1].full_id
    part = map_collection(collection, people, 0, render={paper})
    unit = part.units[paper]
    extra = f'<https://example.org/x> <https://example.org/p> "x" <{unit.iri}> .\n'.encode()
    changed = GraphText(unit.iri, unit.nquads + extra, unit.turtle + b'<https://example.org/x> <https://example.org/p> "x" .\n', unit.quads + 1)  # fmt: skip
    spliced = splice_items(whole.graph, part.items, {paper: changed})
    text = spliced.span(0, spliced.size("nquads"))
    assert spliced.quads == whole.graph.quads + 1 and text.count(b"\n") == spliced.quads
    assert set(text.splitlines(keepends=True)) - set(whole.graph.nquads.splitlines(keepends=True)) == {extra}


def test_a_previous_text_that_does_not_fit_is_refused(sample_datadir: Path) -> None:
    files = collection_files(sample_datadir)
    people, _ = load_people_for(sample_datadir, files)
    collection = read_collection(files[0])
    whole = map_collection(collection, people, 0)
    assert whole.graph is not None
    paper = collection.volumes[0].papers[0].full_id
    part = map_collection(collection, people, 0, render={paper})
    other = map_collection(read_collection(files[1]), people, 1)
    assert other.graph is not None
    with pytest.raises(LayoutError, match="no triple of"):
        splice_items(other.graph, part.items, part.units)
    with pytest.raises(LayoutError, match="repeats"):
        splice_items(whole.graph, [*part.items, part.items[0]], part.units)


@pytest.mark.corpus
def test_rendered_items_spliced_give_the_whole_graph_on_large_corpus_files(shared_corpus: Path) -> None:
    files = collection_files(shared_corpus)
    people, _ = load_people_for(shared_corpus, files)
    index = {path.stem: i for i, path in enumerate(files)}
    for cid in CORPUS_FILES:
        assert _check_collection(files[index[cid]], people, index[cid]) == 5
