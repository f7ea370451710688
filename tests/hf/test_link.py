"""The linker's pure core: names, titles, alignment, decisions; and its Anthology side on the
sample store (paper cards and SPARQL give the same records)."""

from __future__ import annotations

import pytest

from bibkg.hf.link import (
    METHOD,
    AnthologyPaper,
    TitleIndex,
    align_authors,
    link,
)
from bibkg.hf.reader import HfAuthor, Preprint
from bibkg.hf.similarity import name_similarity, title_similarity

P = "https://aclanthology.org/people/"


def preprint(arxiv_id: str, title: str, names: list[str], date: str = "2024-06-10") -> Preprint:
    return Preprint(arxiv_id, title, None, date, tuple(HfAuthor(i, None, n) for i, n in enumerate(names, start=1)))


def paper(ident: str, title: str, authors: list[tuple[str, str]], year: int = 2024) -> AnthologyPaper:
    return AnthologyPaper(
        f"https://aclanthology.org/{ident}/", year, title, tuple((P + pid + "/", name) for pid, name in authors)
    )


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Hinrich Schütze", "Hinrich Schuetze", 1.0),
        ("Yinyu Wu", "Wu Yinyu", 1.0),
        ("Chi-Min Chan", "Chimin Chan", 1.0),
        ("Yanhan Ye", "YeYanhan YeYanhan", 1.0),
        ("Tianyi Qiu", "Tianyi Alex Qiu", 0.9),
        ("Gopala Anumanchipali", "Gopala Anumanchipalli", 0.85),
        ("J. Dai", "Juntao Dai", 0.8),
        ("Juntao Dai", "Josef Dai", 0.0),  # another given name: only the person's other names can tell
        ("Yi Liu", "Yi Lu", 0.0),
        ("Wei Li", "Wei Liu", 0.0),  # short family names one letter apart are different people
    ],
)
def test_name_similarity(a: str, b: str, expected: float) -> None:
    assert name_similarity(a, b) == expected
    assert name_similarity(b, a) == expected


def test_title_similarity_system_names() -> None:
    same = title_similarity("Qalam : A Multimodal LLM for Arabic", "Qalam: A Multimodal LLM for Arabic")
    assert same == 1.0
    renamed = title_similarity(
        "PKU-SafeRLHF: A Safety Alignment Preference Dataset for Llama Family Models",
        "PKU-SafeRLHF: Towards Multi-Level Safety Alignment for LLMs with Human Preference",
    )
    assert renamed >= 0.6  # same system, new subtitle
    sequel = title_similarity(
        "ANAH-v2: Scaling Analytical Hallucination Annotation of Large Language Models",
        "ANAH: Analytical Annotation of Hallucinations in Large Language Models",
    )
    assert sequel < 0.5  # a different system name before the colon: another work


def test_alignment_keeps_order_and_uses_other_names() -> None:
    pairs = align_authors(["A B", "Juntao Dai", "C D"], [("C D",), ("A B",), ("Josef Dai", "Juntao Dai")])
    # order-preserving: only two of the three can be aligned in order
    assert [(i, j) for i, j, _ in pairs] in ([(1, 2), (2, 3)],)


def test_link_changed_title_grown_authors_and_namesakes() -> None:
    seed = ["Jiaming Ji", "Donghai Hong", "Borong Zhang", "Boyuan Chen", "Juntao Dai", "Yaodong Yang"]
    anthology = [
        ("jiaming-ji", "Jiaming Ji"),
        ("donghai-hong", "Donghai Hong"),
        ("borong-zhang", "Borong Zhang"),
        ("boyuan-chen", "Boyuan Chen"),
        ("juntao-dai", "Josef Dai"),
        ("sirui-han", "Sirui Han"),
        ("yaodong-yang", "Yaodong Yang"),
    ]
    papers = [
        paper(
            "2025.acl-long.1544",
            "PKU-SafeRLHF: Towards Multi-Level Safety Alignment for LLMs with Human Preference",
            anthology,
            2025,
        ),
        # a namesake team with a generic title sharing words
        paper("2024.acl-long.9", "Safety Alignment Preference Dataset", [("yi-liu", "Yi Liu"), ("wei-li", "Wei Li")]),
        # the same team's other work
        paper(
            "2024.acl-long.10",
            "BeaverTails: Towards Improved Safety Alignment of LLM via a Human-Preference Dataset",
            anthology[:5],
        ),
    ]
    pre = [
        preprint("2406.15513", "PKU-SafeRLHF: A Safety Alignment Preference Dataset for Llama Family Models", seed),
        preprint(
            "2406.00001",
            "Safety Alignment Preference Dataset",
            ["Ana Gomez", "Yi Liu", "Bo Chen", "Carl Diaz", "Dan Evans"],
        ),
    ]
    names = {P + "juntao-dai/": ("Josef Dai", "Juntao Dai")}
    links = link(pre, TitleIndex(papers), lambda persons: {p: names[p] for p in persons if p in names})
    assert [(one.arxiv_id, one.paper) for one in links.papers] == [
        ("2406.15513", "https://aclanthology.org/2025.acl-long.1544/")
    ]
    found = links.papers[0]
    assert found.year_gap == 1 and found.title_similarity >= 0.6 and found.author_overlap > 0.8
    persons = {(one.position, one.person.rsplit("/", 2)[-2], one.paper_position) for one in links.persons}
    # Juntao Dai (arXiv) is the person printed "Josef Dai" at position 5; Yaodong Yang moved from 6 to 7
    assert (5, "juntao-dai", 5) in persons and (6, "yaodong-yang", 7) in persons
    assert len(persons) == 6
    # the generic-title preprint shares its title and "Yi Liu" with a paper: one name of five is a namesake
    assert all(one.arxiv_id != "2406.00001" for one in links.persons)


def test_no_author_in_common_is_no_link() -> None:
    papers = [paper("2024.acl-long.1", "Parrot: Multilingual Visual Instruction Tuning", [("x-y", "X Y")])]
    links = link(
        [preprint("2406.02539", "Parrot: Multilingual Visual Instruction Tuning", ["A B"])], TitleIndex(papers)
    )
    assert links.papers == () and links.persons == ()


def test_one_paper_one_preprint() -> None:
    authors = [("a-b", "A B"), ("c-d", "C D")]
    papers = [paper("2024.acl-long.1", "Graph Prompting for Scientific Tables", authors)]
    pre = [
        preprint("2406.1", "Graph Prompting for Scientific Tables", ["A B", "C D"]),
        preprint("2406.2", "Graph Prompting for Scientific Tables and Charts", ["A B"]),
    ]
    links = link(pre, TitleIndex(papers))
    assert [one.arxiv_id for one in links.papers] == ["2406.1"]
    assert METHOD.startswith("bibkg-hf-link/")


def test_anthology_source_cards_and_sparql_agree(sample_store) -> None:
    from bibkg.hf.anthology import AnthologySource
    from bibkg.store.oxigraph import OxigraphStore

    with_cards = OxigraphStore.open(sample_store)
    assert with_cards.paper_cards is not None
    without = OxigraphStore(with_cards.native)
    a = sorted(AnthologySource(with_cards).papers(range(2024, 2027)), key=lambda p: p.iri)
    b = sorted(AnthologySource(without).papers(range(2024, 2027)), key=lambda p: p.iri)
    assert a == b and len(a) == 7
    assert AnthologySource(without).papers(range(2000, 2010)) == []
    names = AnthologySource(without).person_names([P + "juntao-dai/", P + "nobody/"])
    assert names == {P + "juntao-dai/": ("Josef Dai", "Juntao Dai")}
