"""The life cycle of a correction: propose, approve, reject, apply, revert — one door for all.

The CLI, the HTTP forms and the GraphQL mutations all call :class:`CorrectionService`, so each
check (token, role, rate, request, graph, log) happens in one place and fails the same way
(:mod:`bibkg.corrections.errors`).  Applying and reverting publish a new snapshot through the
ingest's incremental path: the corrections are an input of the mapping
(:class:`~bibkg.corrections.effect.Overrides`), only the collection files they touch are mapped
again, and the corrections graph (:mod:`bibkg.corrections.rdf`) is replaced in the same delta.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict, cast

import pyoxigraph as ox

from ..anthology.people import PeopleMetadata
from ..errors import StoreError
from ..store.local import LocalStore
from .checks import check_correction_id, check_evidence, check_reason
from .conflicts import check_pending, check_revert
from .effect import Effect
from .errors import Forbidden
from .facts import GraphFacts
from .json_form import change_from_dict, correction_to_dict
from .link_planner import plan_link
from .log import CorrectionLog, Entry, LogView, new_correction_id
from .model import Correction, LinkDecision, Role, Status
from .planner import plan
from .rdf import DATASET, GRAPH, corrections_graph, logSequence
from .tokens import RateLimiter, Token, TokenStore

APPLY_LOCK = "apply.lock"
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a token's name and role (the CLI acts as a maintainer named by the operator)."""

    name: str
    role: Role

    @classmethod
    def of(cls, token: Token) -> Actor:
        return cls(token.name, token.role)


class CorrectionService:
    def __init__(self, store_root: Path, datadir: Path | None = None, *, limiter: RateLimiter | None = None) -> None:
        self.root = Path(store_root)
        self.store = LocalStore(self.root)
        self.log = CorrectionLog(self.root)
        self.tokens = TokenStore(self.root)
        self.limiter = limiter or RateLimiter()
        self._datadir = Path(datadir) if datadir is not None else None
        self._people: tuple[tuple, PeopleMetadata] | None = None
        self._lock = threading.Lock()

    # -- who ------------------------------------------------------------------------------------
    def authenticate(self, secret: str | None) -> Actor:
        return Actor.of(self.tokens.authenticate(secret))

    def _write(self, actor: Actor, role: Role, action: str) -> None:
        if role is Role.MAINTAINER and actor.role is not Role.MAINTAINER:
            raise Forbidden(f"only a maintainer may {action}; {actor.name} is a {actor.role.value}")
        self.limiter.take(actor.name)

    # -- what the graph is made of ----------------------------------------------------------------
    def datadir(self) -> Path:
        if self._datadir is not None:
            return self._datadir
        from ..ingest.state import Sources

        current = self.store.current_snapshot()
        sources = Sources.read(self.store.state_dir(current)) if current is not None else None
        if sources is None or not sources.datadir:
            raise StoreError(f"{self.root} does not say which data directory it was ingested from; pass --data")
        return Path(sources.datadir)

    def base_people(self) -> PeopleMetadata:
        """The people metadata of the data directory (variant names registered), cached until a
        file of the data directory's yaml/json changes."""
        from ..ingest import collection_files, load_people_for

        datadir = self.datadir()
        marks = tuple(
            (str(p), p.stat().st_mtime_ns)
            for sub in ("yaml", "json")
            if (datadir / sub).is_dir()
            for p in sorted((datadir / sub).glob("people.*")) + sorted((datadir / sub).glob("name_variants.*"))
        )
        with self._lock:
            if self._people is None or self._people[0] != (str(datadir), marks):
                people, _ = load_people_for(datadir, collection_files(datadir))
                self._people = ((str(datadir), marks), people)
            return self._people[1]

    def keep_spare_cards(self) -> None:
        """Make the spare copy of the current snapshot's cards file that the next correction
        changes in place (:func:`bibkg.cards.keep_spare`), if there is none; a failure is logged
        (that correction then copies the file itself)."""
        from ..cards import CARDS_FILE, SPARES_DIR, keep_spare

        current = self.store.current_snapshot()
        if current is None:
            return
        try:
            keep_spare(self.store.files_dir(current) / CARDS_FILE, self.root / SPARES_DIR)
        except OSError as exc:
            _log.warning("no spare copy of the paper cards: %s", exc)

    @contextmanager
    def facts(self) -> Iterator[GraphFacts]:
        store, lease = self.store.open_leased()
        try:
            yield GraphFacts(store)
        finally:
            del store
            lease.release()

    def plan(self, correction: Correction, view: LogView | None = None) -> Effect:
        if isinstance(correction.change, LinkDecision):  # reads the graph alone
            with self.facts() as facts:
                return plan_link(correction, facts)
        view = view or self.log.view()
        overrides = view.overrides()
        people = overrides.people(self.base_people())
        with self.facts() as facts:
            return plan(correction, facts, people, overrides)

    # -- the life cycle ---------------------------------------------------------------------------
    def propose(self, actor: Actor, request: dict[str, Any], *, apply: bool = False) -> Entry:
        """Check and log a proposal; with ``apply`` (a maintainer only) approve and apply it at once."""
        self._write(actor, Role.MAINTAINER if apply else Role.CONTRIBUTOR, "apply a correction")
        if not isinstance(request, dict):
            from .errors import InvalidCorrection

            raise InvalidCorrection("a correction is a JSON object")
        correction = Correction(
            new_correction_id(),
            change_from_dict(request.get("change")),
            actor.name,
            _now(),
            check_reason(request.get("reason")),
            check_evidence(request.get("evidence")),
        )
        self.plan(correction)  # refuses what the current graph contradicts (404/409)

        def pending_conflicts(view: LogView) -> None:
            check_pending(correction, view)

        self.log.append(
            "proposed",
            by=actor.name,
            role=actor.role.value,
            correction=correction.id,
            check=pending_conflicts,
            body=correction_to_dict(correction),
        )
        if apply:
            self.approve(actor, correction.id, _rate=False)
            return self.apply(actor, correction.id, _rate=False)
        return self.log.view().get(correction.id)

    def approve(self, actor: Actor, cid: str, note: str | None = None, *, _rate: bool = True) -> Entry:
        if _rate:
            self._write(actor, Role.MAINTAINER, "approve a correction")
        self.log.append(
            "approved", by=actor.name, role=actor.role.value, correction=check_correction_id(cid), **_note(note)
        )
        return self.log.view().get(cid)

    def reject(self, actor: Actor, cid: str, note: str | None = None) -> Entry:
        self._write(actor, Role.MAINTAINER, "reject a correction")
        self.log.append(
            "rejected", by=actor.name, role=actor.role.value, correction=check_correction_id(cid), **_note(note)
        )
        return self.log.view().get(cid)

    def apply(self, actor: Actor, cid: str, *, _rate: bool = True) -> Entry:
        """Plan the correction against the graph as it is now, log its effect, publish."""
        if _rate:
            self._write(actor, Role.MAINTAINER, "apply a correction")
        check_correction_id(cid)
        with self._applying():
            view = self.log.view()
            entry = view.get(cid)
            if entry.status is not Status.APPROVED:
                from .errors import BadTransition

                raise BadTransition(
                    f"{cid} is {entry.status.value}; only an approved correction can be applied", field="id"
                )
            effect = self.plan(entry.correction, view)
            self.log.append("applied", by=actor.name, role=actor.role.value, correction=cid, effect=effect.to_dict())
            self.publish(
                set(effect.files), set(effect.items), links_only=isinstance(entry.correction.change, LinkDecision)
            )
        return self.log.view().get(cid)

    def revert(self, actor: Actor, cid: str, note: str | None = None) -> Entry:
        self._write(actor, Role.MAINTAINER, "revert a correction")
        check_correction_id(cid)
        with self._applying():

            def later_dependants(view: LogView) -> None:
                check_revert(cid, view)

            self.log.append(
                "reverted", by=actor.name, role=actor.role.value, correction=cid, check=later_dependants, **_note(note)
            )
            entry = self.log.view().get(cid)
            self.publish(
                set(entry.effect.files) if entry.effect else set(),
                set(entry.effect.items) if entry.effect else set(),
                links_only=isinstance(entry.correction.change, LinkDecision),
            )
        return entry

    # -- publishing -------------------------------------------------------------------------------
    @contextmanager
    def _applying(self) -> Iterator[None]:
        """One apply/revert at a time per store (threads and processes)."""
        self.log._ensure()
        fd = os.open(self.log.dir / APPLY_LOCK, os.O_RDWR | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def published_seq(self) -> int:
        """The log sequence number the current snapshot's corrections graph reflects (0: none)."""
        try:
            store, lease = self.store.open_leased()
        except StoreError:
            return 0
        try:
            for quad in store.quads_for_pattern(
                ox.NamedNode(DATASET), ox.NamedNode(logSequence), None, ox.NamedNode(GRAPH)
            ):
                return int(cast(ox.Literal, quad.object).value)  # bibkg's graph has no quoted triples
            return 0
        finally:
            del store
            lease.release()

    def publish(self, files: set[str], items: set[str] | None = None, *, links_only: bool = False) -> None:
        """A new snapshot with every applied correction: the ``files`` they touch mapped again
        (with ``items``, the volumes and papers whose entries they pin, only those rendered);
        then, when the store holds Daily Papers, a second one with their links recomputed (a
        preprint author is linked to the person the Anthology now names at the aligned position).
        With ``links_only`` (link decisions alone changed) one snapshot: the links recomputed and
        the corrections graph replaced in one delta."""
        from ..hf.ingest import has_links, relink
        from ..ingest import run_ingest

        view = self.log.view()
        links = has_links(self.store)
        if links_only and links:
            relink(self.store, wait=60.0, command="bibkg corrections", graphs=[corrections_graph(view)])
            return
        published = threading.Event()
        failed: list[BaseException] = []

        def work() -> None:
            try:
                run_ingest(self.datadir(), self.store, overrides=view.overrides(), remap=files, items=items,
                           extra_graphs={GRAPH: corrections_graph(view)}, wait=60.0, on_published=published.set)  # fmt: skip
                if links:
                    relink(self.store, wait=60.0, command="bibkg corrections")
            except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread, or logged
                if published.is_set():  # the caller has gone on: the next writer finishes the dumps
                    _log.error("after publishing corrections: %s: %s", type(exc).__name__, exc)
                else:
                    failed.append(exc)
            finally:
                published.set()

        # The snapshot is visible once published; its dumps are written after that (a second on
        # the full corpus, still under the store's writer lock, which the next writer waits for):
        # the caller goes on meanwhile, unless preprint links are recomputed after it.
        thread = threading.Thread(target=work, name="bibkg-publish-corrections")
        thread.start()
        if links:
            thread.join()
        else:
            published.wait()
        if failed:
            raise failed[0]

    def sync(self) -> bool:
        """After a crash between logging an apply/revert and publishing it: publish now.
        Returns whether a snapshot was published."""
        with self._applying():
            view = self.log.view()
            seen = self.published_seq()
            files: set[str] = set()
            items: set[str] = set()
            behind = False
            links_only = True
            for entry in view.entries.values():
                for event in entry.events:
                    if event["event"] in ("applied", "reverted") and event["seq"] > seen:
                        behind = True
                        links_only &= isinstance(entry.correction.change, LinkDecision)
                        if entry.effect is not None:
                            files |= set(entry.effect.files)
                            items |= set(entry.effect.items)
            if not behind:
                return False
            self.publish(files, items, links_only=links_only)
            return True

    # -- reading ----------------------------------------------------------------------------------
    def list(
        self,
        *,
        status: str | None = None,
        person: str | None = None,
        paper: str | None = None,
        proposer: str | None = None,
    ) -> list[Entry]:
        out = []
        for entry in self.log.view().entries.values():
            c = entry.correction
            if status and entry.status.value != status:
                continue
            if person and person not in c.persons() and not _moves(entry, person):
                continue
            if (
                paper
                and paper not in c.papers()
                and not (entry.effect and any(k[0] == paper for k, *_ in entry.effect.moved))
            ):
                continue
            if proposer and c.proposer != proposer:
                continue
            out.append(entry)
        out.sort(key=lambda e: (e.correction.created, e.correction.id))
        return out


def _moves(entry: Entry, person: str) -> bool:
    return bool(entry.effect) and any(person in (a, b) for _k, a, b, _n in entry.effect.moved)  # type: ignore[union-attr]


class _Note(TypedDict, total=False):
    note: str


def _note(note: str | None) -> _Note:
    if note is None or not note.strip():
        return {}
    return {"note": check_reason(note)}


def _now() -> str:
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"
