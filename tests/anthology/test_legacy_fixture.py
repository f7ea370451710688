"""The legacy-layout fixture: every expectation of tests/data/legacy/EXPECTED.md."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from bibkg import iris
from bibkg.anthology.people import load_people
from bibkg.anthology.xmlreader import read_collection
from bibkg.ingest import IngestReport, collection_files, run_ingest
from bibkg.mapping.collection import map_collection
from bibkg.store.local import LocalStore
from tests.core.helpers import ask, rows, values

# EXPECTED.md section 1: (item, role, position) -> person id, for every author/editor entry.
EXPECTED_CONTRIBUTIONS = {
    ("2022.fabconf-1", "editor", 1): "alicia-moreno",
    ("2022.fabconf-1", "editor", 2): "pat-lee-fab",
    ("2022.fabconf-1", "editor", 3): "alicia-moreno",
    ("2022.fabconf-1.2", "author", 1): "alicia-moreno",
    ("2022.fabconf-1.2", "author", 2): "jose-perez",
    ("2022.fabconf-1.2", "author", 3): "pat-lee-fab",
    ("2022.fabconf-1.3", "author", 1): "jose-perez",
    ("2022.fabconf-1.3", "author", 2): "wei-zhang-a",
    ("2022.fabconf-1.3", "author", 3): "kim-novak",  # the `variant:` quirk is honoured (note A)
    ("2022.fabconf-1.3", "author", 4): "the-fabnlp-consortium",
    ("2022.fabconf-1.4", "author", 1): "unverified/wei-zhang",
    ("2022.fabconf-1.4", "author", 2): "soren-kierkel",
    ("2022.fabconf-1.4", "author", 3): "alicia-moreno",
    ("2022.fabconf-1.5", "author", 1): "jianing-wu",
    ("2022.fabconf-1.5", "author", 2): "wei-zhang-b",
    ("2022.fabws-1", "editor", 1): "soren-kierkel",
    ("2022.fabws-1.1", "author", 1): "soren-kierkel",
    ("2022.fabws-1.1", "author", 2): "wei-zhang-b",
    ("2022.fabj-3.1", "author", 1): "pat-lee-fab",
    ("2022.fabj-3.1", "author", 2): "alicia-moreno",
}

# EXPECTED.md section 2: person -> (canonical name, verified, authored papers, edited volumes)
EXPECTED_PERSONS = {
    "alicia-moreno": (
        "Alicia Moreno",
        True,
        {"2022.fabconf-1.2", "2022.fabconf-1.4", "2022.fabj-3.1"},
        {"2022.fabconf-1"},
    ),
    "pat-lee-fab": ("Pat Lee", True, {"2022.fabconf-1.2", "2022.fabj-3.1"}, {"2022.fabconf-1"}),
    "jose-perez": ("José Pérez", False, {"2022.fabconf-1.2", "2022.fabconf-1.3"}, set()),
    "wei-zhang-a": ("Wei Zhang", True, {"2022.fabconf-1.3"}, set()),
    "wei-zhang-b": ("Wei Zhang", True, {"2022.fabconf-1.5", "2022.fabws-1.1"}, set()),
    "unverified/wei-zhang": ("Wei Zhang", False, {"2022.fabconf-1.4"}, set()),
    "kim-novak": ("Kim Novak", True, {"2022.fabconf-1.3"}, set()),
    "the-fabnlp-consortium": ("The FabNLP Consortium", False, {"2022.fabconf-1.3"}, set()),
    "soren-kierkel": ("Søren Kierkel", True, {"2022.fabconf-1.4", "2022.fabws-1.1"}, {"2022.fabws-1"}),
    "jianing-wu": ("Jianing Wu", False, {"2022.fabconf-1.5"}, set()),
}


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory, legacy_datadir: Path) -> tuple[LocalStore, IngestReport]:
    store = LocalStore(tmp_path_factory.mktemp("legacy-store"))
    report = run_ingest(legacy_datadir, store, jobs=1)
    return store, report


def pid(iri: str) -> str:
    person = iris.person_id_from_iri(iri)
    assert person is not None, iri
    return person


def test_pure_mapping_resolves_every_entry(legacy_datadir: Path) -> None:
    people = load_people(legacy_datadir)
    found = {}
    for path in collection_files(legacy_datadir):
        for item, role, position, person in map_collection(read_collection(path), people).contributions:
            found[(item, role, position)] = person
    assert found == EXPECTED_CONTRIBUTIONS


def test_store_resolves_every_entry(legacy) -> None:
    store, _ = legacy
    found = {}
    for r in rows(
        store,
        """SELECT ?item ?link ?node ?pos ?person WHERE {
            ?item ?link ?node . VALUES ?link { bibkg:authorship bibkg:editorship }
            ?node bibkg:position ?pos ; bibkg:person ?person }""",
    ):
        item = r["item"].removeprefix(iris.ANTHOLOGY).removeprefix("volumes/").rstrip("/")
        role = "author" if r["link"].endswith("authorship") else "editor"
        assert r["node"] == iris.contribution_iri(r["item"], role, int(r["pos"]))
        found[(item, role, int(r["pos"]))] = pid(r["person"])
    assert found == EXPECTED_CONTRIBUTIONS


def test_persons_canonical_names_and_items(legacy) -> None:
    store, report = legacy
    persons = {
        pid(r["p"]): (r["label"], r["verified"] == "true")
        for r in rows(
            store,
            "SELECT ?p ?label ?verified WHERE { ?p a bibkg:Person ; rdfs:label ?label ; bibkg:verified ?verified }",
        )
    }
    assert persons == {k: v[:2] for k, v in EXPECTED_PERSONS.items()}
    assert report.persons == len(EXPECTED_PERSONS)
    authored, edited = defaultdict(set), defaultdict(set)
    for r in rows(store, "SELECT ?i ?p WHERE { ?i bibkg:author ?p }"):
        authored[pid(r["p"])].add(r["i"].removeprefix(iris.ANTHOLOGY).rstrip("/"))
    for r in rows(store, "SELECT ?i ?p WHERE { ?i bibkg:editor ?p }"):
        edited[pid(r["p"])].add(r["i"].removeprefix(iris.ANTHOLOGY + "volumes/").rstrip("/"))
    for person, (_, _, papers, volumes) in EXPECTED_PERSONS.items():
        assert authored[person] == papers, person
        assert edited[person] == volumes, person


def test_names_of_persons(legacy) -> None:
    store, _ = legacy

    def names(person: str) -> set[str]:
        return set(
            values(store, f"SELECT ?n WHERE {{ <{iris.person_iri(person)}> bibkg:personName/bibkg:fullName ?n }}")
        )

    assert {"Alicia Moreno", "Alicia M. Moreno", "Alícia Moreno"} <= names("alicia-moreno")
    assert {"Pat Lee", "Patricia Lee"} <= names("pat-lee-fab")
    assert {"Søren Kierkel", "S. Kierkel"} <= names("soren-kierkel")
    assert names("kim-novak") == {"Kim Novak", "Kimberly Novak"}
    assert names("jose-perez") == {"José Pérez", "Jose Perez"}
    canonical = values(
        store, f"SELECT ?n WHERE {{ <{iris.person_iri('jose-perez')}> bibkg:canonicalName/bibkg:fullName ?n }}"
    )
    assert canonical == ["José Pérez"]


def test_similar_and_comments(legacy) -> None:
    store, _ = legacy
    a, b = iris.person_iri("wei-zhang-a"), iris.person_iri("wei-zhang-b")
    assert ask(store, f"ASK {{ <{a}> bibkg:similar <{b}> . <{b}> bibkg:similar <{a}> }}")
    comments = {pid(r["p"]): r["c"] for r in rows(store, "SELECT ?p ?c WHERE { ?p a bibkg:Person ; rdfs:comment ?c }")}
    assert comments["alicia-moreno"] == "Universidad Ficticia"
    assert comments["wei-zhang-a"] == "Fabricated University A"
    assert comments["wei-zhang-b"] == "Fabricated Institute B"
    assert "kim-novak" in comments


def test_warnings(legacy) -> None:
    _, report = legacy
    by_kind = defaultdict(list)
    for w in report.warnings:
        by_kind[w.kind].append(w)
    assert sorted(by_kind) == ["ambiguous-name", "dangling-colocated", "duplicate-editor"]
    (amb,) = by_kind["ambiguous-name"]
    assert amb.item == "2022.fabconf-1.4" and "wei-zhang-a" in amb.message and "wei-zhang-b" in amb.message
    (dangling,) = by_kind["dangling-colocated"]
    assert dangling.item == "fabconf-2022" and "2022.ghost-1" in dangling.message
    (dup,) = by_kind["duplicate-editor"]
    assert dup.item == "2022.fabconf-1" and "Alicia Moreno" in dup.message


def test_duplicate_editor_gives_two_distinct_editors(legacy) -> None:
    store, _ = legacy
    vol = iris.volume_iri("2022.fabconf-1")
    assert len(values(store, f"SELECT ?e WHERE {{ <{vol}> bibkg:editorship ?e }}")) == 3
    assert sorted(map(pid, values(store, f"SELECT ?p WHERE {{ <{vol}> bibkg:editor ?p }}"))) == [
        "alicia-moreno",
        "pat-lee-fab",
    ]


def test_authorless_paper_is_kept(legacy) -> None:
    store, _ = legacy
    paper = iris.paper_iri("2022.fabconf-1.1")
    assert ask(store, f'ASK {{ <{paper}> a bibkg:Paper ; bibkg:title "Preface" ; bibkg:inVolume ?v }}')
    assert not ask(store, f"ASK {{ <{paper}> bibkg:authorship|bibkg:author ?x }}")
    front = iris.paper_iri("2022.fabconf-1.0")
    assert ask(store, f"ASK {{ <{front}> a bibkg:FrontMatter . FILTER NOT EXISTS {{ <{front}> a bibkg:Paper }} }}")
    assert ask(store, f"ASK {{ <{iris.volume_iri('2022.fabconf-1')}> bibkg:hasFrontMatter <{front}> }}")


def test_organisation_author(legacy) -> None:
    store, _ = legacy
    node = iris.contribution_iri(iris.paper_iri("2022.fabconf-1.3"), "author", 4)
    r = rows(
        store,
        f"SELECT * WHERE {{ <{node}> bibkg:person ?p ; bibkg:printedName ?n . ?n bibkg:familyName ?last OPTIONAL {{ ?n bibkg:givenName ?first }} }}",
    )
    assert len(r) == 1
    assert pid(r[0]["p"]) == "the-fabnlp-consortium"
    assert r[0]["last"] == "The FabNLP Consortium" and "first" not in r[0]


def test_script_variant_literal(legacy) -> None:
    store, _ = legacy
    person = iris.person_iri("jianing-wu")
    node = iris.contribution_iri(iris.paper_iri("2022.fabconf-1.5"), "author", 1)
    assert ask(store, f'ASK {{ <{person}> bibkg:scriptVariant "嘉宁 吴"@zh-Hani }}')
    assert ask(store, f'ASK {{ <{node}> bibkg:scriptVariant "嘉宁 吴"@zh-Hani }}')
    assert not ask(store, f'ASK {{ <{person}> bibkg:personName/bibkg:fullName "嘉宁 吴" }}')


def test_explicit_and_implicit_events(legacy) -> None:
    store, _ = legacy
    events = {
        r["id"]: r["explicit"] == "true"
        for r in rows(
            store, "SELECT ?id ?explicit WHERE { ?e a bibkg:Event ; bibkg:anthologyId ?id ; bibkg:explicit ?explicit }"
        )
    }
    assert events == {"fabconf-2022": True, "ws-2022": False, "fabws-2022": False, "fabj-2022": False}

    def volumes(event: str) -> set[str]:
        return {
            v.removeprefix(iris.ANTHOLOGY + "volumes/").rstrip("/")
            for v in values(store, f"SELECT ?v WHERE {{ ?v a bibkg:Volume ; bibkg:event <{iris.event_iri(event)}> }}")
        }

    assert volumes("fabconf-2022") == {"2022.fabconf-1", "2022.fabws-1"}
    assert volumes("ws-2022") == {"2022.fabconf-1"}
    assert volumes("fabws-2022") == {"2022.fabws-1"}
    assert volumes("fabj-2022") == {"2022.fabj-3"}
    event = iris.event_iri("fabconf-2022")
    assert values(store, f"SELECT ?v WHERE {{ <{event}> bibkg:colocated ?v }}") == [iris.volume_iri("2022.fabws-1")]
    r = rows(store, f"SELECT * WHERE {{ <{event}> bibkg:name ?name ; bibkg:location ?loc ; bibkg:dates ?dates }}")
    assert r == [
        {
            "name": "The First Fabricated Conference on Test Fixtures",
            "loc": "Nowhere, Atlantis",
            "dates": "May 21–22, 2022",
        }
    ]
    # the dangling colocated volume is not invented
    assert not ask(store, f"ASK {{ <{iris.volume_iri('2022.ghost-1')}> ?p ?o }}")
    # papers inherit the events of their volume
    assert ask(store, f"ASK {{ <{iris.paper_iri('2022.fabws-1.1')}> bibkg:event <{event}> }}")


def test_volumes_venues_journal_and_sig(legacy) -> None:
    store, _ = legacy
    conf, ws, journal = (iris.volume_iri(v) for v in ("2022.fabconf-1", "2022.fabws-1", "2022.fabj-3"))
    assert sorted(values(store, f"SELECT ?v WHERE {{ <{conf}> bibkg:venue ?v }}")) == [
        iris.venue_iri("fabconf"),
        iris.venue_iri("ws"),
    ]
    assert ask(store, f'ASK {{ <{conf}> a bibkg:Proceedings ; bibkg:year 2022 ; bibkg:month "May" }}')
    assert ask(
        store,
        f'ASK {{ <{conf}> bibkg:booktitle "Proceedings of the First Fabricated Conference on Test Fixtures (FabConf 2022)" }}',
    )
    assert ask(
        store,
        f'ASK {{ <{journal}> a bibkg:JournalIssue ; bibkg:volumeType "journal" ; bibkg:journalVolume "3" ; bibkg:journalIssue "2" }}',
    )
    assert not ask(store, f"ASK {{ <{journal}> a bibkg:Proceedings }}")
    assert not ask(store, f"ASK {{ <{journal}> bibkg:hasFrontMatter|bibkg:editorship ?x }}")
    assert ask(store, f'ASK {{ <{iris.paper_iri("2022.fabj-3.1")}> bibkg:pages "1–25" }}')
    assert ask(store, f"ASK {{ <{ws}> bibkg:sig <{iris.sig_iri('sigfab')}> }}")
    assert not ask(store, f"ASK {{ <{iris.volume_iri('2021.fabws-1')}> ?p ?o }}")
    venues = {
        r["id"]: r
        for r in rows(
            store,
            """SELECT ?id ?acl ?top ?letter WHERE { ?v a bibkg:Venue ; bibkg:anthologyId ?id ;
        bibkg:isAcl ?acl ; bibkg:isToplevel ?top OPTIONAL { ?v bibkg:oldstyleLetter ?letter } }""",
        )
    }
    assert set(venues) == {"fabconf", "fabws", "fabj", "ws"}
    assert (venues["fabconf"]["acl"], venues["fabconf"]["top"], venues["fabconf"]["letter"]) == ("true", "true", "F")
    assert (venues["fabj"]["acl"], venues["fabj"]["top"]) == ("false", "true")


def test_paper_fields_and_markup(legacy) -> None:
    store, _ = legacy
    p2, p5 = iris.paper_iri("2022.fabconf-1.2"), iris.paper_iri("2022.fabconf-1.5")
    (r,) = rows(
        store,
        f"SELECT * WHERE {{ <{p2}> bibkg:title ?t ; bibkg:titleMarkup ?m ; bibkg:abstract ?a ; bibkg:award ?aw ; bibkg:doi ?doi ; bibkg:pages ?pages }}",
    )
    assert (
        "<" not in r["t"]
        and r["t"].startswith("BERT-style Models for Fabricated")
        and r["t"].endswith("Tasks: An O(n^2) Study of Atlantis")
    )
    assert "<fixed-case>BERT</fixed-case>" in r["m"] and "<tex-math>O(n^2)</tex-math>" in r["m"]
    assert "<" not in r["a"] and "https://example.org/fabconf/code" in r["a"] and "(n^2)" in r["a"]
    assert r["a"].startswith("We study invented tasks with made-up data")
    assert (r["aw"], r["doi"], r["pages"]) == ("Best Paper", "https://doi.org/10.5555/fabconf.2022.2", "1-10")
    (r,) = rows(store, f"SELECT * WHERE {{ <{p5}> bibkg:title ?t ; bibkg:language ?l ; bibkg:note ?n }}")
    assert r == {
        "t": "Une étude fabriquée [A fabricated study]",
        "l": "fra",
        "n": "Fabricated note: presented as a poster",
    }


def test_title_text_exactly_as_expected(legacy) -> None:
    store, _ = legacy
    assert values(store, f"SELECT ?t WHERE {{ <{iris.paper_iri('2022.fabconf-1.2')}> bibkg:title ?t }}") == [
        "BERT-style Models for Fabricated Tasks: An O(n^2) Study of Atlantis"
    ]


def test_counts(legacy) -> None:
    _, report = legacy
    assert (report.collections, report.papers, report.frontmatter) == (3, 7, 2)
    roles = [role for (_, role, _) in EXPECTED_CONTRIBUTIONS]
    assert (report.authorships, report.editorships) == (roles.count("author"), roles.count("editor")) == (16, 4)
    assert report.people_format == "legacy"
