"""The store's guarantees: a failed, repeated, interrupted or concurrent ingest never damages the graph."""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from bibkg.errors import SourceError, StoreError
from bibkg.ingest import run_ingest
from bibkg.store.local import LocalStore
from tests.core.helpers import bibkg_command, cli_env, run_cli, sorted_nquads, values


def staging_dirs(store: LocalStore) -> list[str]:
    """Unpublished snapshots and unpublished snapshot files (dumps) left in the store."""
    found = []
    for parent in (store.root / "snapshots", store.root / "dumps"):
        if parent.is_dir():
            found += [f"{parent.name}/{p.name}" for p in parent.iterdir() if p.name.startswith(".staging-")]
    return sorted(found)


def published_files(store: LocalStore) -> list[str]:
    """The snapshots that have published files; always among the snapshots kept."""
    names = sorted(p.name for p in (store.root / "dumps").iterdir() if not p.name.startswith(".staging-"))
    assert set(names) <= {p.name for p in (store.root / "snapshots").iterdir()}
    return names


def paper_count(store: LocalStore) -> int:
    return int(values(store, "SELECT (COUNT(?p) AS ?n) WHERE { ?p a bibkg:Paper }")[0])


@pytest.fixture()
def store(tmp_path: Path, sample_copy) -> LocalStore:
    """A fresh store holding the sample."""
    return sample_copy(tmp_path / "store")


def test_store_layout_after_ingest(store: LocalStore) -> None:
    snapshot = store.current_snapshot()
    assert snapshot is not None and snapshot.parent == store.root / "snapshots"
    assert (store.root / "current").is_symlink()
    assert not os.path.isabs(os.readlink(store.root / "current"))  # relocatable store
    assert staging_dirs(store) == []
    assert paper_count(store) == 7
    assert published_files(store) == [snapshot.name]
    assert sorted(p.name for p in store.files_dir(snapshot).iterdir()) == [
        "bibkg.nq",
        "bibkg.trig",
        "bibkg.ttl",
        "paper-cards.sqlite",
        "schema-stats.json",
    ]


def test_empty_store_is_a_clear_error(tmp_path: Path) -> None:
    empty = LocalStore(tmp_path / "nothing")
    assert empty.current_snapshot() is None and not empty.exists()
    with pytest.raises(StoreError, match="bibkg ingest"):
        empty.open_read()


def test_malformed_file_mid_run_leaves_the_old_graph(
    store: LocalStore, broken_datadir: Path, sample_datadir: Path
) -> None:
    before_snapshot = store.current_snapshot()
    before = sorted_nquads(before_snapshot)
    with pytest.raises(SourceError) as info:
        run_ingest(broken_datadir, store, jobs=1)
    assert info.value.path.name == "2022.badconf.xml"
    assert info.value.line == 19
    assert "2022.badconf.xml:19" in str(info.value)
    # the store still answers, with the old graph and nothing of the good collection okconf
    assert store.current_snapshot() == before_snapshot
    assert sorted_nquads(store.current_snapshot()) == before
    assert paper_count(store) == 7
    assert not _has_okconf(store)
    assert staging_dirs(store) == [] and published_files(store) == [before_snapshot.name]
    # the next ingest leaves no staging directory behind
    run_ingest(sample_datadir, store, jobs=1)
    assert staging_dirs(store) == []
    assert sorted_nquads(store.current_snapshot()) == before


def _has_okconf(store: LocalStore) -> bool:
    from tests.core.helpers import ask

    return ask(
        store,
        "ASK { { ?s ?p ?o FILTER(CONTAINS(STR(?s), 'okconf')) } UNION { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'okconf')) } }",
    )


def test_good_collection_loaded_before_the_error_is_rolled_back(
    store: LocalStore, broken_datadir: Path, tmp_path: Path
) -> None:
    """Rename the files so that the good collection is mapped and loaded first."""
    data = tmp_path / "reordered"
    shutil.copytree(broken_datadir, data)
    renamed = data / "xml" / "2099.badconf.xml"
    (data / "xml" / "2022.badconf.xml").rename(renamed)
    # a collection file declares its own name as its id (else it is refused for that)
    renamed.write_text(
        renamed.read_text(encoding="utf-8").replace('id="2022.badconf"', 'id="2099.badconf"', 1), encoding="utf-8"
    )
    before = sorted_nquads(store.current_snapshot())
    with pytest.raises(SourceError) as info:
        run_ingest(data, store, jobs=1)
    assert info.value.path.name == "2099.badconf.xml" and info.value.line == 19
    assert sorted_nquads(store.current_snapshot()) == before
    assert not _has_okconf(store)


def test_second_ingest_is_idempotent(store: LocalStore, sample_datadir: Path) -> None:
    first_snapshot = store.current_snapshot()
    first = sorted_nquads(first_snapshot)
    run_ingest(sample_datadir, store, jobs=1)
    second_snapshot = store.current_snapshot()
    assert second_snapshot != first_snapshot  # a new snapshot was published...
    assert sorted_nquads(second_snapshot) == first  # ...with exactly the same quads
    # with worker processes the result is the same as well
    run_ingest(sample_datadir, store, jobs=2)
    assert sorted_nquads(store.current_snapshot()) == first
    # old snapshots are pruned: the current one plus the previous one at most
    assert len(list((store.root / "snapshots").iterdir())) <= 2


def test_concurrent_ingest_is_refused(store: LocalStore, sample_datadir: Path, tmp_path: Path) -> None:
    before = store.current_snapshot()
    with (store.root / "ingest.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what a running ingest holds
        with pytest.raises(StoreError, match="another ingest"):
            run_ingest(sample_datadir, store, jobs=1)
        proc = run_cli(tmp_path, "ingest", str(sample_datadir), "--store", str(store.root), "--quiet", "--jobs", "1")
        assert proc.returncode == 1
        assert "another ingest" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert store.current_snapshot() == before
    assert staging_dirs(store) == []
    run_ingest(sample_datadir, store, jobs=1)  # the lock is free again


def synthetic_datadir(sample: Path, target: Path, copies: int) -> Path:
    """The sample plus ``copies`` copies of its Findings collection under new collection ids."""
    shutil.copytree(sample, target)
    source = (sample / "xml" / "2025.findings.xml").read_text(encoding="utf-8")
    for i in range(copies):
        cid = f"2025.syn{i:04d}"
        (target / "xml" / f"{cid}.xml").write_text(
            source.replace('<collection id="2025.findings">', f'<collection id="{cid}">'), encoding="utf-8"
        )
    return target


def test_kill_9_mid_ingest_leaves_current_unchanged(
    store: LocalStore, sample_datadir: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    corpus = _full_corpus_if_present(request)
    data = corpus or synthetic_datadir(sample_datadir, tmp_path / "synthetic", copies=400)
    before_snapshot = store.current_snapshot()
    before = sorted_nquads(before_snapshot)
    proc = subprocess.Popen(
        [*bibkg_command(), "ingest", str(data), "--store", str(store.root), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=cli_env(tmp_path),
        start_new_session=True,  # its own process group: the workers die with it
    )
    try:
        deadline = time.monotonic() + 60
        while not staging_dirs(store):  # wait until it is really writing a snapshot
            assert proc.poll() is None, f"ingest ended before it could be killed: {proc.stderr.read()!r}"
            assert time.monotonic() < deadline, "ingest never started writing"
            time.sleep(0.02)
        time.sleep(0.5)
        assert proc.poll() is None, "ingest finished within 0.5 s: make the synthetic corpus larger"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        _kill_group(proc)
    # current is untouched and answers with the old graph; a half-written snapshot is left over
    assert store.current_snapshot() == before_snapshot
    assert paper_count(store) == 7
    assert sorted_nquads(store.current_snapshot()) == before
    assert staging_dirs(store), "expected the killed ingest's staging directory"
    assert published_files(store) == [before_snapshot.name]
    # the next ingest removes the leftovers (and the lock died with the killed process)
    run_ingest(sample_datadir, store, jobs=1)
    assert staging_dirs(store) == []
    assert sorted_nquads(store.current_snapshot()) == before
    assert published_files(store) == sorted([before_snapshot.name, store.current_snapshot().name])


def _full_corpus_if_present(request: pytest.FixtureRequest) -> Path | None:
    try:
        return request.getfixturevalue("shared_corpus")
    except pytest.skip.Exception:
        return None


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


# --- worker processes and errors -------------------------------------------------------------------


def test_source_error_survives_pickling() -> None:
    """Regression: an unpicklable SourceError raised in a worker used to hang the pool forever."""
    error = pickle.loads(pickle.dumps(SourceError(Path("xml/2022.badconf.xml"), 19, "malformed XML")))
    assert (error.path.name, error.line, str(error)) == (
        "2022.badconf.xml",
        19,
        "xml/2022.badconf.xml:19: malformed XML",
    )


def test_malformed_file_with_workers_fails_fast(store: LocalStore, broken_datadir: Path, tmp_path: Path) -> None:
    """Regression: with worker processes (the default) a malformed file used to hang the ingest."""
    before = sorted_nquads(store.current_snapshot())
    proc = subprocess.Popen(
        [*bibkg_command(), "ingest", str(broken_datadir), "--store", str(store.root), "--quiet", "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(tmp_path),
        start_new_session=True,
    )
    try:
        _, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        pytest.fail("ingest with --jobs 2 of a directory with a malformed file hung for 15 s")
    finally:
        _kill_group(proc)
    assert proc.returncode == 1
    assert "2022.badconf.xml:19" in err
    assert "Traceback" not in err
    assert sorted_nquads(store.current_snapshot()) == before


def test_sample_store_waits_for_a_concurrent_ingest_of_it(tmp_path: Path) -> None:
    """Two processes asking for the sample at once (e.g. server workers): one ingests, the other
    waits for it instead of failing, and both get the same snapshot."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    with ctx.Pool(2) as pool:
        roots = pool.map(_sample_snapshot, [str(tmp_path)] * 2)
    assert roots[0] == roots[1]
    assert len(list(tmp_path.glob("sample-*"))) == 1


def _sample_snapshot(cache: str) -> str:
    from bibkg.sample import sample_store

    store = sample_store(Path(cache))
    return str(store.current_snapshot())
