"""The spare copy of a cards file: made after publishing, taken by the next update, never wrong."""

from __future__ import annotations

import os
from pathlib import Path

from bibkg.cards import CardWriter, content, keep_spare, updated_copy
from bibkg.read.records import PaperCard


def _card(n: int, person: str = "https://aclanthology.org/people/a/") -> PaperCard:
    return PaperCard(f"https://aclanthology.org/P{n}/", f"Title {n}", "2024", None, None, None, (), ((person, "A B"),))


def _cards(path: Path, cards: list[PaperCard]) -> Path:
    with CardWriter(path) as writer:
        writer.add(cards)
    return path


def test_an_update_takes_the_spare_of_its_source_and_gives_the_same_content(tmp_path: Path) -> None:
    source = _cards(tmp_path / "old.sqlite", [_card(n) for n in range(20)])
    spares = tmp_path / "spare"
    keep_spare(source, spares)
    (spare,) = spares.iterdir()
    keep_spare(source, spares)  # the same file: the spare is kept, not copied again
    assert list(spares.iterdir()) == [spare]
    changes: dict[str, PaperCard | None] = {_card(3).iri: _card(3, "https://aclanthology.org/people/b/"),
                                            _card(4).iri: None, _card(99).iri: _card(99)}  # fmt: skip
    updated_copy(source, tmp_path / "new.sqlite", changes, spares=spares)
    assert not spare.exists()  # taken: it serves once
    fresh = _cards(tmp_path / "fresh.sqlite", [c for n in range(20) if n not in (3, 4) for c in [_card(n)]]
                   + [_card(3, "https://aclanthology.org/people/b/"), _card(99)])  # fmt: skip
    assert content(tmp_path / "new.sqlite") == content(fresh)
    assert content(source) == content(_cards(tmp_path / "again.sqlite", [_card(n) for n in range(20)]))  # untouched


def test_a_spare_of_another_file_is_neither_used_nor_kept(tmp_path: Path) -> None:
    first = _cards(tmp_path / "first.sqlite", [_card(1)])
    second = _cards(tmp_path / "second.sqlite", [_card(2)])
    spares = tmp_path / "spare"
    keep_spare(first, spares)
    updated_copy(second, tmp_path / "new.sqlite", {_card(5).iri: _card(5)}, spares=spares)
    assert content(tmp_path / "new.sqlite") == content(_cards(tmp_path / "want.sqlite", [_card(2), _card(5)]))
    assert len(list(spares.iterdir())) == 1  # the first file's spare, still there
    keep_spare(second, spares)  # a spare of another file replaces it
    assert [p.name.endswith(f"-{os.stat(second).st_ino}-{second.stat().st_size}-{second.stat().st_mtime_ns}-paper-cards.sqlite")
            for p in spares.iterdir()] == [True]  # fmt: skip


def test_a_cards_file_of_another_layout_is_not_read(tmp_path: Path) -> None:
    """The layout version is derived from the schema and the card's fields: a file written
    under another one (an older bibkg) is left alone and the pages read the graph instead."""
    import sqlite3

    from bibkg.cards import CARDS_FILE, CARDS_VERSION, PaperCards

    path = _cards(tmp_path / CARDS_FILE, [_card(n) for n in range(3)])
    found = PaperCards.find(tmp_path)
    assert found is not None and [c.iri for c in found.of_author("https://aclanthology.org/people/a/")]
    del found
    assert 0 < CARDS_VERSION < 2**31
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 2")  # the layout number of bibkg before it was derived
    db.commit()
    db.close()
    assert PaperCards.find(tmp_path) is None
