"""Corrections of paper assignments: reviewed, audited, applied as the Anthology's explicit ids.

``model`` (the records), ``errors`` (each with its HTTP status), ``facts`` (lookups in the current
graph), ``effect`` (what an applied correction changes, and :class:`~.effect.Overrides`, the input
every ingest applies), ``log`` (the append-only audit log), ``tokens`` (bearer tokens, roles, rate
limit), ``rdf`` (the corrections graph), ``service`` (the life cycle), ``export`` (the patch for
the Anthology's data), ``cli``.
"""

from __future__ import annotations

from pathlib import Path

from ..hf.link import NO_DECISIONS, Decisions
from ..mapping.terms import GraphText
from .effect import Overrides


def stored(store_root: Path) -> tuple[Overrides, dict[str, GraphText]]:
    """What every ingest into ``store_root`` applies: the applied corrections of its log, and the
    corrections graph (empty when the store has no log)."""
    from .log import CorrectionLog
    from .rdf import GRAPH, corrections_graph

    log = CorrectionLog(Path(store_root))
    if not log.path.is_file():
        return Overrides(), {}
    view = log.view()
    return view.overrides(), {GRAPH: corrections_graph(view)}


def link_decisions(store_root: Path) -> Decisions:
    """The Daily Papers link decisions of the applied corrections of ``store_root``'s log (none
    when the store has no log)."""
    from .log import CorrectionLog

    log = CorrectionLog(Path(store_root))
    if not log.path.is_file():
        return NO_DECISIONS
    return log.view().link_decisions()


__all__ = ["Overrides", "link_decisions", "stored"]
