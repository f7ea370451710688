"""Corrections against the full corpus (legacy name_variants.yaml), read-only: the real
printed-name check, a prolific author's merge planned, and its export as the Anthology's change."""

from __future__ import annotations

from pathlib import Path

import pytest

from bibkg.anthology.xmlreader import read_collection
from bibkg.corrections import errors as E
from bibkg.corrections.export import export
from bibkg.corrections.json_form import change_from_dict
from bibkg.corrections.log import Entry, LogView
from bibkg.corrections.model import Correction, Status
from bibkg.corrections.service import CorrectionService

pytestmark = pytest.mark.corpus


def correction(change: dict) -> Correction:
    return Correction("c-00000000000000aa", change_from_dict(change), "maria", "2026-12-01T00:00:00.000Z", "test")


@pytest.fixture(scope="module")
def service(corpus_store, shared_corpus):
    return CorrectionService(corpus_store.root, shared_corpus)  # plans only: nothing is written


def test_a_stale_printed_name_is_refused(service):
    # the Anthology prints "Pushpak Bhattacharya" (one y) on this paper
    change = {
        "kind": "reassign",
        "from": "pushpak-bhattacharyya",
        "authorships": [{"paper": "2018.icon-1.13", "position": 3, "name": "Bhattacharyya, Pushpak"}],
        "to": {"type": "person", "id": "pranav-a"},
    }
    with pytest.raises(E.StaleName) as info:
        service.plan(correction(change))
    assert "Pushpak Bhattacharya" in info.value.message and info.value.status == 409


def test_merge_of_a_prolific_author_and_its_export(service, shared_corpus, tmp_path: Path):
    c = correction({"kind": "merge", "source": "iryna-gurevych", "into": "pranav-a"})
    effect = service.plan(c)
    authored = {m[0][0] for m in effect.moved if m[0][1] == "author"}
    assert len(authored) >= 318 and {m[2] for m in effect.moved} == {"pranav-a"}
    assert any(n.full == "Iryna Gurevych" for n in dict(effect.entries)["pranav-a"].names)
    view = LogView({c.id: Entry(c, Status.APPLIED, [], effect, 1)}, 1, 0)
    result = export(view, shared_corpus)
    assert "yaml/name_variants.yaml" in result.files and not result.stale
    xml = [rel for rel in result.files if rel.startswith("xml/")]
    assert len(xml) == len(effect.files)
    # the patched files say id="pranav-a" exactly where the effect pins
    rel = sorted(xml)[0]
    (tmp_path / Path(rel).name).write_text(result.files[rel][1], encoding="utf-8")
    collection = read_collection(tmp_path / Path(rel).name)
    pinned = {(p.item, p.role, p.position) for p in effect.pins if p.collection == collection.id}
    found = {
        (paper.full_id, "author", i)
        for v in collection.volumes
        for paper in v.papers
        for i, a in enumerate(paper.authors, 1)
        if a.id == "pranav-a"
    }
    found |= {
        (v.full_id, "editor", i) for v in collection.volumes for i, a in enumerate(v.editors, 1) if a.id == "pranav-a"
    }
    found |= {
        (paper.full_id, "editor", i)
        for v in collection.volumes
        for paper in v.papers
        for i, a in enumerate(paper.editors, 1)
        if a.id == "pranav-a"
    }
    assert pinned and pinned <= found
    assert "merge_verified.py pranav-a iryna-gurevych" in result.commands
