"""The statistics graph agrees with what live queries count, and its terms are in the ontology."""

from __future__ import annotations

import itertools

import pyoxigraph as ox

from bibkg import config, vocab
from bibkg.read.runner import rows
from bibkg.server.worker_snapshots import open_store

P = "PREFIX bibkg: <https://w3id.org/bibkg/ns#> "
NEW_TERMS = [
    "VenueYear",
    "AuthorRank",
    "paperCount",
    "authorCount",
    "firstYear",
    "lastYear",
    "venueYear",
    "topAuthor",
    "rank",
    "rankedPerson",
    "authorshipCount",
    "editorshipCount",
    "sourceSnapshot",
]


def _int(row, key: str) -> int:
    return int(row[key].value)


def test_counts_match_live_queries(sample_store) -> None:
    store = open_store(("snapshot", str(sample_store.current_snapshot())))
    live = {
        r["p"].value: _int(r, "n")
        for r in rows(
            store.query(
                P
                + "SELECT ?p (COUNT(DISTINCT ?paper) AS ?n) WHERE { ?paper a bibkg:Paper ; bibkg:author ?p } GROUP BY ?p"
            )
        )
    }
    stored = {
        r["p"].value: _int(r, "n")
        for r in rows(store.query(P + "SELECT ?p ?n WHERE { ?p bibkg:paperCount ?n ; a bibkg:Person }"))
    }
    assert live == stored
    vy_live = rows(
        store.query(
            P
            + """SELECT ?v ?y (COUNT(DISTINCT ?paper) AS ?n) (COUNT(DISTINCT ?a) AS ?authors)
        WHERE { ?paper a bibkg:Paper ; bibkg:venue ?v ; bibkg:year ?y . OPTIONAL { ?paper bibkg:author ?a } } GROUP BY ?v ?y"""
        )
    )
    vy_stored = rows(
        store.query(
            P
            + "SELECT ?v ?y ?n ?authors WHERE { ?s a bibkg:VenueYear ; bibkg:venue ?v ; bibkg:year ?y ; bibkg:paperCount ?n ; bibkg:authorCount ?authors }"
        )
    )
    key = lambda r: (r["v"].value, _int(r, "y"), _int(r, "n"), _int(r, "authors"))  # noqa: E731
    assert sorted(map(key, vy_live)) == sorted(map(key, vy_stored))


def test_top_authors_rank_ties(sample_store) -> None:
    store = open_store(("snapshot", str(sample_store.current_snapshot())))
    got = rows(
        store.query(
            P
            + """SELECT ?rank ?n WHERE { ?vy bibkg:venue <https://aclanthology.org/venues/findings/> ; bibkg:topAuthor ?r .
        ?r bibkg:rank ?rank ; bibkg:paperCount ?n } ORDER BY ?rank"""
        )
    )
    pairs = [(_int(r, "rank"), _int(r, "n")) for r in got]
    assert pairs[0] == (1, 4)
    for (r1, n1), (r2, n2) in itertools.pairwise(pairs):
        assert n2 <= n1 and (r2 == r1) == (n2 == n1)


def test_new_terms_in_vocab_and_ontology() -> None:
    onto = ox.Store()
    onto.load(path=str(config.ontology_dir() / "bibkg.ttl"), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    for name in NEW_TERMS:
        iri = getattr(vocab, name)
        assert iri == vocab.BIBKG + name
        node = ox.NamedNode(iri)
        assert list(onto.quads_for_pattern(node, ox.NamedNode(vocab.LABEL), None)), name
        assert list(onto.quads_for_pattern(node, ox.NamedNode(vocab.COMMENT), None)), name
