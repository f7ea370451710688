"""A re-mapped collection's graph made from its previous text: only some items rendered again.

A correction changes who some author and editor entries are: a few items (papers, volumes)
of collections that hold thousands.  The mapping renders those items alone
(``map_collection(..., render=items)``, every fact still gathered from the whole collection)
and :func:`splice_items` puts their quads in place of their previous ones.  In a collection's
graph every item's quads are consecutive and begin with a triple of its own subject
(:func:`bibkg.mapping.collection.map_collection`), in N-Quads and in Turtle alike, so an item's
text runs from the line that starts with its IRI to the line that starts with the next item's.

The result is a :class:`~bibkg.mapping.blocks.SplicedText`: the delta copies the unchanged
ranges of the previous dumps and diffs only the replaced items (:mod:`bibkg.store.delta`).
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from typing import Any

from ..mapping.blocks import Block, BlockIndex, SplicedText, splice
from ..mapping.terms import GraphText

Item = tuple[str, str]
"""(item id, subject IRI)."""


class LayoutError(ValueError):
    """The previous text is not laid out as the items say (then the collection is mapped whole)."""


def splice_items(previous: GraphText, items: Sequence[Item], units: Mapping[str, GraphText]) -> SplicedText:
    """``previous`` (a collection's graph) with the quads of the items in ``units`` (item id →
    their text, rendered alone) in place of theirs; ``items`` lists every item of the
    collection in document order.  Raises :class:`LayoutError` when an item id repeats (its
    quads are then not its own) or an item's place is not found."""
    ids = [item_id for item_id, _ in items]
    if len(set(ids)) != len(ids):
        raise LayoutError(f"{previous.iri}: an item id repeats")
    if not set(units) <= set(ids):
        raise LayoutError(f"{previous.iri}: rendered items that are not in the collection")
    nq_blocks = _blocks(previous.nquads, items, units, previous.iri)
    ttl_blocks = _blocks(previous.turtle, items, units, previous.iri)
    if [item for _, item in nq_blocks] != [item for _, item in ttl_blocks]:
        raise LayoutError(f"{previous.iri}: the N-Quads and the Turtle text disagree on the items' places")
    index = BlockIndex(
        list(range(len(nq_blocks))),
        array("q", [at for at, _ in nq_blocks] + [previous.size("nquads")]),
        array("q", [at for at, _ in ttl_blocks] + [previous.size("turtle")]),
    )
    changes: dict[Any, Block | None] = {
        key: Block(units[item].nquads, units[item].turtle, units[item].quads)
        for key, (_, item) in enumerate(nq_blocks)
        if item is not None
    }
    spliced, _ = splice(previous, index, changes)
    return spliced


def _blocks(
    text: bytes, items: Sequence[Item], units: Mapping[str, GraphText], graph: str
) -> list[tuple[int, str | None]]:
    """Where each block of ``text`` begins, in order, and the rendered item it is (``None``: a
    run of items kept as they are, or the collection's own triples)."""
    blocks: list[tuple[int, str | None]] = []
    at = 0  # where the previous block ends
    for k, (item_id, subject) in enumerate(items):
        if item_id not in units:
            continue
        start = _subject_line(text, subject, at, graph)
        end = _subject_line(text, items[k + 1][1], start + 1, graph) if k + 1 < len(items) else len(text)
        if start > at:
            blocks.append((at, None))
        blocks.append((start, item_id))
        at = end
    if at < len(text):
        blocks.append((at, None))
    return blocks


def _subject_line(text: bytes, subject: str, start: int, graph: str) -> int:
    """Where the first line at or after ``start`` whose subject is ``subject`` begins."""
    found = text.find(b"\n<" + subject.encode() + b"> ", max(start - 1, 0))
    if found < 0:
        raise LayoutError(f"{graph}: no triple of <{subject}> where the collection's order puts it")
    return found + 1


__all__ = ["Item", "LayoutError", "splice_items"]
