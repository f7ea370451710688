"""HTML pages: content a reader of the Anthology expects, and rendering in headless Chromium
(desktop and phone screenshots in tests/artifacts/)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
HTML = {"Accept": "text/html"}


def test_person_page_content(client) -> None:
    html = client.get("/people/yaodong-yang/", headers=HTML).text
    assert '<h1 class="person">Yaodong Yang</h1>' in html
    assert "Also published as" in html and "Yao-Dong Yang" in html
    assert "耀东 杨" in html and 'lang="zh-hani"' in html
    assert 'href="https://orcid.org/0000-0000-0002-0250"' in html
    assert re.search(r'<h2>Papers <span class="count">7</span>', html)
    assert html.index('<h3 id="y2025">') < html.index("Language Models Resist Alignment")
    # every coauthor (37 at ACL 2025 + NAACL paper), sorted by shared papers, then name
    side = html.split("<aside>")[1]
    coauthors = re.findall(
        r'<li><span class="n">(\d+)</span><a href="([^"]+)">([^<]+)</a></li>', side.split("<h2>Venues")[0]
    )
    assert coauthors[0][2] == "Jiaming Ji" and coauthors[0][0] == "6"
    counts = [int(n) for n, _, _ in coauthors]
    assert counts == sorted(counts, reverse=True) and len(coauthors) > 37
    assert ("4", "/people/juntao-dai/", "Josef Dai") in coauthors
    venues = re.findall(
        r'<li><span class="n">(\d+)</span><a href="[^"]+">([^<]+)</a></li>', side.split("<h2>Venues")[1]
    )
    assert venues == [("4", "Findings"), ("2", "ACL"), ("1", "NAACL")]
    assert 'href="/people/yaodong-yang.bib"' in html


def test_similar_names(client) -> None:
    html = client.get("/people/yi-liu-sample-a/", headers=HTML).text
    assert "Similar names" in html and "/people/yi-liu-sample-b/" in html


PERSON = "https://aclanthology.org/people/yaodong-yang/"


def test_person_page_is_fetch_then_render(web_runner) -> None:
    from bibkg.web import person as person_pages

    data = person_pages.fetch_person(web_runner, PERSON)
    assert data is not None and data.label == "Yaodong Yang" and len(data.papers) == 7
    assert person_pages.render_person(data) == person_pages.person_page(web_runner, PERSON)
    years = [int(p.year or 0) for p in data.papers]
    assert years == sorted(years, reverse=True)
    assert all(
        PERSON in [a for a, _ in p.authors] for p in data.papers
    )  # authors of every paper, the person among them
    assert [n for _, _, n in data.coauthors] == sorted((n for _, _, n in data.coauthors), reverse=True)
    assert person_pages.fetch_person(web_runner, "https://aclanthology.org/people/nobody/") is None


@pytest.fixture(scope="module")
def graph_runner(sample_store):
    """A runner on the same snapshot without its paper cards: pages read everything from the graph."""
    from bibkg import config
    from bibkg.read.runner import QueryRunner
    from bibkg.sparql.catalog import QueryCatalog
    from bibkg.store.oxigraph import OxigraphStore

    return QueryRunner(OxigraphStore(sample_store.open_read()), QueryCatalog.load(config.queries_dir()))


def test_ingest_publishes_paper_cards(web_runner, sample_store) -> None:
    from bibkg.cards import CARDS_FILE

    cards = web_runner.store.paper_cards
    assert cards is not None and cards.path == sample_store.files_dir(sample_store.current_snapshot()) / CARDS_FILE
    (card,) = [c for c in cards.of_author(PERSON) if c.iri == "https://aclanthology.org/2025.acl-long.1141/"]
    assert card.year == "2025" and card.volume == "https://aclanthology.org/volumes/2025.acl-long/"
    assert card.venues == ("https://aclanthology.org/venues/acl/",)
    assert card.authors[0][1] == "Jiaming Ji" and (PERSON, "Yaodong Yang") in card.authors


def test_person_page_queries_do_not_grow_with_papers(web_runner, graph_runner) -> None:
    from bibkg.web import person as person_pages

    before = web_runner.calls
    person_pages.person_page(web_runner, PERSON)
    assert web_runner.calls - before == 3  # facts, venue labels, preprints; the papers come from the cards
    before = graph_runner.calls
    person_pages.person_page(graph_runner, PERSON)
    assert graph_runner.calls - before <= 7  # facts, papers, authorships, names, booktitles, venue labels, preprints


def test_person_pages_from_cards_equal_pages_from_graph(web_runner, graph_runner) -> None:
    """Every person of the sample: the same page data whether the papers come from the cards or the graph."""
    from bibkg.web import person as person_pages

    persons = [r["p"].value for r in web_runner.store.query(
        "SELECT DISTINCT ?p WHERE { ?p a <https://w3id.org/bibkg/ns#Person> }")]  # fmt: skip
    assert len(persons) > 70
    for person in persons:
        assert person_pages.fetch_person(web_runner, person) == person_pages.fetch_person(graph_runner, person), person


def test_volume_pages_from_cards_equal_pages_from_graph(web_runner, graph_runner) -> None:
    """Every volume of the sample: the same HTML whether its papers come from the cards or the graph."""
    from bibkg.web import pages

    volumes = [r["v"].value for r in web_runner.store.query(
        "SELECT DISTINCT ?v WHERE { ?v a <https://w3id.org/bibkg/ns#Volume> }")]  # fmt: skip
    assert len(volumes) >= 3
    for volume in volumes:
        html = pages.volume_page(web_runner, volume)
        assert html is not None and html == pages.volume_page(graph_runner, volume), volume
    html = pages.volume_page(web_runner, "https://aclanthology.org/volumes/2025.acl-long/")
    assert "Language Models Resist Alignment" in html and 'href="/people/yaodong-yang/"' in html


def test_render_person_from_plain_data() -> None:
    from bibkg.read.records import PaperCard
    from bibkg.web import person as person_pages

    me, other = "https://aclanthology.org/people/a-b/", "https://aclanthology.org/people/c-d/"
    data = person_pages.PersonData(
        iri=me, label="A <B>", verified=True,
        papers=[PaperCard("https://aclanthology.org/2020.x-1.1/", "T & U", "2020", None, None, None, (), ((me, "A B"), (other, "C D"))),
                PaperCard("https://aclanthology.org/X00-1001/", "Old", None, None, None, None, (), ())],
        coauthors=[(other, "C D", 1)], venues=[("https://aclanthology.org/venues/v/", "V", 2)],
    )  # fmt: skip
    html = person_pages.render_person(data)
    assert '<h1 class="person">A &lt;B&gt;</h1>' in html and "T &amp; U" in html and "verified person" in html
    assert html.index('<h3 id="y2020">') < html.index('<h3 id="yUndated">')
    assert '<a href="/people/a-b/">A B</a>, <a href="/people/c-d/">C D</a>' in html
    assert '<li><span class="n">1</span><a href="/people/c-d/">C D</a></li>' in html
    assert '<li><span class="n">2</span><a href="/venues/v/">V</a></li>' in html


def test_paper_page_content(client) -> None:
    html = client.get("/2025.findings-acl.820/", headers=HTML).text
    assert "Reward Generalization in RLHF" in html
    assert '<a href="/people/yaodong-yang/">Yaodong Yang</a>' in html
    assert "Abstract" in html
    assert 'href="/volumes/2025.findings-acl/"' in html and 'href="/events/acl-2025/"' in html
    assert "@inproceedings{qiu-etal-2025-reward," in html and "{RLHF}" in html
    assert 'href="https://doi.org/10.18653/v1/2025.findings-acl.820"' in html


def test_volume_venue_event_pages(client) -> None:
    vol = client.get("/volumes/2025.acl-long/", headers=HTML).text
    assert "Proceedings of the 63rd Annual Meeting" in vol and "Wanxiang Che" in vol
    assert vol.count('<li class="paper">') == 2 and "@proceedings{acl-2025-long," in vol
    event = client.get("/events/acl-2025/", headers=HTML).text
    assert "/volumes/2025.findings-acl/" in event and "colocated" in event
    venue = client.get("/venues/acl/", headers=HTML).text
    assert "Annual Meeting of the Association for Computational Linguistics" in venue and "/events/acl-2025/" in venue


def _chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}"]  # fmt: skip
    return subprocess.run(base + args, capture_output=True, text=True, timeout=90)


@pytest.mark.browser
@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (scripts/browser.sh installs it; needs apt-get and root)"
)
@pytest.mark.parametrize("path,name", [
    ("/people/yaodong-yang/", "person"),
    ("/2025.acl-long.1544/", "paper"),
    ("/volumes/2025.acl-long/", "volume"),
    ("/events/acl-2025/", "event"),
])  # fmt: skip
def test_pages_in_headless_chromium(live_server: str, tmp_path: Path, path: str, name: str) -> None:
    url = live_server + path
    dom = _chromium(["--dump-dom", url], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "<h1" in dom.stdout and "bibkg" in dom.stdout
    ARTIFACTS.mkdir(exist_ok=True)
    for device, size in (("desktop", "1280,900"), ("phone", "390,844")):
        shot = ARTIFACTS / f"web-{name}-{device}.png"
        shot.unlink(missing_ok=True)
        result = _chromium([f"--screenshot={shot}", f"--window-size={size}", url], tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
        assert shot.is_file() and shot.stat().st_size > 5000


def test_paper_cards_outlive_their_pruned_snapshot(tmp_path, sample_copy) -> None:
    """A server keeps serving its snapshot's cards after later ingests: the snapshot it reads is
    leased, so pruning keeps it until the server lets go of it."""
    from concurrent.futures import ThreadPoolExecutor

    from web_support import SAMPLE, make_runner

    from bibkg.ingest import run_ingest
    from bibkg.web import person as person_pages

    local = sample_copy(tmp_path / "store")
    runner = make_runner(local)
    before = person_pages.fetch_person(runner, PERSON)
    first = runner.store.paper_cards.path
    for _ in range(2):
        run_ingest(SAMPLE, local, jobs=1)
    assert first.exists()  # leased by the open store, so not pruned
    with ThreadPoolExecutor(1) as fresh_thread:  # a request served by a thread that never read it
        assert fresh_thread.submit(person_pages.fetch_person, runner, PERSON).result() == before
    runner.store.close()
    run_ingest(SAMPLE, local, jobs=1)
    assert not first.exists()  # released, then pruned with its snapshot
