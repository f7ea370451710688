"""The query page in a real headless Chromium (Debian's, installed by scripts/browser.sh): it
loads the named queries, runs one, renders the results table and offers downloads, with no
internet access (every asset is served by bibkg).  A screenshot goes to tests/artifacts/."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bibkg.server.routes import STATIC_DIR

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)

pytestmark = pytest.mark.browser


def _chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=15000",
        "--window-size=1280,900",
    ]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120)


def test_page_has_no_external_assets() -> None:
    for path in STATIC_DIR.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']https?://""", text), path
        assert "@import" not in text and "cdn" not in text.lower()


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed and scripts/browser.sh could not install it (needs apt-get and root)",
)
def test_query_page_in_headless_chromium(server, tmp_path: Path) -> None:
    url = f"{server.url}/?name=coauthors-at-event&run=1"
    dom = _chromium(["--dump-dom", url], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert 'data-ready="true"' in html, html[:2000]
    # the editor is preloaded with the named queries
    assert html.count("<option") >= 16 and "coauthors-at-event" in html
    # the results table was rendered from a real run
    assert "<th>coauthor</th>" in html and "Jiaming Ji" in html
    assert re.search(r"\d+ rows in \d+ ms", html)
    # download links for every result format
    for fmt in ("json", "xml", "csv", "tsv"):
        assert f'data-format="{fmt}"' in html
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "query-page.png"
    shot.unlink(missing_ok=True)
    result = _chromium([f"--screenshot={shot}", url], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
