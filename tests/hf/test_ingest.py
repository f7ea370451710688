"""Daily Papers into a store through the delta API, on the bundled sample: the seed author's
preprints and where each was published, the Juntao/Josef Dai and Yinyu Wu links with their
evidence, SHACL on the whole graph, replacement, atomicity on bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from bibkg import iris
from bibkg.errors import SourceError
from bibkg.hf.ingest import ingest_hf, relink
from bibkg.store.local import LocalStore

from .conftest import select


def test_seed_author_preprints_and_where_published(hf_store: LocalStore) -> None:
    rows = select(
        hf_store,
        """
        SELECT ?id ?anthology WHERE {
          ?a bibkg:linkedPerson <https://aclanthology.org/people/yaodong-yang/> .
          ?p bibkg:preprintAuthorship ?a ; bibkg:arxivId ?id .
          OPTIONAL { ?p bibkg:publishedAs/bibkg:anthologyId ?anthology }
        } ORDER BY ?id""",
    )
    assert rows == [
        ["2406.06144", "2025.acl-long.1141"],
        ["2406.15513", "2025.acl-long.1544"],
        ["2412.18551", "2025.naacl-demo.23"],
        ["2504.12911", "2025.findings-acl.1028"],
        ["2506.06636", "2025.findings-acl.721"],
    ]


def test_name_variant_links_with_evidence(hf_store: LocalStore) -> None:
    rows = select(
        hf_store,
        """
        SELECT ?id ?printed ?person ?anthologyName ?sim ?score ?method WHERE {
          ?p bibkg:arxivId ?id ; bibkg:preprintAuthorship ?a .
          ?a bibkg:nameAsPrinted ?printed ; bibkg:personLink ?l .
          ?l bibkg:linkTarget ?person ; bibkg:nameSimilarity ?sim ; bibkg:linkScore ?score ;
             bibkg:linkMethod ?method ; bibkg:alignedPosition ?pos ; bibkg:viaLink/bibkg:linkTarget ?paper .
          ?paper bibkg:authorship ?c . ?c bibkg:position ?pos ; bibkg:printedName/bibkg:fullName ?anthologyName .
          FILTER (?printed IN ("Juntao Dai", "Yinyu Wu"))
        } ORDER BY ?id ?printed""",
    )
    assert [r[:4] for r in rows] == [
        ["2406.06144", "Juntao Dai", iris.person_iri("juntao-dai"), "Josef Dai"],
        ["2406.15513", "Juntao Dai", iris.person_iri("juntao-dai"), "Josef Dai"],
        ["2506.06636", "Juntao Dai", iris.person_iri("juntao-dai"), "Josef Dai"],
        ["2506.06636", "Yinyu Wu", iris.person_iri("unverified/yinyu-wu"), "Yinyu Wu"],
    ]
    assert all(float(r[4]) == 1.0 and float(r[5]) > 0.9 and r[6].startswith("bibkg-hf-link/") for r in rows)


def test_each_day_is_its_own_graph_and_the_whole_graph_conforms(hf_store: LocalStore, repo_root: Path) -> None:
    import pyshacl

    graphs = {g[0] for g in select(hf_store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a bibkg:DailyPapersEntry } }")}
    assert graphs == {
        iris.hf_day_graph(d) for d in ("2024-06-10", "2024-06-20", "2024-12-24", "2025-04-17", "2025-06-07")
    }
    dataset = rdflib.Dataset()
    dataset.parse(data=hf_store.open_read().dump(format=ox.RdfFormat.N_QUADS).decode(), format="nquads")
    graph = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    shapes = rdflib.Graph().parse(repo_root / "ontology" / "shapes.ttl", format="turtle")
    conforms, _, report = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    assert conforms, report


def test_replacing_days_is_idempotent_and_links_follow(hf_store: LocalStore, seed_dir: Path, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    shutil.copytree(hf_store.root, store.root, symlinks=True)
    before = {str(q) for q in store.open_read()}
    report = ingest_hf(store, [seed_dir / "2025-06-07.json"])  # the same day again
    assert report.days == 1 and report.preprints == 5 and report.paper_links == 5
    assert {str(q) for q in store.open_read()} == before
    # the day changes: SafeLawBench is replaced by a preprint without an Anthology version
    day = json.loads((seed_dir / "2025-06-07.json").read_text())
    day[0]["paper"].update(id="2506.99999", title="An Unrelated Preprint On Something Else")
    changed = tmp_path / "2025-06-07.json"
    changed.write_text(json.dumps(day))
    report = ingest_hf(store, [changed])
    assert report.preprints == 5 and report.paper_links == 4
    assert not select(store, "SELECT ?x WHERE { <https://arxiv.org/abs/2506.06636> ?p ?x }")
    assert select(
        store,
        "SELECT ?t ?l WHERE { <https://arxiv.org/abs/2506.99999> bibkg:preprintTitle ?t OPTIONAL { <https://arxiv.org/abs/2506.99999> bibkg:paperLink ?l } }",
    ) == [["An Unrelated Preprint On Something Else", None]]
    assert relink(store).paper_links == 4


def test_bad_file_changes_nothing(hf_store: LocalStore, seed_dir: Path, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    shutil.copytree(hf_store.root, store.root, symlinks=True)
    current = store.current_snapshot()
    good = tmp_path / "in" / "2026-01-05.json"
    good.parent.mkdir()
    shutil.copy(seed_dir / "2024-06-10.json", good)
    (tmp_path / "in" / "2026-01-06.json").write_text(
        '[{"paper": {"id": "2601.00001", "title": "x", "authors": ["A"]}}]'
    )
    with pytest.raises(SourceError, match=r"2026-01-06.json: item 0: arXiv 2601.00001: author 1 is a JSON str"):
        ingest_hf(store, [tmp_path / "in"])
    assert store.current_snapshot() == current
