"""What an ingest reports: counts, warnings, the seconds of its steps, and how it went."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..anthology.resolve import Warning


@dataclass(slots=True)
class IngestReport:
    """What an ingest did."""

    datadir: Path
    people_format: str
    collections: int = 0
    papers: int = 0
    frontmatter: int = 0
    authorships: int = 0
    editorships: int = 0
    persons: int = 0
    quads: int = 0
    warnings: list[Warning] = field(default_factory=list)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds of each step: mapping, global graphs, bulk load, compaction."""
    mode: str = "cold"
    """``cold`` (everything mapped and loaded) or ``incremental`` (:mod:`bibkg.ingest.incremental`)."""
    changed: dict[str, int] = field(default_factory=dict)
    """Incremental: collection files ``added``, ``modified``, ``removed``, ``remapped``."""
    corpus_graphs: str = "built"
    """How the corpus-wide graphs (people, events, venues, statistics) were made: ``built`` from
    the facts of every collection; incremental only: ``kept`` as they were, no fact they are
    built from having changed (a title, an abstract, a link), or ``spliced``: only the blocks of
    the persons and venue-years that changed rendered again (:mod:`bibkg.ingest.corpus_index`)."""
