"""HTML for the Hugging Face Daily Papers: a day's listing (``/daily-papers/YYYY-MM-DD``), and
the preprints shown on person and paper pages.

Data comes from the named queries ``ld-daily-papers``, ``ld-person-preprints`` and
``ld-paper-preprints``; rendering is pure (plain data in, HTML out), as for the other pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..read.runner import QueryRunner
from .page_parts import e, external, link, page

DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


@dataclass(slots=True)
class PreprintItem:
    """A preprint as a listing shows it."""

    iri: str
    arxiv_id: str
    title: str
    date: str | None = None
    authors: int = 0
    upvotes: int | None = None
    comments: int | None = None
    paper: str | None = None
    anthology_id: str | None = None
    volume: str | None = None
    booktitle: str | None = None
    events: list[tuple[str, str]] = field(default_factory=list)
    """(IRI, label) of the published paper's events, by label."""
    score: float | None = None


def _v(row: Any, key: str) -> str | None:
    term = row[key]
    return None if term is None else term.value


def _int(row: Any, key: str) -> int | None:
    value = _v(row, key)
    return int(value) if value is not None and value.lstrip("-").isdigit() else None


def _items(rows: Any) -> list[PreprintItem]:
    """One item per preprint, in the rows' order (a paper's several events on several rows)."""
    items: dict[str, PreprintItem] = {}
    names = set(rows.variables and [v.value for v in rows.variables])
    for row in rows:
        iri = row["preprint"].value
        item = items.get(iri)
        if item is None:
            score = _v(row, "score") if "score" in names else None
            item = items[iri] = PreprintItem(
                iri=iri,
                arxiv_id=_v(row, "arxivId") or iri,
                title=_v(row, "title") or iri,
                date=_v(row, "date"),
                authors=_int(row, "authors") or 0,
                upvotes=_int(row, "upvotes") if "upvotes" in names else None,
                comments=_int(row, "comments") if "comments" in names else None,
                paper=_v(row, "paper"),
                anthology_id=_v(row, "anthologyId"),
                volume=_v(row, "volume") if "volume" in names else None,
                booktitle=_v(row, "booktitle") if "booktitle" in names else None,
                score=float(score) if score is not None else None,
            )
        if "event" in names and row["event"] is not None:
            event = (row["event"].value, _v(row, "eventLabel") or row["event"].value)
            if event not in item.events:
                item.events.append(event)
                item.events.sort(key=lambda pair: pair[1])
    return list(items.values())


def fetch_day(runner: QueryRunner, day: str) -> list[PreprintItem]:
    query = runner.catalog["ld-daily-papers"]
    return _items(runner.query_sync(query.text, {"day": ox.Literal(day)}))


def fetch_person_preprints(runner: QueryRunner, person: str) -> list[PreprintItem]:
    return _items(runner.solutions_sync("ld-person-preprints", person=person))


def fetch_paper_preprints(runner: QueryRunner, paper: str) -> list[PreprintItem]:
    return _items(runner.solutions_sync("ld-paper-preprints", paper=paper))


def _published(item: PreprintItem) -> str:
    if item.paper is None:
        return '<span class="muted">no Anthology version found</span>'
    where = ""
    if item.events:
        where = " at " + ", ".join(link(iri, label) for iri, label in item.events)
    elif item.volume and item.booktitle:
        where = " in " + link(item.volume, item.booktitle)
    return f"published as {link(item.paper, item.anthology_id)}{where} →"


def _item_html(item: PreprintItem, *, votes: bool) -> str:
    facts = [f"{item.authors} authors" if item.authors != 1 else "1 author"]
    if item.date:
        facts.append(f"arXiv {e(item.date)}")
    if votes and item.upvotes is not None:
        facts.append(f"▲ {item.upvotes}")
    if votes and item.comments:
        facts.append(f"{item.comments} comments")
    return (
        f'<li class="paper"><span class="badges">{external(item.iri, "arXiv", "badge")}</span>'
        f'<span class="title">{link(item.iri, item.title)}</span>'
        f'<div class="authors">{" · ".join(facts)}</div><div class="in">{_published(item)}</div></li>'
    )


def preprints_section(items: list[PreprintItem]) -> str:
    """The preprints of a person or paper page ("" when there are none)."""
    if not items:
        return ""
    listed = "".join(_item_html(item, votes=False) for item in items)
    return (
        f'<section class="preprints"><h2>Preprints <span class="count">{len(items)}</span></h2>'
        f'<p class="muted">arXiv preprints from the Hugging Face Daily Papers, linked by bibkg</p>'
        f'<ul class="papers">{listed}</ul></section>'
    )


def day_page(runner: QueryRunner, day: str) -> str | None:
    """The Daily Papers listing of ``day`` (most upvoted first), or ``None`` when the graph has none."""
    items = fetch_day(runner, day)
    if not items:
        return None
    published = sum(1 for item in items if item.paper)
    body = (
        f"<h1>Daily Papers of {e(day)}</h1>"
        f'<p class="lead">{len(items)} preprints from the Hugging Face Daily Papers, most upvoted first; '
        f"{published} published in the ACL Anthology.</p>"
        f'<ul class="papers">{"".join(_item_html(item, votes=True) for item in items)}</ul>'
    )
    return page(f"Daily Papers {day}", body)
