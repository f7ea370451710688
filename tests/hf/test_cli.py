"""bibkg ingest with Daily Papers files beside, after or without an Anthology data directory."""

from __future__ import annotations

import json
from pathlib import Path

from bibkg.store.local import LocalStore
from tests.core.helpers import run_cli

from .conftest import select


def test_ingest_beside_then_alone_then_rebuilt(tmp_path: Path, sample_datadir: Path, seed_dir: Path) -> None:
    store = tmp_path / "store"
    proc = run_cli(
        tmp_path,
        "ingest",
        str(sample_datadir),
        str(seed_dir / "2024-06-10.json"),
        "--store",
        str(store),
        "--quiet",
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert (
        summary["papers"] == 7 and summary["daily_papers"]["days"] == 1 and summary["daily_papers"]["paper_links"] == 1
    )

    proc = run_cli(tmp_path, "ingest", str(seed_dir), "--store", str(store))  # the other days, without the Anthology
    assert proc.returncode == 0, proc.stderr
    assert "added 5 Daily Papers days (5 entries)" in proc.stdout and "paper links           5" in proc.stdout

    proc = run_cli(tmp_path, "ingest", str(sample_datadir), "--store", str(store), "--full", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "carried 5 Daily Papers days over the rebuild" in proc.stdout  # a cold rebuild keeps the days
    rows = select(LocalStore(store), "SELECT (COUNT(*) AS ?n) WHERE { ?p bibkg:publishedAs ?x }")
    assert rows == [["5"]]


def test_bad_daily_papers_file_is_refused_before_the_anthology_is_ingested(
    tmp_path: Path, sample_datadir: Path, seed_dir: Path
) -> None:
    bad = tmp_path / "2024-06-11.json"
    bad.write_text('[{"paper": {"id": "2406.00011"}}]')
    store = tmp_path / "store"
    proc = run_cli(tmp_path, "ingest", str(sample_datadir), str(bad), "--store", str(store), "--quiet")
    assert proc.returncode == 1
    assert "2024-06-11.json: item 0: arXiv 2406.00011 has no title" in proc.stderr
    assert not LocalStore(store).exists()
    proc = run_cli(tmp_path, "ingest", str(tmp_path / "2024-06-12.json"), "--store", str(store))
    assert proc.returncode == 1 and "no such file or directory" in proc.stderr
    proc = run_cli(tmp_path, "ingest", str(seed_dir), "--store", str(store))
    assert proc.returncode == 1 and "no graph to add Daily Papers to" in proc.stderr
