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

from .terms import GraphText, LazyText, QuadWriter


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


class SplicedText(LazyText):
    """A graph's text made by :func:`splice` from ``base`` (the text it was spliced from), which
    also says how: the pieces of each text in order.  Who writes it next to the previous text
    (the dumps, :mod:`bibkg.store.delta`) copies the ranges instead of the bytes, and the quads
    removed and added are the lines of the replaced and the new blocks.  Its bytes are joined
    only when asked for (a span reads only the pieces it covers)."""

    __slots__ = ("base", "nquads_plan", "turtle_plan")
    base: GraphText
    nquads_plan: tuple[Piece, ...]
    turtle_plan: tuple[Piece, ...]

    def __init__(self, iri: str, base: GraphText, quads: int, nquads_plan: Iterable[Piece],
                 turtle_plan: Iterable[Piece]) -> None:  # fmt: skip
        for name, value in (("iri", iri), ("quads", quads), ("base", base), ("nquads_plan", tuple(nquads_plan)),
                            ("turtle_plan", tuple(turtle_plan))):  # fmt: skip
            object.__setattr__(self, name, value)

    @classmethod
    def whole(cls, text: GraphText) -> SplicedText:
        """``text`` in one piece (a derivation may then rewrite its end, :meth:`with_tail`)."""
        return cls(text.iri, text, text.quads, ((0, text.size("nquads")),), ((0, text.size("turtle")),))

    @property
    def base_nquads(self) -> int:
        return self.base.size("nquads")

    @property
    def base_turtle(self) -> int:
        return self.base.size("turtle")

    def plan(self, kind: str) -> tuple[Piece, ...]:
        return self.nquads_plan if kind == "nquads" else self.turtle_plan

    def size(self, kind: str = "nquads") -> int:
        return sum(piece[1] - piece[0] if isinstance(piece, tuple) else len(piece) for piece in self.plan(kind))

    def span(self, start: int, end: int, kind: str = "nquads") -> bytes:
        made = self._made(kind)
        if made is not None:
            return made[start:end]
        parts: list[bytes] = []
        at = 0
        for piece in self.plan(kind):
            length = piece[1] - piece[0] if isinstance(piece, tuple) else len(piece)
            low, high = max(start, at), min(end, at + length)
            if low < high:
                if isinstance(piece, tuple):
                    parts.append(self.base.span(piece[0] + low - at, piece[0] + high - at, kind))
                else:
                    parts.append(piece[low - at : high - at])
            at += length
            if at >= end:
                break
        return b"".join(parts)

    def _make(self, kind: str) -> bytes:
        return self.span(0, self.size(kind), kind)

    def with_tail(self, nquads_cut: int, nquads_end: bytes, turtle_cut: int, turtle_end: bytes) -> GraphText:
        """This text with everything from ``*_cut`` on replaced by ``*_end``: still a spliced
        text if the cut falls in its last piece, else a plain one."""
        plans = []
        for kind, cut, end in (("nquads", nquads_cut, nquads_end), ("turtle", turtle_cut, turtle_end)):
            plan = self.plan(kind)
            dropped = self.size(kind) - cut
            last = plan[-1] if plan else None
            if isinstance(last, bytes) and dropped <= len(last):
                plans.append((*plan[:-1], last[: len(last) - dropped] + end))
            elif isinstance(last, tuple) and dropped <= last[1] - last[0]:
                start, stop = last
                kept = ((start, stop - dropped),) if stop - dropped > start else ()
                plans.append((*plan[:-1], *kept, end))
            else:
                nquads = self.span(0, nquads_cut, "nquads") + nquads_end
                turtle = self.span(0, turtle_cut, "turtle") + turtle_end
                return GraphText(self.iri, nquads, turtle, self.quads)
        return SplicedText(self.iri, self.base, self.quads, plans[0], plans[1])


def block_quads(graph: GraphText, index: BlockIndex, key: Any) -> int:
    """The quads of the block ``key`` of ``graph`` (0 if it has none)."""
    at, present = index.position(key)
    if not present:
        return 0
    end = index.nquads[at + 1] if at + 1 < len(index.keys) else graph.size("nquads")
    return graph.span(index.nquads[at], end).count(b"\n")


def splice(graph: GraphText, index: BlockIndex, changes: dict[Any, Block | None]) -> tuple[SplicedText, BlockIndex]:
    """``graph`` (indexed by ``index``) with the blocks of ``changes`` replaced, added (a key
    not in the index) or removed (``None``); the other blocks' bytes are copied."""
    count = len(index.keys)
    nq_size, ttl_size = graph.size("nquads"), graph.size("turtle")
    if len(index.nquads) != count + 1 or len(index.turtle) != count + 1 or (count and (
            index.nquads[count - 1] > nq_size or index.turtle[count - 1] > ttl_size)):  # fmt: skip
        raise ValueError(f"the block index of {graph.iri} does not describe its text")
    index = BlockIndex(index.keys, array("q", index.nquads), array("q", index.turtle))
    index.nquads[-1], index.turtle[-1] = nq_size, ttl_size  # the last block may have been
    # rewritten since (the statistics' void:triples, bibkg.mapping.stats.recount): it ends where the text does
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
            quads -= graph.span(index.nquads[at], index.nquads[at + 1]).count(b"\n")
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
    return SplicedText(graph.iri, graph, quads, nq_plan, ttl_plan), BlockIndex(keys, nq_offsets, ttl_offsets)


__all__ = ["Block", "BlockIndex", "Piece", "SplicedText", "block_quads", "join", "splice"]
