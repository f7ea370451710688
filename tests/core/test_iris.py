"""IRI minting (src/bibkg/iris.py): every function, the person-id round trip, determinism."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bibkg import iris


def test_entity_iris_reuse_anthology_urls() -> None:
    assert iris.paper_iri("2024.acl-long.1") == "https://aclanthology.org/2024.acl-long.1/"
    assert iris.paper_iri("2024.acl-long.0") == "https://aclanthology.org/2024.acl-long.0/"
    assert iris.volume_iri("2024.acl-long") == "https://aclanthology.org/volumes/2024.acl-long/"
    assert iris.venue_iri("acl") == "https://aclanthology.org/venues/acl/"
    assert iris.event_iri("acl-2024") == "https://aclanthology.org/events/acl-2024/"
    assert iris.sig_iri("sigdat") == "https://aclanthology.org/sigs/sigdat/"
    assert iris.collection_iri("2024.acl") == "https://w3id.org/bibkg/collection/2024.acl"


def test_graph_iris() -> None:
    assert iris.collection_graph("2024.acl") == "https://w3id.org/bibkg/graph/collection/2024.acl"
    assert iris.collection_graph("x").startswith(iris.COLLECTION_GRAPH_PREFIX)
    graphs = {iris.PEOPLE_GRAPH, iris.VENUES_GRAPH, iris.EVENTS_GRAPH, iris.STATS_GRAPH}
    assert len(graphs) == 4
    assert all(g.startswith(iris.BIBKG_ID + "graph/") for g in graphs)


@pytest.mark.parametrize(
    ("person_id", "iri"),
    [
        ("yaodong-yang", "https://aclanthology.org/people/yaodong-yang/"),
        ("unverified/jane-doe", "https://aclanthology.org/people/jane-doe/unverified/"),
        ("bo-li-nus", "https://aclanthology.org/people/bo-li-nus/"),
        ("unverified/none", "https://aclanthology.org/people/none/unverified/"),
    ],
)
def test_person_iri_round_trip(person_id: str, iri: str) -> None:
    assert iris.person_iri(person_id) == iri
    assert iris.person_id_from_iri(iri) == person_id
    assert iris.person_id_from_iri(iris.person_iri(person_id)) == person_id


@pytest.mark.parametrize(
    "iri",
    [
        "https://aclanthology.org/people/",  # no id
        "https://aclanthology.org/people/yaodong-yang",  # no trailing slash
        "https://aclanthology.org/people/a/b/",  # not a person path
        "https://aclanthology.org/2024.acl-long.1/",
        "https://aclanthology.org/people/x/#name-0123456789ab",
        "http://aclanthology.org/people/yaodong-yang/",
        "",
    ],
)
def test_person_id_from_non_person_iris(iri: str) -> None:
    assert iris.person_id_from_iri(iri) is None


def test_contribution_iri_is_positional_and_deterministic() -> None:
    paper = iris.paper_iri("2025.acl-long.1141")
    assert iris.contribution_iri(paper, "author", 1) == paper + "#author-1"
    assert iris.contribution_iri(paper, "editor", 12) == paper + "#editor-12"
    assert iris.contribution_iri(paper, "author", 3) == iris.contribution_iri(paper, "author", 3)
    assert iris.contribution_iri(paper, "author", 1) != iris.contribution_iri(paper, "editor", 1)


def test_name_iri_hashes_the_exact_name_parts() -> None:
    person = iris.person_iri("yaodong-yang")
    a = iris.name_iri(person, "Yaodong", "Yang")
    assert a.startswith(person + "#name-")
    assert len(a.rsplit("-", 1)[1]) == 12
    assert a == iris.name_iri(person, "Yaodong", "Yang")
    assert a != iris.name_iri(person, "Yao-Dong", "Yang")
    assert a != iris.name_iri(iris.person_iri("other"), "Yaodong", "Yang")
    # the parts are separated: "A B" + "C" is not "A" + "B C"
    assert iris.name_iri(person, "A B", "C") != iris.name_iri(person, "A", "B C")
    # no first name and an empty first name are the same name
    assert iris.name_iri(person, None, "Mausam") == iris.name_iri(person, "", "Mausam")


def test_name_iri_is_stable_across_processes() -> None:
    """Built from data only (no salted hash(), counters or time): same value in a new process."""
    code = "from bibkg import iris;print(iris.name_iri(iris.person_iri('unverified/jane-doe'), 'Jane', 'Doe'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    here = iris.name_iri(iris.person_iri("unverified/jane-doe"), "Jane", "Doe")
    assert out.stdout.strip() == here
    import hashlib

    assert here.endswith(hashlib.sha1(b"Jane\x1fDoe").hexdigest()[:12])


def test_doi_orcid_and_external_iris() -> None:
    assert iris.doi_iri("10.18653/v1/2025.acl-long.1141") == "https://doi.org/10.18653/v1/2025.acl-long.1141"
    assert iris.doi_iri(" 10.5555/x y ") == "https://doi.org/10.5555/x%20y"
    assert iris.doi_iri("10.1162/tacl_a_00001<>") == "https://doi.org/10.1162/tacl_a_00001%3C%3E"
    assert iris.orcid_iri("0000-0002-1825-0097") == "https://orcid.org/0000-0002-1825-0097"
    assert iris.external_iri("https://example.org/a b?x=1#f") == "https://example.org/a%20b?x=1#f"
    assert iris.pdf_iri("2024.acl-long.1") == "https://aclanthology.org/2024.acl-long.1.pdf"
    assert iris.pdf_iri("https://example.org/paper.pdf") == "https://example.org/paper.pdf"
    assert iris.pdf_iri('http://x.org/a"b.pdf') == "http://x.org/a%22b.pdf"


def test_minted_iris_are_valid_rdf_iris() -> None:
    import pyoxigraph as ox

    for value in (
        iris.doi_iri("10.5555/{odd}|^`\\ chars"),
        iris.external_iri("https://example.org/<x> {y}"),
        iris.pdf_iri("https://example.org/a b.pdf"),
        iris.name_iri(iris.person_iri("unverified/jose-perez"), "José", "Pérez"),
    ):
        ox.NamedNode(value)  # raises ValueError on an invalid IRI
