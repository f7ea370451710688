"""Graphs written as blocks (bibkg.mapping.blocks): splicing equals writing afresh."""

from __future__ import annotations

import random

from bibkg.mapping.blocks import Block, SplicedText, block_quads, join, splice
from bibkg.mapping.terms import QuadWriter

GRAPH = "https://example.org/graph"


def _block(key: str, version: int) -> Block:
    out = QuadWriter(GRAPH)
    for n in range(1 + (int(key[1:]) + version) % 3):
        out.add_text(f"https://example.org/{key}", f"https://example.org/p{n}", f"{key} v{version}")
    out.add_iri(f"https://example.org/{key}#node", "https://example.org/of", f"https://example.org/{key}")
    return Block.of(out)


def _rebuilt(text: SplicedText, base: bytes, kind: str) -> bytes:
    plan = text.nquads_plan if kind == "nquads" else text.turtle_plan
    return b"".join(base[p[0] : p[1]] if isinstance(p, tuple) else p for p in plan)


def test_splice_equals_a_fresh_join_and_its_plan_rebuilds_it() -> None:
    rng = random.Random(3)
    for trial in range(100):
        keys = sorted({f"k{rng.randrange(1000):04d}" for _ in range(rng.randrange(0, 60))})
        versions = dict.fromkeys(keys, 0)
        graph, index = join(GRAPH, ((key, _block(key, 0)) for key in keys))
        changes: dict[str, Block | None] = {}
        for _ in range(rng.randrange(0, 8)):
            key = f"k{rng.randrange(1000):04d}"
            if key in versions and rng.random() < 0.4:
                changes[key] = None
                versions.pop(key)
            else:
                versions[key] = versions.get(key, 0) + 1
                changes[key] = _block(key, versions[key])
        spliced, new_index = splice(graph, index, changes)
        fresh, fresh_index = join(GRAPH, ((key, _block(key, versions[key])) for key in sorted(versions)))
        assert (spliced.nquads, spliced.turtle, spliced.quads) == (fresh.nquads, fresh.turtle, fresh.quads), trial
        assert (new_index.keys, list(new_index.nquads), list(new_index.turtle)) == (
            fresh_index.keys,
            list(fresh_index.nquads),
            list(fresh_index.turtle),
        ), trial
        assert _rebuilt(spliced, graph.nquads, "nquads") == spliced.nquads
        assert _rebuilt(spliced, graph.turtle, "turtle") == spliced.turtle
        for key in versions:
            assert block_quads(spliced, new_index, key) == _block(key, versions[key]).quads


def test_a_rewritten_last_line_keeps_the_plan() -> None:
    graph, index = join(GRAPH, ((key, _block(key, 0)) for key in ("k1", "k2", "k3")))
    spliced, _ = splice(graph, index, {"k3": _block("k3", 1)})
    cut = spliced.nquads.rfind(b"\n", 0, len(spliced.nquads) - 1) + 1
    ttl_cut = spliced.turtle.rfind(b"\n", 0, len(spliced.turtle) - 1) + 1
    tail = spliced.with_tail(cut, b"<x> <y> <z> <g> .\n", ttl_cut, b"<x> <y> <z> .\n")
    assert isinstance(tail, SplicedText) and tail.nquads.endswith(b"<x> <y> <z> <g> .\n")
    assert (
        _rebuilt(tail, graph.nquads, "nquads") == tail.nquads and _rebuilt(tail, graph.turtle, "turtle") == tail.turtle
    )
    # a text kept whole (one range), its last line rewritten: a range and the new line
    whole = SplicedText.whole(graph)
    cut = graph.nquads.rfind(b"\n", 0, len(graph.nquads) - 1) + 1
    ttl_cut = graph.turtle.rfind(b"\n", 0, len(graph.turtle) - 1) + 1
    tail = whole.with_tail(cut, b"<x> <y> <z> <g> .\n", ttl_cut, b"<x> <y> <z> .\n")
    assert isinstance(tail, SplicedText) and tail.nquads_plan == ((0, cut), b"<x> <y> <z> <g> .\n")
    assert (
        _rebuilt(tail, graph.nquads, "nquads") == tail.nquads and _rebuilt(tail, graph.turtle, "turtle") == tail.turtle
    )
    # a cut before the last piece cannot be told as pieces: a plain text
    plain = spliced.with_tail(0, b"", 0, b"")
    assert not isinstance(plain, SplicedText) and plain.nquads == b""


def test_a_spliced_text_answers_spans_and_sizes_without_joining_its_pieces() -> None:
    rng = random.Random(5)
    graph, index = join(GRAPH, ((f"k{n:04d}", _block(f"k{n:04d}", 0)) for n in range(40)))
    spliced, spliced_index = splice(
        graph, index, {"k0003": None, "k0010": _block("k0010", 1), "k0500": _block("k0500", 2)}
    )
    twice, _ = splice(spliced, spliced_index, {"k0020": _block("k0020", 3)})  # from a spliced text
    for text in (spliced, twice):
        for kind in ("nquads", "turtle"):
            size = text.size(kind)
            ranges = [
                (start, rng.randrange(start, size + 20)) for start in (rng.randrange(size + 1) for _ in range(50))
            ]
            spans = [text.span(start, end, kind) for start, end in ranges]
            assert text._made(kind) is None  # sizes and spans come from the pieces
            full = getattr(text, kind)  # joined now
            assert len(full) == size and spans == [full[start:end] for start, end in ranges]
