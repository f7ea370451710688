"""The corrections log: append-only JSON lines in the store directory.

Why JSON lines and not SQLite: the log is an audit trail first — one self-contained line per
event, readable with ``less`` and ``grep``, diffable, backed up by copying one file, append-only
by construction (the code has no way to edit a line; a revert is a new line).  Its write rate is
that of people proposing fixes (a few per second at most), so one exclusive ``flock`` per append
is no bottleneck, and it orders appends from any number of threads and processes (CLI, server
workers).  Each append is one ``write`` on an ``O_APPEND`` descriptor followed by ``fsync``: after
it returns the event survives a crash or power loss.  A process killed in the middle of a write
can leave a torn last line; readers skip a line that does not parse (:attr:`LogView.damaged`),
and the next append starts on a fresh line, so a torn line never swallows a whole one.

Events (``event`` field): ``proposed`` (with the correction), ``approved``, ``rejected``,
``applied`` (with its :class:`~bibkg.corrections.effect.Effect`, written *before* the graph is
published: the log is the truth, a snapshot records the last sequence number it reflects, and
publishing is redone after a crash until it catches up — so an apply takes effect exactly once),
``reverted``.  Every event has ``seq`` (1, 2, … with no gaps), ``at`` (UTC), ``by`` (token name)
and ``role``.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import iris
from ..hf.link import Decisions
from .effect import Effect, Overrides
from .errors import BadTransition, UnknownCorrection
from .json_form import correction_from_dict, correction_to_dict
from .model import Correction, Decision, LinkDecision, Status

LOG_DIR = "corrections"
LOG_FILE = "log.jsonl"
MAX_LINE = 8 * 1024 * 1024
"""Bytes one event may take (an applied merge of a prolific person lists its pins)."""


@dataclass
class Entry:
    """A correction with its history, as the log says."""

    correction: Correction
    status: Status
    events: list[dict[str, Any]] = field(default_factory=list)
    effect: Effect | None = None
    applied_seq: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out = correction_to_dict(self.correction)
        out["status"] = self.status.value
        out["history"] = [
            {k: v for k, v in e.items() if k in ("seq", "at", "event", "by", "role", "note")} for e in self.events
        ]
        if self.effect is not None:
            out["effect"] = self.effect.to_dict()
        return out


@dataclass
class LogView:
    """The folded log: every correction's current state."""

    entries: dict[str, Entry]
    last_seq: int
    damaged: int
    """Lines that did not parse (a torn write)."""

    def applied_effects(self) -> list[Effect]:
        """Effects of applied (not reverted) corrections in the order they were applied."""
        live = [e for e in self.entries.values() if e.status is Status.APPLIED and e.effect is not None]
        live.sort(key=lambda e: e.applied_seq or 0)
        return [e.effect for e in live if e.effect is not None]

    def overrides(self) -> Overrides:
        return Overrides.fold(self.applied_effects())

    def link_decisions(self) -> Decisions:
        """The reviewed Daily Papers link decisions of the applied corrections."""
        papers: dict[str, tuple[str, str]] = {}
        persons: dict[tuple[str, int], tuple[str, str]] = {}
        not_papers: set[tuple[str, str]] = set()
        not_persons: set[tuple[str, int, str]] = set()
        for entry in sorted(self.entries.values(), key=lambda e: e.applied_seq or 0):
            change = entry.correction.change
            if entry.status is not Status.APPLIED or not isinstance(change, LinkDecision):
                continue
            confirm = change.decision is Decision.CONFIRM
            if change.paper is not None:
                paper = iris.paper_iri(change.paper)
                if confirm:
                    papers[change.preprint] = (paper, entry.correction.id)
                else:
                    not_papers.add((change.preprint, paper))
            elif change.person is not None and change.position is not None:
                person = iris.person_iri(change.person)
                if confirm:
                    persons[(change.preprint, change.position)] = (person, entry.correction.id)
                else:
                    not_persons.add((change.preprint, change.position, person))
        return Decisions(papers, frozenset(not_papers), persons, frozenset(not_persons))

    def pending(self) -> list[Entry]:
        return [e for e in self.entries.values() if e.status in (Status.PROPOSED, Status.APPROVED)]

    def get(self, cid: str) -> Entry:
        entry = self.entries.get(cid)
        if entry is None:
            raise UnknownCorrection(f"no correction {cid}", field="id")
        return entry


_NEXT: dict[str, set[Status]] = {
    "approved": {Status.PROPOSED},
    "rejected": {Status.PROPOSED, Status.APPROVED},
    "applied": {Status.APPROVED},
    "reverted": {Status.APPLIED},
}
_RESULT = {
    "proposed": Status.PROPOSED,
    "approved": Status.APPROVED,
    "rejected": Status.REJECTED,
    "applied": Status.APPLIED,
    "reverted": Status.REVERTED,
}


def fold(events: Iterator[dict[str, Any]]) -> tuple[dict[str, Entry], int]:
    entries: dict[str, Entry] = {}
    last = 0
    for event in events:
        last = max(last, int(event.get("seq", 0)))
        kind = event.get("event")
        cid = event.get("correction")
        if kind == "proposed":
            correction = correction_from_dict(event["body"])
            entries[correction.id] = Entry(correction, Status.PROPOSED, [event])
            continue
        entry = entries.get(cid)  # type: ignore[arg-type]
        if entry is None or kind not in _RESULT:
            continue
        entry.events.append(event)
        entry.status = _RESULT[kind]
        if kind == "applied":
            entry.effect = Effect.from_dict(event["effect"])
            entry.applied_seq = int(event["seq"])
    return entries, last


class CorrectionLog:
    """The log file of one store directory."""

    def __init__(self, store_root: Path) -> None:
        self.dir = Path(store_root) / LOG_DIR
        self.path = self.dir / LOG_FILE

    def _ensure(self) -> None:
        if not self.dir.is_dir():
            self.dir.mkdir(parents=True, exist_ok=True)
            _fsync_dir(self.dir.parent)

    @contextmanager
    def _locked(self) -> Iterator[int]:
        self._ensure()
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield fd
        finally:
            os.close(fd)  # releases the lock

    def _read_fd(self, fd: int) -> tuple[list[dict[str, Any]], int, bool]:
        size = os.fstat(fd).st_size
        data = os.pread(fd, size, 0) if size else b""
        events, damaged = _parse(data)
        return events, damaged, bool(data) and not data.endswith(b"\n")

    def view(self) -> LogView:
        """The log as it is now (a reader takes no lock: appends are whole lines)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return LogView({}, 0, 0)
        events, damaged = _parse(data)
        entries, last = fold(iter(events))
        return LogView(entries, last, damaged)

    def append(
        self,
        event: str,
        *,
        by: str,
        role: str,
        correction: str | None = None,
        check: Callable[[LogView], dict[str, Any] | None] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Append one event under the lock and return it.

        ``check`` runs under the lock on the log as it is at that moment (so two maintainers
        cannot both apply, and a proposal is checked against every earlier one); it raises to
        refuse, or returns fields to add to the event.
        """
        with self._locked() as fd:
            events, damaged, torn = self._read_fd(fd)
            entries, last = fold(iter(events))
            view = LogView(entries, last, damaged)
            if correction is not None and event != "proposed":
                entry = view.get(correction)
                allowed = _NEXT[event]
                if entry.status not in allowed:
                    raise BadTransition(
                        f"{correction} is {entry.status.value}; it cannot be {event} "
                        f"(only a {' or '.join(sorted(s.value for s in allowed))} correction can)",
                        field="id",
                    )
            extra = check(view) if check is not None else None
            record: dict[str, Any] = {"seq": last + 1, "at": _now(), "event": event, "by": by, "role": role}
            if correction is not None:
                record["correction"] = correction
            record.update(fields)
            if extra:
                record.update(extra)
            line = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            if len(line) > MAX_LINE:
                raise BadTransition(f"the event is larger than {MAX_LINE} bytes; split the correction")
            os.write(fd, (b"\n" if torn else b"") + line)
            os.fsync(fd)
            return record


def new_correction_id() -> str:
    return "c-" + secrets.token_hex(8)


def _parse(data: bytes) -> tuple[list[dict[str, Any]], int]:
    events = []
    damaged = 0
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError:
            damaged += 1
            continue
        if isinstance(event, dict) and isinstance(event.get("seq"), int):
            events.append(event)
        else:
            damaged += 1
    return events, damaged


def _now() -> str:
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
