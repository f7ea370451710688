"""The delta API and the incremental ingest on the sample and the legacy fixture: an update equals
a rebuild (quads and every published file), is serialized, atomic under kill -9, and logged."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from bibkg import iris
from bibkg.cards import CARDS_FILE, content
from bibkg.errors import StoreBusy, StoreError
from bibkg.ingest import run_ingest
from bibkg.sparql import schema
from bibkg.store.delta import Delta, DeltaError, apply_delta
from bibkg.store.local import LocalStore
from tests.core.helpers import cli_env, run_cli, sorted_nquads

NOTE = ox.NamedNode("https://w3id.org/bibkg/ns#note")
PAPER = ox.NamedNode("https://aclanthology.org/2025.acl-long.1141/")
ACL = ox.NamedNode(iris.collection_graph("2025.acl"))


def published(store: LocalStore) -> dict[str, bytes]:
    """Every file published with the current snapshot, by name."""
    files = store.files_dir(store.current_snapshot())
    return {p.name: p.read_bytes() for p in sorted(files.iterdir())}


def staging(store: LocalStore) -> list[str]:
    return sorted(
        f"{parent}/{p.name}"
        for parent in ("snapshots", "dumps", "state")
        if (store.root / parent).is_dir()
        for p in (store.root / parent).iterdir()
        if p.name.startswith(".staging-")
    )


def assert_same(a: LocalStore, b: LocalStore) -> None:
    """Same quads, same published files (byte for byte)."""
    assert sorted_nquads(a.current_snapshot()) == sorted_nquads(b.current_snapshot())
    files_a, files_b = published(a), published(b)
    assert sorted(files_a) == sorted(files_b)
    for name in files_a:
        if name == CARDS_FILE:  # an update changes the previous file in place: the same rows
            assert content(a.files_dir(a.current_snapshot()) / name) == content(
                b.files_dir(b.current_snapshot()) / name
            )
        else:
            assert files_a[name] == files_b[name], f"{name} differs"


@pytest.fixture()
def store(tmp_path: Path, sample_copy) -> LocalStore:
    return sample_copy(tmp_path / "store")


def test_one_quad_delta_is_published_with_its_derived_files(store: LocalStore, tmp_path: Path, sample_copy) -> None:
    before = store.current_snapshot()
    quad = ox.Quad(PAPER, NOTE, ox.Literal('a "note"\twith\ttabs\nand a newline'), ACL)
    report = apply_delta(store, Delta(note="test").add_quads([quad]), command="pytest", actor="tester")
    after = store.current_snapshot()
    assert after != before and report.before == before.name and report.after == after.name
    assert (report.added, report.removed) == (2, 1)  # the quad, and void:triples replaced in the stats graph
    assert report.graphs == [ACL.value, iris.STATS_GRAPH]
    reader = store.open_read()
    assert quad in reader and len(reader) == report.quads
    # derived: the VoID count, the schema counts, the dumps say exactly what the store holds
    count = next(
        iter(
            reader.query(
                "SELECT ?n WHERE { GRAPH ?g { <https://w3id.org/bibkg/dataset> <http://rdfs.org/ns/void#triples> ?n } }"
            )
        )
    )
    assert int(count["n"].value) == len(reader)
    assert schema.read(store.files_dir(after)) == schema.compute(reader)
    dump = (store.files_dir(after) / "bibkg.nq").read_bytes()
    assert {str(q) for q in ox.parse(dump, ox.RdfFormat.N_QUADS)} == {str(q) for q in reader}
    turtle = (store.files_dir(after) / "bibkg.ttl").read_bytes()
    assert {str(t) for t in ox.parse(turtle, ox.RdfFormat.TURTLE)} == {
        str(ox.Triple(q.subject, q.predicate, q.object)) for q in reader
    }
    # the cards did not change: the same file (a hard link)
    assert os.path.samefile(
        store.files_dir(after) / "paper-cards.sqlite", store.files_dir(before) / "paper-cards.sqlite"
    )
    # logged: begin and published, with who and what
    log = [r for r in store.read_log() if r["id"] == after.name]
    assert [r["event"] for r in log] == ["begin", "published"]
    assert log[1]["command"] == "pytest" and log[1]["actor"] == "tester" and log[1]["before"] == before.name
    assert log[1]["changes"]["quads_added"] == 2 and log[1]["changes"]["note"] == "test"
    # removing it again gives the very snapshot files of a cold ingest
    apply_delta(store, Delta().remove_quads([quad]))
    cold = sample_copy(tmp_path / "cold")  # a cold ingest of the sample
    assert_same(store, cold)


def test_a_same_length_replacement_rewrites_the_dumps(store: LocalStore, tmp_path: Path) -> None:
    """A title replaced by another of the same length leaves every dump block where it was: the
    dumps must still be written anew (they once were shared with the previous snapshot, and the
    next delta, which reads them, then kept both titles)."""
    title = ox.NamedNode("https://w3id.org/bibkg/ns#title")
    for version in (1, 2, 3):
        reader = store.open_read()
        [old] = list(reader.quads_for_pattern(PAPER, title, None, None))
        del reader
        new = ox.Quad(
            PAPER,
            title,
            ox.Literal(f"{old.object.value.removesuffix(f' [v{version - 1}]')} [v{version}]"),
            old.graph_name,
        )
        apply_delta(store, Delta().remove_quads([old]).add_quads([new]))
        reader = store.open_read()
        assert list(reader.quads_for_pattern(PAPER, title, None, None)) == [new]
        dump = (store.files_dir(store.current_snapshot()) / "bibkg.nq").read_bytes()
        assert {str(q) for q in ox.parse(dump, ox.RdfFormat.N_QUADS)} == {str(q) for q in reader}


def test_replace_and_drop_graphs(store: LocalStore) -> None:
    extra = "https://w3id.org/bibkg/graph/extra"
    quads = [ox.Quad(PAPER, NOTE, ox.Literal(f"note {i}"), ox.NamedNode(extra)) for i in range(3)]
    apply_delta(store, Delta().replace_graph(extra, quads))
    reader = store.open_read()
    assert len(list(reader.quads_for_pattern(None, None, None, ox.NamedNode(extra)))) == 3
    manifest = (store.state_dir(store.current_snapshot()) / "graphs.json").read_text()
    assert manifest.index(extra) < manifest.index(iris.STATS_GRAPH)  # new graphs go before the statistics
    text = "".join(f'<{PAPER.value}> <{NOTE.value}> "only" <{extra}> .\n' for _ in range(2))
    apply_delta(store, Delta().replace_graph(extra, text))
    assert [q.object.value for q in store.open_read().quads_for_pattern(None, None, None, ox.NamedNode(extra))] == [
        "only"
    ]
    apply_delta(store, Delta().drop_graph(extra).drop_graph(ACL.value))
    reader = store.open_read()
    assert not list(reader.quads_for_pattern(None, None, None, ox.NamedNode(extra)))
    assert not list(reader.quads_for_pattern(None, None, None, ACL))
    assert schema.read(store.files_dir(store.current_snapshot())) == schema.compute(reader)
    dump = (store.files_dir(store.current_snapshot()) / "bibkg.trig").read_bytes()
    assert {str(q) for q in ox.parse(dump, ox.RdfFormat.TRIG)} == {str(q) for q in reader}


@pytest.mark.parametrize(
    ("delta", "message"),
    [
        (lambda: Delta().add_quads([ox.Quad(ox.BlankNode(), NOTE, ox.Literal("x"), ACL)]), "blank nodes"),
        (lambda: Delta().add_quads([ox.Quad(PAPER, NOTE, ox.Literal("x"))]), "default graph"),
        (
            lambda: Delta().replace_graph(
                ACL.value, b"<http://a.org/> <http://b.org/> <http://c.org/> <http://d.org/> ."
            ),
            "not in",
        ),
        (lambda: Delta().replace_graph(ACL.value, b"not n-quads"), "malformed N-Quads"),
    ],
)
def test_bad_deltas_are_clear_errors(delta, message: str) -> None:
    with pytest.raises(DeltaError, match=message):
        delta()


def test_failed_delta_publishes_nothing(store: LocalStore) -> None:
    before, files = store.current_snapshot(), published(store)
    bad = Delta()
    bad.state["../escape"] = b"x"
    with pytest.raises(DeltaError, match="plain relative path"):
        apply_delta(store, bad)
    assert store.current_snapshot() == before and published(store) == files and staging(store) == []
    assert store.read_log()[-1]["event"] == "failed"


def test_snapshot_without_update_state_is_refused(tmp_path: Path, store: LocalStore) -> None:
    empty = LocalStore(tmp_path / "empty")
    with pytest.raises(StoreError, match="no graph"):
        apply_delta(empty, Delta())
    with store.new_snapshot(copy_current=True):  # as 'bibkg load --append' does: no update state
        pass
    with pytest.raises(StoreError, match="no update state"):
        apply_delta(store, Delta())
    run_ingest(Path(__file__).parents[2] / "data" / "anthology", store, jobs=1)  # cold: state again
    apply_delta(store, Delta())


HOLD_LOCK = textwrap.dedent(
    """
    import fcntl, sys, time
    handle = open(sys.argv[1], "w")
    fcntl.flock(handle, fcntl.LOCK_EX)
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    """
)


def test_two_writers_one_waits_or_gets_store_busy(store: LocalStore) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(store.root / "ingest.lock"), "1.5"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = store.current_snapshot()
        started = time.monotonic()
        with pytest.raises(StoreBusy, match="another ingest or update"):
            apply_delta(store, Delta(), wait=0.3)
        assert 0.25 < time.monotonic() - started < 1.2
        assert store.current_snapshot() == before
        report = apply_delta(store, Delta(), wait=10)  # waits for the holder to finish
        assert time.monotonic() - started >= 1.0 and report.before == before.name
    finally:
        holder.kill()
        holder.wait()


SLOW_DELTA = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from bibkg.store.delta import Delta, apply_delta
    from bibkg.store.derivations import register_derivation
    from bibkg.store.local import LocalStore
    import pyoxigraph as ox

    def stall(context):
        Path(sys.argv[2]).write_text("inside")
        time.sleep(60)
        return {}

    register_derivation("stall", stall)
    quad = ox.Quad(ox.NamedNode("https://x.org/s"), ox.NamedNode("https://x.org/p"), ox.Literal("o"),
                   ox.NamedNode("https://w3id.org/bibkg/graph/extra"))
    apply_delta(LocalStore(Path(sys.argv[1])), Delta().add_quads([quad]))
    """
)


def test_kill_9_during_a_delta_leaves_the_previous_snapshot(store: LocalStore, tmp_path: Path) -> None:
    before, files, quads = store.current_snapshot(), published(store), sorted_nquads(store.current_snapshot())
    marker = tmp_path / "inside"
    proc = subprocess.Popen([sys.executable, "-c", SLOW_DELTA, str(store.root), str(marker)], env=cli_env(tmp_path))
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert store.current_snapshot() == before and published(store) == files
    assert sorted_nquads(store.current_snapshot()) == quads  # readable, the previous graph
    assert staging(store), "expected the killed delta's staging directories"
    assert store.read_log()[-1]["event"] == "begin"
    # the next writer removes the leftovers, says so in the log, and succeeds
    report = apply_delta(store, Delta().add_quads([ox.Quad(PAPER, NOTE, ox.Literal("after"), ACL)]))
    assert staging(store) == [] and report.before == before.name
    events = [r["event"] for r in store.read_log()]
    assert events[-4:] == ["begin", "abandoned", "begin", "published"] or events[-3:] == [
        "abandoned",
        "begin",
        "published",
    ]


STALL_DUMPS = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import bibkg.store.delta as delta
    from bibkg.store.local import LocalStore
    import pyoxigraph as ox

    def stall(store, snapshot):
        Path(sys.argv[2]).write_text(snapshot)
        time.sleep(60)

    delta.complete_pending = stall
    quad = ox.Quad(ox.NamedNode("https://aclanthology.org/2025.acl-long.1141/"), ox.NamedNode("https://w3id.org/bibkg/ns#note"),
                   ox.Literal("published first"), ox.NamedNode("https://w3id.org/bibkg/graph/collection/2025.acl"))
    delta.apply_delta(LocalStore(Path(sys.argv[1])), delta.Delta().add_quads([quad]))
    """
)


def _kill_after_publishing(store: LocalStore, tmp_path: Path) -> str:
    """Run a one-quad delta whose writer is killed once it published its snapshot, before
    writing the snapshot's dumps; the name of that snapshot."""
    marker = tmp_path / "published"
    proc = subprocess.Popen([sys.executable, "-c", STALL_DUMPS, str(store.root), str(marker)], env=cli_env(tmp_path))
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return marker.read_text()


def test_kill_9_while_the_dumps_are_written_after_publishing(store: LocalStore, tmp_path: Path, sample_copy) -> None:
    """The snapshot is published before its dumps: a reader waits for them; a writer killed
    meanwhile leaves them to the next writer, which writes them exactly."""
    published = _kill_after_publishing(store, tmp_path)
    current = store.current_snapshot()
    assert current.name == published  # published, with the quad, the dumps not yet
    assert len(list(store.open_read().quads_for_pattern(None, NOTE, None))) == 1
    assert store.files_pending(current) and not (store.files_dir(current) / "bibkg.nq").exists()
    started = time.monotonic()
    assert store.wait_for_files(current, timeout=0.3) is False and time.monotonic() - started >= 0.3
    # the next writer writes them first, then its own change (which removes the quad again)
    quad = next(iter(store.open_read().quads_for_pattern(None, NOTE, None)))
    apply_delta(store, Delta().remove_quads([ox.Quad(quad.subject, quad.predicate, quad.object, quad.graph_name)]))
    assert not store.files_pending(current) and store.wait_for_files(store.current_snapshot(), timeout=0)
    dump = (store.files_dir(current) / "bibkg.nq").read_bytes()
    assert b"published first" in dump and len(dump.splitlines()) == len(store.open_read()) + 1
    cold = sample_copy(tmp_path / "cold")  # a cold ingest of the sample
    assert_same(store, cold)


def test_a_clone_of_a_store_whose_dumps_are_pending_can_be_updated(store: LocalStore, tmp_path: Path) -> None:
    """A store cloned while its current snapshot's dumps are still to be written (its writer
    was killed, or stopped with the server) takes the previous snapshot's files along: the
    clone's next writer writes them (it used to fail: "snapshot … is gone")."""
    published = _kill_after_publishing(store, tmp_path)
    clone = store.clone(tmp_path / "clone")
    assert clone.files_pending(clone.current_snapshot())
    quad = next(iter(clone.open_read().quads_for_pattern(None, NOTE, None)))
    apply_delta(clone, Delta().remove_quads([ox.Quad(quad.subject, quad.predicate, quad.object, quad.graph_name)]))
    assert b"published first" in (clone.files_dir(published) / "bibkg.nq").read_bytes()
    assert store.files_pending(store.current_snapshot())  # the store cloned is left as it was


def test_prune_keeps_the_newest_snapshots(store: LocalStore, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(3):
        apply_delta(store, Delta())
    assert len(list((store.root / "snapshots").iterdir())) == 2
    monkeypatch.setenv("BIBKG_KEEP_SNAPSHOTS", "4")
    for _ in range(4):
        time.sleep(0.01)
        apply_delta(store, Delta())
    names = sorted(p.name for p in (store.root / "snapshots").iterdir())
    assert len(names) == 4 and store.current_snapshot().name in names
    assert sorted(p.name for p in (store.root / "state").iterdir()) == names
    # a delta with no change shares every published file with the previous snapshot
    previous = store.current_snapshot()
    apply_delta(store, Delta())
    for name in ("bibkg.nq", "bibkg.ttl", "bibkg.trig", "paper-cards.sqlite"):
        assert os.path.samefile(store.files_dir(previous) / name, store.files_dir(store.current_snapshot()) / name)


# --- incremental ingest ----------------------------------------------------------------------------


def _change(data: Path) -> None:
    """Change one collection, add one (a copy under a new id), delete one."""
    xml = sorted((data / "xml").glob("*.xml"))
    first = xml[0].read_text(encoding="utf-8")
    xml[0].write_text(first.replace("<title>", "<title>Changed: ", 1), encoding="utf-8")
    last, cid = xml[-1].read_text(encoding="utf-8"), xml[-1].stem
    (data / "xml" / "2099.added.xml").write_text(
        last.replace(f'<collection id="{cid}">', '<collection id="2099.added">'), encoding="utf-8"
    )
    xml[1].unlink()


@pytest.mark.parametrize("fixture", ["sample_datadir", "legacy_datadir"])
def test_incremental_ingest_equals_a_cold_one(fixture: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    data = tmp_path / "data"
    shutil.copytree(request.getfixturevalue(fixture), data)
    store = LocalStore(tmp_path / "inc")
    assert run_ingest(data, store, jobs=1).mode == "cold"
    _change(data)
    report = run_ingest(data, store, jobs=1)
    assert report.mode == "incremental"
    assert report.changed == {"added": 1, "modified": 1, "removed": 1, "remapped": 2}
    cold = LocalStore(tmp_path / "cold")
    cold_report = run_ingest(data, cold, jobs=1)
    assert_same(store, cold)
    assert (report.quads, report.persons, report.papers, len(report.warnings)) == (
        cold_report.quads,
        cold_report.persons,
        cold_report.papers,
        len(cold_report.warnings),
    )
    # people metadata changed: every file is mapped again, still equal to a cold ingest
    people = next(p for p in (data / "yaml" / "name_variants.yaml", data / "yaml" / "people.yaml") if p.is_file())
    text = people.read_text(encoding="utf-8")
    if people.name == "people.yaml":
        people.write_text(
            text + "zzyzx-testperson:\n  names:\n  - {first: Zzyzx, last: Testperson}\n", encoding="utf-8"
        )
    else:
        people.write_text(
            text + "- canonical: {first: Zzyzx, last: Testperson}\n  id: zzyzx-testperson\n", encoding="utf-8"
        )
    report = run_ingest(data, store, jobs=1)
    assert report.mode == "incremental" and report.changed["remapped"] == report.collections
    cold = LocalStore(tmp_path / "cold2")
    run_ingest(data, cold, jobs=1)
    assert_same(store, cold)


@pytest.mark.parametrize("fixture", ["sample_datadir", "legacy_datadir"])
def test_a_title_change_keeps_the_corpus_wide_graphs(
    fixture: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Only a title changed: people, events, venues and statistics are kept, not built again
    (nor every collection's facts read), and the result still equals a cold ingest; one more
    author then rebuilds them."""
    data = tmp_path / "data"
    shutil.copytree(request.getfixturevalue(fixture), data)
    store = LocalStore(tmp_path / "inc")
    run_ingest(data, store, jobs=1)
    path = sorted((data / "xml").glob("*.xml"))[-1]
    path.write_text(path.read_text(encoding="utf-8").replace("<title>", "<title>Retitled: ", 1), encoding="utf-8")
    report = run_ingest(data, store, jobs=1)
    assert report.mode == "incremental" and report.corpus_graphs == "kept"
    cold = LocalStore(tmp_path / "cold")
    cold_report = run_ingest(data, cold, jobs=1)
    assert_same(store, cold)
    assert (report.quads, report.persons, report.papers, report.authorships, report.warnings) == (
        cold_report.quads,
        cold_report.persons,
        cold_report.papers,
        cold_report.authorships,
        cold_report.warnings,
    )
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("</author>", "</author><author><first>Zzyzx</first><last>Testauthor</last></author>", 1),
        encoding="utf-8",
    )
    report = run_ingest(data, store, jobs=1)
    assert report.mode == "incremental" and report.corpus_graphs == "spliced"
    cold = LocalStore(tmp_path / "cold2")
    run_ingest(data, cold, jobs=1)
    assert_same(store, cold)


@pytest.mark.parametrize("fixture", ["sample_datadir", "legacy_datadir"])
def test_changed_authors_splice_the_corpus_wide_graphs(
    fixture: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Authors added, removed, reordered and renamed in one file, then in two at once: only the
    blocks of the persons and venue-years concerned are rendered again, and every step equals a
    cold ingest (quads and published files, byte for byte); a new paper (the volumes change)
    builds the graphs in full."""
    data = tmp_path / "data"
    shutil.copytree(request.getfixturevalue(fixture), data)
    store = LocalStore(tmp_path / "inc")
    run_ingest(data, store, jobs=1)
    first, last = sorted((data / "xml").glob("*.xml"))[0], sorted((data / "xml").glob("*.xml"))[-1]

    def edit(path: Path, old: str, new: str, count: int = 1) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path.name}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    steps = [
        [(last, "</author>", "</author><author><first>Zzyzx</first><last>Testauthor</last></author>")],
        [(last, "<author>", "<author><first>Zzyzx</first><last>Testauthor</last></author><author>")],
        [(first, "<author><first>", "<author><first>Q. ")],  # a new spelling: a new person or a new name
        [
            (last, "<author><first>Zzyzx</first><last>Testauthor</last></author>", "", 2),
            (first, "<author><first>Q. ", "<author><first>"),
        ],
    ]
    for number, step in enumerate(steps):
        for path, old, new, *count in step:
            edit(path, old, new, *count)
        report = run_ingest(data, store, jobs=1)
        assert report.mode == "incremental" and report.corpus_graphs == "spliced", number
        cold = LocalStore(tmp_path / f"cold{number}")
        cold_report = run_ingest(data, cold, jobs=1)
        assert_same(store, cold)
        assert (report.persons, report.authorships, report.papers) == (
            cold_report.persons,
            cold_report.authorships,
            cold_report.papers,
        )
    edit(
        last,
        "</paper>",
        '</paper><paper id="999"><title>Zzyzx</title><author><first>Zzyzx</first>'
        "<last>Testauthor</last></author></paper>",
    )
    report = run_ingest(data, store, jobs=1)
    assert report.mode == "incremental" and report.corpus_graphs == "built"
    cold = LocalStore(tmp_path / "cold-last")
    run_ingest(data, cold, jobs=1)
    assert_same(store, cold)


def test_cli_ingest_is_incremental_unless_full(tmp_path: Path, sample_datadir: Path) -> None:
    store = tmp_path / "store"
    first = run_cli(tmp_path, "ingest", str(sample_datadir), "--store", str(store), "--quiet")
    assert first.returncode == 0 and "  incremental  " not in first.stdout
    again = run_cli(tmp_path, "ingest", str(sample_datadir), "--store", str(store), "--quiet")
    assert again.returncode == 0 and "incremental  0 added, 0 modified, 0 removed, 0 remapped" in again.stdout
    full = run_cli(tmp_path, "ingest", str(sample_datadir), "--store", str(store), "--quiet", "--full", "--json")
    assert full.returncode == 0 and '"mode": "cold"' in full.stdout
    with (store / "ingest.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        busy = run_cli(tmp_path, "ingest", str(sample_datadir), "--store", str(store), "--quiet")
    assert busy.returncode == 1 and "another ingest" in busy.stderr and "Traceback" not in busy.stderr


def test_line_diff_finds_every_changed_line_of_large_texts() -> None:
    """The diff of a replaced graph cuts large texts at shared lines: still exactly the lines
    removed and added, wherever the changes are (random edits of texts of up to 6,000 lines)."""
    import random

    from bibkg.store.line_diff import line_diff

    rng = random.Random(7)
    for trial in range(200):
        lines = [
            f'<https://e/s{i}> <https://e/p> "{rng.random()}" <https://e/g> .\n'.encode()
            for i in range(rng.randint(0, 6000))
        ]
        new = list(lines)
        for _ in range(rng.randint(0, 8)):
            roll = rng.random()
            if roll < 0.4 and new:
                new[rng.randrange(len(new))] = (
                    f'<https://e/x{rng.random()}> <https://e/p> "1" <https://e/g> .\n'.encode()
                )
            elif roll < 0.7 and new:
                del new[rng.randrange(len(new))]
            else:
                new.insert(
                    rng.randint(0, len(new)),
                    f'<https://e/y{rng.random()}> <https://e/p> "2" <https://e/g> .\n'.encode(),
                )
        removed, added = line_diff(b"".join(lines), b"".join(new))
        assert set(removed.splitlines(keepends=True)) == set(lines) - set(new), trial
        assert set(added.splitlines(keepends=True)) == set(new) - set(lines), trial


def test_a_writer_killed_while_it_removed_the_pending_pieces(store: LocalStore) -> None:
    """The dumps of a snapshot published before them were written, ``pending.json`` removed, and
    the writer killed while it removed the pieces they were written from: the next writers
    neither carry those pieces into their own state nor trip over them."""
    first = Delta().add_quads([ox.Quad(ox.NamedNode("https://aclanthology.org/2025.acl-long.1141/"), NOTE,
                                       ox.Literal("first"), ox.NamedNode("https://w3id.org/bibkg/graph/collection/2025.acl"))])  # fmt: skip
    apply_delta(store, first)
    current = store.current_snapshot()
    assert not store.files_pending(current)
    left = store.state_dir(current) / "pending"
    left.mkdir()
    for number in range(12):  # what a killed removal can leave: names the next writer stages too
        (left / f"{number}.ttl").write_bytes(b"<https://x/s> <https://x/p> <https://x/o> .\n")
    for note in ("second", "third"):
        quad = ox.Quad(ox.NamedNode("https://aclanthology.org/2025.acl-long.1141/"), NOTE, ox.Literal(note),
                       ox.NamedNode("https://w3id.org/bibkg/graph/collection/2025.acl"))  # fmt: skip
        apply_delta(store, Delta().add_quads([quad]))
        latest = store.current_snapshot()
        assert not (store.state_dir(latest) / "pending").exists() and not store.files_pending(latest)
        assert {q.object.value for q in store.open_read().quads_for_pattern(None, NOTE, None)} >= {"first", note}


def test_an_update_after_a_writer_killed_before_its_dumps(tmp_path: Path, sample_datadir: Path) -> None:
    """A writer killed after publishing, before its dumps: the next incremental ingest, which
    reads the previous dumps to splice the people and statistics graphs, writes them first."""
    data = tmp_path / "data"
    shutil.copytree(sample_datadir, data)
    store = LocalStore(tmp_path / "store")
    run_ingest(data, store, jobs=1)
    _kill_after_publishing(store, tmp_path)
    stalled = store.current_snapshot()
    assert store.files_pending(stalled)
    last = sorted((data / "xml").glob("*.xml"))[-1]
    text = last.read_text(encoding="utf-8")
    last.write_text(text.replace("</author>", "</author><author><first>Zzyzx</first><last>Testauthor</last></author>", 1),
                    encoding="utf-8")  # fmt: skip
    report = run_ingest(data, store, jobs=1)
    assert report.mode == "incremental" and report.corpus_graphs == "spliced"
    assert not store.files_pending(stalled) and (store.files_dir(stalled) / "bibkg.nq").is_file()
    assert store.wait_for_files(store.current_snapshot(), timeout=30)
