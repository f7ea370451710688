"""The applied corrections as the change the Anthology would make to its own data.

Two artefacts, from the log alone (the graph is not needed):

* a unified diff against the data directory (``patch -p1 -d DATA`` or ``git apply`` in the
  Anthology's ``data/``): the ``id="…"`` attribute set on (or removed from) each ``<author>`` /
  ``<editor>`` element an applied correction pins, and the person entries added, changed or
  removed in ``yaml/people.yaml`` (current format) or ``yaml/name_variants.yaml`` (legacy);
* the equivalent ``bin/correct/*.py`` command lines, one block per correction.

Daily Papers link decisions are bibkg's own data, not the Anthology's: they are left out.

Ingesting the patched data without any correction log gives the graph the corrections gave
(tested: the round trip).  The XML is edited as text, on the element's own line, so the diff
shows exactly the attributes that change and nothing else.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..anthology.names import Name
from ..anthology.people import PeopleFormat, load_people
from ..anthology.records import NameSpec, PersonEntry
from ..anthology.xmlreader import read_collection
from ..errors import SourceError
from .effect import Overrides, Pin
from .log import Entry, LogView
from .model import (
    DisableNameMatching,
    LinkDecision,
    Merge,
    Reassign,
    Split,
    Status,
    ToNewPerson,
    ToPerson,
    ToUnknown,
    Verify,
)

_TAG = re.compile(r"<(author|editor)(\s[^>]*?)?(/?)>")
_ID_ATTR = re.compile(r'\s+id\s*=\s*("[^"]*"|\'[^\']*\')')


@dataclass
class Export:
    files: dict[str, tuple[str, str]]
    """Path relative to the data directory → (old text, new text), only files that change."""
    commands: str
    stale: list[Pin]
    """Pins whose element no longer prints the name the correction saw (left out of the patch)."""

    def patch(self) -> str:
        out: list[str] = []
        for rel, (old, new) in sorted(self.files.items()):
            out.extend(
                difflib.unified_diff(
                    old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{rel}", f"b/{rel}"
                )
            )
        return "".join(out)

    def write_to(self, datadir: Path) -> None:
        """Apply the change to a copy of the data directory (its files are overwritten)."""
        for rel, (_old, new) in self.files.items():
            (Path(datadir) / rel).write_text(new, encoding="utf-8")


def export(view: LogView, datadir: Path) -> Export:
    datadir = Path(datadir)
    overrides = view.overrides()
    files: dict[str, tuple[str, str]] = {}
    stale: list[Pin] = []
    by_file: dict[str, list[Pin]] = defaultdict(list)
    for pin in overrides.pins.values():
        by_file[pin.collection].append(pin)
    for collection_id, pins in sorted(by_file.items()):
        rel = f"xml/{collection_id}.xml"
        path = datadir / rel
        if not path.is_file():
            stale.extend(pins)
            continue
        old = path.read_text(encoding="utf-8")
        new, missed = _set_ids(path, old, pins)
        stale.extend(missed)
        if new != old:
            files[rel] = (old, new)
    if overrides.entries:
        rel, old, new = _people_file(datadir, overrides.entries)
        if new != old:
            files[rel] = (old, new)
    return Export(files, commands(view), stale)


# --- XML -----------------------------------------------------------------------------------------


def _set_ids(path: Path, text: str, pins: list[Pin]) -> tuple[str, list[Pin]]:
    collection = read_collection(path)
    specs: dict[tuple[str, str, int], NameSpec] = {}
    for volume in collection.volumes:
        for i, s in enumerate(volume.editors, 1):
            specs[(volume.full_id, "editor", i)] = s
        for paper in volume.papers:
            for i, s in enumerate(paper.authors, 1):
                specs[(paper.full_id, "author", i)] = s
            for i, s in enumerate(paper.editors, 1):
                specs[(paper.full_id, "editor", i)] = s
    lines = text.splitlines(keepends=True)
    missed = []
    for pin in pins:
        spec = specs.get(pin.key)
        if spec is None or spec.name != pin.name or spec.line is None:
            missed.append(pin)
            continue
        if spec.id == pin.person:
            continue
        index = spec.line - 1
        match = _TAG.search(lines[index])
        if match is None or match.group(1) != pin.role:
            raise SourceError(path, spec.line, f"expected an <{pin.role}> start tag on this line")
        attrs = _ID_ATTR.sub("", match.group(2) or "")
        if pin.person is not None:
            attrs = f' id="{pin.person}"' + attrs
        tag = f"<{pin.role}{attrs}{match.group(3)}>"
        lines[index] = lines[index][: match.start()] + tag + lines[index][match.end() :]
    return "".join(lines), missed


# --- people metadata -------------------------------------------------------------------------------


def _names(names: Iterable[Name]) -> list[dict[str, str]]:
    return [{"first": n.first, "last": n.last} if n.first else {"last": n.last} for n in names]


def _current_block(entry: PersonEntry) -> str:
    data: dict[str, Any] = {"names": _names(entry.names)}
    for key in ("comment", "degree", "orcid"):
        if getattr(entry, key):
            data[key] = getattr(entry, key)
    if entry.disable_name_matching:
        data["disable_name_matching"] = True
    if entry.similar:
        data["similar"] = list(entry.similar)
    return yaml.safe_dump({entry.id: data}, allow_unicode=True, sort_keys=True, default_flow_style=None, width=1000)


def _legacy_block(entry: PersonEntry) -> str:
    canonical, *variants = _names(entry.names)
    data: dict[str, Any] = {"canonical": canonical, "id": entry.id}
    if variants:
        data["variants"] = variants
    if entry.comment:
        data["comment"] = entry.comment
    if entry.similar:
        data["similar"] = list(entry.similar)
    return yaml.safe_dump([data], allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000)


def _blocks(text: str, legacy: bool) -> list[tuple[str | None, str]]:
    """The file cut into (person id, block text); ``None`` for lines before the first entry."""
    out: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in text.splitlines(keepends=True):
        starts = line.startswith("- ") if legacy else (line[:1] not in (" ", "#", "\n", "-", "") and ":" in line)
        if starts:
            out.append(("?", [line]))
        else:
            out[-1][1].append(line)
    blocks: list[tuple[str | None, str]] = []
    for key, lines in out:
        body = "".join(lines)
        if key is None:
            blocks.append((None, body))
            continue
        data = yaml.safe_load(body)
        if legacy:
            entry = data[0]
            first = entry["canonical"].get("first")
            pid = (
                entry.get("id") or Name(str(first) if first is not None else None, str(entry["canonical"]["last"])).slug
            )
        else:
            pid = str(next(iter(data)))
        blocks.append((pid, body))
    return blocks


def _people_file(datadir: Path, entries: dict[str, PersonEntry | None]) -> tuple[str, str, str]:
    people = load_people(datadir)
    if people.source is None:
        raise SourceError(datadir, None, "the data directory has no people metadata file to patch")
    if people.source.suffix == ".json":
        raise SourceError(people.source, None, "exporting into json/people.json is not supported; use yaml/people.yaml")
    legacy = people.format is PeopleFormat.LEGACY
    rel = str(people.source.relative_to(datadir))
    old = people.source.read_text(encoding="utf-8")
    block = _legacy_block if legacy else _current_block
    blocks = _blocks(old, legacy)
    todo = dict(entries)
    out: list[str] = []
    for pid, body in blocks:
        if pid is not None and pid in todo:
            entry = todo.pop(pid)
            if entry is not None:
                out.append(block(entry))
            continue
        out.append(body)
    new_entries = [e for e in todo.values() if e is not None]
    if legacy:
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
        out.extend(block(e) for e in sorted(new_entries, key=lambda e: e.id))
    else:  # people.yaml is sorted by id: insert each new entry at its place
        for entry in sorted(new_entries, key=lambda e: e.id):
            at = len(out)
            for i, (pid, _body) in enumerate(_blocks("".join(out), False)):
                if pid is not None and pid > entry.id:
                    at = i
                    break
            parts = [body for _pid, body in _blocks("".join(out), False)]
            parts.insert(at, block(entry))
            out = parts
    return rel, old, "".join(out)


# --- bin/correct command lines ---------------------------------------------------------------------


def commands(view: LogView) -> str:
    out = ["#!/bin/sh", "# The applied corrections as the Anthology's bin/correct scripts (run in the repository)."]
    live = [
        e
        for e in view.entries.values()
        if e.status is Status.APPLIED and e.effect is not None and not isinstance(e.correction.change, LinkDecision)
    ]  # a link decision is bibkg's, not the Anthology's
    live.sort(key=lambda e: e.applied_seq or 0)
    for entry in live:
        out.append("")
        out.append(
            f"# {entry.correction.id} ({entry.correction.change.kind}) by {entry.correction.proposer}: "
            + entry.correction.reason.replace("\n", " ")[:200]
        )
        out.extend(_command(entry))
    return "\n".join(out) + "\n"


def _orcid_of(entry: Entry, pid: str) -> str | None:
    assert entry.effect is not None
    for p, e in entry.effect.entries + entry.effect.entries_before:
        if p == pid and e is not None and e.orcid:
            return e.orcid
    return None


def _command(entry: Entry) -> list[str]:
    c = entry.correction.change
    effect = entry.effect
    assert effect is not None
    pairs = " ".join(f"{p.item}:{p.name.slug}" for p in effect.pins if p.key in {m[0] for m in effect.moved})
    if isinstance(c, (Reassign, Split)):
        to = c.to
        if isinstance(to, ToNewPerson):
            pid = next((m[2] for m in effect.moved), "")
            flags = ""
            if to.disambiguator:
                flags += f" --suffix {_q(to.disambiguator)}"
            if to.degree:
                flags += f" --degree {_q(to.degree)}"
            if any(pid == p and e is not None and e.disable_name_matching for p, e in effect.entries):
                flags += " --only"
            if to.orcid:
                return [f"python bin/correct/verify_author.py{flags} {to.orcid} {pairs}"]
            return [f"# no ORCID given: create '{pid}' in people.yaml and set id=\"{pid}\" on {pairs} (see the patch)"]
        if isinstance(to, ToPerson):
            orcid = _orcid_of(entry, to.id)
            if orcid:
                return [f"python bin/correct/verify_author.py {orcid} {pairs}"]
            return [f'# {to.id} has no ORCID: set id="{to.id}" on {pairs} (see the patch)']
        if isinstance(to, ToUnknown):
            source = c.from_person if isinstance(c, Reassign) else c.person
            lines = [f"python bin/correct/unlink_items.py {source} " + " ".join(m[0][0] for m in effect.moved)]
            if any(p == source and e is not None and e.disable_name_matching for p, e in effect.entries):
                lines.append(f"python bin/correct/disable_name_matching.py {source}")
            return lines
    if isinstance(c, Merge):
        orcid = _orcid_of(entry, c.into)
        if c.source.startswith("unverified/") and orcid:
            return [f"python bin/correct/verify_author.py {orcid} {c.into} {c.source}"]
        return [f"python bin/correct/merge_verified.py {c.into} {c.source}"]
    if isinstance(c, Verify):
        pid = next((m[2] for m in effect.moved), "")
        suffix = f" --suffix {_q(c.disambiguator)}" if c.disambiguator else ""
        degree = f" --degree {_q(c.degree)}" if c.degree else ""
        if c.orcid:
            return [f"python bin/correct/verify_author.py{suffix}{degree} {c.orcid} {c.person}"]
        return [f"# no ORCID given: verify {c.person} as {pid} (see the patch)"]
    if isinstance(c, DisableNameMatching):
        return [f"python bin/correct/disable_name_matching.py {c.person}"]
    return []  # pragma: no cover


def _q(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


__all__ = ["Export", "Overrides", "export"]
