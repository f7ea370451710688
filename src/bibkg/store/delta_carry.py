"""What a delta's new snapshot takes over from the previous one besides the graph and its
dumps: the paper cards (a hard link, or a copy with the changed cards), the schema counts
(adjusted by the quads changed) and the update state (hard links, but for the files the delta
writes or deletes)."""

from __future__ import annotations

import os
from pathlib import Path

from ..cards import CARDS_FILE, real_changes, updated_copy
from ..errors import DeltaError
from ..read.records import PaperCard
from ..sparql import schema as schema_stats
from .delta_dumps import PENDING_DIR
from .delta_quads import QuadCounts
from .local import PENDING, SnapshotBuild
from .snapshot_dumps import MANIFEST_FILE


def write_cards(source: Path, target: Path, cards: dict[str, PaperCard | None], spares: Path) -> None:
    """The new snapshot's cards file: the previous one (a hard link) if no card changed, else a
    copy of it with the changes (:func:`bibkg.cards.updated_copy`; the spare copy in ``spares``
    when there is one)."""
    old = source / CARDS_FILE
    if not old.is_file():
        return
    cards = real_changes(old, cards) if cards else cards
    if not cards:
        os.link(old, target / CARDS_FILE)
    else:
        updated_copy(old, target / CARDS_FILE, cards, spares=spares)


def write_schema_stats(build: SnapshotBuild, source: Path, counts: QuadCounts) -> None:
    previous = schema_stats.read(source)
    if previous is None:  # none kept with the previous snapshot: count afresh (seconds)
        schema_stats.write(build.store, build.files)
        return
    schema_stats.save(schema_stats.adjusted(previous, counts.predicates, counts.classes, counts.graphs), build.files)


def carry_state(source: Path, target: Path, changes: dict[str, bytes | None]) -> None:
    """The new snapshot's state: the previous state's files hard-linked, except the manifest
    (written anew), the files ``changes`` replaces or deletes, and what the previous snapshot's
    own dumps were written from (:data:`~bibkg.store.local.PENDING` and the ``pending/``
    pieces, of that snapshot alone: a writer killed while it removed them leaves some behind)."""
    for name in changes:
        if Path(name).is_absolute() or ".." in Path(name).parts or name == MANIFEST_FILE:
            raise DeltaError(f"state file name {name!r} is not a plain relative path")
    if source.is_dir():
        base = str(source)
        for root, dirs, files in os.walk(base):
            rel_root = os.path.relpath(root, base)
            if rel_root == ".":
                dirs[:] = [d for d in dirs if d != PENDING_DIR]  # not walked into
            prefix = "" if rel_root == "." else rel_root.replace(os.sep, "/") + "/"
            made = False
            for name in files:
                rel = prefix + name
                if rel in (MANIFEST_FILE, PENDING) or rel in changes:
                    continue
                if not made:
                    os.makedirs(os.path.join(target, prefix), exist_ok=True)
                    made = True
                os.link(os.path.join(root, name), os.path.join(target, rel))
    for rel, data in changes.items():
        if data is not None:
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
