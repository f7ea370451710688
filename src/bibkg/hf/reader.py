"""Reading the JSON of the Hugging Face papers API (``/api/daily_papers?date=…``) into records.

One file holds one day's listing.  Every form the API and its mirrors have produced is read:
the raw compact body, a re-serialized (pretty-printed) copy, and the wrapped body
``{"status", "date", "count", "data": [...]}``; every schema generation (2024 items with
``mediaUrl``, 2025 items with ``submittedOnDailyBy``, later ones with ``organization`` and
AI summaries): fields this project does not use are ignored, fields it uses are optional
unless an item is meaningless without them.

The rules on bad input (each message names the file and the item index, 0-based):

* **Errors** (the whole ingest is refused, nothing is applied): malformed JSON, a body that
  is neither a list of items nor a wrapped body, an item that is not a JSON object (the
  upstream bug of 2024-12 wrote Python reprs as strings), an item without ``paper.id``,
  ``paper.title`` or ``paper.authors``, an author without a name, an arXiv id of no known
  form, a file whose day cannot be told, two files for the same day, more items than
  :func:`max_items`.  A half-read day is never mapped: a listing is a unit.
* **Warnings** (the data is used, the warning is reported): an arXiv id with a version
  suffix (``2403.12968v2`` → ``2403.12968``: the preprint IRI is versionless), the same
  preprint twice in one day (the first entry kept), an unknown account status.

Pure: no store, no network; files are read through :mod:`bibkg.safeparse` (size limit,
UTF-8, bounded nesting).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ..errors import BibkgError, SourceError
from ..safeparse import load_json

MAX_ITEMS_ENV: Final = "BIBKG_HF_MAX_ITEMS"
"""Environment variable: the most items one day's file may hold."""
DEFAULT_MAX_ITEMS: Final = 2000
"""Default of :data:`MAX_ITEMS_ENV` (the busiest day of the shared files lists 39 papers)."""
MAX_AUTHORS: Final = 5000
"""Authors of one preprint at most (arXiv's largest author lists have ~3,000)."""

STATUSES: Final = frozenset(
    {"admin_assigned", "claimed_verified", "extracted_pending", "extracted_confirmed", "extracted_infirmed"}
)
"""Statuses of the link between an authorship and a Hugging Face account seen in the API."""

_NEW_ID: Final = re.compile(r"(\d{4}\.\d{4,5})(v\d+)?\Z")
_OLD_ID: Final = re.compile(r"([a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(v\d+)?\Z")
_DAY: Final = re.compile(r"(\d{4}-\d{2}-\d{2})")
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_SPACE: Final = re.compile(r"\s+")


def max_items() -> int:
    raw = os.environ.get(MAX_ITEMS_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_ITEMS
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise BibkgError(f"{MAX_ITEMS_ENV} must be a positive integer, got '{raw}'")
    return value


@dataclass(frozen=True, slots=True)
class HfWarning:
    """Something the data does not settle; the data is used anyway."""

    kind: str
    path: Path
    index: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path} item {self.index}" if self.index is not None else str(self.path)
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class HfAccount:
    """A Hugging Face account (a user or an organization) as the API shows it."""

    id: str | None
    handle: str
    fullname: str | None = None


@dataclass(frozen=True, slots=True)
class HfAuthor:
    """One author of a preprint, in printed order (``position`` 1-based)."""

    position: int
    hf_id: str | None
    """The Hugging Face id of the authorship (``_id``), not of a person."""
    name: str
    hidden: bool = False
    account: HfAccount | None = None
    """The Hugging Face account the authorship is linked to, when one is."""
    status: str | None = None
    """How the account link came about (:data:`STATUSES`)."""


@dataclass(frozen=True, slots=True)
class Preprint:
    """An arXiv preprint (versionless id)."""

    arxiv_id: str
    title: str
    abstract: str | None
    published: str | None
    """arXiv publication date, ``YYYY-MM-DD``."""
    authors: tuple[HfAuthor, ...]


@dataclass(frozen=True, slots=True)
class DailyEntry:
    """A preprint's entry in one day's Daily Papers listing."""

    day: str
    index: int
    """0-based place in the file."""
    preprint: Preprint
    upvotes: int | None = None
    comments: int | None = None
    submitter: HfAccount | None = None
    organization: HfAccount | None = None
    github_repo: str | None = None
    project_page: str | None = None
    listed_at: str | None = None
    """When the entry was put on the list (ISO date-time as the API gives it)."""


@dataclass(frozen=True, slots=True)
class DailyListing:
    """One day's file."""

    day: str
    path: Path
    entries: tuple[DailyEntry, ...]
    warnings: tuple[HfWarning, ...] = ()


def normalize_arxiv_id(raw: str) -> tuple[str, bool] | None:
    """``(versionless id, had a version)`` for an arXiv id of the new or old form, else ``None``."""
    raw = raw.strip()
    if raw.lower().startswith("arxiv:"):
        raw = raw[6:]
    match = _NEW_ID.match(raw) or _OLD_ID.match(raw)
    if match is None:
        return None
    return match.group(1), match.group(2) is not None


def _text(value: Any) -> str | None:
    """A string field with its white space collapsed (arXiv titles carry hard line breaks)."""
    if not isinstance(value, str):
        return None
    value = _SPACE.sub(" ", value).strip()
    return value or None


def _date(value: Any) -> str | None:
    if isinstance(value, str) and _DATE.match(value):
        return value[:10]
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _url(value: Any) -> str | None:
    value = _text(value)
    return value if value and value.startswith(("https://", "http://")) and " " not in value else None


def _account(value: Any, handle_keys: Sequence[str]) -> HfAccount | None:
    if not isinstance(value, dict):
        return None
    handle = next((v for k in handle_keys if isinstance(v := value.get(k), str) and v.strip()), None)
    if handle is None:
        return None
    ident = value.get("_id") if isinstance(value.get("_id"), str) else value.get("id")
    return HfAccount(ident if isinstance(ident, str) else None, handle.strip(), _text(value.get("fullname")))


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.warnings: list[HfWarning] = []

    def fail(self, index: int | None, message: str) -> SourceError:
        return SourceError(self.path, None, f"item {index}: {message}" if index is not None else message)

    def warn(self, kind: str, index: int | None, message: str) -> None:
        self.warnings.append(HfWarning(kind, self.path, index, message))

    def read(self, data: Any) -> DailyListing:
        day = None
        if isinstance(data, dict):
            if not isinstance(data.get("data"), list):
                raise self.fail(None, "not a Daily Papers body: an object without a 'data' list")
            day = _date(data.get("date"))
            items = data["data"]
        elif isinstance(data, list):
            items = data
        else:
            raise self.fail(None, "not a Daily Papers body: expected a list of items or {status, date, count, data}")
        named = _DAY.search(self.path.name)
        if named and day and named.group(1) != day:
            raise self.fail(None, f"the file is named for {named.group(1)} but its body says {day}")
        day = day or (named.group(1) if named else None)
        if day is None:
            raise self.fail(None, "cannot tell the day of this listing: name the file YYYY-MM-DD.json")
        if len(items) > max_items():
            raise self.fail(None, f"{len(items)} items, more than the limit of {max_items()} (set {MAX_ITEMS_ENV})")
        entries: list[DailyEntry] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            entry = self.entry(day, index, item)
            first = seen.setdefault(entry.preprint.arxiv_id, index)
            if first != index:
                self.warn(
                    "duplicate-entry",
                    index,
                    f"arXiv {entry.preprint.arxiv_id} is listed again (first as item {first}); the first entry is kept",
                )
                continue
            entries.append(entry)
        return DailyListing(day, self.path, tuple(entries), tuple(self.warnings))

    def entry(self, day: str, index: int, item: Any) -> DailyEntry:
        if isinstance(item, str):
            raise self.fail(index, "is a string, not a JSON object (a Python repr written as a string?)")
        if not isinstance(item, dict):
            raise self.fail(index, f"is a JSON {type(item).__name__}, not an object")
        paper = item.get("paper")
        if not isinstance(paper, dict):
            raise self.fail(index, "has no 'paper' object")
        raw_id = paper.get("id")
        if not isinstance(raw_id, str) or not raw_id.strip():
            raise self.fail(index, "has no paper.id")
        normalized = normalize_arxiv_id(raw_id)
        if normalized is None:
            raise self.fail(index, f"paper.id '{raw_id[:60]}' is not an arXiv id")
        arxiv_id, versioned = normalized
        if versioned:
            self.warn("arxiv-version", index, f"paper.id '{raw_id.strip()}' has a version suffix; read as {arxiv_id}")
        title = _text(paper.get("title")) or _text(item.get("title"))
        if title is None:
            raise self.fail(index, f"arXiv {arxiv_id} has no title")
        authors = paper.get("authors")
        if not isinstance(authors, list) or not authors:
            raise self.fail(index, f"arXiv {arxiv_id} has no paper.authors list")
        if len(authors) > MAX_AUTHORS:
            raise self.fail(index, f"arXiv {arxiv_id} has {len(authors)} authors, more than {MAX_AUTHORS}")
        preprint = Preprint(
            arxiv_id,
            title,
            _text(paper.get("summary")),
            _date(paper.get("publishedAt")),
            tuple(self.author(index, arxiv_id, position, a) for position, a in enumerate(authors, start=1)),
        )
        organization = item.get("organization") or paper.get("organization") or item.get("submitterOrganization")
        submitter = item.get("submittedBy") or paper.get("submittedOnDailyBy")
        return DailyEntry(
            day,
            index,
            preprint,
            upvotes=_int(paper.get("upvotes")),
            comments=_int(item.get("numComments")),
            submitter=_account(submitter, ("user", "name")),
            organization=_account(organization, ("name",)),
            github_repo=_url(paper.get("githubRepo")),
            project_page=_url(paper.get("projectPage")),
            listed_at=item.get("publishedAt") if isinstance(item.get("publishedAt"), str) else None,
        )

    def author(self, index: int, arxiv_id: str, position: int, raw: Any) -> HfAuthor:
        if not isinstance(raw, dict):
            raise self.fail(index, f"arXiv {arxiv_id}: author {position} is a JSON {type(raw).__name__}, not an object")
        name = _text(raw.get("name"))
        if name is None:
            raise self.fail(index, f"arXiv {arxiv_id}: author {position} has no name")
        status = raw.get("status") if isinstance(raw.get("status"), str) else None
        account = _account(raw.get("user"), ("user", "name"))
        if status is not None and status not in STATUSES:
            self.warn(
                "unknown-status", index, f"arXiv {arxiv_id}: author {position} has the unknown status '{status[:40]}'"
            )
        return HfAuthor(
            position,
            raw.get("_id") if isinstance(raw.get("_id"), str) else None,
            name,
            raw.get("hidden") is True,
            account,
            status if account is not None else None,
        )


def read_listing(path: Path) -> DailyListing:
    """One day's file.

    Raises:
        SourceError: naming the file (and line, or item index) of the first problem.
    """
    path = Path(path)
    return _Reader(path).read(load_json(path))


def listing_files(paths: Iterable[Path]) -> list[Path]:
    """The JSON files named by ``paths`` (files, or directories searched recursively), sorted."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise SourceError(path, None, "no such file or directory")
    return found


def read_listings(paths: Iterable[Path]) -> list[DailyListing]:
    """Every day's file under ``paths``, in day order; all are read before any is used.

    Raises:
        SourceError: a file is bad, or two files hold the same day (both are named).
    """
    listings: dict[str, DailyListing] = {}
    for path in listing_files(paths):
        listing = read_listing(path)
        other = listings.get(listing.day)
        if other is not None:
            raise SourceError(path, None, f"the day {listing.day} is already read from {other.path}; one file per day")
        listings[listing.day] = listing
    return [listings[day] for day in sorted(listings)]


__all__ = [
    "DEFAULT_MAX_ITEMS",
    "MAX_ITEMS_ENV",
    "DailyEntry",
    "DailyListing",
    "HfAccount",
    "HfAuthor",
    "HfWarning",
    "Preprint",
    "listing_files",
    "max_items",
    "normalize_arxiv_id",
    "read_listing",
    "read_listings",
]
