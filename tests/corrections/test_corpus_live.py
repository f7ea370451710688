"""A prolific author's merge applied live on the full corpus (only the items it names rendered
again, bibkg.ingest.units) gives the graph a cold ingest with the same corrections log gives,
every published file byte for byte; its revert gives back the graph it started from."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bibkg.corrections.log import CorrectionLog
from bibkg.corrections.model import Role
from bibkg.corrections.rdf import GRAPH
from bibkg.corrections.service import Actor, CorrectionService
from bibkg.ingest import run_ingest
from bibkg.iris import STATS_GRAPH
from bibkg.store.local import LocalStore
from bibkg.store.snapshot_dumps import DumpManifest, read_block
from tests.core.helpers import assert_same_files

pytestmark = pytest.mark.corpus

MAINTAINER = Actor("maria", Role.MAINTAINER)
MERGE = {"change": {"kind": "merge", "source": "iryna-gurevych", "into": "pranav-a"}, "reason": "test"}


def _graphs(store: LocalStore) -> dict[str, bytes]:
    """Every graph's N-Quads text in the current snapshot's dumps, but the corrections graph's."""
    snapshot = store.current_snapshot()
    manifest = DumpManifest.read(store.state_dir(snapshot))
    assert manifest is not None
    files = store.files_dir(snapshot)
    return {b.iri: read_block(files, b) for b in manifest.graphs if b.iri != GRAPH}


def test_a_merge_applied_live_equals_a_cold_ingest_and_its_revert_the_start(
    corpus_store: LocalStore, shared_corpus: Path, tmp_path: Path
) -> None:
    live = corpus_store.clone(tmp_path / "live")
    service = CorrectionService(live.root, shared_corpus)
    cid = service.propose(MAINTAINER, MERGE).correction.id
    service.approve(MAINTAINER, cid)
    service.apply(MAINTAINER, cid)
    live.wait_for_ingest()
    record = next(r for r in reversed(live.read_log()) if r.get("event") == "published")
    assert "items" in record["phases"]  # the merged person's items were rendered alone

    cold = LocalStore(tmp_path / "cold")
    CorrectionLog(cold.root).dir.mkdir(parents=True)
    shutil.copy(service.log.path, CorrectionLog(cold.root).path)
    report = run_ingest(shared_corpus, cold, full=True)
    assert report.mode == "cold"
    assert_same_files(live.files_dir(live.current_snapshot()), cold.files_dir(cold.current_snapshot()))
    shutil.rmtree(cold.root)

    service.revert(MAINTAINER, cid, "test")
    live.wait_for_ingest()
    before, after = _graphs(corpus_store), _graphs(live)
    assert before.keys() == after.keys()
    assert [iri for iri in before if before[iri] != after[iri]] == [STATS_GRAPH]
    # the statistics count the corrections graph's quads too, which keeps the history
    changed = set(before[STATS_GRAPH].splitlines()) ^ set(after[STATS_GRAPH].splitlines())
    assert changed and all(b"/void#triples>" in line for line in changed), changed
