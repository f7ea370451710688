"""Incremental ingest on the full corpus: after a changed, an added and a deleted collection file
and changed people metadata, the store equals a cold ingest of the same data (every published
file byte for byte, the quads), and a kill -9 in the middle leaves the previous snapshot.

Cost: one cold ingest of the modified copy, one incremental ingest of three files, one that maps
every file again (the people metadata changed); the base store is the session's ``corpus_store``,
cloned by hard links (:meth:`LocalStore.clone`), unless it has no update state.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from bibkg import iris
from bibkg.ingest import run_ingest
from bibkg.ingest.state import Sources
from bibkg.sparql import schema
from bibkg.store.local import LocalStore
from tests.core.helpers import assert_same_files, bibkg_command, cli_env

pytestmark = pytest.mark.corpus

CHANGED, COPIED, DELETED = "2023.acl", "2022.naacl", "W19"
ADDED = "2099.added"


@pytest.fixture(scope="module")
def base(
    corpus_store: LocalStore, shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalStore]:
    """A full-corpus store with update state: the session's, or one ingested here (removed after)."""
    if Sources.read(corpus_store.state_dir(corpus_store.current_snapshot())) is not None:
        yield corpus_store
        return
    directory = tmp_path_factory.mktemp("corpus-with-state")
    own = LocalStore(directory / "store")
    run_ingest(shared_corpus, own)
    yield own
    shutil.rmtree(directory, ignore_errors=True)


def _modify_collections(data: Path) -> None:
    xml = data / "xml"
    text = (xml / f"{CHANGED}.xml").read_text(encoding="utf-8")
    # a changed title and one more author: the people and statistics graphs change too
    text = text.replace("<title>", "<title>Changed: ", 1)
    text = text.replace("</author>", "</author><author><first>Zzyzx</first><last>Incremental</last></author>", 1)
    (xml / f"{CHANGED}.xml").write_text(text, encoding="utf-8")
    copied = (xml / f"{COPIED}.xml").read_text(encoding="utf-8")
    (xml / f"{ADDED}.xml").write_text(
        copied.replace(f'<collection id="{COPIED}">', f'<collection id="{ADDED}">'), encoding="utf-8"
    )
    (xml / f"{DELETED}.xml").unlink()


def _staging(store: LocalStore) -> list[str]:
    return [p.name for d in ("snapshots", "dumps", "state") if (store.root / d).is_dir()
            for p in (store.root / d).iterdir() if p.name.startswith(".staging-")]  # fmt: skip


def _graph(store: ox.Store, iri: str) -> set[str]:
    return {str(q) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(iri))}


def test_incremental_equals_cold_on_the_corpus(base: LocalStore, shared_corpus: Path, tmp_path: Path) -> None:
    store = base.clone(tmp_path / "inc")
    before = store.current_snapshot()
    data = tmp_path / "data"
    shutil.copytree(shared_corpus, data)
    _modify_collections(data)

    # kill -9 in the middle of an incremental ingest: the previous snapshot stays current
    proc = subprocess.Popen([*bibkg_command(), "ingest", str(data), "--store", str(store.root), "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=cli_env(tmp_path),
                            start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not _staging(store):
            assert proc.poll() is None, f"ingest ended before it could be killed: {proc.stderr.read()!r}"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        time.sleep(0.3)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert store.current_snapshot() == before
    assert bool(store.open_read().query("ASK { GRAPH ?g { ?s ?p ?o } }"))  # readable
    assert _staging(store)

    report = run_ingest(data, store)
    assert report.mode == "incremental"
    assert report.changed == {"added": 1, "modified": 1, "removed": 1, "remapped": 2}
    assert _staging(store) == [] and "abandoned" in {r["event"] for r in store.read_log()}
    reader = store.open_read()
    assert not _graph(reader, iris.collection_graph(DELETED))
    assert bool(
        reader.query(
            f"ASK {{ GRAPH ?g {{ ?p <https://w3id.org/bibkg/ns#author> <{iris.person_iri('zzyzx-incremental')}> }} }}"
        )
    )

    # the people metadata changed: every file is mapped again
    people = data / "yaml" / "name_variants.yaml"
    people.write_text(
        people.read_text(encoding="utf-8")
        + "- canonical: {first: Zzyzx, last: Incremental}\n  id: zzyzx-incremental-1\n",
        encoding="utf-8",
    )
    report = run_ingest(data, store)
    assert report.mode == "incremental" and report.changed["remapped"] == report.collections

    # only a title changed: the corpus-wide graphs are kept, not built again
    retitled = data / "xml" / f"{CHANGED}.xml"
    retitled.write_text(
        retitled.read_text(encoding="utf-8").replace("<title>", "<title>Retitled: ", 1), encoding="utf-8"
    )
    report = run_ingest(data, store)
    assert report.mode == "incremental" and report.corpus_graphs == "kept" and report.changed["remapped"] == 1

    # an author added to a paper of another file and a name respelled: the people and statistics
    # graphs are spliced (only the persons and venue-years concerned rendered again)
    other = sorted((data / "xml").glob("2022.*.xml"))[0]
    text = other.read_text(encoding="utf-8")
    assert "<author><first>" in text
    other.write_text(text.replace("</author>", "</author><author><first>Zzyzx</first><last>Incremental</last></author>", 1)
                     .replace("<author><first>", "<author><first>Q. ", 1), encoding="utf-8")  # fmt: skip
    report = run_ingest(data, store)
    assert report.mode == "incremental" and report.corpus_graphs == "spliced" and report.changed["remapped"] == 1

    cold = LocalStore(tmp_path / "cold")
    cold_report = run_ingest(data, cold, full=True)
    assert cold_report.mode == "cold" and (report.quads, report.persons) == (cold_report.quads, cold_report.persons)
    inc_files, cold_files = store.files_dir(store.current_snapshot()), cold.files_dir(cold.current_snapshot())
    assert_same_files(cold_files, inc_files)
    # the quads: Oxigraph's own counts per predicate, class and graph, and the changed graphs exactly
    inc_store, cold_store = store.open_read(), cold.open_read()
    assert len(inc_store) == len(cold_store)
    assert schema.compute(inc_store) == schema.read(cold_files)
    for iri in (iris.collection_graph(CHANGED), iris.collection_graph(ADDED), iris.collection_graph(DELETED),
                iris.collection_graph(other.stem), iris.EVENTS_GRAPH, iris.VENUES_GRAPH, iris.STATS_GRAPH):  # fmt: skip
        assert _graph(inc_store, iri) == _graph(cold_store, iri), iri
    person = ox.NamedNode(iris.person_iri("zzyzx-incremental-1"))
    assert {str(q) for q in inc_store.quads_for_pattern(person, None, None)} == {
        str(q) for q in cold_store.quads_for_pattern(person, None, None)
    }
