"""Names (equality, slugs, canonical-name score) and markup stripping."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from bibkg.anthology.names import Name, slug_of
from bibkg.anthology.text import inner_markup, plain_text, tex_to_text
from bibkg.anthology.xmlreader import read_collection
from bibkg.errors import SourceError
from bibkg.mapping.globals import canonical_name


def test_name_equality_ignores_script_and_empty_first() -> None:
    assert Name("", "Mausam") == Name(None, "Mausam")
    assert Name(None, "Mausam").first is None
    assert Name("嘉宁", "吴", "hani") == Name("嘉宁", "吴")
    assert Name("Jose", "Perez") != Name("José", "Pérez")
    assert hash(Name("", "X")) == hash(Name(None, "X"))


def test_full_and_last_first() -> None:
    assert Name("Yaodong", "Yang").full == "Yaodong Yang"
    assert Name(None, "The FabNLP Consortium").full == "The FabNLP Consortium"
    assert Name("Yaodong", "Yang").last_first == "Yang, Yaodong"
    assert Name(None, "Mausam").last_first == "Mausam"


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        (Name("José", "Pérez"), "jose-perez"),
        (Name("Jose", "Perez"), "jose-perez"),
        (Name("Søren", "Kierkel"), "soren-kierkel"),
        (Name("Alícia", "Moreno"), "alicia-moreno"),
        (Name("Tianyi Alex", "Qiu"), "tianyi-alex-qiu"),
        (Name("Chi-Min", "Chan"), "chi-min-chan"),
        (Name(None, "The FabNLP Consortium"), "the-fabnlp-consortium"),
    ],
)
def test_slugs_follow_python_slugify(name: Name, slug: str) -> None:
    assert name.slug == slug


def test_slug_of_empty_name_is_none() -> None:
    assert slug_of("") == "none"


def test_canonical_name_prefers_the_best_scoring_spelling() -> None:
    assert canonical_name([Name("Jose", "Perez"), Name("José", "Pérez")]) == Name("José", "Pérez")
    assert Name("José", "Pérez").score() > Name("Jose", "Perez").score()
    # odd capitalisation scores lower
    assert Name("Yaodong", "Yang").score() > Name("yaodong", "yang").score()
    # equal scores: the first seen wins
    assert canonical_name([Name("Ann", "Lee"), Name("Ben", "Lee")]) == Name("Ann", "Lee")


# --- markup --------------------------------------------------------------------------------------


def _el(xml: str) -> etree._Element:
    return etree.fromstring(xml)


@pytest.mark.parametrize(
    ("xml", "text"),
    [
        ("<title><fixed-case>BERT</fixed-case>-style <fixed-case>A</fixed-case>tlantis</title>", "BERT-style Atlantis"),
        ("<title>A <i>very</i> <b>bold</b> claim</title>", "A very bold claim"),
        ("<abstract>See <url>https://example.org/x</url>.</abstract>", "See https://example.org/x."),
        ("<title>Costs <tex-math>\\times</tex-math> two</title>", "Costs × two"),
        ("<title>An <tex-math>O(n^2)</tex-math> study</title>", "An O(n^2) study"),
        ("<title>  spaced\n   out  </title>", "spaced out"),
        ("<title/>", ""),
    ],
)
def test_plain_text_strips_markup(xml: str, text: str) -> None:
    assert plain_text(_el(xml)) == text


def test_inner_markup_keeps_source_xml() -> None:
    el = _el("<title><fixed-case>BERT</fixed-case> and <tex-math>x^2</tex-math></title>")
    assert inner_markup(el) == "<fixed-case>BERT</fixed-case> and <tex-math>x^2</tex-math>"


def test_tex_to_text() -> None:
    assert tex_to_text("\\times") == "×"
    assert tex_to_text("\\mathcal{O}(n^2)") == "𝒪(n^2)"
    # input pylatexenc cannot parse is kept as TeX source, never raises
    assert tex_to_text("\\badmacro{") == "\\badmacro{"


def _collection(tmp_path: Path, body: str, name: str = "2099.t") -> Path:
    path = tmp_path / "xml" / f"{name}.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"<?xml version='1.0' encoding='UTF-8'?>\n<collection id=\"{name}\">\n{body}\n</collection>\n",
        encoding="utf-8",
    )
    return path


VOLUME = """<volume id="1"><meta><booktitle>Proc. of <fixed-case>T</fixed-case>est</booktitle><year>2099</year></meta>
<paper id="1"><title>{title}</title><author><first>A</first><last>B</last></author></paper>
</volume>"""


def test_reader_strips_title_markup_and_keeps_it_for_bibtex(tmp_path: Path) -> None:
    path = _collection(tmp_path, VOLUME.format(title="<fixed-case>NLP</fixed-case> in <i>the</i> year <b>2099</b>"))
    volume = read_collection(path).volumes[0]
    assert volume.booktitle == "Proc. of Test"
    assert volume.booktitle_markup == "Proc. of <fixed-case>T</fixed-case>est"
    paper = volume.papers[0]
    assert paper.title == "NLP in the year 2099"
    assert paper.title_markup == "<fixed-case>NLP</fixed-case> in <i>the</i> year <b>2099</b>"


def test_reader_keeps_space_between_adjacent_markup(tmp_path: Path) -> None:
    path = _collection(tmp_path, VOLUME.format(title="<i>Fabricated</i> <b>Tasks</b>"))
    paper = read_collection(path).volumes[0].papers[0]
    assert paper.title == "Fabricated Tasks"
    assert paper.title_markup == "<i>Fabricated</i> <b>Tasks</b>"


def test_reader_errors_name_file_and_line(tmp_path: Path) -> None:
    path = _collection(
        tmp_path,
        '<volume id="1"><meta><booktitle>X</booktitle><year>2099</year></meta>\n'
        '<paper id="1"><title>T</title>\n<author><first>A</first></author></paper></volume>',
    )
    with pytest.raises(SourceError) as info:
        read_collection(path)
    assert info.value.path == path
    assert info.value.line == 5
    assert "without a <last>" in str(info.value)
    assert f"{path}:5" in str(info.value)


def test_reader_reads_script_variants(tmp_path: Path) -> None:
    body = """<volume id="1"><meta><booktitle>X</booktitle><year>2099</year></meta>
<paper id="1"><title>T</title><author id="jianing-wu"><first>Jianing</first><last>Wu</last>
<variant script="hani"><first>嘉宁</first><last>吴</last></variant><affiliation>U</affiliation></author></paper></volume>"""
    spec = read_collection(_collection(tmp_path, body)).volumes[0].papers[0].authors[0]
    assert spec.name == Name("Jianing", "Wu")
    assert spec.id == "jianing-wu"
    assert spec.affiliation == "U"
    assert spec.variants == (Name("嘉宁", "吴"),)
    assert spec.variants[0].script == "hani"
    assert spec.line == 4
