"""Records of persons and printed names (:mod:`bibkg.read.people`) from the rows of the read
layer's queries: on the sample, on rows as other SPARQL servers write them, and on the full
corpus (every printed name of a spread of papers becomes one contribution)."""

from __future__ import annotations

import pyoxigraph as ox

from bibkg import config
from bibkg.read.people import contributions, person_facts, person_names
from bibkg.read.runner import QueryRunner, Row, rows
from bibkg.sparql.catalog import QueryCatalog
from bibkg.store.local import LocalStore
from bibkg.store.oxigraph import OxigraphStore

YANG = "https://aclanthology.org/people/yaodong-yang/"
PAPER = "https://aclanthology.org/2025.acl-long.1141/"


def _runner(local: LocalStore) -> QueryRunner:
    return QueryRunner(OxigraphStore.open(local), QueryCatalog.load(config.queries_dir()))


def _rows(runner: QueryRunner, name: str, var: str, iris: list[str]) -> dict[str, list[Row]]:
    """Rows of the batch query ``name`` per IRI of ``iris`` (400 IRIs per query)."""
    by_key: dict[str, list[Row]] = {i: [] for i in iris}
    for start in range(0, len(iris), 400):
        values = [ox.NamedNode(i) for i in iris[start : start + 400]]
        for row in rows(runner.query_sync(runner.catalog[name].with_values(var, values))):
            by_key[row[var].value].append(row)
    return by_key


def test_a_verified_person_with_a_name_in_another_script(sample_store: LocalStore) -> None:
    runner = _runner(sample_store)
    facts = person_facts(_rows(runner, "gql-persons", "person", [YANG])[YANG])
    assert facts is not None and facts.iri == YANG and facts.label == "Yaodong Yang" and facts.verified
    names = person_names(_rows(runner, "gql-person-details", "person", [YANG])[YANG])
    assert names.names[0] == "Yaodong Yang"
    assert names.script_variants == (("耀东 杨", "zh-hani"),)
    assert person_facts([]) is None


def test_contributions_are_one_per_printed_name_in_order(sample_store: LocalStore) -> None:
    runner = _runner(sample_store)
    found = contributions(_rows(runner, "gql-contributions", "item", [PAPER])[PAPER])
    authors = [c for c in found if c.role == "author"]
    assert [c.position for c in authors] == list(range(1, len(authors) + 1))
    yang = [c for c in authors if c.person == YANG]
    assert len(yang) == 1 and yang[0].script_variants == ("耀东 杨",)


def _literal(text: str) -> ox.Literal:
    return ox.Literal(text)


def test_rows_as_other_servers_write_them() -> None:
    """Virtuoso answers booleans as 1/0; a name with two script variants is two rows."""
    person = ox.NamedNode(YANG)
    facts = person_facts([{"person": person, "label": _literal("Y. Yang"), "verified": _literal("1")}])
    assert facts is not None and facts.verified and facts.orcid is None
    names = person_names(
        [
            {"person": person, "fullName": _literal("Y. Yang"), "canonical": _literal("0")},
            {"person": person, "fullName": _literal("Yaodong Yang"), "canonical": _literal("1")},
            {"person": person, "variant": ox.Literal("耀东 杨", language="zh-hani")},
            {"person": person, "similar": ox.NamedNode("https://aclanthology.org/people/yao-yang/")},
        ]
    )
    assert names.names == ("Yaodong Yang", "Y. Yang")
    assert names.script_variants == (("耀东 杨", "zh-hani"),)
    assert names.similar == ("https://aclanthology.org/people/yao-yang/",)
    row = {"role": _literal("author"), "position": _literal("2"), "person": person, "givenName": _literal("Yaodong"),
           "familyName": _literal("Yang")}  # fmt: skip
    two = contributions(
        [
            {**row, "variant": _literal("耀东 杨")},
            {**row, "variant": _literal("楊耀東")},
            {**row, "position": _literal("1"), "person": ox.NamedNode("https://aclanthology.org/people/a/")},
            {**row, "role": _literal("editor"), "position": _literal("1")},
        ]
    )
    assert [(c.role, c.position) for c in two] == [("author", 1), ("author", 2), ("editor", 1)]
    assert two[1].printed_name == "Yaodong Yang" and two[1].script_variants == ("耀东 杨", "楊耀東")


def test_every_printed_name_of_full_corpus_papers(corpus_store: LocalStore) -> None:
    """A spread of the full corpus: each paper's authors are numbered 1..n and each is one
    contribution with a person."""
    runner = _runner(corpus_store)
    papers = [
        row["paper"].value
        for row in runner.query_sync(
            "PREFIX bibkg: <https://w3id.org/bibkg/ns#> SELECT ?paper WHERE { ?paper a bibkg:Paper } ORDER BY ?paper"
        )
    ][::97]
    assert len(papers) > 900
    by_paper = _rows(runner, "gql-contributions", "item", papers)
    checked = 0
    for paper in papers:
        authors = [c for c in contributions(by_paper[paper]) if c.role == "author"]
        assert [c.position for c in authors] == list(range(1, len(authors) + 1)), paper
        assert all(c.person and c.printed_name for c in authors), paper
        checked += len(authors)
    assert checked > 2_000
