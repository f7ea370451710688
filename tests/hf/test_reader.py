"""The Daily Papers reader on every form of the shared files and on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bibkg.errors import SourceError
from bibkg.hf.reader import normalize_arxiv_id, read_listing, read_listings

HF_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "hf-daily-papers"


def item(arxiv_id: str = "2406.06144", **paper) -> dict:
    body = {
        "id": arxiv_id,
        "title": "Language Models Resist\n  Alignment",
        "publishedAt": "2024-06-10T00:00:00.000Z",
        "upvotes": 3,
        "authors": [
            {"_id": "a1", "name": "Jiaming Ji", "hidden": False},
            {
                "_id": "a2",
                "name": "Juntao Dai",
                "hidden": False,
                "user": {"_id": "u2", "user": "juntao", "fullname": "Juntao Dai", "type": "user"},
                "status": "claimed_verified",
            },
        ],
    }
    body.update(paper)
    return {"paper": body, "publishedAt": "2024-06-11T00:00:00.000Z", "title": "t", "numComments": 1}


def write(tmp_path: Path, name: str, data, *, raw: str | None = None) -> Path:
    path = tmp_path / name
    path.write_text(raw if raw is not None else json.dumps(data), encoding="utf-8")
    return path


def test_reads_compact_pretty_and_wrapped_bodies(tmp_path: Path) -> None:
    compact = read_listing(write(tmp_path, "daily_papers_2024-06-11.json", [item()]))
    pretty = read_listing(write(tmp_path, "2024-06-12.json", None, raw=json.dumps([item()], indent=4)))
    wrapped = read_listing(
        write(tmp_path, "x.json", {"status": "ok", "date": "2024-06-13", "count": 1, "data": [item()]})
    )
    assert (compact.day, pretty.day, wrapped.day) == ("2024-06-11", "2024-06-12", "2024-06-13")
    entry = compact.entries[0]
    assert entry.preprint.title == "Language Models Resist Alignment"  # arXiv line breaks collapsed
    assert entry.preprint.published == "2024-06-10"
    assert entry.upvotes == 3 and entry.comments == 1
    dai = entry.preprint.authors[1]
    assert (dai.position, dai.name, dai.hf_id, dai.status) == (2, "Juntao Dai", "a2", "claimed_verified")
    assert dai.account is not None and dai.account.handle == "juntao"
    assert entry.preprint.authors[0].account is None and entry.preprint.authors[0].status is None
    assert [e.preprint for e in pretty.entries] == [e.preprint for e in compact.entries]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[{", "malformed JSON"),
        ('{"status": "ok"}', "without a 'data' list"),
        ('"hello"', "expected a list of items"),
        (json.dumps([item(), "{'paper': {'id': '2406.1'}}"]), "item 1: is a string, not a JSON object"),
        (json.dumps([item(), 7]), "item 1: is a JSON int"),
        (json.dumps([{"paper": {"title": "x", "authors": [{"name": "A"}]}}]), "item 0: has no paper.id"),
        (json.dumps([item(), item("2406.00001", authors=[])]), "item 1: arXiv 2406.00001 has no paper.authors"),
        (json.dumps([item("not-an-id")]), "item 0: paper.id 'not-an-id' is not an arXiv id"),
        (json.dumps([item(authors=["Jiaming Ji"])]), "item 0: arXiv 2406.06144: author 1 is a JSON str"),
        (json.dumps([item(authors=[{"_id": "x"}])]), "author 1 has no name"),
    ],
)
def test_bad_input_is_an_error_naming_file_and_item(tmp_path: Path, body: str, expected: str) -> None:
    path = write(tmp_path, "2024-06-11.json", None, raw=body)
    with pytest.raises(SourceError) as info:
        read_listing(path)
    assert expected in str(info.value)
    assert str(path) in str(info.value)


def test_version_suffix_is_normalized_with_a_warning(tmp_path: Path) -> None:
    listing = read_listing(write(tmp_path, "2024-06-11.json", [item("2406.06144v3"), item("2406.06144")]))
    assert [e.preprint.arxiv_id for e in listing.entries] == ["2406.06144"]
    kinds = [(w.kind, w.index) for w in listing.warnings]
    assert kinds == [("arxiv-version", 0), ("duplicate-entry", 1)]
    assert "2406.06144v3" in str(listing.warnings[0]) and "item 0" in str(listing.warnings[0])


def test_same_day_twice_is_refused_before_anything_is_used(tmp_path: Path) -> None:
    write(tmp_path, "daily_papers_2024-06-11.json", [item()])
    (tmp_path / "b").mkdir()
    write(tmp_path / "b", "2024-06-11.json", [item("2406.00002")])
    with pytest.raises(SourceError, match="the day 2024-06-11 is already read from"):
        read_listings([tmp_path])


def test_day_from_name_and_body_must_agree(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="named for 2024-06-11 but its body says 2024-06-12"):
        read_listing(write(tmp_path, "2024-06-11.json", {"date": "2024-06-12", "data": [item()]}))
    with pytest.raises(SourceError, match="cannot tell the day"):
        read_listing(write(tmp_path, "papers.json", [item()]))


def test_size_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "2024-06-11.json", [item(f"2406.{n:05d}") for n in range(5)])
    monkeypatch.setenv("BIBKG_HF_MAX_ITEMS", "4")
    with pytest.raises(SourceError, match="5 items, more than the limit of 4"):
        read_listing(path)
    monkeypatch.delenv("BIBKG_HF_MAX_ITEMS")
    monkeypatch.setenv("BIBKG_INGEST_MAX_FILE_MB", "0.001")
    with pytest.raises(SourceError, match="larger than the limit"):
        read_listing(path)


def test_arxiv_ids() -> None:
    assert normalize_arxiv_id("2403.12968v2") == ("2403.12968", True)
    assert normalize_arxiv_id("arXiv:2403.1296") == ("2403.1296", False)
    assert normalize_arxiv_id("hep-th/9901001v1") == ("hep-th/9901001", True)
    assert normalize_arxiv_id("2403.12968/../x") is None
    assert normalize_arxiv_id("<script>") is None


def test_every_shared_file_reads() -> None:
    if not HF_CORPUS.is_dir():
        pytest.skip(f"shared Daily Papers files not found at {HF_CORPUS}")
    listings = read_listings([HF_CORPUS])
    assert len(listings) == 91
    assert sum(len(listing.entries) for listing in listings) == 1237
    assert not [w for listing in listings for w in listing.warnings]
    latest = listings[-1].entries[0]
    assert latest.organization is not None and latest.github_repo and latest.submitter is not None
    accounts = [a for listing in listings for e in listing.entries for a in e.preprint.authors if a.account]
    assert len(accounts) == 3332 and all(a.status for a in accounts)
