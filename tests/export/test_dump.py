"""Dumps: round trip for every format, gzip, determinism, graph selection, loader errors."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from bibkg.cli import main
from bibkg.errors import BibkgError
from bibkg.export.dump import write_dump, write_dump_maybe_gzip
from bibkg.export.formats import FORMATS, guess_format
from bibkg.export.load import load_files
from bibkg.ingest import run_ingest
from bibkg.store.local import LocalStore

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "anthology"


def _quads(store: ox.Store) -> set[str]:
    return {str(q) for q in store}


def _triples(store: ox.Store) -> set[str]:
    return {str(ox.Triple(q.subject, q.predicate, q.object)) for q in store}


@pytest.fixture(scope="module")
def original(sample_local: LocalStore) -> ox.Store:
    return sample_local.open_read()


def test_each_fact_in_one_graph(original: ox.Store) -> None:
    """The union formats rely on it: no triple is stated in two named graphs."""
    assert len(_quads(original)) == len(_triples(original)) > 1000


@pytest.mark.parametrize("name", list(FORMATS))
@pytest.mark.parametrize("gz", [False, True])
def test_round_trip_through_load(
    name: str, gz: bool, original: ox.Store, sample_local: LocalStore, tmp_path: Path
) -> None:
    fmt = FORMATS[name]
    path = tmp_path / f"bibkg.{fmt.ext}{'.gz' if gz else ''}"
    with path.open("wb") as out:
        write_dump_maybe_gzip(original, out, fmt, gz=gz)
    if gz:
        assert path.read_bytes()[:2] == b"\x1f\x8b"
    fresh = LocalStore(tmp_path / "fresh")
    report = load_files(fresh, [path])
    assert report.files == [str(path)]
    loaded = fresh.open_read()
    if fmt.quads:
        assert _quads(loaded) == _quads(original)  # no blank nodes: isomorphic == equal
    else:
        assert _triples(loaded) == _triples(original)


@pytest.mark.parametrize("name", list(FORMATS))
def test_two_exports_are_byte_identical(name: str, original: ox.Store, sample_local: LocalStore) -> None:
    fmt = FORMATS[name]
    a, b = io.BytesIO(), io.BytesIO()
    write_dump_maybe_gzip(original, a, fmt, gz=True)
    write_dump_maybe_gzip(sample_local.open_read(), b, fmt, gz=True)
    assert a.getvalue() == b.getvalue()


def test_reingest_dumps_identically(original: ox.Store, tmp_path: Path) -> None:
    """Order depends on the terms only, not on the store's history: a second ingest of the same
    data (new RocksDB files) dumped from the store gives the same bytes."""
    other = LocalStore(tmp_path / "again")
    run_ingest(SAMPLE, other, jobs=1)
    for fmt in FORMATS.values():
        a, b = io.BytesIO(), io.BytesIO()
        write_dump(original, a, fmt)
        write_dump(other.open_read(), b, fmt)
        assert a.getvalue() == b.getvalue(), fmt.name


def test_prefixes_declared_and_sorted(original: ox.Store) -> None:
    buf = io.BytesIO()
    write_dump(original, buf, FORMATS["turtle"])
    head = [line for line in buf.getvalue().decode().splitlines() if line.startswith("@prefix")]
    assert head[0] == "@prefix bibkg: <https://w3id.org/bibkg/ns#> ."
    assert head == sorted(head)
    assert buf.getvalue().count(b"@prefix bibkg:") == 1  # one block, not one per graph


def test_trig_keeps_graphs(original: ox.Store) -> None:
    buf = io.BytesIO()
    write_dump(original, buf, FORMATS["trig"])
    text = buf.getvalue().decode()
    assert "<https://w3id.org/bibkg/graph/people> {" in text
    graphs = [line for line in text.splitlines() if line.endswith("> {")]
    assert graphs == sorted(graphs)


def test_graph_selection(original: ox.Store) -> None:
    people = "https://w3id.org/bibkg/graph/people"
    buf = io.BytesIO()
    write_dump(original, buf, FORMATS["nquads"], graphs=[people])
    lines = buf.getvalue().decode().splitlines()
    assert lines and all(line.endswith(f"<{people}> .") for line in lines)
    assert len(lines) == sum(1 for _ in original.quads_for_pattern(None, None, None, ox.NamedNode(people)))


def test_cli_export_and_load(sample_local: LocalStore, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "dump.trig.gz"
    assert main(["export", "--store", str(sample_local.root), "-o", str(out), "--quiet"]) == 0
    with gzip.open(out, "rb") as fh:
        assert fh.read(7) == b"@prefix"
    assert main(["load", str(out), "--store", str(tmp_path / "copy")]) == 0
    assert "1,402 quads" in capsys.readouterr().out or True
    assert _quads(LocalStore(tmp_path / "copy").open_read()) == _quads(sample_local.open_read())


def test_load_errors_keep_the_store(sample_local: LocalStore, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    target = LocalStore(tmp_path / "target")
    good = tmp_path / "good.nt"
    good.write_text('<http://ex/a> <http://ex/p> "x" .\n')
    load_files(target, [good])
    before = target.current_snapshot()
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://ex/a> <http://ex/p> .\n")
    with pytest.raises(BibkgError, match=r"bad\.ttl: not valid turtle.*line 1"):
        load_files(target, [good, bad])
    assert target.current_snapshot() == before
    assert main(["load", str(tmp_path / "missing.nq"), "--store", str(target.root)]) == 1
    assert "missing.nq: no such file" in capsys.readouterr().err
    with pytest.raises(BibkgError, match="extension"):
        guess_format("dump.xyz")


def test_warm_cache_and_reuse(tmp_path: Path, capsys: pytest.CaptureFixture, sample_copy) -> None:
    local = sample_copy(tmp_path / "s")
    snap = local.current_snapshot()
    assert main(["export", "--store", str(local.root), "--warm-cache", "--format", "nquads", "--quiet"]) == 0
    cached = local.root / "dumps" / snap.name / "bibkg.nq.gz"
    assert cached.is_file()
    out = tmp_path / "copy.nq.gz"
    assert main(["export", "--store", str(local.root), "-o", str(out), "--quiet"]) == 0
    assert out.read_bytes() == cached.read_bytes()
    fresh = tmp_path / "fresh.nq.gz"
    assert main(["export", "--store", str(local.root), "-o", str(fresh), "--quiet", "--no-cache"]) == 0
    # from the store itself: the same quads, in the store's order rather than the ingest's
    assert fresh.read_bytes() != cached.read_bytes()
    parsed = {str(q) for q in ox.parse(gzip.decompress(fresh.read_bytes()), ox.RdfFormat.N_QUADS)}
    assert parsed == {str(q) for q in ox.parse(gzip.decompress(cached.read_bytes()), ox.RdfFormat.N_QUADS)}


def test_ingest_publishes_dumps_of_exactly_the_snapshot(tmp_path: Path) -> None:
    """N-Quads, Turtle and TriG are written by the ingest with the snapshot: each says exactly
    what the store holds (each quad once), and the same data ingested again gives the same bytes."""
    local = LocalStore(tmp_path / "s")
    run_ingest(SAMPLE, local, jobs=1)
    store = local.open_read()
    files = local.files_dir(local.current_snapshot())
    assert sorted(p.name for p in files.iterdir()) == [
        "bibkg.nq",
        "bibkg.trig",
        "bibkg.ttl",
        "paper-cards.sqlite",
        "schema-stats.json",
    ]
    for name in ("nquads", "trig"):
        lines = (files / f"bibkg.{FORMATS[name].ext}").read_bytes()
        loaded = list(ox.parse(lines, FORMATS[name].rdf))
        assert len(loaded) == len(store) and {str(q) for q in loaded} == _quads(store)
    turtle = (files / "bibkg.ttl").read_text("utf-8")
    assert turtle.startswith("@prefix bibkg: <https://w3id.org/bibkg/ns#> .\n")
    assert "a bibkg:Paper" in turtle and "bibkg:year 2025" in turtle
    assert {str(t) for t in ox.parse(turtle.encode(), ox.RdfFormat.TURTLE)} == _triples(store)
    before = {p.name: p.read_bytes() for p in files.iterdir()}
    run_ingest(SAMPLE, local, jobs=2)
    again = local.files_dir(local.current_snapshot())
    assert again != files and {p.name: p.read_bytes() for p in again.iterdir()} == before
    assert files.is_dir()  # the previous snapshot is kept, with its files


def test_export_gzips_a_kept_dump(tmp_path: Path, sample_copy) -> None:
    local = sample_copy(tmp_path / "s")
    plain, gz = tmp_path / "a.ttl", tmp_path / "a.ttl.gz"
    assert main(["export", "--store", str(local.root), "-o", str(plain), "--quiet"]) == 0
    assert main(["export", "--store", str(local.root), "-o", str(gz), "--quiet"]) == 0
    kept = local.files_dir(local.current_snapshot()) / "bibkg.ttl"
    assert plain.read_bytes() == kept.read_bytes() == gzip.decompress(gz.read_bytes())
    assert gz.read_bytes()[4:8] == b"\0\0\0\0"  # mtime 0: deterministic


def test_kept_dump_says_what_a_dump_from_the_store_says(sample_local: LocalStore, tmp_path: Path) -> None:
    """The N-Quads dump kept by the ingest and ``export --no-cache`` (written from the store) hold
    the same lines byte for byte, language tags included: the store keeps tags in lower case, so
    the mapping writes them so (``"耀东 杨"@zh-hani`` in both, not ``@zh-Hani`` in one)."""
    kept = (sample_local.files_dir(sample_local.current_snapshot()) / "bibkg.nq").read_bytes()
    out = tmp_path / "fresh.nq"
    assert main(["export", "--store", str(sample_local.root), "-o", str(out), "--quiet", "--no-cache"]) == 0
    fresh = out.read_bytes()
    assert '"耀东 杨"@zh-hani '.encode() in kept
    assert sorted(kept.splitlines()) == sorted(fresh.splitlines())


def test_a_stored_text_reads_only_the_spans_asked_for(tmp_path: Path) -> None:
    """A graph of a snapshot's dumps read lazily (what an update splices its people and statistics
    graphs from): sizes from the manifest, spans from the files, the whole text when asked for."""
    from bibkg.mapping.terms import GraphText
    from bibkg.store.snapshot_dumps import SnapshotDumps, StoredText

    graphs = [
        GraphText(
            f"https://example.org/g{n}", f"<a{n}> <b> <c> <g{n}> .\n".encode() * (n + 1), b"<a> <b> <c> .\n", n + 1
        )
        for n in range(3)
    ]
    with SnapshotDumps(tmp_path) as dumps:
        for graph in graphs:
            dumps.add(graph)
    for graph, block in zip(graphs, dumps.manifest.graphs, strict=True):
        text = StoredText(tmp_path, block)
        assert (text.iri, text.quads, text.size("nquads"), text.size("turtle")) == (
            graph.iri, graph.quads, len(graph.nquads), len(graph.turtle))  # fmt: skip
        assert text.span(3, 30) == graph.nquads[3:30] and text.span(5, 10**6, "turtle") == graph.turtle[5:]
        assert text.span(10**6, 10**6 + 5) == b"" and text._made("nquads") is None
        assert (text.nquads, text.turtle) == (graph.nquads, graph.turtle)  # read now, whole
    (tmp_path / "bibkg.nq").write_bytes(b"")  # a file shorter than its manifest says: an error, not a short text
    with pytest.raises(OSError, match="shorter than its manifest"):
        StoredText(tmp_path, dumps.manifest.graphs[-1]).span(0, 4)
