"""The seed's own example on the bundled sample: a paper moves between two persons, live, audited,
kept by every re-ingest, undone by a revert, and exported as the Anthology's own change."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from bibkg.corrections import errors as E
from bibkg.corrections.export import export
from bibkg.corrections.model import Role
from bibkg.corrections.rdf import GRAPH
from bibkg.corrections.service import Actor, CorrectionService
from bibkg.ingest import run_ingest
from bibkg.iris import person_id_from_iri
from bibkg.store.local import LocalStore

MAINTAINER = Actor("maria", Role.MAINTAINER)
CONTRIBUTOR = Actor("carl", Role.CONTRIBUTOR)
NODE = "https://aclanthology.org/2025.findings-acl.721/#author-7"
PERSON = "https://w3id.org/bibkg/ns#person"

SEED_MOVE = {
    "change": {
        "kind": "reassign",
        "from": "juntao-dai",
        "authorships": [{"paper": "2025.findings-acl.721", "position": 7, "name": {"first": "Josef", "last": "Dai"}}],
        "to": {"type": "new", "name": {"first": "Josef", "last": "Dai"}, "disambiguator": "sample"},
    },
    "reason": "a namesake: another Josef Dai wrote SafeLawBench",
    "evidence": ["https://example.org/josef-dai"],
}

COAUTHORS = """
PREFIX b: <https://w3id.org/bibkg/ns#>
SELECT ?co (COUNT(DISTINCT ?paper) AS ?n) WHERE {
  ?paper b:author <https://aclanthology.org/people/yaodong-yang/> ; b:author ?co ; b:year 2025 .
  FILTER (?co != <https://aclanthology.org/people/yaodong-yang/>)
} GROUP BY ?co"""


def quads(root: Path, *, without: str | None = GRAPH) -> set[tuple[str, str, str, str]]:
    store, lease = LocalStore(root).open_leased()
    try:
        return {
            (str(q.subject), str(q.predicate), str(q.object), str(q.graph_name))
            for q in store.quads_for_pattern(None, None, None, None)
            if without is None or str(q.graph_name) != f"<{without}>"
        }
    finally:
        del store
        lease.release()


def comparable(qs: set) -> set:
    """Without the two statements that name the source directory and count every graph (the
    corrections graph included)."""
    return {q for q in qs if not q[1].endswith(("#sourceSnapshot>", "void#triples>")) and q[3] != f"<{GRAPH}>"}


def person_of(root: Path, node: str = NODE) -> str:
    store, lease = LocalStore(root).open_leased()
    try:
        return next(store.quads_for_pattern(ox.NamedNode(node), ox.NamedNode(PERSON), None, None)).object.value
    finally:
        del store
        lease.release()


def coauthors(root: Path) -> dict[str, int]:
    store, lease = LocalStore(root).open_leased()
    try:
        return {
            person_id_from_iri(row["co"].value): int(row["n"].value)
            for row in store.query(COAUTHORS, use_default_graph_as_union=True)
        }
    finally:
        del store
        lease.release()


@pytest.fixture()
def sample(tmp_path: Path, sample_datadir: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    shutil.copytree(sample_datadir, data)
    root = tmp_path / "store"
    run_ingest(data, LocalStore(root), jobs=1)
    return data, root


def test_seed_example_live_audited_reingested_exported_reverted(sample, tmp_path):
    data, root = sample
    before = quads(root, without=None)
    before_coauthors = coauthors(root)
    service = CorrectionService(root)

    # a contributor proposes; nothing changes until a maintainer approves and applies
    entry = service.propose(CONTRIBUTOR, SEED_MOVE)
    assert entry.status.value == "proposed" and person_of(root).endswith("/juntao-dai/")
    with pytest.raises(E.Forbidden):
        service.approve(CONTRIBUTOR, entry.correction.id)
    with pytest.raises(E.Conflict):  # the same authorship in a second pending proposal
        service.propose(CONTRIBUTOR, SEED_MOVE)
    service.approve(MAINTAINER, entry.correction.id)
    applied = service.apply(MAINTAINER, entry.correction.id)
    assert applied.status.value == "applied"

    # both person pages, the seed question's coauthors and the dumps changed together
    assert person_of(root).endswith("/josef-dai-sample/")
    after_coauthors = coauthors(root)
    assert before_coauthors["juntao-dai"] == after_coauthors["juntao-dai"] + 1
    assert after_coauthors["josef-dai-sample"] == 1 and "josef-dai-sample" not in before_coauthors
    snapshot = LocalStore(root).current_snapshot()
    assert LocalStore(root).wait_for_files(snapshot)  # written right after the snapshot was published
    dump_text = (LocalStore(root).files_dir(snapshot) / "bibkg.nq").read_text()
    assert f"<{NODE}> <{PERSON}> <https://aclanthology.org/people/josef-dai-sample/>" in dump_text
    assert "personSetBy" in dump_text
    corrected = quads(root, without=None)
    assert any(q[1].endswith("personSetBy>") and q[0] == f"<{NODE}>" for q in corrected)

    # every re-ingest applies it again: incremental and cold give the same graph
    run_ingest(data, LocalStore(root), jobs=1, wait=60)  # the apply's dumps may still hold the writer lock
    assert quads(root, without=None) == corrected
    run_ingest(data, LocalStore(root), jobs=1, full=True)
    assert quads(root, without=None) == corrected

    # export: the patched data, ingested without any log, is the corrected graph
    result = export(service.log.view(), data)
    assert set(result.files) == {"xml/2025.findings.xml", "xml/2025.acl.xml", "yaml/people.yaml"}
    patched = tmp_path / "patched"
    shutil.copytree(data, patched)
    (tmp_path / "fix.patch").write_text(result.patch())
    subprocess.run(["patch", "-p1", "-s", "-d", str(patched), "-i", str(tmp_path / "fix.patch")], check=True)
    plain = tmp_path / "plain"
    run_ingest(patched, LocalStore(plain), jobs=1)
    assert comparable(quads(plain)) == comparable(quads(root))
    assert "verify_author.py" in result.commands or "josef-dai-sample" in result.commands

    # revert: a new log entry, and the graph is what it was
    service.revert(MAINTAINER, entry.correction.id, "test")
    with pytest.raises(E.BadTransition):
        service.revert(MAINTAINER, entry.correction.id)
    assert comparable(quads(root)) == comparable(before)
    assert quads(root, without=None) - before  # the corrections graph keeps the history
    events = [e["event"] for e in service.log.view().get(entry.correction.id).events]
    assert events == ["proposed", "approved", "applied", "reverted"]


def test_crash_between_log_and_publish_is_applied_once_by_sync(sample):
    _data, root = sample
    service = CorrectionService(root)
    entry = service.propose(MAINTAINER, SEED_MOVE)
    service.approve(MAINTAINER, entry.correction.id)
    # what a kill -9 right after the log write leaves: the apply logged, the snapshot not published
    effect = service.plan(service.log.view().get(entry.correction.id).correction)
    service.log.append(
        "applied", by="maria", role="maintainer", correction=entry.correction.id, effect=effect.to_dict()
    )
    assert person_of(root).endswith("/juntao-dai/")
    assert CorrectionService(root).sync() is True
    assert person_of(root).endswith("/josef-dai-sample/")
    assert CorrectionService(root).sync() is False  # once
    with pytest.raises(E.BadTransition):
        service.apply(MAINTAINER, entry.correction.id)


def test_preprint_links_follow_a_correction(sample, repo_root: Path) -> None:
    """The preprint printing "Juntao Dai" is linked through 2025.findings-acl.721, whose author 7
    the seed example moves to a namesake printed "Josef Dai": the link to juntao-dai goes (he no
    longer wrote that paper), and none is guessed to the namesake, whose only name is not the
    printed one; the revert brings it back."""
    from bibkg.hf.ingest import ingest_hf

    _data, root = sample
    ingest_hf(LocalStore(root), [repo_root / "data" / "hf-daily-papers"])
    query = """PREFIX b: <https://w3id.org/bibkg/ns#>
        SELECT ?person WHERE { <https://arxiv.org/abs/2506.06636> b:preprintAuthorship ?a .
                               ?a b:nameAsPrinted "Juntao Dai" ; b:linkedPerson ?person }"""

    def linked() -> list[str]:
        store, lease = LocalStore(root).open_leased()
        try:
            return [row["person"].value for row in store.query(query, use_default_graph_as_union=True)]
        finally:
            del store
            lease.release()

    assert linked() == ["https://aclanthology.org/people/juntao-dai/"]
    service = CorrectionService(root)
    entry = service.propose(MAINTAINER, SEED_MOVE)
    service.approve(MAINTAINER, entry.correction.id)
    service.apply(MAINTAINER, entry.correction.id)
    assert linked() == []
    service.revert(MAINTAINER, entry.correction.id, "test")
    assert linked() == ["https://aclanthology.org/people/juntao-dai/"]
