"""Incremental linking: a new day links only its own preprints, and the links are always those of
linking every preprint from scratch (sample, step by step; full corpus, the last shared day)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bibkg import iris
from bibkg.hf import link_state
from bibkg.hf.ingest import HfIngestReport, ingest_hf, relink
from bibkg.hf.link import Links, PaperLinkResult, PersonLinkResult, Scored
from bibkg.hf.reader import read_listings
from bibkg.store.delta import Delta, apply_delta
from bibkg.store.local import LocalStore
from bibkg.store.snapshot_dumps import DumpManifest, read_block


def links_text(local: LocalStore) -> bytes:
    snapshot = local.current_snapshot()
    manifest = DumpManifest.read(local.state_dir(snapshot))
    block = manifest.get(iris.HF_LINKS_GRAPH)
    return read_block(local.files_dir(snapshot), block) if block is not None else b""


def how(report: HfIngestReport) -> str:
    [key] = [k for k in report.phases if k.startswith("linking")]
    return key.removeprefix("linking (").rstrip(")")


def assert_as_relinked(local: LocalStore, scratch: Path) -> bytes:
    """The links graph equals linking every preprint from scratch (a clone, relinked in full)."""
    text = links_text(local)
    other = local.clone(scratch)
    assert how(relink(other)) == "full"
    assert links_text(other) == text
    shutil.rmtree(scratch)
    return text


@pytest.fixture()
def own_store(tmp_path: Path, sample_copy) -> LocalStore:
    """This test's own copy of the sample store (the Daily Papers are added to it)."""
    return sample_copy(tmp_path / "store")


def test_day_by_day_equals_all_at_once(own_store: LocalStore, sample_copy, seed_dir: Path, tmp_path: Path) -> None:
    listings = read_listings([seed_dir])
    assert len(listings) == 5
    ways = []
    for listing in listings:
        ways.append(how(ingest_hf(own_store, listings=[listing])))
    # the first day has no state to build on; the first 2025 preprint widens the years the
    # title index covers (its idf changes): relinked in full, once a year
    assert ways == ["full", "new", "new", "full", "new"]
    text = assert_as_relinked(own_store, tmp_path / "relinked")
    assert text.count(b"publishedAs") == 5
    at_once = sample_copy(tmp_path / "at-once")
    ingest_hf(at_once, listings=listings)
    assert links_text(at_once) == text
    # the same day again: nothing to link
    assert how(ingest_hf(own_store, listings=listings[:1])) == "kept"
    assert links_text(own_store) == text


def _rewrite(day_file: Path, out: Path, change) -> Path:
    items = json.loads(day_file.read_text(encoding="utf-8"))
    change(items)
    out.mkdir(parents=True, exist_ok=True)
    target = out / day_file.name
    target.write_text(json.dumps(items), encoding="utf-8")
    return target


def test_what_cannot_be_proven_is_relinked_in_full(own_store: LocalStore, seed_dir: Path, tmp_path: Path) -> None:
    ingest_hf(own_store, [seed_dir])
    linked = links_text(own_store)
    day = sorted(seed_dir.glob("*.json"))[0]

    # a linked preprint listed with another title: its paper may go to another preprint
    def retitle(items: list) -> None:
        items[0]["paper"]["title"] = items[0]["title"] = "An Entirely Different Study of Something Else"

    report = ingest_hf(own_store, [_rewrite(day, tmp_path / "retitled", retitle)])
    assert how(report) == "full"
    assert links_text(own_store) != linked
    assert_as_relinked(own_store, tmp_path / "relinked-1")
    # listed again as it was (the paper is free again): linked alone, back to the same links
    assert how(ingest_hf(own_store, [day])) == "new"
    assert links_text(own_store) == linked

    # a new preprint as good a match for a paper another preprint holds
    def twin(items: list) -> None:
        items[0]["paper"]["id"] = "2406.99999"

    twin_day = _rewrite(day, tmp_path / "twin", twin)
    twin_day = twin_day.rename(twin_day.with_name("2026-01-02.json"))
    assert how(ingest_hf(own_store, [twin_day])) == "full"
    assert_as_relinked(own_store, tmp_path / "relinked-2")

    # the day graphs changed by another writer: the state is not trusted, the store is read
    apply_delta(own_store, Delta(note="test").drop_graph(iris.hf_day_graph("2026-01-02")))
    other = _rewrite(day, tmp_path / "other", lambda items: items[0]["paper"].update(id="2406.99998"))
    other = other.rename(other.with_name("2026-01-03.json"))
    assert how(ingest_hf(own_store, [other])) == "full"
    assert_as_relinked(own_store, tmp_path / "relinked-3")


def test_merge_refuses_a_paper_held_by_a_kept_link() -> None:
    held = PaperLinkResult("2401.00001", "https://aclanthology.org/P1/", 0.9, 0.9, 0.9, 0, ((1, 1, 1.0),))
    kept = Links((held,), (PersonLinkResult("2401.00001", 1, "https://aclanthology.org/people/a/", 1, 1.0, 0.95),))
    rival = PaperLinkResult("2401.00002", "https://aclanthology.org/P1/", 0.8, 0.8, 0.8, 0, ())
    assert link_state.merge(kept, Scored((rival,), {})) is None
    assert link_state.merge(kept, Scored((), {})) == kept


@pytest.mark.corpus
def test_full_corpus_last_day_links_only_its_own(corpus_hf, tmp_path: Path) -> None:
    local, first, last = corpus_hf
    assert how(first) == "full" and how(last) == "new"
    assert (last.paper_links, last.person_links) == (first.paper_links, first.person_links) == (23, 166)
    assert last.preprints == 1237
    assert_as_relinked(local, tmp_path / "relinked")


def test_a_state_of_an_earlier_version_is_relinked_not_misread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store kept by version 1 (no reviewed decisions in its state) unpickles into today's
    class with its fields shifted: reading it must say "no state" (a full relink), never raise
    (a server applying a link correction on such a store answered 500)."""
    state = link_state.LinkState("anthology", {}, Links((), ()), (2023, 2027), {})
    old_layout = [state.anthology, state.days, state.links, state.years, state.quads, state.method, 1]
    monkeypatch.setattr(link_state.LinkState, "__getstate__", lambda self: old_layout, raising=False)
    (tmp_path / "hf").mkdir()
    (tmp_path / link_state.LINKS).write_bytes(state.dumps())
    monkeypatch.undo()
    assert link_state.LinkState.read(tmp_path) is None
    (tmp_path / link_state.LINKS).write_bytes(state.dumps())  # today's layout reads back
    assert link_state.LinkState.read(tmp_path) == state
    (tmp_path / link_state.LINKS).write_bytes(b"\x80\x05garbage")
    assert link_state.LinkState.read(tmp_path) is None
