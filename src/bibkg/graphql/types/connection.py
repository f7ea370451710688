"""Relay pages: page information and the paper connection every paper list answers with."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from strawberry.types import Info

from ...read.papers import in_order
from ...read.records import DatedPaper
from ..maybe import Maybe, then
from ..pagination import encode_cursor, page
from . import paper as _paper
from .refs import PaperRef


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class PaperEdge:
    cursor: str
    node: PaperRef


@strawberry.type(description="A page of papers; `totalCount` counts all pages.")
class PaperConnection:
    total_count: int
    edges: list[PaperEdge]
    page_info: PageInfo


def page_info(has_next: bool, has_previous: bool, chunk: list[tuple[int, Any]]) -> PageInfo:
    """The page information of ``chunk``, ``(position, item)`` pairs of one page."""
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=has_previous,
        start_cursor=encode_cursor(chunk[0][0]) if chunk else None,
        end_cursor=encode_cursor(chunk[-1][0]) if chunk else None,
    )


def paper_connection(
    info: Info, papers: list[tuple[str, str]], first: int, after: str | None
) -> Maybe[PaperConnection]:
    """The page of ``papers`` (ordered ``(iri, anthology id)`` pairs) after ``after``, its papers loaded."""
    chunk, has_next, has_previous = page(papers, first, after)

    def connection(nodes: list[_paper.Paper]) -> PaperConnection:
        return PaperConnection(
            total_count=len(papers),
            edges=[
                PaperEdge(cursor=encode_cursor(i), node=node) for (i, _pair), node in zip(chunk, nodes, strict=True)
            ],
            page_info=page_info(has_next, has_previous, chunk),
        )

    return then(_paper.load_papers(info, [iri for _i, (iri, _id) in chunk]), connection)


def sorted_papers(papers: Iterable[DatedPaper], *, newest_first: bool) -> list[tuple[str, str]]:
    """``(paper IRI, Anthology id)`` of ``papers``, by year then Anthology id."""
    return [(p.iri, p.anthology_id) for p in in_order(papers, newest_first=newest_first)]
