"""Fetching days of Hugging Face Daily Papers (``/api/daily_papers?date=YYYY-MM-DD``) into a
directory of one file per day, the input ``bibkg ingest`` reads.

A convenience for users who are online; nothing else in bibkg touches the network.  The rules:

* **Only the operator's URL.** Requests go to ``base_url`` (default https://huggingface.co; a
  mirror or a test server may be named instead), never to a redirect's target.
* **Polite.** At most one request per ``interval`` seconds, one at a time.
* **Retries.** A 429, a 5xx, a timeout or a broken connection is retried ``retries`` times with
  exponential back-off, honouring ``Retry-After`` up to ``max_wait`` seconds.
* **Bounded.** A body larger than ``max_bytes`` is refused while it is read; every request has a
  ``timeout``.
* **Checked, atomic, resumable.** A body is written to ``DIR/YYYY-MM-DD.json`` only if
  :func:`~bibkg.hf.reader.read_listing` reads it without error, through a temporary file and an
  atomic rename: an interrupted run leaves whole files only, and the next run keeps the days
  already there (unless ``force``) and fetches the rest.  A day the API lists nothing for (an
  empty list, or 404) writes no file.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import httpx

from ..errors import BibkgError
from .reader import read_listing

DEFAULT_BASE_URL: Final = "https://huggingface.co"
MAX_DAYS: Final = 4000
"""Days one run may cover (about eleven years: the Daily Papers started in 2023)."""

Outcome = Literal["fetched", "kept", "empty", "failed"]


@dataclass(frozen=True, slots=True)
class FetchSettings:
    base_url: str = DEFAULT_BASE_URL
    interval: float = 1.0
    """Seconds between the starts of two requests."""
    retries: int = 4
    """Further attempts after a 429, a 5xx, a timeout or a broken connection."""
    timeout: float = 30.0
    """Seconds for one request (connect, each read)."""
    max_bytes: int = 32 * 1024 * 1024
    """The largest body accepted (the busiest day of 2024-2026 is under 300 KB)."""
    max_wait: float = 300.0
    """The longest ``Retry-After`` honoured; a server asking for more ends the day's attempts."""


@dataclass(frozen=True, slots=True)
class DayResult:
    day: dt.date
    outcome: Outcome
    detail: str = ""
    """How many papers (fetched, kept), or why the day failed."""


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every day from ``first`` to ``last``, both included.

    Raises:
        BibkgError: ``last`` is before ``first``, or the range is longer than :data:`MAX_DAYS`.
    """
    if last < first:
        raise BibkgError(f"--to {last} is before --from {first}")
    count = (last - first).days + 1
    if count > MAX_DAYS:
        raise BibkgError(f"--from {first} --to {last} covers {count} days, more than {MAX_DAYS}; fetch it in parts")
    return [first + dt.timedelta(days=n) for n in range(count)]


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


class DayFetcher:
    """Fetches days one at a time at a polite rate (see the module's rules)."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._client = client or httpx.Client(
            timeout=settings.timeout,
            follow_redirects=False,
            headers={"User-Agent": "bibkg-fetch-hf (+https://w3id.org/bibkg)", "Accept": "application/json"},
        )
        self._sleep = sleep
        self._clock = clock
        self._last_start: float | None = None

    def close(self) -> None:
        self._client.close()

    def fetch(self, days: list[dt.date], directory: Path, *, force: bool = False) -> Iterator[DayResult]:
        """Each day's result, in order, as it is settled."""
        directory.mkdir(parents=True, exist_ok=True)
        for day in days:
            yield self._day(day, directory, force)

    def _day(self, day: dt.date, directory: Path, force: bool) -> DayResult:
        target = directory / f"{day.isoformat()}.json"
        if target.exists() and not force:
            try:
                return DayResult(day, "kept", f"{len(read_listing(target).entries)} papers")
            except BibkgError:
                pass  # not a good file (written by someone else): fetch it again
        attempt = 0
        while True:
            try:
                body = self._get(day)
                break
            except _Retry as retry:
                attempt += 1
                if attempt > self.settings.retries:
                    return DayResult(day, "failed", f"{retry} (after {attempt} attempts)")
                wait = retry.wait if retry.wait is not None else self.settings.interval * 2**attempt
                if wait > self.settings.max_wait:
                    return DayResult(
                        day,
                        "failed",
                        f"{retry}; the server asks to wait {wait:.0f} s, more than {self.settings.max_wait:.0f} s",
                    )
                self._sleep(wait)
            except BibkgError as exc:
                return DayResult(day, "failed", str(exc))
        if body is None:
            return DayResult(day, "empty", "no listing")
        return self._store(day, body, target)

    def _get(self, day: dt.date) -> bytes | None:
        """The day's body; ``None`` when the API has no listing for it (404)."""
        self._pace()
        url = f"{self.settings.base_url.rstrip('/')}/api/daily_papers"
        try:
            with self._client.stream("GET", url, params={"date": day.isoformat()}) as response:
                status = response.status_code
                if status == 404:
                    return None
                if status == 429 or status >= 500:
                    raise _Retry(f"HTTP {status}", _retry_after(response.headers.get("retry-after")))
                if status != 200:
                    raise BibkgError(f"HTTP {status} from {response.request.url}")
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.settings.max_bytes:
                    raise BibkgError(
                        f"the body is {int(declared):,} bytes, more than the limit of {self.settings.max_bytes:,}"
                    )
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.settings.max_bytes:
                        raise BibkgError(f"the body is more than the limit of {self.settings.max_bytes:,} bytes")
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.TimeoutException as exc:
            raise _Retry(f"no answer within {self.settings.timeout:g} s ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise _Retry(f"connection failed: {exc}") from exc

    def _pace(self) -> None:
        now = self._clock()
        if self._last_start is not None:
            pause = self._last_start + self.settings.interval - now
            if pause > 0:
                self._sleep(pause)
                now = self._clock()
        self._last_start = now

    def _store(self, day: dt.date, body: bytes, target: Path) -> DayResult:
        """Check ``body`` as the reader will read it, then publish it at ``target`` atomically."""
        partial = target.with_name(f".{target.name}.part")
        try:
            partial.write_bytes(body)
            try:
                listing = read_listing(partial)
            except BibkgError as exc:
                return DayResult(day, "failed", f"the API's answer is not a Daily Papers listing: {exc}")
            if listing.day != day.isoformat():
                return DayResult(day, "failed", f"the API answered with the listing of {listing.day}")
            if not listing.entries:
                return DayResult(day, "empty", "no papers")
            with partial.open("rb") as handle:
                os.fsync(handle.fileno())
            os.replace(partial, target)
            return DayResult(day, "fetched", f"{len(listing.entries)} papers")
        finally:
            partial.unlink(missing_ok=True)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); ``None`` if absent
    or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


__all__ = ["DEFAULT_BASE_URL", "MAX_DAYS", "DayFetcher", "DayResult", "FetchSettings", "days_between"]
