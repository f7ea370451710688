"""A graph written as a sequence of blocks, so that an update can re-render a few of them.

A corpus-wide graph (people, statistics) is the concatenation of small blocks in a fixed order
of keys: one per person, one per venue-year, and so on.  Each block is written by its own
:class:`~bibkg.mapping.terms.QuadWriter`; as long as no two consecutive blocks share a subject
at their border, the concatenation is byte for byte what one writer given all the triples
writes (N-Quads are a line per quad; a Turtle statement never crosses a border).

:class:`BlockIndex` remembers where each block starts in both texts; :func:`splice` replaces,
adds or removes blocks of a written graph without rendering the others.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .terms import GraphText, QuadWriter


@dataclass(slots=True)
class BlockIndex:
    """Where each block of a graph's text starts: ``keys`` in text order (sorted), and the
    byte offsets of each block in the N-Quads and the Turtle (one more: the end)."""

    keys: list[Any]
    nquads: array
    turtle: array

    def position(self, key: Any) -> tuple[int, bool]:
        """Where ``key`` is or would go, and whether it is there."""
        at = bisect_left(self.keys, key)
        return at, at < len(self.keys) and self.keys[at] == key


@dataclass(slots=True)
class Block:
    """One block's text."""

    nquads: bytes
    turtle: bytes
    quads: int

    @classmethod
    def of(cls, writer: QuadWriter) -> Block:
        return cls(writer.text().encode(), writer.turtle().encode(), len(writer))


def join(iri: str, blocks: Iterable[tuple[Any, Block]]) -> tuple[GraphText, BlockIndex]:
    """The graph ``iri`` made of ``blocks`` (key, text) in key order, and its index."""
    keys: list[Any] = []
    nq_parts: list[bytes] = []
    ttl_parts: list[bytes] = []
    nq_offsets, ttl_offsets = array("q", [0]), array("q", [0])
    nq_at = ttl_at = quads = 0
    for key, block in blocks:
        if keys and not keys[-1] < key:
            raise ValueError(f"block keys out of order in {iri}: {keys[-1]!r} before {key!r}")
        keys.append(key)
        nq_parts.append(block.nquads)
        ttl_parts.append(block.turtle)
        nq_at += len(block.nquads)
        ttl_at += len(block.turtle)
        nq_offsets.append(nq_at)
        ttl_offsets.append(ttl_at)
        quads += block.quads
    text = GraphText(iri, b"".join(nq_parts), b"".join(ttl_parts), quads)
    return text, BlockIndex(keys, nq_offsets, ttl_offsets)


Piece = tuple[int, int] | bytes
"""Part of a spliced text: a byte range (start, end) of the text it was spliced from, or new bytes."""


@dataclass(frozen=True, slots=True)
class SplicedText(GraphText):
    """A graph's text made by :func:`splice`, which also says how: the pieces of each text in
    order (``base_*``: the length of the text it was spliced from).  Who writes it next to the
    previous text (the dumps, :mod:`bibkg.store.delta`) copies the ranges instead of the bytes,
    and the quads removed and added are the lines of the replaced and the new blocks."""

    base_nquads: int
    base_turtle: int
    nquads_plan: tuple[Piece, ...]
    turtle_plan: tuple[Piece, ...]

    def with_tail(self, nquads_cut: int, nquads_end: bytes, turtle_cut: int, turtle_end: bytes) -> GraphText:
        """This text with everything from ``*_cut`` on replaced by ``*_end``: still a spliced
        text if the cut falls in its last piece, else a plain one."""
        nquads = b"".join((memoryview(self.nquads)[:nquads_cut], nquads_end))
        turtle = b"".join((memoryview(self.turtle)[:turtle_cut], turtle_end))
        plans = []
        for plan, text, cut, end in ((self.nquads_plan, self.nquads, nquads_cut, nquads_end),
                                     (self.turtle_plan, self.turtle, turtle_cut, turtle_end)):  # fmt: skip
            if not plan:
                return GraphText(self.iri, nquads, turtle, self.quads)
            last, dropped = plan[-1], len(text) - cut
            if isinstance(last, bytes):
                if dropped > len(last):
                    return GraphText(self.iri, nquads, turtle, self.quads)
                plans.append((*plan[:-1], last[: len(last) - dropped] + end))
            else:
                start, stop = last
                if dropped > stop - start:
                    return GraphText(self.iri, nquads, turtle, self.quads)
                kept = ((start, stop - dropped),) if stop - dropped > start else ()
                plans.append((*plan[:-1], *kept, end))
        return SplicedText(self.iri, nquads, turtle, self.quads, self.base_nquads, self.base_turtle, *plans)


def block_quads(graph: GraphText, index: BlockIndex, key: Any) -> int:
    """The quads of the block ``key`` of ``graph`` (0 if it has none)."""
    at, present = index.position(key)
    if not present:
        return 0
    end = index.nquads[at + 1] if at + 1 < len(index.keys) else len(graph.nquads)
    return graph.nquads.count(b"\n", index.nquads[at], end)


def splice(graph: GraphText, index: BlockIndex, changes: dict[Any, Block | None]) -> tuple[SplicedText, BlockIndex]:
    """``graph`` (indexed by ``index``) with the blocks of ``changes`` replaced, added (a key
    not in the index) or removed (``None``); the other blocks' bytes are copied."""
    count = len(index.keys)
    if len(index.nquads) != count + 1 or len(index.turtle) != count + 1 or (count and (
            index.nquads[count - 1] > len(graph.nquads) or index.turtle[count - 1] > len(graph.turtle))):  # fmt: skip
        raise ValueError(f"the block index of {graph.iri} does not describe its text")
    index = BlockIndex(index.keys, array("q", index.nquads), array("q", index.turtle))
    index.nquads[-1], index.turtle[-1] = len(graph.nquads), len(graph.turtle)  # the last block may have been
    # rewritten since (the statistics' void:triples, bibkg.mapping.stats.recount): it ends where the text does
    nq, ttl = memoryview(graph.nquads), memoryview(graph.turtle)
    keys: list[Any] = []
    nq_plan: list[Piece] = []
    ttl_plan: list[Piece] = []
    nq_offsets, ttl_offsets = array("q", [0]), array("q", [0])
    quads = graph.quads
    done = 0  # blocks of the old text copied so far

    def copy(until: int) -> None:
        nonlocal done
        if until <= done:
            return
        nq_base, ttl_base = index.nquads[done], index.turtle[done]
        nq_plan.append((nq_base, index.nquads[until]))
        ttl_plan.append((ttl_base, index.turtle[until]))
        nq_shift, ttl_shift = nq_offsets[-1] - nq_base, ttl_offsets[-1] - ttl_base
        nq_offsets.extend(offset + nq_shift for offset in index.nquads[done + 1 : until + 1])
        ttl_offsets.extend(offset + ttl_shift for offset in index.turtle[done + 1 : until + 1])
        keys.extend(index.keys[done:until])
        done = until

    def new(part: bytes, plan: list[Piece]) -> None:
        if plan and isinstance(plan[-1], bytes):
            plan[-1] += part
        else:
            plan.append(part)

    for key in sorted(changes):
        at, present = index.position(key)
        copy(at)
        if present:
            quads -= graph.nquads.count(b"\n", index.nquads[at], index.nquads[at + 1])
            done = at + 1
        block = changes[key]
        if block is not None:
            keys.append(key)
            new(block.nquads, nq_plan)
            new(block.turtle, ttl_plan)
            nq_offsets.append(nq_offsets[-1] + len(block.nquads))
            ttl_offsets.append(ttl_offsets[-1] + len(block.turtle))
            quads += block.quads
    copy(len(index.keys))
    text = SplicedText(graph.iri, _text(nq, nq_plan), _text(ttl, ttl_plan), quads, len(graph.nquads), len(graph.turtle), tuple(nq_plan),
                       tuple(ttl_plan))  # fmt: skip
    return text, BlockIndex(keys, nq_offsets, ttl_offsets)


def _text(base: memoryview, plan: list[Piece]) -> bytes:
    return b"".join(base[piece[0] : piece[1]] if isinstance(piece, tuple) else piece for piece in plan)


__all__ = ["Block", "BlockIndex", "Piece", "SplicedText", "block_quads", "join", "splice"]
