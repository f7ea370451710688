"""The ontology and the SHACL shapes agree with the vocabulary module and with the data produced."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from bibkg import iris
from bibkg import vocab as V
from bibkg.ingest import run_ingest
from bibkg.store.local import LocalStore

BIBKG = rdflib.Namespace(V.BIBKG)


def vocab_terms() -> set[str]:
    return {
        value
        for name, value in vars(V).items()
        if isinstance(value, str) and not name.startswith("_") and value.startswith(V.BIBKG) and value != V.BIBKG
    }


@pytest.fixture(scope="module")
def ontology(repo_root: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(repo_root / "ontology" / "bibkg.ttl", format="turtle")


@pytest.fixture(scope="module")
def shapes(repo_root: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(repo_root / "ontology" / "shapes.ttl", format="turtle")


def test_every_vocab_term_is_declared_with_label_and_comment(ontology: rdflib.Graph) -> None:
    missing = []
    for term in sorted(vocab_terms()):
        ref = rdflib.URIRef(term)
        types = set(ontology.objects(ref, RDF.type))
        if not types & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property, OWL.AnnotationProperty}:
            missing.append(f"{term}: not declared as a class or property")
        for prop in (RDFS.label, RDFS.comment):
            if not any(isinstance(o, rdflib.Literal) and str(o).strip() for o in ontology.objects(ref, prop)):
                missing.append(f"{term}: no {prop.n3(ontology.namespace_manager)}")
    assert not missing, "\n".join(missing)


def test_ontology_declares_no_term_the_code_does_not_use(ontology: rdflib.Graph) -> None:
    declared = {str(s) for s in ontology.subjects(RDF.type, None) if str(s).startswith(V.BIBKG)}
    assert declared - vocab_terms() == set()
    assert vocab_terms() - declared == set()


def test_shapes_only_mention_declared_terms(shapes: rdflib.Graph) -> None:
    used = {str(t) for triple in shapes for t in triple if isinstance(t, rdflib.URIRef) and str(t).startswith(V.BIBKG)}
    assert used - vocab_terms() == set()


def data_graph(snapshot: Path) -> rdflib.Graph:
    """The union of all named graphs of a snapshot as one rdflib graph."""
    nquads = ox.Store.read_only(str(snapshot)).dump(format=ox.RdfFormat.N_QUADS)
    dataset = rdflib.Dataset()
    dataset.parse(data=nquads, format="nquads")
    graph = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def validate(graph: rdflib.Graph, shapes: rdflib.Graph) -> tuple[bool, str]:
    import pyshacl

    conforms, _, text = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=False)
    return conforms, text


@pytest.fixture(scope="module")
def sample_graph(sample_store: LocalStore) -> rdflib.Graph:
    return data_graph(sample_store.current_snapshot())


def test_sample_graph_conforms(sample_graph: rdflib.Graph, shapes: rdflib.Graph) -> None:
    conforms, text = validate(sample_graph, shapes)
    assert conforms, text


def test_legacy_graph_conforms(tmp_path: Path, legacy_datadir: Path, shapes: rdflib.Graph) -> None:
    store = LocalStore(tmp_path / "store")
    run_ingest(legacy_datadir, store, jobs=1)
    conforms, text = validate(data_graph(store.current_snapshot()), shapes)
    assert conforms, text


def test_every_contribution_name_belongs_to_its_person(sample_graph: rdflib.Graph) -> None:
    """What SHACL Core cannot say: the printed-name node of a contribution is a name of *its* person."""
    bad = list(
        sample_graph.query("""
        PREFIX bibkg: <https://w3id.org/bibkg/ns#>
        SELECT ?c WHERE { ?c bibkg:person ?p ; bibkg:printedName ?n . FILTER NOT EXISTS { ?p bibkg:personName ?n } }""")
    )
    assert bad == []


PAPER = rdflib.URIRef(iris.paper_iri("2025.acl-long.1141"))
AUTHOR1 = rdflib.URIRef(iris.contribution_iri(str(PAPER), "author", 1))
PERSON = rdflib.URIRef(iris.person_iri("yaodong-yang"))


def _drop(g: rdflib.Graph, s, p) -> rdflib.Graph:
    g.remove((s, p, None))
    return g


MUTATIONS = {
    "contribution without person": lambda g: _drop(g, AUTHOR1, BIBKG.person),
    "contribution without name": lambda g: _drop(g, AUTHOR1, BIBKG.printedName),
    "contribution with two positions": lambda g: g.add((AUTHOR1, BIBKG.position, rdflib.Literal(99))),
    "position zero": lambda g: _drop(g, AUTHOR1, BIBKG.position).add((AUTHOR1, BIBKG.position, rdflib.Literal(0))),
    "authorship shared by two papers": lambda g: g.add(
        (rdflib.URIRef(iris.paper_iri("2025.acl-long.1544")), BIBKG.authorship, AUTHOR1)
    ),
    "front matter with an author": lambda g: g.add(
        (rdflib.URIRef(iris.paper_iri("2025.acl-long.0")), BIBKG.author, PERSON)
    ),
    "paper without title": lambda g: _drop(g, PAPER, BIBKG.title),
    "year as a string": lambda g: _drop(g, PAPER, BIBKG.year).add((PAPER, BIBKG.year, rdflib.Literal("2025"))),
    "person without label": lambda g: _drop(g, PERSON, RDFS.label),
    "name without family name": lambda g: (
        [g.remove((n, BIBKG.familyName, None)) for n in g.objects(PERSON, BIBKG.canonicalName)] and g
    ),
    "script variant without language": lambda g: g.add((PERSON, BIBKG.scriptVariant, rdflib.Literal("耀东 杨"))),
    "doi as a string": lambda g: g.add(
        (rdflib.URIRef(iris.paper_iri("2025.acl-long.1544")), BIBKG.doi, rdflib.Literal("10.1/x"))
    ),
    "volume is a paper": lambda g: g.add((rdflib.URIRef(iris.volume_iri("2025.acl-long")), RDF.type, BIBKG.Paper)),
}


# pyshacl takes about a second per run: check a representative few by default
QUICK = [
    "contribution without name",
    "contribution without person",
    "front matter with an author",
    "name without family name",
    "script variant without language",
]


@pytest.mark.parametrize("mutation", QUICK)
def test_shapes_catch_broken_data(sample_graph: rdflib.Graph, shapes: rdflib.Graph, mutation: str) -> None:
    graph = rdflib.Graph()
    for triple in sample_graph:
        graph.add(triple)
    MUTATIONS[mutation](graph)
    conforms, _ = validate(graph, shapes)
    assert not conforms, f"shapes accepted: {mutation}"
