"""People metadata in both formats and every person-resolution rule (pure functions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bibkg import iris
from bibkg.anthology.names import Name
from bibkg.anthology.people import (
    PeopleFormat,
    PeopleMetadata,
    load_people,
    read_current,
    read_legacy,
)
from bibkg.anthology.records import NameSpec, PersonEntry
from bibkg.anthology.resolve import resolve
from bibkg.errors import SourceError


def spec(first: str | None, last: str, id: str | None = None, line: int | None = 7) -> NameSpec:
    return NameSpec(Name(first, last), id=id, line=line)


def legacy(*entries: PersonEntry) -> PeopleMetadata:
    return PeopleMetadata(PeopleFormat.LEGACY, None, {e.id: e for e in entries})


def current(*entries: PersonEntry) -> PeopleMetadata:
    return PeopleMetadata(PeopleFormat.CURRENT, None, {e.id: e for e in entries})


ALICIA = PersonEntry("alicia-moreno", (Name("Alicia", "Moreno"), Name("Alicia M.", "Moreno")))
WEI_A = PersonEntry("wei-zhang-a", (Name("Wei", "Zhang"),), similar=("wei-zhang-b",))
WEI_B = PersonEntry("wei-zhang-b", (Name("Wei", "Zhang"),))
HAO = PersonEntry("hao-wang-x", (Name("Hao", "Wang"),), disable_name_matching=True)


# --- rule 1: an explicit id wins -------------------------------------------------------------------


@pytest.mark.parametrize("people", [legacy(ALICIA, WEI_A, WEI_B), current(ALICIA, WEI_A, WEI_B)])
def test_explicit_id_wins_over_the_name(people: PeopleMetadata) -> None:
    assert resolve(spec("Patricia", "Lee", id="alicia-moreno"), people) == ("alicia-moreno", None)
    # an ambiguous name with an id is not ambiguous
    assert resolve(spec("Wei", "Zhang", id="wei-zhang-b"), people) == ("wei-zhang-b", None)


def test_explicit_id_wins_even_over_disable_name_matching() -> None:
    assert resolve(spec("Hao", "Wang", id="hao-wang-x"), current(HAO)) == ("hao-wang-x", None)


@pytest.mark.parametrize("people", [legacy(ALICIA), current(ALICIA)])
def test_undeclared_explicit_id_is_kept_with_a_warning(people: PeopleMetadata) -> None:
    pid, warning = resolve(spec("Ghost", "Writer", id="ghost-writer"), people)
    assert pid == "ghost-writer"
    assert warning is not None and warning.kind == "undefined-id"
    assert "ghost-writer" in warning.message


# --- rule 2 (legacy): a name registered to exactly one person resolves to it ------------------------


def test_legacy_registered_name_resolves_to_its_person() -> None:
    people = legacy(ALICIA)
    assert resolve(spec("Alicia", "Moreno"), people) == ("alicia-moreno", None)
    assert resolve(spec("Alicia M.", "Moreno"), people) == ("alicia-moreno", None)


def test_legacy_registered_name_beats_its_own_slug() -> None:
    people = legacy(PersonEntry("pat-lee-fab", (Name("Pat", "Lee"), Name("Patricia", "Lee"))))
    assert resolve(spec("Patricia", "Lee"), people) == ("pat-lee-fab", None)


# --- rule 3 (legacy): else the slug; equal slugs are the same person -----------------------------------


def test_legacy_unregistered_name_resolves_to_its_slug() -> None:
    people = legacy(ALICIA)
    assert resolve(spec("José", "Pérez"), people) == ("jose-perez", None)
    assert resolve(spec("Jose", "Perez"), people) == ("jose-perez", None)
    # an unregistered spelling whose slug is a registered id joins that person
    assert resolve(spec("Alícia", "Moreno"), people) == ("alicia-moreno", None)
    # organisation authors have no first name
    assert resolve(spec(None, "The FabNLP Consortium"), people) == ("the-fabnlp-consortium", None)


def test_legacy_with_no_metadata_resolves_everything_by_slug() -> None:
    empty = legacy()
    assert resolve(spec("Wei", "Zhang"), empty) == ("wei-zhang", None)


# --- the current format: slug matches exactly one verified person --------------------------------------


def test_current_slug_matching_one_verified_person() -> None:
    people = current(ALICIA)
    assert resolve(spec("Alicia", "Moreno"), people) == ("alicia-moreno", None)
    # a different spelling with the same slug matches the verified person
    assert resolve(spec("Alícia", "Moreno"), people) == ("alicia-moreno", None)
    assert resolve(spec("Alicia M.", "Moreno"), people) == ("alicia-moreno", None)


def test_current_unmatched_name_is_unverified() -> None:
    people = current(ALICIA)
    pid, warning = resolve(spec("José", "Pérez"), people)
    assert (pid, warning) == ("unverified/jose-perez", None)
    assert iris.person_iri(pid) == "https://aclanthology.org/people/jose-perez/unverified/"
    # same slug, same unverified person
    assert resolve(spec("Jose", "Perez"), people)[0] == pid


def test_current_disable_name_matching() -> None:
    assert resolve(spec("Hao", "Wang"), current(HAO)) == ("unverified/hao-wang", None)


def test_current_slug_is_not_a_prefix_match() -> None:
    people = current(PersonEntry("yi-liu-x", (Name("Yi", "Liu"),)))
    assert resolve(spec("Yunhuai", "Liu"), people) == ("unverified/yunhuai-liu", None)


# --- the ambiguous case ---------------------------------------------------------------------------------


@pytest.mark.parametrize("people", [legacy(WEI_A, WEI_B), current(WEI_A, WEI_B)])
def test_ambiguous_name_is_unverified_and_warned_never_picked(people: PeopleMetadata) -> None:
    pid, warning = resolve(spec("Wei", "Zhang", line=53), people)
    assert pid == "unverified/wei-zhang"
    assert pid not in ("wei-zhang-a", "wei-zhang-b")
    assert warning is not None
    assert warning.kind == "ambiguous-name"
    assert "wei-zhang-a" in warning.message and "wei-zhang-b" in warning.message
    assert "Wei Zhang" in warning.message
    assert warning.line == 53


def test_ambiguous_warning_names_the_paper_after_mapping(legacy_datadir: Path) -> None:
    from bibkg.anthology.xmlreader import read_collection
    from bibkg.mapping.collection import map_collection

    result = map_collection(read_collection(legacy_datadir / "xml" / "2022.fabconf.xml"), load_people(legacy_datadir))
    (warning,) = [w for w in result.warnings if w.kind == "ambiguous-name"]
    assert warning.item == "2022.fabconf-1.4"
    assert warning.path and warning.path.endswith("2022.fabconf.xml")
    assert warning.line == 53
    text = str(warning)
    assert "2022.fabconf-1.4" in text and "wei-zhang-a" in text and "wei-zhang-b" in text
    assert ("2022.fabconf-1.4", "author", 1, "unverified/wei-zhang") in result.contributions


# --- reading the metadata files --------------------------------------------------------------------------


def test_read_legacy_fixture_including_the_variant_quirk(legacy_datadir: Path) -> None:
    people = read_legacy(legacy_datadir / "yaml" / "name_variants.yaml")
    assert people.format is PeopleFormat.LEGACY
    assert set(people.persons) == {
        "alicia-moreno",
        "wei-zhang-a",
        "wei-zhang-b",
        "pat-lee-fab",
        "kim-novak",
        "soren-kierkel",
    }
    # `variant:` (a single mapping) is read as a one-element `variants` list, not dropped
    assert people.persons["kim-novak"].names == (Name("Kim", "Novak"), Name("Kimberly", "Novak"))
    assert people.by_name[Name("Kimberly", "Novak")] == ["kim-novak"]
    # an entry without id gets the slug of its canonical name
    assert people.persons["soren-kierkel"].names[0] == Name("Søren", "Kierkel")
    assert people.by_name[Name("Wei", "Zhang")] == ["wei-zhang-a", "wei-zhang-b"]
    assert people.persons["wei-zhang-a"].similar == ("wei-zhang-b",)
    assert people.persons["alicia-moreno"].comment == "Universidad Ficticia"


def test_legacy_variant_quirk_resolves(legacy_datadir: Path) -> None:
    people = read_legacy(legacy_datadir / "yaml" / "name_variants.yaml")
    assert resolve(spec("Kimberly", "Novak"), people) == ("kim-novak", None)


def test_legacy_duplicate_generated_id_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "name_variants.yaml"
    path.write_text("- canonical: {first: Jo, last: Ann}\n- canonical: {first: Jo, last: Ann}\n", encoding="utf-8")
    with pytest.raises(SourceError, match="defined twice"):
        read_legacy(path)


CURRENT_PEOPLE = {
    "yaodong-yang": {
        "names": [{"first": "Yaodong", "last": "Yang"}, {"first": "Yao-Dong", "last": "Yang"}],
        "orcid": "0000-0000-0002-0250",
        "comment": "c",
        "degree": "Somewhere U",
    },
    "hao-wang-sample": {"names": [{"first": "Hao", "last": "Wang"}], "disable_name_matching": True},
    "org": {"names": [{"last": "Consortium"}], "similar": ["yaodong-yang"]},
}


def _check_current(people: PeopleMetadata, source: Path) -> None:
    assert people.format is PeopleFormat.CURRENT
    assert people.source == source
    y = people.persons["yaodong-yang"]
    assert y.names == (Name("Yaodong", "Yang"), Name("Yao-Dong", "Yang"))
    assert (y.orcid, y.comment, y.degree) == ("0000-0000-0002-0250", "c", "Somewhere U")
    assert people.persons["hao-wang-sample"].disable_name_matching is True
    assert people.persons["org"].names == (Name(None, "Consortium"),)
    assert people.persons["org"].similar == ("yaodong-yang",)
    assert people.by_slug["yaodong-yang"] == ["yaodong-yang"]
    assert resolve(spec("Yao-Dong", "Yang"), people) == ("yaodong-yang", None)
    assert resolve(spec("Hao", "Wang"), people) == ("unverified/hao-wang", None)


def test_read_current_yaml(tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "yaml" / "people.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(CURRENT_PEOPLE, allow_unicode=True), encoding="utf-8")
    _check_current(read_current(path), path)
    _check_current(load_people(tmp_path), path)


def test_read_current_json(tmp_path: Path) -> None:
    path = tmp_path / "json" / "people.json"
    path.parent.mkdir()
    path.write_text(json.dumps(CURRENT_PEOPLE), encoding="utf-8")
    _check_current(read_current(path), path)
    _check_current(load_people(tmp_path), path)


def test_load_people_prefers_current_then_legacy_then_nothing(tmp_path: Path, legacy_datadir: Path) -> None:
    assert load_people(tmp_path).persons == {}
    assert load_people(tmp_path).format is PeopleFormat.LEGACY
    (tmp_path / "yaml").mkdir()
    (tmp_path / "yaml" / "name_variants.yaml").write_text(
        (legacy_datadir / "yaml" / "name_variants.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert load_people(tmp_path).format is PeopleFormat.LEGACY
    (tmp_path / "yaml" / "people.yaml").write_text("p:\n  names:\n  - {first: A, last: B}\n", encoding="utf-8")
    assert load_people(tmp_path).format is PeopleFormat.CURRENT
    assert set(load_people(tmp_path).persons) == {"p"}


def test_sample_people_yaml(sample_datadir: Path) -> None:
    people = load_people(sample_datadir)
    assert people.format is PeopleFormat.CURRENT
    assert resolve(spec("Josef", "Dai"), people) == ("juntao-dai", None)
    assert resolve(spec("Yaodong", "Yang"), people) == ("yaodong-yang", None)
    assert resolve(spec("Hao", "Wang"), people) == ("unverified/hao-wang", None)
    pid, warning = resolve(spec("Yi", "Liu"), people)
    assert pid == "unverified/yi-liu" and warning is not None
    assert "yi-liu-sample-a" in warning.message and "yi-liu-sample-b" in warning.message


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("people.yaml", "p:\n  names: [ {first: A, last: B}\n", None),
        ("people.json", '{"p": {"names": [}', 1),
        ("people.yaml", "- not: a mapping\n", 1),
        ("people.yaml", "p:\n  names: []\n", None),
        ("people.yaml", "p:\n  names:\n  - {first: A}\n", None),
    ],
)
def test_malformed_current_metadata_is_a_source_error(tmp_path: Path, name: str, text: str, line: int | None) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as info:
        read_current(path)
    assert info.value.path == path
    if line is not None:
        assert info.value.line == line


def test_malformed_legacy_yaml_gives_the_line(tmp_path: Path) -> None:
    path = tmp_path / "name_variants.yaml"
    path.write_text("- canonical: {first: A, last: B}\n- canonical: {first: C, last: [D\n", encoding="utf-8")
    with pytest.raises(SourceError) as info:
        read_legacy(path)
    assert info.value.path == path and info.value.line is not None
    assert "malformed YAML" in str(info.value)
