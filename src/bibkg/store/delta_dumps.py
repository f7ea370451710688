"""The dumps of a snapshot an update made: their layout (the previous dumps' blocks of the graphs
it left as they were, new text for the others), what they are written from kept in the
snapshot's state when it is published before them (``pending.json`` and ``pending/``), and
their writing, right after the publication or, if that writer died, by the next writer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .. import iris
from ..errors import DeltaError, StoreError
from ..mapping.blocks import Piece, SplicedText
from ..mapping.terms import GraphText
from .delta_quads import spliced_from
from .local import PENDING, LocalStore
from .snapshot_dumps import DumpManifest, GraphBlock, SnapshotDumps, layout, read_block

PENDING_DIR = "pending"
"""The state directory of a snapshot published before its dumps: the new pieces they are
written from (:func:`stage_dumps`, :func:`complete_pending`)."""


def plan_dumps(
    source: Path, manifest: DumpManifest, texts: dict[str, GraphText | None], order: list[str] | None
) -> list[GraphBlock | GraphText]:
    """The new snapshot's dumps as pieces in file order: blocks of the previous files (unchanged
    graphs) and new graph texts."""
    present = [b.iri for b in manifest.graphs]
    if order is None:
        order = [iri for iri in present if not (iri in texts and texts[iri] is None)]
        new = [iri for iri, text in texts.items() if text is not None and manifest.get(iri) is None]
        at = order.index(iris.STATS_GRAPH) if iris.STATS_GRAPH in order else len(order)
        order[at:at] = new
    else:
        listed = set(order)
        missing = [iri for iri in present if iri not in listed and not (iri in texts and texts[iri] is None)]
        missing += [iri for iri, text in texts.items() if text is not None and iri not in listed and iri not in present]
        if missing:
            raise DeltaError(f"the delta's graph order leaves out {len(missing)} graph(s), e.g. {missing[0]}")
    pieces: list[GraphBlock | GraphText] = []
    for iri in order:
        block = manifest.get(iri)
        text = texts.get(iri)
        if block is not None and (iri not in texts or _same_text(source, block, text)):
            pieces.append(block)
        elif text is not None and text.quads:
            pieces.append(text)
    return pieces


def dumps_layout(pieces: list[GraphBlock | GraphText]) -> DumpManifest:
    return layout(
        (p.iri, p.quads, p.nquads[1], p.turtle[1])
        if isinstance(p, GraphBlock)
        else (p.iri, p.quads, p.size("nquads"), p.size("turtle"))
        for p in pieces
    )


def _plan_json(plan: tuple[Piece, ...]) -> list[list[int]]:
    """A spliced text's plan as JSON: ``[start, end]`` of the source text, or ``[length]`` of new bytes."""
    return [list(piece) if isinstance(piece, tuple) else [len(piece)] for piece in plan]


def stage_dumps(state: Path, source: Path, manifest: DumpManifest, pieces: list[GraphBlock | GraphText]) -> None:
    """Keep what the dumps are written from after publishing in ``state``: the new graphs' text
    (of a spliced one, its new pieces) and, in :data:`~bibkg.store.local.PENDING`, the pieces
    in order."""
    (state / PENDING_DIR).mkdir()
    plan: list[list[str | int | list[list[int]]]] = []
    for number, piece in enumerate(pieces):
        if isinstance(piece, GraphBlock):
            plan.append(["old", piece.iri])
        elif spliced_from(piece, manifest.get(piece.iri)):  # only the new pieces: the rest is in the source
            assert isinstance(piece, SplicedText)
            for kind, pieces_of in (("nq", piece.nquads_plan), ("ttl", piece.turtle_plan)):
                (state / PENDING_DIR / f"{number}.{kind}").write_bytes(
                    b"".join(p for p in pieces_of if isinstance(p, bytes))
                )
            plan.append(
                [
                    "spliced",
                    piece.iri,
                    piece.quads,
                    number,
                    _plan_json(piece.nquads_plan),
                    _plan_json(piece.turtle_plan),
                ]
            )
        else:
            (state / PENDING_DIR / f"{number}.nq").write_bytes(piece.nquads)
            (state / PENDING_DIR / f"{number}.ttl").write_bytes(piece.turtle)
            plan.append(["new", piece.iri, piece.quads, number])
    data = {"source": source.name, "pieces": plan}
    (state / PENDING).write_text(json.dumps(data), encoding="utf-8")


def complete_pending(store: LocalStore, snapshot: str) -> None:
    """Write the dumps of ``snapshot``, published before them (see :func:`stage_dumps`): by the
    writer that published it, or, if that one died, by the next writer.  The files appear under
    their names only once complete; the result is checked against the snapshot's manifest."""
    state = store.state_dir(snapshot)
    plan = json.loads((state / PENDING).read_text(encoding="utf-8"))
    source = store.files_dir(plan["source"])
    source_manifest = DumpManifest.read(store.state_dir(plan["source"]))
    if source_manifest is None or not source.is_dir():
        raise StoreError(f"cannot write the dumps of {snapshot}: snapshot {plan['source']} is gone")
    target = store.files_dir(snapshot)
    target.mkdir(parents=True, exist_ok=True)
    dumps = SnapshotDumps(target, partial=True)
    try:
        run: list[GraphBlock] = []
        for piece in plan["pieces"]:
            if piece[0] == "old":
                block = source_manifest.get(piece[1])
                if block is None:
                    raise StoreError(f"cannot write the dumps of {snapshot}: {piece[1]} is not in {plan['source']}")
                run.append(block)
                continue
            dumps.copy(source, run)
            run = []
            iri, quads, number = piece[1:4]
            pending = state / PENDING_DIR
            nquads, turtle = (pending / f"{number}.nq").read_bytes(), (pending / f"{number}.ttl").read_bytes()
            if piece[0] == "spliced":
                block = source_manifest.get(iri)
                if block is None:
                    raise StoreError(f"cannot write the dumps of {snapshot}: {iri} is not in {plan['source']}")
                dumps.splice(source, block, quads, _plan_from(piece[4], nquads), _plan_from(piece[5], turtle))
            else:
                dumps.add(GraphText(iri, nquads, turtle, quads))
        dumps.copy(source, run)
        if dumps.manifest != DumpManifest.read(state):
            raise StoreError(f"the dumps written for {snapshot} do not match its manifest")
    except BaseException:
        dumps.discard()
        raise
    dumps.publish()
    (state / PENDING).unlink()
    shutil.rmtree(state / PENDING_DIR, ignore_errors=True)


def _plan_from(data: list[list[int]], new: bytes) -> list[Piece]:
    plan: list[Piece] = []
    at = 0
    for item in data:
        if len(item) == 2:
            plan.append((item[0], item[1]))
        else:
            plan.append(new[at : at + item[0]])
            at += item[0]
    if at != len(new):
        raise StoreError("the staged pieces of a spliced graph do not match its plan")
    return plan


def _same_text(source: Path, block: GraphBlock, text: GraphText | None) -> bool:
    return (
        text is not None
        and block.quads == text.quads
        and block.nquads[1] == text.size("nquads")
        and block.turtle[1] == text.size("turtle")
        and (read_block(source, block, "turtle") == text.turtle and read_block(source, block) == text.nquads)
    )
