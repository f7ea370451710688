"""What a Daily Papers ingest keeps with its snapshot so that the next one links only what is new.

In the snapshot's update state (``STORE/state/<snapshot>/``, see :mod:`bibkg.store.local`),
under ``hf/``, carried from snapshot to snapshot by every delta:

* ``links.pickle`` (:class:`LinkState`): the preprints of every day as the linker reads them,
  the links computed from them, and what they were computed against: the Anthology (the hash
  of the Anthology ingest's ``anthology/sources.json``, which changes with any collection file,
  the people metadata or a correction), the reviewed link decisions and the linking method;
* ``title-index.pickle``: the title index the links were computed with (the Anthology's papers
  of the years the preprints can be published in: building it is most of a day's linking).

A preprint listed on several days is linked as the latest day lists it (:func:`effective`).
The rule that makes an update equal a full relink is :func:`plan`'s; whatever it cannot prove,
it relinks in full.  Pickle: a store directory is trusted like its database (see
:mod:`bibkg.ingest.state`).
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..ingest.state import SOURCES
from .link import METHOD, NO_DECISIONS, Decisions, Links, PaperLinkResult, Scored, TitleIndex, choose
from .reader import HfAuthor, Preprint

LINKS = "hf/links.pickle"
INDEX = "hf/title-index.pickle"
VERSION = 2

Days = Mapping[str, Mapping[str, Preprint]]
"""Day → arXiv id → the preprint as the linker reads it (:func:`linker_view`)."""


def linker_view(preprint: Preprint) -> Preprint:
    """What linking reads of a preprint (id, title, date, authors' printed names), as the store
    holds it: two records with the same view link the same way."""
    return Preprint(
        preprint.arxiv_id,
        preprint.title,
        None,
        preprint.published,
        tuple(HfAuthor(a.position, None, a.name) for a in preprint.authors),
    )


def effective(days: Days) -> dict[str, Preprint]:
    """Every preprint once, as the latest day listing it has it."""
    found: dict[str, Preprint] = {}
    for day in sorted(days):
        found.update(days[day])
    return found


def anthology_key(state_dir: Path) -> str | None:
    """A fingerprint of the Anthology a snapshot holds (``None``: unknown, e.g. made by ``bibkg
    load``): the hash of what its Anthology ingest recorded of every input file."""
    try:
        return hashlib.sha256((state_dir / SOURCES).read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass(frozen=True, slots=True)
class LinkState:
    anthology: str
    days: dict[str, dict[str, Preprint]]
    links: Links
    years: tuple[int, int]
    """The index's year range (start, stop)."""
    quads: dict[str, int]
    """Day → quads of its graph: days changed by another writer show here."""
    decisions: Decisions = NO_DECISIONS
    method: str = METHOD
    version: int = VERSION

    def dumps(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def read(state_dir: Path) -> LinkState | None:
        """The state kept in ``state_dir``, or ``None`` (none, unreadable, or of another
        version or method)."""
        try:
            found = pickle.loads((state_dir / LINKS).read_bytes())
            # a state of another version may unpickle with its fields shifted or missing
            current = isinstance(found, LinkState) and found.version == VERSION and found.method == METHOD
        except Exception:  # noqa: BLE001 - whatever cannot be read is relinked in full
            return None
        return found if current else None


def read_index(state_dir: Path) -> TitleIndex | None:
    try:
        found = pickle.loads((state_dir / INDEX).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return found if isinstance(found, TitleIndex) else None


def dump_index(index: TitleIndex) -> bytes:
    return pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)


@dataclass(frozen=True, slots=True)
class Plan:
    """What to link: ``changed`` preprints only (on top of ``kept`` links), or everything
    (``changed`` is ``None``)."""

    changed: list[Preprint] | None
    kept: Links | None = None


def plan(
    old: LinkState | None,
    anthology: str | None,
    days: Days,
    years: tuple[int, int],
    decisions: Decisions = NO_DECISIONS,
) -> Plan:
    """Whether the links of ``days`` can be the old links plus those of the changed preprints.

    Only when the Anthology, the reviewed decisions, the method and the index's years are those
    of ``old``, and no
    preprint that was linked changed or went away (a paper it held could go to another
    preprint). Whether the changed ones may compete for a paper already linked is known only
    once they are scored: :func:`merge` says."""
    if old is None or anthology is None or old.anthology != anthology or old.years != years:
        return Plan(None)
    if old.decisions != decisions:
        return Plan(None)
    before, after = effective(old.days), effective(days)
    changed = [p for arxiv_id, p in after.items() if before.get(arxiv_id) != p]
    gone = (set(before) - set(after)) | {p.arxiv_id for p in changed}
    if any(result.arxiv_id in gone for result in old.links.papers):
        return Plan(None)
    return Plan(changed, old.links)


def merge(kept: Links, scored: Scored) -> Links | None:
    """The kept links plus those chosen from ``scored`` (the changed preprints' pairs), or
    ``None`` when one of those pairs names a paper a kept link holds (then the greedy choice
    over all preprints could differ: relink in full)."""
    held = {result.paper for result in kept.papers}
    if any(pair.paper in held for pair in scored.pairs):
        return None
    new = choose(scored)
    papers: list[PaperLinkResult] = sorted([*kept.papers, *new.papers], key=lambda r: r.arxiv_id)
    persons_of: dict[str, list] = {}
    for person in (*kept.persons, *new.persons):
        persons_of.setdefault(person.arxiv_id, []).append(person)
    return Links(tuple(papers), tuple(p for result in papers for p in persons_of.get(result.arxiv_id, ())))
