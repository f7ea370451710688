"""Daily Papers listings → quads that satisfy the SHACL shapes; one named graph per day."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

from bibkg import iris
from bibkg import vocab as V
from bibkg.hf.mapping import map_listing
from bibkg.hf.reader import read_listing

from .test_reader import HF_CORPUS

# one file of each schema generation: raw 2024 body, reserialized 2024, 2025 (submittedOnDailyBy),
# organization (2025-10), AI summary model (2026)
DAYS = [
    "raw-api-bodies-2024-03/daily_papers_2024-03-12.json",
    "reserialized/2024-06-13.json",
    "reserialized/2025-03-17.json",
    "reserialized/2025-10-03.json",
    "reserialized/2026-08-21.json",
]


@pytest.fixture(scope="module")
def shapes(repo_root: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(repo_root / "ontology" / "shapes.ttl", format="turtle")


@pytest.mark.parametrize("name", DAYS)
def test_day_graph_conforms_to_the_shapes(name: str, shapes: rdflib.Graph) -> None:
    import pyshacl

    if not HF_CORPUS.is_dir():
        pytest.skip(f"shared Daily Papers files not found at {HF_CORPUS}")
    listing = read_listing(HF_CORPUS / name)
    text = map_listing(listing)
    assert text.iri == iris.hf_day_graph(listing.day)
    dataset = rdflib.Dataset()
    dataset.parse(data=text.nquads.decode(), format="nquads")
    graph = rdflib.Graph()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        assert str(g) == text.iri
        graph.add((s, p, o))
    prefixes = "".join(f"@prefix {k}: <{v}> .\n" for k, v in V.PREFIXES.items())
    assert isomorphic(graph, rdflib.Graph().parse(data=prefixes + text.turtle.decode(), format="turtle"))
    conforms, _, report = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    assert conforms, report
    B = rdflib.Namespace("https://w3id.org/bibkg/ns#")
    entries = set(graph.subjects(rdflib.RDF.type, B.DailyPapersEntry))
    assert len(entries) == len(listing.entries)
    first = listing.entries[0].preprint
    node = rdflib.URIRef(f"https://arxiv.org/abs/{first.arxiv_id}#author-1")
    assert graph.value(node, B.nameAsPrinted) == rdflib.Literal(first.authors[0].name)


def test_bad_data_violates_the_shapes(shapes: rdflib.Graph) -> None:
    """The shapes can fail: an authorship without a printed name and a bad status."""
    import pyshacl

    graph = rdflib.Graph().parse(
        data="""@prefix bibkg: <https://w3id.org/bibkg/ns#> .
        <https://arxiv.org/abs/2406.06144> a bibkg:Preprint ; bibkg:arxivId "2406.06144v2" ;
            bibkg:preprintTitle "T" ; bibkg:preprintAuthorship <https://arxiv.org/abs/2406.06144#author-1> .
        <https://arxiv.org/abs/2406.06144#author-1> bibkg:position 1 ; bibkg:hfAccountStatus "guessed" .""",
        format="turtle",
    )
    conforms, _, report = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    assert not conforms
    assert "printed name" in report and "arxivId" in report and "hfAccountStatus" in report
