"""A correction confirms or rejects a Daily Papers link; the linker honours it on every path.

On the bundled sample (the seed author's five preprints, all linked) and on the full corpus
with every shared day: rejected links go and stay gone, confirmed ones hold whatever their
score and say which correction made them, a revert brings the linker's own links back, and the
Anthology's data is not touched (the export has nothing to say)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import pytest

from bibkg.corrections import errors as E
from bibkg.corrections.export import export
from bibkg.corrections.model import Role
from bibkg.corrections.rdf import GRAPH
from bibkg.corrections.service import Actor, CorrectionService
from bibkg.hf.ingest import ingest_hf, relink
from bibkg.hf.link import AnthologyPaper, Decisions, Links, TitleIndex, choose, score
from bibkg.hf.reader import HfAuthor, Preprint
from bibkg.ingest import run_ingest
from bibkg.store.local import LocalStore
from tests.core.helpers import run_cli

from .conftest import select

MAINTAINER = Actor("maria", Role.MAINTAINER)
CONTRIBUTOR = Actor("carl", Role.CONTRIBUTOR)
A = "https://aclanthology.org/"
P = "https://arxiv.org/abs/"
SAFELAW = "2506.06636"  # linked by the method to 2025.findings-acl.721, SafeLawBench


def decision(preprint: str, verdict: str, **target) -> dict:
    return {
        "change": {"kind": "link", "preprint": preprint, "decision": verdict, **target},
        "reason": "checked by hand",
        "evidence": ["https://arxiv.org/abs/" + preprint],
    }


@pytest.fixture()
def sample(tmp_path: Path, sample_datadir: Path, seed_dir: Path) -> tuple[Path, LocalStore]:
    data = tmp_path / "data"
    shutil.copytree(sample_datadir, data)
    local = LocalStore(tmp_path / "store")
    run_ingest(data, local, jobs=1)
    ingest_hf(local, [seed_dir])
    return data, local


def paper_links(local: LocalStore) -> dict[str, tuple[str, str | None, float]]:
    """arXiv id → (paper id, confirming correction id, score)."""
    found = select(
        local,
        """SELECT ?id ?paper ?by ?score WHERE {
        ?p bibkg:arxivId ?id ; bibkg:publishedAs ?paper ; bibkg:paperLink ?l . ?l bibkg:linkScore ?score .
        OPTIONAL { ?l bibkg:confirmedBy ?by } }""",
    )
    return {
        i: (paper.removeprefix(A).rstrip("/"), by.rsplit("/", 1)[-1] if by else None, float(s))
        for i, paper, by, s in found
    }


def person_links(local: LocalStore, arxiv_id: str) -> dict[int, tuple[str, str | None, str | None]]:
    """Position → (person IRI, confirming correction id, paper link it came through)."""
    found = select(
        local,
        f"""SELECT ?pos ?person ?by ?via WHERE {{
        <{P}{arxiv_id}> bibkg:preprintAuthorship ?a . ?a bibkg:position ?pos ; bibkg:linkedPerson ?person ;
        bibkg:personLink ?l . OPTIONAL {{ ?l bibkg:confirmedBy ?by }} OPTIONAL {{ ?l bibkg:viaLink ?via }} }}""",
    )
    return {int(pos): (person, by.rsplit("/", 1)[-1] if by else None, via) for pos, person, by, via in found}


# --- the linker, pure ----------------------------------------------------------------------------


def _preprint(arxiv_id: str, title: str, *names: str) -> Preprint:
    return Preprint(arxiv_id, title, None, "2024-06-01", tuple(HfAuthor(i, None, n) for i, n in enumerate(names, 1)))


def _paper(iri: str, title: str, *names: str) -> AnthologyPaper:
    return AnthologyPaper(iri, 2024, title, tuple((f"{A}people/{n.lower().replace(' ', '-')}/", n) for n in names))


def test_decisions_come_before_the_scores() -> None:
    good = _paper("x:good", "Scaling laws for multilingual retrieval models", "Ada Lovelace", "Alan Turing")
    other = _paper("x:other", "A survey of tokenizers", "Grace Hopper")
    preprints = [
        _preprint("2406.00001", "Scaling laws for multilingual retrieval models", "Ada Lovelace", "Alan Turing"),
        _preprint("2406.00002", "Scaling laws for multilingual retrieval", "Ada Lovelace", "Alan Turing"),
    ]
    index = TitleIndex([good, other])
    plain = choose(score(preprints, index))
    assert [(r.arxiv_id, r.paper) for r in plain.papers] == [("2406.00001", "x:good")]

    # rejected: the pair is never made, and the paper goes to the next best preprint
    rejected = choose(score(preprints, index, decisions=Decisions(not_papers=frozenset({("2406.00001", "x:good")}))))
    assert [(r.arxiv_id, r.paper) for r in rejected.papers] == [("2406.00002", "x:good")]

    # confirmed: linked whatever the score, holding its paper against a better-scored preprint
    confirmed = choose(score(preprints, index, decisions=Decisions(papers={"2406.00002": ("x:other", "c-1")})))
    assert [(r.arxiv_id, r.paper, r.confirmed_by) for r in confirmed.papers] == [
        ("2406.00001", "x:good", None),
        ("2406.00002", "x:other", "c-1"),
    ]
    assert next(r for r in confirmed.papers if r.confirmed_by).score < 0.62  # its evidence still computed

    # a confirmed paper outside the index comes from the papers lookup
    outside = _paper("x:outside", "Something else entirely", "Alan Turing")
    found = choose(
        score(
            preprints,
            index,
            decisions=Decisions(papers={"2406.00002": ("x:outside", "c-2")}),
            papers=lambda iris: {i: outside for i in iris if i == outside.iri},
        )
    )
    assert ("2406.00002", "x:outside") in [(r.arxiv_id, r.paper) for r in found.papers]
    assert [(p.position, p.paper_position) for p in found.persons if p.arxiv_id == "2406.00002"] == [(2, 1)]

    # person decisions: one dropped, one confirmed without a paper link behind it
    turing = f"{A}people/alan-turing/"
    persons = Decisions(
        not_persons=frozenset({("2406.00001", 2, turing)}),
        persons={
            (
                "2406.00002",
                1,
            ): (f"{A}people/grace-hopper/", "c-3")
        },
    )
    linked = choose(score(preprints, index, decisions=persons))
    assert [
        (p.arxiv_id, p.position, p.person.rsplit("/", 2)[1], p.paper_position, p.confirmed_by) for p in linked.persons
    ] == [("2406.00001", 1, "ada-lovelace", 1, None), ("2406.00002", 1, "grace-hopper", 0, "c-3")]


def test_a_decision_on_a_preprint_not_in_the_store_is_kept_for_later() -> None:
    index = TitleIndex([_paper("x:good", "Scaling laws for retrieval", "Ada Lovelace")])
    links = choose(
        score(
            [],
            index,
            decisions=Decisions(
                papers={"2406.09999": ("x:good", "c-1")}, persons={("2406.09999", 1): ("x:ada", "c-2")}
            ),
        )
    )
    assert links == Links((), ())


# --- the life cycle on the sample ------------------------------------------------------------------


def test_reject_confirm_and_revert_paper_links(sample) -> None:
    data, local = sample
    before = paper_links(local)
    assert before[SAFELAW][:2] == ("2025.findings-acl.721", None)
    service = CorrectionService(local.root)

    started = time.perf_counter()
    rejected = service.propose(MAINTAINER, decision(SAFELAW, "reject", paper="2025.findings-acl.721"), apply=True)
    assert time.perf_counter() - started < 30
    after = paper_links(local)
    assert SAFELAW not in after and {k: v for k, v in before.items() if k != SAFELAW} == after
    assert person_links(local, SAFELAW) == {}  # person links come through the paper link

    confirmed = service.propose(MAINTAINER, decision(SAFELAW, "confirm", paper="2025.findings-acl.820"), apply=True)
    paper, by, link_score = paper_links(local)[SAFELAW]
    assert (paper, by) == ("2025.findings-acl.820", confirmed.correction.id) and link_score < 0.62
    through = person_links(local, SAFELAW)
    assert through and all(via == f"https://w3id.org/bibkg/hf/link/{SAFELAW}" for _, _, via in through.values())

    # the corrections graph says what was decided; the Anthology's data is untouched
    said = select(
        local,
        f"""SELECT ?c ?d WHERE {{ GRAPH <{GRAPH}> {{
        ?c bibkg:concernsPreprint <{P}{SAFELAW}> ; bibkg:linkDecision ?d ; bibkg:correctionStatus "applied" }} }}""",
    )
    assert sorted(d for _, d in said) == ["confirm", "reject"]
    view = service.log.view()
    exported = export(view, data)
    assert exported.files == {} and rejected.correction.id not in exported.commands

    service.revert(MAINTAINER, confirmed.correction.id, "undo")
    assert SAFELAW not in paper_links(local)
    service.revert(MAINTAINER, rejected.correction.id, "undo")
    assert paper_links(local) == before


def test_person_decisions_and_graphql(sample) -> None:
    _data, local = sample

    service = CorrectionService(local.root)
    assert person_links(local, "2406.06144")[8][0] == f"{A}people/juntao-dai/"
    service.propose(MAINTAINER, decision("2406.06144", "reject", position=8, person="juntao-dai"), apply=True)
    links = person_links(local, "2406.06144")
    assert 8 not in links and len(links) == 9  # the other authors keep theirs
    # author 2, Han Zhu, is aligned with the paper's author 2; the decision says it is someone else
    assert person_links(local, SAFELAW)[2] == (
        f"{A}people/han-zhu/unverified/",
        None,
        f"https://w3id.org/bibkg/hf/link/{SAFELAW}",
    )
    sure = service.propose(
        MAINTAINER, decision(SAFELAW, "confirm", position=2, person="unverified/boxun-li"), apply=True
    )
    assert person_links(local, SAFELAW)[2] == (f"{A}people/boxun-li/unverified/", sure.correction.id, None)

    result = graphql(
        local,
        f'{{ preprint(arxivId: "{SAFELAW}") {{ publishedAs {{ confirmedBy }} '
        "authors { position link { alignedPosition confirmedBy person { id } } } } }",
    )
    assert "errors" not in result, result
    authors = {a["position"]: a["link"] for a in result["data"]["preprint"]["authors"]}
    assert authors[2] == {
        "alignedPosition": None,
        "confirmedBy": sure.correction.id,
        "person": {"id": "unverified/boxun-li"},
    }
    assert authors[7]["confirmedBy"] is None and authors[7]["alignedPosition"] == 7
    assert result["data"]["preprint"]["publishedAs"] == {"confirmedBy": None}


def graphql(local: LocalStore, query: str) -> dict:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from bibkg.graphql.router import build_graphql_router
    from bibkg.read.runner import QueryRunner
    from bibkg.server.error_responses import install as install_error_handlers
    from bibkg.services import Services
    from bibkg.sparql.catalog import default_catalog
    from bibkg.store.oxigraph import OxigraphStore

    store = OxigraphStore.open(local)
    try:
        catalog = default_catalog()
        app = FastAPI()
        install_error_handlers(app)  # as the app factory does: errors raised by the routes answered
        app.include_router(
            build_graphql_router(Services(store, catalog, QueryRunner(store, catalog)), warm_name_index=False),
            prefix="/graphql",
        )
        with TestClient(app) as client:
            return client.post("/graphql", json={"query": query}).json()
    finally:
        store.close()


def test_refused_decisions_say_what_and_where(sample) -> None:
    _data, local = sample
    service = CorrectionService(local.root)
    service.propose(MAINTAINER, decision(SAFELAW, "confirm", paper="2025.findings-acl.721"), apply=True)
    cases = [
        (decision(SAFELAW + "v2", "confirm", paper="2025.findings-acl.721"), E.InvalidCorrection, "preprint"),
        (decision(SAFELAW, "perhaps", paper="2025.findings-acl.721"), E.InvalidCorrection, "decision"),
        (decision(SAFELAW, "reject"), E.InvalidCorrection, "paper"),
        (decision(SAFELAW, "reject", position=3), E.InvalidCorrection, "person"),
        (decision("2506.99999", "reject", paper="2025.findings-acl.721"), E.UnknownPaper, "preprint"),
        (decision(SAFELAW, "reject", paper="2025.findings-acl.9999"), E.UnknownPaper, "paper"),
        (decision(SAFELAW, "reject", position=11, person="juntao-dai"), E.PositionOutOfRange, "position"),
        (decision(SAFELAW, "reject", position=1, person="no-such-person"), E.UnknownPerson, "person"),
        # one decision per link, one confirmed paper per preprint and preprint per paper
        (decision(SAFELAW, "reject", paper="2025.findings-acl.721"), E.Conflict, "paper"),
        (decision(SAFELAW, "confirm", paper="2025.findings-acl.820"), E.Conflict, "preprint"),
        (decision("2406.06144", "confirm", paper="2025.findings-acl.721"), E.Conflict, "paper"),
    ]
    for request, error, field in cases:
        with pytest.raises(error) as info:
            service.propose(CONTRIBUTOR, request)
        assert info.value.field == field, (request, info.value)
        assert 400 <= info.value.status < 500
    pending = service.propose(CONTRIBUTOR, decision("2406.06144", "reject", position=8, person="juntao-dai"))
    with pytest.raises(E.Conflict, match=pending.correction.id):
        service.propose(CONTRIBUTOR, decision("2406.06144", "confirm", position=8, person="juntao-dai"))
    with pytest.raises(E.Forbidden):
        service.apply(CONTRIBUTOR, pending.correction.id)


def test_decisions_hold_on_every_path_the_links_are_made(sample, seed_dir: Path, tmp_path: Path) -> None:
    """A new ingest of the days (incremental linking), a relink, and a cold re-ingest of the
    Anthology all honour the applied decisions."""
    data, local = sample
    service = CorrectionService(local.root)
    service.propose(MAINTAINER, decision(SAFELAW, "reject", paper="2025.findings-acl.721"), apply=True)
    expected = paper_links(local)
    assert SAFELAW not in expected
    day = tmp_path / "day"
    day.mkdir()
    newest = sorted(seed_dir.glob("*.json"))[-1]
    shutil.copy(newest, day / newest.name)
    report = ingest_hf(local, [day])
    assert paper_links(local) == expected, report.phases
    relink(local)
    assert paper_links(local) == expected
    done = run_cli(tmp_path, "ingest", str(data), "--store", str(local.root), "--full", "--quiet")
    assert done.returncode == 0, done.stderr
    assert paper_links(local) == expected


def test_link_decisions_over_http(sample) -> None:
    import subprocess

    from tests.corrections.test_web_browser import BIBKG, serve

    _data, local = sample
    token = subprocess.run(
        [BIBKG, "token", "create", "maria", "--role", "maintainer", "--store", str(local.root)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    proc, url = serve(local.root, "--corrections")
    try:
        auth = {"Authorization": f"Bearer {token}"}
        bad = httpx.post(
            url + "/corrections", json=decision(SAFELAW, "confirm", paper="2025.findings-acl.9999"), headers=auth
        )
        assert bad.status_code == 404 and "2025.findings-acl.9999" in bad.text and "Traceback" not in bad.text
        made = httpx.post(
            url + "/corrections",
            json={**decision(SAFELAW, "reject", paper="2025.findings-acl.721"), "apply": True},
            headers=auth,
            timeout=60,
        )
        assert made.status_code in (200, 201), made.text
        deadline = time.monotonic() + 10
        query = f"SELECT ?paper WHERE {{ <{P}{SAFELAW}> <https://w3id.org/bibkg/ns#publishedAs> ?paper }}"
        while time.monotonic() < deadline:
            answer = httpx.post(
                url + "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
            )
            if answer.status_code == 200 and not answer.json()["results"]["bindings"]:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the rejected link is still served")
        pending = httpx.post(
            url + "/corrections",
            json=decision(SAFELAW, "confirm", position=7, person="juntao-dai"),
            headers=auth,
            timeout=30,
        )
        assert pending.status_code == 201 and pending.json()["status"] == "proposed"
        review = httpx.get(url + "/corrections/review", headers={"Accept": "text/html"}, timeout=30).text
        assert "Daily Papers link" in review and f"confirm: {SAFELAW} author 7 is juntao-dai" in review
    finally:
        proc.terminate()
        proc.wait(10)


# --- the full corpus ---------------------------------------------------------------------------------


@pytest.mark.corpus
def test_link_decisions_on_the_full_corpus(corpus_hf, shared_corpus: Path, tmp_path: Path) -> None:
    source, _first, _last = corpus_hf
    local = source.clone(tmp_path / "store")
    before = paper_links(local)
    assert len(before) > 20
    target, (paper, _, _) = sorted(before.items())[0]
    service = CorrectionService(local.root, shared_corpus)

    started = time.perf_counter()
    rejected = service.propose(MAINTAINER, decision(target, "reject", paper=paper), apply=True)
    seconds = time.perf_counter() - started
    after = paper_links(local)
    assert after.get(target, ("",))[0] != paper
    assert {k: v for k, v in after.items() if k != target} == {k: v for k, v in before.items() if k != target}
    print(f"\nreject one link on the full corpus + 91 days: {seconds:.1f} s")

    # confirm the preprint as a paper of another year, outside the title index
    sure = service.propose(MAINTAINER, decision(target, "confirm", paper="P19-1001"), apply=True)
    assert paper_links(local)[target][:2] == ("P19-1001", sure.correction.id)
    service.revert(MAINTAINER, sure.correction.id, "undo")
    service.revert(MAINTAINER, rejected.correction.id, "undo")
    assert paper_links(local) == before
