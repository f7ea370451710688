"""Corrections as data: requests checked in themselves (400) and against the sample's graph
(404/409), and the edits an applied correction makes (the Anthology's explicit ids)."""

from __future__ import annotations

import pytest

from bibkg.anthology.names import Name
from bibkg.anthology.people import load_people
from bibkg.corrections import errors as E
from bibkg.corrections.checks import check_orcid
from bibkg.corrections.effect import Effect, Overrides
from bibkg.corrections.facts import GraphFacts
from bibkg.corrections.json_form import change_from_dict, correction_from_dict, correction_to_dict
from bibkg.corrections.model import Correction
from bibkg.corrections.planner import plan


def correction(change: dict, cid: str = "c-0000000000000001") -> Correction:
    return Correction(cid, change_from_dict(change), "alice", "2026-12-01T00:00:00.000Z", "test")


def reassign(paper="2025.findings-acl.721", position=7, name=None, source="juntao-dai", to=None) -> dict:
    return {
        "kind": "reassign",
        "from": source,
        "authorships": [{"paper": paper, "position": position, "name": name or {"first": "Josef", "last": "Dai"}}],
        "to": to or {"type": "new", "name": {"first": "Josef", "last": "Dai"}, "disambiguator": "sample"},
    }


@pytest.fixture(scope="module")
def facts(sample_store):
    store, lease = sample_store.open_leased()
    yield GraphFacts(store)
    lease.release()


@pytest.fixture(scope="module")
def people(sample_datadir):
    return load_people(sample_datadir)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": "nope"}, "kind"),
        (reassign(position=0), "authorships[0].position"),
        (reassign(paper="<script>"), "authorships[0].paper"),
        (reassign(to={"type": "person", "id": "juntao-dai"}), "to.id"),
        (reassign(to={"type": "new", "name": {"first": "X"}}), "to.name.last"),
        (reassign(to={"type": "new", "name": "Dai, Josef", "orcid": "0000-0002-1825-0098"}), "to.orcid"),
        ({"kind": "merge", "source": "juntao-dai", "into": "juntao-dai"}, "into"),
        ({"kind": "merge", "source": "juntao-dai", "into": "unverified/x"}, "into"),
        ({"kind": "split", "person": "juntao-dai", "papers": []}, "papers"),
    ],
)
def test_malformed_requests_are_400_naming_the_field(change, field):
    with pytest.raises(E.InvalidCorrection) as info:
        change_from_dict(change)
    assert info.value.status == 400 and info.value.field == field


def test_orcid_check_digit():
    assert check_orcid("https://orcid.org/0000-0002-1825-0097", "o") == "0000-0002-1825-0097"
    with pytest.raises(E.InvalidCorrection):
        check_orcid("0000-0002-1825-0098", "o")


def test_json_round_trip():
    c = correction(reassign())
    assert correction_from_dict(correction_to_dict(c)) == c


@pytest.mark.parametrize(
    "change, error, status",
    [
        (reassign(paper="2099.nope.1"), E.UnknownPaper, 404),
        (reassign(position=99), E.PositionOutOfRange, 404),
        (reassign(name={"first": "Juntao", "last": "Dai"}), E.StaleName, 409),
        (reassign(source="yaodong-yang"), E.NotThatPerson, 409),
        (reassign(source="no-such-person"), E.UnknownPerson, 404),
        (reassign(to={"type": "person", "id": "no-such-person"}), E.UnknownPerson, 404),
        (reassign(to={"type": "person", "id": "unverified/jiaming-ji"}), E.Conflict, 409),
        (reassign(to={"type": "new", "name": "Dai, Josef", "id": "yaodong-yang"}), E.Conflict, 409),
        (reassign(to={"type": "new", "name": "Yang, Yaodong"}), E.Conflict, 409),
        ({"kind": "merge", "source": "juntao-dai", "into": "nobody"}, E.UnknownPerson, 404),
        ({"kind": "verify", "person": "juntao-dai"}, E.Conflict, 409),
    ],
)
def test_requests_the_graph_contradicts(facts, people, change, error, status):
    with pytest.raises(error) as info:
        plan(correction(change), facts, people)
    assert info.value.status == status
    assert info.value.message


def test_seed_example_new_person_sets_an_explicit_id(facts, people):
    effect = plan(correction(reassign()), facts, people)
    target = [p for p in effect.pins if p.key == ("2025.findings-acl.721", "author", 7)]
    assert target and target[0].person == "josef-dai-sample" and target[0].before == "juntao-dai"
    entries = dict(effect.entries)
    assert entries["josef-dai-sample"].names == (Name("Josef", "Dai"),)
    # the slug josef-dai now names two verified persons: the others stay with juntao-dai explicitly
    others = {p.key for p in effect.pins if p.person == "juntao-dai"}
    assert others == {(c.item, "author", c.position) for c in facts.contributions("juntao-dai")} - {target[0].key}
    assert effect.moved == (
        (
            target[0].key,
            "juntao-dai",
            "josef-dai-sample",
            target[0].key and "https://aclanthology.org/2025.findings-acl.721/#author-7",
        ),
    )
    assert Effect.from_dict(effect.to_dict()) == effect


def test_existing_person_gets_the_printed_name(facts, people):
    change = reassign(
        "2025.naacl-demo.23",
        23,
        {"first": "Yi", "last": "Liu"},
        "unverified/yi-liu",
        {"type": "person", "id": "yi-liu-sample-b"},
    )
    effect = plan(correction(change), facts, people)
    assert [(p.key, p.person) for p in effect.pins] == [(("2025.naacl-demo.23", "author", 23), "yi-liu-sample-b")]
    assert effect.entries == ()  # the name is declared already


def test_unknown_disables_name_matching_and_pins_the_rest(facts, people):
    change = reassign(
        "2025.findings-acl.721", 8, {"first": "Yaodong", "last": "Yang"}, "yaodong-yang", {"type": "unknown"}
    )
    effect = plan(correction(change), facts, people)
    pins = {p.key: p.person for p in effect.pins}
    assert pins[("2025.findings-acl.721", "author", 8)] is None
    assert dict(effect.entries)["yaodong-yang"].disable_name_matching
    assert sum(1 for v in pins.values() if v == "yaodong-yang") == 6
    assert effect.moved[0][2] == "unverified/yaodong-yang"


def test_merge_moves_every_contribution_and_removes_the_source(facts, people):
    effect = plan(correction({"kind": "merge", "source": "juntao-dai", "into": "yaodong-yang"}), facts, people)
    entries = dict(effect.entries)
    assert entries["juntao-dai"] is None
    assert Name("Josef", "Dai") in entries["yaodong-yang"].names
    assert {m[2] for m in effect.moved} == {"yaodong-yang"} and len(effect.moved) == 4


def test_verify_makes_an_unverified_page_explicit(facts, people):
    effect = plan(
        correction({"kind": "verify", "person": "unverified/jiaming-ji", "orcid": "0000-0002-1825-0097"}), facts, people
    )
    entry = dict(effect.entries)["jiaming-ji"]
    assert entry.orcid == "0000-0002-1825-0097" and entry.names == (Name("Jiaming", "Ji"),)
    assert {m[2] for m in effect.moved} == {"jiaming-ji"}


def test_overrides_set_ids_on_the_records(sample_datadir, facts, people):
    from bibkg.anthology.xmlreader import read_collection

    effect = plan(correction(reassign()), facts, people)
    overrides = Overrides.fold([effect])
    collection = read_collection(sample_datadir / "xml" / "2025.findings.xml")
    changed = overrides.collection(collection)
    paper = next(p for v in changed.volumes for p in v.papers if p.full_id == "2025.findings-acl.721")
    assert paper.authors[6].id == "josef-dai-sample"
    assert "josef-dai-sample" in overrides.people(people).persons
    assert overrides.stale(collection) == []
