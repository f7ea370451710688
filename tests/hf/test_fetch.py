"""``bibkg fetch-hf`` against a real HTTP server on 127.0.0.1 that answers like the Daily Papers
API (and misbehaves on purpose): retries, the polite rate, checking before writing, resuming,
limits, redirects; and every shared Daily Papers day fetched back byte for byte."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from bibkg.cli import main
from bibkg.hf.fetch import DayFetcher, FetchSettings, days_between
from bibkg.hf.reader import listing_files, read_listing, read_listings

from .test_reader import HF_CORPUS

Answer = tuple[int, dict[str, str], bytes]


class FakeDailyPapers(ThreadingHTTPServer):
    """``GET /api/daily_papers?date=DAY``: the scripted answers of DAY in turn (the last one
    repeats), else the body of DAY's file, else ``[]``; every request is recorded."""

    daemon_threads = True

    def __init__(self, days: dict[str, bytes]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.days = days
        self.script: dict[str, list[Answer]] = {}
        self.delay: dict[str, float] = {}
        self.requests: list[tuple[float, str]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def hits(self) -> Counter[str]:
        return Counter(day for _t, day in self.requests)


class _Handler(BaseHTTPRequestHandler):
    server: FakeDailyPapers

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        day = parse_qs(parts.query).get("date", [""])[0]
        self.server.requests.append((time.monotonic(), day))
        if parts.path != "/api/daily_papers":
            return self._send(404, {}, b"{}")
        time.sleep(self.server.delay.get(day, 0.0))
        script = self.server.script.get(day)
        if script:
            return self._send(*(script.pop(0) if len(script) > 1 else script[0]))
        self._send(200, {}, self.server.days.get(day, b"[]"))

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        try:
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)


def _serve(days: dict[str, bytes]) -> Iterator[FakeDailyPapers]:
    server = FakeDailyPapers(days)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _bodies(directory: Path) -> dict[str, bytes]:
    return {read_listing(p).day: p.read_bytes() for p in listing_files([directory])}


@pytest.fixture()
def api(repo_root: Path) -> Iterator[FakeDailyPapers]:
    yield from _serve(_bodies(repo_root / "data" / "hf-daily-papers"))


def _fetch(api: FakeDailyPapers, out: Path, first: str, last: str, *extra: str) -> int:
    return main(["fetch-hf", "--from", first, "--to", last, "--base-url", api.url, "--interval", "0", *extra, str(out)])


def test_fetches_checks_and_resumes(api: FakeDailyPapers, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    api.script["2024-06-10"] = [(503, {"Retry-After": "0"}, b"busy"), (200, {}, api.days["2024-06-10"])]
    api.script["2024-06-11"] = [(404, {}, b'{"error": "no listing"}')]
    out = tmp_path / "days"
    assert _fetch(api, out, "2024-06-09", "2024-06-20") == 0
    printed = capsys.readouterr().out
    assert "12 days into" in printed and "2 fetched, 0 kept, 10 empty, 0 failed" in printed
    assert {p.name for p in out.iterdir()} == {"2024-06-10.json", "2024-06-20.json"}
    for name in ("2024-06-10", "2024-06-20"):
        assert (out / f"{name}.json").read_bytes() == api.days[name]
    assert api.hits()["2024-06-10"] == 2  # the 503 was retried once
    # what was fetched is what ingest reads
    assert [listing.day for listing in read_listings([out])] == ["2024-06-10", "2024-06-20"]
    # resumed: the days already there are kept, not asked for again; the empty ones are
    before = api.hits()
    assert _fetch(api, out, "2024-06-09", "2024-06-20") == 0
    assert "0 fetched, 2 kept, 10 empty" in capsys.readouterr().out
    after = api.hits()
    assert after["2024-06-10"] == before["2024-06-10"] and after["2024-06-20"] == before["2024-06-20"]
    assert after["2024-06-12"] == before["2024-06-12"] + 1
    # --force asks again
    assert _fetch(api, out, "2024-06-20", "2024-06-20", "--force") == 0
    assert api.hits()["2024-06-20"] == before["2024-06-20"] + 1


def test_a_bad_body_is_never_written(api: FakeDailyPapers, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    # the upstream bug of 2024-12: items written as Python reprs in strings
    api.script["2024-12-24"] = [(200, {}, json.dumps(["{'paper': {'id': '2412.00001'}}"]).encode())]
    api.script["2024-12-25"] = [(200, {}, b"<html>rate limited</html>")]
    api.script["2024-12-26"] = [(200, {}, json.dumps({"date": "2024-12-27", "data": []}).encode())]
    out = tmp_path / "days"
    out.mkdir()
    (out / "2024-12-24.json").write_text("not json", encoding="utf-8")  # a bad file is fetched again
    assert _fetch(api, out, "2024-12-24", "2024-12-26") == 1
    captured = capsys.readouterr()
    assert "2024-12-24  failed" in captured.err and "item 0: is a string" in captured.err
    assert "2024-12-25  failed" in captured.err and "not a Daily Papers listing" in captured.err
    assert "2024-12-26  failed" in captured.err and "2024-12-27" in captured.err
    assert "run the same command again" in captured.err
    assert sorted(p.name for p in out.iterdir()) == ["2024-12-24.json"]  # the old file, untouched
    assert (out / "2024-12-24.json").read_text(encoding="utf-8") == "not json"


def test_retries_back_off_and_give_up(api: FakeDailyPapers, tmp_path: Path) -> None:
    api.script["2024-06-10"] = [(429, {}, b"slow down")]
    api.script["2024-06-20"] = [(500, {"Retry-After": "3600"}, b"down for maintenance")]
    waits: list[float] = []
    fetcher = DayFetcher(
        FetchSettings(base_url=api.url, interval=0.5, retries=3, max_wait=60), sleep=waits.append, clock=lambda: 0.0
    )
    try:
        results = list(fetcher.fetch([dt.date(2024, 6, 10), dt.date(2024, 6, 20)], tmp_path))
    finally:
        fetcher.close()
    assert [r.outcome for r in results] == ["failed", "failed"]
    assert results[0].detail == "HTTP 429 (after 4 attempts)"
    assert "asks to wait 3600 s" in results[1].detail
    assert api.hits() == Counter({"2024-06-10": 4, "2024-06-20": 1})
    # back-off 1, 2, 4 s between the 429s, each after the polite pause of 0.5 s
    assert [w for w in waits if w != 0.5] == [1.0, 2.0, 4.0]
    assert not list(tmp_path.iterdir())


def test_limits_timeouts_and_redirects(api: FakeDailyPapers, tmp_path: Path) -> None:
    api.script["2024-06-10"] = [(302, {"Location": "http://127.0.0.2:9/elsewhere"}, b"")]
    api.delay["2024-06-20"] = 1.0
    settings = FetchSettings(base_url=api.url, interval=0, retries=1, timeout=0.3, max_bytes=1000)
    fetcher = DayFetcher(settings)
    try:
        moved, slow = fetcher.fetch([dt.date(2024, 6, 10), dt.date(2024, 6, 20)], tmp_path)
        api.delay.clear()
        big = next(fetcher.fetch([dt.date(2024, 6, 20)], tmp_path))
    finally:
        fetcher.close()
    assert (moved.outcome, moved.detail) == ("failed", f"HTTP 302 from {api.url}/api/daily_papers?date=2024-06-10")
    assert slow.outcome == "failed" and "no answer within 0.3 s" in slow.detail and "2 attempts" in slow.detail
    assert big.outcome == "failed" and "more than the limit of 1,000" in big.detail
    assert len(api.days["2024-06-20"]) > 1000
    assert not list(tmp_path.iterdir())


def test_polite_rate(api: FakeDailyPapers, tmp_path: Path) -> None:
    assert (
        main(
            [
                "fetch-hf",
                "--from",
                "2024-06-08",
                "--to",
                "2024-06-11",
                "--base-url",
                api.url,
                "--interval",
                "0.25",
                "--quiet",
                str(tmp_path),
            ]
        )
        == 0
    )
    times = [t for t, _day in api.requests]
    assert len(times) == 4
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.24


def test_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    for args, needle in (
        (["--from", "2024-02-30"], "--from '2024-02-30': not a day"),
        (["--from", "2024-06-02", "--to", "2024-06-01"], "--to 2024-06-01 is before --from 2024-06-02"),
        (["--from", "2000-01-01", "--to", "2024-01-01"], "more than 4000"),
        (["--from", "2024-06-01", "--base-url", "file:///etc"], "not an http(s) URL"),
        (["--from", "2024-06-01", "--interval", "-1"], "--interval -1.0: must be at least 0"),
    ):
        assert main(["fetch-hf", *args, str(tmp_path / "out")]) == 1
        assert needle in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert len(days_between(dt.date(2024, 2, 28), dt.date(2024, 3, 1))) == 3


@pytest.mark.corpus
def test_every_shared_day_fetched_back(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """The API answering with every shared Daily Papers file (both groups, every schema
    generation): fetching the whole span, 2024-03 to 2026-08, gives back each file byte for
    byte and nothing for the days between."""
    if not HF_CORPUS.is_dir():
        pytest.skip(f"shared Daily Papers files not found at {HF_CORPUS}")
    bodies = _bodies(HF_CORPUS)
    assert len(bodies) == 91
    first, last = min(bodies), max(bodies)
    out = tmp_path / "days"
    for api in _serve(bodies):
        assert _fetch(api, out, first, last, "--quiet") == 0
        span = len(days_between(dt.date.fromisoformat(first), dt.date.fromisoformat(last)))
        assert f"{span} days into {out}: 91 fetched, 0 kept, {span - 91} empty, 0 failed" in capsys.readouterr().out
    assert _bodies(out) == bodies
    assert sum(len(listing.entries) for listing in read_listings([out])) == 1237
