"""The named Daily Papers queries on the sample with the seed author's preprints."""

from __future__ import annotations

import pytest

from bibkg.read.runner import rows
from bibkg.sparql.catalog import ParameterError, default_catalog
from bibkg.store.local import LocalStore
from bibkg.store.oxigraph import OxigraphStore


def run(store: LocalStore, name: str, **params: str) -> list[dict[str, str]]:
    query = default_catalog()[name]
    opened = OxigraphStore.open(store)
    try:
        return [
            {k: v.value for k, v in row.items()} for row in rows(opened.query(query.text, bindings=query.bind(params)))
        ]
    finally:
        opened.close()


def test_public_and_internal() -> None:
    catalog = default_catalog()
    public = {q.name for q in catalog.public()}
    assert {"preprint", "person-preprints", "daily-papers", "coauthors-across-sources"} <= public
    linker = {"ld-published-papers", "ld-paper-cards", "link-person-names", "link-preprints"}
    assert not linker & public
    assert all(catalog[name].internal for name in linker)  # the linker still finds them by name


def test_preprint_by_arxiv_id_with_its_paper(hf_store: LocalStore) -> None:
    [row] = run(hf_store, "preprint", arxiv="2406.15513v3")
    assert row["anthologyId"] == "2025.acl-long.1544" and row["authors"] == "13"
    assert float(row["score"]) >= 0.9 and row["yearGap"] == "1" and row["method"].startswith("bibkg-hf-link/")
    assert run(hf_store, "preprint", arxiv="2406.99999") == []
    with pytest.raises(ParameterError):
        run(hf_store, "preprint")


def test_person_preprints(hf_store: LocalStore) -> None:
    found = run(hf_store, "person-preprints", person="juntao-dai")
    assert [(r["arxivId"], r["printedAs"], r["anthologyId"]) for r in found] == [
        ("2506.06636", "Juntao Dai", "2025.findings-acl.721"),
        ("2406.15513", "Juntao Dai", "2025.acl-long.1544"),
        ("2406.06144", "Juntao Dai", "2025.acl-long.1141"),
    ]
    assert len(run(hf_store, "person-preprints", person="yaodong-yang")) == 5


def test_daily_papers_of_a_day(hf_store: LocalStore) -> None:
    [row] = run(hf_store, "daily-papers", day="2025-06-07")
    assert (row["arxivId"], row["authors"], row["anthologyId"]) == ("2506.06636", "10", "2025.findings-acl.721")
    assert run(hf_store, "daily-papers", day="2025-06-08") == []


def test_coauthors_across_sources(hf_store: LocalStore) -> None:
    found = {r["name"]: r for r in run(hf_store, "coauthors-across-sources", person="yaodong-yang")}
    dai = found["Josef Dai"]
    assert dai["coauthor"].endswith("/people/juntao-dai/") and (dai["papers"], dai["preprints"]) == ("4", "3")
    assert "Juntao Dai" not in found  # the arXiv name is the same person, counted once
    assert "Yaodong Yang" not in found
